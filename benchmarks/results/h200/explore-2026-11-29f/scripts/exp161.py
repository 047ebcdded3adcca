"""exp161: why m1_pieces.patch lost on the deep-stream layers (exp160: 4096x8192 0.91x, 7168x16384 0.93x), and
which launch takes it past v67 there. Offline ptxas: the patch's build of the deep stream (32 rows x 4 scale
blocks, 4 warps: 128 weights a thread) takes 109 registers (v67's 61), so 4 programs a SM fit where the launch has
7.75: two rounds. Builds with 64 weights a thread take 56-64. Both kernel trees in one process (v67 as installed,
the patch's as package `pk`), alternating rounds, CUDA graphs, weights rotated; M = 1 (and 2 on the CUDA-core
layers), the rules' launches and candidates."""
import json
import os
import sys

import torch
from fp8blk.bench.inputs import random_fp8_weight, float64_reference
from fp8blk.bench.timing import time_calls
import fp8blk.kernels  # noqa: F401
sys.path.insert(0, "/tmp/pk_pkg")
import pk  # noqa: E402,F401
pkm = sys.modules["pk.fp8_block_matmul"]
km = sys.modules["fp8blk.kernels.fp8_block_matmul"]
dev = torch.device("cuda", 0)
l2 = torch.cuda.get_device_properties(0).L2_cache_size
sms = torch.cuda.get_device_properties(0).multi_processor_count
DEEP = [(4096, 8192), (7168, 16384), (4096, 4096), (3584, 8192), (7168, 12288), (2048, 16384), (5120, 6144)]
OTHER = [(32768, 1024), (2048, 4096), (1024, 4096), (512, 4096), (8192, 1024), (4096, 2048), (1536, 7168),
         (2880, 2880), (65536, 1536), (18432, 7168), (17408, 5120), (512, 7168), (1536, 4096)]


def candidates(rule, n, k):
    """Launches to time beside the rule's (same K-tiling family)."""
    out = {}
    if rule.use_mma:
        return out
    if rule.block_n * rule.subs * rule.sub_k // (rule.num_warps * 32) > 64:  # 128 weights a thread
        out["w8_split/2_s3"] = rule._replace(num_warps=8, split_k=max(1, rule.split_k // 2), num_stages=3)
        out["subs/2_s3"] = rule._replace(subs=rule.subs // 2, num_stages=3)
        out["rows/2_split/2_s3"] = rule._replace(block_n=rule.block_n // 2, split_k=max(1, rule.split_k // 2),
                                                 num_stages=3)
        out["subs/2_s2"] = rule._replace(subs=rule.subs // 2)
    if rule.block_n == 1 and rule.subs >= 16:
        out["w2"] = rule._replace(num_warps=2)
        out["rows2_subs/2"] = rule._replace(block_n=2, subs=rule.subs // 2)
    return out


res = []
for shapes, ms in ((DEEP, (1,)), (OTHER, (1, 2))):
    for n, k in shapes:
        copies = max(2, -(-2 * l2 // (n * k)))
        ws = [random_fp8_weight(n, k) for _ in range(copies)]
        for m in ms:
            rule = km.launch_config(m, n, k, dev)
            if rule.use_mma:
                continue
            prule = pkm.launch_config(m, n, k, dev)
            xs = [torch.randn(m, k, device="cuda").to(torch.bfloat16) for _ in range(copies)]
            ref = float64_reference(xs[0], *ws[0])
            calls = {"v67": (km, None), "pieces": (pkm, None)}
            for name, cfg in candidates(prule, n, k).items():
                calls["pieces_" + name] = (pkm, cfg)
                calls["v67_" + name] = (km, sys.modules["fp8blk.kernels.fp8_decode"].DecodeConfig(*cfg))
            times, errs = {}, {}
            for _ in range(3):
                for name, (mod, cfg) in calls.items():
                    call = lambda i, mod=mod, cfg=cfg: mod.fp8_block_matmul(xs[i], *ws[i], config=cfg)
                    try:
                        t = time_calls(call, copies, graphs=True)["median_us"]
                    except Exception as e:  # noqa: BLE001
                        print(f"  {name} failed: {type(e).__name__}: {str(e)[:120]}", flush=True)
                        t = float("nan")
                    times.setdefault(name, []).append(t)
                    if name not in errs and t == t:
                        errs[name] = ((call(0).double() - ref).norm() / ref.norm()).item()
            best = {name: min(v) for name, v in times.items()}
            row = dict(n=n, k=k, m=m, rule=list(rule), prule=list(prule), us=best, err=errs,
                       configs={name: list(cfg) for name, (_, cfg) in calls.items() if cfg is not None})
            res.append(row)
            base = best["v67"]
            print(f"{n}x{k} M={m} rule {tuple(rule)[:5]} st{rule.num_stages}: " + " ".join(
                f"{name} {t:.2f}({base / t:.3f})" for name, t in best.items()) + f" maxerr {max(errs.values()):.1e}",
                flush=True)
        ws = xs = None
        torch.cuda.empty_cache()
json.dump(res, open(os.path.join(os.environ.get("OUT", "/tmp"), "exp161.json"), "w"), indent=1)
