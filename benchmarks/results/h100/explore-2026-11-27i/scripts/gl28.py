"""Prototype v3 (exp28b, next session): Gluon W8A16 wgmma kernel for sm_90 with warp specialization. Per program a
[BLOCK_N, BLOCK_M] tile of y.T over a K range (split-K with the ordered reduction):

    acc[n, m] += sum_k bf16(float(w[n, k]) * scale[n // SBN, k // SBK]) * x[m, k]

v2 (gl17.py) ran load -> convert -> MMA in one set of warps; ncu (v30) showed no pipe near its limit and the chain
inside one warpgroup as the bound. Here three partitions run the chain's links side by side:

* load (1 warp): TMA copies of the fp8 weight box and the x box into two rings (W_STAGES, X_STAGES deep), each
  stage released by an "empty" barrier;
* convert (4 warps): weight stage -> registers (stage released) -> fp32 * block scale -> bf16 -> one of two
  shared-memory operand tiles (waiting for the MMA to free it);
* MMA (the default partition, 4 warps = one warpgroup, holding the accumulator): async wgmma on (bf16 weight tile,
  x tile transposed), at most one group in flight; after each wait the previous step's weight tile and x stage are
  released. Then the epilogue (y or the ordered split-K reduction) in the same warps.
"""
import torch
import triton
from triton.experimental import gluon
from triton.experimental.gluon import language as gl
from triton.experimental.gluon.language.nvidia.hopper import tma, mbarrier, fence_async_shared, warpgroup_mma, \
    warpgroup_mma_wait

