"""``fp8blk convert``: rewrite a checkpoint's block-scale keys into another convention, safely.

Only scale keys change (and, when asked, the scale tensors' dtype). Tensor bytes are streamed from
the source, never decoded (scales excepted when their dtype changes). The result is written to a
temporary sibling, fsynced, verified (headers re-read; every tensor's bytes hash as expected), and
only then renamed into place: an interrupted run leaves the source intact and no half-written
destination.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import struct
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, List, Optional, Tuple, Union

import torch

from .checkpoint import quantization_config_for, scan_checkpoint
from .conventions import SCALE_NAMES, parse_quant_config
from .errors import Fp8FormatError
from .safetensors_header import DTYPE_NAMES, INDEX_NAME, TensorInfo, read_header

CHUNK_BYTES = int(os.environ.get("FP8BLK_CONVERT_CHUNK_BYTES", 16 << 20))
SCALE_DTYPE_CHOICES = {"keep": None, "float32": torch.float32, "bfloat16": torch.bfloat16}


@dataclass
class ConversionPlan:
    """What a conversion will do, computed from headers only."""
    src: Path
    single_file: bool
    renames: Dict[str, str]                        # old key -> new key (scale keys only)
    dtype_changes: Dict[str, Tuple[str, str]]      # old key -> (old dtype, new dtype)
    files: List[str]                               # shard paths
    config_changes: List[str]
    new_config: Optional[dict]
    other_files: List[str] = field(default_factory=list)  # copied untouched (relative to the root)
    total_bytes: int = 0

    def describe(self) -> str:
        lines = [f"convert {self.src}: {len(self.files)} shard(s), {self.total_bytes / 2**20:.1f} MiB",
                 f"  rename {len(self.renames)} scale key(s)"
                 + (f", e.g. {next(iter(self.renames))} -> {next(iter(self.renames.values()))}" if self.renames else ""),
                 f"  change the dtype of {len(self.dtype_changes)} scale tensor(s)"
                 + (f" ({', '.join(sorted({f'{a} -> {b}' for a, b in self.dtype_changes.values()}))})"
                    if self.dtype_changes else "")]
        lines += [f"  config.json: {change}" for change in self.config_changes] or ["  config.json: unchanged"]
        lines.append(f"  copy {len(self.other_files)} other file(s) untouched")
        return "\n".join(lines)


def plan_conversion(src: Union[str, os.PathLike], scale_name: str, scale_dtype: str = "keep") -> ConversionPlan:
    """Checks ``src`` and computes the conversion; raises ``Fp8FormatError`` for anything unsafe."""
    if scale_name not in SCALE_NAMES:
        raise Fp8FormatError(f"--scale-name must be one of {', '.join(SCALE_NAMES)}, got {scale_name!r}")
    if scale_dtype not in SCALE_DTYPE_CHOICES:
        raise Fp8FormatError(f"--scale-dtype must be one of {', '.join(SCALE_DTYPE_CHOICES)}, got {scale_dtype!r}")
    src = Path(src)
    scan = scan_checkpoint(src)
    if scan.problems:
        raise Fp8FormatError(f"{src}: refusing to convert a checkpoint with problems (see fp8blk inspect):\n  "
                             + "\n  ".join(p.message for p in scan.problems))
    renames, dtype_changes = {}, {}
    target_dtype = SCALE_DTYPE_CHOICES[scale_dtype]
    for info in scan.layers.values():
        if info.also_named:
            raise Fp8FormatError(f"layer {info.prefix!r} stores its scale under {info.scale_name!r} and "
                                 f"{', '.join(info.also_named)}: remove the duplicate first")
        old, new = info.key(info.scale_name), info.key(scale_name)
        if old != new:
            if new in scan.layout.tensors:
                raise Fp8FormatError(f"renaming {old!r} to {new!r} would overwrite an existing key")
            renames[old] = new
        if target_dtype is not None and info.scale_dtype != target_dtype:
            dtype_changes[old] = (DTYPE_NAMES[info.scale_dtype], DTYPE_NAMES[target_dtype])
    single_file = src.is_file() and src.suffix == ".safetensors"
    root = scan.layout.root
    new_config, changes = None, []
    if not single_file:
        block_sizes = {info.block_size for info in scan.layers.values() if info.scale_kind == "block"}
        block = block_sizes.pop() if len(block_sizes) == 1 else (scan.quant.block_size or (128, 128))
        new_config, changes = updated_config(scan.config, scale_name, block, target_dtype)
    skip = {Path(f).name for f in scan.layout.files} | {INDEX_NAME, "config.json"}
    others = [] if single_file else sorted(str(p.relative_to(root)) for p in root.rglob("*")
                                           if p.name not in skip or p.parent != root)
    for name in others:
        _inside_root(root, name)
    total = sum(info.nbytes for info in scan.layout.tensors.values())
    return ConversionPlan(src, single_file, renames, dtype_changes, scan.layout.files, changes, new_config, others, total)


def _inside_root(root: Path, name: str) -> None:
    path = root / name
    if not path.resolve().is_relative_to(root.resolve()):
        raise Fp8FormatError(f"{path} is a link pointing outside the checkpoint directory ({path.resolve()})")


def updated_config(config: dict, scale_name: str, block_size, scale_dtype: Optional[torch.dtype]) -> Tuple[dict, List[str]]:
    """config.json with the quantization markers of ``scale_name``'s convention; returns it and what changed."""
    old = config.get("quantization_config") or {}
    new = quantization_config_for(scale_name, block_size, scale_dtype)
    ignored = list(parse_quant_config(config).ignore)
    if ignored:
        new["ignore" if new["quant_method"] == "compressed-tensors" else "modules_to_not_convert"] = ignored
    changes = [f"quantization_config.{key}: {old.get(key)!r} -> {new.get(key)!r}"
               for key in sorted(set(old) | set(new)) if old.get(key) != new.get(key)]
    return dict(config, quantization_config=new), changes


