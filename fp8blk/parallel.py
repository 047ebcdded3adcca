"""Tensor-parallel FP8 block linears on ``torch.distributed`` (NCCL on GPUs, gloo on CPUs).

``ColumnParallelFp8BlockLinear`` splits the output features N across ranks; ``RowParallelFp8BlockLinear``
splits the input features K and all-reduces the partial outputs. Shard boundaries need not fall on
block boundaries: each rank's block scale is re-laid so that its dequantized weight equals the
corresponding slice of the unsharded dequantized weight, bit for bit.

What each rank holds (rank r of W ranks):

- column parallel: weight rows ``[n0, n1)`` (``shard_bounds(N, W)``) as stored. If ``n0`` is a multiple of
  ``block_n``, the scale rows ``n0 // block_n ... (n1 - 1) // block_n`` with the original block size;
  otherwise one scale row per weight row (block size ``(1, block_k)``), each the row's original scale.
- row parallel: weight columns ``[k0, k1)`` (boundaries on multiples of 16, the kernel's granularity). If
  ``k0`` is a multiple of ``block_k``, the scale columns it spans with the original block size; otherwise
  block size ``(block_n, g)`` with ``g = gcd(k0, block_k, k1 - k0)``, each original scale column
  repeated over the g-wide chunks inside it (no chunk straddles an original block).
"""
from __future__ import annotations

import math
import os
from typing import Optional, Sequence, Tuple, Union

import torch
import torch.distributed as dist
from torch import nn

from .errors import Fp8FormatError
from .formats import normalize_block_size
from .module import Fp8BlockLinear

K_ALIGN = 16  # the kernel's K granularity: row-parallel boundaries fall on multiples of it


