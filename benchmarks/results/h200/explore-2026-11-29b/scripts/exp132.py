"""exp132: v64 = the serving kernel's stream schedule (whole tiles in rounds, the rest as one stream of K-tiles cut
into even runs, a tail tile's parts reduced in K order), against v63's schedule (the copy beside it) with the rule's
config on both sides, at every harness point (V4-Pro, V4-Flash, V3, unseen) where the schedule differs; where the rule
takes the 64-row build, also the 128-row build with the stream; and at M = 768-4096 the serving kernel (128-row,
stream schedule) against the rule's expand path. CUDA graphs, weights rotated, two alternating rounds, cuBLAS bf16
beside, every output checked against float64."""
import json
import os
import sys

import torch
import torch.nn.functional as F
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "oldk"))
from fp8blk.bench.inputs import random_fp8_weight, float64_reference
from fp8blk.bench.timing import time_calls
from fp8blk.kernels.fp8_tile import KernelConfig
import fp8blk.kernels  # noqa: F401
import kernels_v63  # noqa: F401
km = sys.modules["fp8blk.kernels.fp8_block_matmul"]
old = sys.modules["kernels_v63.fp8_block_matmul"]
dev = torch.device("cuda", 0)
l2 = torch.cuda.get_device_properties(0).L2_cache_size
S128 = KernelConfig(128, 128, 128, 1, 4, 4, tma=True, split_x=True, warp_specialized=True)
POINTS = json.load(open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "exp132_points.json")))
LARGE_M = {(7168, 16384): (768, 1024, 2048, 4096), (65536, 1536): (1024, 2048, 4096), (4096, 8192): (1024, 2048, 4096),
           (18432, 7168): (1024, 2048), (7168, 3072): (1024, 2048, 4096), (32768, 1024): (1024, 2048, 4096),
           (8192, 1536): (1024, 4096), (3072, 7168): (4096,), (17408, 5120): (1024,), (6144, 5120): (1024, 2048)}
work = {}
for n, k, m in POINTS:
    work.setdefault((n, k), []).append(m)
for nk, ms in LARGE_M.items():
    work.setdefault(nk, []).extend(ms)
records = []
for (n, k), ms in work.items():
    copies = max(2, -(-2 * l2 // (n * k)))
    ws = [random_fp8_weight(n, k) for _ in range(copies)]
    wb = [torch.randn(n, k, device="cuda", dtype=torch.bfloat16) for _ in range(max(2, -(-l2 // (n * k))))]
    for m in sorted(set(ms)):
        rule = km.launch_config(m, n, k, dev)
        xs = [torch.randn(m, k, device="cuda").to(torch.bfloat16) for _ in range(copies)]
        ref = float64_reference(xs[0], *ws[0])
        if m <= 512:
            calls = {"v64": lambda i: km.fp8_block_matmul(xs[i], *ws[i], config=rule),
                     "v63": lambda i: old.fp8_block_matmul(xs[i], *ws[i], config=rule)}
            if rule.warp_specialized and rule.block_m == 64:
                calls["s128"] = lambda i: km.fp8_block_matmul(xs[i], *ws[i], config=S128)
        else:
            calls = {"rule": lambda i: km.fp8_block_matmul(xs[i], *ws[i]),
                     "s128": lambda i: km.fp8_block_matmul(xs[i], *ws[i], config=S128)}
        errs = {name: ((call(0).double() - ref).norm() / ref.norm()).item() for name, call in calls.items()}
        repeat = torch.equal(calls[next(iter(calls))](1), calls[next(iter(calls))](1))
        calls["cublas"] = lambda i: F.linear(xs[i % len(xs)], wb[i % len(wb)])
        times = {}
        for _ in range(2):
            for name, call in calls.items():
                times.setdefault(name, []).append(time_calls(call, copies, graphs=True)["median_us"])
        best = {name: min(v) for name, v in times.items()}
        records.append(dict(n=n, k=k, m=m, rule=repr(rule), times=times, errs=errs, repeat_bitwise=repeat))
        kind = 'serving' if rule.warp_specialized else 'expand' if rule.expand_weight else 'tile'
        head = "v64" if m <= 512 else "rule"
        other = "v63" if m <= 512 else "s128"
        print(f"{n}x{k} M={m} {kind} bm{rule.block_m} split{rule.split_k} | " + " ".join(
            f"{name} {best[name]:.1f}" for name in calls) + f" | {other}/{head} x{best[head] / best[other]:.3f}"
            + (f" s128/v64 x{best['v64'] / best['s128']:.3f}" if m <= 512 and 's128' in best else "")
            + f" cublas/best x{best['cublas'] / min(best[c] for c in calls if c not in ('cublas', 'v63')):.2f}"
            + f" | err {max(errs.values()):.1e} rep {repeat}", flush=True)
        json.dump(records, open(os.path.join(os.environ.get("OUT", "/tmp"), "exp132.json"), "w"), indent=1)
    ws = wb = None
    torch.cuda.empty_cache()
