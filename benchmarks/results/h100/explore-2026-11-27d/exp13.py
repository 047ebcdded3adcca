"""Tile kernel at M = 48-96: TMA rule vs pointer loads, run once with FP8BLK_PDL=0 and once with 1 (env at import).
Run: FP8BLK_PDL=0|1 python3 exp13.py"""
import os
os.environ["FP8BLK_CONFIG_TABLE"] = "0"
import torch, triton
from fp8blk.kernels import fp8_block_matmul
from fp8blk.kernels.fp8_tile import default_config
from fp8blk.bench.timing import time_calls, rotation_count

SMS = torch.cuda.get_device_properties(0).multi_processor_count
L2 = torch.cuda.get_device_properties(0).L2_cache_size
for (n, k), ms in (((4096, 8192), (48, 64, 96)), ((4096, 4096), (64,)), ((8192, 1024), (64,)), ((4096, 2048), (64,))):
    copies = rotation_count(n * k, L2)
    ws = [((torch.randn(n, k, device="cuda") * 0.5).to(torch.float8_e4m3fn),
           torch.rand(triton.cdiv(n, 128), triton.cdiv(k, 128), device="cuda") * 1e-2 + 1e-3) for _ in range(copies)]
    for m in ms:
        xs = [torch.randn(m, k, device="cuda", dtype=torch.bfloat16) for _ in range(copies)]
        rule = default_config(m, n, k, 1, 128, SMS)
        res = {}
        for tag, cfg in (("tma", rule._replace(tma=True)), ("ptr", rule), ("tma-st4", rule._replace(tma=True, num_stages=4)),
                         ("tma-split2", rule._replace(tma=True, split_k=max(1, rule.split_k // 2)))):
            res[tag] = time_calls(lambda i: fp8_block_matmul(xs[i], ws[i][0], ws[i][1], config=cfg), copies, graphs=True)["median_us"]
        print(f"PDL={os.environ.get('FP8BLK_PDL', '1')} {n:5d}x{k:5d} M={m:3d} {tuple(rule)[:6]} " + " ".join(f"{t}={v:.1f}" for t, v in res.items()), flush=True)
    del ws
