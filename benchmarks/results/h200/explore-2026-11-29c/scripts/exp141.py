"""exp141: the decode kernel at M = 17-32 (32-row tiles) on large layers, where M = 24/32 run 15-20% slower than
M = 16 (v64 harness: 18432 x 7168 40.8 -> 49.4 us) and below Marlin on some. M = 16's launch keeps 576 programs x 2
stages x 8 KB of weight in flight; M = 24's 288 x 3 x 8 KB (its 32-row x tiles take as much shared memory as the
weight box). Candidates: 64-row tiles split 2 at 2/3 stages, 128-row tiles (4 or 8 warps) split 1/2 at 3/4 stages.
CUDA graphs, weights rotated, two alternating rounds, every output checked against float64."""
import json
import os
import sys

import torch
from fp8blk.bench.inputs import random_fp8_weight, float64_reference
from fp8blk.bench.timing import time_calls
from fp8blk.kernels.fp8_decode import DecodeConfig
import fp8blk.kernels  # noqa: F401
km = sys.modules["fp8blk.kernels.fp8_block_matmul"]
dev = torch.device("cuda", 0)
l2 = torch.cuda.get_device_properties(0).L2_cache_size
LAYERS = [(18432, 7168), (17408, 5120), (7168, 18432), (5120, 17408), (7168, 16384), (65536, 1536), (9216, 12288),
          (24576, 1536), (4096, 8192), (32768, 1024)]
MS = (16, 24, 32)


def candidates(m, n, k):
    if m <= 16:
        return {}
    steps = -(-k // 128)
    out = {}
    for bn, warps, split, stages in ((64, 4, 1, 3), (64, 4, 2, 2), (64, 4, 2, 3), (64, 4, 3, 3), (128, 4, 1, 3),
                                     (128, 4, 1, 4), (128, 4, 2, 3), (128, 8, 1, 3), (128, 8, 1, 4), (128, 8, 2, 3),
                                     (128, 8, 2, 4)):
        if -(-steps // split) < 8 or (split - 1) * -(-steps // split) >= steps:
            continue
        out[f"bn{bn}w{warps}s{split}st{stages}"] = DecodeConfig(bn, 32, 128, 1, split, True, warps, stages, tma=True)
    return out


records = []
for n, k in LAYERS:
    copies = max(2, -(-2 * l2 // (n * k)))
    ws = [random_fp8_weight(n, k) for _ in range(copies)]
    for m in MS:
        rule = km.launch_config(m, n, k, dev)
        xs = [torch.randn(m, k, device="cuda").to(torch.bfloat16) for _ in range(copies)]
        ref = float64_reference(xs[0], *ws[0])
        configs = {"rule": None}
        configs.update(candidates(m, n, k))
        calls = {name: (lambda i, c=c: km.fp8_block_matmul(xs[i], *ws[i], config=c)) for name, c in configs.items()}
        errs, times = {}, {}
        for name in list(calls):
            try:
                errs[name] = ((calls[name](0).double() - ref).norm() / ref.norm()).item()
            except Exception as exc:  # a config the kernel cannot build (shared memory)
                print(f"  {name}: {type(exc).__name__} {str(exc)[:80]}", flush=True)
                del calls[name]
        for _ in range(2):
            for name, call in calls.items():
                times.setdefault(name, []).append(time_calls(call, copies, graphs=True)["median_us"])
        best = {name: min(v) for name, v in times.items()}
        order = sorted(best, key=best.get)
        records.append(dict(n=n, k=k, m=m, rule=repr(rule), times=times, errs=errs))
        print(f"{n}x{k} M={m} rule {tuple(rule)[:6]} {best['rule']:.1f} | " + " ".join(
            f"{c} {best[c]:.1f}" for c in order[:6]) + f" | max err {max(errs.values()):.1e}", flush=True)
        json.dump(records, open(os.path.join(os.environ.get("OUT", "/tmp"), "exp141.json"), "w"), indent=1)
    ws = None
    torch.cuda.empty_cache()