class _Progress:
    def __init__(self, total: int, enabled: bool) -> None:
        self.total, self.done, self.enabled = max(total, 1), 0, enabled

    def add(self, nbytes: int) -> None:
        self.done += nbytes
        if self.enabled:
            filled = int(30 * self.done / self.total)
            sys.stderr.write(f"\r[{'#' * filled}{'.' * (30 - filled)}] {self.done / 2**20:.0f}/{self.total / 2**20:.0f} MiB")
            if self.done >= self.total:
                sys.stderr.write("\n")
            sys.stderr.flush()


def _converted_bytes(file: str, info: TensorInfo, dtype_name: str) -> Tuple[bytes, float]:
    from safetensors import safe_open
    from .safetensors_header import DTYPES
    with safe_open(file, framework="pt", device="cpu") as handle:
        tensor = handle.get_tensor(info.key)
    converted = tensor.to(DTYPES[dtype_name][0])
    source = tensor.double()
    back = converted.double()
    nonzero = source != 0
    change = float(((back - source).abs()[nonzero] / source.abs()[nonzero]).max()) if nonzero.any() else 0.0
    return converted.contiguous().view(torch.uint8).numpy().tobytes(), change


def _write_shard(src_file: str, out_file: Path, plan: ConversionPlan, progress: _Progress,
                 max_change: Dict[str, float]) -> Dict[str, str]:
    """Writes one converted shard; returns {new key: blake2b hex of its bytes}."""
    infos, metadata = read_header(src_file)
    ordered = sorted(infos.values(), key=lambda t: (t.begin, t.key))
    header, payload, offset = {}, {}, 0
    for info in ordered:
        new_key = plan.renames.get(info.key, info.key)
        dtype_name, size = info.dtype_name, info.nbytes
        if info.key in plan.dtype_changes:
            dtype_name = plan.dtype_changes[info.key][1]
            payload[info.key], max_change[info.key] = _converted_bytes(src_file, info, dtype_name)
            size = len(payload[info.key])
        header[new_key] = {"dtype": dtype_name, "shape": list(info.shape), "data_offsets": [offset, offset + size]}
        offset += size
    if metadata:
        header = {"__metadata__": metadata, **header}
    encoded = json.dumps(header, separators=(",", ":")).encode()
    encoded += b" " * (-len(encoded) % 8)
    hashes = {}
    with open(src_file, "rb") as source, open(out_file, "wb") as out:
        out.write(struct.pack("<Q", len(encoded)) + encoded)
        for info in ordered:
            digest = hashlib.blake2b(digest_size=32)
            if info.key in payload:
                out.write(payload[info.key])
                digest.update(payload[info.key])
                progress.add(info.nbytes)
            else:
                source.seek(info.data_start + info.begin)
                left = info.nbytes
                while left:
                    chunk = source.read(min(CHUNK_BYTES, left))
                    if not chunk:
                        raise Fp8FormatError(f"file {src_file}: key {info.key!r} is cut short")
                    out.write(chunk)
                    digest.update(chunk)
                    left -= len(chunk)
                    progress.add(len(chunk))
            hashes[plan.renames.get(info.key, info.key)] = digest.hexdigest()
        out.flush()
        os.fsync(out.fileno())
    return hashes


