"""prof96 (prepared 2026-11-28g, not run): the anomaly of NOTES item 91 under ncu -- the same split-6, 3-stage TMA
decode launch of 9216x12288 (and split-3 of 18432x7168) at M = 4 and M = 16 (37.9 us at M = 16, ~46 at M = 4 in
exp95/95b). Run:  ncu --kernel-name regex:decode --cache-control all --clock-control base --metrics
gpu__time_duration.sum,dram__throughput.avg.pct_of_peak_sustained_elapsed,sm__warps_active.avg.pct_of_peak_sustained_active,
launch__registers_per_thread,launch__occupancy_limit_registers,launch__occupancy_limit_shared_mem,launch__waves_per_multiprocessor
--csv python3 prof96.py"""
import torch
from fp8blk.bench.inputs import random_fp8_weight
from fp8blk.kernels import fp8_block_matmul, launch_config

for n, k, split in ((9216, 12288, 6), (18432, 7168, 3)):
    w = random_fp8_weight(n, k)
    for m in (4, 16):
        x = torch.randn(m, k, device="cuda").to(torch.bfloat16)
        cfg = launch_config(m, n, k)._replace(split_k=split, num_stages=3)
        for _ in range(2):
            fp8_block_matmul(x, *w, config=cfg)
        torch.cuda.synchronize()
        print(n, k, m, cfg, flush=True)
