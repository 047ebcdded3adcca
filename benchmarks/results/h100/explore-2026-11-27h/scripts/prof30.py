"""ncu target (session of 2026-11-27, afternoon): the rule's M = 1 launch on the 4-8 MB Flash layers, where the sweep
found the rule at the best config, and the v36 narrow tensor-core launch at M = 16; two launches each."""
import torch
import triton
from fp8blk.kernels.fp8_block_matmul import fp8_block_matmul

torch.manual_seed(0)
for n, k, m in ((2048, 4096, 1), (8192, 1024, 1), (1024, 4096, 1), (512, 4096, 16), (8192, 1024, 16)):
    w = (torch.randn(n, k, device="cuda") * 0.5).to(torch.float8_e4m3fn)
    s = torch.rand(triton.cdiv(n, 128), triton.cdiv(k, 128), device="cuda") * 1e-2 + 1e-3
    x = torch.randn(m, k, device="cuda", dtype=torch.bfloat16)
    for _ in range(2):
        fp8_block_matmul(x, w, s)
torch.cuda.synchronize()
