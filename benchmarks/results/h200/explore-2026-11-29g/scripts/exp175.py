"""exp175: the decode kernel's CUDA-core programs asking for their weight lines in L2 before the PDL wait
(``PREFETCH``, `prefetch_l2.patch`; the weight does not depend on the previous kernel), on and off in process: the
four lists' decoder-layer graphs at M = 1 / 2 and eight layers alone (CUDA graphs, weights rotated over > 2x L2);
three alternating rounds (min); outputs bitwise equal on and off (eager and graph replay)."""
import sys

import torch
from fp8blk.bench.inputs import random_fp8_weight
from fp8blk.bench.layer_graph import measure
from fp8blk.bench.shapes import load_shapes
from fp8blk.bench.timing import time_calls
import fp8blk.kernels  # noqa: F401
km = sys.modules["fp8blk.kernels.fp8_block_matmul"]
l2 = torch.cuda.get_device_properties(0).L2_cache_size


def use(on):
    km.prefetches_weight = (lambda cfg: not cfg.use_mma and not cfg.tma) if on else (lambda cfg: False)
    km._launch_plan.cache_clear()


for n, k, m in ((1536, 4096, 1), (4096, 4096, 1), (8192, 1024, 1), (4096, 2048, 1), (2048, 7168, 1), (4096, 8192, 1),
                (32768, 1024, 1), (1536, 4096, 2)):
    copies = max(2, -(-2 * l2 // (n * k)))
    ws = [random_fp8_weight(n, k) for _ in range(copies)]
    xs = [torch.randn(m, k, device="cuda").to(torch.bfloat16) for _ in range(copies)]
    times, outs = {}, {}
    for _ in range(3):
        for on in (False, True):
            use(on)
            call = lambda i: km.fp8_block_matmul(xs[i], *ws[i])
            times.setdefault(on, []).append(time_calls(call, copies, graphs=True)["median_us"])
            outs.setdefault(on, call(0))
    same = torch.equal(outs[False], outs[True])
    a, b = min(times[False]), min(times[True])
    print(f"{n}x{k} M={m} {tuple(km.launch_config(m, n, k, xs[0].device))[:8]}: off {a:.2f} | prefetch {b:.2f} | "
          f"x{a / b:.3f} | bitwise equal {same}", flush=True)
    ws = xs = None
    torch.cuda.empty_cache()
unseen = sys.argv[1] if len(sys.argv) > 1 else None
for model, path in (("deepseek-v4-flash", None), ("deepseek-v4-pro", None), ("deepseek-v3", None),
                    ("unseen-mix", unseen)):
    shapes = load_shapes(model, path)
    for m in (1, 2):
        times = {}
        for _ in range(3):
            for on in (False, True):
                use(on)
                for r in measure(model, shapes, 4300.0, 775.0, l2, impls=("fp8blk",), ms=(m,), log=lambda *a: None):
                    times.setdefault(on, []).append(r["median_us"])
        a, b = min(times[False]), min(times[True])
        print(f"graph {model} M={m}: off {a:.1f} prefetch {b:.1f} (x{a / b:.3f})", flush=True)
