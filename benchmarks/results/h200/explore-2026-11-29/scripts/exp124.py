"""exp124: with the serving kernel persistent (v60), its launches against the rule's where the rule keeps the tile
kernel at M = 96-512 on mid and large layers: the 128-row build unsplit and split 2, the 64-row build (two
programs a SM), each forced through the library; CUDA graphs, weights rotated, two alternating rounds; cuBLAS bf16
beside; every output checked against float64."""
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
S128 = KernelConfig(128, 128, 128, 1, 4, 4, tma=True, split_x=True, warp_specialized=True)
S64 = S128._replace(block_m=64, num_stages=3)
POINTS = {(4096, 8192): (96, 128, 384), (8192, 1024): (192,), (4096, 2048): (96, 128, 384), (7168, 16384): (192,),
          (8192, 1536): (192,), (3072, 7168): (96, 128, 384, 512), (7168, 3072): (192, 384),
          (18432, 7168): (96, 128, 192), (7168, 18432): (192,), (7168, 2048): (192, 384), (2048, 4096): (192, 256),
          (2048, 7168): (192, 256), (10240, 5120): (96, 192), (5120, 5120): (128, 384)}
records = []
for (n, k), ms in POINTS.items():
    copies = max(2, -(-2 * l2 // (n * k)))
    ws = [random_fp8_weight(n, k) for _ in range(copies)]
    wb = [torch.randn(n, k, device="cuda", dtype=torch.bfloat16) for _ in range(max(2, -(-l2 // (n * k))))]  # cuBLAS
    for m in ms:
        rule = km.launch_config(m, n, k, dev)
        xs = [torch.randn(m, k, device="cuda").to(torch.bfloat16) for _ in range(copies)]
        ref = float64_reference(xs[0], *ws[0])
        configs = {"rule": None, "s128": S128, "s64": S64}
        if -(-k // 128) >= 16:
            configs["s128x2"] = S128._replace(split_k=2)
        calls = {name: (lambda i, c=c: km.fp8_block_matmul(xs[i], *ws[i], config=c)) for name, c in configs.items()}
        calls["cublas"] = lambda i: F.linear(xs[i % len(xs)], wb[i % len(wb)])
        errs = {name: ((calls[name](0).double() - ref).norm() / ref.norm()).item() for name in configs}
        times = {}
        for _ in range(2):
            for name, call in calls.items():
                times.setdefault(name, []).append(time_calls(call, copies, graphs=True)["median_us"])
        best = {name: min(v) for name, v in times.items()}
        records.append(dict(n=n, k=k, m=m, rule=repr(rule), times=times, errs=errs))
        print(f"{n}x{k} M={m} rule {'serving' if rule.warp_specialized else 'expand' if rule.expand_weight else 'tile'}"
              f" {tuple(rule)[:6]} | " + " ".join(f"{name} {best[name]:.1f}" for name in calls)
              + f" | best/rule x{best['rule'] / min(best[c] for c in configs):.3f} | max err {max(errs.values()):.1e}",
              flush=True)
        json.dump(records, open(os.path.join(os.environ.get("OUT", "/tmp"), "exp124.json"), "w"), indent=1)
    ws = wb = None
    torch.cuda.empty_cache()
