"""exp70: rule v42 against v41 on layers no rule was fitted on (DeepSeek-V3 and other LLM shapes), at the points where
the two rules differ (split-x 128 x 128 8-warp tiles on long K at M > three 64 x 64 tiles per SM; split-x 64 x 64 at
M = 33-64). v41 = the same code with the two new branches switched off. Two alternating rounds, CUDA graphs, weights
rotated over > 2x L2, float64 check first."""
import json
import os
import sys
import torch
import fp8blk.kernels.fp8_tile as tile
from fp8blk.bench.inputs import random_fp8_weight, float64_reference
from fp8blk.bench.timing import time_calls
from fp8blk.kernels import fp8_block_matmul

SHAPES = [(6144, 4096), (9216, 7168), (8704, 4096), (4352, 8192), (5120, 13824), (7168, 16384), (10752, 5120)] \
    if os.environ.get("WAVES") else [(18432, 7168), (7168, 18432), (7168, 2048), (11008, 4096), (4096, 14336), (5120, 13824), (13824, 5120),
          (28672, 4096), (6144, 4096), (10240, 2560), (5120, 3072)]
MS = (256, 384, 512) if os.environ.get("WAVES") else (48, 64, 256, 384, 512)
props = torch.cuda.get_device_properties(0)
sms, l2 = props.multi_processor_count, props.L2_cache_size
shared = 232448


def rules(m, n, k):
    new = tile.default_config(m, n, k, 1, 128, sms, tma=True, shared_memory=shared, split_x=True)
    long_k, short_k = tile.SPLIT_X_LONG_K_TILES, tile.SPLIT_X_SHORT_K_TILES
    tile.SPLIT_X_LONG_K_TILES, tile.SPLIT_X_SHORT_K_TILES = 10 ** 9, -1
    old = tile.default_config(m, n, k, 1, 128, sms, tma=True, shared_memory=shared, split_x=True)
    tile.SPLIT_X_LONG_K_TILES, tile.SPLIT_X_SHORT_K_TILES = long_k, short_k
    return old, new


points = [(n, k, m) for n, k in SHAPES for m in MS if rules(m, n, k)[0] != rules(m, n, k)[1]]
if len(sys.argv) > 1 and sys.argv[1] == "list":
    for p in points:
        print(p, *(tuple(c)[:6] for c in rules(p[2], p[0], p[1])))
    sys.exit()
records = []
for n, k, m in points:
    old, new = rules(m, n, k)
    copies = max(2, -(-2 * l2 // (n * k)))
    ws = [random_fp8_weight(n, k) for _ in range(copies)]
    xs = [torch.randn(m, k, device="cuda").to(torch.bfloat16) for _ in range(copies)]
    ref = float64_reference(xs[0], *ws[0])
    ok = {}
    for name, cfg in (("v41", old), ("v42", new)):
        y = fp8_block_matmul(xs[0], *ws[0], config=cfg)
        ok[name] = ((y.double() - ref).norm() / ref.norm()).item()
    times = {"v41": [], "v42": []}
    for rnd in range(2):
        for name in (("v41", "v42") if rnd == 0 else ("v42", "v41")):
            cfg = old if name == "v41" else new
            times[name].append(time_calls(lambda i, cfg=cfg: fp8_block_matmul(xs[i], *ws[i], config=cfg), copies,
                                          graphs=True)["median_us"])
    best = {name: min(t) for name, t in times.items()}
    records.append(dict(n=n, k=k, m=m, v41=tuple(old), v42=tuple(new), times=times, rel_err=ok))
    print(f"{n}x{k} M={m}: v41 {best['v41']:.1f} v42 {best['v42']:.1f} us ({best['v42'] / best['v41']:.2f}x) "
          f"err {max(ok.values()):.1e}  v41={tuple(old)[:6]}", flush=True)
    del ws, xs
    torch.cuda.empty_cache()
    json.dump(records, open(os.path.join(os.environ.get("OUT", "/tmp"), "exp70.json"), "w"), indent=1)
