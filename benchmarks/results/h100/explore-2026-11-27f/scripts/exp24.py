"""exp24 (next session): tile shapes for the serving range on N < 7168. The rule keeps 64x64 4-warp tiles for
N < 4096 at every M and 128x128 8-warp tiles (split by the 8-warp rule) on N = 4096 at M >= 96; the committed v34 run
has these layers at 0.53-0.8x cuBLAS (2048x4096 M=256 27.9 vs 14.7 us). For every V4-Flash/Pro/V3 (N, K), groups 1,
N < 7168, M in 48..512: the rule against 64x64 tiles split 4/8/16 and, from M = 96, 128x128 (8 warps, split 1/2/4), the two-per-SM 4-warp 128x128 TMA tiles
(split 1/2), 64x128 4-warp tiles (64-deep K-tiles, 4 stages, split 1/2/4) and, from M = 192, 128x256 tiles and
the expand path. Prints one line per point, best first."""
import torch
from fp8blk.bench.shapes import load_shapes
from fp8blk.kernels.fp8_block_matmul import KernelConfig, default_config, time_configs

props = torch.cuda.get_device_properties(0)
sms, l2, shared = props.multi_processor_count, props.L2_cache_size, props.shared_memory_per_block_optin


def name(c):
    return "expand" if c.expand_weight else f"{c.block_n}x{c.block_m}w{c.num_warps}s{c.split_k}st{c.num_stages}"


seen = set()
for layer in load_shapes("all"):
    if layer.groups != 1 or (layer.n, layer.k) in seen or layer.n >= 7168:
        continue
    seen.add((layer.n, layer.k))
    for m in (48, 64, 96, 128, 192, 256, 384, 512):
        rule = default_config(m, layer.n, layer.k, 1, 128, sms, tma=True, shared_memory=shared)
        # the 64x64 tiles split past the rule's cap of 4 (512x4096 at M = 64: 8 tiles x split 4 = 32 programs)
        options = [rule] + [KernelConfig(64, 64, 128, s, 4, 3, True, tma=True) for s in (4, 8, 16)]
        if m < 96:
            options = list(dict.fromkeys(options))
            timed = sorted(time_configs(layer.n, layer.k, m, options, l2, log=lambda line: print("   ", line)),
                           key=lambda t: t[0])
            rule_us = next((us for us, c in timed if c == rule), float("nan"))
            print(f"{layer.n:>5}x{layer.k:<5} M={m:<3} rule {name(rule)} {rule_us:6.1f} | "
                  + "  ".join(f"{name(c)} {us:6.1f}" for us, c in timed[:5]), flush=True)
            continue
        options += [KernelConfig(128, 128, 128, s, 8, 3, True, tma=True) for s in (1, 2, 4)]
        options += [KernelConfig(128, 128, 64, s, 4, 4, True, tma=True) for s in (1, 2)]
        options += [KernelConfig(64, 128, 64, s, 4, 4, True, tma=True) for s in (1, 2, 4)]  # 80 KB: two per SM
        if m >= 192:  # and the expand path below its M = 257 boundary (2048x4096: M = 256 27.9 us, M = 384 expand 26.3)
            options += [KernelConfig(128, 256, 64, 1, 8, 4, True, tma=True), KernelConfig(64, 1, 128, 1, 4, 1, expand_weight=True)]
        options = list(dict.fromkeys(options))  # the rule may be one of them
        timed = sorted(time_configs(layer.n, layer.k, m, options, l2, log=lambda line: print("   ", line, flush=True)),
                       key=lambda t: t[0])
        rule_us = next((us for us, c in timed if c == rule), float("nan"))
        cells = "  ".join(f"{name(c)} {us:6.1f}" for us, c in timed[:5])
        print(f"{layer.n:>5}x{layer.k:<5} M={m:<3} rule {name(rule)} {rule_us:6.1f} | {cells}", flush=True)
