"""Prototype v2 (exp17): Gluon W8A16 wgmma kernel, sm_90. Per program a [BLOCK_N, BLOCK_M] tile of y.T over a
K range (split-K with the ordered reduction):

    acc[n, m] += sum_k bf16(float(w[n, k]) * scale[n // SBN, k // SBK]) * x[m, k]

Two TMA rings: the fp8 weight (W_STAGES deep; a stage is free once every thread has read it into registers) and x
(X_STAGES deep; a stage is free once the wgmma that read it has finished in every warpgroup, two steps later).
Each step: weight stage -> registers -> fp32 * scale -> bf16 -> one of two shared-memory tiles -> async wgmma
(A = weight tile, B = x tile transposed view), at most one wgmma group in flight, so the MMA of step t runs while
step t + 1 converts."""
import torch
import triton
from triton.experimental import gluon
from triton.experimental.gluon import language as gl
from triton.experimental.gluon.language.nvidia.hopper import tma, mbarrier, fence_async_shared, warpgroup_mma, \
    warpgroup_mma_wait


@gluon.jit
def _step(t, first, acc, block_scale, x_desc, w_desc, x_ring, w_ring, w_bf16, x_ready, w_ready, scale_rows, row_ok,
          stride_sk, off_n, off_m, count, cvt_layout: gl.constexpr, SCALE_BLOCK_K: gl.constexpr,
          W_STAGES: gl.constexpr, X_STAGES: gl.constexpr, USE_ACC: gl.constexpr):
    BLOCK_K: gl.constexpr = w_desc.block_type.shape[1]
    next_scale = gl.load(scale_rows + ((first + t + 1) * BLOCK_K // SCALE_BLOCK_K) * stride_sk,
                         mask=row_ok & (t + 1 < count), other=0.0)
    ws = t % W_STAGES
    mbarrier.wait(w_ready.index(ws), (t // W_STAGES) & 1)
    w8 = w_ring.index(ws).load(cvt_layout)
    w = (w8.to(gl.float8e4nv, bitcast=True).to(gl.float32) * block_scale[:, None]).to(gl.bfloat16)
    buf = w_bf16.index(t % 2)
    buf.store(w)
    fence_async_shared()
    gl.thread_barrier()  # weight stage ws read by all; the tile stored by all; every warpgroup past wgmma t - 2
    wn = t + W_STAGES
    mbarrier.expect(w_ready.index(ws), w_desc.block_type.nbytes, pred=wn < count)
    tma.async_copy_global_to_shared(w_desc, [off_n, (first + wn) * BLOCK_K], w_ready.index(ws), w_ring.index(ws),
                                    pred=wn < count)
    xn = t - 2 + X_STAGES
    xs_free = xn % X_STAGES
    x_refill = (t >= 2) & (xn < count)
    mbarrier.expect(x_ready.index(xs_free), x_desc.block_type.nbytes, pred=x_refill)
    tma.async_copy_global_to_shared(x_desc, [off_m, (first + xn) * BLOCK_K], x_ready.index(xs_free),
                                    x_ring.index(xs_free), pred=x_refill)
    xs = t % X_STAGES
    mbarrier.wait(x_ready.index(xs), (t // X_STAGES) & 1)
    acc = warpgroup_mma(buf, x_ring.index(xs).permute((1, 0)), acc, use_acc=USE_ACC, is_async=True)
    return warpgroup_mma_wait(num_outstanding=1, deps=(acc, )), next_scale


@gluon.jit
def fp8_wgmma_kernel(x_desc, w_desc, scale_ptr, out_ptr, partial_ptr, counter_ptr, M, N, K, stride_sn, stride_sk,
                     stride_om, SCALE_BLOCK_N: gl.constexpr, SCALE_BLOCK_K: gl.constexpr, W_STAGES: gl.constexpr,
                     X_STAGES: gl.constexpr, SPLIT_K: gl.constexpr, num_warps: gl.constexpr):
    BLOCK_N: gl.constexpr = w_desc.block_type.shape[0]
    BLOCK_K: gl.constexpr = w_desc.block_type.shape[1]
    BLOCK_M: gl.constexpr = x_desc.block_type.shape[0]
    num_m = gl.cdiv(M, BLOCK_M)
    tile = gl.program_id(0)
    split = gl.program_id(1)
    pid_m = tile % num_m  # programs sharing a weight tile run side by side
    pid_n = tile // num_m
    off_n = pid_n * BLOCK_N
    off_m = pid_m * BLOCK_M
    k_tiles = gl.cdiv(K, BLOCK_K)
    per_split = gl.cdiv(k_tiles, SPLIT_K)
    first = split * per_split
    count = gl.minimum(per_split, k_tiles - first)  # >= 1: the host picks SPLIT_K so

    x_ring = gl.allocate_shared_memory(x_desc.dtype, [X_STAGES, BLOCK_M, BLOCK_K], x_desc.layout)
    w_ring = gl.allocate_shared_memory(w_desc.dtype, [W_STAGES, BLOCK_N, BLOCK_K], w_desc.layout)
    wb_layout: gl.constexpr = gl.NVMMASharedLayout.get_default_for([BLOCK_N, BLOCK_K], gl.bfloat16)
    w_bf16 = gl.allocate_shared_memory(gl.bfloat16, [2, BLOCK_N, BLOCK_K], wb_layout)
    x_ready = gl.allocate_shared_memory(gl.int64, [X_STAGES, 1], mbarrier.MBarrierLayout())
    w_ready = gl.allocate_shared_memory(gl.int64, [W_STAGES, 1], mbarrier.MBarrierLayout())
    for i in gl.static_range(X_STAGES):
        mbarrier.init(x_ready.index(i), count=1)
    for i in gl.static_range(W_STAGES):
        mbarrier.init(w_ready.index(i), count=1)
    for i in gl.static_range(W_STAGES):
        mbarrier.expect(w_ready.index(i), w_desc.block_type.nbytes, pred=i < count)
        tma.async_copy_global_to_shared(w_desc, [off_n, (first + i) * BLOCK_K], w_ready.index(i), w_ring.index(i),
                                        pred=i < count)
    for i in gl.static_range(X_STAGES):
        mbarrier.expect(x_ready.index(i), x_desc.block_type.nbytes, pred=i < count)
        tma.async_copy_global_to_shared(x_desc, [off_m, (first + i) * BLOCK_K], x_ready.index(i), x_ring.index(i),
                                        pred=i < count)

    TPR: gl.constexpr = BLOCK_K // 16  # 16 bytes of a weight row per thread
    cvt_layout: gl.constexpr = gl.BlockedLayout([1, 16], [32 // TPR, TPR], [num_warps, 1], [1, 0])
    rows = off_n + gl.arange(0, BLOCK_N, layout=gl.SliceLayout(1, cvt_layout))
    scale_rows = scale_ptr + (rows // SCALE_BLOCK_N) * stride_sn
    row_ok = rows < N
    mma_layout: gl.constexpr = gl.NVMMADistributedLayout(version=[3, 0], warps_per_cta=[num_warps, 1],
                                                        instr_shape=[16, BLOCK_M, 16])
    acc = gl.zeros((BLOCK_N, BLOCK_M), dtype=gl.float32, layout=mma_layout)
    block_scale = gl.load(scale_rows + (first * BLOCK_K // SCALE_BLOCK_K) * stride_sk, mask=row_ok, other=0.0)
    # step 0 outside the loop: no zero-trip path defines the accumulator while a wgmma is in flight (ptxas would
    # serialize every wgmma otherwise)
    acc, block_scale = _step(0, first, acc, block_scale, x_desc, w_desc, x_ring, w_ring, w_bf16, x_ready, w_ready,
                             scale_rows, row_ok, stride_sk, off_n, off_m, count, cvt_layout, SCALE_BLOCK_K, W_STAGES,
                             X_STAGES, False)
    for t in range(1, count):
        acc, block_scale = _step(t, first, acc, block_scale, x_desc, w_desc, x_ring, w_ring, w_bf16, x_ready, w_ready,
                                 scale_rows, row_ok, stride_sk, off_n, off_m, count, cvt_layout, SCALE_BLOCK_K,
                                 W_STAGES, X_STAGES, True)
    acc = warpgroup_mma_wait(num_outstanding=0, deps=(acc, ))
    for i in gl.static_range(X_STAGES):
        mbarrier.invalidate(x_ready.index(i))
    for i in gl.static_range(W_STAGES):
        mbarrier.invalidate(w_ready.index(i))

    # epilogue: y[m, n] = acc[n, m], n fastest across threads
    LN: gl.constexpr = BLOCK_N // 8 if BLOCK_N < 256 else 32
    out_layout: gl.constexpr = gl.BlockedLayout([8, 1], [LN, 32 // LN], [1, num_warps], [0, 1])
    offs_n = off_n + gl.arange(0, BLOCK_N, layout=gl.SliceLayout(1, out_layout))
    offs_m = off_m + gl.arange(0, BLOCK_M, layout=gl.SliceLayout(0, out_layout))
    mask = (offs_n[:, None] < N) & (offs_m[None, :] < M)
    out_ptrs = out_ptr + offs_m[None, :] * stride_om + offs_n[:, None]
    if SPLIT_K == 1:
        gl.store(out_ptrs, gl.convert_layout(acc.to(gl.bfloat16), out_layout), mask=mask)
    else:
        part_ptrs = partial_ptr + offs_m[None, :] * N + offs_n[:, None]
        gl.store(part_ptrs + split * M * N, gl.convert_layout(acc, out_layout), mask=mask)
        arrived = gl.atomic_add(counter_ptr + tile, 1, sem="acq_rel")
        if arrived == SPLIT_K - 1:
            total = gl.zeros((BLOCK_N, BLOCK_M), dtype=gl.float32, layout=out_layout)
            for s in range(SPLIT_K):
                total += gl.load(part_ptrs + s * M * N, mask=mask, other=0.0, cache_modifier=".cg")
            gl.store(out_ptrs, total.to(gl.bfloat16), mask=mask)
            gl.atomic_xchg(counter_ptr + tile, 0)


_WORK = {}


def launch(x, w, scale, out, block_n=128, block_m=128, block_k=64, w_stages=4, x_stages=4, split_k=1, num_warps=8):
    from triton.experimental.gluon.nvidia.hopper import TensorDescriptor
    m, k = x.shape
    n = w.shape[0]
    w8 = w.view(torch.uint8)
    k_tiles = triton.cdiv(k, block_k)
    split_k = triton.cdiv(k_tiles, triton.cdiv(k_tiles, split_k))  # every split gets >= 1 K-tile
    x_layout = gl.NVMMASharedLayout.get_default_for([block_m, block_k], gl.bfloat16)
    w_layout = gl.NVMMASharedLayout.get_default_for([block_n, block_k], gl.uint8)
    x_desc = TensorDescriptor(x, list(x.shape), list(x.stride()), [block_m, block_k], x_layout)
    w_desc = TensorDescriptor(w8, list(w8.shape), list(w8.stride()), [block_n, block_k], w_layout)
    tiles = triton.cdiv(n, block_n) * triton.cdiv(m, block_m)
    partial = counter = out
    if split_k > 1:
        key = (x.device, split_k * m * n, tiles)
        if key not in _WORK:
            _WORK[key] = (torch.empty(split_k * m * n, device=x.device, dtype=torch.float32),
                          torch.zeros(tiles, device=x.device, dtype=torch.int32))
        partial, counter = _WORK[key]
    fp8_wgmma_kernel[(tiles, split_k)](x_desc, w_desc, scale, out, partial, counter, m, n, k, scale.stride(0),
                                       scale.stride(1), out.stride(0), 128, 128, w_stages, x_stages, split_k,
                                       num_warps=num_warps)
    return out
