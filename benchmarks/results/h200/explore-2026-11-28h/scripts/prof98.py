"""prof98: where the fused split-x launch loses (exp97): ncu of v48's pair (split kernel, tile kernel) and of the
fused launch, same rule config, on three points. Run under ncu --kernel-name regex:'fp8_block_matmul|split_x'."""
import importlib
import os
import sys

import torch

sys.path.insert(0, "/tmp")
old = importlib.import_module("oldk.fp8_block_matmul")
new = importlib.import_module("fp8blk.kernels.fp8_block_matmul")
from fp8blk.bench.inputs import random_fp8_weight

for n, k, m in ((8192, 1024, 128), (4096, 2048, 256), (4096, 8192, 512)):
    w = random_fp8_weight(n, k)
    x = torch.randn(m, k, device="cuda").to(torch.bfloat16)
    for mod in (old, new):
        for _ in range(2):
            mod.fp8_block_matmul(x, *w)
        torch.cuda.synchronize()
    print(n, k, m, new.launch_config(m, n, k, torch.device("cuda", 0)), flush=True)
