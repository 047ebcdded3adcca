"""Decode-regime W8A16 block-FP8 GEMM (small M): ``y = x @ dequant(weight, scale).T (+ bias)``.

At M <= 32 (64 on small layers: ``takes_decode``) the product is a stream over the weight: one byte per weight,
read once, and the arithmetic is small next to it. (At M = 33-64 it also runs the tile rule's launches of one 64 x 64
program a SM: ``on_tile_geometry``.) This kernel is built to keep HBM busy from the first microsecond:

* each program reads ``BLOCK_N`` weight rows over a contiguous span of ``SUBS * SUB_K`` bytes per row per
  step (``SUBS`` scale blocks of ``SUB_K`` columns side by side: a long run of one DRAM page, not 128-byte
  pieces of many), all issued together; the K loop is software-pipelined ``NUM_STAGES`` deep by Triton
  (``tl.range``: asynchronous copies into shared memory, issued steps ahead of the arithmetic);
* the grid is sized to the GPU by ``decode_config``: row tiles times K-splits fill every SM with a few
  programs each, so there is no tail wave, and each program streams a similar share of the weight;
* K-splits are summed in a fixed order by the last program to finish a row tile (bitwise deterministic);
* on sm_90+ the tensor-core path of large layers (``TMA``) reads each step's weight box with one bulk
  tensor-memory-accelerator copy (a host-built descriptor of the whole ``[groups * N, K]`` weight), not 128 threads'
  16-byte loads: fewer instructions and registers per byte, so a program can stream longer K ranges;
* on sm_90+ (``PDL``: programmatic dependent launch) a program waits for the previous kernel's writes in its
  prologue and releases the next kernel once its output is written, so in a graph or a stream of launches the
  next kernel's programs are placed while this one's last programs finish (no launch gap between them).

The math, for output element (m, n), with the weight's K split into scale blocks b of ``SUB_K`` columns::

    y[m, n] = bias[n] + sum_b  scale[n // SBN, b * SUB_K // SBK] * sum_{k in b} x[m, k] * float(w[n, k])

Two ways to do the inner sum, chosen by ``USE_MMA`` (a constexpr the launch rule sets):

* ``USE_MMA`` (M = 3..32, and 2 on large layers): per scale block, a tensor-core dot of the ``[BLOCK_N, SUB_K]``
  weight tile (the MMA's row side: "swap AB", so small M pads only the narrow side) with ``x``'s ``[SUB_K, BLOCK_M]``
  tile, scaled in fp32 and added to the accumulator. Rows of x past M are masked off, or, with ``X_ROW_GROUPS``
  (M > 16), not read at all: x is read in 16-row groups starting at row ``min(16 g, M - 16)``, so every row read is
  one of x's and the last groups overlap; the output is stored by the same rows (an overlapping row twice, with the
  same value).
* CUDA cores (small M): the weight tile as ``[BLOCK_N, SUBS, SUB_K]`` converted to fp32 once, then for each
  of the ``BLOCK_M`` rows of x multiplied by that row and summed over pieces of each scale block, scaled, and kept
  per piece until the K loop ends: no padding to the MMA's 8 or 16 columns. With ``ROW_PIECES``
  (``keeps_row_pieces``) a thread holds all of the tile's rows of its 16 columns (each x value converted once for
  them all) and a piece is those 16 columns (summed in the thread: no cross-thread sum a step); without it a thread
  holds one row across scale blocks (fewer registers) and a piece is a whole scale block. ``EVEN_TILES`` (the
  plan's, ``drops_masks``: with row pieces, N a multiple of ``BLOCK_N`` and K of the step): no masks.

Dequantization (fp8 bits -> bf16/fp16/fp32, native on sm_89+, exact integer path on Ampere), scale
conversion, the dot and the split-K epilogue live in ``fp8_tile_ops.py`` (vendor it beside this file).
"""
from __future__ import annotations

import math
from typing import NamedTuple, Optional

import triton
import triton.language as tl

from triton.language.extra.cuda import gdc_launch_dependents, gdc_wait

from .fp8_tile_ops import _dot, _fp8_bytes_to, _scale_to_fp32, _write_output

DECODE_MAX_M = 32  # the largest M the decode kernel takes on every layer (the tile kernel takes the rest; NOTES v25)
SMALL_LAYER_MAX_M = 64  # ... and on small layers (``takes_decode``)
SMALL_LAYER_BYTES_PER_SM = 48 * 1024  # a small layer's weight bytes per SM at most (~6.3 MB on 132 SMs)
CUDA_CORE_PAIR_BYTES_PER_SM = 1 << 16  # M = 2 stays on CUDA cores up to this many weight bytes per SM (NOTES item 64)
ROW_PIECES_PAIR_BYTES_PER_SM = 1 << 18  # ... and up to this many where its tiles keep row pieces of at most ...
ROW_PIECES_PAIR_MAX_ROWS = 16  # ... this many rows (v70, NOTES item 142)
TMA_MIN_STEPS = 16  # TMA weight boxes where each program streams at least this many K-steps (NOTES v29) ...
TMA_SHORT_K_MIN_M = 17  # ... or, unsplit 64-row tiles, from this M (32-row x tiles) on any K (v65, NOTES item 122),
# below it where one round of programs 3 stages deep holds the launch (v66, NOTES item 123)
MMA_MIN_STEPS_PER_SPLIT = 3  # a tensor-core K-split keeps at least this many steps (NOTES v35)
NARROW_MMA_BYTES_PER_SM = 1 << 16  # tensor-core tiles of 32 weight rows up to this many weight bytes per SM (NOTES v42)
TMA_SHARED_BYTES_PER_SM = 228 * 1024  # shared memory of an sm_90 SM (TMA launches run on sm_90+ only)
IN_FLIGHT_US = 2.1  # TMA launches keep a SM's share of DRAM bandwidth times this in flight (NOTES items 85, 86)
H100_DRAM_GBPS = 3352  # an H100 SXM's DRAM bandwidth: decode_config's default (2 x 2619 MHz x 5120 bits)
TMA_WIDE_SPLIT_MAX_M = 8  # at M <= this, 4-stage TMA launches short of it split twice as far ...
TMA_WIDE_SPLIT_PROGRAMS_PER_SM = 5  # ... where that leaves at most this many programs per SM (v47, NOTES item 80)
TMA_BALANCED = 0.9  # TMA launches whose programs fill their rounds less evenly than this (programs a SM / its ceiling) ...
TMA_REBALANCE_MAX_M = 32  # ... at M up to this (16 before v65) ...
TMA_REBALANCE_FEW_PROGRAMS_PER_SM = 3  # ... (above TMA_WIDE_SPLIT_MAX_M: with fewer than this many programs a SM) ...
TMA_BUILD_PROGRAMS_PER_SM = 6  # ... are re-split at 3 stages, at most this many a SM (the build's registers; v49),
TMA_REBALANCE_UP_MIN_M = 17  # ... from this M (32-row tiles) only to more programs (v65, NOTES item 122)
WAVE_TILES_FILL = 0.8  # tensor-core 64-row tiles making at least this much of one wave ...
WAVE_TILES_MIN_M = 8  # ... at M from this ...
WAVE_TILES_MAX_STEPS = 24  # ... on K of at most this many steps run unsplit, by TMA, 4 stages (v55, NOTES item 107)
WAVE_TILES_SHORT_M_MAX_STEPS = 16  # ... and at M below WAVE_TILES_MIN_M (tensor cores) on K of at most this many (v57)
STEP_PAD_CUT = 0.25  # CUDA-core steps: halve ``subs`` where that cuts the scale-block slots K pads to by this share
ROW_PIECES_MAX_WEIGHTS_PER_THREAD = 64  # CUDA-core tiles of at most this many weights a thread keep row pieces (v69)


