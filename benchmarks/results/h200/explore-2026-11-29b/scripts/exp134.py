"""exp134: v64 against v63 on 14 layers never timed, at every M of 160-1024 (steps of 32-128) where v64 changes
the launch: the stream schedule (M <= 512, and above where the serving launch streams) and the serving kernel in
place of the expand path at M = 513-1024. Both libraries by their rules (config table off), CUDA graphs, weights
rotated, two alternating rounds, cuBLAS bf16 beside, every output checked against float64."""
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
POINTS = json.load(open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "exp134_points.json")))
work = {}
for n, k, m in POINTS:
    work.setdefault((n, k), []).append(m)
records = []
for (n, k), ms in work.items():
    copies = max(2, -(-2 * l2 // (n * k)))
    ws = [random_fp8_weight(n, k) for _ in range(copies)]
    wb = [torch.randn(n, k, device="cuda", dtype=torch.bfloat16) for _ in range(max(2, -(-l2 // (n * k))))]
    for m in ms:
        new_cfg, old_cfg = km.launch_config(m, n, k, dev), old.launch_config(m, n, k, dev)
        xs = [torch.randn(m, k, device="cuda").to(torch.bfloat16) for _ in range(copies)]
        ref = float64_reference(xs[0], *ws[0])
        calls = {"v64": lambda i: km.fp8_block_matmul(xs[i], *ws[i]), "v63": lambda i: old.fp8_block_matmul(xs[i], *ws[i])}
        errs = {name: ((call(0).double() - ref).norm() / ref.norm()).item() for name, call in calls.items()}
        repeat = torch.equal(calls["v64"](1), calls["v64"](1))
        calls["cublas"] = lambda i: F.linear(xs[i % len(xs)], wb[i % len(wb)])
        times = {}
        for _ in range(2):
            for name, call in calls.items():
                times.setdefault(name, []).append(time_calls(call, copies, graphs=True)["median_us"])
        best = {name: min(v) for name, v in times.items()}
        records.append(dict(n=n, k=k, m=m, new=repr(new_cfg), old=repr(old_cfg), times=times, errs=errs,
                            repeat_bitwise=repeat))
        kind = lambda c: 'serving' if c.warp_specialized else 'expand' if c.expand_weight else 'tile'  # noqa: E731
        print(f"{n}x{k} M={m} v64 {kind(new_cfg)} bm{new_cfg.block_m} s{new_cfg.split_k} v63 {kind(old_cfg)} | "
              + " ".join(f"{name} {best[name]:.1f}" for name in calls) + f" | v64/v63 x{best['v63'] / best['v64']:.3f}"
              f" cublas/v64 x{best['cublas'] / best['v64']:.2f} | err {max(errs.values()):.1e} rep {repeat}", flush=True)
        json.dump(records, open(os.path.join(os.environ.get("OUT", "/tmp"), "exp134.json"), "w"), indent=1)
    ws = wb = None
    torch.cuda.empty_cache()
