"""exp28 (next session): tensor-core decode with 16- or 32-row weight tiles (mma.sync; the rule's 64-row tiles take
wgmma) on layers <= 8 MB, M = 4/16/32. A 16-row tile gives 4x the row tiles of the rule's 64, so fewer K-splits reach
the SMs (512 x 4096: 32 tiles split 4 = 128 programs of 8 steps, against 8 tiles split 8 of 4 steps): fewer
partial-sum round trips, the < 8 MB target's gap (512 x 4096 at M = 16: 5.6 us against 2.5). Built offline for sm_90:
bn16 1-2 warps 12-25 KB shared, bn32 2-4 warps 17-33 KB. Includes the unseen example-tiny shapes (K = 1536-5632)."""
import torch
from fp8blk.kernels.fp8_block_matmul import time_configs
from fp8blk.kernels.fp8_decode import DecodeConfig, decode_config

props = torch.cuda.get_device_properties(0)
sms, l2 = props.multi_processor_count, props.L2_cache_size
SHAPES = [(512, 4096), (1024, 4096), (2048, 4096), (4096, 2048), (8192, 1024), (512, 7168), (576, 7168),
          (1536, 2048), (576, 2048), (2048, 1536)]


def name(c):
    return f"{'mma' if c.use_mma else 'cores'} bn{c.block_n} bm{c.block_m} x{c.subs} s{c.split_k} w{c.num_warps}"


for n, k in SHAPES:
    for m in (4, 16, 32):
        rule = decode_config(m, n, k, 1, 128, sms, tma=True)
        bm = max(16, 1 << (m - 1).bit_length())
        options = [rule]
        for block_n, warp_options in ((16, (1, 2)), (32, (2, 4))):
            for warps in warp_options:
                options += [DecodeConfig(block_n, bm, 128, 1, split, True, warps, 3) for split in (1, 2, 4, 8)]
                options.append(DecodeConfig(block_n, bm, 128, 2, 1, True, warps, 3))
        options = list(dict.fromkeys(options))
        timed = sorted(time_configs(n, k, m, options, l2, log=lambda line: print("   ", line, flush=True)),
                       key=lambda t: t[0])
        rule_us = next((us for us, c in timed if c == rule), float("nan"))
        cells = "  ".join(f"{name(c)} {us:5.2f}" for us, c in timed[:4])
        print(f"{n:>5}x{k:<5} M={m:<2} rule {name(rule)} {rule_us:5.2f} | {cells}", flush=True)
