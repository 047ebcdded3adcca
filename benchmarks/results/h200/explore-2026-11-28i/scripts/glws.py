"""glws (exp99): a warp-specialized Gluon split-x kernel for sm_90 -- two math warpgroups that each wait for their
own K-tile's wgmmas (the scale reads the sum), fed by a one-warp TMA loader, so one warpgroup's wait and scaling
overlap the other's wgmmas and the loads run ahead without the math warps issuing them.

Per program a [BLOCK_N = 128, BLOCK_M] tile of y.T over a K range; warpgroup g holds weight rows g*64 .. g*64+63.
x arrives as the library's split terms ([2L, K] e4m3: high rows 0..M-1, low rows L..L+M-1, L = ceil(M / BLOCK_M) *
BLOCK_M, and a power-of-two scale per row, from the library's ``_split_x_kernel``); the weight as stored::

    part_t[n, m] = sum_{k in t} w[n, k] * (high[m, k] + low[m, k])      (two fp8 x fp8 wgmmas, fresh sum, waited)
    acc[n, m]   += scale[n // SBN, t] * part_t[n, m]                       (fp32 FMAs)
    y[m, n]      = x_scale[m] * acc[n, m]

Split-K: SPLIT_K programs share a tile; the last to arrive sums the fp32 partials in split order (deterministic)."""
import torch
import triton
from triton.experimental import gluon
from triton.experimental.gluon import language as gl
from triton.experimental.gluon.language.nvidia.hopper import tma, mbarrier, warpgroup_mma, warpgroup_mma_wait

HALF_ROWS = 64
HALF = gl.constexpr(HALF_ROWS)  # weight rows per math warpgroup