def shard_bounds(extent: int, world_size: int, rank: int, align: int = 1) -> Tuple[int, int]:
    """``[begin, end)`` of ``rank``'s share of ``extent``: as even as possible, boundaries on multiples of ``align``."""
    if not 0 <= rank < world_size:
        raise ValueError(f"rank {rank} is not in a world of {world_size}")
    units = math.ceil(extent / align)
    begin = min(extent, (units * rank // world_size) * align)
    end = min(extent, (units * (rank + 1) // world_size) * align)
    return begin, end


def column_shard_scale(scale: torch.Tensor, block_size: Sequence[int], begin: int,
                       end: int) -> Tuple[torch.Tensor, Tuple[int, int]]:
    """The block scale and block size that dequantize weight rows ``[begin, end)`` exactly.

    ``begin``/``end`` are row numbers in the coordinates of ``scale`` (row 0 = scale row 0's first row).
    """
    block_n, block_k = normalize_block_size(block_size)
    if begin % block_n == 0:
        return scale[begin // block_n: math.ceil(end / block_n)].contiguous(), (block_n, block_k)
    return scale[torch.arange(begin, end, device=scale.device) // block_n].contiguous(), (1, block_k)


def row_shard_scale(scale: torch.Tensor, block_size: Sequence[int], begin: int,
                    end: int) -> Tuple[torch.Tensor, Tuple[int, int]]:
    """The block scale and block size that dequantize weight columns ``[begin, end)`` exactly."""
    block_n, block_k = normalize_block_size(block_size)
    if begin % block_k == 0:
        return scale[:, begin // block_k: math.ceil(end / block_k)].contiguous(), (block_n, block_k)
    chunk = math.gcd(begin, block_k, end - begin)
    starts = torch.arange(begin, end, chunk, device=scale.device)
    return scale[:, starts // block_k].contiguous(), (block_n, chunk)


def _group_info(group) -> Tuple[int, int]:
    return dist.get_rank(group), dist.get_world_size(group)


class _ParallelFp8BlockLinear(nn.Module):
    def __init__(self, local: Fp8BlockLinear, in_features: int, out_features: int, bounds: Tuple[int, int],
                 rank: int, world_size: int, group=None) -> None:
        super().__init__()
        self.local = local
        self.in_features, self.out_features = in_features, out_features
        self.bounds, self.rank, self.world_size, self.group = bounds, rank, world_size, group

    def extra_repr(self) -> str:
        return (f"in_features={self.in_features}, out_features={self.out_features}, rank={self.rank}/{self.world_size}, "
                f"shard={list(self.bounds)}")


class ColumnParallelFp8BlockLinear(_ParallelFp8BlockLinear):
    """Output features split across ranks; ``forward`` returns this rank's ``[..., n1 - n0]`` columns,
    or all ``N`` when ``gather_output`` (all-gather). The bias (if any) is split with the rows."""

    gather_output: bool

    @classmethod
    def from_full(cls, layer: Fp8BlockLinear, gather_output: bool = False, group=None,
                  rank: Optional[int] = None, world_size: Optional[int] = None) -> "ColumnParallelFp8BlockLinear":
        """This rank's shard of ``layer`` (rank and world size from ``group`` unless given)."""
        if rank is None or world_size is None:
            rank, world_size = _group_info(group)
        begin, end = shard_bounds(layer.out_features, world_size, rank)
        weight = layer.weight.detach()[begin:end].contiguous()
        scale, block = column_shard_scale(layer.block_scale.detach(), layer.block_size, begin, end)
        bias = None if layer.bias is None else layer.bias.detach()[begin:end].contiguous()
        local = Fp8BlockLinear.from_tensors(weight, scale, bias, block, scale_name=layer.scale_name)
        module = cls(local, layer.in_features, layer.out_features, (begin, end), rank, world_size, group)
        module.gather_output = gather_output
        return module

    @classmethod
    def from_checkpoint(cls, path: Union[str, os.PathLike], prefix: str, gather_output: bool = False, group=None,
                        rank: Optional[int] = None, world_size: Optional[int] = None,
                        device: Union[str, torch.device] = "cpu") -> "ColumnParallelFp8BlockLinear":
        """Loads only this rank's rows of ``prefix`` from a checkpoint (headers, then slices)."""
        if rank is None or world_size is None:
            rank, world_size = _group_info(group)
        info, read = _open_layer(path, prefix)
        n, k = info.weight_shape
        begin, end = shard_bounds(n, world_size, rank)
        block_n = info.block_size[0]
        scale_rows = slice(begin // block_n, math.ceil(end / block_n))
        weight = read("weight", (slice(begin, end), slice(None)))
        scale, block = column_shard_scale(read(info.scale_name, (scale_rows, slice(None))), info.block_size,
                                          begin - scale_rows.start * block_n, end - scale_rows.start * block_n)
        bias = read("bias", (slice(begin, end),)) if info.has_bias else None
        local = Fp8BlockLinear.from_tensors(weight, scale, bias, block, scale_name=info.scale_name).to(device)
        module = cls(local, k, n, (begin, end), rank, world_size, group)
        module.gather_output = gather_output
        return module

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.local(x)
        if not self.gather_output or self.world_size == 1:
            return y
        widths = [e - b for b, e in (shard_bounds(self.out_features, self.world_size, r) for r in range(self.world_size))]
        padded = torch.nn.functional.pad(y, (0, max(widths) - y.shape[-1])).contiguous()
        gathered = [torch.empty_like(padded) for _ in range(self.world_size)]
        dist.all_gather(gathered, padded, group=self.group)
        return torch.cat([part[..., :w] for part, w in zip(gathered, widths)], dim=-1)


class RowParallelFp8BlockLinear(_ParallelFp8BlockLinear):
    """Input features split across ranks; ``forward`` takes this rank's ``x[..., k0:k1]`` (or the full ``x``
    with ``input_is_parallel=False``) and all-reduces the partial outputs. The bias is added on rank 0 only."""

    input_is_parallel: bool

    @classmethod
    def from_full(cls, layer: Fp8BlockLinear, input_is_parallel: bool = True, group=None,
                  rank: Optional[int] = None, world_size: Optional[int] = None) -> "RowParallelFp8BlockLinear":
        """This rank's shard of ``layer``."""
        if rank is None or world_size is None:
            rank, world_size = _group_info(group)
        begin, end = shard_bounds(layer.in_features, world_size, rank, K_ALIGN)
        weight = layer.weight.detach()[:, begin:end].contiguous()
        scale, block = row_shard_scale(layer.block_scale.detach(), layer.block_size, begin, end)
        bias = layer.bias.detach() if layer.bias is not None and rank == 0 else None
        local = Fp8BlockLinear.from_tensors(weight, scale, bias, block, scale_name=layer.scale_name)
        module = cls(local, layer.in_features, layer.out_features, (begin, end), rank, world_size, group)
        module.input_is_parallel = input_is_parallel
        return module

    @classmethod
    def from_checkpoint(cls, path: Union[str, os.PathLike], prefix: str, input_is_parallel: bool = True, group=None,
                        rank: Optional[int] = None, world_size: Optional[int] = None,
                        device: Union[str, torch.device] = "cpu") -> "RowParallelFp8BlockLinear":
        """Loads only this rank's columns of ``prefix`` from a checkpoint (headers, then slices)."""
        if rank is None or world_size is None:
            rank, world_size = _group_info(group)
        info, read = _open_layer(path, prefix)
        n, k = info.weight_shape
        begin, end = shard_bounds(k, world_size, rank, K_ALIGN)
        block_k = info.block_size[1]
        scale_cols = slice(begin // block_k, math.ceil(end / block_k))
        weight = read("weight", (slice(None), slice(begin, end)))
        offset = scale_cols.start * block_k
        scale, block = row_shard_scale(read(info.scale_name, (slice(None), scale_cols)), info.block_size,
                                       begin - offset, end - offset)
        bias = read("bias", (slice(None),)) if info.has_bias and rank == 0 else None
        local = Fp8BlockLinear.from_tensors(weight.contiguous(), scale, bias, block, scale_name=info.scale_name).to(device)
        module = cls(local, k, n, (begin, end), rank, world_size, group)
        module.input_is_parallel = input_is_parallel
        return module

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.input_is_parallel:
            x = x[..., self.bounds[0]:self.bounds[1]]
        y = self.local(x)
        if self.world_size > 1:
            dist.all_reduce(y, op=dist.ReduceOp.SUM, group=self.group)
        return y


def _open_layer(path, prefix: str):
    """(layer info, read(name, slices)) for one FP8 layer, reading only the requested slices."""
    from safetensors import safe_open

    from .checkpoint import scan_checkpoint
    scan = scan_checkpoint(path)
    if prefix not in scan.layers:
        raise Fp8FormatError(f"{path}: no FP8 layer {prefix!r}")
    mine = [p for p in scan.problems if p.prefix in (None, prefix)]
    if mine:
        raise Fp8FormatError(f"{path}: " + "; ".join(p.message for p in mine))
    info = scan.layers[prefix]
    if info.scale_kind != "block":
        raise Fp8FormatError(f"{path}: layer {prefix!r} has a {info.scale_kind} scale; tensor parallel loading "
                             f"reads block scales (load it whole and use from_full)")

    def read(name: str, index: Tuple[slice, ...]) -> torch.Tensor:
        key = f"{prefix}.{name}"
        with safe_open(scan.layout.tensors[key].file, framework="pt", device="cpu") as handle:
            return handle.get_slice(key)[index]
    return info, read


__all__ = ["ColumnParallelFp8BlockLinear", "RowParallelFp8BlockLinear", "column_shard_scale", "row_shard_scale",
           "shard_bounds"]
