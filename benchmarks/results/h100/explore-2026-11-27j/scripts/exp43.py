"""exp43 (item 51): does the slow level follow the points measured before? 7168x16384 and 65536x1536 at M=1 through
the harness's own point path, fresh; then after the Pro shapes' smaller points (fp8blk only, harness path); then after
torch.cuda.empty_cache(); then after Marlin on those points."""
import os, sys, statistics
import torch
from fp8blk.bench.harness import point_inputs, measure_impl
from fp8blk.bench.impls import make_fp8blk

l2 = torch.cuda.get_device_properties(0).L2_cache_size
BIG = [(7168, 16384, 1), (65536, 1536, 1)]
SMALL = [(n, k, m) for n, k in ((512, 7168), (1024, 4096), (1536, 7168), (3072, 7168), (7168, 3072), (8192, 1536))
         for m in (1, 2, 4, 8, 16)]


def big(tag):
    for n, k, m in BIG:
        r = measure_impl("fp8blk", make_fp8blk, point_inputs(n, k, m, l2, 0), True)
        print(f"{tag:<28} {n}x{k} M={m}: {r['median_us']:.1f} [{r['p10_us']:.1f}-{r['p90_us']:.1f}]", flush=True)
    torch.cuda.empty_cache()


big("fresh")
big("fresh again")
for n, k, m in SMALL:
    measure_impl("fp8blk", make_fp8blk, point_inputs(n, k, m, l2, 0), True)
big("after 30 small points")
torch.cuda.empty_cache()
big("after empty_cache")
try:
    from fp8blk.bench.impls import MarlinFactory
    factory = MarlinFactory()
    for n, k, m in SMALL[:10]:
        measure_impl("marlin", factory.maker if hasattr(factory, "maker") else factory, point_inputs(n, k, m, l2, 0), True)
    big("after Marlin points")
except Exception as exc:
    print("marlin step:", type(exc).__name__, str(exc)[:200])
for n, k, m in SMALL:
    measure_impl("fp8blk", make_fp8blk, point_inputs(n, k, m, l2, 0), True)
big("after 30 more small points")
