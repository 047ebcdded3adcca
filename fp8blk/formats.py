"""FP8 block formats: quantize, dequantize, validate and convert block scales.

Semantics everywhere in fp8blk (multiplicative scales)::

    W[n, k] ~= float(wq[n, k]) * scale[n // block_n, k // block_k]

with ``wq`` float8_e4m3fn of shape ``[N, K]`` and ``scale`` of shape
``[ceil(N / block_n), ceil(K / block_k)]``. N and K need not be multiples of the block:
the last block along each dimension is partial.
"""
from __future__ import annotations

import math
from typing import Optional, Sequence, Tuple

import torch

from .errors import Fp8FormatError

FP8_DTYPE = torch.float8_e4m3fn
FP8_MAX = 448.0  # largest finite float8_e4m3fn
SCALE_DTYPES = (torch.float32, torch.bfloat16, torch.float16, torch.float8_e8m0fnu)
DEFAULT_BLOCK_SIZE = (128, 128)

BlockSize = Tuple[int, int]


def _where(key: Optional[str], file: Optional[str]) -> str:
    parts = []
    if file:
        parts.append(f"file {file}")
    if key:
        parts.append(f"key {key!r}")
    return (", ".join(parts) + ": ") if parts else ""


def normalize_block_size(block_size: Sequence[int]) -> BlockSize:
    """Returns ``block_size`` as a tuple of two positive ints, or raises ``Fp8FormatError``."""
    try:
        block_n, block_k = (int(b) for b in block_size)
    except (TypeError, ValueError):
        raise Fp8FormatError(f"block_size must be two positive integers (block_n, block_k), got {block_size!r}") from None
    if block_n < 1 or block_k < 1:
        raise Fp8FormatError(f"block_size must be two positive integers (block_n, block_k), got {block_size!r}")
    return block_n, block_k


def block_scale_shape(weight_shape: Sequence[int], block_size: Sequence[int]) -> Tuple[int, int]:
    """Shape ``[ceil(N / block_n), ceil(K / block_k)]`` of the block scale of an ``[N, K]`` weight."""
    block_n, block_k = normalize_block_size(block_size)
    n, k = weight_shape
    return math.ceil(n / block_n), math.ceil(k / block_k)


def check_fp8_weight(weight: torch.Tensor, key: Optional[str] = None, file: Optional[str] = None) -> None:
    """Raises ``Fp8FormatError`` unless ``weight`` is a 2-D float8_e4m3fn tensor."""
    if weight.dtype != FP8_DTYPE or weight.dim() != 2:
        raise Fp8FormatError(
            f"{_where(key, file)}expected a 2-D float8_e4m3fn weight [N, K], "
            f"found dtype {weight.dtype} shape {list(weight.shape)}")


def check_block_scale(scale: torch.Tensor, weight_shape: Sequence[int], block_size: Sequence[int],
                      key: Optional[str] = None, file: Optional[str] = None, check_values: bool = True) -> None:
    """Validates a block scale against its weight shape and block size.

    Raises ``Fp8FormatError`` for a wrong shape, an unsupported dtype, or (when ``check_values``)
    NaN, Inf or negative entries. A zero entry is legal (an all-zero block). Checking values reads
    the tensor, which synchronizes with a GPU: do it at load time, never per forward.
    """
    expected = block_scale_shape(weight_shape, block_size)
    if scale.dtype not in SCALE_DTYPES:
        raise Fp8FormatError(
            f"{_where(key, file)}scale dtype must be one of float32, bfloat16, float16, float8_e8m0fnu; "
            f"found {scale.dtype} (shape {list(scale.shape)})")
    if tuple(scale.shape) != expected:
        raise Fp8FormatError(
            f"{_where(key, file)}expected a block scale of shape {list(expected)} for weight "
            f"{list(weight_shape)} with block size {list(normalize_block_size(block_size))}, "
            f"found shape {list(scale.shape)} ({scale.dtype})")
    if check_values and scale.numel():
        values = scale.float()
        if not torch.isfinite(values).all():
            raise Fp8FormatError(f"{_where(key, file)}block scale holds NaN or Inf values "
                                 f"({int((~torch.isfinite(values)).sum())} of {values.numel()})")
        if (values < 0).any():
            raise Fp8FormatError(f"{_where(key, file)}block scale holds negative values "
                                 f"({int((values < 0).sum())} of {values.numel()}); scales are multiplicative "
                                 f"and non-negative")


def expand_block_scale(scale: torch.Tensor, weight_shape: Sequence[int], block_size: Sequence[int]) -> torch.Tensor:
    """The float32 ``[N, K]`` per-element scale that ``scale`` stands for."""
    block_n, block_k = normalize_block_size(block_size)
    n, k = weight_shape
    full = scale.to(torch.float32).repeat_interleave(block_n, dim=0)[:n]
    return full.repeat_interleave(block_k, dim=1)[:, :k]


def dequantize_fp8_block(wq: torch.Tensor, scale: torch.Tensor, block_size: Sequence[int] = DEFAULT_BLOCK_SIZE,
                         dtype: torch.dtype = torch.bfloat16) -> torch.Tensor:
    """Returns ``float(wq) * scale[n // block_n, k // block_k]`` as ``dtype`` (computed in float32)."""
    check_fp8_weight(wq)
    check_block_scale(scale, wq.shape, block_size, check_values=False)
    return (wq.to(torch.float32) * expand_block_scale(scale, wq.shape, block_size)).to(dtype)


