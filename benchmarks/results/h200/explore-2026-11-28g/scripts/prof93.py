"""prof93: the 448-program TMA decode launch of 7168x16384 at M = 4, 3 stages (v47) and 4 (the bandwidth rule)."""
import torch
from fp8blk.bench.inputs import random_fp8_weight
from fp8blk.kernels import fp8_block_matmul, launch_config

w = random_fp8_weight(7168, 16384)
x = torch.randn(4, 16384, device="cuda").to(torch.bfloat16)
rule = launch_config(4, 7168, 16384)
for cfg in (rule._replace(num_stages=3), rule):
    for _ in range(2):
        fp8_block_matmul(x, *w, config=cfg)
torch.cuda.synchronize()
print(rule)
