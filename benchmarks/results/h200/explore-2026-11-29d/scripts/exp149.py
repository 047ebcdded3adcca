"""exp149: proto149 (bf16 wgmmas on a weight converted in shared memory with the scale folded in, no split of x)
against the library's rule (serving kernel / tile / expand) and cuBLAS bf16, at M = 128-1024 on large layers. CUDA
graphs, weights rotated, best of two alternating rounds; errors against float64."""
import json
import os
import sys

import torch
import torch.nn.functional as F
from fp8blk.bench.inputs import random_fp8_weight, float64_reference
from fp8blk.bench.timing import time_calls
import fp8blk.kernels  # noqa: F401
km = sys.modules["fp8blk.kernels.fp8_block_matmul"]
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import proto149  # noqa: E402

dev = torch.device("cuda", 0)
sms = torch.cuda.get_device_properties(0).multi_processor_count
l2 = torch.cuda.get_device_properties(0).L2_cache_size
LAYERS = [(7168, 16384), (18432, 7168), (65536, 1536), (7168, 3072), (8192, 1536), (32768, 1024), (4096, 8192),
          (16384, 2048)]
MS = (128, 256, 512, 1024)
records = []
for n, k in LAYERS:
    copies = max(2, -(-4 * l2 // (n * k)))
    ws = [random_fp8_weight(n, k) for _ in range(copies)]
    dense = [(w.float() * s.repeat_interleave(128, 0)[:n].repeat_interleave(128, 1)[:, :k]).to(torch.bfloat16)
             for w, s in ws[:max(2, -(-2 * l2 // (2 * n * k)))]]
    for m in MS:
        xs = [torch.randn(m, k, device="cuda").to(torch.bfloat16) for _ in range(copies)]
        ref = float64_reference(xs[0], *ws[0])
        calls = {"rule": lambda i: km.fp8_block_matmul(xs[i], *ws[i]),
                 "proto128": lambda i: proto149.launch(xs[i], *ws[i], block_m=128, stages=3, sm_count=sms),
                 "proto64": lambda i: proto149.launch(xs[i], *ws[i], block_m=64, stages=4, sm_count=sms),
                 "cublas": lambda i: F.linear(xs[i % len(dense)], dense[i % len(dense)])}
        errs = {}
        for name, call in calls.items():
            y = call(0)
            r = ref if name != "cublas" else float64_reference(xs[0], *ws[0])
            errs[name] = ((y.double() - r).norm() / r.norm()).item()
        times = {}
        for _ in range(2):
            for name, call in calls.items():
                times.setdefault(name, []).append(time_calls(call, copies if name != "cublas" else len(dense),
                                                             graphs=True)["median_us"])
        best = {name: min(v) for name, v in times.items()}
        cfg = km.launch_config(m, n, k, dev)
        records.append(dict(n=n, k=k, m=m, rule=repr(cfg), times=times, errs=errs))
        print(f"{n}x{k} M={m}: rule {best['rule']:.1f} proto128 {best['proto128']:.1f} proto64 {best['proto64']:.1f} "
              f"cublas {best['cublas']:.1f} us | cublas/proto {best['cublas'] / min(best['proto128'], best['proto64']):.2f}"
              f" cublas/rule {best['cublas'] / best['rule']:.2f} | errs " +
              " ".join(f"{name} {e:.1e}" for name, e in errs.items()), flush=True)
        json.dump(records, open(os.path.join(os.environ.get("OUT", "/tmp"), "exp149.json"), "w"), indent=1)
    ws = dense = None
    torch.cuda.empty_cache()
