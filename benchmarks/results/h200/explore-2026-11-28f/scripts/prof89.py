"""prof89: ncu of v46 and v47 M = 4 TMA decode launches (H200): 4096 x 8192 (split 4 -> 8), 9216 x 12288 (2 -> 4)."""
import torch
from fp8blk.bench.inputs import random_fp8_weight
from fp8blk.kernels import fp8_block_matmul
from fp8blk.kernels.fp8_decode import DecodeConfig
CASES = [((4096, 8192), 4, 8), ((9216, 12288), 2, 4)]
for (n, k), v46_split, v47_split in CASES:
    w = random_fp8_weight(n, k)
    x = torch.randn(4, k, device="cuda").to(torch.bfloat16)
    for split in (v46_split, v47_split):
        cfg = DecodeConfig(64, 16, 128, 1, split, True, 4, 4, True)
        for _ in range(3):
            fp8_block_matmul(x, *w, config=cfg)
    torch.cuda.synchronize()
