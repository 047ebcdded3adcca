"""Serving kernel of fp8blk's W8A16 block-FP8 GEMM on sm_90 (bf16 x, M = 65-1024 where its tiles fill the GPU):
``y = x @ dequant(weight, scale).T (+ bias)``, written in Gluon (Triton's warp-level language) for warp
specialization.

The math, per output element, with K cut into 128-wide K-tiles t (x arrives split into two e4m3 terms by
``fp8_tile._split_x_kernel``: ``x[m, k] ~= x_scale[m] * (high[m, k] + low[m, k])``, exact for |x| >= 2**-9 of its
row's largest)::

    part_t[n, m] = sum_{k in t} w[n, k] * (high[m, k] + low[m, k])     two fp8 x fp8 MMAs into a fresh fp32 sum
    acc[n, m]   += scale[n // SBN, t * 128 // SBK] * part_t[n, m]       fp32, on the CUDA cores
    y[m, n]      = x_scale[m] * acc[n, m] (+ bias[n])

the same operations in the same order as the tile kernel's ``SPLIT_X`` launches without a K split, so its output is
bitwise theirs (a K split's or the stream's partial sums of a tile add up in K order afterwards: bitwise the same
from run to run, not the unsplit launch's bits). The block scale multiplies each K-tile's fresh sum, so a warpgroup
must wait for its K-tile's MMAs before the next (Hopper's fp8 MMA does not accumulate at fp32 precision: a sum kept
across K-tiles in the MMA's accumulator loses bits as K grows). The tile kernel waits the same way, and its warps
also issue the loads; measured there, the tensor pipe idles through every wait (ncu: 54-65% active). Here each
program takes work items -- the ``[128, block_m]`` tiles of ``y.T`` times the K splits -- one per program where they
fit the GPU's places (one program a SM, two of the 64-row build), else (``PERSISTENT``) a grid of those places walks
the tiles in rounds, program p taking tiles p, p + grid, ..., and with ``STREAM`` (v64) the tiles of a last,
part-empty round are shared instead as one stream of K-tiles cut into even runs, one a program
(``serving_schedule``); each program runs three partitions side by side:

* a loader warp: TMA copies of K-tile t's weight rows (two 64-row boxes), high and low term boxes into a ring of
  ``STAGES`` shared-memory stages, each stage taken when both math warpgroups have released it. The ring runs on
  from one piece of work to the next, so the next piece's first K-tiles arrive while the last one's output is stored;
* two math warpgroups, one per 64 weight rows: per K-tile, wait for the stage, two async wgmmas, wait for them,
  release the stage, scale into the fp32 sum. One warpgroup's wait and scaling run while the other's MMAs do;
  then each stores its 64 rows of the tile, or -- a tile cut into K parts -- writes its fp32 partial to a slot,
  and the last part to arrive sums the tile's slots in K order and stores.

A grid of one tile a program in several waves (v50-v59) paid each tile's ring fill and store with the tensor cores
idle: the persistent grid (v60) ran 1.03-1.24x faster at 26 of the 36 multi-wave points measured (exp122, H200:
32768 x 1024 M = 512 70.6 -> 57.1 us, 65536 x 1536 M = 512 181.3 -> 155.5, 24576 x 1536 M = 384 58.1 -> 51.2; the
gain largest on short K, where the fill and store weigh most), bitwise the same output. Its item loop cost split
launches 4-7% and one-wave launches ~1% (exp126/exp128, whatever the grid's shape), so since v63 only unsplit
launches of more items than places run it (exp129: those as before, the rest at v59's speed, 0.99-1.01x). A
last round part-empty still idles SMs for a whole tile (7168 x 16384 M = 512: 224 tiles, two rounds of 132; ncu
put the tensor pipe 93% busy on the SMs that work): the stream (v64) levels the SMs' work where exp132 measured it
faster (1.07-1.20x, long K after whole rounds; ``serving_schedule``).

The weight is read as stored (``[N, K]`` e4m3, row-major); ragged N, K and M are zero-filled by the TMA copies and
masked at the store. Two builds (``SERVING_TILES``): 128 x rows a program (4 stages, one program per SM) and 64
(3 stages, 80 registers a thread, so two share an SM), taken where 128-row tiles would leave SMs idle and the
64-row ones make one wave, or where 64-row tiles two a SM take fewer waves than 128-row tiles one a SM.
``serving_config`` is the launch rule, ``serving_schedule`` the programs' share of the work; ``fp8_block_matmul.py``
launches it. Measured: ``benchmarks/NOTES.md`` items 96-99, 107-108, 111, 117.
"""
from __future__ import annotations

from typing import NamedTuple, Optional

import triton
from triton.experimental import gluon
from triton.experimental.gluon import language as gl
from triton.experimental.gluon.language.nvidia.hopper import mbarrier, tma, warpgroup_mma, warpgroup_mma_wait

from .fp8_tile import KernelConfig
from .fp8_tile_ops import _scale_to_fp32

HALF_ROWS = 64  # weight rows per math warpgroup (the wgmma's M side)
BLOCK_K = 128  # K-tile: one scale block of 128 (or a part of a wider one)


class ServingTile(NamedTuple):
    """One of the serving kernel's two builds: x rows per program (the wgmma's N side), ring depth, registers."""
    block_m: int
    stages: int
    math_registers: int  # per thread of a math warpgroup (setmaxnreg); the loader warp keeps 24
    max_registers: Optional[int]  # the build's register cap per thread (None: ptxas's choice, one program per SM)
    shared_memory: int  # bytes a program takes (sm_90 build; the AOT test checks it)
    one_wave_only: bool  # the rule weighs it by fill first only where its tiles make one wave (v58, v62 aside)
    per_sm: int  # programs an SM holds (registers, shared memory): a launch's grid is at most this many a SM


