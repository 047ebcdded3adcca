"""exp123: rule v61 (CUDA-core decode steps: halve ``subs`` while that cuts the scale-block slots K pads to by a
quarter) on layers no rule was fitted on, through the library against v59's library beside it (the rule's launch on
both sides), at M = 1 and 2 where v61 changes the launch; plus every other ``subs`` of the new launch, to see
whether the rule picks the best. CUDA graphs, weights rotated, three alternating rounds; checked against float64."""
import json
import os
import sys

import torch
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "oldk"))
from fp8blk.bench.inputs import random_fp8_weight, float64_reference
from fp8blk.bench.timing import time_calls
import fp8blk.kernels  # noqa: F401
import kernels_v59  # noqa: F401
old = sys.modules["kernels_v59.fp8_block_matmul"]
new = sys.modules["fp8blk.kernels.fp8_block_matmul"]
dev = torch.device("cuda", 0)
l2 = torch.cuda.get_device_properties(0).L2_cache_size
LAYERS = [(1024, 2880), (768, 5120), (1536, 5120), (512, 2880), (2048, 2880), (1024, 4864), (640, 5120),
          (3072, 2880), (1280, 2880), (512, 5120), (256, 2880), (1024, 6016)]
records = []
for n, k in LAYERS:
    copies = max(2, -(-2 * l2 // (n * k)))
    ws = [random_fp8_weight(n, k) for _ in range(copies)]
    for m in (1, 2):
        rule, before = new.launch_config(m, n, k, dev), old.launch_config(m, n, k, dev)
        if rule == before or rule.use_mma:
            continue
        xs = [torch.randn(m, k, device="cuda").to(torch.bfloat16) for _ in range(copies)]
        ref = float64_reference(xs[0], *ws[0])
        candidates = {f"subs {s}": rule._replace(subs=s) for s in (4, 8, 16, 32) if s != rule.subs}
        calls = {"v61": lambda i: new.fp8_block_matmul(xs[i], *ws[i]),
                 "v59": lambda i: old.fp8_block_matmul(xs[i], *ws[i]),
                 **{name: (lambda i, c=c: new.fp8_block_matmul(xs[i], *ws[i], config=c))
                    for name, c in candidates.items()}}
        errs = {name: ((call(0).double() - ref).norm() / ref.norm()).item() for name, call in calls.items()}
        times = {}
        for _ in range(3):
            for name, call in calls.items():
                times.setdefault(name, []).append(time_calls(call, copies, graphs=True)["median_us"])
        best = {name: min(v) for name, v in times.items()}
        records.append(dict(n=n, k=k, m=m, rule=repr(rule), before=repr(before), times=times, errs=errs))
        print(f"{n}x{k} M={m} blocks {-(-k // 128)} subs {before.subs} -> {rule.subs} | v61 {best['v61']:.2f} v59 "
              f"{best['v59']:.2f} us x{best['v59'] / best['v61']:.3f} | " + " ".join(
                  f"{name}: {best[name]:.2f}" for name in candidates) + f" | max err {max(errs.values()):.1e}",
              flush=True)
        json.dump(records, open(os.path.join(os.environ.get("OUT", "/tmp"), "exp123.json"), "w"), indent=1)
    ws = None
    torch.cuda.empty_cache()
speed = [min(r["times"]["v59"]) / min(r["times"]["v61"]) for r in records]
print(f"points {len(records)}: v61 / v59 speed min {min(speed):.3f} max {max(speed):.3f}")
