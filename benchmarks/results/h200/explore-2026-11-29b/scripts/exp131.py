"""exp131: small layers (N x K <= 3072 x 7168) at M = 96-512, where the rule's tile / expand launches run
0.61-0.81x cuBLAS bf16 (v63 harness): the serving kernel forced with deep K splits (128-row build split 1-16, 64-row
build split 1-8) against the rule's launch and cuBLAS; and, on large layers at M = 768 / 1024, the serving kernel
against the expand path. CUDA graphs, weights rotated, two alternating rounds, every output checked against
float64."""
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
S128 = KernelConfig(128, 128, 128, 1, 4, 4, tma=True, split_x=True, warp_specialized=True)
S64 = S128._replace(block_m=64, num_stages=3)
SMALL = [(512, 7168), (1536, 7168), (3072, 7168), (512, 4096), (1024, 4096), (2048, 4096), (4096, 2048),
         (8192, 1024)]
POINTS = {nk: (96, 192, 256, 384, 512) for nk in SMALL}
LARGE = {(7168, 16384): (768, 1024), (65536, 1536): (1024,), (4096, 8192): (1024,), (18432, 7168): (1024,),
         (7168, 3072): (1024,)}
POINTS.update(LARGE)


def nonempty(k_tiles, split):
    per = -(-k_tiles // split)
    return (split - 1) * per < k_tiles


records = []
for (n, k), ms in POINTS.items():
    copies = max(2, -(-2 * l2 // (n * k)))
    ws = [random_fp8_weight(n, k) for _ in range(copies)]
    wb = [torch.randn(n, k, device="cuda", dtype=torch.bfloat16) for _ in range(max(2, -(-l2 // (n * k))))]
    k_tiles = -(-k // 128)
    for m in ms:
        rule = km.launch_config(m, n, k, dev)
        xs = [torch.randn(m, k, device="cuda").to(torch.bfloat16) for _ in range(copies)]
        ref = float64_reference(xs[0], *ws[0])
        configs = {"rule": None}
        if m >= 768:
            configs.update(s128=S128, s64=S64)
        else:
            for s in (1, 2, 4, 8, 16):
                items = -(-n // 128) * -(-m // 128) * s
                if nonempty(k_tiles, s) and k_tiles // s >= 2 and items <= 2 * SMS:
                    configs[f"s128x{s}"] = S128._replace(split_k=s)
            for s in (1, 2, 4, 8):
                items = -(-n // 128) * -(-m // 64) * s
                if nonempty(k_tiles, s) and k_tiles // s >= 2 and items <= 4 * SMS:
                    configs[f"s64x{s}"] = S64._replace(split_k=s)
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
        print(f"{n}x{k} M={m} rule {kind} {tuple(rule)[:4]} {best['rule']:.1f} cublas {best['cublas']:.1f} | best "
              f"{fastest} {best[fastest]:.1f} (x{best['rule'] / best[fastest]:.2f} rule, "
              f"{best['cublas'] / best[fastest]:.2f} cublas) | " + " ".join(f"{c} {best[c]:.1f}" for c in configs
                                                                      if c != "rule")
              + f" | max err {max(errs.values()):.1e}", flush=True)
        json.dump(records, open(os.path.join(os.environ.get("OUT", "/tmp"), "exp131.json"), "w"), indent=1)
    ws = wb = None
    torch.cuda.empty_cache()
