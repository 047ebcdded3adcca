"""prof133 (under ncu --profile-from-start off): v64's stream schedule against v63's at 7168 x 16384 M = 96 (split 2
-> 132-program stream), 256 (112 tiles -> stream) and 384 (split 2 -> whole tiles + stream), one call each after
warm-up: why the stream ran slower at M = 96 / 256 (exp132)."""
import os
import sys

import torch
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "oldk"))
from fp8blk.bench.inputs import random_fp8_weight
import fp8blk.kernels  # noqa: F401
import kernels_v63  # noqa: F401
km = sys.modules["fp8blk.kernels.fp8_block_matmul"]
old = sys.modules["kernels_v63.fp8_block_matmul"]
n, k = 7168, 16384
w, s = random_fp8_weight(n, k)
for m in (96, 256, 384):
    x = torch.randn(m, k, device="cuda").to(torch.bfloat16)
    cfg = km.launch_config(m, n, k, x.device)
    for _ in range(3):
        km.fp8_block_matmul(x, w, s, config=cfg)
        old.fp8_block_matmul(x, w, s, config=cfg)
    torch.cuda.synchronize()
    print(m, tuple(cfg), flush=True)
    torch.cuda.profiler.start()
    old.fp8_block_matmul(x, w, s, config=cfg)
    km.fp8_block_matmul(x, w, s, config=cfg)
    torch.cuda.synchronize()
    torch.cuda.profiler.stop()
