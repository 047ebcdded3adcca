"""exp135: small layers (N <= 4096, K = 2048-7168) at M = 96-512, where fp8blk runs 0.6-0.8x cuBLAS bf16 (v64 harness):
the tile kernel's launches with deeper K splits (64 x 64 tiles, split 4-32, bf16 x and split x) forced through the
library against the rule's launch and cuBLAS. CUDA graphs, weights rotated, two alternating rounds, every output
checked against float64."""
import json
import os
import sys

import torch
import torch.nn.functional as F
from fp8blk.bench.inputs import random_fp8_weight, float64_reference
from fp8blk.bench.timing import time_calls
from fp8blk.kernels.fp8_tile import KernelConfig
import fp8blk.kernels  # noqa: F401
km = sys.modules["fp8blk.kernels.fp8_block_matmul"]
dev = torch.device("cuda", 0)
l2 = torch.cuda.get_device_properties(0).L2_cache_size
SMS = torch.cuda.get_device_properties(0).multi_processor_count
BF16 = KernelConfig(64, 64, 128, 1, 4, 3, scale_in_weight=True, tma=True)  # the rule's small-layer tile (bf16 x)
SPLIT_X = KernelConfig(64, 64, 128, 1, 4, 4, tma=True, split_x=True)
LAYERS = [(512, 7168), (1536, 7168), (576, 7168), (512, 4096), (1024, 4096), (2048, 4096), (2048, 7168),
          (3072, 7168), (4096, 2048)]
records = []
for n, k in LAYERS:
    copies = max(2, -(-2 * l2 // (n * k)))
    ws = [random_fp8_weight(n, k) for _ in range(copies)]
    wb = [torch.randn(n, k, device="cuda", dtype=torch.bfloat16) for _ in range(max(2, -(-l2 // (n * k))))]
    k_tiles = -(-k // 128)
    for m in (96, 128, 192, 256, 384, 512):
        rule = km.launch_config(m, n, k, dev)
        xs = [torch.randn(m, k, device="cuda").to(torch.bfloat16) for _ in range(copies)]
        ref = float64_reference(xs[0], *ws[0])
        tiles = -(-n // 64) * -(-m // 64)
        configs = {"rule": None}
        for split in (2, 4, 8, 16, 32):
            if k_tiles // split >= 2 and tiles * split <= 6 * SMS:
                configs[f"bf16x{split}"] = BF16._replace(split_k=split)
                configs[f"sxx{split}"] = SPLIT_X._replace(split_k=split)
        calls = {name: (lambda i, c=c: km.fp8_block_matmul(xs[i], *ws[i], config=c)) for name, c in configs.items()}
        calls["cublas"] = lambda i: F.linear(xs[i % len(xs)], wb[i % len(wb)])
        errs = {name: ((calls[name](0).double() - ref).norm() / ref.norm()).item() for name in configs}
        times = {}
        for _ in range(2):
            for name, call in calls.items():
                times.setdefault(name, []).append(time_calls(call, copies, graphs=True)["median_us"])
        best = {name: min(v) for name, v in times.items()}
        fastest = min(configs, key=lambda c: best[c])
        records.append(dict(n=n, k=k, m=m, rule=repr(rule), times=times, errs=errs))
        kind = 'serving' if rule.warp_specialized else 'expand' if rule.expand_weight else 'tile'
        print(f"{n}x{k} M={m} rule {kind} {tuple(rule)[:4]}{' sx' if rule.split_x else ''} {best['rule']:.1f} cublas "
              f"{best['cublas']:.1f} | best {fastest} {best[fastest]:.1f} (x{best['rule'] / best[fastest]:.2f} rule, "
              f"{best['cublas'] / best[fastest]:.2f} cublas) | " + " ".join(f"{c} {best[c]:.1f}" for c in configs
                                                                      if c != "rule")
              + f" | max err {max(errs.values()):.1e}", flush=True)
        json.dump(records, open(os.path.join(os.environ.get("OUT", "/tmp"), "exp135.json"), "w"), indent=1)
    ws = wb = None
    torch.cuda.empty_cache()