# 128 x 128 tiles, 4 stages of 48 KB, one program per SM; 128 x 64 tiles, 3 stages of 32 KB capped at 80 registers a
# thread (12 warps: 2 x 80 x 384 fits 65,536, so two fit an SM; their math warpgroups take the 2 x (104 - 80) x 128
# registers the loader's warpgroup gives back, (80 - 24) x 128), weighed by fill first only where they make one wave
SERVING_TILES = (ServingTile(128, 4, 232, None, 200_776, False, 1),
                 ServingTile(64, 3, 104, 80, 102_464, True, 2))
SERVING_MIN_FILL = 0.7  # the rule's threshold on ``serving_fill`` (``launch_fill`` of the serving launch)
SERVING_ONE_WAVE_FILL = 0.8  # ... where 128-row tiles take a single wave (the tile kernel's 64 x 64 tiles fill it
# well); a launch below it does not displace the expand path either (``choose_config``)
SERVING_MIN_K_TILES = 8  # shorter K (K = 512: 4 K-tiles) lost at every M measured
SERVING_SPLIT_K_TILES = 64  # K-tiles each split of a 128-row launch keeps (exp102: split 2 of 128 won, of 64 not)
SERVING_MAX_SPLIT = 4
SERVING_MIN_M = 65  # below: the decode kernel and the 64-row split-x tiles
SERVING_MAX_M = 512  # the range of the rule's two builds and K splits; above it ...
SERVING_LARGE_MAX_M = 1024  # ... to this M the 128-row build unsplit where it fills the GPU (v64), then expand
STREAM_MAX_FILL = 0.9  # the stream (``serving_schedule``): launches whose items fill their rounds at most this well,
STREAM_TILE_K_TILES = 40  # ... of tiles this long at least,
STREAM_ONE_ROUND_TAIL = 0.3  # ... and after a single whole round a tail of at most this share of the places;
STREAM_MIN_K_TILES = 8  # ... the shortest run of the stream a program takes

_HALF = gl.constexpr(HALF_ROWS)


