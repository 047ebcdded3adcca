"""prof140: where a small layer's launch spends its time (the ~12-15 us 'fixed' cost exp131 extrapolated, never
profiled). Points: 512 x 7168 M = 96 (the rule; serving 128-row split 8; 64-row split 1 and 8), 512 x 4096 M = 96
(the rule: tile kernel 64 x 64 split 4), 1536 x 7168 M = 256 (the rule; serving 128-row split 4); cuBLAS bf16 at
each. Mode 'time': CUDA graphs, weights rotated, best of two rounds. Mode 'ncu': one call each between
profiler.start/stop (run under ncu --profile-from-start off)."""
import sys

import torch
import torch.nn.functional as F
from fp8blk.bench.inputs import random_fp8_weight, float64_reference
from fp8blk.bench.timing import time_calls
from fp8blk.kernels.fp8_tile import KernelConfig
import fp8blk.kernels  # noqa: F401
km = sys.modules["fp8blk.kernels.fp8_block_matmul"]
mode = sys.argv[1]
dev = torch.device("cuda", 0)
l2 = torch.cuda.get_device_properties(0).L2_cache_size
S128 = KernelConfig(128, 128, 128, 1, 4, 4, tma=True, split_x=True, warp_specialized=True)
S64 = S128._replace(block_m=64, num_stages=3)
POINTS = [((512, 7168, 96), {"rule": None, "s128x8": S128._replace(split_k=8), "s64x1": S64,
                             "s64x8": S64._replace(split_k=8)}),
          ((512, 4096, 96), {"rule": None}),
          ((1536, 7168, 256), {"rule": None, "s128x4": S128._replace(split_k=4)})]
for (n, k, m), configs in POINTS:
    copies = max(2, -(-2 * l2 // (n * k)))
    ws = [random_fp8_weight(n, k) for _ in range(copies)]
    wb = [torch.randn(n, k, device="cuda", dtype=torch.bfloat16) for _ in range(max(2, -(-l2 // (n * k))))]
    xs = [torch.randn(m, k, device="cuda").to(torch.bfloat16) for _ in range(copies)]
    calls = {name: (lambda i, c=c: km.fp8_block_matmul(xs[i], *ws[i], config=c)) for name, c in configs.items()}
    calls["cublas"] = lambda i: F.linear(xs[i % len(xs)], wb[i % len(wb)])
    print(f"{n}x{k} M={m} rule {tuple(km.launch_config(m, n, k, dev))}", flush=True)
    if mode == "time":
        ref = float64_reference(xs[0], *ws[0])
        times = {}
        for _ in range(2):
            for name, call in calls.items():
                times.setdefault(name, []).append(time_calls(call, copies, graphs=True)["median_us"])
        for name in calls:
            err = ((calls[name](0).double() - ref).norm() / ref.norm()).item()
            print(f"  {name:8s} {min(times[name]):7.2f} us  err {err:.1e}", flush=True)
    else:
        for name, call in calls.items():
            for i in range(3):
                call(i % copies)
            torch.cuda.synchronize()
            torch.cuda.nvtx.range_push(f"{n}x{k}M{m}:{name}")
            torch.cuda.profiler.start()
            call(1)
            torch.cuda.synchronize()
            torch.cuda.profiler.stop()
            torch.cuda.nvtx.range_pop()
    ws = wb = xs = None
    torch.cuda.empty_cache()
