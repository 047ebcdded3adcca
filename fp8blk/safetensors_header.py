"""Strict reading of safetensors headers and checkpoint layouts; never reads tensor data.

Files are untrusted: every structural fact is checked (header length within the file and under a
cap, JSON object, known dtypes, shapes, offsets in range, byte counts matching dtype x shape, no
overlapping tensors), and index entries may not point outside the checkpoint directory.
"""
from __future__ import annotations

import json
import math
import os
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import torch

from .errors import Fp8FormatError

HEADER_CAP = 100 * 1024 * 1024  # bytes; the safetensors reference implementation uses the same cap
INDEX_NAME = "model.safetensors.index.json"

DTYPES: Dict[str, Tuple[Optional[torch.dtype], int]] = {
    "BOOL": (torch.bool, 1), "U8": (torch.uint8, 1), "I8": (torch.int8, 1), "I16": (torch.int16, 2),
    "U16": (torch.uint16, 2), "I32": (torch.int32, 4), "U32": (torch.uint32, 4), "I64": (torch.int64, 8),
    "U64": (torch.uint64, 8), "F16": (torch.float16, 2), "BF16": (torch.bfloat16, 2), "F32": (torch.float32, 4),
    "F64": (torch.float64, 8), "F8_E4M3": (torch.float8_e4m3fn, 1), "F8_E5M2": (torch.float8_e5m2, 1),
    "F8_E8M0": (torch.float8_e8m0fnu, 1), "C64": (torch.complex64, 8),
}
DTYPE_NAMES = {torch_dtype: name for name, (torch_dtype, _) in DTYPES.items()}


@dataclass(frozen=True)
class TensorInfo:
    """Where one tensor lies: its file, dtype, shape and byte range (relative to the data section)."""
    key: str
    file: str
    dtype: torch.dtype
    shape: Tuple[int, ...]
    begin: int
    end: int
    data_start: int  # absolute file offset of the data section

    @property
    def dtype_name(self) -> str:
        return DTYPE_NAMES[self.dtype]

    @property
    def nbytes(self) -> int:
        return self.end - self.begin


def read_header(file: str | os.PathLike) -> Tuple[Dict[str, TensorInfo], Dict[str, str]]:
    """Parses and validates the header of one ``.safetensors`` file.

    Returns ``(tensors, metadata)``. Raises ``Fp8FormatError`` naming the file for any malformed or
    inconsistent header, ``FileNotFoundError`` when the file is missing.
    """
    file = str(file)
    size = os.path.getsize(file)
    with open(file, "rb") as handle:
        prefix = handle.read(8)
        if len(prefix) < 8:
            raise Fp8FormatError(f"file {file}: {size} bytes is too short for a safetensors file (needs an 8-byte header length)")
        (header_len,) = struct.unpack("<Q", prefix)
        if header_len > HEADER_CAP:
            raise Fp8FormatError(f"file {file}: header length {header_len} is above the {HEADER_CAP}-byte cap")
        if 8 + header_len > size:
            raise Fp8FormatError(f"file {file}: header length {header_len} runs past the end of the file ({size} bytes); "
                                 f"truncated or not a safetensors file")
        raw = handle.read(header_len)
    try:
        header = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise Fp8FormatError(f"file {file}: header is not valid UTF-8 JSON ({exc})") from None
    if not isinstance(header, dict):
        raise Fp8FormatError(f"file {file}: header must be a JSON object, found {type(header).__name__}")
    metadata = header.pop("__metadata__", None) or {}
    if not isinstance(metadata, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()):
        raise Fp8FormatError(f"file {file}: __metadata__ must map strings to strings")
    data_start = 8 + header_len
    data_len = size - data_start
    tensors: Dict[str, TensorInfo] = {}
    for key, entry in header.items():
        tensors[key] = _tensor_info(file, key, entry, data_start, data_len)
    spans = sorted((t.begin, t.end, t.key) for t in tensors.values() if t.end > t.begin)
    for (_, end_a, key_a), (begin_b, _, key_b) in zip(spans, spans[1:]):
        if begin_b < end_a:
            raise Fp8FormatError(f"file {file}: tensors {key_a!r} and {key_b!r} overlap in the data section")
    return tensors, metadata