def _verify(out_file: Path, expected: Dict[str, str]) -> None:
    infos, _ = read_header(out_file)
    if set(infos) != set(expected):
        raise Fp8FormatError(f"verification of {out_file} failed: keys differ from the plan")
    with open(out_file, "rb") as handle:
        for key, info in infos.items():
            handle.seek(info.data_start + info.begin)
            digest = hashlib.blake2b(digest_size=32)
            left = info.nbytes
            while left:
                chunk = handle.read(min(CHUNK_BYTES, left))
                digest.update(chunk)
                left -= len(chunk)
            if digest.hexdigest() != expected[key]:
                raise Fp8FormatError(f"verification of {out_file} failed: the bytes of {key!r} differ from the source")


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def convert_checkpoint(src: Union[str, os.PathLike], dst: Optional[Union[str, os.PathLike]], scale_name: str,
                       scale_dtype: str = "keep", in_place: bool = False, force: bool = False, dry_run: bool = False,
                       progress: Optional[bool] = None, log: Callable[[str], None] = print) -> Dict:
    """Converts ``src`` to ``dst`` (or in place); returns a report dict. See the module docstring."""
    src = Path(src)
    plan = plan_conversion(src, scale_name, scale_dtype)
    target = src if in_place else Path(dst) if dst is not None else None
    if target is None:
        raise Fp8FormatError("give DST or --in-place")
    if not in_place and target.exists() and not force:
        raise Fp8FormatError(f"{target} exists: pass --force to replace it")
    if not in_place and target.resolve() == src.resolve():
        raise Fp8FormatError("DST is SRC: use --in-place")
    log(plan.describe())
    report = {"renamed": len(plan.renames), "dtype_changed": len(plan.dtype_changes), "config_changes": plan.config_changes,
              "max_relative_scale_change": 0.0, "dry_run": dry_run}
    if dry_run:
        return report

    tmp = target.parent / f".{target.name}.fp8blk-tmp-{os.getpid()}"
    bar = _Progress(plan.total_bytes, plan.total_bytes >= (256 << 20) if progress is None else progress)
    max_change: Dict[str, float] = {}
    try:
        if plan.single_file:
            expected = _write_shard(str(src), tmp, plan, bar, max_change)
            _verify(tmp, expected)
        else:
            tmp.mkdir()
            root = src if src.is_dir() else src.parent
            for file in plan.files:
                out = tmp / Path(file).name
                expected = _write_shard(file, out, plan, bar, max_change)
                _verify(out, expected)
            index = root / INDEX_NAME
            if index.is_file():
                data = json.loads(index.read_text())
                data["weight_map"] = {plan.renames.get(k, k): v for k, v in data["weight_map"].items()}
                if plan.dtype_changes:
                    data.setdefault("metadata", {})["total_size"] = sum(
                        info.nbytes for f in tmp.glob("*.safetensors") for info in read_header(f)[0].values())
                (tmp / INDEX_NAME).write_text(json.dumps(data, indent=2))
            if plan.new_config is not None:
                (tmp / "config.json").write_text(json.dumps(plan.new_config, indent=2))
            for name in plan.other_files:
                source = root / name
                if source.is_dir():
                    (tmp / name).mkdir(parents=True, exist_ok=True)
                else:
                    (tmp / name).parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(source, tmp / name)
            _fsync_dir(tmp)
        # Verified: swap into place. Until the old copy is removed, it is the way back.
        backup = target.parent / f".{target.name}.fp8blk-old-{os.getpid()}"
        if target.exists():
            os.rename(target, backup)
        os.rename(tmp, target)
        _fsync_dir(target.parent)
        if backup.exists():
            shutil.rmtree(backup) if backup.is_dir() else backup.unlink()
    finally:
        if tmp.exists():
            shutil.rmtree(tmp) if tmp.is_dir() else tmp.unlink()
    report["max_relative_scale_change"] = max(max_change.values(), default=0.0)
    if plan.dtype_changes:
        log(f"scale dtype change: max relative change {report['max_relative_scale_change']:.3g}")
    log(f"wrote {target}")
    return report


def main(args) -> int:
    """CLI entry: 0 done, 1 refused (problems, existing DST), 2 unreadable input."""
    try:
        convert_checkpoint(args.src, args.dst, args.scale_name, args.scale_dtype, args.in_place, args.force,
                           args.dry_run)
    except FileNotFoundError as exc:
        print(f"fp8blk convert: {exc}", file=sys.stderr)
        return 2
    except Fp8FormatError as exc:
        print(f"fp8blk convert: {exc}", file=sys.stderr)
        return 1
    return 0
