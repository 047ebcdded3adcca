"""exp17: Gluon prototype v2 (gl17.py: split-K with the ordered reduction, separate weight/x rings) vs the library's
tile rule and cuBLAS bf16, M = 64-512; correctness against float64 first."""
import os
import sys
os.environ["FP8BLK_CONFIG_TABLE"] = "0"
import torch
import triton
import torch.nn.functional as F
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gl17
from fp8blk.kernels import fp8_block_matmul
from fp8blk.bench.timing import time_calls, rotation_count

torch.manual_seed(0)
L2 = torch.cuda.get_device_properties(0).L2_cache_size


def make(n, k, copies=1):
    return [((torch.randn(n, k, device="cuda") * 0.5).to(torch.float8_e4m3fn),
             torch.rand(triton.cdiv(n, 128), triton.cdiv(k, 128), device="cuda") * 1e-2 + 1e-3) for _ in range(copies)]


def reference(x, w, s):
    n, k = w.shape
    wd = w.double() * s.double().repeat_interleave(128, 0)[:n].repeat_interleave(128, 1)[:, :k]
    return x.double() @ wd.T


def rel(a, b):
    return ((a.double() - b).norm() / b.norm()).item()


CONFIGS = {"P": (128, 128, 64, 4, 4, 8), "Q": (256, 128, 64, 4, 4, 8), "R": (256, 64, 64, 4, 4, 8),
           "S": (128, 64, 64, 6, 4, 4), "T": (64, 64, 64, 6, 4, 4)}
SPLITS = (1, 2, 4)

print("== correctness (rel. error vs float64; repeat bitwise)", flush=True)
for n, k, m in ((4096, 4096, 256), (300, 528, 130), (1000, 1040, 77), (2048, 7168, 512)):
    (w, s), = make(n, k)
    x = torch.randn(m, k, device="cuda", dtype=torch.bfloat16)
    ref = reference(x, w, s)
    errs = [f"lib={rel(fp8_block_matmul(x, w, s), ref):.2e}"]
    for name, (bn, bm, bk, ws_, xs_, nw) in CONFIGS.items():
        for split in SPLITS:
            out = torch.full((m, n), float("nan"), device="cuda", dtype=torch.bfloat16)
            out2 = torch.full((m, n), float("nan"), device="cuda", dtype=torch.bfloat16)
            gl17.launch(x, w, s, out, bn, bm, bk, ws_, xs_, split, nw)
            gl17.launch(x, w, s, out2, bn, bm, bk, ws_, xs_, split, nw)
            torch.cuda.synchronize()
            errs.append(f"{name}{split}={rel(out, ref):.2e}{'' if torch.equal(out, out2) else '!NONDET'}")
    print(f"{n}x{k} M={m}: " + " ".join(errs), flush=True)

print("== timing (CUDA graphs, rotated weights), us; gl entries: best split in brackets", flush=True)
SHAPES = ((4096, 8192), (7168, 16384), (32768, 1024), (3072, 7168), (2048, 4096), (65536, 1536), (8192, 1024), (1024, 4096))
for n, k in SHAPES:
    copies = rotation_count(n * k, L2)
    ws = make(n, k, copies)
    dcopies = rotation_count(2 * n * k, L2)
    dense = [torch.randn(n, k, device="cuda", dtype=torch.bfloat16) for _ in range(dcopies)]
    for m in (64, 128, 256, 512):
        xs = [torch.randn(m, k, device="cuda", dtype=torch.bfloat16) for _ in range(max(copies, dcopies))]
        outs = [torch.empty(m, n, device="cuda", dtype=torch.bfloat16) for _ in range(copies)]
        res = {}
        res["cublas"] = (time_calls(lambda i: F.linear(xs[i], dense[i]), dcopies, graphs=True)["median_us"], 0)
        res["lib"] = (time_calls(lambda i: fp8_block_matmul(xs[i], ws[i][0], ws[i][1]), copies, graphs=True)["median_us"], 0)
        for name, (bn, bm, bk, ws_, xs_, nw) in CONFIGS.items():
            best = None
            for split in SPLITS:
                t = time_calls(lambda i: gl17.launch(xs[i], ws[i][0], ws[i][1], outs[i], bn, bm, bk, ws_, xs_, split, nw),
                               copies, graphs=True)["median_us"]
                best = min(best or (t, split), (t, split))
            res[name] = best
        g = min((v[0], t) for t, v in res.items() if t in CONFIGS)
        print(f"{n:5d}x{k:5d} M={m:3d} cublas={res['cublas'][0]:.1f} lib={res['lib'][0]:.1f} "
              + " ".join(f"{t}={v[0]:.1f}[{v[1]}]" for t, v in res.items() if t in CONFIGS)
              + f" | gl best {g[1]} {res['cublas'][0] / g[0]:.2f}x cublas; lib {res['cublas'][0] / res['lib'][0]:.2f}x",
              flush=True)
    del ws, dense
