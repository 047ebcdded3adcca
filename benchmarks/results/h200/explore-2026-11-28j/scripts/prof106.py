"""prof106 (run under ncu --profile-from-start off): one call each of the rule's launch and cuBLAS bf16 on small
layers at M = 96-256, after warm-up, between cudaProfilerStart/Stop. Arguments ``N,K,M ...`` replace the four
points it ran (c136.sh) with others (c140.sh, prepared)."""
import sys

import torch
import torch.nn.functional as F
from fp8blk.bench.inputs import random_fp8_weight
import fp8blk.kernels  # noqa: F401
km = sys.modules["fp8blk.kernels.fp8_block_matmul"]
POINTS = [tuple(map(int, p.split(","))) for p in sys.argv[1:]] or [(1024, 4096, 128), (2048, 4096, 192),
                                                                  (4096, 2048, 128), (4096, 8192, 192)]
for n, k, m in POINTS:
    w, s = random_fp8_weight(n, k)
    wb = (w.float() * s.repeat_interleave(128, 0)[:n].repeat_interleave(128, 1)[:, :k]).to(torch.bfloat16)
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
