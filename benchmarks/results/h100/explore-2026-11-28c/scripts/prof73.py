"""ncu support (exp73): the split-x tiles v44 chooses among, on launches of one and two waves, to tell L2 traffic
from latency (a program's time about fixed by tile and K: NOTES item 65). One profiled call each."""
import torch
from fp8blk.bench.inputs import random_fp8_weight
from fp8blk.kernels import fp8_block_matmul
from fp8blk.kernels.fp8_block_matmul import KernelConfig

TILES = {"A": KernelConfig(64, 64, 128, 1, 4, 3, tma=True, split_x=True),
         "B": KernelConfig(128, 64, 128, 1, 4, 3, tma=True, split_x=True),
         "C": KernelConfig(128, 128, 128, 1, 8, 4, tma=True, split_x=True)}
POINTS = [(6144, 4096, 384, "ABC"), (5632, 4096, 384, "ABC"), (18432, 7168, 128, "AC"), (6144, 4096, 320, "B")]
calls = []
for n, k, m, names in POINTS:
    w, s = random_fp8_weight(n, k)
    x = torch.randn(m, k, device="cuda").to(torch.bfloat16)
    for name in names:
        fp8_block_matmul(x, w, s, config=TILES[name])
        calls.append((x, w, s, TILES[name]))
        print(len(calls) - 1, n, k, m, name, flush=True)
torch.cuda.synchronize()
torch.cuda.cudart().cudaProfilerStart()
for x, w, s, cfg in calls:
    fp8_block_matmul(x, w, s, config=cfg)
torch.cuda.synchronize()
torch.cuda.cudart().cudaProfilerStop()
