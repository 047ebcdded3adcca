"""exp72 (2026-11-28c): rule v44 (split-x launches by fewest waves; 64 x 64 split-x tiles at M = 33-64 where they
number two to three per SM) against v43's launch at every point where the two differ (harness layers and the
exp70/exp71 layers), with the other split-x tiles beside them at M > 64. Two alternating rounds, CUDA graphs,
weights rotated over > 2x L2, float64 check first."""
import json
import os
import torch
from fp8blk.bench.inputs import random_fp8_weight, float64_reference
from fp8blk.bench.timing import time_calls
from fp8blk.kernels import fp8_block_matmul
from fp8blk.kernels.fp8_block_matmul import KernelConfig, choose_config

dev = torch.device("cuda", 0)
l2 = torch.cuda.get_device_properties(0).L2_cache_size
POINTS = json.load(open(os.path.join(os.path.dirname(__file__), "exp72_points.json")))
SX = {"sx64x64s3": KernelConfig(64, 64, 128, 1, 4, 3, tma=True, split_x=True),
      "sx128x64s3": KernelConfig(128, 64, 128, 1, 4, 3, tma=True, split_x=True),
      "sx128x128w8s4": KernelConfig(128, 128, 128, 1, 8, 4, tma=True, split_x=True)}
records = []
for n, k, m, v43, v44 in POINTS:
    v43, v44 = KernelConfig(*v43), KernelConfig(*v44)
    rule = choose_config(m, n, k, 1, 128, dev, tma=True)
    if rule != v44:
        print("  device rule differs:", tuple(rule))
    cands = {"v44": None, "v43": v43}
    if m > 64:
        cands.update({name: cfg for name, cfg in SX.items() if cfg not in (v43, rule)})
    copies = max(2, -(-2 * l2 // (n * k)))
    ws = [random_fp8_weight(n, k) for _ in range(copies)]
    xs = [torch.randn(m, k, device="cuda").to(torch.bfloat16) for _ in range(copies)]
    ref = float64_reference(xs[0], *ws[0])
    for name, cfg in list(cands.items()):
        y = fp8_block_matmul(xs[0], *ws[0], config=cfg)
        if not ((y.double() - ref).norm() / ref.norm()).item() < 4e-3:
            print("  bad", name); del cands[name]
    times = {name: [] for name in cands}
    for rnd in range(2):
        for name in (list(times) if rnd == 0 else list(times)[::-1]):
            times[name].append(time_calls(lambda i, cfg=cands[name]: fp8_block_matmul(xs[i], *ws[i], config=cfg),
                                          copies, graphs=True)["median_us"])
    best = {name: min(t) for name, t in times.items()}
    records.append(dict(n=n, k=k, m=m, v43=tuple(v43), v44=tuple(rule), best=best, times=times))
    print(f"{n}x{k} M={m}: v44/v43 {best['v44'] / best['v43']:.2f}  " + " ".join(f"{a} {t:.1f}" for a, t in best.items()),
          flush=True)
    del ws, xs
    torch.cuda.empty_cache()
    json.dump(records, open(os.path.join(os.environ.get("OUT", "/tmp"), "exp72.json"), "w"), indent=1)
