"""Host time per call of the launch path, on a GPU:  python -m benchmarks.launch_overhead

The GPU work is tiny (M = 1, a 256 x 256 layer) and 500 calls are queued back to back, so the time per
call is what the CPU spends launching. Prints fp8blk's wrapper, the bare Triton launch, and torch's
matmul for comparison, then the wrapper's cProfile top entries.
"""
import cProfile
import pstats
import time

import torch
import triton

from fp8blk import Fp8BlockLinear, quantize_fp8_block
from fp8blk.kernels import fp8_block_matmul
from fp8blk.kernels.fp8_block_matmul import _fp8_block_matmul_kernel, choose_config


def per_call_us(fn, calls=500):
    for _ in range(20):
        fn()
    torch.cuda.synchronize()
    start = time.perf_counter()
    for _ in range(calls):
        fn()
    torch.cuda.synchronize()
    return (time.perf_counter() - start) / calls * 1e6


def main():
    wq, scale = quantize_fp8_block(torch.randn(256, 256, device="cuda"))
    x = torch.randn(1, 256, device="cuda").to(torch.bfloat16)
    out = torch.empty(1, 256, device="cuda", dtype=torch.bfloat16)
    w8 = wq.view(torch.uint8)
    cfg = choose_config(1, 256, 256, 1, 128, x.device)

    def bare():
        _fp8_block_matmul_kernel[(triton.cdiv(256, cfg.block_n), 1, cfg.split_k)](
            x, w8, scale, out, out, out, out, 1, 256, 256, 256, 1, 256, 1, 2, 1, 256, 1, 128,
            SCALE_BLOCK_K=128, BLOCK_N=cfg.block_n, BLOCK_M=cfg.block_m, BLOCK_K=cfg.block_k, SPLIT_K=1,
            HAS_BIAS=False, INTEGER_DEQUANT=False, SCALE_E8M0=False, SCALE_IN_WEIGHT=False, DOT_IN_FP32=False,
            num_warps=cfg.num_warps, num_stages=cfg.num_stages)
    dense = torch.randn(256, 256, device="cuda").to(torch.bfloat16)
    layer = Fp8BlockLinear.from_tensors(wq, scale)
    results = {"fp8blk.kernels.fp8_block_matmul": per_call_us(lambda: fp8_block_matmul(x, wq, scale)),
               "fp8_block_matmul(out=...)": per_call_us(lambda: fp8_block_matmul(x, wq, scale, out=out)),
               "Fp8BlockLinear forward": per_call_us(lambda: layer(x)),
               "Triton JIT launch (kernel[grid](...))": per_call_us(bare),
               "torch.matmul (cuBLAS)": per_call_us(lambda: x @ dense.T)}
    for name, us in results.items():
        print(f"{name:<36} {us:7.1f} us/call host")
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(300):
        fp8_block_matmul(x, wq, scale)
    torch.cuda.synchronize()
    profile.disable()
    pstats.Stats(profile).sort_stats("tottime").print_stats(14)


if __name__ == "__main__":
    main()
