"""proto149: a W8A16 serving-kernel prototype with bf16 MMAs (plan item 1 after v66, for large M): no split of x.
Per program (persistent over [128, block_m] tiles of y.T), a loader warp TMA-copies two [64, 128] fp8 weight boxes
and one [block_m, 128] bf16 x box per K-tile into a ring; each of two math warpgroups loads its 64 weight rows from
shared memory into registers (the wgmma's A-operand layout), converts them to bf16 with the block scale folded in
(one rounding of scale * w, the tile kernel's SCALE_IN_WEIGHT numerics) and issues an async bf16 wgmma against the
x box, keeping one wgmma in flight (the conversion of K-tile t overlaps the wgmma of t - 1); the accumulator stays in
the wgmma across all K (no per-K-tile wait or rescale).

    y[m, n] = sum_t sum_{k in t} bf16(scale[n // 128, t] * w[n, k]) * x[m, k]
"""
import triton
from triton.experimental import gluon
from triton.experimental.gluon import language as gl
from triton.experimental.gluon.language.nvidia.hopper import (fence_async_shared, mbarrier, tma, warpgroup_mma,
                                                              warpgroup_mma_wait)

HALF = gl.constexpr(64)


@gluon.jit
def _load(x_desc, w_desc, w_top, w_bottom, x_ring, ready, empty, M, N, K):
    block_m: gl.constexpr = x_ring.type.shape[1]
    depth: gl.constexpr = x_ring.type.shape[0]
    tile_k: gl.constexpr = w_desc.block_type.shape[1]
    stage_bytes: gl.constexpr = 2 * w_desc.block_type.nbytes + x_desc.block_type.nbytes
    num_m = gl.cdiv(M, block_m)
    tiles = gl.cdiv(N, 2 * HALF) * num_m
    k_tiles = gl.cdiv(K, tile_k)
    filled = 0
    for tile in range(gl.program_id(0), tiles, gl.num_programs(0)):
        off_n = (tile // num_m) * 2 * HALF
        off_m = (tile % num_m) * block_m
        for t in range(k_tiles):
            stage = filled % depth
            mbarrier.wait(empty.index(stage), ((filled // depth) & 1) ^ 1)
            mbarrier.expect(ready.index(stage), stage_bytes)
            tma.async_copy_global_to_shared(w_desc, [off_n, t * tile_k], ready.index(stage), w_top.index(stage))
            tma.async_copy_global_to_shared(w_desc, [off_n + HALF, t * tile_k], ready.index(stage),
                                            w_bottom.index(stage))
            tma.async_copy_global_to_shared(x_desc, [off_m, t * tile_k], ready.index(stage), x_ring.index(stage))
            filled += 1


@gluon.jit
def _multiply(w_ring, x_ring, a_bufs, ready, empty, scale_ptr, y_ptr, M, N, K, half, stride_sn, stride_ym,
              scale_block_n, SCALE_BLOCK_K: gl.constexpr):
    """A math warpgroup: per K-tile its 64 weight rows from the ring (fp8) to a bf16 tile in its own shared buffer
    (two, alternating) with the block scale folded in, then an async bf16 wgmma of that tile against the x box; one
    wgmma in flight, so the conversion of K-tile t overlaps the wgmma of t - 1."""
    block_m: gl.constexpr = x_ring.type.shape[1]
    depth: gl.constexpr = x_ring.type.shape[0]
    tile_k: gl.constexpr = x_ring.type.shape[2]
    mma_layout: gl.constexpr = gl.NVMMADistributedLayout(version=[3, 0], warps_per_cta=[4, 1],
                                                        instr_shape=[16, block_m, 16])
    cvt_layout: gl.constexpr = gl.BlockedLayout([1, 16], [8, 4], [4, 1], [1, 0])  # 16 bytes a thread a row
    num_m = gl.cdiv(M, block_m)
    tiles = gl.cdiv(N, 2 * HALF) * num_m
    k_tiles = gl.cdiv(K, tile_k)
    taken = 0
    for tile in range(gl.program_id(0), tiles, gl.num_programs(0)):
        off_n = (tile // num_m) * 2 * HALF + half * HALF
        off_m = (tile % num_m) * block_m
        rows = off_n + gl.arange(0, HALF, layout=gl.SliceLayout(1, cvt_layout))
        scale_rows = scale_ptr + (gl.minimum(rows, N - 1) // scale_block_n) * stride_sn
        acc = gl.zeros((HALF, block_m), dtype=gl.float32, layout=mma_layout)
        for t in range(k_tiles):
            stage = (taken + t) % depth
            a_buf = a_bufs.index((taken + t) % 2)
            block_scale = gl.load(scale_rows + t * tile_k // SCALE_BLOCK_K)
            mbarrier.wait(ready.index(stage), ((taken + t) // depth) & 1)
            w = w_ring.index(stage).load(cvt_layout)
            a_buf.store((w.to(gl.float32) * block_scale[:, None]).to(gl.bfloat16))
            fence_async_shared()
            gl.thread_barrier()  # the warpgroup's whole tile written before the wgmma reads it
            acc = warpgroup_mma(a_buf, x_ring.index(stage).permute((1, 0)), acc, is_async=True)
            acc = warpgroup_mma_wait(num_outstanding=1, deps=(acc, ))  # K-tile t - 1's wgmma done
            if t > 0:  # its stage (x box) and its bf16 buffer are free
                mbarrier.arrive(empty.index((taken + t - 1) % depth), count=1)
        acc = warpgroup_mma_wait(num_outstanding=0, deps=(acc, ))
        mbarrier.arrive(empty.index((taken + k_tiles - 1) % depth), count=1)
        taken += k_tiles
        out_layout: gl.constexpr = gl.BlockedLayout([8, 1], [8, 4], [1, 4], [0, 1])
        offs_n = off_n + gl.arange(0, HALF, layout=gl.SliceLayout(1, out_layout))
        offs_m = off_m + gl.arange(0, block_m, layout=gl.SliceLayout(0, out_layout))
        mask = (offs_n[:, None] < N) & (offs_m[None, :] < M)
        gl.store(y_ptr + offs_m[None, :] * stride_ym + offs_n[:, None],
                 gl.convert_layout(acc.to(y_ptr.dtype.element_ty), out_layout), mask=mask)


@gluon.jit
def bf16_serving_kernel(x_desc, w_desc, scale_ptr, y_ptr, M, N, K, stride_sn, stride_ym, scale_block_n,
                        SCALE_BLOCK_K: gl.constexpr, STAGES: gl.constexpr, MATH_REGISTERS: gl.constexpr):
    tile_k: gl.constexpr = w_desc.block_type.shape[1]
    block_m: gl.constexpr = x_desc.block_type.shape[0]
    w_top = gl.allocate_shared_memory(w_desc.dtype, [STAGES, HALF, tile_k], w_desc.layout)
    w_bottom = gl.allocate_shared_memory(w_desc.dtype, [STAGES, HALF, tile_k], w_desc.layout)
    x_ring = gl.allocate_shared_memory(x_desc.dtype, [STAGES, block_m, tile_k], x_desc.layout)
    a_layout: gl.constexpr = gl.NVMMASharedLayout.get_default_for([HALF, tile_k], gl.bfloat16)
    a_top = gl.allocate_shared_memory(gl.bfloat16, [2, HALF, tile_k], a_layout)  # each math warpgroup's bf16 tiles
    a_bottom = gl.allocate_shared_memory(gl.bfloat16, [2, HALF, tile_k], a_layout)
    ready = gl.allocate_shared_memory(gl.int64, [STAGES, 1], mbarrier.MBarrierLayout())
    empty = gl.allocate_shared_memory(gl.int64, [STAGES, 1], mbarrier.MBarrierLayout())
    for i in gl.static_range(STAGES):
        mbarrier.init(ready.index(i), count=1)
        mbarrier.init(empty.index(i), count=2)
    gl.warp_specialize([
        (_multiply, (w_top, x_ring, a_top, ready, empty, scale_ptr, y_ptr, M, N, K, 0, stride_sn, stride_ym,
                     scale_block_n, SCALE_BLOCK_K)),
        (_multiply, (w_bottom, x_ring, a_bottom, ready, empty, scale_ptr, y_ptr, M, N, K, 1, stride_sn, stride_ym,
                     scale_block_n, SCALE_BLOCK_K)),
        (_load, (x_desc, w_desc, w_top, w_bottom, x_ring, ready, empty, M, N, K)),
    ], [4, 1], [MATH_REGISTERS, 24])


def layouts(block_m):
    return (gl.NVMMASharedLayout.get_default_for([block_m, 128], gl.bfloat16),
            gl.NVMMASharedLayout.get_default_for([64, 128], gl.float8e4nv))


def launch(x, weight, scale, block_m=128, stages=3, sm_count=132):
    """x bf16 [M, K], weight e4m3 [N, K], scale fp32 [N/128, K/128] -> y bf16 [M, N]."""
    import torch
    from triton.experimental.gluon.nvidia.hopper import TensorDescriptor
    m, k = x.shape
    n = weight.shape[0]
    y = torch.empty(m, n, dtype=torch.bfloat16, device=x.device)
    x_layout, w_layout = layouts(block_m)
    x_desc = TensorDescriptor(x, [m, k], [x.stride(0), 1], [block_m, 128], x_layout)
    w_desc = TensorDescriptor(weight, [n, k], [weight.stride(0), 1], [64, 128], w_layout)
    tiles = triton.cdiv(n, 128) * triton.cdiv(m, block_m)
    bf16_serving_kernel[(min(tiles, sm_count),)](x_desc, w_desc, scale, y, m, n, k, scale.stride(0), y.stride(0),
                                                 128, SCALE_BLOCK_K=128, STAGES=stages, MATH_REGISTERS=232,
                                                 num_warps=4)
    return y
