"""ncu target for exp29: the rule's M = 1 launch on 7168x16384 and 65536x1536, two launches each."""
import torch
import triton
from fp8blk.kernels.fp8_block_matmul import fp8_block_matmul

torch.manual_seed(0)
for n, k in ((7168, 16384), (65536, 1536)):
    w = (torch.randn(n, k, device="cuda") * 0.5).to(torch.float8_e4m3fn)
    s = torch.rand(triton.cdiv(n, 128), triton.cdiv(k, 128), device="cuda") * 1e-2 + 1e-3
    x = torch.randn(1, k, device="cuda", dtype=torch.bfloat16)
    for _ in range(2):
        fp8_block_matmul(x, w, s)
torch.cuda.synchronize()
