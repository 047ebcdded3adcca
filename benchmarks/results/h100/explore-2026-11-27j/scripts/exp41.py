"""exp41 (rule v38 candidate): the old rule (HEAD 471961c, .gpu/old_fp8_tile.py) against the new default_config at
M = 160-256 where they differ, on fitted (exp40) and unseen layers; stage depth of the 64 x 128 launches; three rounds
in rotated order. Per config its three medians and its worst-round ratio to the old rule."""
import json, os, sys
import torch
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from old_fp8_tile import default_config as old_rule
from fp8blk.kernels.fp8_block_matmul import KernelConfig, default_config, time_configs

props = torch.cuda.get_device_properties(0)
sms, l2, shared = props.multi_processor_count, props.L2_cache_size, props.shared_memory_per_block_optin


def tile(bn, bm, bk, split, warps, stages):
    return KernelConfig(bn, bm, bk, split, warps, stages, True, tma=True)


def name(c):
    return "expand" if c.expand_weight else f"{c.block_n}x{c.block_m}w{c.num_warps}s{c.split_k}st{c.num_stages}"


POINTS = [(2048, 4096, 256), (2048, 7168, 256), (4096, 2048, 160), (4096, 2048, 192), (4096, 2048, 256),
          (4096, 1536, 192), (4096, 1536, 256), (3072, 4096, 192), (2560, 4096, 192), (2560, 4096, 256),
          (2048, 5632, 256), (3072, 7168, 192),
          # narrow one-per-SM launches (rule v37, unchanged): deeper pipelines?
          (4096, 2048, 128), (8192, 1024, 128), (8192, 1536, 128), (7168, 2048, 96)]
EXTRA = {(3072, 7168, 192): [tile(64, 64, 128, 2, 4, 3), tile(64, 128, 64, 2, 4, 4), tile(64, 128, 64, 4, 4, 4)]}

rows = []
for n, k, m in POINTS:
    old = old_rule(m, n, k, 1, 128, sms, tma=True, shared_memory=shared)
    new = default_config(m, n, k, 1, 128, sms, tma=True, shared_memory=shared)
    options = [old, new]
    if new.block_n == 64 and new.block_m == 128 and new.num_warps == 4:
        options += [new._replace(num_stages=s) for s in ((5,) if new.split_k > 1 or m > 128 else (6, 8))]
    if new.block_n == 64 and new.block_m == 128 and new.num_warps == 8:
        options += [new._replace(num_stages=4)]
    options = list(dict.fromkeys(options + EXTRA.get((n, k, m), [])))
    rounds = []
    for order in (options, options[::-1], options[1:] + options[:1]):
        timed = time_configs(n, k, m, order, l2, log=lambda line: print("   ", line, flush=True))
        rounds.append({c: us for us, c in timed})
    base = [r.get(old, float("nan")) for r in rounds]
    cells = []
    for c in options:
        times = [r.get(c, float("nan")) for r in rounds]
        worst = max(t / b for t, b in zip(times, base))
        rows.append({"N": n, "K": k, "M": m, "config": list(c), "old_rule": c == old, "new_rule": c == new,
                     "us": times, "worst_vs_old": worst})
        tag = "NEW " if c == new else ("OLD " if c == old else "")
        cells.append(f"{tag}{name(c)} {'/'.join(f'{t:.1f}' for t in times)} ({worst:.2f})")
    print(f"{n:>5}x{k:<5} M={m:<3} | " + "  ".join(cells), flush=True)
json.dump(rows, open(os.path.join(os.environ.get("OUT", "/tmp"), "exp41.json"), "w"), indent=1)
