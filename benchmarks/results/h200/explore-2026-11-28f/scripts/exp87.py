"""exp87 (session 2026-11-28f): check of rule v47 as committed (kernels/fp8_decode.py: at M <= 8, TMA decode launches
the rule takes 4 stages deep split twice as far where that leaves <= 5 programs a SM; fitted on exp83-85) against v46
(TMA_WIDE_SPLIT_MAX_M = 0) on 10 layers no experiment timed, M = 2 / 4 / 8 (16: unchanged, a control). Two
alternating rounds, CUDA graphs, weights rotated over > 2x L2, float64 check first."""
import json
import os
import torch
from fp8blk.bench.inputs import random_fp8_weight, float64_reference
from fp8blk.bench.timing import time_calls
from fp8blk.kernels import fp8_block_matmul, launch_config
import fp8blk.kernels.fp8_decode as dec
import sys

l2 = torch.cuda.get_device_properties(0).L2_cache_size
LAYERS = [(2048, 20480), (2560, 18432), (4096, 11008), (4608, 8192), (5120, 14336), (8192, 6144), (9216, 4096),
          (9216, 12288), (20480, 3072), (20480, 8192)]
V47_MAX_M = dec.TMA_WIDE_SPLIT_MAX_M


def rule(m, n, k, v47):
    dec.TMA_WIDE_SPLIT_MAX_M = V47_MAX_M if v47 else 0
    sys.modules["fp8blk.kernels.fp8_block_matmul"]._launch_plan.cache_clear()  # launch plans are cached per signature
    return launch_config(m, n, k)


records = []
for n, k in LAYERS:
    copies = max(2, -(-2 * l2 // (n * k)))
    ws = [random_fp8_weight(n, k) for _ in range(copies)]
    for m in (2, 4, 8, 16):
        xs = [torch.randn(m, k, device="cuda").to(torch.bfloat16) for _ in range(copies)]
        ref = float64_reference(xs[0], *ws[0])
        cands = {"v46": rule(m, n, k, False), "v47": rule(m, n, k, True)}
        if cands["v47"] == cands["v46"]:
            cands.pop("v47")
        for name, cfg in list(cands.items()):
            y = fp8_block_matmul(xs[0], *ws[0], config=cfg)
            if not ((y.double() - ref).norm() / ref.norm()).item() < 4e-3:
                print("  bad", name, cfg); del cands[name]
        times = {name: [] for name in cands}
        for rnd in range(2):
            for name in (list(times) if rnd == 0 else list(times)[::-1]):
                times[name].append(time_calls(lambda i, cfg=cands[name]: fp8_block_matmul(xs[i], *ws[i], config=cfg),
                                              copies, graphs=True)["median_us"])
        best = {name: min(t) for name, t in times.items()}
        records.append(dict(n=n, k=k, m=m, configs={a: tuple(c) for a, c in cands.items()}, best=best, times=times))
        print(f"{n}x{k} M={m}: " + " ".join(f"{a} {t:.1f}" for a, t in best.items())
              + f"  v46/v47 {best['v46'] / best.get('v47', best['v46']):.3f}  v46={tuple(cands['v46'])}", flush=True)
        json.dump(records, open(os.path.join(os.environ.get("OUT", "/tmp"), "exp87.json"), "w"), indent=1)
    del ws, xs
    torch.cuda.empty_cache()
dec.TMA_WIDE_SPLIT_MAX_M = V47_MAX_M
