"""exp174: the small M = 1 launches *in the decoder-layer chain* (item 148: the fused wq_a+wkv holds the most room).
Every M = 1 CUDA-core launch of the rule (v72) with 2-8 rows a program on <= 128 KB a SM is replaced in process by a variant -- half or
twice the rows (``_cuda_core_config``), half the step, split 2, 3 stages -- and the four lists' layer graphs at M = 1
are timed against the rule's; three alternating rounds (min), CUDA graphs as the harness builds them."""
import sys

import torch
from fp8blk.bench.layer_graph import measure
from fp8blk.bench.shapes import load_shapes
import fp8blk.kernels  # noqa: F401
km = sys.modules["fp8blk.kernels.fp8_block_matmul"]
dec = sys.modules["fp8blk.kernels.fp8_decode"]
l2 = torch.cuda.get_device_properties(0).L2_cache_size
RULE = dec.decode_config


def rows(factor):
    def vary(cfg, m, n, k, groups, sub_k, sm_count):
        return dec._cuda_core_config(m, n, k, groups, sub_k, sm_count, int(cfg.block_n * factor))
    return vary


VARIANTS = {
    "rule": None,
    "half rows": rows(0.5),
    "twice rows": rows(2),
    "half step": lambda cfg, *a: cfg._replace(subs=cfg.subs // 2),
    "split 2": lambda cfg, m, n, k, *a: cfg._replace(split_k=2) if k > cfg.subs * cfg.sub_k else cfg,
    "3 stages": lambda cfg, *a: cfg._replace(num_stages=3),
}


def use(variant):
    def patched(m, n, k, groups, scale_block_k, sm_count, *args, **kwargs):
        cfg = RULE(m, n, k, groups, scale_block_k, sm_count, *args, **kwargs)
        small = n * k * groups <= (128 << 10) * sm_count  # <= 128 KB a SM (~17 MB)
        if variant is None or m != 1 or cfg.use_mma or not 2 <= cfg.block_n <= 8 or not small:
            return cfg
        return variant(cfg, m, n, k, groups, cfg.sub_k, sm_count)
    km.decode_config = dec.decode_config = patched
    km._launch_plan.cache_clear()


unseen = sys.argv[1] if len(sys.argv) > 1 else None
for model, path in (("deepseek-v4-flash", None), ("deepseek-v4-pro", None), ("deepseek-v3", None),
                    ("unseen-mix", unseen)):
    shapes = load_shapes(model, path)
    times = {}
    for _ in range(3):
        for name, variant in VARIANTS.items():
            use(variant)
            for r in measure(model, shapes, 4300.0, 775.0, l2, impls=("fp8blk",), ms=(1,), log=lambda *a: None):
                times.setdefault(name, []).append(r["median_us"])
    use(None)
    base = min(times["rule"])
    print(f"{model} M=1: " + " | ".join(f"{name} {min(v):.1f} (x{base / min(v):.3f})" for name, v in times.items()),
          flush=True)
