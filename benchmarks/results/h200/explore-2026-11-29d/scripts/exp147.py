"""exp147: what the in-launch split of x (exp145's fused serving kernel) costs, phase by phase: v66 (split-x kernel,
then the serving kernel), the fused launch (two ticketed phases: row maxima, then terms), and the fused launch with
its first phase and wait skipped (wrong scales: it times the chain a one-phase split -- per-(row, K-tile) scales --
would keep), and (exp147b) with no unit work at all: the tickets, releases and the loader's wait alone (x's terms
left as they are: wrong output). CUDA graphs, weights rotated, best of two alternating rounds; host per eager bound call."""
import json
import os
import sys

import torch
from fp8blk.bench.inputs import random_fp8_weight, float64_reference
from fp8blk.bench.timing import time_calls
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "oldk"))
import kernels_v66.fp8_block_matmul  # noqa: E402,F401
import kernels_fused.fp8_block_matmul  # noqa: E402,F401
import kernels_fused1.fp8_block_matmul  # noqa: E402,F401
import kernels_fused0.fp8_block_matmul  # noqa: E402,F401
trees = {name: sys.modules[f"kernels_{name}.fp8_block_matmul"] for name in ("v66", "fused", "fused1", "fused0")}
dev = torch.device("cuda", 0)
l2 = torch.cuda.get_device_properties(0).L2_cache_size
POINTS = [(32768, 1024, 65), (32768, 1024, 256), (16384, 2048, 128), (24576, 1536, 96), (7168, 16384, 65),
          (7168, 16384, 256), (65536, 1536, 128), (8192, 7168, 96), (4096, 8192, 256), (18432, 7168, 512)]
records = []
for n, k, m in POINTS:
    copies = max(2, -(-2 * l2 // (n * k)))
    ws = [random_fp8_weight(n, k) for _ in range(copies)]
    xs = [torch.randn(m, k, device="cuda").to(torch.bfloat16) for _ in range(copies)]
    ref = float64_reference(xs[0], *ws[0])
    errs = {name: ((t.fp8_block_matmul(xs[0], *ws[0]).double() - ref).norm() / ref.norm()).item()
            for name, t in trees.items()}
    times = {}
    for _ in range(2):
        for name, t in trees.items():
            times.setdefault(name, []).append(time_calls(lambda i, t=t: t.fp8_block_matmul(xs[i], *ws[i]), copies,
                                                         graphs=True)["median_us"])
    best = {name: min(v) for name, v in times.items()}
    records.append(dict(n=n, k=k, m=m, times=times, errs=errs))
    print(f"{n}x{k} M={m}: v66 {best['v66']:.1f} fused {best['fused']:.1f} one-phase {best['fused1']:.1f} sync only "
          f"{best['fused0']:.1f} us | "
          f"errs {errs['v66']:.1e} {errs['fused']:.1e}", flush=True)
    json.dump(records, open(os.path.join(os.environ.get("OUT", "/tmp"), "exp147b.json"), "w"), indent=1)
    ws = xs = None
    torch.cuda.empty_cache()
