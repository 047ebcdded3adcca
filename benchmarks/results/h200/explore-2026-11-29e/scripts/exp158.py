"""exp158: the decoder-layer graph at M = 48 / 64 with rule v68 on, off, and on for unsplit launches only (``ONE_ROUND_BYTES_PER_SM`` set to 0 in
process: the rules of v67), three alternating rounds, V4-Flash and V4-Pro (the v68 harness had Flash M = 64 107.6 ->
111.9 us while every changed launch ran faster alone)."""
import sys

import torch
from fp8blk.bench.layer_graph import measure
from fp8blk.bench.shapes import load_shapes
import fp8blk.kernels  # noqa: F401
decode = sys.modules["fp8blk.kernels.fp8_decode"]
km = sys.modules["fp8blk.kernels.fp8_block_matmul"]
l2 = torch.cuda.get_device_properties(0).L2_cache_size
on = decode.ONE_ROUND_BYTES_PER_SM
one_round_split = decode.one_round_split


def unsplit_only(*args):  # v68 where its launch is unsplit only
    split = one_round_split(*args)
    return split if split == 1 else None


for model in ("deepseek-v4-flash", "deepseek-v4-pro"):
    shapes = load_shapes(model)
    times = {}
    for _ in range(3):
        for name, value, rule in (("v68", on, one_round_split), ("v67", 0, one_round_split),
                                  ("unsplit", on, unsplit_only)):
            decode.ONE_ROUND_BYTES_PER_SM = value
            decode.one_round_split = rule
            km._launch_plan.cache_clear()
            for r in measure(model, shapes, 4300.0, 775.0, l2, impls=("fp8blk",), ms=(48, 64)):
                times.setdefault((name, r["M"]), []).append(r["median_us"])
    for m in (48, 64):
        print(f"{model} M={m}: v67 {min(times[('v67', m)]):.1f} ({', '.join(f'{t:.1f}' for t in times[('v67', m)])}) "
              f"v68 {min(times[('v68', m)]):.1f} ({', '.join(f'{t:.1f}' for t in times[('v68', m)])}) "
              f"v68 unsplit only {min(times[('unsplit', m)]):.1f} "
              f"({', '.join(f'{t:.1f}' for t in times[('unsplit', m)])})", flush=True)
