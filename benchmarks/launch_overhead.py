"""Host time per eager call, on a GPU:  python -m fp8blk.bench.launch_overhead

For each M (decode kernel, tile kernel, expand path) on a 4096 x 4096 layer, the GPU is first given a long sleep,
then N calls are queued and timed on the host: what the CPU spends per call, whatever the GPU's time. Compares
``Fp8BlockLinear(x)``, the kernel wrapper ``fp8_block_matmul`` and ``torch.nn.functional.linear`` on bf16 weights
(the cost a user pays per layer in an eager model), then prints the module's cProfile top entries.
A host's timings drift from one moment to the next: each figure is the median of ROUNDS rounds, the three calls
measured in turn within every round, and the ratio column is the median of the per-round ratios.
"""
import cProfile
import pstats
import statistics
import time

import torch
import torch.nn.functional as F

from fp8blk import Fp8BlockLinear, quantize_fp8_block
from fp8blk.kernels import fp8_block_matmul


ROUNDS = 7


def host_us(fn, calls=200):
    """Host µs per call while the GPU is busy sleeping (the launch queue absorbs the calls)."""
    for _ in range(10):
        fn()
    torch.cuda.synchronize()
    torch.cuda._sleep(200_000_000)  # ~0.1 s of GPU time: longer than queuing the calls takes
    start = time.perf_counter()
    for _ in range(calls):
        fn()
    elapsed = time.perf_counter() - start
    torch.cuda.synchronize()
    return elapsed / calls * 1e6


def main():
    n = k = 4096
    wq, scale = quantize_fp8_block(torch.randn(n, k, device="cuda") * 0.02)
    dense = (wq.float() * scale.repeat_interleave(128, 0).repeat_interleave(128, 1)).to(torch.bfloat16)
    layer = Fp8BlockLinear.from_tensors(wq, scale)
    print(f"{torch.cuda.get_device_name()} · torch {torch.__version__}; host µs per eager call, layer {n}x{k}")
    print(f"{'M':>5} {'F.linear':>9} {'Fp8BlockLinear':>15} {'fp8_block_matmul':>17} {'module / F.linear':>18}"
          f"   (median of {ROUNDS} rounds)")
    for m in (1, 16, 64, 256, 4096):
        x = torch.randn(m, k, device="cuda").to(torch.bfloat16)
        rounds = [(host_us(lambda: F.linear(x, dense)), host_us(lambda: layer(x)),
                   host_us(lambda: fp8_block_matmul(x, wq, scale))) for _ in range(ROUNDS)]
        ref, module, wrapper = (statistics.median(column) for column in zip(*rounds))
        ratio = statistics.median(mod / lin for lin, mod, _ in rounds)
        print(f"{m:>5} {ref:>9.1f} {module:>15.1f} {wrapper:>17.1f} {ratio:>17.2f}x")
    x = torch.randn(1, k, device="cuda").to(torch.bfloat16)
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(300):
        layer(x)
    torch.cuda.synchronize()
    profile.disable()
    pstats.Stats(profile).sort_stats("tottime").print_stats(12)


if __name__ == "__main__":
    main()
