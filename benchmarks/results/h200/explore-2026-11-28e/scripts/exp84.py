"""exp84: check of v47 (TMA decode launches 4 stages deep split twice as far, fitted on exp83) against v46 on the
10 layers of exp80/exp81 (none timed at M > 1 there) where v47 changes the launch, M = 2 / 4 / 16 / 32. Two
alternating rounds, CUDA graphs, weights rotated over > 2x L2, float64 check first."""
import json
import os
import torch
from fp8blk.bench.inputs import random_fp8_weight, float64_reference
from fp8blk.bench.timing import time_calls
from fp8blk.kernels import fp8_block_matmul
import fp8blk.kernels.fp8_decode as dec

props = torch.cuda.get_device_properties(0)
l2 = props.L2_cache_size
LAYERS = [(4096, 12288), (4096, 14336), (5120, 13824), (12288, 4096), (10240, 8192), (8192, 28672), (9216, 7168),
          (11008, 4096), (16384, 7168), (2048, 16384)]


def rule(m, n, k, factor):
    saved = dec.TMA_DEEP_SPLIT_FACTOR
    dec.TMA_DEEP_SPLIT_FACTOR = factor
    try:
        return dec.decode_config(m, n, k, 1, 128, props.multi_processor_count, tma=True)
    finally:
        dec.TMA_DEEP_SPLIT_FACTOR = saved


records = []
for n, k in LAYERS:
    copies = max(2, -(-2 * l2 // (n * k)))
    ws = [random_fp8_weight(n, k) for _ in range(copies)]
    for m in (2, 4, 16, 32):
        xs = [torch.randn(m, k, device="cuda").to(torch.bfloat16) for _ in range(copies)]
        ref = float64_reference(xs[0], *ws[0])
        cands = {"v46": rule(m, n, k, 1), "v47": rule(m, n, k, 2)}
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
        print(f"{n}x{k} M={m}: " + " ".join(f"{a} {t:.1f}" for a, t in best.items()) + f"  v46/v47 {best['v46'] / best['v47']:.3f}  v46={tuple(cands['v46'])}",
              flush=True)
        json.dump(records, open(os.path.join(os.environ.get("OUT", "/tmp"), "exp84.json"), "w"), indent=1)
    del ws, xs
    torch.cuda.empty_cache()
