"""exp109 (branch split-x-long-k, rules v53-v54) against v52's launch (forced) at every harness point of the V4/V3
and unseen layers where the two differ (M = 48-512), and one point a layer at the other M (33, 65, 160, 200): v53,
split-x 64 x 64 tiles split for <= two programs a SM at M = 33-64 on long K; v54, the serving fill counting only the
rows 128-row tiles pad beyond 64-row ones. CUDA graphs, weights rotated, two alternating rounds."""
import json
import os
import sys
import time

import torch
from fp8blk.bench.inputs import random_fp8_weight, float64_reference
from fp8blk.bench.timing import time_calls
import fp8blk.kernels  # noqa: F401
from fp8blk.kernels import KernelConfig  # noqa: F401 (eval of the v52 launches)
km = sys.modules["fp8blk.kernels.fp8_block_matmul"]
dev = torch.device("cuda", 0)
l2 = torch.cuda.get_device_properties(0).L2_cache_size
T0, LIMIT = time.time(), float(sys.argv[1]) if len(sys.argv) > 1 else 240
V52 = [
[
[
4608,
7168,
48
],
"KernelConfig(block_n=128, block_m=64, block_k=128, split_k=4, num_warps=8, num_stages=3, scale_in_weight=True, expand_weight=False, tma=True, split_x=False, warp_specialized=False)"
],
[
[
4608,
7168,
64
],
"KernelConfig(block_n=128, block_m=64, block_k=128, split_k=4, num_warps=8, num_stages=3, scale_in_weight=True, expand_weight=False, tma=True, split_x=False, warp_specialized=False)"
],
[
[
5120,
5120,
48
],
"KernelConfig(block_n=128, block_m=64, block_k=128, split_k=4, num_warps=8, num_stages=3, scale_in_weight=True, expand_weight=False, tma=True, split_x=False, warp_specialized=False)"
],
[
[
5120,
5120,
64
],
"KernelConfig(block_n=128, block_m=64, block_k=128, split_k=4, num_warps=8, num_stages=3, scale_in_weight=True, expand_weight=False, tma=True, split_x=False, warp_specialized=False)"
],
[
[
5120,
6144,
48
],
"KernelConfig(block_n=128, block_m=64, block_k=128, split_k=4, num_warps=8, num_stages=3, scale_in_weight=True, expand_weight=False, tma=True, split_x=False, warp_specialized=False)"
],
[
[
5120,
6144,
64
],
"KernelConfig(block_n=128, block_m=64, block_k=128, split_k=4, num_warps=8, num_stages=3, scale_in_weight=True, expand_weight=False, tma=True, split_x=False, warp_specialized=False)"
],
[
[
5120,
17408,
48
],
"KernelConfig(block_n=128, block_m=64, block_k=128, split_k=4, num_warps=8, num_stages=3, scale_in_weight=True, expand_weight=False, tma=True, split_x=False, warp_specialized=False)"
],
[
[
5120,
17408,
64
],
"KernelConfig(block_n=128, block_m=64, block_k=128, split_k=4, num_warps=8, num_stages=3, scale_in_weight=True, expand_weight=False, tma=True, split_x=False, warp_specialized=False)"
],
[
[
5632,
7168,
48
],
"KernelConfig(block_n=128, block_m=64, block_k=128, split_k=4, num_warps=8, num_stages=3, scale_in_weight=True, expand_weight=False, tma=True, split_x=False, warp_specialized=False)"
],
[
[
5632,
7168,
64
],
"KernelConfig(block_n=128, block_m=64, block_k=128, split_k=4, num_warps=8, num_stages=3, scale_in_weight=True, expand_weight=False, tma=True, split_x=False, warp_specialized=False)"
],
[
[
6144,
2048,
96
],
"KernelConfig(block_n=64, block_m=64, block_k=128, split_k=1, num_warps=4, num_stages=4, scale_in_weight=False, expand_weight=False, tma=True, split_x=True, warp_specialized=False)"
],
[
[
6144,
5120,
48
],
"KernelConfig(block_n=128, block_m=64, block_k=128, split_k=4, num_warps=8, num_stages=3, scale_in_weight=True, expand_weight=False, tma=True, split_x=False, warp_specialized=False)"
],
[
[
6144,
5120,
64
],
"KernelConfig(block_n=128, block_m=64, block_k=128, split_k=4, num_warps=8, num_stages=3, scale_in_weight=True, expand_weight=False, tma=True, split_x=False, warp_specialized=False)"
],
[
[
6144,
5120,
96
],
"KernelConfig(block_n=64, block_m=64, block_k=128, split_k=1, num_warps=4, num_stages=4, scale_in_weight=False, expand_weight=False, tma=True, split_x=True, warp_specialized=False)"
],
[
[
7168,
2048,
96
],
"KernelConfig(block_n=64, block_m=64, block_k=128, split_k=1, num_warps=4, num_stages=4, scale_in_weight=False, expand_weight=False, tma=True, split_x=True, warp_specialized=False)"
],
[
[
7168,
3072,
96
],
"KernelConfig(block_n=64, block_m=64, block_k=128, split_k=1, num_warps=4, num_stages=4, scale_in_weight=False, expand_weight=False, tma=True, split_x=True, warp_specialized=False)"
],
[
[
7168,
16384,
48
],
"KernelConfig(block_n=128, block_m=64, block_k=128, split_k=4, num_warps=8, num_stages=3, scale_in_weight=True, expand_weight=False, tma=True, split_x=False, warp_specialized=False)"
],
[
[
7168,
16384,
64
],
"KernelConfig(block_n=128, block_m=64, block_k=128, split_k=4, num_warps=8, num_stages=3, scale_in_weight=True, expand_weight=False, tma=True, split_x=False, warp_specialized=False)"
],
[
[
7168,
16384,
96
],
"KernelConfig(block_n=64, block_m=64, block_k=128, split_k=1, num_warps=4, num_stages=4, scale_in_weight=False, expand_weight=False, tma=True, split_x=True, warp_specialized=False)"
],
[
[
7168,
18432,
48
],
"KernelConfig(block_n=128, block_m=64, block_k=128, split_k=4, num_warps=8, num_stages=3, scale_in_weight=True, expand_weight=False, tma=True, split_x=False, warp_specialized=False)"
],
[
[
7168,
18432,
64
],
"KernelConfig(block_n=128, block_m=64, block_k=128, split_k=4, num_warps=8, num_stages=3, scale_in_weight=True, expand_weight=False, tma=True, split_x=False, warp_specialized=False)"
],
[
[
7168,
18432,
96
],
"KernelConfig(block_n=64, block_m=64, block_k=128, split_k=1, num_warps=4, num_stages=4, scale_in_weight=False, expand_weight=False, tma=True, split_x=True, warp_specialized=False)"
],
[
[
14336,
4096,
96
],
"KernelConfig(block_n=128, block_m=128, block_k=128, split_k=1, num_warps=8, num_stages=4, scale_in_weight=False, expand_weight=False, tma=True, split_x=True, warp_specialized=False)"
],
[
[
24576,
1536,
96
],
"KernelConfig(block_n=64, block_m=64, block_k=128, split_k=1, num_warps=4, num_stages=3, scale_in_weight=False, expand_weight=False, tma=True, split_x=True, warp_specialized=False)"
],
[
[
3072,
7168,
200
],
"KernelConfig(block_n=64, block_m=64, block_k=128, split_k=1, num_warps=4, num_stages=4, scale_in_weight=False, expand_weight=False, tma=True, split_x=True, warp_specialized=False)"
],
[
[
4096,
2048,
160
],
"KernelConfig(block_n=64, block_m=64, block_k=128, split_k=1, num_warps=4, num_stages=4, scale_in_weight=False, expand_weight=False, tma=True, split_x=True, warp_specialized=False)"
],
[
[
4096,
8192,
160
],
"KernelConfig(block_n=64, block_m=64, block_k=128, split_k=1, num_warps=4, num_stages=4, scale_in_weight=False, expand_weight=False, tma=True, split_x=True, warp_specialized=False)"
],
[
[
4608,
7168,
33
],
"KernelConfig(block_n=128, block_m=64, block_k=128, split_k=4, num_warps=8, num_stages=3, scale_in_weight=True, expand_weight=False, tma=True, split_x=False, warp_specialized=False)"
],
[
[
4608,
7168,
160
],
"KernelConfig(block_n=64, block_m=64, block_k=128, split_k=1, num_warps=4, num_stages=4, scale_in_weight=False, expand_weight=False, tma=True, split_x=True, warp_specialized=False)"
],
[
[
5120,
5120,
33
],
"KernelConfig(block_n=128, block_m=64, block_k=128, split_k=4, num_warps=8, num_stages=3, scale_in_weight=True, expand_weight=False, tma=True, split_x=False, warp_specialized=False)"
],
[
[
5120,
6144,
33
],
"KernelConfig(block_n=128, block_m=64, block_k=128, split_k=4, num_warps=8, num_stages=3, scale_in_weight=True, expand_weight=False, tma=True, split_x=False, warp_specialized=False)"
],
[
[
5120,
17408,
33
],
"KernelConfig(block_n=128, block_m=64, block_k=128, split_k=4, num_warps=8, num_stages=3, scale_in_weight=True, expand_weight=False, tma=True, split_x=False, warp_specialized=False)"
],
[
[
5632,
7168,
33
],
"KernelConfig(block_n=128, block_m=64, block_k=128, split_k=4, num_warps=8, num_stages=3, scale_in_weight=True, expand_weight=False, tma=True, split_x=False, warp_specialized=False)"
],
[
[
6144,
2048,
65
],
"KernelConfig(block_n=64, block_m=64, block_k=128, split_k=1, num_warps=4, num_stages=4, scale_in_weight=False, expand_weight=False, tma=True, split_x=True, warp_specialized=False)"
],
[
[
6144,
5120,
33
],
"KernelConfig(block_n=128, block_m=64, block_k=128, split_k=4, num_warps=8, num_stages=3, scale_in_weight=True, expand_weight=False, tma=True, split_x=False, warp_specialized=False)"
],
[
[
6144,
5120,
65
],
"KernelConfig(block_n=64, block_m=64, block_k=128, split_k=1, num_warps=4, num_stages=4, scale_in_weight=False, expand_weight=False, tma=True, split_x=True, warp_specialized=False)"
],
[
[
7168,
2048,
65
],
"KernelConfig(block_n=64, block_m=64, block_k=128, split_k=1, num_warps=4, num_stages=4, scale_in_weight=False, expand_weight=False, tma=True, split_x=True, warp_specialized=False)"
],
[
[
7168,
3072,
65
],
"KernelConfig(block_n=64, block_m=64, block_k=128, split_k=1, num_warps=4, num_stages=4, scale_in_weight=False, expand_weight=False, tma=True, split_x=True, warp_specialized=False)"
],
[
[
7168,
16384,
33
],
"KernelConfig(block_n=128, block_m=64, block_k=128, split_k=4, num_warps=8, num_stages=3, scale_in_weight=True, expand_weight=False, tma=True, split_x=False, warp_specialized=False)"
],
[
[
7168,
16384,
65
],
"KernelConfig(block_n=64, block_m=64, block_k=128, split_k=1, num_warps=4, num_stages=4, scale_in_weight=False, expand_weight=False, tma=True, split_x=True, warp_specialized=False)"
],
[
[
7168,
18432,
33
],
"KernelConfig(block_n=128, block_m=64, block_k=128, split_k=4, num_warps=8, num_stages=3, scale_in_weight=True, expand_weight=False, tma=True, split_x=False, warp_specialized=False)"
],
[
[
7168,
18432,
65
],
"KernelConfig(block_n=64, block_m=64, block_k=128, split_k=1, num_warps=4, num_stages=4, scale_in_weight=False, expand_weight=False, tma=True, split_x=True, warp_specialized=False)"
],
[
[
8192,
1024,
65
],
"KernelConfig(block_n=64, block_m=64, block_k=128, split_k=1, num_warps=4, num_stages=4, scale_in_weight=False, expand_weight=False, tma=True, split_x=True, warp_specialized=False)"
],
[
[
8192,
1536,
65
],
"KernelConfig(block_n=64, block_m=64, block_k=128, split_k=1, num_warps=4, num_stages=4, scale_in_weight=False, expand_weight=False, tma=True, split_x=True, warp_specialized=False)"
],
[
[
14336,
4096,
65
],
"KernelConfig(block_n=128, block_m=128, block_k=128, split_k=1, num_warps=8, num_stages=4, scale_in_weight=False, expand_weight=False, tma=True, split_x=True, warp_specialized=False)"
],
[
[
18432,
7168,
200
],
"KernelConfig(block_n=128, block_m=128, block_k=128, split_k=1, num_warps=8, num_stages=4, scale_in_weight=False, expand_weight=False, tma=True, split_x=True, warp_specialized=False)"
],
[
[
24576,
1536,
65
],
"KernelConfig(block_n=64, block_m=64, block_k=128, split_k=1, num_warps=4, num_stages=3, scale_in_weight=False, expand_weight=False, tma=True, split_x=True, warp_specialized=False)"
],
[
[
32768,
1024,
65
],
"KernelConfig(block_n=128, block_m=128, block_k=64, split_k=1, num_warps=4, num_stages=4, scale_in_weight=True, expand_weight=False, tma=True, split_x=False, warp_specialized=False)"
],
[
[
65536,
1536,
65
],
"KernelConfig(block_n=128, block_m=128, block_k=64, split_k=1, num_warps=4, num_stages=4, scale_in_weight=True, expand_weight=False, tma=True, split_x=False, warp_specialized=False)"
]
]
records = []
for (n, k, m), old in V52:
    if time.time() - T0 > LIMIT:
        print("time limit: stopped before", n, k, m, flush=True)
        break
    old = eval(old)
    copies = max(2, -(-2 * l2 // (n * k)))
    ws = [random_fp8_weight(n, k) for _ in range(copies)]
    xs = [torch.randn(m, k, device="cuda").to(torch.bfloat16) for _ in range(copies)]
    ref = float64_reference(xs[0], *ws[0])
    rule = km.launch_config(m, n, k, dev)
    y = km.fp8_block_matmul(xs[0], *ws[0])
    err = ((y.double() - ref).norm() / ref.norm()).item()
    times = {}
    for _ in range(2):
        for name, c in (("new", None), ("v52", old)):
            times.setdefault(name, []).append(time_calls(
                lambda i, c=c: km.fp8_block_matmul(xs[i], *ws[i], config=c), copies, graphs=True)["median_us"])
    best = {key: min(v) for key, v in times.items()}
    records.append(dict(n=n, k=k, m=m, rule=repr(rule), old=repr(old), times=times, err=err))
    print(f"{'v53' if m <= 64 else 'v54'} {n}x{k} M={m} new {tuple(rule)[:4]}{' ws' if rule.warp_specialized else ''} "
          f"{best['new']:.1f} | v52 {tuple(old)[:5]} {best['v52']:.1f} us | x{best['v52'] / best['new']:.3f} "
          f"err {err:.1e}", flush=True)
    json.dump(records, open(os.path.join(os.environ.get("OUT", "/tmp"), "exp109.json"), "w"), indent=1)
    ws = xs = None
    torch.cuda.empty_cache()
speed = [min(r["times"]["v52"]) / min(r["times"]["new"]) for r in records]
print(f"points {len(records)}: new/v52 speed min {min(speed):.3f}, below 0.98 at "
      f"{sum(s < 0.98 for s in speed)}, above 1.02 at {sum(s > 1.02 for s in speed)}")
