"""exp120: rule v59 (x read in overlapping 16-row groups on unsplit TMA launches of 32-row tiles at M = 17-31)
through the library against v58's library (a copy of its tree, masked rows), the rule's launch on both sides, at
M = 17-32 on the layers of the V4/V3 harness runs whose M = 24 launch is TMA and unsplit, and on layers no rule was
fitted on; CUDA graphs, weights rotated, two alternating rounds; host time per eager call as exp118."""
import json
import os
import sys
import time

import torch
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "oldk"))
from fp8blk.bench.inputs import random_fp8_weight, float64_reference
from fp8blk.bench.timing import time_calls
import fp8blk.kernels  # noqa: F401
import kernels_v58  # noqa: F401
old = sys.modules["kernels_v58.fp8_block_matmul"]
new = sys.modules["fp8blk.kernels.fp8_block_matmul"]
dev = torch.device("cuda", 0)
l2 = torch.cuda.get_device_properties(0).L2_cache_size
records = []
SHAPES = [(18432, 7168), (17408, 5120), (8192, 1536), (7168, 3072), (7168, 2048), (8192, 2048), (7168, 1536),
          (24576, 7168), (20480, 6144), (14336, 8192), (4096, 8192), (7168, 16384)]
for n, k in SHAPES:
    copies = max(2, -(-2 * l2 // (n * k)))
    ws = [random_fp8_weight(n, k) for _ in range(copies)]
    for m in (17, 21, 24, 29, 32):
        config = new.launch_config(m, n, k, dev)
        if not hasattr(config, "sub_k"):
            continue
        assert repr(old.launch_config(m, n, k, dev)) == repr(config)
        xs = [torch.randn(m, k, device="cuda").to(torch.bfloat16) for _ in range(copies)]
        ref = float64_reference(xs[0], *ws[0])
        ys = {name: km.fp8_block_matmul(xs[0], *ws[0]) for name, km in (("new", new), ("old", old))}
        err = ((ys["new"].double() - ref).norm() / ref.norm()).item()
        same = torch.equal(ys["new"], ys["old"])
        times = {}
        for _ in range(2):
            for name, km in (("new", new), ("old", old)):
                times.setdefault(name, []).append(time_calls(
                    lambda i, km=km: km.fp8_block_matmul(xs[i], *ws[i]), copies, graphs=True)["median_us"])
        host = {}
        for name, km in (("new", new), ("old", old)):
            fresh = [torch.randn(m, k, device="cuda").to(torch.bfloat16) for _ in range(200)]
            laps = []
            for x in fresh:
                t0 = time.perf_counter()
                km.fp8_block_matmul(x, *ws[0])
                laps.append(time.perf_counter() - t0)
            torch.cuda.synchronize()
            host[name] = sorted(laps)[100] * 1e6
        best = {key: min(v) for key, v in times.items()}
        records.append(dict(n=n, k=k, m=m, rule=repr(config), times=times, host=host, err=err, bitwise=same))
        print(f"{n}x{k} M={m} {tuple(config)[:5]} v59 {best['new']:.2f} | v58 {best['old']:.2f} us | "
              f"x{best['old'] / best['new']:.3f} | host {host['new']:.1f} / {host['old']:.1f} us | bitwise {same} "
              f"err {err:.1e}", flush=True)
        json.dump(records, open(os.path.join(os.environ.get("OUT", "/tmp"), "exp120.json"), "w"), indent=1)
    ws = None
    torch.cuda.empty_cache()
speed = [min(r["times"]["old"]) / min(r["times"]["new"]) for r in records]
print(f"points {len(records)}: speed min {min(speed):.3f} max {max(speed):.3f}, below 0.98 at "
      f"{sum(s < 0.98 for s in speed)}, above 1.02 at {sum(s > 1.02 for s in speed)}; bitwise at "
      f"{sum(r['bitwise'] for r in records)}")
