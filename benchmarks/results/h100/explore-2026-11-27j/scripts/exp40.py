"""exp40: 64 x 128 tiles (64 weight rows, 128 activation columns, TMA) at M = 128-256 where the rule launches 64 x 64
tiles (N < 4096: up to 512 programs for 396 places) or 8-warp 128 x 128 ones (N >= 4096 at M = 192/256: <= 128
programs). Three rounds in rotated order; per config its three medians and its worst-round ratio to the rule."""
import json, os
import torch
from fp8blk.kernels.fp8_block_matmul import KernelConfig, default_config, time_configs

props = torch.cuda.get_device_properties(0)
sms, l2, shared = props.multi_processor_count, props.L2_cache_size, props.shared_memory_per_block_optin


def tile(bn, bm, bk, split, warps, stages):
    return KernelConfig(bn, bm, bk, split, warps, stages, True, tma=True)


def name(c):
    return "expand" if c.expand_weight else f"{c.block_n}x{c.block_m}w{c.num_warps}s{c.split_k}st{c.num_stages}"


CANDIDATES = [tile(64, 128, 64, s, 4, 4) for s in (1, 2, 4)] + [tile(64, 128, 128, s, 8, 3) for s in (1, 2)]
POINTS = [(n, k, m) for n, k in ((1024, 4096), (512, 4096), (2048, 4096), (1536, 7168), (512, 7168), (3072, 7168),
                                 (1536, 4096)) for m in (128, 256)]
POINTS += [(2048, 4096, 192), (1024, 4096, 192)]
POINTS += [(n, k, m) for n, k in ((4096, 2048), (8192, 1024), (8192, 1536), (7168, 3072)) for m in (192, 256)]
POINTS += [(4096, 8192, 256)]
POINTS += [(2048, 7168, 256), (7168, 2048, 256), (576, 7168, 128), (2048, 5632, 256)]  # DeepSeek-V3: held out

rows = []
for n, k, m in POINTS:
    rule = default_config(m, n, k, 1, 128, sms, tma=True, shared_memory=shared)
    options = list(dict.fromkeys([rule] + CANDIDATES))
    rounds = []
    for order in (options, options[::-1], options[1:] + options[:1]):
        timed = time_configs(n, k, m, order, l2, log=lambda line: print("   ", line, flush=True))
        rounds.append({c: us for us, c in timed})
    base = [r.get(rule, float("nan")) for r in rounds]
    cells = []
    for c in options:
        times = [r.get(c, float("nan")) for r in rounds]
        worst = max(t / b for t, b in zip(times, base))
        rows.append({"N": n, "K": k, "M": m, "config": list(c), "rule": c == rule, "us": times, "worst_vs_rule": worst})
        cells.append(f"{name(c)} {'/'.join(f'{t:.1f}' for t in times)} ({worst:.2f})")
    print(f"{n:>5}x{k:<5} M={m:<3} rule {name(rule)} | " + "  ".join(cells), flush=True)
json.dump(rows, open(os.path.join(os.environ.get("OUT", "/tmp"), "exp40.json"), "w"), indent=1)
