"""exp126: the harness on v62 ran the persistent serving kernel 3-6% slower than v59's at one-wave split-2 points
(7168 x 16384 / 18432, 5120 x 17408 at M = 96 / 128) and 2-3% slower at some small one-wave points; same process
A/B here: v62's library against v59's beside it, the rule's launch on both sides (the same config), three
alternating rounds, CUDA graphs, weights rotated; bitwise compared."""
import json
import os
import sys

import torch
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "oldk"))
from fp8blk.bench.inputs import random_fp8_weight
from fp8blk.bench.timing import time_calls
import fp8blk.kernels  # noqa: F401
import kernels_v59  # noqa: F401
old = sys.modules["kernels_v59.fp8_block_matmul"]
new = sys.modules["fp8blk.kernels.fp8_block_matmul"]
dev = torch.device("cuda", 0)
l2 = torch.cuda.get_device_properties(0).L2_cache_size
POINTS = {(7168, 16384): (96, 128), (7168, 18432): (96,), (5120, 17408): (96,), (8192, 1024): (96, 256),
          (4096, 2048): (192,), (2880, 2880): (192,), (4096, 8192): (256,), (65536, 1536): (512,)}
records = []
for (n, k), ms in POINTS.items():
    copies = max(2, -(-2 * l2 // (n * k)))
    ws = [random_fp8_weight(n, k) for _ in range(copies)]
    for m in ms:
        config = old.launch_config(m, n, k, dev)
        xs = [torch.randn(m, k, device="cuda").to(torch.bfloat16) for _ in range(copies)]
        same = torch.equal(new.fp8_block_matmul(xs[0], *ws[0], config=config),
                           old.fp8_block_matmul(xs[0], *ws[0], config=config))
        times = {}
        for _ in range(3):
            for name, km in (("v62", new), ("v59", old)):
                times.setdefault(name, []).append(time_calls(
                    lambda i, km=km: km.fp8_block_matmul(xs[i], *ws[i], config=config), copies, graphs=True)["median_us"])
        best = {key: min(v) for key, v in times.items()}
        records.append(dict(n=n, k=k, m=m, config=repr(config), times=times, bitwise=same))
        print(f"{n}x{k} M={m} bm{config.block_m} split{config.split_k} ws{config.warp_specialized} | v62 "
              f"{' '.join(f'{t:.1f}' for t in times['v62'])} | v59 {' '.join(f'{t:.1f}' for t in times['v59'])} | "
              f"x{best['v59'] / best['v62']:.3f} bitwise {same}", flush=True)
        json.dump(records, open(os.path.join(os.environ.get("OUT", "/tmp"), "exp126.json"), "w"), indent=1)
    ws = None
    torch.cuda.empty_cache()
