"""prof110 (prepared, not run; under ncu --profile-from-start off): where the tile kernel's time goes on small layers
(plan item 3 after v52): one call each of the rule's launch at four small-layer points and of cuBLAS bf16, after
warm-up, between cudaProfilerStart/Stop. c140.sh collects warp-state (stall reasons), scheduler, memory and launch
sections for them."""
import sys

import torch
import torch.nn.functional as F
from fp8blk.bench.inputs import random_fp8_weight
import fp8blk.kernels  # noqa: F401
km = sys.modules["fp8blk.kernels.fp8_block_matmul"]
for n, k, m in ((1024, 4096, 128), (4096, 2048, 128), (2048, 4096, 192), (1536, 7168, 128)):
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