@gluon.jit
def _loader(x_desc, w_desc, w_top, w_bottom, hi_ring, lo_ring, ready, empty, off_n, off_m, low_row, first, count):
    BLOCK_K: gl.constexpr = w_desc.block_type.shape[1]
    STAGES: gl.constexpr = hi_ring.type.shape[0]
    nbytes: gl.constexpr = 2 * w_desc.block_type.nbytes + 2 * x_desc.block_type.nbytes
    for t in range(count):
        s = t % STAGES
        mbarrier.wait(empty.index(s), ((t // STAGES) & 1) ^ 1)  # a fresh barrier passes phase 1 at once
        mbarrier.expect(ready.index(s), nbytes)
        k_off = (first + t) * BLOCK_K
        tma.async_copy_global_to_shared(w_desc, [off_n, k_off], ready.index(s), w_top.index(s))
        tma.async_copy_global_to_shared(w_desc, [off_n + HALF, k_off], ready.index(s), w_bottom.index(s))
        tma.async_copy_global_to_shared(x_desc, [off_m, k_off], ready.index(s), hi_ring.index(s))
        tma.async_copy_global_to_shared(x_desc, [low_row + off_m, k_off], ready.index(s), lo_ring.index(s))


@gluon.jit
def _math(w_ring, hi_ring, lo_ring, ready, empty, scale_ptr, x_scale_ptr, out_ptr, partial_ptr, counter_ptr,
          M, N, off_n, off_m, first, count, stride_sn, stride_sk, stride_om, tile, split,
          SCALE_BLOCK_N: gl.constexpr, SCALE_BLOCK_K: gl.constexpr, SPLIT_K: gl.constexpr):
    STAGES: gl.constexpr = hi_ring.type.shape[0]
    BLOCK_M: gl.constexpr = hi_ring.type.shape[1]
    BLOCK_K: gl.constexpr = hi_ring.type.shape[2]
    mma_layout: gl.constexpr = gl.NVMMADistributedLayout(version=[3, 0], warps_per_cta=[4, 1],
                                                        instr_shape=[16, BLOCK_M, 32])
    rows = off_n + gl.arange(0, HALF, layout=gl.SliceLayout(1, mma_layout))
    scale_rows = scale_ptr + (gl.minimum(rows, N - 1) // SCALE_BLOCK_N) * stride_sn
    acc = gl.zeros((HALF, BLOCK_M), dtype=gl.float32, layout=mma_layout)
    fresh = gl.zeros((HALF, BLOCK_M), dtype=gl.float32, layout=mma_layout)
    for t in range(count):
        s = t % STAGES
        block_scale = gl.load(scale_rows + ((first + t) * BLOCK_K // SCALE_BLOCK_K) * stride_sk)
        mbarrier.wait(ready.index(s), (t // STAGES) & 1)
        part = warpgroup_mma(w_ring.index(s), hi_ring.index(s).permute((1, 0)), fresh, use_acc=False,
                             is_async=True)
        part = warpgroup_mma(w_ring.index(s), lo_ring.index(s).permute((1, 0)), part, is_async=True)
        part = warpgroup_mma_wait(num_outstanding=0, deps=(part, ))
        mbarrier.arrive(empty.index(s), count=1)
        acc += part * block_scale[:, None]
    cols = off_m + gl.arange(0, BLOCK_M, layout=gl.SliceLayout(0, mma_layout))
    acc *= gl.load(x_scale_ptr + cols, mask=cols < M, other=0.0)[None, :]

    # y[m, n] = acc[n, m], n fastest across threads
    out_layout: gl.constexpr = gl.BlockedLayout([8, 1], [8, 4], [1, 4], [0, 1])
    offs_n = off_n + gl.arange(0, HALF, layout=gl.SliceLayout(1, out_layout))
    offs_m = off_m + gl.arange(0, BLOCK_M, layout=gl.SliceLayout(0, out_layout))
    mask = (offs_n[:, None] < N) & (offs_m[None, :] < M)
    out_ptrs = out_ptr + offs_m[None, :] * stride_om + offs_n[:, None]
    if SPLIT_K == 1:
        gl.store(out_ptrs, gl.convert_layout(acc.to(gl.bfloat16), out_layout), mask=mask)
    else:
        part_ptrs = partial_ptr + offs_m[None, :] * N + offs_n[:, None]
        gl.store(part_ptrs + split * M * N, gl.convert_layout(acc, out_layout), mask=mask)
        # one counter per (tile, warpgroup half): each half's partials are written by its own warpgroup
        slot = tile * 2 + (off_n // HALF) % 2
        arrived = gl.atomic_add(counter_ptr + slot, 1, sem="acq_rel")
        if arrived == SPLIT_K - 1:
            total = gl.zeros((HALF, BLOCK_M), dtype=gl.float32, layout=out_layout)
            for i in range(SPLIT_K):
                total += gl.load(part_ptrs + i * M * N, mask=mask, other=0.0, cache_modifier=".cg")
            gl.store(out_ptrs, total.to(gl.bfloat16), mask=mask)
            gl.atomic_xchg(counter_ptr + slot, 0)


@gluon.jit
def split_x_ws_kernel(x_desc, w_desc, scale_ptr, x_scale_ptr, out_ptr, partial_ptr, counter_ptr, M, N, K, low_row,
                      stride_sn, stride_sk, stride_om, SCALE_BLOCK_N: gl.constexpr, SCALE_BLOCK_K: gl.constexpr,
                      STAGES: gl.constexpr, SPLIT_K: gl.constexpr, MATH_REGS: gl.constexpr,
                      num_warps: gl.constexpr):
    BLOCK_K: gl.constexpr = w_desc.block_type.shape[1]
    BLOCK_M: gl.constexpr = x_desc.block_type.shape[0]
    num_m = gl.cdiv(M, BLOCK_M)
    tile = gl.program_id(0)
    split = gl.program_id(1)
    pid_m = tile % num_m  # programs sharing a weight tile run side by side
    pid_n = tile // num_m
    off_n = pid_n * 2 * HALF
    off_m = pid_m * BLOCK_M
    k_tiles = gl.cdiv(K, BLOCK_K)
    per_split = gl.cdiv(k_tiles, SPLIT_K)
    first = split * per_split
    count = gl.minimum(per_split, k_tiles - first)  # >= 1: the host picks SPLIT_K so

    w_top = gl.allocate_shared_memory(w_desc.dtype, [STAGES, HALF, BLOCK_K], w_desc.layout)
    w_bottom = gl.allocate_shared_memory(w_desc.dtype, [STAGES, HALF, BLOCK_K], w_desc.layout)
    hi_ring = gl.allocate_shared_memory(x_desc.dtype, [STAGES, BLOCK_M, BLOCK_K], x_desc.layout)
    lo_ring = gl.allocate_shared_memory(x_desc.dtype, [STAGES, BLOCK_M, BLOCK_K], x_desc.layout)
    ready = gl.allocate_shared_memory(gl.int64, [STAGES, 1], mbarrier.MBarrierLayout())
    empty = gl.allocate_shared_memory(gl.int64, [STAGES, 1], mbarrier.MBarrierLayout())
    for i in gl.static_range(STAGES):
        mbarrier.init(ready.index(i), count=1)
        mbarrier.init(empty.index(i), count=2)  # both math warpgroups release a stage

    gl.warp_specialize([
        (_math, (w_top, hi_ring, lo_ring, ready, empty, scale_ptr, x_scale_ptr, out_ptr, partial_ptr, counter_ptr,
                 M, N, off_n, off_m, first, count, stride_sn, stride_sk, stride_om, tile, split,
                 SCALE_BLOCK_N, SCALE_BLOCK_K, SPLIT_K)),
        (_math, (w_bottom, hi_ring, lo_ring, ready, empty, scale_ptr, x_scale_ptr, out_ptr, partial_ptr,
                 counter_ptr, M, N, off_n + HALF, off_m, first, count, stride_sn, stride_sk, stride_om, tile, split,
                 SCALE_BLOCK_N, SCALE_BLOCK_K, SPLIT_K)),
        (_loader, (x_desc, w_desc, w_top, w_bottom, hi_ring, lo_ring, ready, empty, off_n, off_m, low_row, first,
                   count)),
    ], [4, 1], [MATH_REGS, 24])



@gluon.jit
def _owner(it, total, programs):
    """The program whose iteration range holds iteration ``it`` (ranges start at p * total // programs)."""
    return ((it + 1) * programs + total - 1) // total - 1


@gluon.jit
def _sk_range(total):
    programs = gl.num_programs(0)
    p = gl.program_id(0)
    return p * total // programs, (p + 1) * total // programs


@gluon.jit
def _sk_loader(x_desc, w_desc, w_top, w_bottom, hi_ring, lo_ring, ready, empty, M, N, K, low_row):
    BLOCK_K: gl.constexpr = w_desc.block_type.shape[1]
    BLOCK_M: gl.constexpr = x_desc.block_type.shape[0]
    STAGES: gl.constexpr = hi_ring.type.shape[0]
    nbytes: gl.constexpr = 2 * w_desc.block_type.nbytes + 2 * x_desc.block_type.nbytes
    k_tiles = gl.cdiv(K, BLOCK_K)
    num_m = gl.cdiv(M, BLOCK_M)
    total = gl.cdiv(N, 2 * HALF) * num_m * k_tiles
    start, end = _sk_range(total)
    for it in range(start, end):
        c = it - start
        s = c % STAGES
        tile = it // k_tiles
        off_n = (tile // num_m) * 2 * HALF
        off_m = (tile % num_m) * BLOCK_M
        k_off = (it % k_tiles) * BLOCK_K
        mbarrier.wait(empty.index(s), ((c // STAGES) & 1) ^ 1)
        mbarrier.expect(ready.index(s), nbytes)
        tma.async_copy_global_to_shared(w_desc, [off_n, k_off], ready.index(s), w_top.index(s))
        tma.async_copy_global_to_shared(w_desc, [off_n + HALF, k_off], ready.index(s), w_bottom.index(s))
        tma.async_copy_global_to_shared(x_desc, [off_m, k_off], ready.index(s), hi_ring.index(s))
        tma.async_copy_global_to_shared(x_desc, [low_row + off_m, k_off], ready.index(s), lo_ring.index(s))


@gluon.jit
def _sk_math(w_ring, hi_ring, lo_ring, ready, empty, scale_ptr, x_scale_ptr, out_ptr, partial_ptr, counter_ptr,
             M, N, K, stride_sn, stride_sk, stride_om, HALF_INDEX: gl.constexpr,
             SCALE_BLOCK_N: gl.constexpr, SCALE_BLOCK_K: gl.constexpr):
    STAGES: gl.constexpr = hi_ring.type.shape[0]
    BLOCK_M: gl.constexpr = hi_ring.type.shape[1]
    BLOCK_K: gl.constexpr = hi_ring.type.shape[2]
    mma_layout: gl.constexpr = gl.NVMMADistributedLayout(version=[3, 0], warps_per_cta=[4, 1],
                                                        instr_shape=[16, BLOCK_M, 32])
    out_layout: gl.constexpr = gl.BlockedLayout([8, 1], [8, 4], [1, 4], [0, 1])
    k_tiles = gl.cdiv(K, BLOCK_K)
    num_m = gl.cdiv(M, BLOCK_M)
    total = gl.cdiv(N, 2 * HALF) * num_m * k_tiles
    programs = gl.num_programs(0)
    p = gl.program_id(0)
    start, end = _sk_range(total)
    fresh = gl.zeros((HALF, BLOCK_M), dtype=gl.float32, layout=mma_layout)
    it = start
    while it < end:
        tile = it // k_tiles
        seg_end = gl.minimum(end, (tile + 1) * k_tiles)
        off_n = (tile // num_m) * 2 * HALF + HALF_INDEX * HALF
        off_m = (tile % num_m) * BLOCK_M
        rows = off_n + gl.arange(0, HALF, layout=gl.SliceLayout(1, mma_layout))
        scale_rows = scale_ptr + (gl.minimum(rows, N - 1) // SCALE_BLOCK_N) * stride_sn
        acc = gl.zeros((HALF, BLOCK_M), dtype=gl.float32, layout=mma_layout)
        for j in range(it, seg_end):
            c = j - start
            s = c % STAGES
            block_scale = gl.load(scale_rows + ((j % k_tiles) * BLOCK_K // SCALE_BLOCK_K) * stride_sk)
            mbarrier.wait(ready.index(s), (c // STAGES) & 1)
            part = warpgroup_mma(w_ring.index(s), hi_ring.index(s).permute((1, 0)), fresh, use_acc=False,
                                 is_async=True)
            part = warpgroup_mma(w_ring.index(s), lo_ring.index(s).permute((1, 0)), part, is_async=True)
            part = warpgroup_mma_wait(num_outstanding=0, deps=(part, ))
            mbarrier.arrive(empty.index(s), count=1)
            acc += part * block_scale[:, None]

        offs_n = off_n + gl.arange(0, HALF, layout=gl.SliceLayout(1, out_layout))
        offs_m = off_m + gl.arange(0, BLOCK_M, layout=gl.SliceLayout(0, out_layout))
        mask = (offs_n[:, None] < N) & (offs_m[None, :] < M)
        out_ptrs = out_ptr + offs_m[None, :] * stride_om + offs_n[:, None]
        x_scale = gl.load(x_scale_ptr + offs_m, mask=offs_m < M, other=0.0)
        whole = (it == tile * k_tiles) & (seg_end == (tile + 1) * k_tiles)
        if whole:
            gl.store(out_ptrs, (gl.convert_layout(acc, out_layout) * x_scale[None, :]).to(gl.bfloat16), mask=mask)
        else:
            # this program's partial of the tile: slot 2p (its first segment) or 2p + 1 (its last)
            which = (it != start).to(gl.int32)
            slot_rows = gl.arange(0, HALF, layout=gl.SliceLayout(1, out_layout)) + HALF_INDEX * HALF
            slot_cols = gl.arange(0, BLOCK_M, layout=gl.SliceLayout(0, out_layout))
            slot_offs = slot_rows[:, None] * BLOCK_M + slot_cols[None, :]
            gl.store(partial_ptr + (2 * p + which) * (2 * HALF * BLOCK_M) + slot_offs,
                     gl.convert_layout(acc, out_layout))
            first_p = _owner(tile * k_tiles, total, programs)
            last_p = _owner((tile + 1) * k_tiles - 1, total, programs)
            gl.thread_barrier()
            arrived = gl.atomic_add(counter_ptr + tile * 2 + HALF_INDEX, 1, sem="acq_rel")
            if arrived == last_p - first_p:
                sum_ = gl.zeros((HALF, BLOCK_M), dtype=gl.float32, layout=out_layout)
                for q in range(first_p, last_p + 1):
                    q_which = ((q * total // programs) // k_tiles != tile).to(gl.int32)
                    sum_ += gl.load(partial_ptr + (2 * q + q_which) * (2 * HALF * BLOCK_M) + slot_offs,
                                    cache_modifier=".cg")
                gl.store(out_ptrs, (sum_ * x_scale[None, :]).to(gl.bfloat16), mask=mask)
                gl.atomic_xchg(counter_ptr + tile * 2 + HALF_INDEX, 0)
        it = seg_end


@gluon.jit
def split_x_sk_kernel(x_desc, w_desc, scale_ptr, x_scale_ptr, out_ptr, partial_ptr, counter_ptr, M, N, K, low_row,
                      stride_sn, stride_sk, stride_om, SCALE_BLOCK_N: gl.constexpr, SCALE_BLOCK_K: gl.constexpr,
                      STAGES: gl.constexpr, MATH_REGS: gl.constexpr, num_warps: gl.constexpr):
    """Persistent stream-K form: program p runs iterations [p * total // P, (p + 1) * total // P) of the
    (tile, K-tile) sequence; a tile cut between programs is summed by its last contributor in program order."""
    BLOCK_K: gl.constexpr = w_desc.block_type.shape[1]
    BLOCK_M: gl.constexpr = x_desc.block_type.shape[0]
    w_top = gl.allocate_shared_memory(w_desc.dtype, [STAGES, HALF, BLOCK_K], w_desc.layout)
    w_bottom = gl.allocate_shared_memory(w_desc.dtype, [STAGES, HALF, BLOCK_K], w_desc.layout)
    hi_ring = gl.allocate_shared_memory(x_desc.dtype, [STAGES, BLOCK_M, BLOCK_K], x_desc.layout)
    lo_ring = gl.allocate_shared_memory(x_desc.dtype, [STAGES, BLOCK_M, BLOCK_K], x_desc.layout)
    ready = gl.allocate_shared_memory(gl.int64, [STAGES, 1], mbarrier.MBarrierLayout())
    empty = gl.allocate_shared_memory(gl.int64, [STAGES, 1], mbarrier.MBarrierLayout())
    for i in gl.static_range(STAGES):
        mbarrier.init(ready.index(i), count=1)
        mbarrier.init(empty.index(i), count=2)
    gl.warp_specialize([
        (_sk_math, (w_top, hi_ring, lo_ring, ready, empty, scale_ptr, x_scale_ptr, out_ptr, partial_ptr,
                    counter_ptr, M, N, K, stride_sn, stride_sk, stride_om, 0, SCALE_BLOCK_N, SCALE_BLOCK_K)),
        (_sk_math, (w_bottom, hi_ring, lo_ring, ready, empty, scale_ptr, x_scale_ptr, out_ptr, partial_ptr,
                    counter_ptr, M, N, K, stride_sn, stride_sk, stride_om, 1, SCALE_BLOCK_N, SCALE_BLOCK_K)),
        (_sk_loader, (x_desc, w_desc, w_top, w_bottom, hi_ring, lo_ring, ready, empty, M, N, K, low_row)),
    ], [4, 1], [MATH_REGS, 24])


def _layouts(block_m, block_k):
    return (gl.NVMMASharedLayout.get_default_for([block_m, block_k], gl.float8e4nv),
            gl.NVMMASharedLayout.get_default_for([HALF_ROWS, block_k], gl.float8e4nv))


def low_terms_row(m, block_m):
    return triton.cdiv(m, block_m) * block_m


_WORK = {}


def launch(terms, x_scale, m, w, scale, out, block_m=128, stages=4, split_k=1, math_regs=232, maxnreg=None):
    """y = x @ dequant(w, scale).T from the split terms ``terms`` [2L, K] (L = low_terms_row(m, block_m))."""
    from triton.experimental.gluon.nvidia.hopper import TensorDescriptor
    k = terms.shape[1]
    n = w.shape[0]
    block_k = 128
    k_tiles = triton.cdiv(k, block_k)
    split_k = triton.cdiv(k_tiles, triton.cdiv(k_tiles, split_k))  # every split gets >= 1 K-tile
    x_layout, w_layout = _layouts(block_m, block_k)
    x8 = terms.view(torch.float8_e4m3fn)
    w8 = w.view(torch.float8_e4m3fn)
    x_desc = TensorDescriptor(x8, list(x8.shape), list(x8.stride()), [block_m, block_k], x_layout)
    w_desc = TensorDescriptor(w8, list(w8.shape), list(w8.stride()), [HALF_ROWS, block_k], w_layout)
    tiles = triton.cdiv(n, 2 * HALF_ROWS) * triton.cdiv(m, block_m)
    partial = counter = out
    if split_k > 1:
        key = (terms.device, split_k * m * n, tiles)
        if key not in _WORK:
            _WORK[key] = (torch.empty(split_k * m * n, device=terms.device, dtype=torch.float32),
                          torch.zeros(2 * tiles, device=terms.device, dtype=torch.int32))
        partial, counter = _WORK[key]
    options = {"num_warps": 4}
    if maxnreg:
        options["maxnreg"] = maxnreg
    split_x_ws_kernel[(tiles, split_k)](x_desc, w_desc, scale, x_scale, out, partial, counter, m, n, k,
                                        low_terms_row(m, block_m), scale.stride(0), scale.stride(1), out.stride(0),
                                        128, 128, stages, split_k, math_regs, **options)
    return out


_SK_WORK = {}


def launch_sk(terms, x_scale, m, w, scale, out, block_m=128, stages=4, programs=None, math_regs=232):
    """The stream-K form on ``programs`` persistent programs (default: one per SM)."""
    from triton.experimental.gluon.nvidia.hopper import TensorDescriptor
    k = terms.shape[1]
    n = w.shape[0]
    programs = programs or torch.cuda.get_device_properties(terms.device).multi_processor_count
    tiles = triton.cdiv(n, 2 * HALF_ROWS) * triton.cdiv(m, block_m)
    programs = min(programs, tiles * triton.cdiv(k, 128))
    x_layout, w_layout = _layouts(block_m, 128)
    x8 = terms.view(torch.float8_e4m3fn)
    w8 = w.view(torch.float8_e4m3fn)
    x_desc = TensorDescriptor(x8, list(x8.shape), list(x8.stride()), [block_m, 128], x_layout)
    w_desc = TensorDescriptor(w8, list(w8.shape), list(w8.stride()), [HALF_ROWS, 128], w_layout)
    key = (terms.device, programs, block_m, tiles)
    if key not in _SK_WORK:
        _SK_WORK[key] = (torch.empty(2 * programs * 2 * HALF_ROWS * block_m, device=terms.device, dtype=torch.float32),
                         torch.zeros(2 * tiles, device=terms.device, dtype=torch.int32))
    partial, counter = _SK_WORK[key]
    split_x_sk_kernel[(programs, )](x_desc, w_desc, scale, x_scale, out, partial, counter, m, n, k,
                                    low_terms_row(m, block_m), scale.stride(0), scale.stride(1), out.stride(0),
                                    128, 128, stages, math_regs, num_warps=4)
    return out


def compile_offline(block_m=128, stages=4, split_k=1, math_regs=232, maxnreg=None, capability=90, stream_k=False):
    """The sm_90 build without a GPU (registers, shared memory, SASS)."""
    from triton.backends.compiler import GPUTarget
    from triton.experimental.gluon._runtime import GluonASTSource
    x_layout, w_layout = _layouts(block_m, 128)
    signature = {"x_desc": f"tensordesc<fp8e4nv[{block_m}, 128],{x_layout!r}>",
                 "w_desc": f"tensordesc<fp8e4nv[{HALF_ROWS}, 128],{w_layout!r}>",
                 "scale_ptr": "*fp32", "x_scale_ptr": "*fp32", "out_ptr": "*bf16", "partial_ptr": "*fp32",
                 "counter_ptr": "*i32", "M": "i32", "N": "i32", "K": "i32", "low_row": "i32", "stride_sn": "i32",
                 "stride_sk": "i32", "stride_om": "i32"}
    constexprs = {"SCALE_BLOCK_N": 128, "SCALE_BLOCK_K": 128, "STAGES": stages, "SPLIT_K": split_k,
                  "MATH_REGS": math_regs, "num_warps": 4}
    if stream_k:
        del constexprs["SPLIT_K"]
    signature.update({name: "constexpr" for name in constexprs})
    source = GluonASTSource(split_x_sk_kernel if stream_k else split_x_ws_kernel, signature, constexprs)
    options = {"num_warps": 4}
    if maxnreg:
        options["maxnreg"] = maxnreg
    return triton.compile(source, target=GPUTarget("cuda", capability, 32), options=options)


if __name__ == "__main__":  # offline: build the variants, show registers, shared memory and the waits
    import os
    import re
    import subprocess
    import tempfile
    import triton.backends.nvidia
    bin_dir = os.path.join(os.path.dirname(triton.backends.nvidia.__file__), "bin")
    for block_m, stages, split_k, regs, maxnreg in ((128, 4, 1, 232, None), (128, 4, 0, 232, None),
                                                    (64, 6, 0, 232, None), (64, 4, 0, 232, None)):
        try:
            kernel = compile_offline(block_m, stages, split_k, regs, maxnreg, stream_k=split_k == 0)
        except Exception as exc:  # noqa: BLE001
            print(f"BM {block_m} st {stages} split {split_k}: {type(exc).__name__}: {str(exc)[:800]}")
            continue
        with tempfile.NamedTemporaryFile(suffix=".cubin") as f:
            f.write(kernel.asm["cubin"])
            f.flush()
            sass = subprocess.run([os.path.join(bin_dir, "nvdisasm"), "-c", f.name], capture_output=True,
                                  text=True).stdout
            usage = subprocess.run([os.path.join(bin_dir, "cuobjdump"), "--dump-resource-usage", f.name],
                                   capture_output=True, text=True).stdout
        waits = re.findall(r"WARPGROUP.DEPBAR.LE gsb0, 0x([0-9a-f]+)", sass)
        bars = sorted(set(re.findall(r"BAR\.[A-Z.]+ [^;]*", sass)))[:8]
        print(f"BM {block_m} st {stages} split {split_k} regs {regs}: shared {kernel.metadata.shared} B, "
              f"{' '.join(re.findall(r'(REG:[0-9]+|STACK:[0-9]+|LOCAL:[0-9]+)', usage))}, "
              f"QGMMA {sass.count('QGMMA')}, waits {waits}, bars {bars}")
