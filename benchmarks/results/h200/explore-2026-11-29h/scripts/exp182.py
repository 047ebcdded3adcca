"""exp182 (prepared for the next session, not run): proto182 (converted-weight Gluon kernel with a K split) against
the library's rule and cuBLAS bf16 on small and mid layers at M = 48-256, where the rule's tile kernel is 0.6-0.9x
cuBLAS (plan item 4 after v73). proto182's launches: 64- and 128-row x tiles, K split so the programs come nearest
one a SM (at least 2 K-tiles a split). CUDA graphs, weights rotated, best of two alternating rounds; errors against
float64 (the rule's, proto's and cuBLAS's on the same weights)."""
import os
import sys

import torch
import torch.nn.functional as F
from fp8blk.bench.inputs import random_fp8_weight, float64_reference
from fp8blk.bench.timing import time_calls
import fp8blk.kernels  # noqa: F401
km = sys.modules["fp8blk.kernels.fp8_block_matmul"]
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import proto182  # noqa: E402

sms = torch.cuda.get_device_properties(0).multi_processor_count
l2 = torch.cuda.get_device_properties(0).L2_cache_size
LAYERS = [(512, 7168), (512, 4096), (1024, 4096), (1536, 7168), (2048, 4096), (4096, 2048), (2880, 2880),
          (3072, 7168), (576, 7168), (8192, 1024)]
MS = (48, 64, 96, 128, 192, 256)


def split_for(m, n, k, block_m):
    """The K split whose programs come nearest one a SM, keeping >= 2 K-tiles a split."""
    tiles = proto182.tiles(m, n, block_m)
    k_tiles = -(-k // 128)
    return max(1, min(k_tiles // 2, round(sms / tiles)))


for n, k in LAYERS:
    copies = max(2, -(-4 * l2 // (n * k)))
    ws = [random_fp8_weight(n, k) for _ in range(copies)]
    dense = [(w.float() * s.repeat_interleave(128, 0)[:n].repeat_interleave(128, 1)[:, :k]).to(torch.bfloat16)
             for w, s in ws[:max(2, -(-2 * l2 // (2 * n * k)))]]
    for m in MS:
        xs = [torch.randn(m, k, device="cuda").to(torch.bfloat16) for _ in range(copies)]
        ref = float64_reference(xs[0], *ws[0])
        calls = {"rule": lambda i: km.fp8_block_matmul(xs[i], *ws[i]),
                 "cublas": lambda i: F.linear(xs[i % len(dense)], dense[i % len(dense)])}
        for block_m in (64, 128):
            split = split_for(m, n, k, block_m)
            tiles = proto182.tiles(m, n, block_m)
            space = (torch.zeros(tiles * split * 128 * block_m, device="cuda"),
                     torch.zeros(2 * tiles, device="cuda", dtype=torch.int32))
            calls[f"proto{block_m}/s{split}"] = (lambda i, b=block_m, s=split, w=space: proto182.launch(
                xs[i], *ws[i], block_m=b, stages=4 if b == 64 else 3, split=s, workspace=w))
        errs = {}
        for name, call in calls.items():
            y = call(0)
            errs[name] = ((y.double() - ref).norm() / ref.norm()).item()
        times = {}
        for _ in range(2):
            for name, call in calls.items():
                times.setdefault(name, []).append(time_calls(call, copies if name != "cublas" else len(dense),
                                                             graphs=True)["median_us"])
        best = {name: min(v) for name, v in times.items()}
        cfg = km.launch_config(m, n, k, "cuda")
        print(f"{n}x{k} M={m}: " + " | ".join(f"{name} {t:.1f}" for name, t in best.items())
              + f" | cublas/rule {best['cublas'] / best['rule']:.2f} cublas/best proto "
              + f"{best['cublas'] / min(t for name, t in best.items() if name.startswith('proto')):.2f}"
              + " | errs " + " ".join(f"{name} {e:.1e}" for name, e in errs.items()) + f" | rule {cfg}", flush=True)
    ws = dense = None
    torch.cuda.empty_cache()
