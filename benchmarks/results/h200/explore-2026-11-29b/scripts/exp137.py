"""exp137: the serving kernel with the weight tile as the wgmma's register operand (read from shared memory once for
both terms' MMAs; v65 candidate) against v64's (both operands from shared memory), the same config on both sides, at
serving points of M = 96-1024 (the rule's launches: 128- and 64-row builds, split, persistent, streamed). CUDA graphs,
weights rotated, three alternating rounds, bitwise compared, cuBLAS bf16 beside."""
import json
import os
import sys

import torch
import torch.nn.functional as F
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "oldk"))
from fp8blk.bench.inputs import random_fp8_weight, float64_reference
from fp8blk.bench.timing import time_calls
import fp8blk.kernels  # noqa: F401
import kernels_v64  # noqa: F401
km = sys.modules["fp8blk.kernels.fp8_block_matmul"]
old = sys.modules["kernels_v64.fp8_block_matmul"]
dev = torch.device("cuda", 0)
l2 = torch.cuda.get_device_properties(0).L2_cache_size
POINTS = {(7168, 16384): (128, 256, 384, 512, 1024), (65536, 1536): (256, 512, 1024), (18432, 7168): (128, 256, 512),
          (4096, 8192): (256, 512, 1024), (32768, 1024): (256, 1024), (7168, 3072): (384, 512), (17408, 5120): (384,),
          (14336, 6144): (768,), (3072, 7168): (192,)}
records = []
for (n, k), ms in POINTS.items():
    copies = max(2, -(-2 * l2 // (n * k)))
    ws = [random_fp8_weight(n, k) for _ in range(copies)]
    wb = [torch.randn(n, k, device="cuda", dtype=torch.bfloat16) for _ in range(max(2, -(-l2 // (n * k))))]
    for m in ms:
        config = km.launch_config(m, n, k, dev)
        xs = [torch.randn(m, k, device="cuda").to(torch.bfloat16) for _ in range(copies)]
        ref = float64_reference(xs[0], *ws[0])
        calls = {"v65": lambda i: km.fp8_block_matmul(xs[i], *ws[i], config=config),
                 "v64": lambda i: old.fp8_block_matmul(xs[i], *ws[i], config=config)}
        ys = {name: call(0) for name, call in calls.items()}
        same = torch.equal(ys["v65"], ys["v64"])
        err = ((ys["v65"].double() - ref).norm() / ref.norm()).item()
        calls["cublas"] = lambda i: F.linear(xs[i % len(xs)], wb[i % len(wb)])
        times = {}
        for _ in range(3):
            for name, call in calls.items():
                times.setdefault(name, []).append(time_calls(call, copies, graphs=True)["median_us"])
        best = {name: min(v) for name, v in times.items()}
        records.append(dict(n=n, k=k, m=m, config=repr(config), times=times, bitwise=same, err=err))
        print(f"{n}x{k} M={m} {'serving' if config.warp_specialized else 'other'} bm{config.block_m} s{config.split_k} | "
              + " ".join(f"{name} {best[name]:.1f}" for name in calls) + f" | v65/v64 x{best['v64'] / best['v65']:.3f}"
              f" cublas/v65 x{best['cublas'] / best['v65']:.2f} | bitwise {same} err {err:.1e}", flush=True)
        json.dump(records, open(os.path.join(os.environ.get("OUT", "/tmp"), "exp137.json"), "w"), indent=1)
    ws = wb = None
    torch.cuda.empty_cache()
