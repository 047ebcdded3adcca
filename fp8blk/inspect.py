"""``fp8blk inspect``: what an FP8 checkpoint holds, from its headers alone.

Reads safetensors headers and config.json only -- never tensor data (``check_values=True`` is the one
exception: it reads the scale tensors, which are small, to report zero, NaN, Inf or negative scales).
"""
from __future__ import annotations

import json
import os
from collections import Counter
from typing import Dict, List, Union

import torch

from .conventions import CONVENTION_OF_SCALE, SCALE_OF_CONVENTION, parse_quant_config, scan_layers
from .safetensors_header import read_layout

SCHEMA_VERSION = 1
CONVENTION_LABELS = {"deepseek-hf": "DeepSeek/HF weight_scale_inv", "compressed-tensors": "compressed-tensors weight_scale",
                     "deepseek-v4": "raw DeepSeek-V4 .scale"}


def inspect_checkpoint(path: Union[str, os.PathLike], check_values: bool = False) -> Dict:
    """The report ``fp8blk inspect --json`` prints (schema version ``SCHEMA_VERSION``).

    Keys: ``schema``, ``path``, ``files``, ``index``, ``quantization_config`` (one line),
    ``block_size`` and ``block_size_source``, ``layers`` (one entry per FP8 layer), ``summary``
    (layers per convention), ``problems`` (strings), ``satisfies`` (convention -> bool: every FP8 layer
    already stores its scale under that convention's name and nothing is wrong).
    Raises ``Fp8FormatError`` / ``FileNotFoundError`` for unreadable input.
    """
    layout = read_layout(path, strict=False)
    config = layout.config()
    quant = parse_quant_config(config)
    metas = {key: (info.dtype, info.shape) for key, info in layout.tensors.items()}
    file_of = lambda key: getattr(layout.tensors.get(key), "file", None)  # noqa: E731
    layers, problems, block_source = scan_layers(metas, config, file_of)
    problems = list(layout.problems) + [p.message for p in problems]
    entries: List[Dict] = []
    for prefix, info in sorted(layers.items()):
        entry = {"layer": prefix, "weight_dtype": "float8_e4m3fn", "weight_shape": list(info.weight_shape),
                 "scale_key": info.key(info.scale_name), "convention": info.convention,
                 "scale_dtype": str(info.scale_dtype).replace("torch.", ""), "scale_shape": list(info.scale_shape),
                 "scale_kind": info.scale_kind, "block_size": list(info.block_size),
                 "also_named": [info.key(n) for n in info.also_named], "file": os.path.relpath(info.file, layout.root)}
        if check_values:
            entry.update(_scale_values(layout, info.key(info.scale_name), problems))
        entries.append(entry)
    summary = Counter(e["convention"] for e in entries)
    if len(summary) > 1:
        problems.append("mixed conventions: " + ", ".join(f"{n} layers {c}" for c, n in sorted(summary.items())))
    satisfies = {convention: bool(entries) and not problems and all(
        e["scale_key"].endswith("." + SCALE_OF_CONVENTION[convention]) for e in entries)
        for convention in CONVENTION_OF_SCALE.values()}
    block_size = sorted({tuple(e["block_size"]) for e in entries})
    return {"schema": SCHEMA_VERSION, "path": str(path), "files": [os.path.relpath(f, layout.root) for f in layout.files],
            "index": layout.index_file and os.path.relpath(layout.index_file, layout.root),
            "quantization_config": quant.one_line(), "block_size": [list(b) for b in block_size],
            "block_size_source": block_source, "layers": entries, "summary": dict(sorted(summary.items())),
            "problems": problems, "satisfies": satisfies}


def _scale_values(layout, key: str, problems: List[str]) -> Dict:
    from safetensors import safe_open
    info = layout.tensors[key]
    with safe_open(info.file, framework="pt", device="cpu") as handle:
        values = handle.get_tensor(key).float()
    bad = int((~torch.isfinite(values)).sum())
    negative = int((values < 0).sum())
    if bad or negative:
        problems.append(f"key {key!r} in {info.file}: {bad} NaN/Inf and {negative} negative scale values")
    return {"zero_scales": int((values == 0).sum()), "nonfinite_scales": bad, "negative_scales": negative}


def format_report(report: Dict) -> str:
    """The human-readable table ``fp8blk inspect`` prints."""
    lines = [f"checkpoint: {report['path']}  ({len(report['files'])} file(s)"
             + (f", index {report['index']})" if report["index"] else ")"),
             f"quantization_config: {report['quantization_config']}",
             f"block size: {report['block_size']} ({report['block_size_source']})", ""]
    headers = ["layer", "weight", "scale key", "convention", "scale", "kind", "block"]
    rows = [[e["layer"], f"e4m3 {e['weight_shape']}", e["scale_key"].rsplit(".", 1)[1], e["convention"],
             f"{e['scale_dtype']} {e['scale_shape']}", e["scale_kind"], str(e["block_size"])]
            + ([str(e["zero_scales"])] if "zero_scales" in e else []) for e in report["layers"]]
    if rows and len(rows[0]) > len(headers):
        headers.append("zero scales")
    if rows:
        widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
        lines.append("  ".join(h.ljust(w) for h, w in zip(headers, widths)))
        lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths)) for r in rows]
    else:
        lines.append("no FP8 block-quantized layers found")
    lines += ["", "summary: " + (", ".join(f"{c}: {n} layers" for c, n in report["summary"].items()) or "none")]
    lines += ["problems:" if report["problems"] else "problems: none"] + [f"  - {p}" for p in report["problems"]]
    lines.append("satisfies as-is: " + ", ".join(
        f"{CONVENTION_LABELS[c]}: {'yes' if ok else 'no'}" for c, ok in report["satisfies"].items()))
    return "\n".join(lines)


def main(path: str, as_json: bool = False, check_values: bool = False) -> int:
    """Prints the report; exit status 0 clean, 1 problems found, 2 unreadable input."""
    from .errors import Fp8FormatError
    try:
        report = inspect_checkpoint(path, check_values)
    except (Fp8FormatError, FileNotFoundError, OSError) as exc:
        print(f"fp8blk inspect: cannot read {path}: {exc}", file=__import__("sys").stderr)
        return 2
    print(json.dumps(report, indent=1) if as_json else format_report(report))
    return 1 if report["problems"] else 0
