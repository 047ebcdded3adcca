"""exp160 (prepared for the next session): the M = 1 / 2 CUDA-core decode launches with `m1_pieces.patch` (each
thread's 16-column piece summed in place and kept across steps, one cross-thread sum after the K loop; no masks
where N and K fill the steps: `EVEN_TILES`) against the installed tree as it is. Run once per install (c204.sh swaps
the two and alternates); writes `$OUT/exp160_<tag>.json`: per-layer CUDA-graph times at M = 1 / 2 with float64
errors, and the decoder-layer graphs of V4-Flash and V4-Pro at M = 1 / 4 / 16 (fp8blk only)."""
import json
import os
import sys

import torch
from fp8blk.bench.inputs import random_fp8_weight, float64_reference
from fp8blk.bench.layer_graph import measure
from fp8blk.bench.shapes import load_shapes
from fp8blk.bench.timing import time_calls
import fp8blk.kernels  # noqa: F401
km = sys.modules["fp8blk.kernels.fp8_block_matmul"]
tag = sys.argv[1]
dev = torch.device("cuda", 0)
l2 = torch.cuda.get_device_properties(0).L2_cache_size
LAYERS = [(32768, 1024), (4096, 8192), (4096, 4096), (2048, 4096), (1024, 4096), (512, 4096), (8192, 1024),
          (7168, 16384), (65536, 1536), (18432, 7168), (1536, 7168), (4096, 2048), (2880, 2880), (17408, 5120)]
out = {"layers": [], "graphs": []}
for n, k in LAYERS:
    copies = max(2, -(-2 * l2 // (n * k)))
    ws = [random_fp8_weight(n, k) for _ in range(copies)]
    for m in (1, 2):
        cfg = km.launch_config(m, n, k, dev)
        if cfg.use_mma:
            continue
        xs = [torch.randn(m, k, device="cuda").to(torch.bfloat16) for _ in range(copies)]
        ref = float64_reference(xs[0], *ws[0])
        call = lambda i: km.fp8_block_matmul(xs[i], *ws[i])
        us = min(time_calls(call, copies, graphs=True)["median_us"] for _ in range(2))
        err = ((call(0).double() - ref).norm() / ref.norm()).item()
        out["layers"].append(dict(n=n, k=k, m=m, us=us, err=err, config=list(cfg)))
        print(f"{tag} {n}x{k} M={m} {tuple(cfg)}: {us:.2f} us err {err:.1e}", flush=True)
    ws = xs = None
    torch.cuda.empty_cache()
for model in ("deepseek-v4-flash", "deepseek-v4-pro"):
    for r in measure(model, load_shapes(model), 4300.0, 775.0, l2, impls=("fp8blk",), ms=(1, 4, 16)):
        out["graphs"].append(dict(model=model, m=r["M"], us=r["median_us"]))
        print(f"{tag} graph {model} M={r['M']}: {r['median_us']:.1f} us", flush=True)
json.dump(out, open(os.path.join(os.environ.get("OUT", "/tmp"), f"exp160_{tag}.json"), "w"), indent=1)
