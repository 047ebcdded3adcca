"""exp85 (prepared 2026-11-28e, not yet run): check of the narrow v47 (NOTES item 78: at M <= 16, TMA decode launches
the rule takes 4 stages deep split twice as far where that leaves <= 5 programs a SM; fitted on exp83 + exp84)
against v46 on 12 layers neither timed, M = 2 / 4 / 8 / 16 (and 32, where the candidate must not change anything).
Two alternating rounds, CUDA graphs, weights rotated over > 2x L2, float64 check first."""
import json
import os
import torch
from fp8blk.bench.inputs import random_fp8_weight, float64_reference
from fp8blk.bench.timing import time_calls
from fp8blk.kernels import fp8_block_matmul
import fp8blk.kernels.fp8_decode as dec

props = torch.cuda.get_device_properties(0)
l2 = props.L2_cache_size
LAYERS = [(2048, 18432), (2560, 16384), (4096, 16384), (5120, 8192), (8192, 4096), (8192, 12288), (10240, 5120),
          (10240, 16384), (16384, 4096), (16384, 12288), (2560, 28672), (4096, 10240)]
SMS = props.multi_processor_count


def rule(m, n, k, narrow_v47):
    cfg = dec.decode_config(m, n, k, 1, 128, SMS, tma=True)
    programs = -(-n // cfg.block_n) * cfg.split_k * 2
    if narrow_v47 and m <= 16 and cfg.tma and cfg.num_stages == 4 and programs <= 5 * SMS:
        cfg = cfg._replace(split_k=min(16, 2 * cfg.split_k))
    return cfg


records = []
for n, k in LAYERS:
    copies = max(2, -(-2 * l2 // (n * k)))
    ws = [random_fp8_weight(n, k) for _ in range(copies)]
    for m in (2, 4, 8, 16, 32):
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
        print(f"{n}x{k} M={m}: " + " ".join(f"{a} {t:.1f}" for a, t in best.items()) + f"  v46/v47 {best['v46'] / best.get('v47', best['v46']):.3f}  v46={tuple(cands['v46'])}",
              flush=True)
        json.dump(records, open(os.path.join(os.environ.get("OUT", "/tmp"), "exp85.json"), "w"), indent=1)
    del ws, xs
    torch.cuda.empty_cache()
