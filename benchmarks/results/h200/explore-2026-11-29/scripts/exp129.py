"""exp129: v63 = the serving kernel persistent only where it gained (unsplit launches with more work items than
places; PERSISTENT constexpr), one program an item elsewhere, without the item loop (exp126/exp128: the loop form ran
split launches 4-7% slower whatever the grid). The library against v62's (always persistent) and v59's beside it,
the same config on all three; three alternating rounds, CUDA graphs, weights rotated; bitwise compared."""
import json
import os
import sys

import torch
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "oldk"))
from fp8blk.bench.inputs import random_fp8_weight
from fp8blk.bench.timing import time_calls
import fp8blk.kernels  # noqa: F401
import kernels_v59  # noqa: F401
import kernels_v62  # noqa: F401
libs = {"v63": sys.modules["fp8blk.kernels.fp8_block_matmul"], "v62": sys.modules["kernels_v62.fp8_block_matmul"],
        "v59": sys.modules["kernels_v59.fp8_block_matmul"]}
dev = torch.device("cuda", 0)
l2 = torch.cuda.get_device_properties(0).L2_cache_size
POINTS = {(7168, 16384): (96, 128), (7168, 18432): (96,), (5120, 17408): (96, 128), (8192, 1024): (96, 256),
          (4096, 8192): (256,), (65536, 1536): (512,), (32768, 1024): (384,)}
records = []
for (n, k), ms in POINTS.items():
    copies = max(2, -(-2 * l2 // (n * k)))
    ws = [random_fp8_weight(n, k) for _ in range(copies)]
    for m in ms:
        config = libs["v59"].launch_config(m, n, k, dev)
        xs = [torch.randn(m, k, device="cuda").to(torch.bfloat16) for _ in range(copies)]
        ys = {name: km.fp8_block_matmul(xs[0], *ws[0], config=config) for name, km in libs.items()}
        same = all(torch.equal(ys["v63"], y) for y in ys.values())
        times = {}
        for _ in range(3):
            for name, km in libs.items():
                times.setdefault(name, []).append(time_calls(
                    lambda i, km=km: km.fp8_block_matmul(xs[i], *ws[i], config=config), copies, graphs=True)["median_us"])
        best = {key: min(v) for key, v in times.items()}
        records.append(dict(n=n, k=k, m=m, config=repr(config), times=times, bitwise=same))
        print(f"{n}x{k} M={m} bm{config.block_m} split{config.split_k} | " + " ".join(
            f"{name} {best[name]:.1f}" for name in libs) + f" | v63/v62 x{best['v62'] / best['v63']:.3f} "
            f"v63/v59 x{best['v59'] / best['v63']:.3f} bitwise {same}", flush=True)
        json.dump(records, open(os.path.join(os.environ.get("OUT", "/tmp"), "exp129.json"), "w"), indent=1)
    ws = None
    torch.cuda.empty_cache()
