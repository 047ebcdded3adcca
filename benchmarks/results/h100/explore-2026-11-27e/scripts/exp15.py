"""exp15: Gluon wgmma kernel (gl15.py: both operands from shared memory, conversion overlapped with the MMA) vs the
library's tile rule and cuBLAS bf16, M = 128-512; correctness against float64 first (ragged shapes too)."""
import os
import sys
os.environ["FP8BLK_CONFIG_TABLE"] = "0"
import torch
import triton
import torch.nn.functional as F
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gl15
from fp8blk.kernels import fp8_block_matmul
from fp8blk.bench.timing import time_calls, rotation_count

torch.manual_seed(0)
L2 = torch.cuda.get_device_properties(0).L2_cache_size


def make(n, k, copies=1):
    out = []
    for _ in range(copies):
        w = (torch.randn(n, k, device="cuda") * 0.5).to(torch.float8_e4m3fn)
        s = torch.rand(triton.cdiv(n, 128), triton.cdiv(k, 128), device="cuda") * 1e-2 + 1e-3
        out.append((w, s))
    return out


def reference(x, w, s):
    n, k = w.shape
    wd = w.double() * s.double().repeat_interleave(128, 0)[:n].repeat_interleave(128, 1)[:, :k]
    return x.double() @ wd.T


def rel(a, b):
    return ((a.double() - b).norm() / b.norm()).item()


CONFIGS = {"A128x128k64s4": (128, 128, 64, 4, 8), "B128x64k64s5": (128, 64, 64, 5, 8), "C64x128k64s4": (64, 128, 64, 4, 4),
           "D128x256k64s3": (128, 256, 64, 3, 8), "E64x64k64s6": (64, 64, 64, 6, 4), "F128x128k128s3": (128, 128, 128, 3, 8)}

print("== correctness (rel. error vs float64; library's for comparison)", flush=True)
for n, k, m in ((4096, 4096, 256), (300, 528, 130), (1000, 1040, 77), (2048, 7168, 512)):
    (w, s), = make(n, k)
    x = torch.randn(m, k, device="cuda", dtype=torch.bfloat16)
    ref = reference(x, w, s)
    lib = rel(fp8_block_matmul(x, w, s), ref)
    errs = []
    for name, (bn, bm, bk, st, nw) in CONFIGS.items():
        try:
            out = torch.full((m, n), float("nan"), device="cuda", dtype=torch.bfloat16)
            gl15.launch(x, w, s, out, bn, bm, bk, st, nw)
            torch.cuda.synchronize()
            errs.append(f"{name}={rel(out, ref):.2e}")
        except Exception as e:  # noqa
            errs.append(f"{name}=ERR {type(e).__name__}: {str(e)[:200]}")
    print(f"{n}x{k} M={m}: lib={lib:.2e} " + " ".join(errs), flush=True)

print("== timing (CUDA graphs, rotated weights), us", flush=True)
SHAPES = ((4096, 8192), (7168, 16384), (32768, 1024), (3072, 7168), (2048, 4096), (1024, 4096), (65536, 1536), (8192, 1024))
for n, k in SHAPES:
    copies = rotation_count(n * k, L2)
    ws = make(n, k, copies)
    dense = [(w.float() * s.repeat_interleave(128, 0)[:n].repeat_interleave(128, 1)[:, :k]).to(torch.bfloat16) for w, s in ws[:1]]
    dcopies = rotation_count(2 * n * k, L2)
    dense = dense * 1 + [torch.randn(n, k, device="cuda", dtype=torch.bfloat16) for _ in range(dcopies - 1)]
    for m in (128, 192, 256, 384, 512):
        xs = [torch.randn(m, k, device="cuda", dtype=torch.bfloat16) for _ in range(max(copies, dcopies))]
        outs = [torch.empty(m, n, device="cuda", dtype=torch.bfloat16) for _ in range(copies)]
        res = {}
        res["cublas"] = time_calls(lambda i: F.linear(xs[i], dense[i]), dcopies, graphs=True)["median_us"]
        res["lib"] = time_calls(lambda i: fp8_block_matmul(xs[i], ws[i][0], ws[i][1]), copies, graphs=True)["median_us"]
        for name, (bn, bm, bk, st, nw) in CONFIGS.items():
            try:
                res[name[:1]] = time_calls(lambda i: gl15.launch(xs[i], ws[i][0], ws[i][1], outs[i], bn, bm, bk, st, nw),
                                           copies, graphs=True)["median_us"]
            except Exception as e:  # noqa
                res[name[:1]] = float("nan")
        best = min((v, t) for t, v in res.items() if t not in ("cublas", "lib") and v == v)
        print(f"{n:5d}x{k:5d} M={m:3d} cublas={res['cublas']:.1f} lib={res['lib']:.1f} "
              + " ".join(f"{t}={v:.1f}" for t, v in res.items() if t not in ("cublas", "lib"))
              + f" | best {best[1]} {res['cublas'] / best[0]:.2f}x cublas (lib {res['cublas'] / res['lib']:.2f}x)", flush=True)
    del ws, dense
