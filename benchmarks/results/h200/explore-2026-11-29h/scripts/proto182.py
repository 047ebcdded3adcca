"""proto182 (prepared for the next session, not run): proto149's converted-weight Gluon kernel with a K split, for
small layers at M = 48-256 (plan item 4 after v73: the tile kernel's K loop, conversion then MMA in one warpgroup,
1,200-2,400 cycles a 64 x 64 x 128 K-tile; exp176).

Per program (tile of ``y.T`` = 128 weight rows x ``block_m`` x rows, and one of ``SPLIT`` K ranges), a loader warp
TMA-copies two [64, 128] fp8 weight boxes and one [block_m, 128] bf16 x box a K-tile into a ring; each of two math
warpgroups converts its 64 weight rows to bf16 with the block scale folded in (one rounding of scale * w, the tile
kernel's ``SCALE_IN_WEIGHT`` numerics) into one of two shared buffers and issues an async bf16 wgmma against the x
box, one wgmma in flight: the conversion of K-tile t runs beside the wgmma of t - 1, which the tile kernel's loop
serializes. With ``SPLIT`` > 1 each warpgroup's fp32 partial goes to a workspace slot and the last of a tile half's
parts to arrive adds them in split order (v73's reduction: relaxed counter reset)::

    y[m, n] = sum_s sum_{t in split s} sum_{k in t} bf16(scale[n // 128, t] * w[n, k]) * x[m, k]
"""
import triton
from triton.experimental import gluon
from triton.experimental.gluon import language as gl
from triton.experimental.gluon.language.nvidia.hopper import (fence_async_shared, mbarrier, tma, warpgroup_mma,
                                                              warpgroup_mma_wait)

from fp8blk.kernels.fp8_serving import _store_output  # 64 rows of y.T stored n fastest (no bias here)

HALF = gl.constexpr(64)


@gluon.jit
def _work(num_m, k_tiles, SPLIT: gl.constexpr):
    """This program's tile (its first weight row and x row) and K-tile range."""
    tile = gl.program_id(0) // SPLIT
    split = gl.program_id(0) % SPLIT
    per_split = gl.cdiv(k_tiles, SPLIT)
    first = split * per_split
    count = gl.maximum(gl.minimum(first + per_split, k_tiles) - first, 0)
    return tile, split, first, count


