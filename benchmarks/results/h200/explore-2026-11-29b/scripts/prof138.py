"""prof138 (under ncu --profile-from-start off): the serving kernel (the rule's launch at M = 1024, forced 128-row at
M = 2048) against cuBLAS bf16 at 7168 x 16384, one call each after warm-up: the SM clock each runs at, tensor-pipe
activity, shared-memory wavefronts and the math warps' stall reasons (plan item 1 after v64)."""
import sys

import torch
import torch.nn.functional as F
from fp8blk.bench.inputs import random_fp8_weight
from fp8blk.kernels.fp8_tile import KernelConfig
import fp8blk.kernels  # noqa: F401
km = sys.modules["fp8blk.kernels.fp8_block_matmul"]
S128 = KernelConfig(128, 128, 128, 1, 4, 4, tma=True, split_x=True, warp_specialized=True)
n, k = 7168, 16384
w, s = random_fp8_weight(n, k)
wb = torch.randn(n, k, device="cuda", dtype=torch.bfloat16)
for m in (1024, 2048):
    x = torch.randn(m, k, device="cuda").to(torch.bfloat16)
    for _ in range(3):
        km.fp8_block_matmul(x, w, s, config=S128)
        F.linear(x, wb)
    torch.cuda.synchronize()
    print(m, tuple(km.launch_config(m, n, k, x.device)), flush=True)
    torch.cuda.profiler.start()
    km.fp8_block_matmul(x, w, s, config=S128)
    F.linear(x, wb)
    torch.cuda.synchronize()
    torch.cuda.profiler.stop()
