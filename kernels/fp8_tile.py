"""Tile kernel of fp8blk's W8A16 block-FP8 GEMM (M > 32; > 64 on small layers):
``y = x @ dequant(weight, scale).T (+ bias)``.

The math, for one output element (fp32 accumulation), with K cut into tiles t of ``BLOCK_K`` columns (``BLOCK_K``
divides the scale block ``SBK``)::

    y[m, n] = bias[n] + sum_t  scale[n // SBN, t*BK // SBK] * sum_{k in K-tile t} x[m, k] * float(w[n, k])

``weight`` is float8_e4m3fn ``[N, K]`` exactly as stored in checkpoints (row-major, no repacking); ``scale`` is
``[ceil(N / SBN), ceil(K / SBK)]`` (fp32, bf16, fp16 or UE8M0); ``x`` is bf16 or fp16.

Each program computes a ``BLOCK_N x BLOCK_M`` tile of ``y.T``, K-tile by K-tile:

1. load the fp8 weight tile ``[BLOCK_N, BLOCK_K]`` and the activation tile ``[BLOCK_K, BLOCK_M]`` (Triton
   pipelines both loads ``num_stages`` deep through shared memory);
2. convert the weight tile (``fp8_tile_ops._fp8_bytes_to``: native e4m3 on sm_89+, an exact integer path on
   Ampere) and apply the block scale: with ``SCALE_IN_WEIGHT`` (the rule's choice for bf16) folded into the tile in
   fp32 and rounded once to x's dtype, so the MMA accumulates in place; otherwise in fp32 to the tile's partial sum;
3. one tensor-core dot with the weight tile as the left operand and the activations as the right one ("swap AB":
   weight rows fill the MMA's 64-row side whatever M is).

``SPLIT_X`` (bf16 x, sm_89+): x arrives as two e4m3 terms written by ``_split_x_kernel`` (``x ~= x_scale[m] *
(high + low)``, exact for |x| >= 2**-9 of its row's largest), so steps 2-3 become two fp8 x fp8 dots of the weight
tile as stored, summed by the MMA, with the block scale on the K-tile's fp32 sum::

    y[m, n] = bias[n] + x_scale[m] * sum_t scale[n // SBN, t] * sum_k (high[m, k] + low[m, k]) * w[n, k]

(the high terms are rows 0..M-1 of one ``[2L, K]`` tensor, the low terms rows L..L+M-1, ``L = low_terms_row(M,
BLOCK_M)`` the first multiple of ``BLOCK_M`` from M: every x box holds one term's rows, inside the tensor).

Split-K: ``SPLIT_K`` programs share an output tile and the last to finish sums their fp32 partials in split order
(``fp8_tile_ops._write_output``: bitwise deterministic). Groups: ``program_id(2)`` also selects one of G independent
GEMMs (DeepSeek-V4's grouped ``wo_a``). ``PDL`` (sm_90+, programmatic dependent launch): a program waits for the
previous kernel's writes before its first access and releases the next kernel after its K loop, so the next
kernel's programs are placed during this one's epilogue. ``default_config`` is the launch rule;
``fp8_block_matmul.py`` launches it. ``TMA`` (sm_90+, where the rows are 16-byte aligned): both tiles arrive by bulk
tensor-memory-accelerator copies from host-built descriptors instead of per-thread loads (8-20% faster at
M = 64-256 on H100: ``benchmarks/NOTES.md`` v29).
"""
from __future__ import annotations

import math
from typing import NamedTuple, Optional

import triton
import triton.language as tl

from triton.language.extra.cuda import gdc_launch_dependents, gdc_wait

from .fp8_tile_ops import _as_fp8, _dot, _fp8_bytes_to, _scale_to_fp32, _write_output


