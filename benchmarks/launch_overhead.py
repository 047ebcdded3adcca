"""Host time per eager call, on a GPU:  python -m fp8blk.bench.launch_overhead

For each M (decode kernel, tile kernel, split x, expand path) on a 4096 x 4096 layer: ``Fp8BlockLinear(x)``, the
kernel wrapper ``fp8_block_matmul`` and ``torch.nn.functional.linear`` on bf16 weights (the cost a user pays per
layer in an eager model) are called in turn, each call timed alone while the GPU sleeps (the launch queue absorbs
them), so the three share whatever the host does meanwhile; each figure is the median call of a round, then the
median of ROUNDS rounds, and the ratio column the median of the per-round ratios. Then the module's cProfile top
entries.
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


def host_us(fns, calls=300):
    """Median host µs per call of each function in ``fns``, called in turn ``calls`` times while the GPU sleeps."""
    for fn in fns:
        for _ in range(10):
            fn()
    torch.cuda.synchronize()
    torch.cuda._sleep(400_000_000)  # ~0.2 s of GPU time: longer than queuing the calls takes
    times = [[] for _ in fns]
    for _ in range(calls):
        for fn, spent in zip(fns, times):
            start = time.perf_counter()
            fn()
            spent.append(time.perf_counter() - start)
    torch.cuda.synchronize()
    return [statistics.median(spent) * 1e6 for spent in times]


def main():
    n = k = 4096
    wq, scale = quantize_fp8_block(torch.randn(n, k, device="cuda") * 0.02)
    dense = (wq.float() * scale.repeat_interleave(128, 0).repeat_interleave(128, 1)).to(torch.bfloat16)
    layer = Fp8BlockLinear.from_tensors(wq, scale)
    print(f"{torch.cuda.get_device_name()} · torch {torch.__version__}; host µs per eager call, layer {n}x{k}")
    print(f"{'M':>5} {'F.linear':>9} {'Fp8BlockLinear':>15} {'fp8_block_matmul':>17} {'module / F.linear':>18}"
          f"   (calls interleaved; median of {ROUNDS} rounds)")
    for m in (1, 16, 64, 256, 4096):
        x = torch.randn(m, k, device="cuda").to(torch.bfloat16)
        calls = 300 if m <= 256 else 60  # large M: the queued GPU work must stay within the sleep and launch queue
        rounds = [host_us((lambda: F.linear(x, dense), lambda: layer(x), lambda: fp8_block_matmul(x, wq, scale)),
                          calls) for _ in range(ROUNDS)]
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
