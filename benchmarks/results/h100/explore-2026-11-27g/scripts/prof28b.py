"""ncu target for exp28b: the rule and gl28 (128x128 split 1, 128x64 split 2) on 4096x8192 and 65536x1536 at M = 256,
two launches each after a warm-up (profile with -k regex:"fp8_block_matmul_kernel|fp8_wgmma_ws_kernel")."""
import os
import sys
import torch
import triton
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gl28  # noqa: E402
from fp8blk.kernels.fp8_block_matmul import fp8_block_matmul  # noqa: E402

torch.manual_seed(0)
for n, k in ((4096, 8192), (65536, 1536)):
    w = (torch.randn(n, k, device="cuda") * 0.5).to(torch.float8_e4m3fn)
    s = torch.rand(triton.cdiv(n, 128), triton.cdiv(k, 128), device="cuda") * 1e-2 + 1e-3
    x = torch.randn(256, k, device="cuda", dtype=torch.bfloat16)
    out = torch.empty(256, n, device="cuda", dtype=torch.bfloat16)
    for _ in range(2):
        fp8_block_matmul(x, w, s, out=out)
        gl28.launch(x, w, s, out, block_m=128, split_k=1)
        gl28.launch(x, w, s, out, block_m=64, split_k=2)
torch.cuda.synchronize()
