"""exp127: rule v62 (the 64-row serving build in several waves where nothing clears its bound) on a second set of
layers never timed, through the library against v61's library beside it, at every point of M = 96-512 (step 32)
where v62 changes the launch (at most 4 a layer); CUDA graphs, weights rotated, two alternating rounds; cuBLAS bf16
beside; checked against float64."""
import json
import os
import sys

import torch
import torch.nn.functional as F
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "oldk"))
from fp8blk.bench.inputs import random_fp8_weight, float64_reference
from fp8blk.bench.timing import time_calls
import fp8blk.kernels  # noqa: F401
import kernels_v61  # noqa: F401
old = sys.modules["kernels_v61.fp8_block_matmul"]
new = sys.modules["fp8blk.kernels.fp8_block_matmul"]
dev = torch.device("cuda", 0)
l2 = torch.cuda.get_device_properties(0).L2_cache_size
LAYERS = [(16384, 4096), (8960, 3584), (15360, 5120), (22528, 3072), (10752, 2560), (26624, 2048), (12800, 6400),
          (7680, 4608)]
records = []
for n, k in LAYERS:
    ms = [m for m in range(96, 513, 32) if new.launch_config(m, n, k, dev) != old.launch_config(m, n, k, dev)][:4]
    if not ms:
        print(f"{n}x{k}: v62 changes no launch", flush=True)
        continue
    copies = max(2, -(-2 * l2 // (n * k)))
    ws = [random_fp8_weight(n, k) for _ in range(copies)]
    wb = [torch.randn(n, k, device="cuda", dtype=torch.bfloat16) for _ in range(max(2, -(-l2 // (n * k))))]
    for m in ms:
        xs = [torch.randn(m, k, device="cuda").to(torch.bfloat16) for _ in range(copies)]
        ref = float64_reference(xs[0], *ws[0])
        calls = {"v62": lambda i: new.fp8_block_matmul(xs[i], *ws[i]),
                 "v61": lambda i: old.fp8_block_matmul(xs[i], *ws[i]),
                 "cublas": lambda i: F.linear(xs[i % len(xs)], wb[i % len(wb)])}
        err = ((calls["v62"](0).double() - ref).norm() / ref.norm()).item()
        times = {}
        for _ in range(2):
            for key, call in calls.items():
                times.setdefault(key, []).append(time_calls(call, copies, graphs=True)["median_us"])
        best = {key: min(v) for key, v in times.items()}
        records.append(dict(n=n, k=k, m=m, rule=repr(new.launch_config(m, n, k, dev)),
                            before=repr(old.launch_config(m, n, k, dev)), times=times, err=err))
        print(f"{n}x{k} M={m} | v62 {best['v62']:.1f} v61 {best['v61']:.1f} us x{best['v61'] / best['v62']:.3f} | "
              f"cublas {best['cublas']:.1f} | err {err:.1e}", flush=True)
        json.dump(records, open(os.path.join(os.environ.get("OUT", "/tmp"), "exp127.json"), "w"), indent=1)
    ws = wb = None
    torch.cuda.empty_cache()
speed = sorted(min(r["times"]["v61"]) / min(r["times"]["v62"]) for r in records)
print(f"points {len(records)}: v62 / v61 min {speed[0]:.3f} median {speed[len(speed) // 2]:.3f} max {speed[-1]:.3f}")
