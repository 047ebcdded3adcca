"""exp18: library tile rule, native vs integer dequant (same tiles), M = 64-512."""
import os
os.environ["FP8BLK_CONFIG_TABLE"] = "0"
import torch, triton
from fp8blk.kernels import fp8_block_matmul
from fp8blk.bench.timing import time_calls, rotation_count
L2 = torch.cuda.get_device_properties(0).L2_cache_size
for n, k in ((4096, 8192), (7168, 16384), (32768, 1024), (3072, 7168), (2048, 4096)):
    copies = rotation_count(n * k, L2)
    ws = [((torch.randn(n, k, device="cuda") * 0.5).to(torch.float8_e4m3fn),
           torch.rand(triton.cdiv(n, 128), triton.cdiv(k, 128), device="cuda") * 1e-2 + 1e-3) for _ in range(copies)]
    for m in (64, 128, 256):
        xs = [torch.randn(m, k, device="cuda", dtype=torch.bfloat16) for _ in range(copies)]
        r = {d: time_calls(lambda i: fp8_block_matmul(xs[i], ws[i][0], ws[i][1], dequant=d), copies, graphs=True)["median_us"]
             for d in ("native", "integer")}
        print(f"{n:5d}x{k:5d} M={m:3d} native={r['native']:.1f} integer={r['integer']:.1f}", flush=True)
    del ws
