"""exp168: M = 1 without the deep streams (v46) -- the rule of the other layers, which since v69 keeps row pieces --
against v70 on the layers the deep stream takes (exp166 timed 13 of them: 1.03-1.29x), here 25 more, then the four
lists' decoder-layer graphs at M = 1. In process: DEEP_STREAM_BYTES_PER_SM = 2**60 switches the deep stream off.
CUDA graphs, weights rotated over > 2x L2, three alternating rounds, float64 errors."""
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
BOUND = dec.DEEP_STREAM_BYTES_PER_SM


def use(deep):
    dec.DEEP_STREAM_BYTES_PER_SM = BOUND if deep else 1 << 60
    km._launch_plan.cache_clear()


LAYERS = [(1024, 4096, 8), (7168, 18432, 1), (5120, 17408, 1), (9216, 4096, 1), (11008, 4096, 1), (8192, 8192, 1),
          (6144, 16384, 1), (3072, 24576, 1), (2560, 28672, 1), (1536, 4096, 8), (2048, 12288, 1), (4096, 14336, 1),
          (10240, 8192, 1), (1024, 32768, 1), (12288, 2048, 1), (512, 7168, 16), (2048, 8192, 1), (8192, 3072, 1),
          (3584, 18944, 1), (8192, 28672, 1), (7168, 7168, 1), (11264, 4096, 1), (2880, 8192, 1), (4096, 6144, 1),
          (12288, 4096, 1)]
for n, k, g in LAYERS:
    copies = max(2, -(-2 * l2 // (n * k * g)))
    ws = [random_fp8_weight(g * n, k) for _ in range(copies)]
    xs = [torch.randn(1, g * k, device="cuda").to(torch.bfloat16) for _ in range(copies)]
    ref = float64_reference(xs[0], *ws[0]) if g == 1 else None
    configs, times, errs = {}, {}, {}
    for _ in range(3):
        for deep in (True, False):
            use(deep)
            configs[deep] = km.launch_config(1, n, k, dev, groups=g)
            call = lambda i: km.fp8_block_matmul(xs[i], *ws[i], groups=g)
            times.setdefault(deep, []).append(time_calls(call, copies, graphs=True)["median_us"])
            if ref is not None:
                errs.setdefault(deep, ((call(0).double() - ref).norm() / ref.norm()).item())
    use(True)
    a, b = min(times[True]), min(times[False])
    print(f"{n}x{k} g{g} ({n * k * g / 1e6:.1f} MB) M=1: v70 {tuple(configs[True])[:8]} {a:.2f} | no deep "
          f"{tuple(configs[False])[:8]} {b:.2f} | x{a / b:.3f}" + (f" err {max(errs.values()):.1e}" if errs else ""),
          flush=True)
    ws = xs = None
    torch.cuda.empty_cache()
unseen = sys.argv[1] if len(sys.argv) > 1 else None
for model, path in (("deepseek-v4-flash", None), ("deepseek-v4-pro", None), ("deepseek-v3", None),
                    ("unseen-mix", unseen)):
    shapes = load_shapes(model, path)
    times = {}
    for _ in range(3):
        for deep in (True, False):
            use(deep)
            for r in measure(model, shapes, 4300.0, 775.0, l2, impls=("fp8blk",), ms=(1,)):
                times.setdefault(deep, []).append(r["median_us"])
    use(True)
    a, b = min(times[True]), min(times[False])
    print(f"graph {model} M=1: v70 {a:.1f} no deep {b:.1f} (x{a / b:.3f})", flush=True)
