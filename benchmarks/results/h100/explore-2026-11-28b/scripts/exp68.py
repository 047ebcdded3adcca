"""exp68 (prepared for the next GPU session, not yet run): where rule v41 has no split-x launch or loses.
A: M = 128-512 where 64 x 64 split-x tiles exceed three per SM (the rule falls back to 128 x 64 or older tiles):
   8-warp 128 x 128 split-x tiles at 3 stages, 128 x 64 at 3, against the rule and cuBLAS.
B: M = 40-64 on 8-16 MB layers (the tile rule; the decode kernel lost there with 32-row tiles): the decode kernel's
   64-row tensor-core tiles, and split-x 64 x 64 tiles unsplit where they fill the SMs.
C: M = 40-64 where 64 x 64 split-x tiles number 0.75-2 per SM on short K (won 6-10% on 8192 x 1024 / 1536 in exp64,
   not adopted): the same on layers no rule was fitted on, unsplit and split 2.
Two alternating rounds, CUDA graphs, weights rotated over > 2x L2, float64 check first."""
import json
import os
import sys
import torch
from fp8blk.bench.inputs import random_fp8_weight, float64_reference
from fp8blk.bench.timing import time_calls
from fp8blk.kernels import fp8_block_matmul
from fp8blk.kernels.fp8_block_matmul import KernelConfig, choose_config
from fp8blk.kernels.fp8_decode import DecodeConfig

dev = torch.device("cuda", 0)
l2 = torch.cuda.get_device_properties(0).L2_cache_size
PART_A = [(7168, 16384, m) for m in (256, 384, 512)] + [(65536, 1536, m) for m in (128, 256, 512)] + \
         [(32768, 1024, m) for m in (128, 256, 512)] + [(4096, 8192, 512), (8192, 1024, 384), (18432, 7168, 256)]
PART_B = [(n, k, m) for n, k in ((2048, 4096), (4096, 2048), (1536, 7168), (8192, 1024), (8192, 1536))
          for m in (40, 48, 64)]
PART_C = [(n, k, m) for n, k in ((7168, 2048), (14336, 2048), (6144, 2048), (7168, 3072), (10240, 1024))
          for m in (48, 64)]


def sx(bn, bm, warps, stages, split=1):
    return KernelConfig(bn, bm, 128, split, warps, stages, tma=True, split_x=True)


def candidates(n, k, m, part):
    if part == "A":
        return {"rule": None, "sx128x128w8s3": sx(128, 128, 8, 3), "sx128x64w4s3": sx(128, 64, 4, 3),
                "sx128x128w8s4": sx(128, 128, 8, 4)}
    if part == "C":
        return {"rule": None, "sx64x64s4": sx(64, 64, 4, 4), "sx64x64s4k2": sx(64, 64, 4, 4, split=2)}
    return {"rule": None, "decode64rows": DecodeConfig(64, 64, 128, 1, 2, True, 4, 3),
            "decode64rows_split4": DecodeConfig(64, 64, 128, 1, 4, True, 4, 3), "sx64x64s4": sx(64, 64, 4, 4)}


def run(points, part):
    records = []
    for n, k, m in points:
        copies = max(2, -(-2 * l2 // (n * k)))
        ws = [random_fp8_weight(n, k) for _ in range(copies)]
        dense0 = (ws[0][0].float() * ws[0][1].float().repeat_interleave(128, 0)[:n].repeat_interleave(128, 1)[:, :k]).to(torch.bfloat16)
        dense = [dense0] + [dense0.clone() for _ in range(copies - 1)]
        xs = [torch.randn(m, k, device="cuda").to(torch.bfloat16) for _ in range(copies)]
        ref = float64_reference(xs[0], *ws[0])
        cands = candidates(n, k, m, part)
        for name, cfg in list(cands.items()):
            try:
                y = fp8_block_matmul(xs[0], *ws[0], config=cfg)
                if not ((y.double() - ref).norm() / ref.norm()).item() < 4e-3:
                    print("  bad", name); del cands[name]
            except Exception as exc:
                print("  skip", name, type(exc).__name__, str(exc)[:80]); del cands[name]
        times = {name: [] for name in list(cands) + ["cublas"]}
        for rnd in range(2):
            for name in (list(times) if rnd == 0 else list(times)[::-1]):
                call = (lambda i, xs=xs, dense=dense: torch.mm(xs[i], dense[i].T)) if name == "cublas" else \
                       (lambda i, xs=xs, ws=ws, cfg=cands[name]: fp8_block_matmul(xs[i], *ws[i], config=cfg))
                times[name].append(time_calls(call, copies, graphs=True)["median_us"])
        best = {name: min(t) for name, t in times.items()}
        rule = str(tuple(choose_config(m, n, k, 1, 128, dev, tma=True)))
        records.append(dict(n=n, k=k, m=m, rule=rule, best=best, times=times))
        print(f"{n}x{k} M={m}: " + " ".join(f"{a} {t:.1f}" for a, t in best.items()) + f"   rule={rule}", flush=True)
        del ws, dense, dense0, xs
        torch.cuda.empty_cache()
    return records


out = os.environ.get("OUT", "/tmp")
result = {}
for part in (sys.argv[1] if len(sys.argv) > 1 else "ABC"):
    result[part] = run({"A": PART_A, "B": PART_B, "C": PART_C}[part], part)
    json.dump(result, open(os.path.join(out, "exp68.json"), "w"), indent=1)
