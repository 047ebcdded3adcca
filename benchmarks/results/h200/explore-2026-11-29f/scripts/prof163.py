"""prof163: the deep stream's 4096 x 8192 M = 1 launch built with masks (v67, v69) and without (exp162's v69: 14.6
against 12.5 us): registers, occupancy, DRAM throughput (ncu, one call each between profiler start/stop)."""
import sys

import torch
from fp8blk.bench.inputs import random_fp8_weight
import fp8blk.kernels  # noqa: F401
km = sys.modules["fp8blk.kernels.fp8_block_matmul"]
dev = torch.device("cuda", 0)
masked = km.drops_masks


def unmasked(n, k, config):
    return not config.use_mma and n % config.block_n == 0 and k % (config.subs * config.sub_k) == 0


for n, k in ((4096, 8192), (3584, 8192)):
    w = random_fp8_weight(n, k)
    x = torch.randn(1, k, device="cuda").to(torch.bfloat16)
    for rule in (masked, unmasked):
        km.drops_masks = rule
        km._launch_plan.cache_clear()
        for _ in range(3):
            km.fp8_block_matmul(x, *w)
        torch.cuda.synchronize()
        torch.cuda.cudart().cudaProfilerStart()
        km.fp8_block_matmul(x, *w)
        torch.cuda.synchronize()
        torch.cuda.cudart().cudaProfilerStop()
        print(n, k, rule.__name__, flush=True)