@gluon.jit
def _load_partition(x_desc, w_desc, x_ring, w_ring, x_ready, x_empty, w_ready, w_empty, off_n, off_m, first, count):
    BLOCK_K: gl.constexpr = w_desc.block_type.shape[1]
    W_STAGES: gl.constexpr = w_ring.type.shape[0]
    X_STAGES: gl.constexpr = x_ring.type.shape[0]
    for t in range(count):
        ws = t % W_STAGES
        mbarrier.wait(w_empty.index(ws), ((t // W_STAGES) & 1) ^ 1)  # a fresh barrier passes phase 1 at once
        mbarrier.expect(w_ready.index(ws), w_desc.block_type.nbytes)
        tma.async_copy_global_to_shared(w_desc, [off_n, (first + t) * BLOCK_K], w_ready.index(ws), w_ring.index(ws))
        xs = t % X_STAGES
        mbarrier.wait(x_empty.index(xs), ((t // X_STAGES) & 1) ^ 1)
        mbarrier.expect(x_ready.index(xs), x_desc.block_type.nbytes)
        tma.async_copy_global_to_shared(x_desc, [off_m, (first + t) * BLOCK_K], x_ready.index(xs), x_ring.index(xs))


@gluon.jit
def _convert_partition(w_ring, w_ready, w_empty, w_bf16, bf16_ready, bf16_empty, scale_ptr, off_n, N, first, count,
                       stride_sn, stride_sk, SCALE_BLOCK_N: gl.constexpr, SCALE_BLOCK_K: gl.constexpr,
                       cvt_layout: gl.constexpr):
    BLOCK_N: gl.constexpr = w_ring.type.shape[1]
    BLOCK_K: gl.constexpr = w_ring.type.shape[2]
    W_STAGES: gl.constexpr = w_ring.type.shape[0]
    BF16_STAGES: gl.constexpr = w_bf16.type.shape[0]
    rows = off_n + gl.arange(0, BLOCK_N, layout=gl.SliceLayout(1, cvt_layout))
    scale_rows = scale_ptr + (rows // SCALE_BLOCK_N) * stride_sn
    row_ok = rows < N
    block_scale = gl.load(scale_rows + (first * BLOCK_K // SCALE_BLOCK_K) * stride_sk, mask=row_ok, other=0.0)
    for t in range(count):
        next_scale = gl.load(scale_rows + ((first + t + 1) * BLOCK_K // SCALE_BLOCK_K) * stride_sk,
                             mask=row_ok & (t + 1 < count), other=0.0)
        ws = t % W_STAGES
        mbarrier.wait(w_ready.index(ws), (t // W_STAGES) & 1)
        w8 = w_ring.index(ws).load(cvt_layout)
        fence_async_shared()  # the generic-proxy read before the TMA write that reuses the stage
        mbarrier.arrive(w_empty.index(ws), count=1)
        w = (w8.to(gl.float8e4nv, bitcast=True).to(gl.float32) * block_scale[:, None]).to(gl.bfloat16)
        b = t % BF16_STAGES
        mbarrier.wait(bf16_empty.index(b), ((t // BF16_STAGES) & 1) ^ 1)
        w_bf16.index(b).store(w)
        fence_async_shared()  # the store before the wgmma (async proxy) reads it
        mbarrier.arrive(bf16_ready.index(b), count=1)
        block_scale = next_scale


@gluon.jit
def _mma_step(t, acc, x_ring, x_ready, x_empty, w_bf16, bf16_ready, bf16_empty, USE_ACC: gl.constexpr):
    X_STAGES: gl.constexpr = x_ring.type.shape[0]
    BF16_STAGES: gl.constexpr = w_bf16.type.shape[0]
    b = t % BF16_STAGES
    xs = t % X_STAGES
    mbarrier.wait(bf16_ready.index(b), (t // BF16_STAGES) & 1)
    mbarrier.wait(x_ready.index(xs), (t // X_STAGES) & 1)
    acc = warpgroup_mma(w_bf16.index(b), x_ring.index(xs).permute((1, 0)), acc, use_acc=USE_ACC, is_async=True)
    acc = warpgroup_mma_wait(num_outstanding=1, deps=(acc, ))
    # the wgmma of step t - 1 has finished: its operand tile and x stage go back to their producers
    mbarrier.arrive(bf16_empty.index((t + BF16_STAGES - 1) % BF16_STAGES), count=1, pred=t > 0)
    mbarrier.arrive(x_empty.index((t + X_STAGES - 1) % X_STAGES), count=1, pred=t > 0)
    return acc


@gluon.jit
def _mma_partition(x_ring, x_ready, x_empty, w_bf16, bf16_ready, bf16_empty, count, mma_layout: gl.constexpr):
    BLOCK_N: gl.constexpr = w_bf16.type.shape[1]
    BLOCK_M: gl.constexpr = x_ring.type.shape[1]
    acc = gl.zeros((BLOCK_N, BLOCK_M), dtype=gl.float32, layout=mma_layout)
    # step 0 outside the loop: no zero-trip path defines the accumulator while a wgmma is in flight (ptxas would
    # serialize every wgmma otherwise; v30)
    acc = _mma_step(0, acc, x_ring, x_ready, x_empty, w_bf16, bf16_ready, bf16_empty, False)
    for t in range(1, count):
        acc = _mma_step(t, acc, x_ring, x_ready, x_empty, w_bf16, bf16_ready, bf16_empty, True)
    return (warpgroup_mma_wait(num_outstanding=0, deps=(acc, )), )  # the default partition returns a tuple


@gluon.jit
def fp8_wgmma_ws_kernel(x_desc, w_desc, scale_ptr, out_ptr, partial_ptr, counter_ptr, M, N, K, stride_sn, stride_sk,
                        stride_om, SCALE_BLOCK_N: gl.constexpr, SCALE_BLOCK_K: gl.constexpr, W_STAGES: gl.constexpr,
                        X_STAGES: gl.constexpr, SPLIT_K: gl.constexpr, CONVERT_REGS: gl.constexpr,
                        BF16_STAGES: gl.constexpr, CONVERT_WARPS: gl.constexpr, num_warps: gl.constexpr):
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
    w_bf16 = gl.allocate_shared_memory(gl.bfloat16, [BF16_STAGES, BLOCK_N, BLOCK_K], wb_layout)
    x_ready = gl.allocate_shared_memory(gl.int64, [X_STAGES, 1], mbarrier.MBarrierLayout())
    x_empty = gl.allocate_shared_memory(gl.int64, [X_STAGES, 1], mbarrier.MBarrierLayout())
    w_ready = gl.allocate_shared_memory(gl.int64, [W_STAGES, 1], mbarrier.MBarrierLayout())
    w_empty = gl.allocate_shared_memory(gl.int64, [W_STAGES, 1], mbarrier.MBarrierLayout())
    bf16_ready = gl.allocate_shared_memory(gl.int64, [BF16_STAGES, 1], mbarrier.MBarrierLayout())
    bf16_empty = gl.allocate_shared_memory(gl.int64, [BF16_STAGES, 1], mbarrier.MBarrierLayout())
    for i in gl.static_range(X_STAGES):
        mbarrier.init(x_ready.index(i), count=1)
        mbarrier.init(x_empty.index(i), count=1)
    for i in gl.static_range(W_STAGES):
        mbarrier.init(w_ready.index(i), count=1)
        mbarrier.init(w_empty.index(i), count=1)
    for i in gl.static_range(BF16_STAGES):
        mbarrier.init(bf16_ready.index(i), count=1)
        mbarrier.init(bf16_empty.index(i), count=1)

    TPR: gl.constexpr = BLOCK_K // 16  # 16 bytes of a weight row per thread
    cvt_layout: gl.constexpr = gl.BlockedLayout([1, 16], [32 // TPR, TPR], [CONVERT_WARPS, 1], [1, 0])
    mma_layout: gl.constexpr = gl.NVMMADistributedLayout(version=[3, 0], warps_per_cta=[num_warps, 1],
                                                        instr_shape=[16, BLOCK_M, 16])
    acc, = gl.warp_specialize([
        (_mma_partition, (x_ring, x_ready, x_empty, w_bf16, bf16_ready, bf16_empty, count, mma_layout)),
        (_convert_partition, (w_ring, w_ready, w_empty, w_bf16, bf16_ready, bf16_empty, scale_ptr, off_n, N, first,
                              count, stride_sn, stride_sk, SCALE_BLOCK_N, SCALE_BLOCK_K, cvt_layout)),
        (_load_partition, (x_desc, w_desc, x_ring, w_ring, x_ready, x_empty, w_ready, w_empty, off_n, off_m, first,
                           count)),
    ], [CONVERT_WARPS, 1], [CONVERT_REGS, 24])

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


def _layouts(block_n, block_m, block_k):
    x_layout = gl.NVMMASharedLayout.get_default_for([block_m, block_k], gl.bfloat16)
    w_layout = gl.NVMMASharedLayout.get_default_for([block_n, block_k], gl.uint8)
    return x_layout, w_layout


_WORK = {}


def launch(x, w, scale, out, block_n=128, block_m=128, block_k=64, w_stages=4, x_stages=4, split_k=1,
           convert_regs=128, maxnreg=168, bf16_stages=2, convert_warps=4):
    """y = x @ dequant(w, scale).T into ``out`` (bf16, [M, N]); 128 x 128 scale blocks."""
    from triton.experimental.gluon.nvidia.hopper import TensorDescriptor
    m, k = x.shape
    n = w.shape[0]
    w8 = w.view(torch.uint8)
    k_tiles = triton.cdiv(k, block_k)
    split_k = triton.cdiv(k_tiles, triton.cdiv(k_tiles, split_k))  # every split gets >= 1 K-tile
    x_layout, w_layout = _layouts(block_n, block_m, block_k)
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
    fp8_wgmma_ws_kernel[(tiles, split_k)](x_desc, w_desc, scale, out, partial, counter, m, n, k, scale.stride(0),
                                          scale.stride(1), out.stride(0), 128, 128, w_stages, x_stages, split_k,
                                          convert_regs, bf16_stages, convert_warps, num_warps=4, maxnreg=maxnreg)
    return out


def compile_offline(block_n=128, block_m=128, block_k=64, w_stages=4, x_stages=4, split_k=1, convert_regs=128,
                    maxnreg=168, capability=90, bf16_stages=2, convert_warps=4):
    """The sm_90 build without a GPU (for registers, shared memory and SASS)."""
    from triton.backends.compiler import GPUTarget
    from triton.experimental.gluon._runtime import GluonASTSource
    x_layout, w_layout = _layouts(block_n, block_m, block_k)
    signature = {"x_desc": f"tensordesc<bf16[{block_m}, {block_k}],{x_layout!r}>",
                 "w_desc": f"tensordesc<u8[{block_n}, {block_k}],{w_layout!r}>",
                 "scale_ptr": "*fp32", "out_ptr": "*bf16", "partial_ptr": "*fp32", "counter_ptr": "*i32",
                 "M": "i32", "N": "i32", "K": "i32", "stride_sn": "i32", "stride_sk": "i32", "stride_om": "i32"}
    constexprs = {"SCALE_BLOCK_N": 128, "SCALE_BLOCK_K": 128, "W_STAGES": w_stages, "X_STAGES": x_stages,
                  "SPLIT_K": split_k, "CONVERT_REGS": convert_regs, "BF16_STAGES": bf16_stages,
                  "CONVERT_WARPS": convert_warps, "num_warps": 4}
    signature.update({name: "constexpr" for name in constexprs})
    source = GluonASTSource(fp8_wgmma_ws_kernel, signature, constexprs)
    return triton.compile(source, target=GPUTarget("cuda", capability, 32),
                          options={"num_warps": 4, "maxnreg": maxnreg})


if __name__ == "__main__":  # offline: build the variants exp28b / exp33 time
    for block_m, split_k, bf16_stages, convert_warps, maxnreg, convert_regs in (
            (128, 1, 2, 4, 168, 128), (128, 2, 2, 4, 168, 128), (64, 1, 2, 4, 168, 128), (64, 4, 2, 4, 168, 128),
            (128, 1, 3, 4, 168, 128), (64, 1, 3, 4, 168, 128),
            (128, 1, 2, 8, 128, 96), (128, 1, 3, 8, 128, 96), (64, 1, 3, 8, 128, 96)):
        try:
            kernel = compile_offline(block_m=block_m, split_k=split_k, bf16_stages=bf16_stages,
                                     convert_warps=convert_warps, maxnreg=maxnreg, convert_regs=convert_regs)
        except Exception as exc:  # noqa: BLE001 - report and go on
            print(f"128x{block_m} split {split_k} bf16 {bf16_stages} convert {convert_warps} warps: "
                  f"{type(exc).__name__}: {str(exc).splitlines()[0][:150]}")
            continue
        import os
        import subprocess
        import tempfile
        cubin = os.path.join(tempfile.mkdtemp(), "k.cubin")
        with open(cubin, "wb") as f:
            f.write(kernel.asm["cubin"])
        tool = os.path.join(os.path.dirname(triton.__file__), "backends/nvidia/bin/cuobjdump")
        usage = subprocess.run([tool, "-res-usage", cubin], capture_output=True, text=True).stdout
        res = " ".join(w for w in usage.split() if w.startswith(("REG:", "STACK:", "LOCAL:")))
        print(f"128x{block_m} split {split_k} bf16 {bf16_stages} convert {convert_warps} warps: shared "
              f"{kernel.metadata.shared} B, warps {kernel.metadata.num_warps}, {res}")
