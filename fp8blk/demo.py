"""``fp8blk demo``: write small checkpoints in every convention, load each, run every layer, report."""
from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import torch
from safetensors.torch import save_file

from .checkpoint import load_fp8_checkpoint, save_fp8_checkpoint
from .formats import quantize_fp8_block
from .module import Fp8BlockLinear
from .ops import compute_path

# (layer, N, K): DeepSeek-style names, shapes small enough for a CPU; two of them ragged.
DEMO_LAYERS: List[Tuple[str, int, int]] = [
    ("layers.0.attn.wkv", 512, 1024),
    ("layers.0.attn.kv_a", 576, 1024),
    ("layers.0.ffn.w2", 1024, 2048),
    ("layers.0.odd", 300, 200),
]
# (checkpoint, scale name, scale dtype, scale kind written)
DEMO_CHECKPOINTS = [
    ("deepseek-v3 / HF", "weight_scale_inv", torch.float32, "block"),
    ("compressed-tensors FP8_BLOCK", "weight_scale", torch.bfloat16, "block"),
    ("raw deepseek-v4 (UE8M0)", "scale", torch.float8_e8m0fnu, "block"),
    ("per-tensor fp8", "weight_scale", torch.float32, "per-tensor"),
]


def _write_checkpoint(directory: Path, scale_name: str, scale_dtype: torch.dtype, kind: str,
                      weights: Dict[str, torch.Tensor]) -> None:
    if kind == "per-tensor":  # written by hand: one float32 scale per weight, as per-tensor checkpoints store it
        tensors = {}
        for prefix, w in weights.items():
            scale = (w.abs().max() / 448.0).reshape(1)
            tensors[f"{prefix}.weight"] = (w / scale).clamp(-448, 448).to(torch.float8_e4m3fn)
            tensors[f"{prefix}.{scale_name}"] = scale
        directory.mkdir(parents=True)
        save_file(tensors, str(directory / "model.safetensors"))
        return
    layers = {}
    for prefix, w in weights.items():
        wq, scale = quantize_fp8_block(w, (128, 128), scale_dtype)
        layers[prefix] = Fp8BlockLinear.from_tensors(wq, scale, scale_name=scale_name)
    save_fp8_checkpoint(layers, directory, scale_name=scale_name)


def run_demo(m: int = 4, seed: int = 0, keep: Optional[Path] = None) -> List[dict]:
    """Runs the demo and returns its table rows (also printed).

    ``keep``: write the checkpoints into this directory (one sub-directory per convention, it must not exist yet)
    and leave them there, e.g. to try ``fp8blk inspect`` and ``fp8blk convert`` on them.
    """
    device = "cuda" if torch.cuda.is_available() else "cpu"
    generator = torch.Generator().manual_seed(seed)
    weights = {name: torch.randn(n, k, generator=generator) * 0.02 for name, n, k in DEMO_LAYERS}
    rows = []
    start = time.perf_counter()
    if keep is not None and Path(keep).exists():
        raise FileExistsError(f"fp8blk demo --keep {keep}: it exists; name a new directory")
    with tempfile.TemporaryDirectory(prefix="fp8blk-demo-") as tmp:
        root = Path(keep) if keep is not None else Path(tmp)
        for label, scale_name, scale_dtype, kind in DEMO_CHECKPOINTS:
            directory = root / label.split()[0].replace("/", "_")
            _write_checkpoint(directory, scale_name, scale_dtype, kind, weights)
            layers = load_fp8_checkpoint(directory, device=device)
            for prefix, layer in layers.items():
                x = torch.randn(m, layer.in_features, generator=generator).to(torch.bfloat16)
                y = layer(x.to(device)).cpu().double()
                exact = x.double() @ layer.dequantized_weight(torch.float64).cpu().T
                original = x.double() @ weights[prefix].double().T
                scale = layer.block_scale
                rows.append({
                    "checkpoint": label, "layer": prefix, "convention": layer.checkpoint_convention,
                    "scale": f"{layer.scale_name} {str(scale.dtype).replace('torch.', '')} {list(scale.shape)}",
                    "kind": layer.checkpoint_scale_kind,
                    "err_vs_dequant": float((y - exact).abs().max() / exact.abs().max()),
                    "err_vs_float": float((y - original).abs().max() / original.abs().max()),
                })
    elapsed = time.perf_counter() - start
    headers = ["checkpoint", "layer", "convention", "scale", "kind", "err_vs_dequant", "err_vs_float"]
    widths = [max(len(h), *(len(_fmt(r[h])) for r in rows)) for h in headers]
    print("  ".join(h.ljust(w) for h, w in zip(headers, widths)))
    for r in rows:
        print("  ".join(_fmt(r[h]).ljust(w) for h, w in zip(headers, widths)))
    print("\nerr_vs_dequant: max |y - y_ref| / max |y_ref|, y_ref in float64 on the dequantized weight (compute path).")
    print("err_vs_float:   the same against the original float weight (quantization included).")
    print(f"computed on {device} by the {compute_path(torch.device(device))} path, M = {m}, in {elapsed:.1f} s")
    if keep is not None:
        print(f"checkpoints kept in {keep}: " + ", ".join(sorted(p.name for p in Path(keep).iterdir())))
    return rows


def _fmt(value) -> str:
    return f"{value:.2e}" if isinstance(value, float) else str(value)