def _tensor_info(file: str, key: str, entry: object, data_start: int, data_len: int) -> TensorInfo:
    if not isinstance(entry, dict):
        raise Fp8FormatError(f"file {file}, key {key!r}: entry must be an object, found {entry!r:.80}")
    dtype_name, shape, offsets = entry.get("dtype"), entry.get("shape"), entry.get("data_offsets")
    if dtype_name not in DTYPES:
        raise Fp8FormatError(f"file {file}, key {key!r}: unknown dtype {dtype_name!r}")
    if not isinstance(shape, list) or not all(isinstance(d, int) and not isinstance(d, bool) and d >= 0 for d in shape):
        raise Fp8FormatError(f"file {file}, key {key!r}: shape must be a list of non-negative integers, found {shape!r:.80}")
    if (not isinstance(offsets, list) or len(offsets) != 2
            or not all(isinstance(o, int) and not isinstance(o, bool) for o in offsets)):
        raise Fp8FormatError(f"file {file}, key {key!r}: data_offsets must be [begin, end], found {offsets!r:.80}")
    begin, end = offsets
    if not 0 <= begin <= end <= data_len:
        raise Fp8FormatError(f"file {file}, key {key!r}: data_offsets {offsets} out of range for a data section "
                             f"of {data_len} bytes")
    torch_dtype, itemsize = DTYPES[dtype_name]
    expected = math.prod(shape) * itemsize
    if end - begin != expected:
        raise Fp8FormatError(f"file {file}, key {key!r}: {dtype_name} {shape} needs {expected} bytes, "
                             f"data_offsets give {end - begin}")
    return TensorInfo(key, file, torch_dtype, tuple(shape), begin, end, data_start)


@dataclass
class CheckpointLayout:
    """The files of a checkpoint and which file holds each key."""
    root: Path                        # directory holding the files and config.json
    files: List[str]                  # shard paths, in a stable order
    tensors: Dict[str, TensorInfo]    # every key, from the headers
    index_file: Optional[str]         # model.safetensors.index.json, when used
    problems: List[str]               # non-fatal findings (duplicate keys, index disagreeing with headers)

    def config(self) -> dict:
        """``config.json`` beside the files, or ``{}``. Raises ``Fp8FormatError`` if it is not valid JSON."""
        path = self.root / "config.json"
        if not path.is_file():
            return {}
        try:
            return json.loads(path.read_text())
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise Fp8FormatError(f"file {path}: not valid JSON ({exc})") from None


def _inside(root: Path, name: str, index_file: str) -> Path:
    if os.path.isabs(name) or any(part == ".." for part in Path(name).parts):
        raise Fp8FormatError(f"file {index_file}: entry {name!r} points outside the checkpoint directory")
    path = root / name
    if not path.resolve().is_relative_to(root.resolve()):
        raise Fp8FormatError(f"file {index_file}: entry {name!r} resolves outside the checkpoint directory "
                             f"(to {path.resolve()})")
    return path


def read_layout(path: str | os.PathLike, strict: bool = True) -> CheckpointLayout:
    """Finds the shards of a checkpoint (a file, a directory, or an index) and reads their headers.

    Raises ``FileNotFoundError`` for a missing path or shard, ``Fp8FormatError`` for a malformed index
    or header, or a shard outside the checkpoint directory (``..``, absolute, or a symlink pointing out).
    With ``strict=False`` a shard the index names but that does not exist is a problem, not an error.
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no checkpoint at {path}")
    index_file: Optional[str] = None
    if path.is_dir() and (path / INDEX_NAME).is_file():
        path = path / INDEX_NAME
    if path.is_file() and path.name.endswith(".json"):
        index_file, root = str(path), path.parent
        try:
            index = json.loads(path.read_text())
            weight_map = index["weight_map"]
            assert isinstance(weight_map, dict) and all(isinstance(v, str) for v in weight_map.values())
        except (UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError, AssertionError):
            raise Fp8FormatError(f"file {path}: not a safetensors index (needs a 'weight_map' of key -> file name)") from None
        names = sorted(set(weight_map.values()))
        shard_paths = {name: _inside(root, name, index_file) for name in names}
        missing = []
        for name, shard in shard_paths.items():
            if not shard.is_file():
                key = next(k for k, v in weight_map.items() if v == name)
                message = f"file {path}: key {key!r} is mapped to {name}, which does not exist"
                if strict:
                    raise FileNotFoundError(message)
                missing.append(message)
        files = [str(shard_paths[name]) for name in names if shard_paths[name].is_file()]
    elif path.is_file():
        root, files, weight_map = path.parent, [str(path)], None
        missing = []
    elif path.is_dir():
        root = path
        files = sorted(str(_inside(root, p.name, str(path))) for p in path.glob("*.safetensors"))
        weight_map = None
        if not files:
            raise FileNotFoundError(f"no .safetensors files in {path}")
    else:
        raise FileNotFoundError(f"no checkpoint at {path}")

    tensors: Dict[str, TensorInfo] = {}
    problems: List[str] = list(missing) if index_file else []
    for file in files:
        infos, _ = read_header(file)
        for key, info in infos.items():
            if key in tensors:
                problems.append(f"key {key!r} is in two shards: {tensors[key].file} and {file}")
                if weight_map is not None and Path(file).name == weight_map.get(key):
                    tensors[key] = info
                continue
            tensors[key] = info
    if weight_map is not None:
        for key, name in weight_map.items():
            if (key not in tensors or Path(tensors[key].file).name != name) and (root / name).is_file():
                problems.append(f"file {index_file}: key {key!r} is mapped to {name}, whose header does not hold it")
        for key in tensors.keys() - weight_map.keys():
            problems.append(f"key {key!r} in {tensors[key].file} is missing from {index_file}")
    return CheckpointLayout(root, files, tensors, index_file, problems)
