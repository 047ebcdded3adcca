"""exp171: rule v72 (two-row CUDA-core programs, row pieces, where the rule gave one-row programs and two rows need
no K split; fitted on exp169/exp170) checked on 14 layers no experiment timed, M = 1 and 2, against v71's one-row
launch (the same install: ``_cuda_core_config(..., 1)``), then the V4 decoder-layer graphs at M = 1 / 2 with v71
restored in process (the two-row candidate refused). CUDA graphs, weights rotated over > 2x L2, three alternating
rounds (min), float64 errors. (The first run stopped at a 64-row group, which the library refuses: a group's N
must be a multiple of the scale block; exp171_first_run.log.)"""
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
ORIGINAL = dec._cuda_core_config


def refusing_two_rows(m, n, k, groups, sub_k, sm_count, block_n):
    cfg = ORIGINAL(m, n, k, groups, sub_k, sm_count, block_n)
    one_row = min(32, dec._pow2_near(n * groups / (4 * sm_count))) == 1
    return cfg._replace(split_k=2) if block_n == 2 and one_row else cfg  # v71: v72's candidate refused


def use(v72):
    dec._cuda_core_config = ORIGINAL if v72 else refusing_two_rows
    km._launch_plan.cache_clear()


LAYERS = [(704, 4096, 1), (512, 3072, 1), (544, 6144, 1), (448, 2048, 1), (256, 4096, 1), (256, 2048, 1),
          (128, 4096, 1), (320, 4096, 1), (512, 1024, 1), (640, 1536, 1), (600, 5120, 1), (384, 2880, 1),
          (512, 5120, 1), (576, 4096, 1)]
for n, k, g in LAYERS:
    copies = max(2, -(-2 * l2 // (n * k * g)))
    ws = [random_fp8_weight(g * n, k) for _ in range(copies)]
    for m in (1, 2):
        xs = [torch.randn(m, g * k, device="cuda").to(torch.bfloat16) for _ in range(copies)]
        ref = float64_reference(xs[0], *ws[0]) if g == 1 else None
        v72 = km.launch_config(m, n, k, dev, groups=g)
        calls = {"v71": ORIGINAL(m, n, k, g, 128, sms, 1), "v72": v72}
        if calls["v71"] == v72 or v72.use_mma:
            print(f"{n}x{k} g{g} M={m}: unchanged {tuple(v72)[:8]}", flush=True)
            continue
        times, errs = {}, {}
        for _ in range(3):
            for name, cfg in calls.items():
                call = lambda i, cfg=cfg: km.fp8_block_matmul(xs[i], *ws[i], config=cfg, groups=g)
                times.setdefault(name, []).append(time_calls(call, copies, graphs=True)["median_us"])
                if ref is not None:
                    errs.setdefault(name, ((call(0).double() - ref).norm() / ref.norm()).item())
        a, b = min(times["v71"]), min(times["v72"])
        print(f"{n}x{k} g{g} M={m}: " + " | ".join(f"{nm} {tuple(c)[:8]} {min(times[nm]):.2f}" for nm, c in calls.items())
              + f" | x{a / b:.3f}" + (f" err {max(errs.values()):.1e}" if errs else ""), flush=True)
    ws = xs = None
    torch.cuda.empty_cache()
for model in ("deepseek-v4-flash", "deepseek-v4-pro"):
    shapes = load_shapes(model)
    for m in (1, 2):
        times = {}
        for _ in range(3):
            for v72 in (False, True):
                use(v72)
                for r in measure(model, shapes, 4300.0, 775.0, l2, impls=("fp8blk",), ms=(m,)):
                    times.setdefault(v72, []).append(r["median_us"])
        use(True)
        a, b = min(times[False]), min(times[True])
        print(f"graph {model} M={m}: v71 {a:.1f} v72 {b:.1f} (x{a / b:.3f})", flush=True)
