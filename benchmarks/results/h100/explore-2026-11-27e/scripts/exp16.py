"""exp16: Gluon prototype with the scale prefetched and programs m-fastest; the library tile kernel with programs
m-fastest (variant vark/fp8_tile_mfast.py) vs as is; cuBLAS bf16. M = 64-512."""
import importlib
import os
import sys
os.environ["FP8BLK_CONFIG_TABLE"] = "0"
import torch
import triton
import torch.nn.functional as F
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "vark"))
import gl15
import fp8_tile_mfast
from fp8blk.kernels import fp8_block_matmul
from fp8blk.bench.timing import time_calls, rotation_count
fbm = importlib.import_module("fp8blk.kernels.fp8_block_matmul")
BASE = fbm._fp8_block_matmul_kernel

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


def use(kernel):
    fbm._fp8_block_matmul_kernel = kernel
    fbm._launch_plan.cache_clear()


CONFIGS = {"A": (128, 128, 64, 4, 8), "A3": (128, 128, 64, 3, 8), "C": (64, 128, 64, 4, 4), "E": (64, 64, 64, 6, 4),
           "G": (128, 64, 64, 4, 8)}

print("== correctness (rel. error vs float64)", flush=True)
for n, k, m in ((4096, 4096, 256), (300, 528, 130), (1000, 1040, 77), (2048, 7168, 512)):
    (w, s), = make(n, k)
    x = torch.randn(m, k, device="cuda", dtype=torch.bfloat16)
    ref = reference(x, w, s)
    use(BASE)
    lib = fp8_block_matmul(x, w, s)
    use(fp8_tile_mfast._fp8_block_matmul_kernel)
    mf = fp8_block_matmul(x, w, s)
    errs = [f"lib={rel(lib, ref):.2e} lib_mfast={rel(mf, ref):.2e} bitwise={torch.equal(lib, mf)}"]
    for name, (bn, bm, bk, st, nw) in CONFIGS.items():
        out = torch.full((m, n), float("nan"), device="cuda", dtype=torch.bfloat16)
        gl15.launch(x, w, s, out, bn, bm, bk, st, nw)
        torch.cuda.synchronize()
        errs.append(f"{name}={rel(out, ref):.2e}")
    print(f"{n}x{k} M={m}: " + " ".join(errs), flush=True)

print("== timing (CUDA graphs, rotated weights), us", flush=True)
SHAPES = ((4096, 8192), (7168, 16384), (32768, 1024), (3072, 7168), (2048, 4096), (65536, 1536), (8192, 1024))
for n, k in SHAPES:
    copies = rotation_count(n * k, L2)
    ws = make(n, k, copies)
    dcopies = rotation_count(2 * n * k, L2)
    dense = [torch.randn(n, k, device="cuda", dtype=torch.bfloat16) for _ in range(dcopies)]
    for m in (64, 128, 256, 512):
        xs = [torch.randn(m, k, device="cuda", dtype=torch.bfloat16) for _ in range(max(copies, dcopies))]
        outs = [torch.empty(m, n, device="cuda", dtype=torch.bfloat16) for _ in range(copies)]
        res = {}
        res["cublas"] = time_calls(lambda i: F.linear(xs[i], dense[i]), dcopies, graphs=True)["median_us"]
        use(BASE)
        res["lib"] = time_calls(lambda i: fp8_block_matmul(xs[i], ws[i][0], ws[i][1]), copies, graphs=True)["median_us"]
        use(fp8_tile_mfast._fp8_block_matmul_kernel)
        res["lib_mf"] = time_calls(lambda i: fp8_block_matmul(xs[i], ws[i][0], ws[i][1]), copies, graphs=True)["median_us"]
        for name, (bn, bm, bk, st, nw) in CONFIGS.items():
            res[name] = time_calls(lambda i: gl15.launch(xs[i], ws[i][0], ws[i][1], outs[i], bn, bm, bk, st, nw),
                                   copies, graphs=True)["median_us"]
        best = min((v, t) for t, v in res.items() if t in CONFIGS)
        print(f"{n:5d}x{k:5d} M={m:3d} " + " ".join(f"{t}={v:.1f}" for t, v in res.items())
              + f" | gl best {best[1]} {res['cublas'] / best[0]:.2f}x cublas; lib {res['cublas'] / res['lib']:.2f}x"
              + f" lib_mf {res['cublas'] / res['lib_mf']:.2f}x", flush=True)
    del ws, dense
