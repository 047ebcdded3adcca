"""exp19 A: tile kernel configs that fit two programs per SM (4-warp 128x128, 67-92 KB) and 256-row tiles, forced,
vs the rule and cuBLAS at M = 128-512; the Gluon v2 with one warpgroup, two per SM. B: decode at M = 24/32, split and
TMA variants vs the rule."""
import os, sys
os.environ["FP8BLK_CONFIG_TABLE"] = "0"
import torch, triton
import torch.nn.functional as F
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gl17
from fp8blk.kernels import fp8_block_matmul
from fp8blk.kernels.fp8_tile import KernelConfig
from fp8blk.kernels.fp8_decode import DecodeConfig, decode_config
from fp8blk.bench.timing import time_calls, rotation_count
torch.manual_seed(0)
L2 = torch.cuda.get_device_properties(0).L2_cache_size
SMS = torch.cuda.get_device_properties(0).multi_processor_count
PART = sys.argv[1] if len(sys.argv) > 1 else "AB"


def make(n, k, copies):
    return [((torch.randn(n, k, device="cuda") * 0.5).to(torch.float8_e4m3fn),
             torch.rand(triton.cdiv(n, 128), triton.cdiv(k, 128), device="cuda") * 1e-2 + 1e-3) for _ in range(copies)]


def reference(x, w, s):
    n, k = w.shape
    wd = w.double() * s.double().repeat_interleave(128, 0)[:n].repeat_interleave(128, 1)[:, :k]
    return x.double() @ wd.T


def rel(a, b):
    return ((a.double() - b).norm() / b.norm()).item()


LIB = {"L1": (128, 128, 64, 4, 3), "L2": (128, 128, 64, 4, 4), "L3": (128, 64, 128, 4, 3), "L4": (256, 64, 64, 8, 3)}
if "A" in PART:
    print("== A: tile configs (best split in brackets), us", flush=True)
    # correctness of each forced config once, ragged
    (w, s), = make(1000, 1040, 1)
    x = torch.randn(300, 1040, device="cuda", dtype=torch.bfloat16)
    ref = reference(x, w, s)
    print("check", " ".join(f"{t}={rel(fp8_block_matmul(x, w, s, config=KernelConfig(bn, bm, bk, 2, nw, st, True, tma=True)), ref):.2e}"
                            for t, (bn, bm, bk, nw, st) in LIB.items()),
          f"G4={rel(gl17.launch(x, w, s, torch.empty(300, 1000, device='cuda', dtype=torch.bfloat16), 128, 128, 64, 3, 3, 2, 4), ref):.2e}", flush=True)
    for n, k in ((4096, 8192), (7168, 16384), (32768, 1024), (3072, 7168), (2048, 4096), (65536, 1536), (8192, 1024)):
        copies = rotation_count(n * k, L2)
        ws = make(n, k, copies)
        dcopies = rotation_count(2 * n * k, L2)
        dense = [torch.randn(n, k, device="cuda", dtype=torch.bfloat16) for _ in range(dcopies)]
        for m in (128, 192, 256, 512):
            xs = [torch.randn(m, k, device="cuda", dtype=torch.bfloat16) for _ in range(max(copies, dcopies))]
            outs = [torch.empty(m, n, device="cuda", dtype=torch.bfloat16) for _ in range(copies)]
            res = {"cublas": (time_calls(lambda i: F.linear(xs[i], dense[i]), dcopies, graphs=True)["median_us"], 0),
                   "rule": (time_calls(lambda i: fp8_block_matmul(xs[i], ws[i][0], ws[i][1]), copies, graphs=True)["median_us"], 0)}
            for t, (bn, bm, bk, nw, st) in LIB.items():
                best = None
                for split in (1, 2, 4):
                    cfg = KernelConfig(bn, bm, bk, split, nw, st, True, tma=True)
                    v = time_calls(lambda i: fp8_block_matmul(xs[i], ws[i][0], ws[i][1], config=cfg), copies, graphs=True)["median_us"]
                    best = min(best or (v, split), (v, split))
                res[t] = best
            best = None
            for split in (1, 2, 4):
                v = time_calls(lambda i: gl17.launch(xs[i], ws[i][0], ws[i][1], outs[i], 128, 128, 64, 3, 3, split, 4), copies, graphs=True)["median_us"]
                best = min(best or (v, split), (v, split))
            res["G4"] = best
            b = min((v[0], t) for t, v in res.items() if t not in ("cublas",))
            print(f"{n:5d}x{k:5d} M={m:3d} " + " ".join(f"{t}={v[0]:.1f}" + (f"[{v[1]}]" if v[1] else "") for t, v in res.items())
                  + f" | best {b[1]} {res['cublas'][0] / b[0]:.2f}x cublas; rule {res['cublas'][0] / res['rule'][0]:.2f}x", flush=True)
        del ws, dense
if "B" in PART:
    print("== B: decode M = 24/32 (rule vs split/TMA variants), us", flush=True)
    for n, k in ((7168, 16384), (18432, 7168), (7168, 18432), (4096, 8192), (3072, 7168), (32768, 1024), (65536, 1536), (2048, 4096)):
        copies = rotation_count(n * k, L2)
        ws = make(n, k, copies)
        for m in (24, 32):
            xs = [torch.randn(m, k, device="cuda", dtype=torch.bfloat16) for _ in range(copies)]
            rule = decode_config(m, n, k, 1, 128, SMS)
            res = {"rule": time_calls(lambda i: fp8_block_matmul(xs[i], ws[i][0], ws[i][1]), copies, graphs=True)["median_us"]}
            for split in (1, 2, 4, 8, 16):
                if triton.cdiv(k, 128) < split:
                    continue
                for tma, st in ((False, 3), (True, 3), (True, 4)):
                    cfg = DecodeConfig(64, 32, 128, 1, split, True, 4, st, tma=tma)
                    res[f"s{split}{'t' if tma else 'p'}{st}"] = time_calls(lambda i: fp8_block_matmul(xs[i], ws[i][0], ws[i][1], config=cfg), copies, graphs=True)["median_us"]
            b = min((v, t) for t, v in res.items())
            print(f"{n:5d}x{k:5d} M={m} rule(split {rule.split_k}, tma {rule.tma})={res['rule']:.1f} best {b[1]}={b[0]:.1f} | "
                  + " ".join(f"{t}={v:.1f}" for t, v in res.items() if t != "rule"), flush=True)
        del ws
