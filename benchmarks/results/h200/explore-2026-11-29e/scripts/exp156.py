"""exp156: a candidate rule for M = 33-64 on layers past the small-layer bound (> 6.3 MB on 132 SMs), checked on
layers exp155 did not time: the decode kernel's 64-row TMA tiles (x tile 64 rows), K split to the largest power of
two that keeps the programs within one a SM, then further until a program streams at most 16 K-steps (at most 16
ways), 3 stages -- against the rule's tile-kernel launch (fitted from exp155: 1536 x 7168, 2048 x 4096, 4096 x 2048,
8192 x 1024, 2880 x 2880 at M = 48 / 64 1.04-1.23x). Also the same at 2 and 4 stages. CUDA graphs, weights rotated,
best of two rounds (alternating); every output checked against float64."""
import sys

import torch
import triton
from fp8blk.bench.inputs import random_fp8_weight, float64_reference
from fp8blk.bench.timing import time_calls
import fp8blk.kernels  # noqa: F401
from fp8blk.kernels.fp8_decode import DecodeConfig
km = sys.modules["fp8blk.kernels.fp8_block_matmul"]
dev = torch.device("cuda", 0)
props = torch.cuda.get_device_properties(0)
l2, sms = props.L2_cache_size, props.multi_processor_count


def candidate(n, k, stages=3):
    tiles, steps, split = triton.cdiv(n, 64), triton.cdiv(k, 128), 1
    while split < 16 and tiles * split * 2 <= sms:
        split *= 2
    while split < 16 and triton.cdiv(steps, split) > 16:
        split *= 2
    return DecodeConfig(64, 64, 128, 1, split, True, 4, stages, tma=True)


LAYERS = [(1536, 4096), (2560, 4096), (3584, 2048), (6144, 1024), (4608, 3072), (2048, 7168), (7168, 2048),
          (5120, 2048), (1280, 8192), (3840, 3072), (7168, 1536), (10240, 1024), (4096, 4096), (7168, 3072),
          (4096, 8192), (16384, 2048), (6144, 5120)]
wins = []
for n, k in LAYERS:
    copies = max(2, -(-2 * l2 // (n * k)))
    ws = [random_fp8_weight(n, k) for _ in range(copies)]
    for m in (40, 48, 56, 64):
        xs = [torch.randn(m, k, device="cuda").to(torch.bfloat16) for _ in range(copies)]
        ref = float64_reference(xs[0], *ws[0])
        rule = km.launch_config(m, n, k, dev)
        cands = {"rule": rule, "cand": candidate(n, k), "cand_s2": candidate(n, k, 2), "cand_s4": candidate(n, k, 4)}
        times, errs = {}, {}
        for _ in range(2):
            for name, cfg in cands.items():
                call = lambda i, cfg=cfg: km.fp8_block_matmul(xs[i], *ws[i], config=cfg)
                if errs.get(name, "").startswith("!"):
                    continue
                try:
                    times.setdefault(name, []).append(time_calls(call, copies, graphs=True, reps=20)["median_us"])
                    out = call(0).double()
                    errs[name] = f"{((out - ref).norm() / ref.norm()).item():.1e}"
                except Exception as exc:
                    times[name] = [float("inf")]
                    errs[name] = f"!{type(exc).__name__}"
        t = {name: min(v) for name, v in times.items()}
        wins.append(t["rule"] / t["cand"])
        print(f"{n}x{k} ({n * k / 1e6:.1f} MB) M={m}: rule {tuple(rule)[:9]} {t['rule']:.2f} | cand split "
              f"{cands['cand'].split_k} {t['cand']:.2f} ({t['rule'] / t['cand']:.3f}x) s2 {t['cand_s2']:.2f} s4 "
              f"{t['cand_s4']:.2f} | errs " + " ".join(errs.values()), flush=True)
    ws = xs = None
    torch.cuda.empty_cache()
print(f"cand / rule speed: {sum(w > 1.0 for w in wins)} of {len(wins)} faster, range {min(wins):.3f}-{max(wins):.3f}")
