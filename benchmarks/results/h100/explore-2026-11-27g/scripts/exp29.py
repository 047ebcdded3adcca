"""exp29 (next session): M = 1 on the >= 32 MB layers (issue 11: 71-77% of read bandwidth, target 80%). The rule's
CUDA-core launch (7168 x 16384: 448 programs of 16 rows, 32 steps of 8 KB, 3 stages) against rows per program
8/16/32 (896/448/224 programs), 2/4/8 scale blocks a step (4/8/16 KB) and 3/4 stages. Prints µs and % of the
measured read bandwidth, best first."""
import torch
from fp8blk.bench.timing import read_bandwidth_gbps
from fp8blk.kernels.fp8_block_matmul import time_configs
from fp8blk.kernels.fp8_decode import DecodeConfig, decode_config

props = torch.cuda.get_device_properties(0)
sms, l2 = props.multi_processor_count, props.L2_cache_size
read_gbps = read_bandwidth_gbps()
print(f"read bandwidth {read_gbps:.0f} GB/s", flush=True)


def name(c):
    return f"bn{c.block_n} x{c.subs} s{c.split_k} st{c.num_stages}"


for n, k in ((7168, 16384), (18432, 7168), (65536, 1536), (32768, 1024), (7168, 18432)):
    rule = decode_config(1, n, k, 1, 128, sms, tma=True)
    options = [rule] + [DecodeConfig(rows, 1, 128, subs, 1, False, 4, stages)
                        for rows in (8, 16, 32) for subs in (2, 4, 8) for stages in (3, 4)]
    options = list(dict.fromkeys(options))
    timed = sorted(time_configs(n, k, 1, options, l2, log=lambda line: print("   ", line, flush=True)),
                   key=lambda t: t[0])
    floor_us = (n * k + 2 * k + 2 * n) / read_gbps / 1e3
    rule_us = next((us for us, c in timed if c == rule), float("nan"))
    cells = "  ".join(f"{name(c)} {us:5.1f} ({100 * floor_us / us:.0f}%)" for us, c in timed[:4])
    print(f"{n:>5}x{k:<5} M=1 rule {name(rule)} {rule_us:5.1f} ({100 * floor_us / rule_us:.0f}%) | {cells}", flush=True)
