"""exp136: v64's serving launches at ragged M = 520-1000 (x rows padded to the 128-row tiles) against v63's expand
path, on four harness layers and two never timed; both libraries by their rules (config table off), CUDA graphs,
weights rotated, two alternating rounds, cuBLAS bf16 beside, outputs checked against float64."""
import json
import os
import sys

import torch
import torch.nn.functional as F
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "oldk"))
from fp8blk.bench.inputs import random_fp8_weight, float64_reference
from fp8blk.bench.timing import time_calls
import fp8blk.kernels  # noqa: F401
import kernels_v63  # noqa: F401
km = sys.modules["fp8blk.kernels.fp8_block_matmul"]
old = sys.modules["kernels_v63.fp8_block_matmul"]
dev = torch.device("cuda", 0)
l2 = torch.cuda.get_device_properties(0).L2_cache_size
LAYERS = [(7168, 16384), (65536, 1536), (4096, 8192), (8192, 1024), (12800, 5120), (6656, 9216)]
records = []
for n, k in LAYERS:
    copies = max(2, -(-2 * l2 // (n * k)))
    ws = [random_fp8_weight(n, k) for _ in range(copies)]
    wb = [torch.randn(n, k, device="cuda", dtype=torch.bfloat16) for _ in range(max(2, -(-l2 // (n * k))))]
    for m in (520, 576, 600, 700, 800, 900, 1000):
        new_cfg, old_cfg = km.launch_config(m, n, k, dev), old.launch_config(m, n, k, dev)
        if new_cfg == old_cfg:
            continue
        xs = [torch.randn(m, k, device="cuda").to(torch.bfloat16) for _ in range(copies)]
        ref = float64_reference(xs[0], *ws[0])
        calls = {"v64": lambda i: km.fp8_block_matmul(xs[i], *ws[i]), "v63": lambda i: old.fp8_block_matmul(xs[i], *ws[i])}
        errs = {name: ((call(0).double() - ref).norm() / ref.norm()).item() for name, call in calls.items()}
        calls["cublas"] = lambda i: F.linear(xs[i % len(xs)], wb[i % len(wb)])
        times = {}
        for _ in range(2):
            for name, call in calls.items():
                times.setdefault(name, []).append(time_calls(call, copies, graphs=True)["median_us"])
        best = {name: min(v) for name, v in times.items()}
        records.append(dict(n=n, k=k, m=m, new=repr(new_cfg), old=repr(old_cfg), times=times, errs=errs))
        print(f"{n}x{k} M={m} v64 {'serving' if new_cfg.warp_specialized else 'other'} | "
              + " ".join(f"{name} {best[name]:.1f}" for name in calls) + f" | v64/v63 x{best['v63'] / best['v64']:.3f}"
              f" cublas/v64 x{best['cublas'] / best['v64']:.2f} | err {max(errs.values()):.1e}", flush=True)
        json.dump(records, open(os.path.join(os.environ.get("OUT", "/tmp"), "exp136.json"), "w"), indent=1)
    ws = wb = None
    torch.cuda.empty_cache()
