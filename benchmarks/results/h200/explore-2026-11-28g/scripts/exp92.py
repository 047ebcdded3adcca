"""exp92: the bandwidth-derived stage rule (NOTES item 86) on the H200: the 448-program TMA decode launches it takes
4 stages deep (7168x16384 and 7168x18432 as exp89 timed them; 3584x18944 and 14336x4096 never timed) against the same
launch at 3 stages (v47), M = 2/4/8/16; three alternating rounds, CUDA graphs, weights rotated over > 2x L2, float64
check first. Prints the DRAM bandwidth the library reads from the driver."""
import importlib
import json
import os
import torch
from fp8blk.bench.inputs import random_fp8_weight, float64_reference
from fp8blk.bench.timing import time_calls
from fp8blk.kernels import fp8_block_matmul, launch_config

km = importlib.import_module("fp8blk.kernels.fp8_block_matmul")
print(f"dram_gbps {km._dram_gbps(torch.device('cuda', 0)):.0f}", flush=True)
l2 = torch.cuda.get_device_properties(0).L2_cache_size
records = []
for n, k in [(7168, 16384), (7168, 18432), (3584, 18944), (14336, 4096)]:
    copies = max(2, -(-2 * l2 // (n * k)))
    ws = [random_fp8_weight(n, k) for _ in range(copies)]
    for m in (2, 4, 8, 16):
        xs = [torch.randn(m, k, device="cuda").to(torch.bfloat16) for _ in range(copies)]
        ref = float64_reference(xs[0], *ws[0])
        rule = launch_config(m, n, k)
        cands = {"rule": rule, "st3": rule._replace(num_stages=3)}
        for name, cfg in cands.items():
            y = fp8_block_matmul(xs[0], *ws[0], config=cfg)
            assert ((y.double() - ref).norm() / ref.norm()).item() < 4e-3, name
        times = {name: [] for name in cands}
        for _ in range(3):
            for name, cfg in cands.items():
                times[name].append(time_calls(lambda i, cfg=cfg: fp8_block_matmul(xs[i], *ws[i], config=cfg),
                                              copies, graphs=True)["median_us"])
        best = {name: min(t) for name, t in times.items()}
        records.append(dict(n=n, k=k, m=m, rule=tuple(rule), times=times))
        print(f"{n}x{k} M={m:2d} rule {tuple(rule)[4:8]} {best['rule']:.1f} us  3 stages {best['st3']:.1f}  "
              f"speed x{best['st3'] / best['rule']:.3f}", flush=True)
        json.dump(records, open(os.path.join(os.environ.get("OUT", "/tmp"), "exp92.json"), "w"), indent=1)
    del ws, xs
    torch.cuda.empty_cache()
