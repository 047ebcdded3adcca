"""gl63 (prepared for the next session, NOTES item 58 / plan after v40 item 3): a Gluon split-x kernel for sm_90 that
keeps one K-tile's MMAs in flight while the previous K-tile's sum is scaled.

Per program a [BLOCK_N, BLOCK_M] tile of y.T over a K range (split-K with the ordered reduction). x arrives as the
library's split terms ([2M, K] e4m3: high rows 0..M-1, low rows M..2M-1, and a power-of-two scale per row, from
``_split_x_kernel``); the weight as stored. Per K-tile t:

    sum_t[n, m] = sum_{k in t} w[n, k] * (high[m, k] + low[m, k])        (two fp8 x fp8 wgmmas, fresh accumulator)
    acc[n, m]  += scale[n // SBN, t] * sum_t[n, m]                          (fp32, while K-tile t + 1's wgmmas run)
    y[m, n]     = x_scale[m] * acc[n, m] (+ nothing else: no bias here)

One TMA ring (STAGES deep) holds the weight tile and both term tiles of a K-tile under one barrier. The loop is
unrolled by two so the two K-tile sums live in two fixed register sets (A for even steps, B for odd): K-tile t's
wgmmas are issued, then K-tile t - 1's are waited for (``warpgroup_mma_wait(2)``: the two just issued may stay in
flight), scaled into acc and their ring stage refilled. Offline (``compile_offline``) it builds for sm_90; its SASS
must show ``WARPGROUP.DEPBAR.LE gsb0, 0x2`` in the loop (``python gl63.py``)."""
import torch
import triton
from triton.experimental import gluon
from triton.experimental.gluon import language as gl
from triton.experimental.gluon.language.nvidia.hopper import tma, mbarrier, warpgroup_mma, warpgroup_mma_wait


