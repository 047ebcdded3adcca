"""prof82: ncu of v45 and v46 M = 1 launches (H200): 7168 x 16384 (v46 1.24x), 12288 x 4096 (v46 0.91x)."""
import torch
from fp8blk.bench.inputs import random_fp8_weight
from fp8blk.kernels import fp8_block_matmul
from fp8blk.kernels.fp8_decode import DecodeConfig
CASES = [((7168, 16384), DecodeConfig(16, 1, 128, 4, 1, False, 4, 3), DecodeConfig(32, 1, 128, 4, 4, False, 4, 2)),
         ((12288, 4096), DecodeConfig(32, 1, 128, 2, 1, False, 4, 3), DecodeConfig(32, 1, 128, 4, 2, False, 4, 2))]
for (n, k), v45, v46 in CASES:
    w = random_fp8_weight(n, k)
    x = torch.randn(1, k, device="cuda").to(torch.bfloat16)
    for cfg in (v45, v46):
        for _ in range(3):
            fp8_block_matmul(x, *w, config=cfg)
    torch.cuda.synchronize()