@triton.jit
def _load_tile(ptrs, mask, EVEN_TILES: tl.constexpr):
    """``ptrs``' values; without ``EVEN_TILES`` those under ``mask`` (0 elsewhere)."""
    if EVEN_TILES:
        return tl.load(ptrs)
    return tl.load(ptrs, mask=mask, other=0)


@triton.jit
def _fp8_decode_kernel(
        x_ptr, w_ptr, scale_ptr, bias_ptr, y_ptr, partial_ptr, counter_ptr,
        M, N, K,  # per group
        stride_xm, stride_xk, stride_wn, stride_wk, stride_sn, stride_sk, stride_ym, stride_yn,
        scale_block_n,
        SCALE_BLOCK_K: tl.constexpr,
        BLOCK_N: tl.constexpr, BLOCK_M: tl.constexpr, SUB_K: tl.constexpr, SUBS: tl.constexpr,
        SPLIT_K: tl.constexpr, USE_MMA: tl.constexpr,
        HAS_BIAS: tl.constexpr, INTEGER_DEQUANT: tl.constexpr, SCALE_E8M0: tl.constexpr,
        DOT_IN_FP32: tl.constexpr, NUM_STAGES: tl.constexpr, PDL: tl.constexpr, TMA: tl.constexpr,
        X_ROW_GROUPS: tl.constexpr, EVEN_TILES: tl.constexpr, ROW_PIECES: tl.constexpr):
    pid_n = tl.program_id(0)
    split = tl.program_id(1)
    group = tl.program_id(2)

    # Move every pointer to this group's slice (with TMA, w_ptr is a descriptor of the whole weight: the group's
    # first row is a coordinate instead).
    x_ptr += group * K * stride_xk
    if not TMA:
        w_ptr += group * N * stride_wn
    y_ptr += group * N * stride_yn
    scale_ptr += (group * N // scale_block_n) * stride_sn

    offs_n = pid_n * BLOCK_N + tl.arange(0, BLOCK_N)
    offs_m = tl.arange(0, BLOCK_M)
    offs_sub = tl.arange(0, SUB_K)
    mask_n = offs_n < N
    if X_ROW_GROUPS:  # column j holds x's row offs_m[j]: 16-row groups, the last ones overlapping (M > 16)
        offs_m = tl.minimum(offs_m // 16 * 16, M - 16) + offs_m % 16
    mask_m = offs_m < M  # with X_ROW_GROUPS true everywhere, and not applied to x
    scale_rows = scale_ptr + (offs_n // scale_block_n) * stride_sn
    if not TMA:
        w_rows = w_ptr + offs_n * stride_wn

    # This split's share of the K-steps (SUBS * SUB_K columns each).
    STEP_K: tl.constexpr = SUBS * SUB_K
    steps = tl.cdiv(K, STEP_K)
    steps_per_split = tl.cdiv(steps, SPLIT_K)
    first_step = split * steps_per_split
    last_step = tl.minimum(first_step + steps_per_split, steps)

    if PDL:  # placed while the previous kernel may still run: wait for its writes (x) and for its reads (of the
        gdc_wait()  # output and split-K workspace this program writes) before any access

    if USE_MMA:
        acc = tl.zeros((BLOCK_N, BLOCK_M), dtype=tl.float32)
        for step in tl.range(first_step, last_step, num_stages=NUM_STAGES):
            for sub in tl.static_range(SUBS):
                k0 = step * STEP_K + sub * SUB_K
                k = k0 + offs_sub
                mask_k = k < K
                if TMA:  # one bulk copy of the [BLOCK_N, SUB_K] box; the copy engine zero-fills beyond N and K
                    w = w_ptr.load([group * N + pid_n * BLOCK_N, k0])
                else:
                    w = tl.load(w_rows[:, None] + k[None, :] * stride_wk, mask=mask_n[:, None] & mask_k[None, :],
                                other=0)
                x_tile = x_ptr + offs_m[None, :] * stride_xm + k[:, None] * stride_xk
                if X_ROW_GROUPS:
                    x = tl.load(x_tile, mask=mask_k[:, None], other=0.0)
                else:
                    x = tl.load(x_tile, mask=mask_m[None, :] & mask_k[:, None], other=0.0)
                s = tl.load(scale_rows + (k0 // SCALE_BLOCK_K) * stride_sk, mask=mask_n & (k0 < K), other=0)
                partial = _dot(_fp8_bytes_to(w, x.dtype, INTEGER_DEQUANT), x, None, DOT_IN_FP32)
                acc += partial * _scale_to_fp32(s, INTEGER_DEQUANT, SCALE_E8M0)[:, None]
    else:  # CUDA cores: each weight tile converted once, then multiplied by each of the BLOCK_M rows of x
        tl.static_assert(not TMA and not X_ROW_GROUPS, "TMA and x's row groups are for the tensor-core path")
        offs_subs = tl.arange(0, SUBS)
        w_tile = w_rows[:, None, None] + (offs_subs[:, None] * SUB_K + offs_sub[None, :])[None, :, :] * stride_wk
        # Products are summed in place over pieces of PIECE_K columns of a row (with ROW_PIECES the 16 columns of one
        # thread's load; else a scale block, a cross-thread sum), scaled, and kept per piece across the K loop.
        tl.static_assert(SUB_K >= 16 or not ROW_PIECES, "row pieces are 16 columns of a scale block")
        PIECE_K: tl.constexpr = 16 if ROW_PIECES else SUB_K
        PIECES: tl.constexpr = SUB_K // PIECE_K
        acc_pieces = tl.zeros((BLOCK_N, SUBS, PIECES, BLOCK_M), dtype=tl.float32)
        for step in tl.range(first_step, last_step, num_stages=NUM_STAGES):
            k0 = step * STEP_K + offs_subs * SUB_K  # [SUBS]: first column of each scale block
            k = k0[:, None] + offs_sub[None, :]  # [SUBS, SUB_K]
            w_ptrs = w_tile + step * STEP_K * stride_wk
            w_mask = mask_n[:, None, None] & (k < K)[None, :, :]
            if ROW_PIECES:  # loaded as [SUBS, BLOCK_N, SUB_K]: Triton lays a load out by its shape, and this one
                # gives a thread all BLOCK_N rows of its columns (one x conversion for them all); permuted back (a
                # relabelling: no data moves)
                w = _load_tile(tl.permute(w_ptrs, (1, 0, 2)), tl.permute(w_mask, (1, 0, 2)), EVEN_TILES)
                w = tl.permute(w, (1, 0, 2))
            else:  # a thread holds one row across scale blocks: fewer registers where a thread holds 128 weights
                w = _load_tile(w_ptrs, w_mask, EVEN_TILES)
            s = _load_tile(scale_rows[:, None] + (k0 // SCALE_BLOCK_K)[None, :] * stride_sk,
                           mask_n[:, None] & (k0 < K)[None, :], EVEN_TILES)
            w = _fp8_bytes_to(w, tl.float32, INTEGER_DEQUANT)
            s = _scale_to_fp32(s, INTEGER_DEQUANT, SCALE_E8M0)
            for row in tl.static_range(BLOCK_M):
                x_mask = row < M if EVEN_TILES else (k < K) & (row < M)
                x = tl.load(x_ptr + row * stride_xm + k * stride_xk, mask=x_mask, other=0.0)
                products = tl.reshape(w * x.to(tl.float32)[None, :, :], (BLOCK_N, SUBS, PIECES, PIECE_K))
                pieces = tl.sum(products, axis=3) * s[:, :, None]  # [BLOCK_N, SUBS, PIECES]
                acc_pieces += tl.where(offs_m[None, None, None, :] == row, pieces[:, :, :, None], 0.0)
        acc = tl.sum(tl.sum(acc_pieces, axis=2), axis=1)  # [BLOCK_N, BLOCK_M]

    _write_output(acc, y_ptr, bias_ptr, partial_ptr, counter_ptr, offs_n, offs_m, mask_n, mask_m,
                  group, split, group * tl.num_programs(0) + pid_n, M, N, stride_ym, stride_yn, SPLIT_K, HAS_BIAS)
    if PDL:  # output written: the next kernel may be placed (released here, not after the K loop: NOTES v24)
        gdc_launch_dependents()


class DecodeConfig(NamedTuple):
    """Tile shape and schedule of one decode launch (see ``decode_config``)."""
    block_n: int  # weight rows per program
    block_m: int  # activation rows per program (M padded up to it; 1 on the CUDA-core path)
    sub_k: int  # columns per scale block step (a power of two dividing the scale block)
    subs: int  # scale blocks side by side per step (contiguous bytes per row per step: subs * sub_k)
    split_k: int  # programs sharing one row tile, summed in order
    use_mma: bool
    num_warps: int
    num_stages: int
    tma: bool = False  # weight boxes by bulk TMA copies (tensor-core path, sm_90+; w_ptr is then a descriptor)


def takes_decode(m: int, n: int, k: int, groups: int, sm_count: int) -> bool:
    """Whether the rules launch the decode kernel for M = ``m`` (else the tile kernel): M <= ``DECODE_MAX_M``, or
    M <= ``SMALL_LAYER_MAX_M`` on a layer of at most ``SMALL_LAYER_BYTES_PER_SM`` weight bytes per SM. There the
    tile kernel's launch is a few programs of a few K-tiles each, while the decode kernel's 32-row tensor-core tiles
    split for about four programs per SM. H100 (exp64, NOTES item 59, two rounds, table off) at M = 40 / 48 / 64:
    512 x 4096 8.8-9.3 -> 7.4-7.5 us, 1024 x 4096 9.6-10.1 -> 8.5-9.0, 3072 x 1536 9.3-10.0 -> 8.5-9.2; on
    8 MB layers the decode kernel lost (2048 x 4096 12.2-13.0 against 14.4-15.1, 4096 x 2048 10.0-11.5 against
    14.0-14.6) and on 16 MB ones it was level (4096 x 4096)."""
    return m <= DECODE_MAX_M or (m <= SMALL_LAYER_MAX_M and n * k * groups <= SMALL_LAYER_BYTES_PER_SM * sm_count)


def on_tile_geometry(m: int, n: int, groups: int, tile, sm_count: int) -> Optional[DecodeConfig]:
    """The decode kernel's launch of the tile kernel's own tiles (v76), or None: where the rules' tile launch ``tile``
    (a ``KernelConfig``) at M = 33-64 (past ``DECODE_MAX_M``, up to ``SMALL_LAYER_MAX_M``), one group, is 4-warp
    64 x 64 tiles by TMA (bf16 x, not split x) whose programs, split included, number at most one a SM: the same
    64 x 64 tiles, K-steps of the tile's depth and split, on the tensor-core path with the weight by TMA, 4 stages.
    One such program a SM streams its K range faster here: the tile kernel folds the block scale into each converted
    weight (a multiply per weight) and waits for each K-tile's MMA before the next one's conversion, while this kernel
    scales each step's product (a multiply per output) and keeps more of the weight in flight. H200 (exp186, NOTES
    item 161; CUDA graphs, weights rotated over > 2x L2, best of three rounds): 1.20-1.53x at 24 of 24 such points
    of 8 layers at M = 40 / 48 / 64 (96-128 programs: 2048 x 7168 M = 48 16.22 -> 12.30 us, 2048 x 4096 11.70 ->
    9.10, 1024 x 16384 21.60 -> 14.13, 1536 x 7168 15.01 -> 11.91); with 160-256 programs (two or three a SM) the
    tile kernel kept its lead or was level (0.89-1.08x), hence the bound. The caller passes bf16 launches only (the
    ones measured)."""
    if not (DECODE_MAX_M < m <= SMALL_LAYER_MAX_M and groups == 1 and tile.tma and not tile.split_x
            and not tile.expand_weight and not tile.warp_specialized
            and (tile.block_n, tile.block_m, tile.num_warps) == (64, 64, 4)
            and triton.cdiv(n, 64) * tile.split_k <= sm_count):
        return None
    return DecodeConfig(64, 64, tile.block_k, 1, tile.split_k, True, 4, 4, tma=True)


def _pow2_at_most(value: int) -> int:
    """The largest power of two <= ``value`` (1 for ``value`` < 2)."""
    return 1 << (max(1, value).bit_length() - 1)


def _pow2_near(value: float) -> int:
    """The power of two nearest to ``value`` (>= 1), in log terms."""
    return 1 << max(0, round(math.log2(max(value, 1.0))))


def decode_config(m: int, n: int, k: int, groups: int, scale_block_k: int, sm_count: int,
                  tma: bool = False, dram_gbps: float = H100_DRAM_GBPS) -> DecodeConfig:
    """The decode launch for one problem, from its size and the GPU's SM count and DRAM bandwidth (GB/s; no table);
    ``tma``: whether the launch may read the weight by TMA (sm_90+, 16-byte aligned rows).

    The rule (fitted on H200 sweeps of 8 shapes against the best swept config per point; ``benchmarks/NOTES.md``):

    * M = 1, CUDA cores: about ``4 * sm_count`` programs of ``block_n`` rows each (a power of two, 1..32; whole
      rows per program for small layers, so no K-split is needed), each step reading about 8 KB: ``subs``
      128-column scale blocks side by side (up to 32, i.e. 4 KB runs of each row); 3 stages where a program
      streams 6 steps or more, else 2 (H100 measurements, ``benchmarks/NOTES.md`` v19, v23). On every layer size
      (v71): the deep streams v46 took on layers of >= 120 KB a SM (32-row programs of 16 KB steps split to 4 a SM,
      128 weights a thread, so no row pieces) lost to this launch once it kept row pieces (v69). H200 (NOTES item
      144; CUDA graphs, weights rotated, best of three rounds): fitted on exp166 (12 layers) 1.03-1.29x (7168 x 3072
      10.59 -> 8.20 us, 4096 x 8192 12.54 -> 11.78); checked on exp168 (25 layers of 16.8-235 MB none had timed)
      1.015-1.23x (2048 x 12288 11.05 -> 8.97 us, 8 x 1024 x 4096 12.56 -> 10.88, 7168 x 18432 1.02x), decoder-layer
      graphs at M = 1 1.01-1.05x (V4-Flash 56.9 -> 54.7 us, V4-Pro 115.1 -> 109.4). v61: ``subs``
      halves while that cuts the scale-block slots K is padded to by ``STEP_PAD_CUT`` (a quarter) -- a last step
      mostly past K's end costs a full step of the CUDA cores' per-row work (M = 2 likewise). H200, exp121 (NOTES
      item 112; CUDA graphs, weights rotated): 2880 x 2880 (23 blocks, 16 -> 8) M = 1 / 2 6.64 / 8.63 -> 5.60 /
      7.22 us, 1536 x 2880 1.16 / 1.03x, 1024 x 5120 (40 blocks, 32 -> 16) 1.05 / 1.17x; where halving pads as
      many slots (56 or 28 blocks) the larger steps stayed faster; exp123 (six layers never timed, the library
      against v59's): 11 of 12 points 1.00-1.17x, one 0.97x (640 x 5120 M = 1).
    * M = 2 on a layer of at most ``CUDA_CORE_PAIR_BYTES_PER_SM * sm_count`` bytes (~8.6 MB on 132 SMs): the
      CUDA-core launch of M = 1 with both rows per program (the tensor-core pipeline's fixed latency dominates
      such small layers; on larger ones its cheaper arithmetic wins: H100, ``benchmarks/NOTES.md`` v20). Above it
      M = 2 takes the tensor-core launch of M = 4 (16-row tiles either way), which the v42 harness runs timed
      7-14% below M = 2's CUDA-core launch on four of the six 10.5-16 MB layers (1536 x 7168 8.7 against 9.4 us,
      2048 x 7168 10.0 against 10.9, 32768 x 512 8.8 against 10.0) and level on the other two (within 2%); on the
      2-8 MB layers the CUDA-core launch stayed faster (512 x 4096 3.4 against 5.1, 2048 x 4096 6.9 against 7.6;
      NOTES item 64). Timed at M = 2 itself (exp71 E, NOTES item 65): 1536 x 7168 8.7 against 9.0 us, 2048 x 7168
      10.0 against 10.8, 7168 x 2048 9.7 against 10.6, 32768 x 512 8.8 against 10.0, level within 2% on three more.
      v70: with row pieces (v69, ``keeps_row_pieces``) the CUDA-core launch is the faster one up to
      ``ROW_PIECES_PAIR_BYTES_PER_SM`` (256 KB a SM, ~34.6 MB on 132 SMs) where its programs take 2 to
      ``ROW_PIECES_PAIR_MAX_ROWS`` (16) rows (N x groups up to ~90 rows a SM). H200, exp164 (NOTES item 142; CUDA
      graphs, weights rotated, best of three rounds), fitted: 10 of 10 such layers 1.07-1.25x (2048 x 7168 9.33 ->
      7.46 us, 4096 x 4096 9.81 -> 8.34, 5120 x 6144 14.93 -> 12.46, 4096 x 8192 13.25 -> 12.30); where its programs
      take 32 rows (32768 x 512 / 1024, 24576 x 1536: the unsplit tensor-core TMA launches of v55 / v57) 0.85-0.94x,
      and on 117 MB (7168 x 16384) 0.94x. At M = 3-4 it lost on most layers (0.71-1.13x), so not there.
    * v72, CUDA cores on the smallest layers (N x groups up to ~740 rows on 132 SMs, where the above gives one-row
      programs, which keep no row pieces): two-row programs where they need no K split -- at M = 2 on any K, at
      M = 1 where one step covers K (at most 32 scale blocks). H200 (NOTES item 145; CUDA graphs, weights rotated,
      best of two or three rounds): fitted on exp169 / exp170 (the sweep, 10 layers): M = 2 10 of 10 1.06-1.15x,
      where two rows need a split 0.79-1.07x (256 x 7168, 448 x 5120, 320 x 8192 0.79-0.92x); M = 1 on K of one step
      1.04-1.12x, on longer K 0.96-1.06x; checked on exp171 (14 layers none had timed): M = 2 13 of 14 1.04-1.16x
      (512 x 3072 3.55 -> 3.06 us, 640 x 1536 3.19 -> 2.75), one 0.98x (128 x 4096: 0.5 MB); M = 1 on K of one step
      11 of 11 1.00-1.17x (512 x 1024 2.20 -> 1.93 us), on longer K 0.98-0.99x (hence not there). V4 decoder-layer
      graphs at M = 1 / 2 level (0.994-1.002x: their one such layer, 512 x 4096 / 7168, overlaps its neighbours).
    * Other M up to ``DECODE_MAX_M`` (32; on small layers ``SMALL_LAYER_MAX_M``, see ``takes_decode``), tensor
      cores: 64 weight rows (the MMA's row side) by one scale block
      per step, 3 stages (at M = 17..32 this kernel beat the tile rule on 8 of 9 H100 shapes: NOTES v25); on layers
      of at most ``NARROW_MMA_BYTES_PER_SM * sm_count`` bytes (~8.6 MB on 132 SMs) 32 rows (mma.sync instead of
      wgmma), split as below but for about four programs per SM (the split 64-row tiles would take) unless the
      32-row tiles alone make the first wave of two per SM (then unsplit: 8192 x 1024). H100, NOTES v42, three
      interleaved rounds on 11 layers at M = 3..32: 512 / 576 x 7168 at M = 24/32 9.6-10.0 -> 7.0-7.5 us, 8192 x
      1024 6.9-7.7 -> 5.8-7.3, M = 16 on every such layer 2-12% faster; the same tiles split for two programs per
      SM lost 5-13% on 2048 x 4096 and 4096 x 2048.
    * Split K until programs reach about ``2 * sm_count`` (the smallest power of two that gives 95% of it: a
      first wave of fewer than two programs per SM leaves some SMs with one and others with two), and so that no
      MMA program streams more than 16 steps (long rows leave the last wave ragged); at most 16 splits,
      never more splits than steps, and on tensor cores at least ``MMA_MIN_STEPS_PER_SPLIT`` (3) steps a split:
      each split adds a round trip of fp32 partials that 2-step programs do not earn back (H100, NOTES v35:
      1024 x 4096 at M = 16 split 16 7.0 us, split 8 6.3; 512 x 4096 at M = 8 5.4 against 5.1).
    * With ``tma`` on the tensor-core path (M = 3..32, and 2 on large layers): where the split for 2 programs per SM
      alone leaves each program 16 or more steps, that split with TMA weight boxes instead of the 16-step cap (the
      ~96 MB+ layers with long K; H100, ``benchmarks/NOTES.md`` v29, v30). The copy engine issues a box's bytes
      without the program's threads, so longer programs stay fed; on shorter ones its start-up latency lost (H100,
      M <= 16, split launches); unsplit 64-row launches take it on any K (v65 / v66 below).
      Pipeline depth by the weight bytes a SM keeps in flight, programs per SM x (stages - 1) x the weight box,
      against what its share of DRAM bandwidth needs over ``IN_FLIGHT_US`` (2.1 us: ~53 KB on an H100, ~77 KB on an
      H200, NOTES items 85-86): 4 stages where 3 keep less and the programs fit one round of shared memory at 4, else
      3. H100 (NOTES v39): 7168 x 16384 at M = 2-16, 448 programs (3.4 a SM, 54 KB at 3 stages) 47.2-49.0 us at 3
      stages against 48.9-51.2 at 4, 7168 x 18432 likewise; 18432 x 7168's 288 programs (2.2 a SM, 35 KB at 3) 52.2
      us at 4 against 54.6; at M = 32 the 448 programs do not fit 4 deep (72.8 against 54.1 us). H200 (exp89, NOTES
      items 83, 86): the same 448-program launches 2.0-3.5% faster at 4 stages (82 KB) than at 3 (exp89, exp92), two
      448-program layers no rule was fitted on (3584 x 18944, 14336 x 4096) 1.000-1.013x.
      At M <= ``TMA_WIDE_SPLIT_MAX_M`` (8) a 4-stage launch that still keeps less than that need splits twice as far
      (at most 16) where that leaves at most ``TMA_WIDE_SPLIT_PROGRAMS_PER_SM`` (5) programs per SM (v47): such
      launches ran 1.5-2.5 programs a SM, too few loads in flight for the H200 (ncu, 4096 x 8192 M = 4: DRAM 37 ->
      40% of peak, 19.4 -> 17.9 us at base clocks). H200, NOTES item 80 (CUDA graphs, weights rotated): fitted on
      exp83-85 (30 layers); checked on exp87, 10 layers none had timed: 29 of 30 points (M = 2 / 4 / 8) faster,
      1.006-1.15x, one 0.998x. At M = 16 the same split was mixed (0.97-1.05x on exp85) and at M = 32 and 5-6
      programs a SM slower (exp84), so neither.
      Rebalanced (v49): where the launch so far fills its rounds unevenly (programs a SM over its ceiling below
      ``TMA_BALANCED``, 0.9: some SMs run a program more than others for the whole launch) at M <= 8, or at M = 9..16
      with fewer than 3 programs a SM, the split (any integer up to 16 keeping 16 steps a program) that fills them
      most evenly with at most ``TMA_BUILD_PROGRAMS_PER_SM`` (6) programs a SM, 3 stages deep, if it is at least 0.05
      more even. The 6 comes from the build: the TMA decode kernel takes 72-79 registers a thread, which the
      256-register warp allocation rounds to 80, so 6 four-warp programs fit a SM's 65,536 (7 only at 72: a launch
      planned for 7 spills into a second round, 20-30% slower: NOTES items 91-92, ncu). H200, NOTES item 92 (CUDA
      graphs, weights rotated, three alternating rounds): fitted on exp96 (12 layers), checked on exp98 (7 layers none
      had timed): 7168 x 16384 M = 2-8 split 4 -> 7 1.02-1.06x, 11008 x 8192 M = 2-16 1.02-1.04x, 9216 x 8192,
      5120 x 20480, 10240 x 12288, 9728 x 10240 at M = 16 1.05-1.09x, one loss (20480 x 4096 M = 16 0.994x); balanced
      launches (2.9 of 3, 1.9 of 2 a SM) re-split lost 1-5% (exp96), and 448-program launches at M = 16 (3.4 a SM) 2-3%.
      v65 (32-row tiles, M = ``TMA_SHORT_K_MIN_M``-32): the re-split also up to ``TMA_REBALANCE_MAX_M`` (32), there
      towards more programs only (``TMA_REBALANCE_UP_MIN_M``; a 32-row tile's x takes as much shared memory as its
      weight, so at most 4 programs a SM fit 3 deep, and a split to fewer programs keeps less weight in flight:
      exp141, 5120 x 17408 M = 24 / 32 split 4 -> 3 0.99 / 0.93x); and unsplit 64-row launches take TMA on short K
      (fewer than ``TMA_MIN_STEPS`` steps) too, stages as above. H200, exp141/exp142 (NOTES item 122; CUDA graphs,
      weights rotated, best of two rounds, v64's launch forced against v65's rule at M = 20 / 24 / 32 on every layer
      where it differs): 33 of 33 points 1.02-1.13x -- TMA on short K 65536 x 1536 36.3 -> 32.5 us, 32768 x 1024
      14.0 -> 12.8, 24576 x 1536 15.5 -> 13.9, 32768 x 512 8.7 -> 7.7, 28672 x 1536 19.4 -> 17.2, 49152 x 1024
      1.02x; the re-split 9216 x 12288 split 2 -> 3 47.8 -> 43.1, 10240 x 16384 62.0 -> 55.1, 10240 x 7168 1.04-1.10x.
      v66, at M = 2-16 (tensor cores): unsplit 64-row launches on short K take TMA too where one round of programs 3
      stages deep holds the launch (``TMA_BUILD_PROGRAMS_PER_SM``, or fewer by shared memory), stages as above, and
      never v47's doubled split. H200, exp143 (fitted there; NOTES item 123): 28 of 28 such points on 7 layers
      1.01-1.19x (49152 x 1024 M = 4 19.3 -> 16.2 us by 3 stages, 24576 x 1536 14.2 -> 12.9 by 4), and 65536 x 1536
      (7.8 programs a SM: two rounds at either depth) 0.86-1.00x, hence the bound; exp144 (10 layers no experiment
      timed, M = 2 / 4 / 8 / 12 / 16, v65's launch forced against v66's): 50 of 50 points 1.05-1.28x (40960 x 1024
      17.6 -> 14.1 us, 49152 x 1536 27.6 -> 22.6, 36864 x 768 1.15-1.18x, 16384 x 1024 1.05-1.08x).
    * v55, with ``tma`` at M = ``WAVE_TILES_MIN_M``-32 (8-32): where the 64-row tiles alone make at least
      ``WAVE_TILES_FILL`` (0.8) of one wave (at most one a SM, where the split aims at two), and K is at most
      ``WAVE_TILES_MAX_STEPS`` (24) steps, the tiles unsplit, by TMA, 4 stages: the split's fp32 round trip and
      second pass cost more than a second program a SM brings on programs this short. H200, exp110/exp111 (NOTES
      item 107; CUDA graphs, weights rotated, best of two rounds): 8192 x 1536 (128 tiles, 12 steps) M = 8 / 16 / 24
      / 32 8.8 / 8.4 / 9.3 / 9.3 -> 8.0 / 7.3 / 8.7 / 7.6 us, 7168 x 2048 (112 tiles) M = 16 / 24 / 32 1.10 / 1.12 /
      1.24x, 7168 x 3072 (24 steps) M = 16 / 32 1.02 / 1.13x; longer K lost (6144 x 5120, 96 tiles of 40 steps,
      0.83x; 7168 x 16384 0.78x), and so did 32-row tiles (4096 x 2048 M = 16 0.92x). Checked through the library
      (exp112, against v54's launch at M = 8 / 12 / 16 / 24 / 32 of the four layers it changes, 8192 x 2048 never
      timed before): 18 of 20 points 1.03-1.21x, 7168 x 3072 M = 8 / 12 0.98 / 1.00x.
      v57, below M = 8 (tensor cores: M = 3-7, and 2 on large layers) the same on K of at most
      ``WAVE_TILES_SHORT_M_MAX_STEPS`` (16) steps. H200, exp113 (NOTES item 108; the rule's split launch against it
      at M = 2 / 3 / 4 / 6, best of two rounds): 8192 x 1536 (12 steps) 8.4-8.7 -> 7.0-7.3 us (1.15-1.24x),
      8192 x 2048 (16 steps) 1.09-1.13x, 7168 x 2048 1.04-1.05x; on 24 steps (7168 x 3072) 0.97-0.98x, so not there.
      Checked through the library (exp114, M = 2-7, three layers never timed before: 7168 x 1280, 7168 x 1536,
      8192 x 1280): 16 of 16 points 1.03-1.25x; in all 28 of 28 points of 6 layers.
    """
    sub_k = _pow2_at_most(math.gcd(scale_block_k, 128))  # a power of two dividing the scale block
    cuda_core_rows = min(32, _pow2_near(n * groups / (4 * sm_count)))  # a CUDA-core program's weight rows
    layer_bytes = n * k * groups
    pair_on_cuda_cores = layer_bytes <= CUDA_CORE_PAIR_BYTES_PER_SM * sm_count or (
        layer_bytes <= ROW_PIECES_PAIR_BYTES_PER_SM * sm_count and 2 <= cuda_core_rows <= ROW_PIECES_PAIR_MAX_ROWS)
    if m < 2 or (m == 2 and pair_on_cuda_cores):  # CUDA cores
        config = _cuda_core_config(m, n, k, groups, sub_k, sm_count, cuda_core_rows)
        if cuda_core_rows == 1:  # v72: two-row programs (row pieces) where they need no K split (M = 1: K of one step)
            two_rows = _cuda_core_config(m, n, k, groups, sub_k, sm_count, 2)
            if two_rows.split_k == 1 and (m == 2 or two_rows.subs * sub_k >= k):
                config = two_rows
        return config
    block_n = 32 if n * k * groups <= NARROW_MMA_BYTES_PER_SM * sm_count else 64
    block_m, subs, stages = max(16, triton.next_power_of_2(m)), 1, 3
    steps = triton.cdiv(k, sub_k)
    tiles = triton.cdiv(n, block_n) * groups
    # 2 programs per SM; narrow tiles that must split at all: 4 (as many K-splits as 64-row tiles take)
    per_sm = 4 if block_n < 64 and tiles < 0.95 * 2 * sm_count else 2
    wave_split = _wave_split(tiles, per_sm, sm_count)
    wave_max_steps = WAVE_TILES_MAX_STEPS if m >= WAVE_TILES_MIN_M else WAVE_TILES_SHORT_M_MAX_STEPS
    if (tma and block_n == 64 and steps <= wave_max_steps
            and WAVE_TILES_FILL * sm_count <= tiles <= sm_count):
        return DecodeConfig(block_n, block_m, sub_k, subs, 1, True, 4, 4, tma=True)  # v55: a wave of short programs
    tma_split = min(wave_split, 16)
    box = block_n * sub_k  # weight bytes a TMA stage brings (fp8)
    stage_bytes = box + block_m * sub_k * 2  # ... and its x tile (16-bit)
    three_deep = min(TMA_BUILD_PROGRAMS_PER_SM, TMA_SHARED_BYTES_PER_SM // (3 * stage_bytes))  # programs a SM, 3 stages
    long_programs = triton.cdiv(steps, tma_split) >= TMA_MIN_STEPS
    # v65 / v66: unsplit 64-row launches on short K too: at M >= 17 always, below where one round holds them 3 deep
    short_k = (not long_programs and tma_split == 1 and block_n == 64
               and (m >= TMA_SHORT_K_MIN_M or tiles <= three_deep * sm_count))
    if tma and (long_programs or short_k):
        resident = TMA_SHARED_BYTES_PER_SM // (4 * stage_bytes)  # programs per SM at 4 stages
        needed = dram_gbps * 1e3 / sm_count * IN_FLIGHT_US  # bytes a SM keeps in flight (GB/s = 1e3 bytes per us)
        programs = tiles * tma_split / sm_count  # per SM
        stages = 4 if math.ceil(programs) <= resident and programs * 2 * box < needed else 3
        if (long_programs and stages == 4 and m <= TMA_WIDE_SPLIT_MAX_M and programs * 3 * box < needed
                and tiles * 2 * tma_split <= TMA_WIDE_SPLIT_PROGRAMS_PER_SM * sm_count):
            tma_split = min(16, 2 * tma_split)  # v47: more weight in flight where few programs run 4 stages deep
        programs = tiles * tma_split / sm_count
        balance = _balance(programs)
        if (balance < TMA_BALANCED and m <= TMA_REBALANCE_MAX_M
                and (m <= TMA_WIDE_SPLIT_MAX_M or programs < TMA_REBALANCE_FEW_PROGRAMS_PER_SM)):
            balanced = _balanced_tma_split(tiles, steps, sm_count, three_deep)
            if (_balance(tiles * balanced / sm_count) >= balance + 0.05
                    and (m < TMA_REBALANCE_UP_MIN_M or balanced > tma_split)):
                tma_split, stages = balanced, 3  # v49: programs that fill their rounds evenly
        return DecodeConfig(block_n, block_m, sub_k, subs, tma_split, True, 4, stages, tma=True)
    split_k = max(wave_split, triton.next_power_of_2(triton.cdiv(steps, 16)))  # at most 16 steps a program
    split_k = max(1, min(split_k, 16, _pow2_at_most(steps // MMA_MIN_STEPS_PER_SPLIT)))
    return DecodeConfig(block_n, block_m, sub_k, subs, split_k, True, 4, stages)


def _wave_split(tiles: int, per_sm: int, sm_count: int) -> int:
    """The smallest power-of-two K split giving ``tiles`` row tiles 95% of ``per_sm`` programs a SM."""
    return triton.next_power_of_2(math.ceil(0.95 * per_sm * sm_count / tiles))


def _cuda_core_config(m: int, n: int, k: int, groups: int, sub_k: int, sm_count: int, block_n: int) -> DecodeConfig:
    """The CUDA-core launch (M = 1 / 2) of ``block_n``-row programs: steps of about 8 KB (``subs`` scale blocks of
    ``sub_k`` columns, at most 32), halved while that cuts the scale-block slots K pads to by ``STEP_PAD_CUT`` (v61:
    a last step mostly past K's end costs its full step of per-row work); K split for about 2 programs a SM (at most
    16 ways, never more than the steps); 3 stages where a program streams 6 steps or more, else 2."""
    blocks_per_row = triton.cdiv(k, sub_k)
    subs = min(32, triton.next_power_of_2(blocks_per_row), _pow2_near(8192 / (block_n * sub_k)))
    while subs > 1 and triton.cdiv(blocks_per_row, subs // 2) * (subs // 2) <= (1 - STEP_PAD_CUT) * triton.cdiv(
            blocks_per_row, subs) * subs:
        subs //= 2
    steps = triton.cdiv(blocks_per_row, subs)
    split_k = max(1, min(_wave_split(triton.cdiv(n, block_n) * groups, 2, sm_count), 16, _pow2_at_most(steps)))
    stages = 3 if triton.cdiv(steps, split_k) >= 6 else 2
    return DecodeConfig(block_n, m, sub_k, subs, split_k, False, 4, stages)


def reads_x_in_row_groups(m: int, config: DecodeConfig) -> bool:
    """Whether a decode launch of ``config`` at M = ``m`` reads x in overlapping 16-row groups (``X_ROW_GROUPS``)
    instead of masking the rows past M (v59): unsplit TMA launches of 32-row tiles at M = 17-31. The build of a row
    mask whose bound M is not a multiple of 16 (Triton specializes M on that) ran these launches 5-9% slower than
    M = 32's (exp116/exp117, H200, NOTES item 109: 18432 x 7168 M = 24 53.4 against 48.4 us; bounding x's mask by 32
    and the output's by 24 recovered it, the other way round did not). exp119 (the kernel with row groups against
    the library's, CUDA graphs, weights rotated, best of three): unsplit TMA launches at M = 17 / 20 / 24 / 28 / 31
    1.02-1.09x (18432 x 7168 and 17408 x 5120 1.06-1.09x, 7168 x 3072 1.05x, 8192 x 1536 1.02x), bitwise equal; at
    M = 32 0.97-0.99x and on split launches 0.95-1.02x (4096 x 8192 split 4 0.95-0.98x), so neither."""
    return config.use_mma and config.tma and config.split_k == 1 and config.block_m == 32 and 16 < m < 32


def keeps_row_pieces(config: DecodeConfig) -> bool:
    """Whether a launch of ``config`` runs the CUDA-core path with ``ROW_PIECES``: its tile loaded so that a thread
    holds all the program's rows of its 16 columns (one x conversion for them all) and each row's 16-column piece
    summed in place and kept across the K loop (no cross-thread sum a step). Taken on tiles of 2 rows or more holding
    at most ``ROW_PIECES_MAX_WEIGHTS_PER_THREAD`` (64) weights a thread; at 128 (the deep streams' 32 x 512 steps on
    4 warps) the build takes 109 registers against 61, so half the programs fit a SM, and on one row there is no
    conversion to share. H200 (NOTES item 140; CUDA graphs, weights rotated, best of two or three rounds): fitted on
    exp160/exp161 -- M = 1 / 2 1.01-1.25x on 16 of 20 points, on the deep streams 0.88-0.94x (4096 x 8192 12.5 ->
    14.0 us), on one-row tiles 0.95-1.00x; checked on exp163 (the library against v67's kernels, 29 layers, 14 of them
    never timed): where taken 1.03-1.29x (2560 x 5120 7.81 -> 6.08 us, 4096 x 2048 M = 2 6.81 -> 5.46, 65536 x 1536
    29.6 -> 28.2), one point 0.97x within the run's spread (3072 x 1536 M = 1). Since v71 (no deep streams) every
    CUDA-core launch of the rule holds at most 64 weights a thread on 4 warps; the bound is for configs passed in."""
    weights_per_thread = config.block_n * config.subs * config.sub_k // (32 * config.num_warps)
    return (not config.use_mma and config.block_n >= 2 and config.sub_k >= 16
            and weights_per_thread <= ROW_PIECES_MAX_WEIGHTS_PER_THREAD)


def drops_masks(n: int, k: int, config: DecodeConfig) -> bool:
    """Whether a launch of ``config`` on an N x K layer loads its tiles without masks (``EVEN_TILES``): CUDA-core
    launches with row pieces (``keeps_row_pieces``) where N is a multiple of ``block_n`` and K of the step. Not the
    others: on v46's deep streams (128 weights a thread) the unmasked build ran 4096 x 8192 M = 1 at 14.6 us against
    12.5 (exp162, NOTES item 140; the masked one is v67's), and nowhere else did it gain."""
    return keeps_row_pieces(config) and n % config.block_n == 0 and k % (config.subs * config.sub_k) == 0


def _balance(programs_per_sm: float) -> float:
    """How evenly a launch of ``programs_per_sm`` programs a SM fills its rounds: the average SM's programs over the
    busiest SM's (1.0: every SM runs as many), to two decimals."""
    return round(programs_per_sm / math.ceil(programs_per_sm), 2)


def _balanced_tma_split(tiles: int, steps: int, sm_count: int, most_per_sm: int) -> int:
    """The K split (any integer up to 16 keeping ``TMA_MIN_STEPS`` steps a program) whose ``tiles * split`` programs
    fill their rounds most evenly with at most ``most_per_sm`` a SM; ties to the smaller split."""
    best, best_balance = 1, -1.0
    for split in range(1, 17):
        if triton.cdiv(steps, split) < TMA_MIN_STEPS:
            break
        per_sm = tiles * split / sm_count
        if math.ceil(per_sm) <= most_per_sm and _balance(per_sm) > best_balance:
            best, best_balance = split, _balance(per_sm)
    return best
