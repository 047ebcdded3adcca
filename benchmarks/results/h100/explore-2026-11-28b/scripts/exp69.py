"""exp69 (prepared, branch split-x-pdl): the split kernel as a programmatic dependent launch (waits for the previous
kernel's writes, releases the tile kernel at once) against the same build launching it plainly (the plan rebuilt
without PDL for the split kernel), at split-x points, CUDA graphs of back-to-back calls, two alternating rounds;
outputs must be bitwise equal."""
import importlib
import json
import os
import torch
from fp8blk.bench.inputs import random_fp8_weight
from fp8blk.bench.timing import time_calls
from fp8blk.kernels import fp8_block_matmul

km = importlib.import_module("fp8blk.kernels.fp8_block_matmul")
planned = km._split_x_plan
l2 = torch.cuda.get_device_properties(0).L2_cache_size
POINTS = [(4096, 2048, m) for m in (96, 128, 256)] + [(8192, 1024, m) for m in (96, 192)] + \
         [(2048, 4096, m) for m in (128, 384)] + [(4096, 8192, m) for m in (128, 384)] + [(7168, 3072, 128)]


def use(pdl):
    km._split_x_plan = planned if pdl else (lambda m, k, stride, interpreting, low_row, pdl=False:
                                            planned(m, k, stride, interpreting, low_row, False))
    km._launch_plan.cache_clear()


records = []
for n, k, m in POINTS:
    copies = max(2, -(-2 * l2 // (n * k)))
    ws = [random_fp8_weight(n, k) for _ in range(copies)]
    xs = [torch.randn(m, k, device="cuda").to(torch.bfloat16) for _ in range(copies)]
    outs, times = {}, {"plain": [], "pdl": []}
    for name in times:
        use(name == "pdl")
        outs[name] = fp8_block_matmul(xs[0], *ws[0])
    for rnd in range(2):
        for name in (("plain", "pdl") if rnd == 0 else ("pdl", "plain")):
            use(name == "pdl")
            times[name].append(time_calls(lambda i, xs=xs, ws=ws: fp8_block_matmul(xs[i], *ws[i]), copies,
                                          graphs=True)["median_us"])
    same = torch.equal(outs["plain"], outs["pdl"])
    records.append(dict(n=n, k=k, m=m, times=times, bitwise=same))
    print(f"{n}x{k} M={m}: plain {min(times['plain']):.1f} pdl {min(times['pdl']):.1f} us, bitwise {same}", flush=True)
    del ws, xs
use(True)
json.dump(records, open(os.path.join(os.environ.get("OUT", "/tmp"), "exp69.json"), "w"), indent=1)
