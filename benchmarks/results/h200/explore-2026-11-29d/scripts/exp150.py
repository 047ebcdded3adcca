"""exp150: the split-x prologue launched dependent on the previous kernel (PDL: placed during its tail, waiting for
its writes before reading x), against v66; and with the serving kernel also releasing its dependents at its end
(so the next call's split can be placed during its drain). Every split-x point (tile or serving kernel) of 15
layers x M = 48-1024; CUDA graphs, weights rotated, best of two alternating rounds; outputs bitwise v66's?"""
import json
import math
import os
import sys

import torch
from fp8blk.bench.inputs import random_fp8_weight, float64_reference
from fp8blk.bench.timing import time_calls
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "oldk"))
import kernels_v66.fp8_block_matmul  # noqa: E402,F401
import kernels_pdlsplit.fp8_block_matmul  # noqa: E402,F401
import kernels_pdlrel.fp8_block_matmul  # noqa: E402,F401
trees = {name: sys.modules[f"kernels_{name}.fp8_block_matmul"] for name in ("v66", "pdlsplit", "pdlrel")}
dev = torch.device("cuda", 0)
l2 = torch.cuda.get_device_properties(0).L2_cache_size
LAYERS = [(512, 7168), (1536, 7168), (4096, 2048), (2048, 7168), (7168, 16384), (18432, 7168), (65536, 1536),
          (32768, 1024), (3072, 7168), (24576, 1536), (5120, 17408), (17408, 5120), (4096, 8192), (8192, 7168),
          (16384, 2048), (8192, 1536), (7168, 3072), (1024, 4096)]
MS = (48, 64, 65, 96, 128, 192, 256, 384, 512, 1024)
records = []
for n, k in LAYERS:
    copies = max(2, -(-2 * l2 // (n * k)))
    ws = [random_fp8_weight(n, k) for _ in range(copies)]
    for m in MS:
        cfg = trees["v66"].launch_config(m, n, k, dev)
        if not getattr(cfg, "split_x", False):
            continue
        xs = [torch.randn(m, k, device="cuda").to(torch.bfloat16) for _ in range(copies)]
        ys = {name: t.fp8_block_matmul(xs[0], *ws[0]) for name, t in trees.items()}
        same = all(torch.equal(ys["v66"], y) for y in ys.values())
        times = {}
        for _ in range(2):
            for name, t in trees.items():
                times.setdefault(name, []).append(time_calls(lambda i, t=t: t.fp8_block_matmul(xs[i], *ws[i]), copies,
                                                             graphs=True)["median_us"])
        best = {name: min(v) for name, v in times.items()}
        kind = "serving" if cfg.warp_specialized else "tile"
        records.append(dict(n=n, k=k, m=m, kind=kind, block_m=cfg.block_m, split=cfg.split_k, bitwise=same,
                            times=times))
        print(f"{n}x{k} M={m} {kind} {cfg.block_m} split {cfg.split_k}: v66 {best['v66']:.1f} pdlsplit "
              f"{best['pdlsplit']:.1f} (x{best['v66'] / best['pdlsplit']:.3f}) pdlrel {best['pdlrel']:.1f} "
              f"(x{best['v66'] / best['pdlrel']:.3f}) bitwise {same}", flush=True)
        json.dump(records, open(os.path.join(os.environ.get("OUT", "/tmp"), "exp150.json"), "w"), indent=1)
    ws = None
    torch.cuda.empty_cache()
for kind in ("tile", "serving"):
    for name in ("pdlsplit", "pdlrel"):
        r = [min(x["times"]["v66"]) / min(x["times"][name]) for x in records if x["kind"] == kind]
        if r:
            print(f"{kind} {name}: {len(r)} points, geomean x{math.exp(sum(map(math.log, r)) / len(r)):.3f}, "
                  f"min {min(r):.3f}, max {max(r):.3f}, >= 0.98: {sum(v >= 0.98 for v in r)}")
print("bitwise", sum(x["bitwise"] for x in records), "of", len(records))
