"""ncu support (exp57): the rule's launch and split-x launches on two points, one profiled call each."""
import torch
from fp8blk.bench.inputs import random_fp8_weight
from fp8blk.kernels import fp8_block_matmul
from fp8blk.kernels.fp8_block_matmul import KernelConfig

POINTS = [(4096, 2048, 128, KernelConfig(64, 64, 128, 1, 4, 4, split_x=True, tma=True)),
          (4096, 8192, 512, KernelConfig(128, 128, 128, 1, 8, 3, split_x=True, tma=True)),
          (4096, 8192, 256, KernelConfig(64, 64, 128, 1, 4, 4, split_x=True, tma=True))]
calls = []
for n, k, m, cfg in POINTS:
    w, s = random_fp8_weight(n, k)
    x = torch.randn(m, k, device="cuda").to(torch.bfloat16)
    for c in (None, cfg):
        fp8_block_matmul(x, w, s, config=c)
        calls.append((x, w, s, c))
torch.cuda.synchronize()
torch.cuda.cudart().cudaProfilerStart()
for x, w, s, c in calls:
    fp8_block_matmul(x, w, s, config=c)
torch.cuda.synchronize()
torch.cuda.cudart().cudaProfilerStop()