def _round_scale(scale: torch.Tensor, scale_dtype: torch.dtype) -> torch.Tensor:
    """Rounds float32 scales to ``scale_dtype`` upward, so ``w / scale`` never exceeds the fp8 range."""
    if scale_dtype == torch.float32:
        return scale
    if scale_dtype == torch.float8_e8m0fnu:
        return torch.exp2(torch.ceil(torch.log2(scale))).to(scale_dtype)
    rounded = scale.to(scale_dtype)
    too_small = rounded.to(torch.float32) < scale
    bumped = torch.nextafter(rounded, torch.full_like(rounded, math.inf))
    return torch.where(too_small, bumped, rounded)


def quantize_fp8_block(w: torch.Tensor, block_size: Sequence[int] = DEFAULT_BLOCK_SIZE,
                       scale_dtype: torch.dtype = torch.float32) -> Tuple[torch.Tensor, torch.Tensor]:
    """Quantizes a float ``[N, K]`` weight to float8_e4m3fn with one scale per block.

    The scale of a block is ``amax(|block|) / 448``, rounded *up* to ``scale_dtype`` (a power of two
    for float8_e8m0fnu), so no value saturates. An all-zero block gets scale 1 (its values stay exact
    zeros; no NaN). Values are rounded to nearest even, then clamped to +-448.

    Round-trip error bound, per element, for every scale dtype::

        |w - dequantize(quantize(w))| <= 2**-4 * |w| + 2**-10 * scale[block]

    (e4m3 keeps 3 mantissa bits, so rounding a normal value moves it by at most half an ulp, 2**-4
    relative; values below e4m3's normal range land on subnormals spaced ``2**-9 * scale``.)

    Returns ``(wq, scale)``: ``wq`` float8_e4m3fn ``[N, K]``, ``scale`` ``scale_dtype``
    ``[ceil(N / block_n), ceil(K / block_k)]``.
    """
    if w.dim() != 2 or not w.is_floating_point():
        raise Fp8FormatError(f"quantize_fp8_block expects a 2-D floating weight [N, K], found {w.dtype} {list(w.shape)}")
    if scale_dtype not in SCALE_DTYPES:
        raise Fp8FormatError(f"scale_dtype must be one of {[str(d) for d in SCALE_DTYPES]}, got {scale_dtype}")
    if not torch.isfinite(w).all():
        raise Fp8FormatError("quantize_fp8_block: the weight holds NaN or Inf values")
    block_n, block_k = normalize_block_size(block_size)
    n, k = w.shape
    rows, cols = block_scale_shape(w.shape, (block_n, block_k))
    padded = torch.zeros(rows * block_n, cols * block_k, dtype=torch.float32, device=w.device)
    padded[:n, :k] = w.to(torch.float32)
    blocks = padded.view(rows, block_n, cols, block_k)
    amax = blocks.abs().amax(dim=(1, 3))
    scale = torch.where(amax > 0, amax / FP8_MAX, torch.ones_like(amax))
    scale = _round_scale(scale, scale_dtype)
    per_element = scale.to(torch.float32)[:, None, :, None]
    wq = (blocks / per_element).clamp(-FP8_MAX, FP8_MAX).to(FP8_DTYPE)
    return wq.view(rows * block_n, cols * block_k)[:n, :k].contiguous(), scale


def to_block_scale(scale: torch.Tensor, weight_shape: Sequence[int], block_size: Sequence[int] = DEFAULT_BLOCK_SIZE,
                   key: Optional[str] = None, file: Optional[str] = None) -> Tuple[torch.Tensor, BlockSize]:
    """Maps any FP8 weight scale onto the block form, exactly.

    - block scale ``[ceil(N/bn), ceil(K/bk)]``: returned as is, with ``block_size``;
    - per-tensor (``[]`` or ``[1]``): the value repeated over ``[ceil(N/bn), ceil(K/bk)]``;
    - per-channel (``[N]`` or ``[N, 1]``): block size ``(1, bk)``, the row's value repeated over
      ``[N, ceil(K/bk)]``.

    Returns ``(block_scale, block_size)``; the dtype is kept. Raises ``Fp8FormatError`` for any other shape.
    """
    block_n, block_k = normalize_block_size(block_size)
    n, k = weight_shape
    rows, cols = block_scale_shape(weight_shape, (block_n, block_k))
    if scale.dim() == 2 and tuple(scale.shape) == (rows, cols):
        return scale, (block_n, block_k)
    if scale.numel() == 1 and scale.dim() <= 1:
        return scale.reshape(1, 1).expand(rows, cols).contiguous(), (block_n, block_k)
    if tuple(scale.shape) in ((n,), (n, 1)):
        return scale.reshape(n, 1).expand(n, math.ceil(k / block_k)).contiguous(), (1, block_k)
    raise Fp8FormatError(
        f"{_where(key, file)}scale of shape {list(scale.shape)} fits weight {list(weight_shape)} neither as a block "
        f"scale {[rows, cols]} (block size {[block_n, block_k]}), nor per-tensor ([] or [1]), nor per-channel "
        f"([{n}] or [{n}, 1])")
