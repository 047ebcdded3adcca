"""exp143: TMA weight boxes for the decode kernel's unsplit 64-row launches on short K at M = 2-16 (v65 took them at
M = 17-32 only; v29, H100, found TMA's start-up lost on programs under 16 steps at M <= 16). Each point: the rule's
launch (pointer loads), the same launch by TMA at 3 and 4 stages. CUDA graphs, weights rotated, best of two
alternating rounds, every output checked against float64."""
import json
import os
import sys

import torch
from fp8blk.bench.inputs import random_fp8_weight, float64_reference
from fp8blk.bench.timing import time_calls
import fp8blk.kernels  # noqa: F401
km = sys.modules["fp8blk.kernels.fp8_block_matmul"]
dev = torch.device("cuda", 0)
l2 = torch.cuda.get_device_properties(0).L2_cache_size
LAYERS = [(65536, 1536), (32768, 1024), (24576, 1536), (32768, 512), (16384, 1536), (28672, 1536), (20480, 1024),
          (49152, 1024)]
MS = (2, 4, 8, 16)
records = []
for n, k in LAYERS:
    copies = max(2, -(-2 * l2 // (n * k)))
    ws = [random_fp8_weight(n, k) for _ in range(copies)]
    for m in MS:
        rule = km.launch_config(m, n, k, dev)
        if not rule.use_mma or rule.tma or rule.block_n != 64:
            print(f"{n}x{k} M={m}: rule {tuple(rule)} (not a pointer-load 64-row launch)", flush=True)
            continue
        xs = [torch.randn(m, k, device="cuda").to(torch.bfloat16) for _ in range(copies)]
        ref = float64_reference(xs[0], *ws[0])
        configs = {"rule": None, "tma3": rule._replace(tma=True, num_stages=3),
                   "tma4": rule._replace(tma=True, num_stages=4)}
        calls = {name: (lambda i, c=c: km.fp8_block_matmul(xs[i], *ws[i], config=c)) for name, c in configs.items()}
        errs = {name: ((call(0).double() - ref).norm() / ref.norm()).item() for name, call in calls.items()}
        times = {}
        for _ in range(2):
            for name, call in calls.items():
                times.setdefault(name, []).append(time_calls(call, copies, graphs=True)["median_us"])
        best = {name: min(v) for name, v in times.items()}
        records.append(dict(n=n, k=k, m=m, rule=repr(rule), times=times, errs=errs))
        print(f"{n}x{k} M={m} rule split {rule.split_k} st {rule.num_stages} {best['rule']:.1f} | tma3 {best['tma3']:.1f} "
              f"(x{best['rule'] / best['tma3']:.3f}) tma4 {best['tma4']:.1f} (x{best['rule'] / best['tma4']:.3f})"
              f" | max err {max(errs.values()):.1e}", flush=True)
        json.dump(records, open(os.path.join(os.environ.get("OUT", "/tmp"), "exp143.json"), "w"), indent=1)
    ws = None
    torch.cuda.empty_cache()
