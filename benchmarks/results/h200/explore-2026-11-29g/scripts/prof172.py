"""prof172: ncu figures for rules v71 / v72 -- M = 1 on 7168 x 16384 and 4096 x 8192 with v46's deep stream (the
v70 launch) and v71's; M = 2 on 512 x 4096 with v71's one-row and v72's two-row programs: registers, grid,
occupancy, warps active, DRAM throughput, issue slots (one call each between profiler start / stop)."""
import sys

import torch
from fp8blk.bench.inputs import random_fp8_weight
import fp8blk.kernels  # noqa: F401
km = sys.modules["fp8blk.kernels.fp8_block_matmul"]
dec = sys.modules["fp8blk.kernels.fp8_decode"]
C = dec.DecodeConfig
POINTS = [(1, 7168, 16384, "v70 deep", C(32, 1, 128, 4, 4, False, 4, 2)), (1, 7168, 16384, "v71", None),
          (1, 4096, 8192, "v70 deep", C(32, 1, 128, 4, 8, False, 4, 2)), (1, 4096, 8192, "v71", None),
          (2, 512, 4096, "v71 one row", C(1, 2, 128, 32, 1, False, 4, 2)), (2, 512, 4096, "v72", None)]
for m, n, k, name, cfg in POINTS:
    w = random_fp8_weight(n, k)
    x = torch.randn(m, k, device="cuda").to(torch.bfloat16)
    for _ in range(3):
        km.fp8_block_matmul(x, *w, config=cfg)
    torch.cuda.synchronize()
    torch.cuda.cudart().cudaProfilerStart()
    km.fp8_block_matmul(x, *w, config=cfg)
    torch.cuda.synchronize()
    torch.cuda.cudart().cudaProfilerStop()
    print(m, n, k, name, tuple(cfg or km.launch_config(m, n, k, x.device))[:8], flush=True)
