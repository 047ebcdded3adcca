"""exp163 (exp162 rerun after masks kept off the deep streams): rule v69 (row pieces on CUDA-core tiles of >= 2 rows and <= 64 weights a thread; no masks where N and K
fill the steps) against v67, installed as v69. Per layer (M = 1 / 2 on the CUDA-core path): the real v67 kernels
(package `pk`, from git HEAD), v69 with both switched off in process (`off`: v67's arithmetic from v69's code), and
v69; 3 alternating rounds, CUDA graphs, weights rotated, float64 errors. Layers: the exp160/161 ones and 14 no
experiment has timed. Then the decoder-layer graphs of the four lists at M = 1 / 2 (off against v69, 3 rounds)."""
import json
import os
import sys

import torch
from fp8blk.bench.inputs import random_fp8_weight, float64_reference
from fp8blk.bench.layer_graph import measure
from fp8blk.bench.shapes import load_shapes
from fp8blk.bench.timing import time_calls
import fp8blk.kernels  # noqa: F401
sys.path.insert(0, "/tmp/pk_pkg")
import pk  # noqa: E402,F401
pkm = sys.modules["pk.fp8_block_matmul"]
km = sys.modules["fp8blk.kernels.fp8_block_matmul"]
dec = sys.modules["fp8blk.kernels.fp8_decode"]
dev = torch.device("cuda", 0)
l2 = torch.cuda.get_device_properties(0).L2_cache_size
ON = (km.drops_masks, km.keeps_row_pieces)


def use(on):
    km.drops_masks, km.keeps_row_pieces = ON if on else ((lambda *a: False),) * 2
    km._launch_plan.cache_clear()


SEEN = [(32768, 1024), (4096, 8192), (4096, 4096), (2048, 4096), (1024, 4096), (512, 4096), (8192, 1024),
        (7168, 16384), (65536, 1536), (18432, 7168), (1536, 7168), (4096, 2048), (2880, 2880), (17408, 5120),
        (512, 7168), (1536, 4096), (3584, 8192)]
UNSEEN = [(3072, 1536), (6144, 2048), (2560, 5120), (1280, 8192), (768, 3072), (10240, 2560), (24576, 1024),
          (640, 5120), (3584, 2048), (5632, 2048), (1024, 5120), (12288, 4096), (2304, 2304), (6144, 5120)]
res = {"layers": [], "graphs": []}
for tag, shapes in (("seen", SEEN), ("unseen", UNSEEN)):
    for n, k in shapes:
        copies = max(2, -(-2 * l2 // (n * k)))
        ws = [random_fp8_weight(n, k) for _ in range(copies)]
        for m in (1, 2):
            cfg = km.launch_config(m, n, k, dev)
            if cfg.use_mma:
                continue
            xs = [torch.randn(m, k, device="cuda").to(torch.bfloat16) for _ in range(copies)]
            ref = float64_reference(xs[0], *ws[0])
            runs = {"v67": lambda i: pkm.fp8_block_matmul(xs[i], *ws[i]),
                    "off": lambda i: km.fp8_block_matmul(xs[i], *ws[i]),
                    "v69": lambda i: km.fp8_block_matmul(xs[i], *ws[i])}
            times, errs = {}, {}
            for _ in range(3):
                for name, call in runs.items():
                    use(name != "off")
                    times.setdefault(name, []).append(time_calls(call, copies, graphs=True)["median_us"])
                    errs.setdefault(name, ((call(0).double() - ref).norm() / ref.norm()).item())
            use(True)
            best = {name: min(v) for name, v in times.items()}
            row = dict(tag=tag, n=n, k=k, m=m, config=list(cfg), pieces=dec.keeps_row_pieces(cfg),
                       even=dec.drops_masks(n, k, cfg), us=best, err=errs)
            res["layers"].append(row)
            print(f"{tag} {n}x{k} M={m} {tuple(cfg)[:5]} pieces={row['pieces']} even={row['even']}: "
                  + " ".join(f"{a} {t:.2f}" for a, t in best.items())
                  + f" | v69/v67 x{best['v67'] / best['v69']:.3f} off/v67 x{best['v67'] / best['off']:.3f}"
                  + f" err {max(errs.values()):.1e}", flush=True)
        ws = xs = None
        torch.cuda.empty_cache()
unseen = sys.argv[1] if len(sys.argv) > 1 else None
for model, path in (("deepseek-v4-flash", None), ("deepseek-v4-pro", None), ("deepseek-v3", None),
                    ("unseen-mix", unseen)):
    shapes = load_shapes(model, path)
    times = {}
    for _ in range(3):
        for on in (False, True):
            use(on)
            for r in measure(model, shapes, 4300.0, 775.0, l2, impls=("fp8blk",), ms=(1, 2)):
                times.setdefault((on, r["M"]), []).append(r["median_us"])
    use(True)
    for m in (1, 2):
        off, on = min(times[(False, m)]), min(times[(True, m)])
        res["graphs"].append(dict(model=model, m=m, off=off, v69=on))
        print(f"graph {model} M={m}: off {off:.1f} v69 {on:.1f} (x{off / on:.3f})", flush=True)
json.dump(res, open(os.path.join(os.environ.get("OUT", "/tmp"), "exp163.json"), "w"), indent=1)