@triton.jit
def _fp8_block_matmul_kernel(
        x_ptr, w_ptr, scale_ptr, bias_ptr, y_ptr, partial_ptr, counter_ptr, x_scale_ptr,
        M, N, K,  # per group
        stride_xm, stride_xk, stride_wn, stride_wk, stride_sn, stride_sk, stride_ym, stride_yn,
        scale_block_n,
        SCALE_BLOCK_K: tl.constexpr,
        BLOCK_N: tl.constexpr, BLOCK_M: tl.constexpr, BLOCK_K: tl.constexpr, SPLIT_K: tl.constexpr,
        HAS_BIAS: tl.constexpr, INTEGER_DEQUANT: tl.constexpr, SCALE_E8M0: tl.constexpr, SCALE_IN_WEIGHT: tl.constexpr,
        DOT_IN_FP32: tl.constexpr, PDL: tl.constexpr, TMA: tl.constexpr, SPLIT_X: tl.constexpr = False):
    if PDL:  # programmatic dependent launch (sm_90+): wait for the previous kernel's writes
        gdc_wait()
    pid_n = tl.program_id(0)
    pid_m = tl.program_id(1)
    group = tl.program_id(2) // SPLIT_K
    split = tl.program_id(2) % SPLIT_K

    # Move every pointer to this group's slice (with TMA, x_ptr and w_ptr are descriptors of the whole x and
    # weight: the group's first column of x and row of the weight are coordinates instead).
    if not TMA:
        x_ptr += group * K * stride_xk
        w_ptr += group * N * stride_wn
    y_ptr += group * N * stride_yn
    scale_ptr += (group * N // scale_block_n) * stride_sn

    offs_n = pid_n * BLOCK_N + tl.arange(0, BLOCK_N)
    offs_m = pid_m * BLOCK_M + tl.arange(0, BLOCK_M)
    offs_k = tl.arange(0, BLOCK_K)
    mask_n = offs_n < N
    mask_m = offs_m < M
    scale_rows = scale_ptr + (offs_n // scale_block_n) * stride_sn
    low_row = tl.cdiv(M, BLOCK_M) * BLOCK_M  # SPLIT_X: the first row of x's low terms

    # This split's share of the K-tiles.
    k_tiles = tl.cdiv(K, BLOCK_K)
    tiles_per_split = tl.cdiv(k_tiles, SPLIT_K)
    first_tile = split * tiles_per_split
    last_tile = tl.minimum(first_tile + tiles_per_split, k_tiles)

    acc = tl.zeros((BLOCK_N, BLOCK_M), dtype=tl.float32)
    for tile in range(first_tile, last_tile):
        k = tile * BLOCK_K + offs_k
        mask_k = k < K
        if TMA:  # bulk copies of both boxes; the copy engine zero-fills beyond the tensors' edges
            w = w_ptr.load([group * N + pid_n * BLOCK_N, tile * BLOCK_K])
            x = tl.trans(x_ptr.load([pid_m * BLOCK_M, group * K + tile * BLOCK_K]))
            if SPLIT_X:  # the low terms: rows L..L+M-1 of the same tensor (``low_terms_row``)
                x_low = tl.trans(x_ptr.load([low_row + pid_m * BLOCK_M, group * K + tile * BLOCK_K]))
        else:
            w = tl.load(w_ptr + offs_n[:, None] * stride_wn + k[None, :] * stride_wk,
                        mask=mask_n[:, None] & mask_k[None, :], other=0)  # e4m3 bytes; 0 is +0.0
            x = tl.load(x_ptr + offs_m[None, :] * stride_xm + k[:, None] * stride_xk,
                        mask=mask_m[None, :] & mask_k[:, None], other=0)
            if SPLIT_X:
                x_low = tl.load(x_ptr + (low_row + offs_m[None, :]) * stride_xm + k[:, None] * stride_xk,
                                mask=mask_m[None, :] & mask_k[:, None], other=0)
        s = tl.load(scale_rows + (tile * BLOCK_K // SCALE_BLOCK_K) * stride_sk, mask=mask_n, other=0)
        s = _scale_to_fp32(s, INTEGER_DEQUANT, SCALE_E8M0)
        if SPLIT_X:  # fp8 x fp8 products of both terms summed by the MMA, the block scale on the K-tile's fp32 sum
            w = _as_fp8(w)
            acc += _dot(w, _as_fp8(x_low), _dot(w, _as_fp8(x), None, DOT_IN_FP32), DOT_IN_FP32) * s[:, None]
        elif SCALE_IN_WEIGHT:  # one rounding of scale * weight to x's dtype; the MMA then accumulates in place
            w = (_fp8_bytes_to(w, tl.float32, INTEGER_DEQUANT) * s[:, None]).to(x.dtype)
            acc = _dot(w, x, acc, DOT_IN_FP32)
            if SPLIT_K > 1:  # read the sum, so every wgmma of this K-tile completes before the next K-tile's weight
                # goes into the registers they read: Triton 3.6's split-K builds otherwise leave 3-7 wgmma groups in
                # flight (wrong, run-dependent bf16 sums on H100; split-1 builds wait for each: NOTES v30). A -0.0
                # sum becomes +0.0.
                acc += 0.0
        else:  # exact weight in the MMA, scale applied in fp32 to the tile's partial sum
            acc += _dot(_fp8_bytes_to(w, x.dtype, INTEGER_DEQUANT), x, None, DOT_IN_FP32) * s[:, None]

    if PDL:  # the next kernel may be placed now (against no PDL: NOTES v24)
        gdc_launch_dependents()
    if SPLIT_X:  # each x row's power-of-two scale
        acc *= tl.load(x_scale_ptr + offs_m, mask=mask_m, other=0.0)[None, :]
    tile_id = (group * tl.num_programs(1) + pid_m) * tl.num_programs(0) + pid_n
    _write_output(acc, y_ptr, bias_ptr, partial_ptr, counter_ptr, offs_n, offs_m, mask_n, mask_m,
                  group, split, tile_id, M, N, stride_ym, stride_yn, SPLIT_K, HAS_BIAS)



@triton.jit
def _split_x_kernel(x_ptr, terms_ptr, x_scale_ptr, low_row, K, stride_xm, stride_xk,
                    BLOCK_K: tl.constexpr, WHOLE_ROW: tl.constexpr, BYTES_BY_BITS: tl.constexpr, PDL: tl.constexpr):
    """Writes bf16 ``x`` ``[M, K]`` as two e4m3 terms and a power-of-two scale per row (one program per row)::

        x[m, k] ~= x_scale[m] * (terms[m, k] + terms[low_row + m, k])

    ``x_scale[m] = 2**(e - 7)`` for ``e`` the exponent of ``max_k |x[m, k]|``, so ``x / x_scale`` stays below 256;
    the high term is that rounded to e4m3 (4 significant bits), the low term the remainder rounded to e4m3. A bf16
    value has 8 significant bits, so the remainder is at most 8 units of the high term's last place: exact in e4m3
    (normal, or a multiple of its 2**-9 subnormal step) for every |x| >= 2**-9 of the row's largest; smaller values
    keep an error of at most 2**-17 of the row's largest. A row holding inf or NaN gets a NaN scale (its outputs
    become NaN). ``terms`` is e4m3 bytes, ``low_row >= M`` rows for each term (the rows from M are not written).
    ``WHOLE_ROW`` (``BLOCK_K >= K``): the row is read once, into registers; otherwise twice, ``BLOCK_K`` at a time.
    ``BYTES_BY_BITS``: see ``_store_terms``. ``PDL`` (sm_90+, programmatic dependent launch): a program placed while
    the previous kernel may still run waits for its writes (x) before reading them."""
    if PDL:
        gdc_wait()
    row = tl.program_id(0)
    offs_k = tl.arange(0, BLOCK_K)
    row_ptr = x_ptr + row * stride_xm
    # the largest |x| of the row as fp32 bits (ordered as integers; inf and NaN above every finite value)
    if WHOLE_ROW:
        v = tl.load(row_ptr + offs_k * stride_xk, mask=offs_k < K, other=0.0).to(tl.float32)
        largest = tl.max(v.to(tl.int32, bitcast=True) & 0x7FFFFFFF, 0)
    else:
        largest_each = tl.zeros((BLOCK_K,), dtype=tl.int32)
        for start in range(0, K, BLOCK_K):
            part = tl.load(row_ptr + (start + offs_k) * stride_xk, mask=start + offs_k < K, other=0.0)
            largest_each = tl.maximum(largest_each, part.to(tl.float32).to(tl.int32, bitcast=True) & 0x7FFFFFFF)
        largest = tl.max(largest_each, 0)
    exponent = largest >> 23  # biased; 255: inf or NaN
    clamped = tl.minimum(tl.maximum(exponent, 8), 254)  # 2**(e - 7) and its inverse both normal fp32
    inverse = ((261 - clamped) << 23).to(tl.float32, bitcast=True)
    scale = ((clamped - 7) << 23).to(tl.float32, bitcast=True)
    tl.store(x_scale_ptr + row, tl.where(exponent == 255, float("nan"), scale))
    if WHOLE_ROW:
        _store_terms(v * inverse, terms_ptr, row, low_row, K, 0, offs_k, BYTES_BY_BITS)
    else:
        for start in range(0, K, BLOCK_K):
            part = tl.load(row_ptr + (start + offs_k) * stride_xk, mask=start + offs_k < K, other=0.0)
            _store_terms(part.to(tl.float32) * inverse, terms_ptr, row, low_row, K, start, offs_k, BYTES_BY_BITS)


@triton.jit
def _store_terms(v, terms_ptr, row, low_row, K, start, offs_k, BYTES_BY_BITS: tl.constexpr):
    """Stores ``v`` (|v| < 256) as its e4m3 rounding (row ``row`` of ``terms``) and the remainder's (row
    ``low_row + row``), columns ``start + offs_k``. The high term's value comes from ``_nearest_e4m3`` (integer
    arithmetic): Triton 3.6's fp32 -> e4m3 -> fp32 round trip pairs up the wrong elements on sm_90 (remainders wrong
    for 3-50% of the values, H100: NOTES item 58). The bytes come from the conversion instruction, or with
    ``BYTES_BY_BITS`` (Triton's CPU interpreter, whose fp32 -> e4m3 conversion rounds wrongly) from ``_e4m3_byte``."""
    high = _nearest_e4m3(v)
    low = v - high
    if BYTES_BY_BITS:
        high_byte = _e4m3_byte(high)
        low_byte = _e4m3_byte(_nearest_e4m3(low))
    else:  # round to nearest even (the high term is already an e4m3 value)
        high_byte = high.to(tl.float8e4nv).to(tl.uint8, bitcast=True)
        low_byte = low.to(tl.float8e4nv).to(tl.uint8, bitcast=True)
    mask = start + offs_k < K
    tl.store(terms_ptr + row * K + start + offs_k, high_byte, mask=mask)
    tl.store(terms_ptr + (low_row + row) * K + start + offs_k, low_byte, mask=mask)


@triton.jit
def _nearest_e4m3(v):
    """fp32 ``v`` (|v| < 464) rounded to the nearest e4m3 value (ties to even), as fp32, in integer arithmetic on the
    bits."""
    bits = v.to(tl.int32, bitcast=True)
    magnitude = bits & 0x7FFFFFFF
    # normals (>= 2**-6): the 23-bit mantissa rounded to 3 bits; a carry moves into the exponent
    rounded = ((magnitude + 0x7FFFF + ((magnitude >> 20) & 1)) & 0x7FF00000).to(tl.float32, bitcast=True)
    # subnormals: multiples of 2**-9 (adding 1.5 * 2**14 leaves fp32 a 2**-9 quantum; 8 units is the smallest normal)
    units = (tl.abs(v) + 24576.0) - 24576.0
    nearest = tl.where(magnitude >= 0x3C800000, rounded, units)
    return (nearest.to(tl.int32, bitcast=True) | (bits & -0x80000000)).to(tl.float32, bitcast=True)  # v's sign


@triton.jit
def _e4m3_byte(value):
    """The e4m3 byte of an fp32 ``value`` that is an e4m3 value (``_nearest_e4m3``'s)."""
    bits = value.to(tl.int32, bitcast=True)
    magnitude = bits & 0x7FFFFFFF
    byte = tl.where(magnitude >= 0x3C800000, (magnitude >> 20) - (120 << 3), (tl.abs(value) * 512.0).to(tl.int32))
    return (byte | ((bits >> 24) & 0x80)).to(tl.uint8)

class KernelConfig(NamedTuple):
    """Tile shape and schedule of one launch."""
    block_n: int
    block_m: int
    block_k: int
    split_k: int
    num_warps: int
    num_stages: int
    scale_in_weight: bool = False  # fold the scale into the bf16 weight tile (large M; bf16 x only)
    # Large M, bf16 x: expand the weight to bf16 (one rounding) with the dequant kernel, block_n x block_k
    # per program, into a per-device scratch, then x @ W.T by torch.mm (cuBLAS). split_k must be 1.
    # fp16 x takes the tile kernel instead (``default_config``): fp16's narrow exponent range would flush
    # small scale * weight products (scales ~1e-6) to subnormals.
    expand_weight: bool = False
    # sm_90+: weight and x tiles by bulk TMA copies (x_ptr and w_ptr are then descriptors; the launch plan sets it
    # where the rows are 16-byte aligned, and, with groups, K is a multiple of block_k)
    tma: bool = False
    # bf16 x, sm_89+: x split into two e4m3 terms by ``_split_x_kernel`` (exact, see there), so the weight enters the
    # MMA as fp8 bytes, unconverted: two fp8 x fp8 products a K-tile, the block scale on their fp32 sums
    split_x: bool = False
    # sm_90, with split_x: the warp-specialized serving kernel (``fp8_serving.py``, Gluon) instead of this file's
    # tile kernel; its tiles are 128 weight rows by one of ``SERVING_TILES``' block_m, 128 deep, K split 1-4 ways
    warp_specialized: bool = False


def low_terms_row(m: int, block_m: int) -> int:
    """The first row of x's low e4m3 terms in a split-x launch of ``block_m``-column tiles: the first multiple of
    ``block_m`` from ``m`` (the tile kernel computes the same). The terms tensor has ``2 * low_terms_row`` rows, so
    no x box holds rows of both terms or reaches past the tensor's edge: with the low terms at row M of a ``[2M, K]``
    tensor, the last tile's low box was zero-filled past the edge, and the same 64 x 64 launch ran 15-20% slower at
    M = 80 / 96 (48 / 32 rows past the edge) than at M = 112 / 128 (16 / 0) on 4096 x 8192 and 7168 x 18432 (H100,
    ncu: the tile kernel 32.9 against 27.5 us at M = 96 / 112; NOTES item 59)."""
    return -(-m // block_m) * block_m


def m_bucket(m: int) -> int:
    """The power of two >= m (capped at 8192) that keys the config table."""
    return min(8192, 1 << max(0, m - 1).bit_length())


# Shared memory of the wide TMA tile (128 x 256 activation columns, 64-deep K-tiles, 4 stages): the sm_90 build's
# own figure rounded up (an AOT test in tests/test_fp8_block_matmul.py checks it). GPUs that cannot hold it keep 128 x 128.
WIDE_TILE_SHARED_MEMORY = 160 * 1024 + 1024
# 64-row tiles in place of too few 128-row ones (M = 65-128): each program streams 16-32 64-deep K-tiles (NOTES v43)
NARROW_TILE_K_TILES = (16, 32)
# an 8-warp 128 x 128 launch split into pieces of at most this many 128-deep K-tiles loses to unsplit 64 x 128 tiles
# (M = 129-256, TMA; NOTES v38)
SHORT_SPLIT_K_TILES = 8
# 4-warp tile launches split past 4 ways beyond half the SMs (up to one program a SM) only where each split keeps at
# least this many K-tiles (v75; exp183, H200: 4-5 K-tiles a split lost up to 12%, 6-16 gained up to 25%)
WIDE_SPLIT_K_TILES = 6
# 64 x 64 tiles replace 8-warp 128 x 64 ones (M = 33-64) only where a program streams at most this many 128-deep
# K-tiles (NOTES v39)
HALF_TILE_K_TILES = 16
# split-x launches (M = 33-512, ``split_x_config``): N from which they are taken, the 128-deep K-tiles a split
# program keeps at least, the K-tiles from which 8-warp 128 x 128 tiles replace 128 x 64 ones (M = 65-512), the most
# K-tiles a program streams at M = 33-64, and the 128 x 128 tiles' shared memory (the sm_90 build's 196,672 bytes
# rounded up; an AOT test checks it)
SPLIT_X_MIN_N = 2048
SPLIT_X_SPLIT_K_TILES = 16
SPLIT_X_LONG_K_TILES = 32
SPLIT_X_SHORT_K_TILES = 24
SPLIT_X_WIDE_SHARED_MEMORY = 193 * 1024
# split-x launches with more 64 x 64 tiles than two per SM (M = 65-512): a wave of three 64 x 64 programs per SM
# takes this fraction of a wave of the larger tiles' (exp71, H100: 0.73-1.0, median 0.85, same K); at most this many
# waves on long K (the waves measured); on short K from this many K-tiles in more than one wave only where they
# take fewer waves than the tile kernel's 128 x 128 tiles (exp76, H200)
SPLIT_X_SMALL_TILE_WAVE = 0.85
SPLIT_X_MOST_WAVES = 2
SPLIT_X_MANY_WAVES_K_TILES = 8


def default_config(m: int, n: int, k: int, groups: int, block_k: int, sm_count: int,
                   x_bf16: bool = True, tma: bool = False, shared_memory: int = 0, split_x: bool = False) -> KernelConfig:
    """The tile kernel's launch by rule (M > 32, or any M with ``batch_invariant``), used where the table has none.

    Tiles: 128 weight rows for N >= 4096 (64 otherwise), 64 activation columns up to M = 64 or for N < 4096 (128
    otherwise), 8 warps for the large tiles; the scale folded into the bf16 weight tile (the MMA then accumulates in
    place).

    K split (at most 4 ways), counting the programs an SM holds at once: one 8-warp 128 x 128 tile, two 8-warp
    128 x 64 tiles with TMA (one otherwise), three 4-warp 64-column tiles (3 stages: shared memory), four narrower
    ones. 8-warp tiles split while the split programs all fit those places, keeping >= 6 K-tiles a split at the
    first split and >= 4 after (a split costs the fp32 partials' round trip and, in split builds, the wait for each
    K-tile's MMA, which 4-K-tile pieces of a half-full launch do not earn back; H100, ``benchmarks/NOTES.md`` v34:
    8192 x 1024 at M = 128 unsplit 13.0 us against split 2 16.0, 7168 x 2048 at M = 128 split 2 19.3 against
    split 4 with 224 programs 25.8). 4-warp tiles split until the places are about full, >= 4 K-tiles a split while
    the first wave is not full, >= 8 beyond it (v20/v23, refitted on H100; v34 agrees within 4%), and past 4 ways
    while the split launch stays within half the SMs (512 x 4096 and 512 x 7168 at M = 48: 8 tiles, split 4 leaves 32
    programs; split 8, 64 programs of >= 4 K-tiles, ran 6-16% faster on every K from 4096 to 8192; at 16 tiles split
    4 stayed best: H100, NOTES v35), or within one program a SM where each split keeps >= ``WIDE_SPLIT_K_TILES`` (6)
    K-tiles (v75, with v73's cheaper split-K tail; H200, exp183, against v73's split, weights rotated over > 2x L2:
    1.03-1.25x at 25 of 29 such points of 9 layers, 512 x 12288 M = 96 19.4 -> 15.5 us, 256 x 16384 M = 128 split 16
    18.0 -> 14.8, 768 x 12288 M = 48 19.3 -> 15.8, 0.98-1.02x at four; with 4-5 K-tiles a split, 448 x 4096, 512 x 4096
    and 512 x 5120, 0.89-1.02x, hence the bound; 576 x 7168's 18 tiles split 8 would be 144 programs: 0.88-0.89x in
    exp181).

    From M = 512 (bucket; one group, bf16) the expand-weight path (dequant + cuBLAS), as the H100 tuner chose for
    every tuned shape there, except where a TMA tile below fills the GPU. ``x_bf16=False`` (fp16 activations) keeps
    the tile kernel and its 128 x 128 tiles: fp16's narrow exponent range would flush small scale * weight products in
    an expanded or scale-folded weight, and with the scale applied to each K-tile's partial sum instead (two
    accumulators) a 128 x 256 tile spills (sm_90 build: 255 registers + 176 B of stack).

    ``split_x`` (the launch may split x into two e4m3 terms: fp8 tensor cores, ``FP8BLK_SPLIT_X`` not 0) with ``tma``,
    bf16 x, one group, M = 33-512 and N >= ``SPLIT_X_MIN_N``: ``split_x_config``'s launch where it has one; the
    rules below otherwise.

    ``tma`` (sm_90+, rows 16-byte aligned): both tiles by TMA (``with_tma``), and two launches of their own:

    - M = 129-512 with the last 256-column tile more than half full, N >= 4096: 128 x 256 tiles (8 warps, 64-deep
      K-tiles, 4 stages, unsplit) where they give >= half as many programs as SMs and ``shared_memory`` (bytes a
      program may take) holds ``WIDE_TILE_SHARED_MEMORY``: the weight tile's conversion is paid once per 256
      activation columns. H100 (v34): 3-18% faster than 128 x 128 at M = 192/256 on every such layer (65536 x 1536
      M = 256 145 -> 119 us), and at M = 512 faster than the expand path on 10 of 11 (7168 x 16384 297 -> 256).
    - M = 65-128 (bucket), N >= 4096, where 64 x 128 tiles (4 warps, 64-deep K-tiles, 4 stages) number at most one
      per SM: those, split for at most one program per SM with 16-32 K-tiles a program, or the rule below where no
      split does both. Where 128-row tiles are too few to fill the SMs they either split more (each split a round
      trip of partials) or leave SMs idle (8192 x 1024: 64 programs); half-height tiles double the programs for the
      same weight bytes. H100 (v43, three interleaved rounds): 4096 x 2048 M = 96/128 15.5/17.7 -> 13.6/14.5 us,
      8192 x 1024 12.6/12.9 -> 10.8/11.0, 8192 x 1536 M = 128 18.4 -> 15.1; 7168 x 2048 M = 96 within 3%.
    - M = 129-256 (bucket 256), one group: where the 4-warp 64 x 64 launch below (N < 4096) would split past three
      programs per SM, 64 x 128 tiles (4 warps, 64-deep K-tiles, 4 stages) split for about two per SM (at least 80%
      of those places, at most two, 16-32 K-tiles a program); and where 8-warp 128 x 128 tiles would split into
      pieces of at most ``SHORT_SPLIT_K_TILES`` K-tiles, 64 x 128 tiles with 8 warps unsplit, if they number at most
      one per SM. H100 (v38, exp40/41, three rounds): 2048 x 4096 M = 256 24.8 -> 21.4 us (512 programs for 396
      places before), 2048 x 7168 0.80x, 4096 x 2048 M = 160/192/256 0.94/0.85/0.83x, and on layers not fitted
      2048 x 5632 0.84x, 4096 x 1536 M = 192/256 0.76/0.74x; 64 x 128 tiles at 160-192 programs lost 5-13%
      (3072 x 4096 and 2560 x 4096 M = 192), hence the 80%.
    - M = 33-64 (bucket 64), one group, N >= 4096, where 64 x 64 tiles number at most two per SM: those (4 warps) in
      place of 8-warp 128 x 64 tiles, split as 8-warp tiles split for two programs per SM (all at once; >= 6 K-tiles a
      split at the first split, >= 4 after), 4 stages when split (two per SM: 89 KB of shared memory each), 3 unsplit
      — where each program then streams at most ``HALF_TILE_K_TILES`` (16) 128-deep K-tiles. Half-height tiles double
      the programs for the same weight bytes where 128-row tiles leave SMs idle (8192 x 1024: 64 programs) or split
      into short pieces (4096 x 2048: 4 ways). H100 (v39, exp48/exp51, three rounds): 0.84-0.93x the old rule's time
      on 4096 x 2048, 4096 x 8192, 8192 x 1536, 7168 x 2048, 4096 x 4096 at M = 48/64, 0.86-0.98x on 8192 x 1024,
      8192 x 768, 6144 x 1024, 10240 x 1024, 14336 x 2048 (unsplit), 6144 x 2048 0.90-0.96x; split 4-warp tiles at 3
      stages (three per SM) lost 6-48%; on programs of 20-64 K-tiles (5120 x 5120, 4608 x 7168, 9216 x 3072,
      7168 x 16384) the 64 x 64 tiles lost 1-15%, hence the K-tile bound.
    - otherwise, where 128 x 128 tiles would take 8 warps: 4 warps with 64-deep K-tiles, 4 stages, unsplit, where the
      tiles alone fill at least 80% of two per SM (189 registers, 92 KB of shared memory, so one program converts its
      weight tile while the other's MMA runs; v30: 65536 x 1536 at M = 256 147 -> 125 us), also in place of the expand
      path up to M = 384 (v34: 32768 x 1024 at M = 384 69 against 86 us; at M = 512 the two were mixed).
    """
    bm = m_bucket(m)
    if split_x and x_bf16 and tma and groups == 1 and 32 < m <= 512 and n >= SPLIT_X_MIN_N and block_k % 32 == 0:
        launch = split_x_config(m, n, k, block_k, sm_count, shared_memory)
        if launch is not None:
            return launch
    block_n = 128 if n >= 4096 else 64
    block_m = min(max(16, bm), 64 if bm <= 64 or n < 4096 else 128)
    tiles = triton.cdiv(n, block_n) * triton.cdiv(m, block_m) * groups
    wide_programs = triton.cdiv(n, 128) * triton.cdiv(m, 256) * groups
    if (x_bf16 and tma and block_n == 128 and bm in (256, 512) and (m % 256 == 0 or m % 256 > 128)
            and shared_memory >= WIDE_TILE_SHARED_MEMORY and wide_programs >= sm_count / 2):
        return KernelConfig(128, 256, math.gcd(block_k, 64), 1, 8, 4, scale_in_weight=True, tma=True)
    if x_bf16 and tma and block_n == 128 and bm == 128:
        narrow_split = _narrow_tile_split(triton.cdiv(n, 64) * triton.cdiv(m, 128) * groups, triton.cdiv(k, 64), sm_count)
        if narrow_split:
            return KernelConfig(64, 128, math.gcd(block_k, 64), narrow_split, 4, 4, scale_in_weight=True, tma=True)
    half_tiles = triton.cdiv(n, 64) * triton.cdiv(m, 128)  # 64 x 128 tiles
    if x_bf16 and tma and groups == 1 and bm == 64 and block_n == 128 and triton.cdiv(n, 64) <= 2 * sm_count:
        # 64 x 64 tiles (4 warps) where they number at most two per SM, split for two per SM all at once, if each
        # program then streams few K-tiles (on long ones 8-warp 128 x 64 programs stream faster)
        split = _split_k(triton.cdiv(n, 64), triton.cdiv(k, 128), 2, sm_count, at_once=True)
        if triton.cdiv(k, 128 * split) <= HALF_TILE_K_TILES:
            return KernelConfig(64, 64, math.gcd(block_k, 128), split, 4, 4 if split > 1 else 3,
                                scale_in_weight=True, tma=True)
    if x_bf16 and tma and groups == 1 and bm == 256 and block_n == 64:
        # 64 x 64 tiles (``tiles``) whose K split would overfill three places per SM: 64 x 128 ones where they
        # fill two per SM
        if tiles * _split_k(tiles, triton.cdiv(k, 128), 3, sm_count) > 3 * sm_count:
            split = _narrow_tile_split(half_tiles, triton.cdiv(k, 64), sm_count, per_sm=2)
            if split and half_tiles * split >= 0.8 * 2 * sm_count:
                return KernelConfig(64, 128, math.gcd(block_k, 64), split, 4, 4, scale_in_weight=True, tma=True)
    pair = tma and block_n * block_m == 128 * 128 and tiles >= 0.8 * 2 * sm_count
    if x_bf16 and groups == 1 and (bm > 512 or bm == 512 and not (pair and m <= 384)):
        return KernelConfig(64, 1, 128, 1, 4, 1, expand_weight=True)
    if pair:
        return KernelConfig(128, 128, math.gcd(block_k, 64), 1, 4, 4, scale_in_weight=True, tma=True)
    warps = 8 if block_n * block_m >= 128 * 64 else 4
    # 4-warp tiles: 64 activation columns at 3 stages (66 KB of shared memory: 3 programs per SM; 4 stages
    # would take 89 KB, 2 per SM), narrower ones 4 stages deep (they stream the weight)
    stages = 3 if warps == 8 or block_m == 64 else 4
    tile_k = math.gcd(block_k, 128)
    # programs an SM holds at once: one 8-warp 128 x 128 tile (~210 registers); two 8-warp 128 x 64 tiles with TMA
    # (3 stages; the copy engine holds no registers), one without; three 4-warp 64-column tiles; about four narrower
    if warps == 8:
        resident = 2 if tma and block_m == 64 else 1
    else:
        resident = 3 if block_m == 64 else 4
    split_k = _split_k(tiles, triton.cdiv(k, tile_k), resident, sm_count, at_once=warps == 8)
    if (x_bf16 and tma and groups == 1 and bm == 256 and warps == 8 and split_k > 1
            and triton.cdiv(k, tile_k * split_k) <= SHORT_SPLIT_K_TILES and half_tiles <= sm_count):
        # 128 x 128 tiles split into short pieces: 64 x 128 ones (8 warps) unsplit, one per SM, instead
        return KernelConfig(64, 128, tile_k, 1, 8, 3, scale_in_weight=True, tma=True)
    config = KernelConfig(block_n, block_m, tile_k, split_k, warps, stages, scale_in_weight=True)
    return with_tma(config, tiles * split_k, sm_count) if tma else config


def split_x_config(m: int, n: int, k: int, block_k: int, sm_count: int, shared_memory: int = 0) -> Optional[KernelConfig]:
    """The split-x launch (x as two e4m3 terms, both MMA operands fp8 from shared memory: ``KernelConfig.split_x``)
    for one group, or None where the rule below has none.

    M = 65-512: 64 x 64 tiles (4 stages, 98 KB of shared memory: two programs per SM) where they number at most two
    per SM, their K split in two while the programs stay within two per SM and keep >= ``SPLIT_X_SPLIT_K_TILES``
    128-deep K-tiles. Beyond that, the launch of the fewest waves (``split_x_waves``) among: the same tiles 3 stages
    deep (three programs per SM; a wave of them counted as ``SPLIT_X_SMALL_TILE_WAVE`` of one of the larger tiles'),
    4-warp 128 x 64 tiles (3 stages, two per SM), and, on layers of >= ``SPLIT_X_LONG_K_TILES`` K-tiles where
    ``shared_memory`` holds ``SPLIT_X_WIDE_SHARED_MEMORY``, 8-warp 128 x 128 tiles 4 stages deep (one per SM, any
    number of waves; ties go to them). The 4-warp tiles are taken in at most ``SPLIT_X_MOST_WAVES`` waves on long K
    and one on short (sm_90 builds: 98,368 / 73,784 / 98,872 / 196,672 bytes of shared memory a program; the counts
    per SM assume the 228 KiB of an sm_90 or sm_100 SM). On short K from ``SPLIT_X_MANY_WAVES_K_TILES`` K-tiles
    (v45) the 4-warp tiles are also taken in more waves where those are fewer than the waves of the tile kernel's
    4-warp 128 x 128 tiles two per SM, counted double (a wave of them holds twice a 128 x 64 wave's outputs; at equal
    counts the tile kernel was level or up to 8% faster): exp76 (H200, 12 short-K layers x M = 128-512, fitted there)
    1.05-1.57x v44's speed at the 18 points where the two differ, the fastest of seven launches at 17; exp77 (H200,
    12 layers no rule was fitted on, every M of 96-512 where the two differ, two rounds): 1.38x (geometric mean of 66
    points, 1.11-2.00x at 65, 0.91x at 6144 x 1536 M = 384), 18432 x 2048 M = 192 71.4 -> 36.4 us, 9216 x 2560
    M = 448 87.4 -> 43.8, 20480 x 1536 M = 128 36.0 -> 24.6; fp8blk / cuBLAS bf16 there 0.53 -> 0.73x (geometric
    mean). Each K-tile waits for its MMA before the block scale is applied (Triton 3.6 pipelines no MMA whose sum
    the loop reads), so a program's time is about fixed by its K and
    tile, whether it shares its SM or not: a launch costs its waves, and a last wave of 12 programs costs a full one
    (exp71, NOTES item 65, H100: 6144 x 4096 M = 384, 144 128 x 128 programs, 65.0 us; 5632 x 4096, 132 of them,
    36.2). Against v43, which took the 8-warp tiles on long K whatever their waves and 128 x 64 tiles only in one
    wave (exp72, every point where the two differ, H100, two rounds): 0.54-0.95x the time at 20 of 22 points,
    level at two (20480 x 5120 M = 96/128), and the fastest of the three tiles at 20, within 1% at two;
    18432 x 7168 M = 96/128/192 110.0/108.2/165.7 -> 100.1/100.9/123.2 us, 7168 x 16384 M = 384 233.7 -> 211.2,
    6144 x 7168 M = 320 108.0 -> 58.2, 11008 x 4096 M = 192 64.6 -> 35.8.
    Where the 64 x 64 tiles fit three per SM (exp64, NOTES item 59): against two 128 x 64 programs 0.82-0.91x the
    time at 13 of 13 points (5120 x 5120 M = 256 40.6 -> 35.6 us, 3584 x 8192 M = 320 62.5 -> 51.6). Where the
    tiles are many more than the SMs on short K (32768 x 1024, 65536 x 1536 at M >= 128), the rule's tiles, which
    spread the conversion over more programs, were faster. One 8-warp 128 x 128 program per SM runs its prologue and
    epilogue unhidden, which a long K loop earns back (exp68, NOTES item 62): 18432 x 7168 M = 256 232.6 -> 169.5 us,
    7168 x 16384 M = 256 / 512 122.3 / 259.8 -> 118.4 / 247.6, 4096 x 8192 M = 512 69.6 -> 65.1; on K = 1024-1536
    they took 0.97-1.07x the time of the launches below.
    H100 (exp61, NOTES item 58; split prologue included): at M = 128 / 256 / 512 4096 x 8192 29.0 / 40.7 / 65.7 us
    against the previous rule's 33.7 / 51.3 / 83.8, 7168 x 16384 76.8 / 124.2 at M = 128 / 256 (92.5 / 160.9),
    4096 x 2048 12.0 / 13.8 / 20.2 (15.0 / 17.3 / 21.4); 3072 x 7168 M = 128 25.6 against 24.3 the one loss among the
    launches taken; N < ``SPLIT_X_MIN_N`` (1024 x 4096: its 16-64 tiles split 2-4 ways) lost 21-30% at M = 128 and 512
    (level at 256). On layers not fitted (exp62, 60 points) 1.21x the previous rule's speed (geometric mean;
    0.83-1.98x).

    M = 33-64: the 64 x 64 tiles, 4 stages, where they number from half to twice the SMs and each program streams
    at most ``SPLIT_X_SHORT_K_TILES`` K-tiles, unsplit (exp68, NOTES item 62, H100, M = 40-64: 8192 x 1024 9.5 ->
    8.1-8.2 us, 10240 x 1024 10.6 -> 8.4, 14336 x 2048 19.5 -> 15.6-15.9, 8192 x 1536, 6144 x 2048, 7168 x 2048,
    7168 x 3072 0.84-0.93x; with fewer tiles they lost: 2048 x 4096 (32 tiles) 12.5 -> 17.0, 1536 x 7168 15.5 ->
    27.4, and 4096 x 2048 (64 tiles) was level); on more K-tiles, where they number at most one per SM, split for at
    most two programs per SM (v53; exp108, H200, M = 48/64 against v52's 8-warp 128 x 64 tiles split 4: 5120 x 6144
    27.2/28.5 -> 19.1/19.8 us, 5120 x 17408 61.6/63.3 -> 40.6/41.8, 5120 x 5120 24.0 -> 17.7 at split 3; 6144 x 5120
    23.8 -> 21.2 at split 2; exp109, through the library, 24 points of 8 layers 1.13-1.57x). The same tiles 3 stages deep (three per SM) where they number two to
    three per SM, on any K (exp71/exp72, H100): 18432 x 7168 M = 48/64 85.7 -> 59.0 us, 17408 x 4096 0.70x,
    20480 x 5120 0.74x, 22528 x 3072 0.83x, 24576 x 1536 0.90x (4 stages, two per SM: 75-76 us on 18432 x 7168)."""
    tile_k = math.gcd(block_k, 128)
    k_tiles = triton.cdiv(k, 128)
    tiles = triton.cdiv(n, 64) * triton.cdiv(m, 64)
    small = KernelConfig(64, 64, tile_k, 1, 4, 3, tma=True, split_x=True)  # three per SM
    if m <= 64:
        if sm_count / 2 <= tiles <= 2 * sm_count and k_tiles <= SPLIT_X_SHORT_K_TILES:
            return small._replace(num_stages=4)
        if sm_count / 2 <= tiles <= sm_count:  # long K: split for at most two programs per SM (v53)
            split = min(2 * sm_count // tiles, k_tiles // SPLIT_X_SHORT_K_TILES + 1)
            return small._replace(split_k=split, num_stages=4)
        return small if 2 * sm_count < tiles <= 3 * sm_count else None
    if tiles <= 2 * sm_count:
        split = _split_within(tiles, k_tiles, 2 * sm_count, SPLIT_X_SPLIT_K_TILES)
        return small._replace(split_k=split, num_stages=4)
    # More tiles than two per SM: the launch of the fewest waves (a wave of 64 x 64 programs counted as
    # ``SPLIT_X_SMALL_TILE_WAVE`` of one of the larger tiles'), 4-warp tiles in at most ``SPLIT_X_MOST_WAVES`` waves
    # on long K and one on short; ties to the 8-warp tiles (long K only, where shared memory holds them)
    long_k = k_tiles >= SPLIT_X_LONG_K_TILES
    most = SPLIT_X_MOST_WAVES if long_k else 1
    # short K: more waves where they are fewer than the tile kernel's 4-warp 128 x 128 tiles two per SM take (a wave
    # of those holds twice the outputs of a 128 x 64 wave, so counts double)
    tiles_128x128 = triton.cdiv(n, 128) * triton.cdiv(m, 128)
    rival = (2 * split_x_waves(tiles_128x128, 2, sm_count)
             if not long_k and k_tiles >= SPLIT_X_MANY_WAVES_K_TILES else 0)
    waves = {}
    if long_k and shared_memory >= SPLIT_X_WIDE_SHARED_MEMORY:
        wide = KernelConfig(128, 128, tile_k, 1, 8, 4, tma=True, split_x=True)
        waves[wide] = split_x_waves(tiles_128x128, 1, sm_count)
    tiles_128x64 = triton.cdiv(n, 128) * triton.cdiv(m, 64)
    for config, programs, per_sm, weight in ((small, tiles, 3, SPLIT_X_SMALL_TILE_WAVE),
                                             (small._replace(block_n=128), tiles_128x64, 2, 1)):
        count = split_x_waves(programs, per_sm, sm_count)
        if count <= most or count * weight < rival:
            waves[config] = count * weight
    return min(waves, key=waves.get) if waves else None


def split_x_waves(programs: int, per_sm: int, sm_count: int) -> int:
    """Waves of ``programs`` programs launched ``per_sm`` to an SM."""
    return triton.cdiv(programs, per_sm * sm_count)


def _narrow_tile_split(tiles: int, k_tiles: int, sm_count: int, per_sm: int = 1) -> int:
    """The K split for ``tiles`` 64 x 128 tiles of ``k_tiles`` 64-deep K-tiles: the largest power of two that keeps
    the launch within ``per_sm`` programs per SM and ``NARROW_TILE_K_TILES[0]`` K-tiles a program; 0 where no split
    gives that with ``NARROW_TILE_K_TILES`` (16-32) K-tiles a program (the range measured)."""
    fewest, most = NARROW_TILE_K_TILES
    places = per_sm * sm_count
    split = _split_within(tiles, k_tiles, places, fewest)
    return split if tiles * split <= places and fewest <= triton.cdiv(k_tiles, split) <= most else 0


def _split_within(tiles: int, k_tiles: int, places: int, fewest: int) -> int:
    """The largest power-of-two K split of ``tiles`` tiles of ``k_tiles`` K-tiles that keeps the launch within
    ``places`` programs and each program at ``fewest`` K-tiles or more (1 where no split does)."""
    split = 1
    while tiles * split * 2 <= places and k_tiles >= split * 2 * fewest:
        split *= 2
    return split


def _split_k(tiles: int, k_tiles: int, resident: int, sm_count: int, at_once: bool = False) -> int:
    """K split of ``tiles`` output tiles of ``k_tiles`` K-tiles, ``resident`` programs per SM (the rule in
    ``default_config``'s docstring). ``at_once`` (8-warp tiles, and 64 x 64 ones at M = 33-64): while all split programs
    fit the SMs at once, >= 6 K-tiles a split at the first split and >= 4 after, at most 4 ways. Otherwise (4-warp
    tiles): while the SMs' places are not ~full, at most 4 ways, or 8-16 while the launch stays within half the SMs,
    or within one program a SM where each split keeps >= ``WIDE_SPLIT_K_TILES`` K-tiles (v75)."""
    split_k = 1
    while split_k < 4 or (not at_once and split_k < 16 and tiles * split_k * 2 <= sm_count):
        if at_once:
            fits = tiles * split_k * 2 <= resident * sm_count
            least = 6 if split_k == 1 else 4
        else:  # >= 4 K-tiles a split within the first wave, >= 8 beyond it
            fits = tiles * split_k < 0.9 * resident * sm_count
            least = 4 if tiles * split_k < 0.9 * sm_count else 8
            if split_k >= 4 and tiles * split_k * 2 > sm_count / 2:  # past half the SMs: longer splits (v75)
                least = max(least, WIDE_SPLIT_K_TILES)
        if not fits or k_tiles < split_k * 2 * least:
            break
        split_k *= 2
    return split_k


def with_tma(config: KernelConfig, programs: int, sm_count: int) -> KernelConfig:
    """``config`` with both tiles by TMA (the launch plan's choice on sm_90+ where the layout allows it), for a launch
    of ``programs`` programs.

    128 x 64 tiles with 8 warps go 4 stages deep with TMA when the launch is one program per SM or fewer: at 3 stages,
    launched with PDL, they ran 20-30% slower than pointer loads on 4096 x 8192 at M = 48-64 (128 programs; 4 stages:
    level or faster). With more programs than SMs they stay at 3 stages, two per SM (4 stages take 128 KB of shared
    memory: one per SM, and 32768 x 1024 at M = 64, 256 programs, went from 17.8 to 24.9 us). H100,
    ``benchmarks/NOTES.md`` v29.
    """
    deeper = config.block_n == 128 and config.block_m == 64 and config.num_warps == 8 and programs <= sm_count
    return config._replace(tma=True, num_stages=4 if deeper else config.num_stages)
