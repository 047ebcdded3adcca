"""exp105: the serving kernel (both builds, K split 1-8) on layers whose 128-row tiles are too few for the rule
(small N x K, M = 96-512): every candidate launch timed against the rule's launch and cuBLAS bf16 (CUDA graphs,
weights rotated over > 2x L2); the best two candidates re-timed alternating with the rule and cuBLAS."""
import json
import os
import sys
import time

import torch
import torch.nn.functional as F
from fp8blk.bench.inputs import random_fp8_weight, float64_reference
from fp8blk.bench.timing import time_calls
import fp8blk.kernels  # noqa: F401
from fp8blk.kernels import KernelConfig
km = sys.modules["fp8blk.kernels.fp8_block_matmul"]
dev = torch.device("cuda", 0)
l2 = torch.cuda.get_device_properties(0).L2_cache_size
SMS = torch.cuda.get_device_properties(0).multi_processor_count
T0 = time.time()
LIMIT = float(sys.argv[1]) if len(sys.argv) > 1 else 400

POINTS = [(1024, 4096, m) for m in (96, 128, 192, 256, 384, 512)] + \
    [(512, 4096, m) for m in (128, 256, 512)] + [(2048, 4096, m) for m in (96, 128, 192, 256, 384)] + \
    [(4096, 4096, m) for m in (128, 256)] + [(4096, 2048, m) for m in (96, 128, 192, 384)] + \
    [(8192, 1024, m) for m in (96, 192, 384)] + [(32768, 1024, m) for m in (192, 256, 384, 512)] + \
    [(4096, 8192, m) for m in (128, 192, 384)] + [(1536, 7168, m) for m in (128, 256, 512)] + \
    [(512, 7168, 256), (8192, 1536, 192), (8192, 1536, 384), (3072, 7168, 128), (3072, 7168, 256),
     (6144, 7168, 128), (6144, 7168, 256), (7168, 3072, 128), (7168, 3072, 256), (7168, 3072, 384),
     (2816, 5120, 200), (5120, 2816, 320), (1280, 5120, 160)]


def candidates(m, n, k):
    k_tiles = -(-k // 128)
    out = []
    for bm in (64, 128):
        for split in (1, 2, 3, 4, 6, 8):
            per = -(-k_tiles // split)
            tiles = -(-n // 128) * -(-m // bm)
            if per < 2 or (split - 1) * per >= k_tiles or tiles * split > 3 * SMS:
                continue
            out.append(KernelConfig(128, bm, 128, split, 4, 4 if bm == 128 else 3, tma=True, split_x=True,
                                    warp_specialized=True))
    return out


def name(c):
    return f"{'serve' if c.warp_specialized else c.block_n}x{c.block_m}s{c.split_k}" if c is not None else "rule"


records = []
START = int(os.environ.get("START", "0"))
for n, k, m in POINTS[START:]:
    if not candidates(m, n, k):
        continue
    if time.time() - T0 > LIMIT:
        print("time limit: stopped before", n, k, m, flush=True)
        break
    copies = max(2, -(-2 * l2 // (n * k)))
    ws = [random_fp8_weight(n, k) for _ in range(copies)]
    xs = [torch.randn(m, k, device="cuda").to(torch.bfloat16) for _ in range(copies)]
    wb = [(w.float() * s.repeat_interleave(128, 0)[:n].repeat_interleave(128, 1)[:, :k]).to(torch.bfloat16)
          for w, s in ws[:max(2, -(-2 * l2 // (2 * n * k)))]]
    rule = km.launch_config(m, n, k, dev)
    ref = float64_reference(xs[0], *ws[0])
    y_rule = km.fp8_block_matmul(xs[0], *ws[0])
    t = {}

    def run(cfg, rounds=1):
        fn = (lambda i: F.linear(xs[i], wb[i % len(wb)])) if cfg == "cublas" else \
            (lambda i: km.fp8_block_matmul(xs[i], *ws[i], config=cfg))
        t.setdefault(name(cfg) if cfg != "cublas" else "cublas", []).append(
            time_calls(fn, copies, graphs=True)["median_us"])

    run(None)
    run("cublas")
    errs = {}
    for c in candidates(m, n, k):
        y = km.fp8_block_matmul(xs[0], *ws[0], config=c)
        errs[name(c)] = ((y.double() - ref).norm() / ref.norm()).item()
        run(c)
    best = sorted((v[0], key) for key, v in t.items() if key.startswith("serve"))[:2]
    by_name = {name(c): c for c in candidates(m, n, k)}
    for _ in range(2):
        run(None)
        run("cublas")
        for _, key in best:
            run(by_name[key])
    mins = {key: min(v) for key, v in t.items()}
    top = min((v, key) for key, v in mins.items() if key.startswith("serve"))
    records.append(dict(n=n, k=k, m=m, rule=tuple(rule), times=t, errs=errs))
    print(f"{n}x{k} M={m} rule {rule.block_n}x{rule.block_m}s{rule.split_k}{'ws' if rule.warp_specialized else ''}"
          f"{'sx' if rule.split_x else ''}{'E' if rule.expand_weight else ''} {mins['rule']:.1f} | cublas "
          f"{mins['cublas']:.1f} | best {top[1]} {top[0]:.1f} (x{mins['rule'] / top[0]:.2f} rule, "
          f"x{mins['cublas'] / top[0]:.2f} cublas) | " + " ".join(f"{key}:{v:.1f}" for key, v in sorted(mins.items())
                                                               if key.startswith("serve")), flush=True)
    json.dump(records, open(os.path.join(os.environ.get("OUT", "/tmp"), "exp105.json"), "w"), indent=1)
    ws = xs = wb = None
    torch.cuda.empty_cache()
print(f"done {len(records)} points in {time.time() - T0:.0f} s")
