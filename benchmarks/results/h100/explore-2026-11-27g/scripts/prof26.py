"""ncu target for exp26: 64x64 tiles, M = 48, split 4/16, on 512x4096 and 512x7168; two launches each (ncu -s 1 per set)."""
import torch, triton
from fp8blk.kernels.fp8_block_matmul import KernelConfig, fp8_block_matmul
torch.manual_seed(0)
for (n, k) in ((512, 4096), (512, 7168)):
    w = torch.randn(n, k, device="cuda").to(torch.float8_e4m3fn)
    s = torch.rand(triton.cdiv(n, 128), triton.cdiv(k, 128), device="cuda") * 1e-2 + 1e-3
    x = torch.randn(48, k, device="cuda", dtype=torch.bfloat16)
    for split in (4, 16):
        cfg = KernelConfig(64, 64, 128, split, 4, 3, True, tma=True)
        for _ in range(2):
            fp8_block_matmul(x, w, s, config=cfg)
torch.cuda.synchronize()
