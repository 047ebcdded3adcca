"""exp51 (v39 A/B): the rule before (HEAD f984dfb) and after this session's two changes, on the points where they
differ — M = 33-64 tile launches (64 x 64 4-warp tiles where they number at most two per SM; layers exp48 did not
time included) and TMA decode launches of more than three programs per SM (3 stages). Three rounds, alternating
order; weights built in row blocks; harness timing (graphs, rotation); outputs compared (old vs new rel err)."""
import json, os
import torch
from fp8blk.bench.inputs import random_fp8_weight
from fp8blk.bench.timing import time_calls
from fp8blk.kernels import fp8_block_matmul
from fp8blk.kernels.fp8_block_matmul import KernelConfig
from fp8blk.kernels.fp8_decode import DecodeConfig

l2 = torch.cuda.get_device_properties(0).L2_cache_size
points = json.load(open(os.path.join(os.path.dirname(__file__), "exp51_points.json")))
rows, cache = [], {}
for p in points:
    n, k, m = p["n"], p["k"], p["m"]
    make = DecodeConfig if p["kind"] == "decode" else KernelConfig
    old, new = make(*p["old"]), make(*p["new"])
    if (n, k) not in cache:
        cache.clear(); torch.cuda.empty_cache()
        copies = max(2, -(-2 * l2 // (n * k)))
        cache[(n, k)] = [random_fp8_weight(n, k) for _ in range(copies)]
        torch.cuda.empty_cache()
    ws = cache[(n, k)]
    xs = [torch.randn(m, k, device="cuda").to(torch.bfloat16) for _ in ws]
    calls = {c: (lambda i, c=c: fp8_block_matmul(xs[i], ws[i][0], ws[i][1], config=c)) for c in (old, new)}
    a, b = calls[old](0).float(), calls[new](0).float()
    err = ((a - b).norm() / a.norm()).item()
    times = {old: [], new: []}
    for order in ((old, new), (new, old), (old, new)):
        for c in order:
            times[c].append(time_calls(calls[c], len(ws), graphs=True)["median_us"])
    o, nw = sorted(times[old])[1], sorted(times[new])[1]
    rows.append({**p, "old_us": times[old], "new_us": times[new], "rel_err_old_new": err})
    print(f"{p['kind']:<6} {n:>5}x{k:<5} M={m:<3} old {p['old'][:6]} {o:6.1f}  new {p['new'][:6]} {nw:6.1f}  "
          f"new/old {nw / o:.2f}  err {err:.1e}", flush=True)
json.dump(rows, open(os.path.join(os.environ.get("OUT", "/tmp"), "exp51.json"), "w"), indent=1)