@gluon.jit
def _load(x_desc, w_desc, w_top, w_bottom, x_ring, ready, empty, M, K, SPLIT: gl.constexpr):
    block_m: gl.constexpr = x_ring.type.shape[1]
    depth: gl.constexpr = x_ring.type.shape[0]
    tile_k: gl.constexpr = w_desc.block_type.shape[1]
    stage_bytes: gl.constexpr = 2 * w_desc.block_type.nbytes + x_desc.block_type.nbytes
    num_m = gl.cdiv(M, block_m)
    tile, split, first, count = _work(num_m, gl.cdiv(K, tile_k), SPLIT)
    off_n = (tile // num_m) * 2 * HALF
    off_m = (tile % num_m) * block_m
    for t in range(count):
        stage = t % depth
        mbarrier.wait(empty.index(stage), ((t // depth) & 1) ^ 1)
        mbarrier.expect(ready.index(stage), stage_bytes)
        k0 = (first + t) * tile_k
        tma.async_copy_global_to_shared(w_desc, [off_n, k0], ready.index(stage), w_top.index(stage))
        tma.async_copy_global_to_shared(w_desc, [off_n + HALF, k0], ready.index(stage), w_bottom.index(stage))
        tma.async_copy_global_to_shared(x_desc, [off_m, k0], ready.index(stage), x_ring.index(stage))


@gluon.jit
def _multiply(w_ring, x_ring, a_bufs, ready, empty, scale_ptr, y_ptr, partial_ptr, counter_ptr, M, N, K, half,
              stride_sn, stride_ym, scale_block_n, SCALE_BLOCK_K: gl.constexpr, SPLIT: gl.constexpr):
    """A math warpgroup: its 64 weight rows of the program's tile over the program's K-tiles, then stored (or
    reduced with the tile's other splits)."""
    block_m: gl.constexpr = x_ring.type.shape[1]
    depth: gl.constexpr = x_ring.type.shape[0]
    tile_k: gl.constexpr = x_ring.type.shape[2]
    mma_layout: gl.constexpr = gl.NVMMADistributedLayout(version=[3, 0], warps_per_cta=[4, 1],
                                                        instr_shape=[16, block_m, 16])
    cvt_layout: gl.constexpr = gl.BlockedLayout([1, 16], [8, 4], [4, 1], [1, 0])  # 16 bytes a thread a row
    num_m = gl.cdiv(M, block_m)
    tile, split, first, count = _work(num_m, gl.cdiv(K, tile_k), SPLIT)
    off_n = (tile // num_m) * 2 * HALF + half * HALF
    off_m = (tile % num_m) * block_m
    rows = off_n + gl.arange(0, HALF, layout=gl.SliceLayout(1, cvt_layout))
    scale_rows = scale_ptr + (gl.minimum(rows, N - 1) // scale_block_n) * stride_sn
    acc = gl.zeros((HALF, block_m), dtype=gl.float32, layout=mma_layout)
    for t in range(count):
        stage = t % depth
        a_buf = a_bufs.index(t % 2)
        block_scale = gl.load(scale_rows + (first + t) * tile_k // SCALE_BLOCK_K)
        mbarrier.wait(ready.index(stage), (t // depth) & 1)
        w = w_ring.index(stage).load(cvt_layout)
        a_buf.store((w.to(gl.float32) * block_scale[:, None]).to(gl.bfloat16))
        fence_async_shared()
        gl.thread_barrier()  # the warpgroup's whole tile written before the wgmma reads it
        acc = warpgroup_mma(a_buf, x_ring.index(stage).permute((1, 0)), acc, is_async=True)
        acc = warpgroup_mma_wait(num_outstanding=1, deps=(acc, ))  # K-tile t - 1's wgmma done
        if t > 0:  # its stage (x box) and its bf16 buffer are free
            mbarrier.arrive(empty.index((t - 1) % depth), count=1)
    acc = warpgroup_mma_wait(num_outstanding=0, deps=(acc, ))
    if count > 0:
        mbarrier.arrive(empty.index((count - 1) % depth), count=1)
    local_n = gl.arange(0, HALF, layout=gl.SliceLayout(1, mma_layout))
    local_m = gl.arange(0, block_m, layout=gl.SliceLayout(0, mma_layout))
    if SPLIT == 1:
        _store_output(acc, y_ptr, y_ptr, M, N, off_n, off_m, stride_ym, False)
    else:  # v73's ordered reduction: the last of this tile half's parts to arrive adds them in split order
        slot_size: gl.constexpr = HALF * block_m
        part_ptrs = partial_ptr + ((tile * 2 + half) * SPLIT) * slot_size + local_n[:, None] * block_m + local_m[None, :]
        gl.store(part_ptrs + split * slot_size, acc)
        gl.thread_barrier()  # every thread's partial written before the release
        if gl.atomic_add(counter_ptr + tile * 2 + half, 1, sem="acq_rel") == SPLIT - 1:
            total = gl.zeros((HALF, block_m), dtype=gl.float32, layout=mma_layout)
            for s in gl.static_range(SPLIT):
                total += gl.load(part_ptrs + s * slot_size, cache_modifier=".cg")
            _store_output(total, y_ptr, y_ptr, M, N, off_n, off_m, stride_ym, False)
            gl.atomic_xchg(counter_ptr + tile * 2 + half, 0, sem="relaxed")


@gluon.jit
def converted_split_kernel(x_desc, w_desc, scale_ptr, y_ptr, partial_ptr, counter_ptr, M, N, K, stride_sn, stride_ym,
                           scale_block_n, SCALE_BLOCK_K: gl.constexpr, STAGES: gl.constexpr, SPLIT: gl.constexpr,
                           MATH_REGISTERS: gl.constexpr):
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
        (_multiply, (w_top, x_ring, a_top, ready, empty, scale_ptr, y_ptr, partial_ptr, counter_ptr, M, N, K, 0,
                     stride_sn, stride_ym, scale_block_n, SCALE_BLOCK_K, SPLIT)),
        (_multiply, (w_bottom, x_ring, a_bottom, ready, empty, scale_ptr, y_ptr, partial_ptr, counter_ptr, M, N, K, 1,
                     stride_sn, stride_ym, scale_block_n, SCALE_BLOCK_K, SPLIT)),
        (_load, (x_desc, w_desc, w_top, w_bottom, x_ring, ready, empty, M, K, SPLIT)),
    ], [4, 1], [MATH_REGISTERS, 24])


def layouts(block_m):
    return (gl.NVMMASharedLayout.get_default_for([block_m, 128], gl.bfloat16),
            gl.NVMMASharedLayout.get_default_for([64, 128], gl.float8e4nv))


def tiles(m, n, block_m):
    return triton.cdiv(n, 128) * triton.cdiv(m, block_m)


def launch(x, weight, scale, block_m=64, stages=4, split=1, workspace=None):
    """x bf16 [M, K], weight e4m3 [N, K], scale fp32 [N/128, K/128] -> y bf16 [M, N]. ``workspace``: (fp32 partials of
    at least ``tiles * split * 128 * block_m``, int32 counters of at least ``2 * tiles``, zeroed) where split > 1."""
    import torch
    from triton.experimental.gluon.nvidia.hopper import TensorDescriptor
    m, k = x.shape
    n = weight.shape[0]
    y = torch.empty(m, n, dtype=torch.bfloat16, device=x.device)
    x_layout, w_layout = layouts(block_m)
    x_desc = TensorDescriptor(x, [m, k], [x.stride(0), 1], [block_m, 128], x_layout)
    w_desc = TensorDescriptor(weight, [n, k], [weight.stride(0), 1], [64, 128], w_layout)
    partial, counter = workspace if split > 1 else (y, y)
    converted_split_kernel[(tiles(m, n, block_m) * split,)](
        x_desc, w_desc, scale, y, partial, counter, m, n, k, scale.stride(0), y.stride(0), 128, SCALE_BLOCK_K=128,
        STAGES=stages, SPLIT=split, MATH_REGISTERS=232 if block_m == 128 else 160, num_warps=4)
    return y


def aot(block_m=64, stages=4, split=4):
    """The sm_90 build (no GPU needed): Triton's compiled kernel, for registers, spills and shared memory."""
    from triton.backends.compiler import GPUTarget
    from triton.experimental.gluon._runtime import GluonASTSource
    x_layout, w_layout = layouts(block_m)
    signature = {"x_desc": f"tensordesc<bf16[{block_m}, 128],{x_layout!r}>",
                 "w_desc": f"tensordesc<fp8e4nv[64, 128],{w_layout!r}>", "scale_ptr": "*fp32", "y_ptr": "*bf16",
                 "partial_ptr": "*fp32", "counter_ptr": "*i32",
                 **{name: "i32" for name in ("M", "N", "K", "stride_sn", "stride_ym", "scale_block_n")}}
    constexprs = {"SCALE_BLOCK_K": 128, "STAGES": stages, "SPLIT": split,
                  "MATH_REGISTERS": 232 if block_m == 128 else 160}
    signature.update({name: "constexpr" for name in constexprs})
    return triton.compile(GluonASTSource(fn=converted_split_kernel, signature=signature, constexprs=constexprs),
                          target=GPUTarget("cuda", 90, 32), options={"num_warps": 4})