@gluon.jit
def _issue(t, w_ring, hi_ring, lo_ring, ready, slot, fresh, STAGES: gl.constexpr):
    """Waits for K-tile t's stage and issues its two wgmmas into a fresh sum (not waited for), written over
    ``slot`` (a retired sum: its registers, so nothing is copied while a wgmma is in flight)."""
    stage = t % STAGES
    mbarrier.wait(ready.index(stage), (t // STAGES) & 1)
    part = warpgroup_mma(w_ring.index(stage), hi_ring.index(stage).permute((1, 0)), slot, use_acc=fresh,
                         is_async=True)
    return warpgroup_mma(w_ring.index(stage), lo_ring.index(stage).permute((1, 0)), part, is_async=True)


@gluon.jit
def _retire(t, part, acc, scale_rows, stride_sk, first, count, x_desc, w_desc, w_ring, hi_ring, lo_ring, ready,
            off_n, off_m, M, SCALE_BLOCK_K: gl.constexpr, STAGES: gl.constexpr, OUTSTANDING: gl.constexpr):
    """K-tile t's sum, once at most OUTSTANDING wgmmas are in flight: scaled into acc; its stage refilled with
    K-tile t + STAGES. Returns acc and the retired sum (its registers take a later K-tile's)."""
    BLOCK_K: gl.constexpr = w_desc.block_type.shape[1]
    part = warpgroup_mma_wait(num_outstanding=OUTSTANDING, deps=(part, ))
    block_scale = gl.load(scale_rows + ((first + t) * BLOCK_K // SCALE_BLOCK_K) * stride_sk)
    acc += part * block_scale[:, None]
    stage = t % STAGES
    refill = t + STAGES
    more = refill < count
    mbarrier.expect(ready.index(stage), w_desc.block_type.nbytes + 2 * x_desc.block_type.nbytes, pred=more)
    k_off = (first + refill) * BLOCK_K
    tma.async_copy_global_to_shared(w_desc, [off_n, k_off], ready.index(stage), w_ring.index(stage), pred=more)
    tma.async_copy_global_to_shared(x_desc, [off_m, k_off], ready.index(stage), hi_ring.index(stage), pred=more)
    tma.async_copy_global_to_shared(x_desc, [M + off_m, k_off], ready.index(stage), lo_ring.index(stage), pred=more)
    return acc, part


@gluon.jit
def split_x_wgmma_kernel(x_desc, w_desc, scale_ptr, x_scale_ptr, out_ptr, partial_ptr, counter_ptr, M, N, K,
                         stride_sn, stride_sk, stride_om, SCALE_BLOCK_N: gl.constexpr, SCALE_BLOCK_K: gl.constexpr,
                         STAGES: gl.constexpr, SPLIT_K: gl.constexpr, num_warps: gl.constexpr):
    BLOCK_N: gl.constexpr = w_desc.block_type.shape[0]
    BLOCK_K: gl.constexpr = w_desc.block_type.shape[1]
    BLOCK_M: gl.constexpr = x_desc.block_type.shape[0]
    num_m = gl.cdiv(M, BLOCK_M)
    tile = gl.program_id(0)
    split = gl.program_id(1)
    pid_m = tile % num_m
    pid_n = tile // num_m
    off_n = pid_n * BLOCK_N
    off_m = pid_m * BLOCK_M
    k_tiles = gl.cdiv(K, BLOCK_K)
    per_split = gl.cdiv(k_tiles, SPLIT_K)
    first = split * per_split
    count = gl.minimum(per_split, k_tiles - first)  # >= 1: the host picks SPLIT_K so

    w_ring = gl.allocate_shared_memory(w_desc.dtype, [STAGES, BLOCK_N, BLOCK_K], w_desc.layout)
    hi_ring = gl.allocate_shared_memory(x_desc.dtype, [STAGES, BLOCK_M, BLOCK_K], x_desc.layout)
    lo_ring = gl.allocate_shared_memory(x_desc.dtype, [STAGES, BLOCK_M, BLOCK_K], x_desc.layout)
    ready = gl.allocate_shared_memory(gl.int64, [STAGES, 1], mbarrier.MBarrierLayout())
    for i in gl.static_range(STAGES):
        mbarrier.init(ready.index(i), count=1)
    for i in gl.static_range(STAGES):
        more = i < count
        mbarrier.expect(ready.index(i), w_desc.block_type.nbytes + 2 * x_desc.block_type.nbytes, pred=more)
        k_off = (first + i) * BLOCK_K
        tma.async_copy_global_to_shared(w_desc, [off_n, k_off], ready.index(i), w_ring.index(i), pred=more)
        tma.async_copy_global_to_shared(x_desc, [off_m, k_off], ready.index(i), hi_ring.index(i), pred=more)
        tma.async_copy_global_to_shared(x_desc, [M + off_m, k_off], ready.index(i), lo_ring.index(i), pred=more)

    mma_layout: gl.constexpr = gl.NVMMADistributedLayout(version=[3, 0], warps_per_cta=[num_warps, 1],
                                                        instr_shape=[16, BLOCK_M, 32])
    rows = off_n + gl.arange(0, BLOCK_N, layout=gl.SliceLayout(1, mma_layout))
    scale_rows = scale_ptr + (gl.minimum(rows, N - 1) // SCALE_BLOCK_N) * stride_sn
    # the first wgmma of a K-tile ignores its accumulator: `keep` is false at run time, but not a constant, so the
    # wgmma writes the slot's own registers (a constant false gives it fresh ones, which the loop then copies back
    # while that wgmma is in flight: ptxas C7514 serializes every wgmma)
    keep = count < 0
    acc = gl.zeros((BLOCK_N, BLOCK_M), dtype=gl.float32, layout=mma_layout)
    odd = gl.zeros((BLOCK_N, BLOCK_M), dtype=gl.float32, layout=mma_layout)
    even = gl.zeros((BLOCK_N, BLOCK_M), dtype=gl.float32, layout=mma_layout)

    # K-tiles in pairs: even ones in `even`, odd ones in `odd`; each is retired after the next one is issued
    even = _issue(0, w_ring, hi_ring, lo_ring, ready, even, keep, STAGES)
    for t in range(1, count - 1, 2):
        odd = _issue(t, w_ring, hi_ring, lo_ring, ready, odd, keep, STAGES)
        acc, even = _retire(t - 1, even, acc, scale_rows, stride_sk, first, count, x_desc, w_desc, w_ring, hi_ring,
                      lo_ring, ready, off_n, off_m, M, SCALE_BLOCK_K, STAGES, 2)
        even = _issue(t + 1, w_ring, hi_ring, lo_ring, ready, even, keep, STAGES)
        acc, odd = _retire(t, odd, acc, scale_rows, stride_sk, first, count, x_desc, w_desc, w_ring, hi_ring,
                      lo_ring, ready, off_n, off_m, M, SCALE_BLOCK_K, STAGES, 2)
    if count % 2 == 0:  # the last K-tile is odd
        last = _issue(count - 1, w_ring, hi_ring, lo_ring, ready, odd, keep, STAGES)
        acc, retired = _retire(count - 2, even, acc, scale_rows, stride_sk, first, count, x_desc, w_desc, w_ring,
                               hi_ring, lo_ring, ready, off_n, off_m, M, SCALE_BLOCK_K, STAGES, 2)
        acc, retired = _retire(count - 1, last, acc, scale_rows, stride_sk, first, count, x_desc, w_desc, w_ring,
                               hi_ring, lo_ring, ready, off_n, off_m, M, SCALE_BLOCK_K, STAGES, 0)
    else:
        acc, retired = _retire(count - 1, even, acc, scale_rows, stride_sk, first, count, x_desc, w_desc, w_ring,
                               hi_ring, lo_ring, ready, off_n, off_m, M, SCALE_BLOCK_K, STAGES, 0)
    for i in gl.static_range(STAGES):
        mbarrier.invalidate(ready.index(i))
    cols = off_m + gl.arange(0, BLOCK_M, layout=gl.SliceLayout(0, mma_layout))
    acc *= gl.load(x_scale_ptr + cols, mask=cols < M, other=0.0)[None, :]

    # epilogue: y[m, n] = acc[n, m], n fastest across threads (gl17's)
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
    return (gl.NVMMASharedLayout.get_default_for([block_m, block_k], gl.float8e4nv),
            gl.NVMMASharedLayout.get_default_for([block_n, block_k], gl.float8e4nv))


_WORK = {}


def launch(terms, x_scale, w, scale, out, block_n=64, block_m=64, block_k=128, stages=4, split_k=1, num_warps=4):
    """y = x @ dequant(w, scale).T from the library's split terms ``terms`` [2M, K] (uint8) and ``x_scale`` [M]."""
    from triton.experimental.gluon.nvidia.hopper import TensorDescriptor
    m = terms.shape[0] // 2
    k = terms.shape[1]
    n = w.shape[0]
    k_tiles = triton.cdiv(k, block_k)
    split_k = triton.cdiv(k_tiles, triton.cdiv(k_tiles, split_k))  # every split gets >= 1 K-tile
    x_layout, w_layout = _layouts(block_n, block_m, block_k)
    x8 = terms.view(torch.float8_e4m3fn)
    w8 = w.view(torch.float8_e4m3fn)
    x_desc = TensorDescriptor(x8, list(x8.shape), list(x8.stride()), [block_m, block_k], x_layout)
    w_desc = TensorDescriptor(w8, list(w8.shape), list(w8.stride()), [block_n, block_k], w_layout)
    tiles = triton.cdiv(n, block_n) * triton.cdiv(m, block_m)
    partial = counter = out
    if split_k > 1:
        key = (terms.device, split_k * m * n, tiles)
        if key not in _WORK:
            _WORK[key] = (torch.empty(split_k * m * n, device=terms.device, dtype=torch.float32),
                          torch.zeros(tiles, device=terms.device, dtype=torch.int32))
        partial, counter = _WORK[key]
    split_x_wgmma_kernel[(tiles, split_k)](x_desc, w_desc, scale, x_scale, out, partial, counter, m, n, k,
                                           scale.stride(0), scale.stride(1), out.stride(0), 128, 128, stages, split_k,
                                           num_warps=num_warps)
    return out


def compile_offline(block_n=64, block_m=64, block_k=128, stages=4, split_k=1, num_warps=4, capability=90):
    """The sm_90 build without a GPU (registers, shared memory, SASS)."""
    from triton.backends.compiler import GPUTarget
    from triton.experimental.gluon._runtime import GluonASTSource
    x_layout, w_layout = _layouts(block_n, block_m, block_k)
    signature = {"x_desc": f"tensordesc<fp8e4nv[{block_m}, {block_k}],{x_layout!r}>",
                 "w_desc": f"tensordesc<fp8e4nv[{block_n}, {block_k}],{w_layout!r}>",
                 "scale_ptr": "*fp32", "x_scale_ptr": "*fp32", "out_ptr": "*bf16", "partial_ptr": "*fp32",
                 "counter_ptr": "*i32", "M": "i32", "N": "i32", "K": "i32", "stride_sn": "i32", "stride_sk": "i32",
                 "stride_om": "i32"}
    constexprs = {"SCALE_BLOCK_N": 128, "SCALE_BLOCK_K": 128, "STAGES": stages, "SPLIT_K": split_k,
                  "num_warps": num_warps}
    signature.update({name: "constexpr" for name in constexprs})
    source = GluonASTSource(split_x_wgmma_kernel, signature, constexprs)
    return triton.compile(source, target=GPUTarget("cuda", capability, 32), options={"num_warps": num_warps})


if __name__ == "__main__":  # offline: build the variants and show the waits in the SASS
    import os
    import re
    import subprocess
    import tempfile
    import triton.backends.nvidia
    bin_dir = os.path.join(os.path.dirname(triton.backends.nvidia.__file__), "bin")
    for block_n, block_m, stages, split_k, warps in ((64, 64, 4, 1, 4), (64, 64, 4, 2, 4), (128, 64, 3, 1, 4),
                                                     (128, 128, 3, 1, 8)):
        kernel = compile_offline(block_n, block_m, 128, stages, split_k, warps)
        with tempfile.NamedTemporaryFile(suffix=".cubin") as f:
            f.write(kernel.asm["cubin"])
            f.flush()
            sass = subprocess.run([os.path.join(bin_dir, "nvdisasm"), "-c", f.name], capture_output=True,
                                  text=True).stdout
            usage = subprocess.run([os.path.join(bin_dir, "cuobjdump"), "--dump-resource-usage", f.name],
                                   capture_output=True, text=True).stdout
        waits = re.findall(r"WARPGROUP.DEPBAR.LE gsb0, 0x([0-9a-f]+)", sass)
        print(f"{block_n}x{block_m} stages {stages} split {split_k} warps {warps}: shared {kernel.metadata.shared} B,"
              f" {' '.join(re.findall(r'(REG:[0-9]+|STACK:[0-9]+)', usage))}, QGMMA {sass.count('QGMMA')},"
              f" waits {waits}")
