"""exp159 (prepared for the next session): does v68 pay in a decoder-layer chain when its launch releases the next
kernel after its K loop? Run with ``rule_v68_release.patch`` installed (c203.sh). Three rules in one process, three
alternating rounds: v67's (``ONE_ROUND_BYTES_PER_SM`` = 0), v68 releasing after the K loop (the patch's), v68
releasing after its output (the ``RELEASE_AFTER_LOOP`` constexpr forced off: exp158's v68). The decoder-layer graph
of all four lists at M = 48 / 64, then the layers v68 changes alone (CUDA graphs, weights rotated) at M = 40 / 64."""
import sys

import torch
from fp8blk.bench.inputs import random_fp8_weight
from fp8blk.bench.layer_graph import measure
from fp8blk.bench.shapes import load_shapes
from fp8blk.bench.timing import time_calls
import fp8blk.kernels  # noqa: F401
decode = sys.modules["fp8blk.kernels.fp8_decode"]
km = sys.modules["fp8blk.kernels.fp8_block_matmul"]
l2 = torch.cuda.get_device_properties(0).L2_cache_size
on = decode.ONE_ROUND_BYTES_PER_SM
early = km._constexprs


def late(*args, **kwargs):  # v68's launch releasing after its output (the kernel's default before the patch)
    values = early(*args, **kwargs)
    if "RELEASE_AFTER_LOOP" in values:
        values["RELEASE_AFTER_LOOP"] = False
    return values


RULES = (("v67", 0, early), ("v68_early", on, early), ("v68_late", on, late))


def use(rule):
    _, value, constexprs = rule
    decode.ONE_ROUND_BYTES_PER_SM = value
    km._constexprs = constexprs
    km._launch_plan.cache_clear()


unseen = sys.argv[1] if len(sys.argv) > 1 else None
for model, path in (("deepseek-v4-flash", None), ("deepseek-v4-pro", None), ("deepseek-v3", None),
                    ("unseen-mix", unseen)):
    if model == "unseen-mix" and path is None:
        continue
    shapes = load_shapes(model, path)
    times = {}
    for _ in range(3):
        for rule in RULES:
            use(rule)
            for r in measure(model, shapes, 4300.0, 775.0, l2, impls=("fp8blk",), ms=(48, 64)):
                times.setdefault((rule[0], r["M"]), []).append(r["median_us"])
    for m in (48, 64):
        print(f"graph {model} M={m}: " + " | ".join(f"{name} {min(times[(name, m)]):.1f}" for name, _, _ in RULES),
              flush=True)
for n, k in ((1536, 4096), (2048, 7168), (8192, 1024), (8192, 1536), (4096, 2048), (2048, 4096), (1536, 7168)):
    copies = max(2, -(-2 * l2 // (n * k)))
    ws = [random_fp8_weight(n, k) for _ in range(copies)]
    for m in (40, 64):
        xs = [torch.randn(m, k, device="cuda").to(torch.bfloat16) for _ in range(copies)]
        times = {}
        for _ in range(2):
            for rule in RULES:
                use(rule)
                times.setdefault(rule[0], []).append(time_calls(lambda i: km.fp8_block_matmul(xs[i], *ws[i]), copies,
                                                                graphs=True)["median_us"])
        print(f"layer {n}x{k} M={m}: " + " | ".join(f"{name} {min(times[name]):.2f}" for name, _, _ in RULES),
              flush=True)
    ws = xs = None
    torch.cuda.empty_cache()
