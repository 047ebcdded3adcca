"""Prototype (exp15): a Gluon W8A16 kernel for M >= 128 on sm_90 whose tensor-core work overlaps the fp8 -> bf16
conversion. acc[BLOCK_N, BLOCK_M] = W_bf16[BLOCK_N, BK] @ x[BLOCK_M, BK]^T per K-step, both operands from shared
memory: TMA ring (fp8 weight, bf16 x) -> registers (convert, scale) -> double-buffered bf16 weight tile in shared
memory -> async wgmma, one wgmma group in flight while the next tile converts."""
import triton
from triton.experimental import gluon
from triton.experimental.gluon import language as gl
from triton.experimental.gluon.language.nvidia.hopper import tma, mbarrier, fence_async_shared, warpgroup_mma, \
    warpgroup_mma_wait


@gluon.jit
def fp8_wgmma_kernel(x_desc, w_desc, scale_ptr, out_ptr, M, N, K, stride_sn, stride_sk, stride_om,
                     SCALE_BLOCK_N: gl.constexpr, SCALE_BLOCK_K: gl.constexpr, STAGES: gl.constexpr,
                     num_warps: gl.constexpr):
    BLOCK_N: gl.constexpr = w_desc.block_type.shape[0]
    BLOCK_K: gl.constexpr = w_desc.block_type.shape[1]
    BLOCK_M: gl.constexpr = x_desc.block_type.shape[0]
    # programs sharing a weight tile run next to each other (m fastest): the weight streams from DRAM once, x
    # (M x K, small at these M) stays in L2
    num_m = gl.cdiv(M, x_desc.block_type.shape[0])
    pid = gl.program_id(1) * gl.num_programs(0) + gl.program_id(0)
    pid_m = pid % num_m
    pid_n = pid // num_m
    off_n = pid_n * BLOCK_N
    off_m = pid_m * BLOCK_M

    x_ring = gl.allocate_shared_memory(x_desc.dtype, [STAGES, BLOCK_M, BLOCK_K], x_desc.layout)
    w_ring = gl.allocate_shared_memory(w_desc.dtype, [STAGES, BLOCK_N, BLOCK_K], w_desc.layout)
    wb_layout: gl.constexpr = gl.NVMMASharedLayout.get_default_for([BLOCK_N, BLOCK_K], gl.bfloat16)
    w_bf16 = gl.allocate_shared_memory(gl.bfloat16, [2, BLOCK_N, BLOCK_K], wb_layout)
    ready = gl.allocate_shared_memory(gl.int64, [STAGES, 1], mbarrier.MBarrierLayout())
    for i in gl.static_range(STAGES):
        mbarrier.init(ready.index(i), count=1)

    num_k = gl.cdiv(K, BLOCK_K)
    tile_bytes: gl.constexpr = x_desc.block_type.nbytes + w_desc.block_type.nbytes
    for i in gl.static_range(STAGES):
        pred = i < num_k
        mbarrier.expect(ready.index(i), tile_bytes, pred=pred)
        tma.async_copy_global_to_shared(w_desc, [off_n, i * BLOCK_K], ready.index(i), w_ring.index(i), pred=pred)
        tma.async_copy_global_to_shared(x_desc, [off_m, i * BLOCK_K], ready.index(i), x_ring.index(i), pred=pred)

    # conversion layout: 16 bytes of a weight row per thread
    TPR: gl.constexpr = BLOCK_K // 16
    cvt_layout: gl.constexpr = gl.BlockedLayout([1, 16], [32 // TPR, TPR], [num_warps, 1], [1, 0])
    rows = off_n + gl.arange(0, BLOCK_N, layout=gl.SliceLayout(1, cvt_layout))
    scale_rows = scale_ptr + (rows // SCALE_BLOCK_N) * stride_sn
    row_ok = rows < N

    INSTR_N: gl.constexpr = BLOCK_M if BLOCK_M <= 256 else 256
    mma_layout: gl.constexpr = gl.NVMMADistributedLayout(version=[3, 0], warps_per_cta=[num_warps, 1],
                                                        instr_shape=[16, INSTR_N, 16])
    acc = gl.zeros((BLOCK_N, BLOCK_M), dtype=gl.float32, layout=mma_layout)

    # the first K-step outside the loop: no path from a zero-trip loop defines the accumulator while a wgmma is in
    # flight (ptxas would serialize every wgmma)
    block_scale = gl.load(scale_rows, mask=row_ok, other=0.0)
    acc, block_scale = _k_step(0, acc, block_scale, x_desc, w_desc, x_ring, w_ring, w_bf16, ready, scale_rows, row_ok,
                               stride_sk, off_n, off_m, num_k, cvt_layout, SCALE_BLOCK_K, STAGES, False)
    for kt in range(1, num_k):
        acc, block_scale = _k_step(kt, acc, block_scale, x_desc, w_desc, x_ring, w_ring, w_bf16, ready, scale_rows,
                                   row_ok, stride_sk, off_n, off_m, num_k, cvt_layout, SCALE_BLOCK_K, STAGES, True)
    acc = warpgroup_mma_wait(num_outstanding=0, deps=(acc, ))
    for i in gl.static_range(STAGES):
        mbarrier.invalidate(ready.index(i))

    # out[m, n] = acc[n, m]: n fastest across threads for coalesced stores
    out_layout: gl.constexpr = gl.BlockedLayout([8, 1], [BLOCK_N // 8 if BLOCK_N < 256 else 32, 32 // (BLOCK_N // 8) if BLOCK_N < 256 else 1], [1, num_warps], [0, 1])
    y = gl.convert_layout(acc.to(gl.bfloat16), out_layout)
    offs_n = off_n + gl.arange(0, BLOCK_N, layout=gl.SliceLayout(1, out_layout))
    offs_m = off_m + gl.arange(0, BLOCK_M, layout=gl.SliceLayout(0, out_layout))
    mask = (offs_n[:, None] < N) & (offs_m[None, :] < M)
    gl.store(out_ptr + offs_m[None, :] * stride_om + offs_n[:, None], y, mask=mask)


@gluon.jit
def _k_step(kt, acc, block_scale, x_desc, w_desc, x_ring, w_ring, w_bf16, ready, scale_rows, row_ok, stride_sk, off_n, off_m, num_k,
            cvt_layout: gl.constexpr, SCALE_BLOCK_K: gl.constexpr, STAGES: gl.constexpr, USE_ACC: gl.constexpr):
    BLOCK_K: gl.constexpr = w_desc.block_type.shape[1]
    tile_bytes: gl.constexpr = x_desc.block_type.nbytes + w_desc.block_type.nbytes
    stage = kt % STAGES
    # the next step's scales, loaded now: their latency hides behind this step
    next_scale = gl.load(scale_rows + ((kt + 1) * BLOCK_K // SCALE_BLOCK_K) * stride_sk, mask=row_ok & (kt + 1 < num_k),
                         other=0.0)
    mbarrier.wait(ready.index(stage), (kt // STAGES) & 1)
    w8 = w_ring.index(stage).load(cvt_layout)
    w = (w8.to(gl.float8e4nv, bitcast=True).to(gl.float32) * block_scale[:, None]).to(gl.bfloat16)
    buf = w_bf16.index(kt % 2)
    buf.store(w)
    fence_async_shared()
    gl.thread_barrier()  # every warp's part of the tile stored; every warpgroup past the wgmma of kt - 2
    # refill the stage of tile kt - 2 (its wgmma finished in every warpgroup) with tile kt - 2 + STAGES
    nxt = kt - 2 + STAGES
    refill = (kt >= 2) & (nxt < num_k)
    rs = nxt % STAGES
    mbarrier.expect(ready.index(rs), tile_bytes, pred=refill)
    tma.async_copy_global_to_shared(w_desc, [off_n, nxt * BLOCK_K], ready.index(rs), w_ring.index(rs), pred=refill)
    tma.async_copy_global_to_shared(x_desc, [off_m, nxt * BLOCK_K], ready.index(rs), x_ring.index(rs), pred=refill)
    acc = warpgroup_mma(buf, x_ring.index(stage).permute((1, 0)), acc, use_acc=USE_ACC, is_async=True)
    return warpgroup_mma_wait(num_outstanding=1, deps=(acc, )), next_scale


def launch(x, w, scale, out, block_n=128, block_m=128, block_k=64, stages=4, num_warps=8):
    import torch
    from triton.experimental.gluon.nvidia.hopper import TensorDescriptor
    m, k = x.shape
    n = w.shape[0]
    w8 = w.view(torch.uint8)
    x_layout = gl.NVMMASharedLayout.get_default_for([block_m, block_k], gl.bfloat16)
    w_layout = gl.NVMMASharedLayout.get_default_for([block_n, block_k], gl.uint8)
    x_desc = TensorDescriptor(x, list(x.shape), list(x.stride()), [block_m, block_k], x_layout)
    w_desc = TensorDescriptor(w8, list(w8.shape), list(w8.stride()), [block_n, block_k], w_layout)
    grid = (triton.cdiv(n, block_n), triton.cdiv(m, block_m))
    fp8_wgmma_kernel[grid](x_desc, w_desc, scale, out, m, n, k, scale.stride(0), scale.stride(1), out.stride(0),
                           128, 128, stages, num_warps=num_warps)
    return out
