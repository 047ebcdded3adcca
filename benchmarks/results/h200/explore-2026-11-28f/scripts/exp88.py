"""exp88 (session 2026-11-28f): what an eager launch costs on the GPU. The harness times M > 64 eagerly (events
around each call, queued behind a GPU sleep) and M <= 64 in CUDA graphs; exp86 timed the rule's launch of 512x4096
M=128 at 10.2 us in graphs where the harness's eager run read 13.7 (cuBLAS 7.8 vs 10.0). Per point: fp8blk and
cuBLAS bf16, eager and graphed, same inputs; run once per environment (FP8BLK_PDL / FP8BLK_TMA as set)."""
import os
import torch
from fp8blk.bench.inputs import random_fp8_weight
from fp8blk.bench.timing import time_calls
from fp8blk.kernels import fp8_block_matmul, launch_config

l2 = torch.cuda.get_device_properties(0).L2_cache_size
POINTS = [(512, 4096, 128), (1024, 4096, 96), (2048, 4096, 128), (4096, 2048, 64), (32768, 1024, 128), (4096, 8192, 4),
          (1024, 4096, 1), (8192, 1024, 256)]
env = " ".join(f"{v}={os.environ[v]}" for v in ("FP8BLK_PDL", "FP8BLK_TMA") if v in os.environ) or "default"
for n, k, m in POINTS:
    copies = max(2, -(-2 * l2 // (n * k)))
    ws = [random_fp8_weight(n, k) for _ in range(copies)]
    wbf = [(w.to(torch.float32).view(n // 128, 128, k // 128, 128) * s[:, None, :, None]).view(n, k).to(torch.bfloat16)
           for w, s in ws]
    xs = [torch.randn(m, k, device="cuda").to(torch.bfloat16) for _ in range(copies)]
    row = {}
    for name, call in (("fp8blk", lambda i: fp8_block_matmul(xs[i], *ws[i])), ("cublas", lambda i: xs[i] @ wbf[i].T)):
        for graphs in (False, True):
            row[f"{name} {'graph' if graphs else 'eager'}"] = min(time_calls(call, copies, graphs=graphs)["median_us"]
                                                                  for _ in range(2))
    cfg = launch_config(m, n, k)
    print(f"[{env}] {n}x{k} M={m}: " + "  ".join(f"{a} {t:.1f}" for a, t in row.items())
          + f"  | {type(cfg).__name__} {tuple(cfg)[:5]}", flush=True)
    del ws, wbf, xs
    torch.cuda.empty_cache()
