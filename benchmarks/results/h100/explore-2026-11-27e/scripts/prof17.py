"""ncu target: library tile rule (native and integer dequant) and gl17 configs, one launch each after a warm-up."""
import os, sys
os.environ["FP8BLK_CONFIG_TABLE"] = "0"
import torch, triton
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gl17
from fp8blk.kernels import fp8_block_matmul
torch.manual_seed(0)
for (n, k, m) in ((4096, 8192, 256), (7168, 16384, 512)):
    w = (torch.randn(n, k, device="cuda") * 0.5).to(torch.float8_e4m3fn)
    s = torch.rand(triton.cdiv(n, 128), triton.cdiv(k, 128), device="cuda") * 1e-2 + 1e-3
    x = torch.randn(m, k, device="cuda", dtype=torch.bfloat16)
    out = torch.empty(m, n, device="cuda", dtype=torch.bfloat16)
    for _ in range(2):
        fp8_block_matmul(x, w, s)
        fp8_block_matmul(x, w, s, dequant="integer")
        gl17.launch(x, w, s, out, 128, 128, 64, 4, 4, 2 if m == 256 else 1, 8)
        gl17.launch(x, w, s, out, 256, 128, 64, 4, 4, 2 if m == 256 else 1, 8)
    torch.cuda.synchronize()
