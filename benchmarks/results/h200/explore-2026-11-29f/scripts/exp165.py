"""exp165: rule v70 (M = 2 on CUDA cores with row pieces up to 256 KB a SM where its programs take 2-16 rows) checked
on layers no experiment timed at M = 2, against v69 (the same install with ROW_PIECES_PAIR_BYTES_PER_SM = 0 in
process); CUDA graphs, weights rotated, three alternating rounds, float64 errors; then the four lists' decoder-layer
graphs at M = 2 (v69 / v70, three rounds)."""
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
BOUND = dec.ROW_PIECES_PAIR_BYTES_PER_SM


def use(v70):
    dec.ROW_PIECES_PAIR_BYTES_PER_SM = BOUND if v70 else 0
    km._launch_plan.cache_clear()


LAYERS = [(6144, 5120, 1), (2560, 5120, 1), (5632, 2048, 1), (3584, 8192, 1), (10240, 2560, 1), (11008, 2048, 1),
          (6144, 4096, 1), (4608, 7168, 1), (1024, 32768, 1), (2880, 8192, 1), (1024, 4096, 8), (5120, 5120, 1),
          (9216, 3072, 1), (12288, 2048, 1), (768, 16384, 1), (2048, 12288, 1)]
for n, k, g in LAYERS:
    copies = max(2, -(-2 * l2 // (n * k * g)))
    ws = [random_fp8_weight(g * n, k) for _ in range(copies)]
    xs = [torch.randn(2, g * k, device="cuda").to(torch.bfloat16) for _ in range(copies)]
    ref = float64_reference(xs[0], *ws[0]) if g == 1 else None
    configs = {}
    times, errs = {}, {}
    for _ in range(3):
        for v70 in (False, True):
            use(v70)
            configs[v70] = km.launch_config(2, n, k, dev, groups=g)
            call = lambda i: km.fp8_block_matmul(xs[i], *ws[i], groups=g)
            times.setdefault(v70, []).append(time_calls(call, copies, graphs=True)["median_us"])
            if ref is not None:
                errs.setdefault(v70, ((call(0).double() - ref).norm() / ref.norm()).item())
    use(True)
    a, b = min(times[False]), min(times[True])
    same = configs[False] == configs[True]
    print(f"{n}x{k} g{g} ({n * k * g / 1e6:.1f} MB) M=2: v69 {tuple(configs[False])[:6]} {a:.2f} | v70 "
          f"{tuple(configs[True])[:6]} {b:.2f} | x{a / b:.3f}{' (same launch)' if same else ''}"
          + (f" err {max(errs.values()):.1e}" if errs else ""), flush=True)
    ws = xs = None
    torch.cuda.empty_cache()
unseen = sys.argv[1] if len(sys.argv) > 1 else None
for model, path in (("deepseek-v4-flash", None), ("deepseek-v4-pro", None), ("deepseek-v3", None),
                    ("unseen-mix", unseen)):
    shapes = load_shapes(model, path)
    times = {}
    for _ in range(3):
        for v70 in (False, True):
            use(v70)
            for r in measure(model, shapes, 4300.0, 775.0, l2, impls=("fp8blk",), ms=(2,)):
                times.setdefault(v70, []).append(r["median_us"])
    use(True)
    a, b = min(times[False]), min(times[True])
    print(f"graph {model} M=2: v69 {a:.1f} v70 {b:.1f} (x{a / b:.3f})", flush=True)
