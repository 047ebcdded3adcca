"""exp154: the decode kernel at M = 2-16 on large layers (issue 11: 0.54-0.77 of read bandwidth where M = 1 reaches
0.69-0.81), against launches of the load geometry exp153 found fastest: pointer loads (cp.async, 16-byte vectors)
of 256-512 bytes a row a step, instead of the rule's 64 x 128 TMA boxes (whose own load-only floor was ~10% slower).
Candidates: the tensor-core path by pointers with 2 or 4 scale blocks a step (32- or 64-row tiles, K split for
4-16 programs a SM, 2-3 stages), and the CUDA-core path (M rows a program, 16 or 32 rows, 512 bytes a row a step).
CUDA graphs, weights rotated, best of two rounds; every output checked against float64."""
import itertools
import sys

import torch
from fp8blk.bench.inputs import random_fp8_weight, float64_reference
from fp8blk.bench.timing import time_calls
import fp8blk.kernels  # noqa: F401
from fp8blk.kernels.fp8_decode import DecodeConfig
km = sys.modules["fp8blk.kernels.fp8_block_matmul"]
dev = torch.device("cuda", 0)
props = torch.cuda.get_device_properties(0)
l2, sms = props.L2_cache_size, props.multi_processor_count
LAYERS = [(65536, 1536), (7168, 16384), (18432, 7168), (32768, 1024), (4096, 8192)]
for n, k in LAYERS:
    copies = max(2, -(-2 * l2 // (n * k)))
    ws = [random_fp8_weight(n, k) for _ in range(copies)]
    for m in (2, 4, 8, 16):
        xs = [torch.randn(m, k, device="cuda").to(torch.bfloat16) for _ in range(copies)]
        ref = float64_reference(xs[0], *ws[0])
        rule = km.launch_config(m, n, k, dev)
        cands = {"rule": rule}
        for bn, subs, stages in itertools.product((32, 64), (2, 4), (2, 3)):
            if bn * subs * 128 * stages > 160 * 1024:
                continue
            for split in (1, 2, 4, 8):
                per_sm = n // bn * split / sms
                if 4 <= per_sm <= 16 and k // (128 * subs) >= 2 * split:
                    cands[f"mma bn{bn} subs{subs} s{stages} split{split}"] = DecodeConfig(bn, 16, 128, subs, split, True,
                                                                                         4, stages)
        if m <= 4:
            for bn in (16, 32):
                for split in (1, 2, 4, 8, 16):
                    per_sm = n // bn * split / sms
                    if 6 <= per_sm <= 16 and k // 512 >= 2 * split:
                        cands[f"fma bn{bn} split{split}"] = DecodeConfig(bn, m, 128, 4, split, False, 4, 2)
        times, errs = {}, {}
        for _ in range(2):
            for name, cfg in cands.items():
                call = lambda i, cfg=cfg: km.fp8_block_matmul(xs[i], *ws[i], config=cfg)
                try:
                    times.setdefault(name, []).append(time_calls(call, copies, graphs=True, reps=15)["median_us"])
                except Exception as exc:
                    times[name] = [float("inf")]
                    errs[name] = f"{type(exc).__name__}"
                    continue
                if name not in errs:
                    out = call(0).double()
                    errs[name] = f"{((out - ref).norm() / ref.norm()).item():.1e}"
        best = sorted((min(t), name) for name, t in times.items())
        r = min(times["rule"])
        print(f"{n}x{k} M={m}: rule {tuple(rule)[:9]} {r:.2f} us ({n * k / r / 1e3:.0f} GB/s) err {errs['rule']}; "
              f"best: " + " | ".join(f"{t:.2f} {name} ({r / t:.3f}x) err {errs[name]}" for t, name in best[:4]),
              flush=True)
    ws = xs = None
    torch.cuda.empty_cache()
