"""Library TMA rules vs pointer-load launches (same rule, tma off) and stage/split neighbours; installed fp8blk,
table off, CUDA graphs, rotated weights. Run: python3 exp12.py"""
import os
os.environ["FP8BLK_CONFIG_TABLE"] = "0"
import torch, triton
from fp8blk.kernels import fp8_block_matmul
from fp8blk.kernels.fp8_decode import decode_config
from fp8blk.kernels.fp8_tile import default_config
from fp8blk.bench.timing import time_calls, rotation_count

SMS = torch.cuda.get_device_properties(0).multi_processor_count
L2 = torch.cuda.get_device_properties(0).L2_cache_size
POINTS = [((7168, 16384), (2, 4, 16)), ((18432, 7168), (2, 4, 16)), ((7168, 18432), (4, 16)), ((4096, 8192), (4, 16)),
          ((4096, 8192), (64, 128, 256)), ((7168, 16384), (64, 128, 256)), ((2048, 4096), (64, 128, 256)),
          ((32768, 1024), (64, 128, 256)), ((3072, 7168), (64, 128, 256))]
for (n, k), ms in POINTS:
    copies = rotation_count(n * k, L2)
    ws = [((torch.randn(n, k, device="cuda") * 0.5).to(torch.float8_e4m3fn),
           torch.rand(triton.cdiv(n, 128), triton.cdiv(k, 128), device="cuda") * 1e-2 + 1e-3) for _ in range(copies)]
    for m in ms:
        xs = [torch.randn(m, k, device="cuda", dtype=torch.bfloat16) for _ in range(copies)]
        if m <= 32:
            rule = decode_config(m, n, k, 1, 128, SMS, tma=True)
            variants = {"pointer-rule": decode_config(m, n, k, 1, 128, SMS), "st3": rule._replace(num_stages=3),
                        "split/2": rule._replace(split_k=max(1, rule.split_k // 2)),
                        "split*2": rule._replace(split_k=min(16, rule.split_k * 2))}
        else:
            rule = default_config(m, n, k, 1, 128, SMS)
            variants = {"pointer": rule._replace(tma=False)} if not rule.expand_weight else {}
        res = {"rule": time_calls(lambda i: fp8_block_matmul(xs[i], ws[i][0], ws[i][1]), copies, graphs=True)["median_us"]}
        for tag, cfg in variants.items():
            res[tag] = time_calls(lambda i: fp8_block_matmul(xs[i], ws[i][0], ws[i][1], config=cfg), copies, graphs=True)["median_us"]
        res["rule2"] = time_calls(lambda i: fp8_block_matmul(xs[i], ws[i][0], ws[i][1]), copies, graphs=True)["median_us"]
        print(f"{n:5d}x{k:5d} M={m:3d} tma={rule.tma} split={rule.split_k} " + " ".join(f"{t}={v:.1f}" for t, v in res.items()), flush=True)
    del ws
