"""exp25 (next session): decode M = 2..16 on layers <= 8 MB (issue 11's small-layer target: 512x4096 at M = 4/16
5.4/5.8 us against 1.3 x (empty kernel + bytes / BW) ~ 2.5). The rule's tensor-core launch splits K 16 ways
(bn 64): three dependent memory round trips (load, partial + counter, the last program's partial reads). Timed here
against launches with fewer or no splits: CUDA cores with 2-8 rows a program and the activation rows all in one
program (block_m = M rounded up; whole rows, split 1 or 2), and the tensor-core launch split 2/4/8 with one or two
scale blocks a step. exp23 tried only the M = 1 CUDA-core launch widened to M rows (1-row programs re-read x)."""
import torch
import triton
from fp8blk.bench.shapes import load_shapes
from fp8blk.kernels.fp8_block_matmul import time_configs
from fp8blk.kernels.fp8_decode import DecodeConfig, decode_config

props = torch.cuda.get_device_properties(0)
sms, l2 = props.multi_processor_count, props.L2_cache_size


def name(c):
    return f"{'mma' if c.use_mma else 'cores'} bn{c.block_n} bm{c.block_m} x{c.subs} s{c.split_k} st{c.num_stages}"


seen = set()
for layer in load_shapes("all"):
    if layer.groups != 1 or (layer.n, layer.k) in seen or layer.n * layer.k > 8 << 20:
        continue
    seen.add((layer.n, layer.k))
    for m in (2, 3, 4, 8, 16):
        rule = decode_config(m, layer.n, layer.k, 1, 128, sms, tma=True)
        bm = triton.next_power_of_2(m)
        options = [rule]
        for rows in (2, 4, 8):
            for split in (1, 2):
                subs = max(1, min(32, 8192 // (rows * 128)))
                steps = triton.cdiv(layer.k, 128 * subs)
                options.append(DecodeConfig(rows, bm, 128, subs, split, False, 4, 3 if steps // split >= 6 else 2))
        for split in (2, 4, 8):
            for subs in (1, 2):
                options.append(DecodeConfig(64, max(16, bm), 128, subs, split, True, 4, 3))
        options = list(dict.fromkeys(options))
        timed = sorted(time_configs(layer.n, layer.k, m, options, l2, log=lambda line: print("   ", line, flush=True)),
                       key=lambda t: t[0])
        rule_us = next((us for us, c in timed if c == rule), float("nan"))
        cells = "  ".join(f"{name(c)} {us:5.2f}" for us, c in timed[:4])
        print(f"{layer.n:>5}x{layer.k:<5} M={m:<2} rule {name(rule)} {rule_us:5.2f} | {cells}", flush=True)
