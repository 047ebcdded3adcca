"""exp157: rule v68 (the decode kernel's one-round 64-row TMA launch at M = 33-64) through the library against v67
(imported side by side), on every V4 / V3 / unseen layer it changes, layers of exp156 and one never timed
(5632 x 2048), at M = 33 / 40 / 48 / 56 / 64, with cuBLAS bf16 beside; CUDA graphs, weights rotated, best of two
alternating rounds; errors against float64."""
import json
import math
import os
import sys

import torch
import torch.nn.functional as F
from fp8blk.bench.inputs import random_fp8_weight, float64_reference
from fp8blk.bench.timing import time_calls
from fp8blk.formats import dequantize_fp8_block
import fp8blk.kernels  # noqa: F401
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "oldk"))
import kernels_v67.fp8_block_matmul  # noqa: E402,F401
trees = {"v67": sys.modules["kernels_v67.fp8_block_matmul"], "v68": sys.modules["fp8blk.kernels.fp8_block_matmul"]}
dev = torch.device("cuda", 0)
l2 = torch.cuda.get_device_properties(0).L2_cache_size
LAYERS = [(2048, 4096), (4096, 2048), (8192, 1024), (1536, 7168), (8192, 1536), (2048, 7168), (7168, 2048),
          (2880, 2880), (1536, 4096), (6144, 1024), (3584, 2048), (5632, 2048)]
records = []
for n, k in LAYERS:
    copies = max(2, -(-2 * l2 // (n * k)))
    ws = [random_fp8_weight(n, k) for _ in range(copies)]
    dense = [dequantize_fp8_block(w, s) for w, s in ws[:max(2, -(-l2 // (2 * n * k)))]]
    for m in (33, 40, 48, 56, 64):
        xs = [torch.randn(m, k, device="cuda").to(torch.bfloat16) for _ in range(copies)]
        ref = float64_reference(xs[0], *ws[0])
        calls = {name: (lambda i, t=t: t.fp8_block_matmul(xs[i], *ws[i])) for name, t in trees.items()}
        calls["cublas"] = lambda i: F.linear(xs[i], dense[i % len(dense)])
        times = {}
        for _ in range(2):
            for name, call in calls.items():
                times.setdefault(name, []).append(time_calls(call, copies, graphs=True)["median_us"])
        best = {name: min(v) for name, v in times.items()}
        errs = {name: ((calls[name](0).double() - ref).norm() / ref.norm()).item() for name in trees}
        cfg = {name: tuple(t.launch_config(m, n, k, dev)) for name, t in trees.items()}
        records.append(dict(n=n, k=k, m=m, times=times, errs=errs, configs=cfg))
        print(f"{n}x{k} M={m}: v67 {best['v67']:.2f} v68 {best['v68']:.2f} (x{best['v67'] / best['v68']:.3f}) cuBLAS "
              f"{best['cublas']:.2f} (v68 x{best['cublas'] / best['v68']:.2f}) err {errs['v67']:.1e}/{errs['v68']:.1e} "
              f"v68 {cfg['v68'][:9]}", flush=True)
        json.dump(records, open(os.path.join(os.environ.get("OUT", "/tmp"), "exp157.json"), "w"), indent=1)
    ws = dense = None
    torch.cuda.empty_cache()
changed = [r for r in records if r["configs"]["v67"] != r["configs"]["v68"]]
ratio = [min(r["times"]["v67"]) / min(r["times"]["v68"]) for r in changed]
print(f"changed {len(changed)} of {len(records)} points; v67/v68 geomean x{math.exp(sum(map(math.log, ratio)) / len(ratio)):.3f}"
      f", min {min(ratio):.3f}, max {max(ratio):.3f}, faster {sum(x > 1 for x in ratio)}")
