"""exp170: candidate v72 -- M = 2's CUDA-core programs take at least 2 rows (row pieces), where the rule gave the
smallest layers one-row programs (exp169: 512 x 4096, 512 x 7168, 576 x 7168 at M = 2 1.11-1.13x) -- checked on
layers exp169 did not time, against v71 (the same install with PAIR_MIN_ROWS = 1 in process); the same geometry at
M = 1 alongside (exp169: 1.06 / 0.96 / 1.045x there), then the V4 lists' decoder-layer graphs at M = 2. CUDA graphs,
weights rotated over > 2x L2, three alternating rounds (min), float64 errors."""
import sys

import torch
from fp8blk.bench.inputs import random_fp8_weight, float64_reference
from fp8blk.bench.layer_graph import measure
from fp8blk.bench.shapes import load_shapes
from fp8blk.bench.timing import time_calls
import fp8blk.kernels  # noqa: F401
km = sys.modules["fp8blk.kernels.fp8_block_matmul"]
dec = sys.modules["fp8blk.kernels.fp8_decode"]
dev = torch.device("cuda", 0)
l2 = torch.cuda.get_device_properties(0).L2_cache_size
sms = torch.cuda.get_device_properties(0).multi_processor_count


def use(v72):
    dec.PAIR_MIN_ROWS = 2 if v72 else 1
    km._launch_plan.cache_clear()


LAYERS = [(256, 7168, 1), (384, 4096, 1), (640, 4096, 1), (640, 7168, 1), (576, 2048, 1), (512, 2048, 1),
          (512, 16384, 1), (256, 16384, 1), (128, 7168, 1), (384, 16384, 1), (448, 5120, 1), (320, 8192, 1),
          (128, 4096, 4)]
for n, k, g in LAYERS:
    copies = max(2, -(-2 * l2 // (n * k * g)))
    ws = [random_fp8_weight(g * n, k) for _ in range(copies)]
    for m in (2, 1):
        xs = [torch.randn(m, g * k, device="cuda").to(torch.bfloat16) for _ in range(copies)]
        ref = float64_reference(xs[0], *ws[0]) if g == 1 else None
        if m == 2:
            use(False)
            calls = {"v71": km.launch_config(2, n, k, dev, groups=g)}
            use(True)
            calls["v72"] = km.launch_config(2, n, k, dev, groups=g)
        else:
            rule = km.launch_config(1, n, k, dev, groups=g)
            calls = {"v71": rule, "2 rows": dec.decode_config(2, n, k, g, 128, sms)._replace(block_m=1)}
        times, errs = {}, {}
        for _ in range(3):
            for name, cfg in calls.items():
                call = lambda i, cfg=cfg: km.fp8_block_matmul(xs[i], *ws[i], config=cfg, groups=g)
                times.setdefault(name, []).append(time_calls(call, copies, graphs=True)["median_us"])
                if ref is not None:
                    errs.setdefault(name, ((call(0).double() - ref).norm() / ref.norm()).item())
        a, b = (min(v) for v in times.values())
        print(f"{n}x{k} g{g} M={m}: " + " | ".join(f"{nm} {tuple(c)[:8]} {min(times[nm]):.2f}" for nm, c in calls.items())
              + f" | x{a / b:.3f}" + (f" err {max(errs.values()):.1e}" if errs else ""), flush=True)
    ws = xs = None
    torch.cuda.empty_cache()
for model in ("deepseek-v4-flash", "deepseek-v4-pro"):
    shapes = load_shapes(model)
    times = {}
    for _ in range(3):
        for v72 in (False, True):
            use(v72)
            for r in measure(model, shapes, 4300.0, 775.0, l2, impls=("fp8blk",), ms=(2,)):
                times.setdefault(v72, []).append(r["median_us"])
    use(True)
    a, b = min(times[False]), min(times[True])
    print(f"graph {model} M=2: v71 {a:.1f} v72 {b:.1f} (x{a / b:.3f})", flush=True)
