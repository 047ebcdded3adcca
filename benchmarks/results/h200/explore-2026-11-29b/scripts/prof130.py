"""prof130 (prepared after v63, not run; under ncu --profile-from-start off): one call each of the rule's serving
launch and cuBLAS bf16 at 7168 x 16384 M = 256 / 384 / 512 and 18432 x 7168 M = 512, after warm-up, to count L2
traffic (plan item 1 after v63: is the 128-row build L2-bound where it trails cuBLAS?)."""
import sys

import torch
import torch.nn.functional as F
from fp8blk.bench.inputs import random_fp8_weight
import fp8blk.kernels  # noqa: F401
km = sys.modules["fp8blk.kernels.fp8_block_matmul"]
for n, k, m in ((7168, 16384, 256), (7168, 16384, 384), (7168, 16384, 512), (18432, 7168, 512)):
    w, s = random_fp8_weight(n, k)
    wb = torch.randn(n, k, device="cuda", dtype=torch.bfloat16)
    x = torch.randn(m, k, device="cuda").to(torch.bfloat16)
    for _ in range(3):
        km.fp8_block_matmul(x, w, s)
        F.linear(x, wb)
    torch.cuda.synchronize()
    print(n, k, m, tuple(km.launch_config(m, n, k, x.device)), flush=True)
    torch.cuda.profiler.start()
    km.fp8_block_matmul(x, w, s)
    F.linear(x, wb)
    torch.cuda.synchronize()
    torch.cuda.profiler.stop()
