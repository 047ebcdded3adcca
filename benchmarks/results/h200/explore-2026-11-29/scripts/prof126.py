"""prof126 (under ncu --profile-from-start off): one call each of v62's and v59's serving launch (the same config)
at 7168 x 16384 M = 96 (split 2, 112 programs) and 8192 x 1024 M = 96 (64-row build, 128 programs), after warm-up."""
import os
import sys

import torch
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "oldk"))
from fp8blk.bench.inputs import random_fp8_weight
import fp8blk.kernels  # noqa: F401
import kernels_v59  # noqa: F401
old = sys.modules["kernels_v59.fp8_block_matmul"]
new = sys.modules["fp8blk.kernels.fp8_block_matmul"]
dev = torch.device("cuda", 0)
for n, k, m in ((7168, 16384, 96), (8192, 1024, 96)):
    w, s = random_fp8_weight(n, k)
    x = torch.randn(m, k, device="cuda").to(torch.bfloat16)
    config = old.launch_config(m, n, k, dev)
    for _ in range(3):
        new.fp8_block_matmul(x, w, s, config=config)
        old.fp8_block_matmul(x, w, s, config=config)
    torch.cuda.synchronize()
    print(n, k, m, tuple(config), flush=True)
    torch.cuda.profiler.start()
    new.fp8_block_matmul(x, w, s, config=config)  # v62 first
    old.fp8_block_matmul(x, w, s, config=config)
    torch.cuda.synchronize()
    torch.cuda.profiler.stop()
