"""exp27 (next session): exp24's candidate wins, repeated in three rounds of alternating order so a result counts only
if it holds in all three (exp24's 512x7168 / 576x7168 split-16 rows did not reproduce in exp26 or the harness).
Per point: the rule, the candidates; prints each config's three medians and its worst-round ratio to the rule."""
import torch
from fp8blk.kernels.fp8_block_matmul import KernelConfig, default_config, time_configs

props = torch.cuda.get_device_properties(0)
sms, l2, shared = props.multi_processor_count, props.L2_cache_size, props.shared_memory_per_block_optin
EXPAND = KernelConfig(64, 1, 128, 1, 4, 1, expand_weight=True)


def tile(bn, bm, bk, split, warps, stages):
    return KernelConfig(bn, bm, bk, split, warps, stages, True, tma=True)


def name(c):
    return "expand" if c.expand_weight else f"{c.block_n}x{c.block_m}w{c.num_warps}s{c.split_k}st{c.num_stages}"


POINTS = [  # (N, K, M, candidates)
    *[(2048, 4096, m, [tile(128, 128, 128, 4, 8, 3), tile(64, 128, 64, 4, 4, 4)]) for m in (96, 128)],
    *[(4096, 2048, m, [tile(64, 128, 64, s, 4, 4) for s in (1, 2, 4)]) for m in (96, 128)],
    (2048, 7168, 256, [tile(64, 128, 64, 4, 4, 4), tile(128, 128, 128, 4, 8, 3), EXPAND, tile(64, 64, 128, 2, 4, 3)]),
    # the 4-warp rule's split 4 on 128 tiles makes 512 programs for 396 places (2048x4096 M=256 27.8 us > M=384 26.4):
    # split 2 (256 programs), as the 8-warp rule would keep the split programs within the places
    (2048, 4096, 256, [tile(64, 64, 128, 2, 4, 3)]),
    (3072, 7168, 192, [tile(64, 64, 128, 2, 4, 3)]),  # 144 tiles: split 4 = 576 programs, split 2 = 288
    *[(n, k, m, [EXPAND, tile(64, 128, 64, 4, 4, 4)]) for n, k in ((2048, 4096), (4096, 2048), (1024, 4096),
                                                                     (512, 4096), (1536, 7168)) for m in (192, 256)],
    *[(n, 7168, m, [tile(64, 64, 128, s, 4, 3) for s in (4, 8, 16)]) for n in (512, 576) for m in (48, 96)],
]

for n, k, m, candidates in POINTS:
    rule = default_config(m, n, k, 1, 128, sms, tma=True, shared_memory=shared)
    options = list(dict.fromkeys([rule] + candidates))
    rounds = []
    for order in (options, options[::-1], options[1:] + options[:1]):
        timed = time_configs(n, k, m, order, l2, log=lambda line: print("   ", line, flush=True))
        rounds.append({c: us for us, c in timed})
    base = [r.get(rule, float("nan")) for r in rounds]
    cells = []
    for c in options:
        times = [r.get(c, float("nan")) for r in rounds]
        worst = max(t / b for t, b in zip(times, base))
        cells.append(f"{name(c)} {'/'.join(f'{t:.1f}' for t in times)} ({worst:.2f})")
    print(f"{n:>5}x{k:<5} M={m:<3} rule {name(rule)} | " + "  ".join(cells), flush=True)
