"""exp74 (2026-11-28c, branch split-x-rescale): split-x tiles with one accumulator (the sum kept in units of the
current K-tile's scale, rescaled before each in-place MMA: 96-126 registers, so 8-warp 256x64 and 128x128 tiles
fit two per SM at 2 stages) against main's two accumulators (148-156 registers: one per SM). Run once per kernel
(TAG), same machine; CUDA graphs, weights rotated over > 2x L2, float64 check first."""
import json
import os
import sys
import torch
from fp8blk.bench.inputs import random_fp8_weight, float64_reference
from fp8blk.bench.timing import time_calls
from fp8blk.kernels import fp8_block_matmul
from fp8blk.kernels.fp8_block_matmul import KernelConfig

TAG = sys.argv[1]
l2 = torch.cuda.get_device_properties(0).L2_cache_size
POINTS = [(6144, 4096, 384), (5632, 4096, 384), (18432, 7168, 128), (18432, 7168, 256), (7168, 16384, 384),
          (4096, 8192, 512), (24576, 1536, 192), (4096, 8192, 128), (18432, 7168, 192), (18432, 7168, 512),
          (7168, 16384, 256), (13824, 5120, 384), (6144, 4096, 320), (11008, 4096, 192)]  # 1-4 waves of each tile
CANDS = {"rule": None,
         "sx256x64w8s2": KernelConfig(256, 64, 128, 1, 8, 2, tma=True, split_x=True),
         "sx128x128w8s2": KernelConfig(128, 128, 128, 1, 8, 2, tma=True, split_x=True),
         "sx64x64s4": KernelConfig(64, 64, 128, 1, 4, 4, tma=True, split_x=True),
         "sx128x64s3": KernelConfig(128, 64, 128, 1, 4, 3, tma=True, split_x=True)}
records = []
for n, k, m in POINTS:
    copies = max(2, -(-2 * l2 // (n * k)))
    ws = [random_fp8_weight(n, k) for _ in range(copies)]
    xs = [torch.randn(m, k, device="cuda").to(torch.bfloat16) for _ in range(copies)]
    ref = float64_reference(xs[0], *ws[0])
    cands = dict(CANDS)
    errs = {}
    for name, cfg in list(cands.items()):
        y = fp8_block_matmul(xs[0], *ws[0], config=cfg)
        errs[name] = ((y.double() - ref).norm() / ref.norm()).item()
        if not errs[name] < 4e-3:
            print("  bad", name, errs[name]); del cands[name]
    times = {name: [] for name in cands}
    for rnd in range(2):
        for name in (list(times) if rnd == 0 else list(times)[::-1]):
            times[name].append(time_calls(lambda i, cfg=cands[name]: fp8_block_matmul(xs[i], *ws[i], config=cfg),
                                          copies, graphs=True)["median_us"])
    best = {name: min(t) for name, t in times.items()}
    records.append(dict(n=n, k=k, m=m, tag=TAG, best=best, times=times, errs=errs))
    print(f"{TAG} {n}x{k} M={m}: " + " ".join(f"{a} {t:.1f}" for a, t in best.items()), flush=True)
    del ws, xs
    torch.cuda.empty_cache()
    json.dump(records, open(os.path.join(os.environ.get("OUT", "/tmp"), f"exp74_{TAG}.json"), "w"), indent=1)
