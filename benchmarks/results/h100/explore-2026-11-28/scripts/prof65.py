"""ncu support (exp65): the rule's launches at M = 96 and 112 on 4096 x 8192 and 7168 x 18432 (v40: identical
split-x configs, M = 96 15% slower in exp62), one profiled call each (split kernel + tile kernel)."""
import torch
from fp8blk.bench.inputs import random_fp8_weight
from fp8blk.kernels import fp8_block_matmul

calls = []
for n, k in ((4096, 8192), (7168, 18432)):
    w, s = random_fp8_weight(n, k)
    for m in (96, 112):
        x = torch.randn(m, k, device="cuda").to(torch.bfloat16)
        fp8_block_matmul(x, w, s)
        calls.append((x, w, s))
torch.cuda.synchronize()
torch.cuda.cudart().cudaProfilerStart()
for x, w, s in calls:
    fp8_block_matmul(x, w, s)
torch.cuda.synchronize()
torch.cuda.cudart().cudaProfilerStop()
