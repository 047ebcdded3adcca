"""exp22 (next session): the serving range's large end. AOT facts (sm_90, offline): 128x256 tiles (TMA, 8 warps,
64-deep K-tiles) at 3 stages 171 registers, no spill, 116 KB shared (157 KB at 4 stages; one program per SM); split 2
254 registers + 16 B stack, so unsplit only.
- M = 384, 512 (the rule takes the expand path, dequant + cuBLAS): every V4-Flash/Pro/V3 (N, K), groups 1, against
  the tile rule's own config there (expand_ok=False) and, where they fill at least half the SMs, 128x256 tiles.
- M = 192, 256: the rule against 128x256 tiles at 3 and 4 stages where those fill at least half the SMs."""
import torch
from fp8blk.bench.shapes import load_shapes
from fp8blk.kernels.fp8_block_matmul import KernelConfig, default_config, time_configs

sms = torch.cuda.get_device_properties(0).multi_processor_count
l2 = torch.cuda.get_device_properties(0).L2_cache_size
wide = KernelConfig(128, 256, 64, 1, 8, 3, True, tma=True)
seen = set()
for layer in load_shapes("all"):
    if layer.groups != 1 or (layer.n, layer.k) in seen:
        continue
    seen.add((layer.n, layer.k))
    for m in (192, 256, 384, 512):
        rule = default_config(m, layer.n, layer.k, 1, 128, sms, tma=True)
        filled = -(-layer.n // 128) * -(-m // 256) >= sms // 2
        options = [rule]
        if rule.expand_weight:
            options.append(default_config(m, layer.n, layer.k, 1, 128, sms, expand_ok=False, tma=True))
        if filled:
            options += [wide, wide._replace(num_stages=4)]
        if len(options) == 1:
            continue
        timed = time_configs(layer.n, layer.k, m, options, l2, log=lambda line: print("   ", line, flush=True))
        cells = "  ".join(f"{'expand' if c.expand_weight else ''}{c.block_n}x{c.block_m} s{c.split_k} w{c.num_warps} "
                          f"st{c.num_stages} {us:6.1f}" for us, c in timed)
        print(f"{layer.n:>6}x{layer.k:<6} M={m:<4} {cells}", flush=True)
