"""exp155: the decode kernel's tensor-core launch beyond its boundary on small and mid layers (issue 12, M = 48-128:
the v67 harness has 512 x 4096 at 7.7 us for M = 64 (decode kernel) and 13.7 for M = 96 (tile kernel, split 4),
cuBLAS 7.6 / 10.4; 4096 x 2048 M = 48-128 10.3-14.7 against cuBLAS 7.3-10.8). Candidates: 32- and 64-row tiles,
x tiles of 64 or 128 rows (the power of two from M), K split for 1-8 programs a SM, 2-3 stages, 64-row tiles also by
TMA. CUDA graphs, weights rotated, best of two rounds; every output checked against float64."""
import itertools
import sys

import torch
from fp8blk.bench.inputs import random_fp8_weight, float64_reference
from fp8blk.bench.timing import time_calls
import fp8blk.kernels  # noqa: F401
from fp8blk.kernels.fp8_decode import DecodeConfig
km = sys.modules["fp8blk.kernels.fp8_block_matmul"]
dev = torch.device("cuda", 0)
props = torch.cuda.get_device_properties(0)
l2, sms = props.L2_cache_size, props.multi_processor_count
LAYERS = [(512, 4096), (1024, 4096), (512, 7168), (1536, 7168), (2048, 4096), (4096, 2048), (8192, 1024), (2880, 2880),
          (1024, 5120), (3072, 7168)]
for n, k in LAYERS:
    copies = max(2, -(-2 * l2 // (n * k)))
    ws = [random_fp8_weight(n, k) for _ in range(copies)]
    for m in (48, 64, 96, 128):
        xs = [torch.randn(m, k, device="cuda").to(torch.bfloat16) for _ in range(copies)]
        ref = float64_reference(xs[0], *ws[0])
        rule = km.launch_config(m, n, k, dev)
        cands = {"rule": rule}
        bm = 64 if m <= 64 else 128
        steps = -(-k // 128)
        for bn, stages, tma in itertools.product((32, 64), (2, 3), (False, True)):
            if tma and bn != 64:
                continue
            tiles = -(-n // bn)
            for split in (1, 2, 4, 8, 16):
                per_sm = tiles * split / sms
                if 0.5 <= per_sm <= 8 and steps >= 3 * split:
                    cands[f"dec bn{bn} bm{bm} s{stages} split{split}{' tma' if tma else ''}"] = DecodeConfig(
                        bn, bm, 128, 1, split, True, 4, stages, tma=tma)
        times, errs = {}, {}
        for _ in range(2):
            for name, cfg in cands.items():
                call = lambda i, cfg=cfg: km.fp8_block_matmul(xs[i], *ws[i], config=cfg)
                if errs.get(name, "").startswith("!"):
                    continue
                try:
                    times.setdefault(name, []).append(time_calls(call, copies, graphs=True, reps=15)["median_us"])
                    out = call(0).double()
                    errs[name] = f"{((out - ref).norm() / ref.norm()).item():.1e}"
                except Exception as exc:
                    times[name] = [float("inf")]
                    errs[name] = f"!{type(exc).__name__}"
        best = sorted((min(t), name) for name, t in times.items())
        r = min(times["rule"])
        print(f"{n}x{k} M={m}: rule {tuple(rule)[:9]} {r:.2f} us err {errs['rule']}; best: "
              + " | ".join(f"{t:.2f} {name} ({r / t:.3f}x) err {errs[name]}" for t, name in best[:3]), flush=True)
    ws = xs = None
    torch.cuda.empty_cache()
