"""Tile kernel of fp8blk's W8A16 block-FP8 GEMM (M > 32): ``y = x @ dequant(weight, scale).T (+ bias)``.

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
from typing import NamedTuple

import triton
import triton.language as tl

from triton.language.extra.cuda import gdc_launch_dependents, gdc_wait

from .fp8_tile_ops import _dot, _fp8_bytes_to, _scale_to_fp32, _write_output


@triton.jit
def _fp8_block_matmul_kernel(
        x_ptr, w_ptr, scale_ptr, bias_ptr, y_ptr, partial_ptr, counter_ptr,
        M, N, K,  # per group
        stride_xm, stride_xk, stride_wn, stride_wk, stride_sn, stride_sk, stride_ym, stride_yn,
        scale_block_n,
        SCALE_BLOCK_K: tl.constexpr,
        BLOCK_N: tl.constexpr, BLOCK_M: tl.constexpr, BLOCK_K: tl.constexpr, SPLIT_K: tl.constexpr,
        HAS_BIAS: tl.constexpr, INTEGER_DEQUANT: tl.constexpr, SCALE_E8M0: tl.constexpr, SCALE_IN_WEIGHT: tl.constexpr,
        DOT_IN_FP32: tl.constexpr, PDL: tl.constexpr, TMA: tl.constexpr):
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
        else:
            w = tl.load(w_ptr + offs_n[:, None] * stride_wn + k[None, :] * stride_wk,
                        mask=mask_n[:, None] & mask_k[None, :], other=0)  # e4m3 bytes; 0 is +0.0
            x = tl.load(x_ptr + offs_m[None, :] * stride_xm + k[:, None] * stride_xk,
                        mask=mask_m[None, :] & mask_k[:, None], other=0.0)
        s = tl.load(scale_rows + (tile * BLOCK_K // SCALE_BLOCK_K) * stride_sk, mask=mask_n, other=0)
        s = _scale_to_fp32(s, INTEGER_DEQUANT, SCALE_E8M0)
        if SCALE_IN_WEIGHT:  # one rounding of scale * weight to x's dtype; the MMA then accumulates in place
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
    tile_id = (group * tl.num_programs(1) + pid_m) * tl.num_programs(0) + pid_n
    _write_output(acc, y_ptr, bias_ptr, partial_ptr, counter_ptr, offs_n, offs_m, mask_n, mask_m,
                  group, split, tile_id, M, N, stride_ym, stride_yn, SPLIT_K, HAS_BIAS)


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
# 64 x 64 tiles replace 8-warp 128 x 64 ones (M = 33-64) only where a program streams at most this many 128-deep
# K-tiles (NOTES v39)
HALF_TILE_K_TILES = 16


def default_config(m: int, n: int, k: int, groups: int, block_k: int, sm_count: int,
                   x_bf16: bool = True, tma: bool = False, shared_memory: int = 0) -> KernelConfig:
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
    4 stayed best: H100, NOTES v35).

    From M = 512 (bucket; one group, bf16) the expand-weight path (dequant + cuBLAS), as the H100 tuner chose for
    every tuned shape there, except where a TMA tile below fills the GPU. ``x_bf16=False`` (fp16 activations) keeps
    the tile kernel and its 128 x 128 tiles: fp16's narrow exponent range would flush small scale * weight products in
    an expanded or scale-folded weight, and with the scale applied to each K-tile's partial sum instead (two
    accumulators) a 128 x 256 tile spills (sm_90 build: 255 registers + 176 B of stack).

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


def _narrow_tile_split(tiles: int, k_tiles: int, sm_count: int, per_sm: int = 1) -> int:
    """The K split for ``tiles`` 64 x 128 tiles of ``k_tiles`` 64-deep K-tiles: the largest power of two that keeps
    the launch within ``per_sm`` programs per SM and ``NARROW_TILE_K_TILES[0]`` K-tiles a program; 0 where no split
    gives that with ``NARROW_TILE_K_TILES`` (16-32) K-tiles a program (the range measured)."""
    fewest, most = NARROW_TILE_K_TILES
    places = per_sm * sm_count
    split = 1
    while tiles * split * 2 <= places and k_tiles >= split * 2 * fewest:
        split *= 2
    return split if tiles * split <= places and fewest <= triton.cdiv(k_tiles, split) <= most else 0


def _split_k(tiles: int, k_tiles: int, resident: int, sm_count: int, at_once: bool = False) -> int:
    """K split of ``tiles`` output tiles of ``k_tiles`` K-tiles, ``resident`` programs per SM (the rule in
    ``default_config``'s docstring). ``at_once`` (8-warp tiles, and 64 x 64 ones at M = 33-64): while all split programs
    fit the SMs at once, >= 6 K-tiles a split at the first split and >= 4 after, at most 4 ways. Otherwise (4-warp
    tiles): while the SMs' places are not ~full, at most 4 ways, or 8-16 while the launch stays within half the SMs."""
    split_k = 1
    while split_k < 4 or (not at_once and split_k < 16 and tiles * split_k * 2 <= sm_count / 2):
        if at_once:
            fits = tiles * split_k * 2 <= resident * sm_count
            least = 6 if split_k == 1 else 4
        else:  # >= 4 K-tiles a split within the first wave, >= 8 beyond it
            fits = tiles * split_k < 0.9 * resident * sm_count
            least = 4 if tiles * split_k < 0.9 * sm_count else 8
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