@gluon.jit
def _tile_origin(tile, num_m, block_m: gl.constexpr):
    """The first weight row and first x row of ``[128, block_m]`` tile ``tile``; tiles of the same weight rows are
    neighbours."""
    return (tile // num_m) * 2 * _HALF, (tile % num_m) * block_m


@gluon.jit
def _split_item(item, tiles, k_tiles, SPLIT_K: gl.constexpr):
    """Work item ``item`` of a launch of a program an item (``tiles * SPLIT_K`` of them): its tile, split and the
    split's K-tiles (first, count >= 1: the plan checks every split is non-empty). The split is the slow index --
    programs running together share each weight box's K offset."""
    tile = item % tiles
    split = item // tiles
    per_split = gl.cdiv(k_tiles, SPLIT_K)
    first = split * per_split
    return tile, split, first, gl.minimum(per_split, k_tiles - first)


@gluon.jit
def _stream_units(program, stream_programs, stream_units):
    """The stream's units (tail tile x K-tile, K-tiles fastest) that ``program`` takes: ``[start, end)``, the
    stream's ``stream_units`` cut into ``stream_programs`` contiguous runs as even as integers allow."""
    return program * stream_units // stream_programs, (program + 1) * stream_units // stream_programs


@gluon.jit
def _run_piece(tail, start, end, k_tiles):
    """The K-tiles (first, count) of tail tile ``tail`` that the stream's run ``[start, end)`` holds."""
    first = gl.maximum(start - tail * k_tiles, 0)
    return first, gl.minimum(end - tail * k_tiles, k_tiles) - first


@gluon.jit
def _stream_owner(unit, stream_programs, stream_units):
    """The program whose run of the stream holds ``unit`` (the inverse of ``_stream_units``)."""
    return ((unit + 1) * stream_programs - 1) // stream_units


@gluon.jit
def _load_stages(x_desc, w_desc, w_top, w_bottom, high_ring, low_ring, ready, empty, M, N, K, low_row, whole_tiles,
                 stream_programs, SPLIT_K: gl.constexpr, PERSISTENT: gl.constexpr, STREAM: gl.constexpr):
    """The loader warp: the program's work (the module docstring's schedule) into the ring, K-tile by K-tile
    (``_load_item``). The ring runs on from one piece of work to the next, so the next one's first K-tiles load while
    the math warpgroups store the last one's output."""
    block_m: gl.constexpr = high_ring.type.shape[1]
    tile_k: gl.constexpr = w_desc.block_type.shape[1]
    num_m = gl.cdiv(M, block_m)
    tiles = gl.cdiv(N, 2 * _HALF) * num_m
    k_tiles = gl.cdiv(K, tile_k)
    program = gl.program_id(0)
    if PERSISTENT:
        filled = 0  # stages this program has filled: the ring's position and phase
        for tile in range(program, whole_tiles, gl.num_programs(0)):
            filled = _load_item(x_desc, w_desc, w_top, w_bottom, high_ring, low_ring, ready, empty, K, low_row,
                                num_m, tile, 0, k_tiles, filled)
        if STREAM and program < stream_programs:
            start, end = _stream_units(program, stream_programs, (tiles - whole_tiles) * k_tiles)
            for tail in range(start // k_tiles, gl.cdiv(end, k_tiles)):
                first, count = _run_piece(tail, start, end, k_tiles)
                filled = _load_item(x_desc, w_desc, w_top, w_bottom, high_ring, low_ring, ready, empty, K, low_row,
                                    num_m, whole_tiles + tail, first, count, filled)
    else:
        tile, split, first, count = _split_item(program, tiles, k_tiles, SPLIT_K)
        _load_item(x_desc, w_desc, w_top, w_bottom, high_ring, low_ring, ready, empty, K, low_row, num_m, tile, first,
                   count, 0)


@gluon.jit
def _load_item(x_desc, w_desc, w_top, w_bottom, high_ring, low_ring, ready, empty, K, low_row, num_m, tile, first,
               count, filled):
    """K-tiles ``first`` .. ``first + count - 1`` of tile ``tile``, four boxes each, into the stages after the
    ``filled`` ones, each once both warpgroups have released it; returns the stages filled so far."""
    ring_depth: gl.constexpr = high_ring.type.shape[0]
    block_m: gl.constexpr = high_ring.type.shape[1]
    tile_k: gl.constexpr = w_desc.block_type.shape[1]
    stage_bytes: gl.constexpr = 2 * w_desc.block_type.nbytes + 2 * x_desc.block_type.nbytes
    off_n, off_m = _tile_origin(tile, num_m, block_m)
    for t in range(count):
        stage = (filled + t) % ring_depth
        mbarrier.wait(empty.index(stage), (((filled + t) // ring_depth) & 1) ^ 1)  # a fresh barrier passes phase 1
        mbarrier.expect(ready.index(stage), stage_bytes)
        k = (first + t) * tile_k
        tma.async_copy_global_to_shared(w_desc, [off_n, k], ready.index(stage), w_top.index(stage))
        tma.async_copy_global_to_shared(w_desc, [off_n + _HALF, k], ready.index(stage), w_bottom.index(stage))
        tma.async_copy_global_to_shared(x_desc, [off_m, k], ready.index(stage), high_ring.index(stage))
        tma.async_copy_global_to_shared(x_desc, [low_row + off_m, k], ready.index(stage), low_ring.index(stage))
    return filled + count


@gluon.jit
def _multiply_rows(w_ring, high_ring, low_ring, ready, empty, scale_ptr, bias_ptr, y_ptr, partial_ptr, counter_ptr,
                   x_scale_ptr, M, N, K, half, stride_sn, stride_sk, stride_ym, scale_block_n, whole_tiles,
                   stream_programs, stream_parts, SCALE_BLOCK_K: gl.constexpr, HAS_BIAS: gl.constexpr,
                   SCALE_E8M0: gl.constexpr, SPLIT_K: gl.constexpr, PERSISTENT: gl.constexpr, STREAM: gl.constexpr):
    """A math warpgroup: weight rows ``64 * half`` .. ``+ 63`` of the program's work as the loader takes it, each
    piece over its K-tiles and then stored, or with the other parts of its tile reduced (``_multiply_item``)."""
    block_m: gl.constexpr = high_ring.type.shape[1]
    tile_k: gl.constexpr = high_ring.type.shape[2]
    num_m = gl.cdiv(M, block_m)
    tiles = gl.cdiv(N, 2 * _HALF) * num_m
    k_tiles = gl.cdiv(K, tile_k)
    program = gl.program_id(0)
    if PERSISTENT:
        taken = 0  # stages this warpgroup has consumed: the ring's position and phase
        for tile in range(program, whole_tiles, gl.num_programs(0)):
            taken = _multiply_item(w_ring, high_ring, low_ring, ready, empty, scale_ptr, bias_ptr, y_ptr,
                                   partial_ptr, counter_ptr, x_scale_ptr, M, N, half, stride_sn, stride_sk, stride_ym,
                                   scale_block_n, num_m, tile, 0, k_tiles, taken, 0, 1, 0, SCALE_BLOCK_K, HAS_BIAS,
                                   SCALE_E8M0)
        if STREAM and program < stream_programs:
            stream_units = (tiles - whole_tiles) * k_tiles
            start, end = _stream_units(program, stream_programs, stream_units)
            for tail in range(start // k_tiles, gl.cdiv(end, k_tiles)):
                first, count = _run_piece(tail, start, end, k_tiles)
                owner = _stream_owner(tail * k_tiles, stream_programs, stream_units)  # the tile's first part
                parts = _stream_owner(tail * k_tiles + k_tiles - 1, stream_programs, stream_units) - owner + 1
                taken = _multiply_item(w_ring, high_ring, low_ring, ready, empty, scale_ptr, bias_ptr, y_ptr,
                                       partial_ptr, counter_ptr, x_scale_ptr, M, N, half, stride_sn, stride_sk,
                                       stride_ym, scale_block_n, num_m, whole_tiles + tail, first, count, taken,
                                       program - owner, parts, tail * stream_parts, SCALE_BLOCK_K, HAS_BIAS,
                                       SCALE_E8M0)
    else:
        tile, split, first, count = _split_item(program, tiles, k_tiles, SPLIT_K)
        _multiply_item(w_ring, high_ring, low_ring, ready, empty, scale_ptr, bias_ptr, y_ptr, partial_ptr, counter_ptr,
                       x_scale_ptr, M, N, half, stride_sn, stride_sk, stride_ym, scale_block_n, num_m, tile, first,
                       count, 0, split, SPLIT_K, tile * SPLIT_K, SCALE_BLOCK_K, HAS_BIAS, SCALE_E8M0)


@gluon.jit
def _multiply_item(w_ring, high_ring, low_ring, ready, empty, scale_ptr, bias_ptr, y_ptr, partial_ptr, counter_ptr,
                   x_scale_ptr, M, N, half, stride_sn, stride_sk, stride_ym, scale_block_n, num_m, tile, first, count,
                   taken, part, parts, slot, SCALE_BLOCK_K: gl.constexpr, HAS_BIAS: gl.constexpr,
                   SCALE_E8M0: gl.constexpr):
    """K-tiles ``first`` .. ``first + count - 1`` of tile ``tile``, part ``part`` of its ``parts`` (K order): per
    K-tile (from the stage after the ``taken`` ones) wait for the stage, two async wgmmas into a fresh sum, wait for
    them, release the stage, scale into the fp32 total; then store the 64 rows, or reduce them with the tile's other
    parts through partial slots ``slot`` .. ``slot + parts - 1`` (``_store_rows``). Returns the stages taken so far."""
    ring_depth: gl.constexpr = high_ring.type.shape[0]
    block_m: gl.constexpr = high_ring.type.shape[1]
    tile_k: gl.constexpr = high_ring.type.shape[2]
    mma_layout: gl.constexpr = gl.NVMMADistributedLayout(version=[3, 0], warps_per_cta=[4, 1],
                                                        instr_shape=[16, block_m, 32])
    off_n, off_m = _tile_origin(tile, num_m, block_m)
    off_n += half * _HALF
    rows = off_n + gl.arange(0, _HALF, layout=gl.SliceLayout(1, mma_layout))
    scale_rows = scale_ptr + (gl.minimum(rows, N - 1) // scale_block_n) * stride_sn
    acc = gl.zeros((_HALF, block_m), dtype=gl.float32, layout=mma_layout)
    unused = gl.zeros((_HALF, block_m), dtype=gl.float32, layout=mma_layout)  # use_acc=False ignores it
    for t in range(count):
        stage = (taken + t) % ring_depth
        block_scale = gl.load(scale_rows + ((first + t) * tile_k // SCALE_BLOCK_K) * stride_sk)  # loads while waiting
        block_scale = _scale_to_fp32(block_scale, False, SCALE_E8M0)  # the tile kernel's (no integer path here)
        mbarrier.wait(ready.index(stage), ((taken + t) // ring_depth) & 1)
        part_sum = warpgroup_mma(w_ring.index(stage), high_ring.index(stage).permute((1, 0)), unused, use_acc=False,
                                 is_async=True)
        part_sum = warpgroup_mma(w_ring.index(stage), low_ring.index(stage).permute((1, 0)), part_sum, is_async=True)
        part_sum = warpgroup_mma_wait(num_outstanding=0, deps=(part_sum, ))
        mbarrier.arrive(empty.index(stage), count=1)
        acc += part_sum * block_scale[:, None]
    _store_rows(acc, bias_ptr, y_ptr, partial_ptr, counter_ptr, x_scale_ptr, M, N, off_n, off_m, half, part, parts,
                slot, 2 * tile + half, stride_ym, HAS_BIAS)
    return taken + count


@gluon.jit
def _store_rows(acc, bias_ptr, y_ptr, partial_ptr, counter_ptr, x_scale_ptr, M, N, off_n, off_m, half, part, parts,
                slot, counter, stride_ym, HAS_BIAS: gl.constexpr):
    """A math warpgroup's 64 rows of ``y.T``: ``y[m, n] = x_scale[m] * acc[n, m] (+ bias[n])`` (``_store_output``);
    where the tile has ``parts > 1`` K parts, through the ordered reduction instead: this part's fp32 partial into
    partial slot ``slot + part`` (a ``[128, block_m]`` tile), and the last of the tile's parts to arrive sums the
    slots in part order (the tile kernel's ``_write_output``, so a split launch's result is bitwise that launch's).
    The partials keep the MMA's register layout: converting fp32 tiles would take shared memory the ring holds."""
    mma_layout: gl.constexpr = acc.type.layout
    block_m: gl.constexpr = acc.type.shape[1]
    slot_size: gl.constexpr = 2 * _HALF * block_m
    local_n = gl.arange(0, _HALF, layout=gl.SliceLayout(1, mma_layout))
    local_m = gl.arange(0, block_m, layout=gl.SliceLayout(0, mma_layout))
    acc *= gl.load(x_scale_ptr + off_m + local_m, mask=off_m + local_m < M, other=0.0)[None, :]
    if parts == 1:
        _store_output(acc, bias_ptr, y_ptr, M, N, off_n, off_m, stride_ym, HAS_BIAS)
    else:  # the last part of these 64 rows to arrive sums the tile's partial slots in part order
        part_ptrs = partial_ptr + slot * slot_size + (half * _HALF + local_n)[:, None] * block_m + local_m[None, :]
        gl.store(part_ptrs + part * slot_size, acc)
        gl.thread_barrier()  # every thread's partial written before the release
        if gl.atomic_add(counter_ptr + counter, 1, sem="acq_rel") == parts - 1:
            total = gl.zeros((_HALF, block_m), dtype=gl.float32, layout=mma_layout)
            for i in range(parts):
                total += gl.load(part_ptrs + i * slot_size, cache_modifier=".cg")
            _store_output(total, bias_ptr, y_ptr, M, N, off_n, off_m, stride_ym, HAS_BIAS)
            gl.atomic_xchg(counter_ptr + counter, 0, sem="relaxed")


@gluon.jit
def _store_output(acc, bias_ptr, y_ptr, M, N, off_n, off_m, stride_ym, HAS_BIAS: gl.constexpr):
    """``acc (+ bias[n])`` (64 weight rows from ``off_n``, x rows from ``off_m``) rounded to y's dtype and stored n
    fastest across a warp."""
    mma_layout: gl.constexpr = acc.type.layout
    block_m: gl.constexpr = acc.type.shape[1]
    if HAS_BIAS:
        rows = off_n + gl.arange(0, _HALF, layout=gl.SliceLayout(1, mma_layout))
        acc += gl.load(bias_ptr + rows, mask=rows < N, other=0.0).to(gl.float32)[:, None]
    out_layout: gl.constexpr = gl.BlockedLayout([8, 1], [8, 4], [1, 4], [0, 1])
    offs_n = off_n + gl.arange(0, _HALF, layout=gl.SliceLayout(1, out_layout))
    offs_m = off_m + gl.arange(0, block_m, layout=gl.SliceLayout(0, out_layout))
    mask = (offs_n[:, None] < N) & (offs_m[None, :] < M)
    gl.store(y_ptr + offs_m[None, :] * stride_ym + offs_n[:, None],
             gl.convert_layout(acc.to(y_ptr.dtype.element_ty), out_layout), mask=mask)


@gluon.jit
def _fp8_serving_kernel(x_desc, w_desc, scale_ptr, bias_ptr, y_ptr, partial_ptr, counter_ptr, x_scale_ptr, M, N, K,
                        low_row, stride_sn, stride_sk, stride_ym, scale_block_n, whole_tiles, stream_programs,
                        stream_parts, SCALE_BLOCK_K: gl.constexpr, HAS_BIAS: gl.constexpr, SCALE_E8M0: gl.constexpr,
                        STAGES: gl.constexpr, MATH_REGISTERS: gl.constexpr, SPLIT_K: gl.constexpr,
                        PERSISTENT: gl.constexpr, STREAM: gl.constexpr):
    """``[128, block_m]`` tiles of ``y.T``: without ``PERSISTENT`` work item ``program_id`` of ``tiles * SPLIT_K``
    (tile x K split); with it tiles ``program_id``, ``+ num_programs``, ... below ``whole_tiles``, then the program's
    run of the stream of the other tiles' K-tiles (``stream_programs`` runs; each tail tile's parts reduce through
    ``stream_parts`` partial slots a tile). ``x_desc``: the ``[2 * low_row, K]`` e4m3 terms (``[block_m, 128]``
    boxes); ``w_desc``: the weight (``[64, 128]`` boxes)."""
    tile_k: gl.constexpr = w_desc.block_type.shape[1]
    block_m: gl.constexpr = x_desc.block_type.shape[0]
    w_top = gl.allocate_shared_memory(w_desc.dtype, [STAGES, _HALF, tile_k], w_desc.layout)
    w_bottom = gl.allocate_shared_memory(w_desc.dtype, [STAGES, _HALF, tile_k], w_desc.layout)
    high_ring = gl.allocate_shared_memory(x_desc.dtype, [STAGES, block_m, tile_k], x_desc.layout)
    low_ring = gl.allocate_shared_memory(x_desc.dtype, [STAGES, block_m, tile_k], x_desc.layout)
    ready = gl.allocate_shared_memory(gl.int64, [STAGES, 1], mbarrier.MBarrierLayout())
    empty = gl.allocate_shared_memory(gl.int64, [STAGES, 1], mbarrier.MBarrierLayout())
    for i in gl.static_range(STAGES):
        mbarrier.init(ready.index(i), count=1)
        mbarrier.init(empty.index(i), count=2)  # both math warpgroups release a stage

    gl.warp_specialize([
        (_multiply_rows, (w_top, high_ring, low_ring, ready, empty, scale_ptr, bias_ptr, y_ptr, partial_ptr,
                          counter_ptr, x_scale_ptr, M, N, K, 0, stride_sn, stride_sk, stride_ym, scale_block_n,
                          whole_tiles, stream_programs, stream_parts, SCALE_BLOCK_K, HAS_BIAS, SCALE_E8M0, SPLIT_K,
                          PERSISTENT, STREAM)),
        (_multiply_rows, (w_bottom, high_ring, low_ring, ready, empty, scale_ptr, bias_ptr, y_ptr, partial_ptr,
                          counter_ptr, x_scale_ptr, M, N, K, 1, stride_sn, stride_sk, stride_ym, scale_block_n,
                          whole_tiles, stream_programs, stream_parts, SCALE_BLOCK_K, HAS_BIAS, SCALE_E8M0, SPLIT_K,
                          PERSISTENT, STREAM)),
        (_load_stages, (x_desc, w_desc, w_top, w_bottom, high_ring, low_ring, ready, empty, M, N, K, low_row,
                        whole_tiles, stream_programs, SPLIT_K, PERSISTENT, STREAM)),
    ], [4, 1], [MATH_REGISTERS, 24])


class ServingSchedule(NamedTuple):
    """How a serving launch's programs share its work (``serving_schedule``)."""
    grid: int  # programs
    persistent: bool  # the kernel's PERSISTENT form: whole tiles in rounds, then the stream
    whole_tiles: int  # tiles taken whole, program p taking p, p + grid, ... (PERSISTENT)
    stream_programs: int  # programs sharing the other tiles' K-tiles as one stream (0: none)
    stream_parts: int  # partial slots a stream tile has (the most parts any of them is cut into)
    slots: int  # partial slots of ``[128, block_m]`` fp32 the launch's reductions use (0: none)


def serving_schedule(tiles: int, k_tiles: int, config: KernelConfig, sm_count: int) -> ServingSchedule:
    """The schedule of a serving launch of ``tiles`` tiles of ``k_tiles`` K-tiles with ``config`` (its build and K
    split from ``serving_config``), on ``sm_count`` SMs holding ``per_sm`` programs each (the places).

    By default a program an item (tile x split; v59), or, unsplit with more tiles than places, a grid of the places
    taking the tiles in rounds (v60/v63). v64, the stream: where the 128-row build's items fill their rounds of
    places to at most ``STREAM_MAX_FILL``, its tiles hold at least ``STREAM_TILE_K_TILES`` K-tiles, and at least two
    rounds of tiles are whole (or one, with the rest at most ``STREAM_ONE_ROUND_TAIL`` of the places), a grid of the
    places takes the whole rounds' tiles whole and shares the other tiles' K-tiles as one stream (tail tile by tail
    tile, K-tiles fastest) cut into even runs, one a program, of at least ``STREAM_MIN_K_TILES``; a tail tile cut
    between programs is reduced in K order through partial slots (the last of its parts to arrive sums them), so
    every SM does the same work within a run's rounding, where the rounds left the last one part-empty.

    exp132 (H200, NOTES item 117; the library against v63's schedule with the same config, CUDA graphs, weights
    rotated, best of two rounds): where those conditions hold 1.07-1.20x at 9 of 9 points (7168 x 16384 M = 384
    178.4 -> 150.5 us, 18432 x 7168 M = 256 129.4 -> 114.8, 17408 x 5120 M = 256 92.9 -> 82.1, 5120 x 17408 M = 512
    182.2 -> 152.8). The stream lost elsewhere: with no whole round (all tiles streamed; 0.61-1.04x at 10 points:
    tiles sharing a weight block then read it apart, 7168 x 16384 M = 256 242 against 126 MB of DRAM reads, ncu), on
    short K (12-24 K-tiles: 0.77-0.89x at 6), after one round with a larger tail (0.95-1.00x at 3), and in the 64-row
    build (0.52-1.06x at 32)."""
    tile = serving_tile(config.block_m)
    places = tile.per_sm * sm_count
    items = tiles * config.split_k
    whole_rounds = tiles // places
    tail = tiles - whole_rounds * places
    stream_units = tail * k_tiles
    stream_programs = min(places, stream_units // STREAM_MIN_K_TILES)
    if (tile.per_sm == 1 and items / (triton.cdiv(items, places) * places) <= STREAM_MAX_FILL
            and k_tiles >= STREAM_TILE_K_TILES and stream_programs > tail
            and (whole_rounds >= 2 or (whole_rounds == 1 and tail <= STREAM_ONE_ROUND_TAIL * places))):
        owner = _stream_owner.fn  # the kernel's own (integer arithmetic, so it runs as Python too)
        parts = max(owner((t + 1) * k_tiles - 1, stream_programs, stream_units)
                    - owner(t * k_tiles, stream_programs, stream_units) + 1 for t in range(tail))
        return ServingSchedule(places, True, whole_rounds * places, stream_programs, parts,
                               tail * parts if parts > 1 else 0)
    if config.split_k == 1 and tiles > places:
        return ServingSchedule(places, True, tiles, 0, 1, 0)
    return ServingSchedule(items, False, 0, 0, 1, items if config.split_k > 1 else 0)


def serving_tile(block_m: int) -> ServingTile:
    """The build of ``block_m`` x rows a program."""
    return next(tile for tile in SERVING_TILES if tile.block_m == block_m)


def shared_layouts(block_m: int):
    """The shared-memory layouts of the two TMA boxes (x terms ``[block_m, 128]``, weight ``[64, 128]``), as the
    host's tensor descriptors and an AOT build's signature name them."""
    return (gl.NVMMASharedLayout.get_default_for([block_m, BLOCK_K], gl.float8e4nv),
            gl.NVMMASharedLayout.get_default_for([HALF_ROWS, BLOCK_K], gl.float8e4nv))


def launch_fill(programs: int, m: int, block_m: int, sm_count: int) -> float:
    """How fully a launch of ``programs`` programs of ``block_m`` x rows each uses the GPU: its programs over the
    whole waves of one per SM they make (an SM running two shares its tensor cores between them), times the rows
    64-row tiles would cover over the rows these cover (the tile kernel's launches pad M to 64 rows too: at M = 96
    128-row tiles waste nothing they do not). The measure the serving rule compares launches by."""
    covered = triton.cdiv(m, block_m) * block_m
    return programs / (triton.cdiv(programs, sm_count) * sm_count) * triton.cdiv(m, HALF_ROWS) * HALF_ROWS / covered


def serving_fill(m: int, n: int, sm_count: int, block_m: int = 128, split_k: int = 1) -> float:
    """``launch_fill`` of a serving launch of ``[128, block_m]`` tiles, K split ``split_k`` ways."""
    return launch_fill(triton.cdiv(n, 2 * HALF_ROWS) * triton.cdiv(m, block_m) * split_k, m, block_m, sm_count)


def serving_config(m: int, n: int, k: int, groups: int, block_k: int, sm_count: int,
                   shared_memory: int, tile_fill: Optional[float] = None) -> Optional[KernelConfig]:
    """The serving launch for a split-x call (bf16 x, sm_90; the caller checks those), or None where the rule keeps
    the tile kernel: M = ``SERVING_MIN_M``-``SERVING_MAX_M``, one group, scale blocks a multiple of 128 deep, at
    least ``SERVING_MIN_K_TILES`` K-tiles; of the two builds (``SERVING_TILES``: 128 or 64 x rows a program; the
    64-row one only where its tiles make one wave: two a SM were measured at two points only, 0.98x and 1.13x) the
    one of the larger ``serving_fill`` (ties to 128 rows, which read x half as often; the 128-row build also split K
    2-``SERVING_MAX_SPLIT`` ways where each split keeps ``SERVING_SPLIT_K_TILES``, ties to fewer splits), taken where
    that fill is >= ``SERVING_MIN_FILL`` (``SERVING_ONE_WAVE_FILL`` where 128-row tiles make one wave), or at least
    ``tile_fill`` (the ``launch_fill`` of the tile kernel's launch it would replace, where the caller passes it:
    v56), and shared memory holds it; then, where that is the 128-row build unsplit, the 64-row build if it takes
    fewer waves (v58, below).

    Measured (exp100, H200, NOTES item 96; split x included on both sides, CUDA graphs, weights rotated; 39 points
    of 12 layers, M = 64-512): at all 17 points with a fill >= 0.72 1.05-1.29x the tile kernel's rule launch
    (7168 x 16384 M = 256 / 512 118.6 / 249.6 -> 104.8 / 202.0 us, 18432 x 7168 M = 256 162.0 -> 128.0,
    65536 x 1536 M = 512 227.3 -> 176.6, 14336 x 4096 M = 448 127.0 -> 101.3); at the 22 with a fill <= 0.64
    (56-64 tiles on 132 SMs, or M = 160 / 320 padded to 256 / 384) 0.46-0.92x at 20, 1.00x and 1.05x at two.
    exp101 (the library, serving kernel on against off, 38 points of 17 layers, 7 never timed before): 1.01-1.30x
    where one wave of tiles fills >= 0.85 of the SMs or the tiles take several waves (18432 x 7168 M = 256 164.7 ->
    126.9 us, 10240 x 5120 M = 448 120.7 -> 94.6); 0.82-0.92x at the one-wave launches filling 0.73 (4096 x 8192
    M = 384, 8192 x 1536 M = 192, 4096 x 2048 M = 384) and 0.81-0.96x on K = 512 (32768 x 512): hence the last two
    conditions. exp102 (H200, the 64-row build two per SM, 14 points where the 128-row tiles are too few, NOTES item
    99): 1.11-1.14x the rule launch where its tiles fill >= 0.85 (4096 x 8192 M = 256 39.6 -> 35.8 us, 5120 x 5120
    M = 192 27.6 -> 24.7, 7168 x 16384 M = 128 / 384 74.6 / 194.8 -> 67.2 / 172.7, 2048 x 4096 M = 512, 4096 x 2048
    M = 256), 0.91-0.98x where they fill 0.73 (192 tiles: 60 SMs run two). exp104 (the library, H200): split 2 at
    7168 x 16384 / 18432 M = 128 / 384 1.14-1.23x the serving kernel off (60.8 against 72.9 us at 7168 x 16384
    M = 128; unsplit 88.0). exp105/exp107 (H200, rule v52): the 64-row build in one wave filling 0.73 (96 or 128
    tiles) 1.05-1.14x the tile kernel's 64 x 64 split-x tiles at 12 of 12 points of 11 layers (4096 x 8192 M = 192
    39.7 -> 35.1 us, 3072 x 7168 M = 256 35.6 -> 31.2); the 128-row build in one wave filling 0.73-0.76 won on
    K >= 2816 (1.04-1.18x) and lost on K <= 2048 (0.93-0.94x), so its bound stays 0.8. exp110/exp111 (H200, v54,
    NOTES item 107): where the launch falls below its bound but fills the GPU at least as well as the tile kernel's
    launch (``tile_fill``): exp111 16 of 16 points 1.11-1.30x that launch; exp112 (through the library, every point
    of the V4/V3, unseen and exp108 layers where v56 changes the launch, M = 65-320) 47 of 47, 11 layers,
    1.10-1.34x (3072 x 7168 M = 192 35.3 -> 30.9 us, 5120 x 17408 M = 65 77.4 -> 57.9, 17408 x 5120 M = 256
    121.9 -> 96.7); every loss measured before was against a tile launch filling more.

    v58: where the launch so far is the 128-row build unsplit and its tiles, one a SM, take more waves than the 64-row
    build's, two a SM (its ``per_sm``), the 64-row build instead. That happens only where M's last 128-row
    tile is at most half full (``cdiv(M, 64)`` odd: M = 129-192, 257-320, 385-448): the 64-row tiles cover M in 64
    fewer rows a column of tiles. exp113/exp114 (H200, NOTES item 108; CUDA graphs, weights rotated, best of two
    rounds; the rule's launch against the 64-row build at 53 such points of 31 layers, M = 136-448): at all 30 where
    the 64-row build takes fewer waves 1.04-1.28x (32768 x 1024 M = 160 37.1 -> 29.1 us, 65536 x 1536 M = 192 90.8 ->
    75.8, 18432 x 7168 M = 320 169.9 -> 142.8, 49152 x 7168 M = 136 295.0 -> 230.8); where it takes as many
    (23) 0.91-1.12x (8192 x 7168 M = 400 0.91x, 10240 x 4096 M = 272 0.96x; 7168 x 18432 M = 448 1.08x), so not
    there; where both cover the same rows (13 points) 0.97-1.14x. exp115 (the final rule through the library against
    v56's launch at 24 points of 16 layers no rule was fitted on, M = 144-432): 24 of 24 1.06-1.27x (57344 x 4608
    M = 144 226.8 -> 180.2 us, 25600 x 4608 M = 184 117.1 -> 92.2).

    v62 (the grid persistent since v60): where no launch above clears its bound, the 64-row build in more than one
    wave (two programs a SM walking the tiles) if its fill is larger than theirs and clears ``SERVING_MIN_FILL`` (or
    ``tile_fill``). exp124/exp125 (H200, NOTES item 113; CUDA graphs, weights rotated, best of two rounds; the library
    against v61's): 44 of the 45 points of 21 layers where it changes the launch 1.09-1.24x the tile kernel's
    (18432 x 7168 M = 128 90.4 -> 74.9 us, 20480 x 6144 M = 96 80.0 -> 64.5, 7168 x 3072 M = 384 39.4 -> 34.4; 23
    of them on 8 layers never timed before, 0.96-1.24x), one 0.96x (9216 x 3072 M = 320). The same build in place
    of 128-row launches that clear their bound was mixed (exp125: 36 points, 0.87-1.10x; 7168 x 16384 M = 448 181.1
    -> 207.4 us), and where it fills no better than the 128-row launch that failed it lost (exp124: 4096 x 8192
    M = 384, 4096 x 2048 M = 384, 8192 x 1024 / 1536 M = 192: 0.91-0.94x): neither is taken.

    v64: M = ``SERVING_MAX_M`` + 1 to ``SERVING_LARGE_MAX_M``, the 128-row build unsplit where its fill clears
    ``SERVING_ONE_WAVE_FILL`` (``choose_config`` takes it over the expand path there). exp131/exp132 (H200, NOTES
    item 117; forced, against the rule's expand path): 1.00-1.23x at 10 of 10 points of 10 layers at M = 768 / 1024
    (18432 x 7168 M = 1024 501.2 -> 406.6 us, 65536 x 1536 363.4 -> 312.0, 7168 x 16384 435.1 -> 376.3, 7168 x 3072
    81.8 -> 81.6); at M = 2048 0.88-1.03x and at 4096 0.74-0.93x (there cuBLAS's large tiles, which the expand path
    runs, use the tensor cores better than this kernel's), hence the bound; the 64-row build lost at all six points
    at M = 768 / 1024 where it was timed (0.84-0.93x the 128-row one)."""
    if not (SERVING_MIN_M <= m <= SERVING_LARGE_MAX_M and groups == 1 and block_k % BLOCK_K == 0
            and triton.cdiv(k, BLOCK_K) >= SERVING_MIN_K_TILES):
        return None
    k_tiles = triton.cdiv(k, BLOCK_K)
    if m > SERVING_MAX_M:  # v64: the 128-row build unsplit where it fills the GPU (the caller weighs it against expand)
        wide = SERVING_TILES[0]
        if shared_memory < wide.shared_memory or serving_fill(m, n, sm_count) < SERVING_ONE_WAVE_FILL:
            return None
        return KernelConfig(2 * HALF_ROWS, wide.block_m, BLOCK_K, 1, 4, wide.stages, tma=True, split_x=True,
                            warp_specialized=True)
    splits = [s for s in range(1, SERVING_MAX_SPLIT + 1) if s == 1 or k_tiles // s >= SERVING_SPLIT_K_TILES]
    tiles = {t: triton.cdiv(n, 2 * HALF_ROWS) * triton.cdiv(m, t.block_m) for t in SERVING_TILES}
    # (build, split): the 128-row build split where each split keeps SERVING_SPLIT_K_TILES; the 64-row one unsplit,
    # in one wave; the launch of the best fill, ties to the taller tile and then to fewer splits
    options = [(t, s) for t in SERVING_TILES for s in splits
               if not t.one_wave_only or (s == 1 and tiles[t] <= sm_count)]
    tile, split = max(options, key=lambda o: (serving_fill(m, n, sm_count, o[0].block_m, o[1]), o[0].block_m, -o[1]))
    fill = serving_fill(m, n, sm_count, tile.block_m, split)
    one_wave = tiles[tile] * split <= sm_count
    # a lone 128-row program per SM needs the higher bound in one wave; the 64-row build (always one wave) the lower
    bound = SERVING_ONE_WAVE_FILL if one_wave and not tile.one_wave_only else SERVING_MIN_FILL
    short = SERVING_TILES[-1]
    if fill < bound and (tile_fill is None or fill < tile_fill):
        # v62: no launch above clears its bound; the 64-row build in more than one wave (persistent, two a SM) where
        # it fills the GPU better than they do and clears the lower bound
        short_fill = serving_fill(m, n, sm_count, short.block_m)
        if (tiles[short] <= sm_count or round(short_fill, 9) <= round(fill, 9)
                or (short_fill < SERVING_MIN_FILL and (tile_fill is None or short_fill < tile_fill))):
            return None
        tile, split = short, 1
    if shared_memory < tile.shared_memory:
        return None
    if (tile.block_m > short.block_m and split == 1
            and triton.cdiv(tiles[short], short.per_sm * sm_count) < triton.cdiv(tiles[tile], sm_count)):
        tile = short  # v58: 64-row tiles, two a SM, in fewer waves than 128-row tiles one a SM (less shared memory)
    return KernelConfig(2 * HALF_ROWS, tile.block_m, BLOCK_K, split, 4, tile.stages, tma=True, split_x=True,
                        warp_specialized=True)
