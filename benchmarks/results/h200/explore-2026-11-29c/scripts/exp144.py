"""exp144: rule v66 (decode kernel, M = 2-16: TMA weight boxes for unsplit 64-row launches on short K where one
round of programs 3 stages deep holds the launch; fitted in-sample on exp143) against v65 on layers no experiment
timed. v65's launch (forced) against v66's (the library's rule); for short-K TMA launches also the other stage count.
CUDA graphs, weights rotated, best of two alternating rounds, every output checked against float64."""
import json
import os
import sys

import torch
from fp8blk.bench.inputs import random_fp8_weight, float64_reference
from fp8blk.bench.timing import time_calls
import fp8blk.kernels  # noqa: F401
km = sys.modules["fp8blk.kernels.fp8_block_matmul"]
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "oldk"))
import kernels_v65.fp8_block_matmul  # noqa: E402,F401
old = sys.modules["kernels_v65.fp8_block_matmul"]
dev = torch.device("cuda", 0)
l2 = torch.cuda.get_device_properties(0).L2_cache_size
LAYERS = [(18432, 1024), (18432, 1536), (24576, 1024), (28672, 1024), (32768, 1536), (49152, 1536), (16384, 1024),
          (20480, 1536), (40960, 1024), (36864, 768)]
MS = (2, 4, 8, 12, 16)
records = []
for n, k in LAYERS:
    copies = max(2, -(-2 * l2 // (n * k)))
    ws = [random_fp8_weight(n, k) for _ in range(copies)]
    for m in MS:
        new_cfg, old_cfg = km.launch_config(m, n, k, dev), old.launch_config(m, n, k, dev)
        old_cfg = getattr(km, type(old_cfg).__name__)(*old_cfg)  # the library's own config class
        if new_cfg == old_cfg:
            print(f"{n}x{k} M={m}: unchanged {tuple(new_cfg)}", flush=True)
            continue
        xs = [torch.randn(m, k, device="cuda").to(torch.bfloat16) for _ in range(copies)]
        ref = float64_reference(xs[0], *ws[0])
        configs = {"v65": old_cfg, "v66": None}
        if new_cfg.tma and new_cfg.split_k == 1 and not old_cfg.tma:
            configs["v66_other_stages"] = new_cfg._replace(num_stages=7 - new_cfg.num_stages)
        calls = {name: (lambda i, c=c: km.fp8_block_matmul(xs[i], *ws[i], config=c)) for name, c in configs.items()}
        errs = {name: ((call(0).double() - ref).norm() / ref.norm()).item() for name, call in calls.items()}
        times = {}
        for _ in range(2):
            for name, call in calls.items():
                times.setdefault(name, []).append(time_calls(call, copies, graphs=True)["median_us"])
        best = {name: min(v) for name, v in times.items()}
        records.append(dict(n=n, k=k, m=m, v65=repr(old_cfg), v66=repr(new_cfg), times=times, errs=errs))
        print(f"{n}x{k} M={m} v65 split {old_cfg.split_k} st {old_cfg.num_stages} tma {old_cfg.tma} {best['v65']:.1f} -> "
              f"v66 split {new_cfg.split_k} st {new_cfg.num_stages} tma {new_cfg.tma} {best['v66']:.1f} "
              f"(x{best['v65'] / best['v66']:.3f})" + (f" | other stages {best['v66_other_stages']:.1f}"
                                                     if 'v66_other_stages' in best else "")
              + f" | max err {max(errs.values()):.1e}", flush=True)
        json.dump(records, open(os.path.join(os.environ.get("OUT", "/tmp"), "exp144.json"), "w"), indent=1)
    ws = None
    torch.cuda.empty_cache()
