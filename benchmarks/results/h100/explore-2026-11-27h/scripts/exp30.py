"""exp30: decode rule v36 (32-row tensor-core tiles on layers <= 64 KB per SM) against v35 (64 rows), every tensor-core
decode M (2..32) on the layers <= 8 MB of V4-Flash/Pro and example-tiny, three rounds in alternating order; a third
option keeps v35's split with 32-row tiles (4 programs per SM)."""
import math

import torch
import triton
from fp8blk.kernels.fp8_block_matmul import time_configs
from fp8blk.kernels.fp8_decode import decode_config

props = torch.cuda.get_device_properties(0)
sms, l2 = props.multi_processor_count, props.L2_cache_size
SHAPES = [(512, 4096), (1024, 4096), (2048, 4096), (4096, 2048), (8192, 1024), (512, 7168), (576, 7168),
          (1536, 2048), (576, 2048), (2048, 1536), (1536, 7168)]


def name(c):
    return f"bn{c.block_n} s{c.split_k}"


rows = []
for n, k in SHAPES:
    for m in (3, 4, 8, 16, 24, 32):
        new = decode_config(m, n, k, 1, 128, sms, tma=True)
        if not new.use_mma:
            continue
        # v35: 64-row tiles, split for 2 programs per SM (the rule before v36, written out here)
        tiles = triton.cdiv(n, 64)
        wave = triton.next_power_of_2(math.ceil(0.95 * 2 * sms / tiles))
        steps = triton.cdiv(k, 128)
        split = max(wave, triton.next_power_of_2(triton.cdiv(steps, 16)))
        most = 1 << (max(1, steps // 3).bit_length() - 1)
        old = new._replace(block_n=64, split_k=max(1, min(split, 16, most)))
        same_split = new._replace(split_k=old.split_k)
        options = list(dict.fromkeys([old, new, same_split]))
        results = {c: [] for c in options}
        for rnd in range(3):
            order = options if rnd % 2 == 0 else options[::-1]
            for us, c in time_configs(n, k, m, order, l2, log=lambda line: None):
                results[c].append(us)
        cells = "  ".join(f"{name(c)} " + "/".join(f"{u:.2f}" for u in results[c]) +
                          f" ({min(results[c]) / min(results[old]):.2f})" for c in options)
        print(f"{n:>5}x{k:<5} M={m:<2} old {name(old)} new {name(new)} | {cells}", flush=True)
