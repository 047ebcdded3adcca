"""exp151 (prepared 2026-11-29, not run: no device time left): the one-phase fused split of x (fused2: per-(row,
K-tile) x scales, so each 32-row x one-K-tile unit is split on its own; the loader polls the unit count by plain
loads, one acquire after) against v66 (split-x kernel + serving kernel) and exp145's two-phase fused launch, at
exp147's ten points plus four small ones; error against float64 (fused2's split is finer: per K-tile scales) and
GPU time (CUDA graphs, weights rotated, best of two alternating rounds); host per bound eager call for fused2."""
import os
import statistics
import sys
import time

import torch
import torch.nn.functional as F
from fp8blk.bench.inputs import random_fp8_weight, float64_reference
from fp8blk.bench.timing import time_calls
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "oldk"))
import kernels_v66.fp8_block_matmul  # noqa: E402,F401
import kernels_fused.fp8_block_matmul  # noqa: E402,F401
import kernels_fused2.fp8_block_matmul  # noqa: E402,F401
trees = {name: sys.modules[f"kernels_{name}.fp8_block_matmul"] for name in ("v66", "fused", "fused2")}
l2 = torch.cuda.get_device_properties(0).L2_cache_size
POINTS = [(32768, 1024, 65), (32768, 1024, 256), (16384, 2048, 128), (24576, 1536, 96), (7168, 16384, 65),
          (7168, 16384, 256), (65536, 1536, 128), (8192, 7168, 96), (4096, 8192, 256), (18432, 7168, 512),
          (8192, 1536, 128), (7168, 3072, 96), (4096, 2048, 512), (3072, 7168, 192)]


def host_us(fns, calls=200):
    for fn in fns:
        fn()
    torch.cuda.synchronize()
    torch.cuda._sleep(300_000_000)
    times = [[] for _ in fns]
    for _ in range(calls):
        for fn, spent in zip(fns, times):
            start = time.perf_counter()
            fn()
            spent.append(time.perf_counter() - start)
    torch.cuda.synchronize()
    return [statistics.median(s) * 1e6 for s in times]


for n, k, m in POINTS:
    cfg = trees["v66"].launch_config(m, n, k, torch.device("cuda", 0))
    if not getattr(cfg, "warp_specialized", False):
        print(f"{n}x{k} M={m}: not a serving launch ({cfg}), skipped", flush=True)
        continue
    copies = max(2, -(-2 * l2 // (n * k)))
    ws = [random_fp8_weight(n, k) for _ in range(copies)]
    xs = [torch.randn(m, k, device="cuda").to(torch.bfloat16) for _ in range(copies)]
    ref = float64_reference(xs[0], *ws[0])
    errs = {name: ((t.fp8_block_matmul(xs[0], *ws[0]).double() - ref).norm() / ref.norm()).item()
            for name, t in trees.items()}
    repeat = all(torch.equal(trees["fused2"].fp8_block_matmul(xs[0], *ws[0]),
                             trees["fused2"].fp8_block_matmul(xs[0], *ws[0])) for _ in range(5))
    times = {}
    for _ in range(2):
        for name, t in trees.items():
            times.setdefault(name, []).append(time_calls(lambda i, t=t: t.fp8_block_matmul(xs[i], *ws[i]), copies,
                                                         graphs=True)["median_us"])
    best = {name: min(v) for name, v in times.items()}
    dense = (ws[0][0].float() * ws[0][1].repeat_interleave(128, 0)[:n].repeat_interleave(128, 1)[:, :k]).to(
        torch.bfloat16)
    trees["fused2"].fp8_block_matmul(xs[0], *ws[0])
    bound = trees["fused2"].bind_call(xs[0], *ws[0])
    x0 = xs[0]
    host = host_us([lambda: F.linear(x0, dense), lambda: bound(x0)]) if bound is not None else [0, 0]
    print(f"{n}x{k} M={m}: v66 {best['v66']:.1f} fused {best['fused']:.1f} fused2 {best['fused2']:.1f} us "
          f"(v66/fused2 x{best['v66'] / best['fused2']:.3f}) | errs " + " ".join(f"{a} {e:.1e}" for a, e in errs.items())
          + f" | fused2 repeatable {repeat} | host F.linear {host[0]:.1f} fused2 {host[1]:.1f}", flush=True)
    ws = xs = dense = None
    torch.cuda.empty_cache()
