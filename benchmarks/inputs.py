"""Random FP8 block weights for the benchmarks, built in row blocks.

A ≥ 96 MB layer built whole took ~2 GB of float32/float64 temporaries, and a kernel timed right after allocations of
that size ran ~12% slower on H100 (``benchmarks/NOTES.md`` item 51); built ``CHUNK_BYTES`` of float64 at a time, no
temporary is much larger than the FP8 weight itself.
"""
from __future__ import annotations

from typing import List, Tuple

import torch

from fp8blk.formats import expand_block_scale, quantize_fp8_block

CHUNK_BYTES = 64 << 20  # float64 bytes of one row block (a whole number of 128-row scale blocks, at least one)


def row_chunks(n: int, k: int) -> List[slice]:
    """Row blocks of an ``[n, k]`` weight: 128-row multiples of at most ``CHUNK_BYTES`` of float64 (at least 128)."""
    rows = max(128, CHUNK_BYTES // (8 * k) // 128 * 128)
    return [slice(start, min(n, start + rows)) for start in range(0, n, rows)]


def random_fp8_weight(n: int, k: int, device: str = "cuda", std: float = 0.02) -> Tuple[torch.Tensor, torch.Tensor]:
    """``quantize_fp8_block`` of a normal ``[n, k]`` weight (``std``), drawn and quantized one row block at a time
    (the same result as quantizing the whole draw: scale blocks never straddle row blocks)."""
    parts = [quantize_fp8_block(torch.randn(rows.stop - rows.start, k, device=device) * std) for rows in row_chunks(n, k)]
    return torch.cat([w for w, _ in parts]), torch.cat([s for _, s in parts])


def float64_reference(x: torch.Tensor, weight: torch.Tensor, scale: torch.Tensor) -> torch.Tensor:
    """``x @ dequant(weight, scale).T`` in float64 (128x128 scale blocks; each product exact), one row block of the
    weight at a time."""
    x, blocks = x.double(), []
    for rows in row_chunks(*weight.shape):
        part = weight[rows]
        part_scale = expand_block_scale(scale[rows.start // 128:-(-rows.stop // 128)], part.shape, (128, 128))
        blocks.append(x @ (part.double() * part_scale.double()).T)
    return torch.cat(blocks, dim=1)
