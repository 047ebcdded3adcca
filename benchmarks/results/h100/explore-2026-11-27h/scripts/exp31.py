"""exp31: N >= 4096 layers at M = 48-128, where the tile rule launches 128-row 8-warp tiles and Flash's worst points
against Marlin sit (4096x2048 M=128 0.76x, 8192x1024 M=48/64 0.81/0.92x, 4096x2048 M=48 0.92x, 4096x8192 M=48 0.94x;
harness v36). exp27: 64x128 4-warp tiles split 2 ran 13-19% faster than the rule on 4096x2048 at M = 96/128.
Candidates: 64-row tiles with 4 warps (64 columns: 128-deep K-tiles, 3 stages; 128 columns: 64-deep, 4 stages, TMA),
splits 1/2/4; three rounds in alternating order, each config's worst-round ratio to the rule."""
import torch
from fp8blk.kernels.fp8_block_matmul import KernelConfig, default_config, time_configs

props = torch.cuda.get_device_properties(0)
sms, l2, shared = props.multi_processor_count, props.L2_cache_size, props.shared_memory_per_block_optin
SHAPES = [(4096, 2048), (4096, 8192), (8192, 1024), (32768, 1024), (8192, 1536), (7168, 3072), (7168, 2048),
          (24576, 1536)]


def name(c):
    return "expand" if c.expand_weight else f"{c.block_n}x{c.block_m}w{c.num_warps}s{c.split_k}st{c.num_stages}"


for n, k in SHAPES:
    for m in (48, 64, 96, 128):
        rule = default_config(m, n, k, 1, 128, sms, tma=True, shared_memory=shared)
        if m <= 64:
            candidates = [KernelConfig(64, 64, 128, s, 4, 3, True, tma=True) for s in (1, 2, 4)]
        else:
            candidates = [KernelConfig(64, 128, 64, s, 4, 4, True, tma=True) for s in (1, 2, 4)]
        options = list(dict.fromkeys([rule] + candidates))
        rounds = []
        for order in (options, options[::-1], options[1:] + options[:1]):
            timed = time_configs(n, k, m, order, l2, log=lambda line: None)
            rounds.append({c: us for us, c in timed})
        base = [r.get(rule, float("nan")) for r in rounds]
        cells = []
        for c in options:
            times = [r.get(c, float("nan")) for r in rounds]
            worst = max(t / b for t, b in zip(times, base))
            cells.append(f"{name(c)} {'/'.join(f'{t:.1f}' for t in times)} ({worst:.2f})")
        print(f"{n:>5}x{k:<5} M={m:<3} rule {name(rule)} | " + "  ".join(cells), flush=True)
