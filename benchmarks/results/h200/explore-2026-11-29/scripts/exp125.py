"""exp125: rule v62 candidate (the serving kernel's 64-row build, two programs a SM, a candidate in any number of
waves now that the grid is persistent; unsplit; chosen by the same fill measure) through the library against v61's
library beside it, the rule's launch on both sides, at every point of the harness lists, exp124's layers and eight
layers never timed ("fresh") where the candidate changes the launch (M = 65-512 of the harness list and 160, 320,
448); CUDA graphs, weights rotated, two alternating rounds; cuBLAS bf16 beside; bitwise and float64 checks."""
import json
import os
import sys

import torch
import torch.nn.functional as F
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "oldk"))
from fp8blk.bench.inputs import random_fp8_weight, float64_reference
from fp8blk.bench.timing import time_calls
import fp8blk.kernels  # noqa: F401
import kernels_v61  # noqa: F401
old = sys.modules["kernels_v61.fp8_block_matmul"]
new = sys.modules["fp8blk.kernels.fp8_block_matmul"]
dev = torch.device("cuda", 0)
l2 = torch.cuda.get_device_properties(0).L2_cache_size
points = json.load(open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "v62_points.json")))
layers = {}
for source, n, k, m in points:
    layers.setdefault((n, k), []).append((source, m))


def name(c):
    return f"S{c.block_m}/{c.split_k}" if c.warp_specialized else "expand" if c.expand_weight else f"tile{tuple(c)[:4]}"


records = []
for (n, k), ms in layers.items():
    copies = max(2, -(-2 * l2 // (n * k)))
    ws = [random_fp8_weight(n, k) for _ in range(copies)]
    wb = [torch.randn(n, k, device="cuda", dtype=torch.bfloat16) for _ in range(max(2, -(-l2 // (n * k))))]
    for source, m in ms:
        rule, before = new.launch_config(m, n, k, dev), old.launch_config(m, n, k, dev)
        xs = [torch.randn(m, k, device="cuda").to(torch.bfloat16) for _ in range(copies)]
        ref = float64_reference(xs[0], *ws[0])
        calls = {"v62": lambda i: new.fp8_block_matmul(xs[i], *ws[i]),
                 "v61": lambda i: old.fp8_block_matmul(xs[i], *ws[i]),
                 "cublas": lambda i: F.linear(xs[i % len(xs)], wb[i % len(wb)])}
        err = ((calls["v62"](0).double() - ref).norm() / ref.norm()).item()
        times = {}
        for _ in range(2):
            for key, call in calls.items():
                times.setdefault(key, []).append(time_calls(call, copies, graphs=True)["median_us"])
        best = {key: min(v) for key, v in times.items()}
        records.append(dict(source=source, n=n, k=k, m=m, rule=repr(rule), before=repr(before), times=times, err=err))
        print(f"{source} {n}x{k} M={m} {name(before)} -> {name(rule)} | v62 {best['v62']:.1f} v61 {best['v61']:.1f} us "
              f"x{best['v61'] / best['v62']:.3f} | cublas {best['cublas']:.1f} (v62 x{best['cublas'] / best['v62']:.2f}) "
              f"| err {err:.1e}", flush=True)
        json.dump(records, open(os.path.join(os.environ.get("OUT", "/tmp"), "exp125.json"), "w"), indent=1)
    ws = wb = None
    torch.cuda.empty_cache()
for group in ("in-sample", "fresh"):
    sel = [r for r in records if (r["source"] == "fresh") == (group == "fresh")]
    speed = sorted(min(r["times"]["v61"]) / min(r["times"]["v62"]) for r in sel)
    if speed:
        print(f"{group}: {len(sel)} points, v62 / v61 speed min {speed[0]:.3f} median {speed[len(speed) // 2]:.3f} "
              f"max {speed[-1]:.3f}, below 0.98 at {sum(s < 0.98 for s in speed)}, above 1.02 at "
              f"{sum(s > 1.02 for s in speed)}")
