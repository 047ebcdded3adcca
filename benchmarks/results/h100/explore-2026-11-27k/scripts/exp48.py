"""exp48 (next session, plan item 2): M = 33-64 launches that leave SMs idle or split into short pieces (8-warp
128 x 64 tiles: 8192 x 1024 64 programs, 8192 x 1536 split 2 into 6-K-tile pieces, 4096 x 2048 split 4 into 4)
against 64 x 64 4-warp tiles and other splits; three rounds in rotated order, fitted and unfitted layers."""
import json, os
import torch
from fp8blk.kernels.fp8_block_matmul import KernelConfig, default_config, time_configs

props = torch.cuda.get_device_properties(0)
sms, l2, shared = props.multi_processor_count, props.L2_cache_size, props.shared_memory_per_block_optin


def tile(bn, bm, bk, split, warps, stages):
    return KernelConfig(bn, bm, bk, split, warps, stages, True, tma=True)


def name(c):
    return f"{c.block_n}x{c.block_m}w{c.num_warps}s{c.split_k}st{c.num_stages}"


CANDIDATES = [tile(64, 64, 128, s, 4, st) for s in (1, 2, 4) for st in (3, 4)] + \
             [tile(128, 64, 128, s, 8, 4) for s in (1, 2)] + [tile(64, 64, 64, 2, 4, 4)]
POINTS = [(n, k, m) for n, k in ((8192, 1024), (8192, 1536), (4096, 2048), (4096, 8192),
                                 (8192, 768), (6144, 1024), (12288, 1024), (7168, 2048)) for m in (48, 64)]
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
        cells.append(f"{'RULE ' if c == rule else ''}{name(c)} {'/'.join(f'{t:.1f}' for t in times)} ({worst:.2f})")
    print(f"{n:>5}x{k:<5} M={m:<3} | " + "  ".join(cells), flush=True)
json.dump(rows, open(os.path.join(os.environ.get("OUT", "/tmp"), "exp48.json"), "w"), indent=1)
