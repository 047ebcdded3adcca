"""exp53 (item 57): the tile kernel with its block scale loaded as one scalar per K-tile (scalar_scale.py) or one
K-tile ahead into registers (prefetch_scale.py) against the library's cp.async-pipelined vector load. Both change
Triton's weight read from 16 LDS.U16 to LDS.128 + ldmatrix (a layout conversion with more CTA barriers): which wins
is a timing question. Rule launches, two rounds, outputs compared bitwise."""
import sys, os
import torch
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import prefetch_scale, scalar_scale  # noqa: E402
from fp8blk.bench.inputs import random_fp8_weight  # noqa: E402
from fp8blk.bench.timing import time_calls  # noqa: E402
from fp8blk.kernels import fp8_block_matmul  # noqa: E402
from fp8blk.kernels.fp8_block_matmul import default_config  # noqa: E402

props = torch.cuda.get_device_properties(0)
sms, l2, shared = props.multi_processor_count, props.L2_cache_size, props.shared_memory_per_block_optin
VARIANTS = {"library": None, "scalar": scalar_scale, "prefetch": prefetch_scale}


def select(name):
    scalar_scale.use(False), prefetch_scale.use(False)
    if VARIANTS[name]:
        VARIANTS[name].use(True)


for n, k, m in ((8192, 1024, 128), (4096, 2048, 48), (2048, 4096, 256), (4096, 8192, 256), (65536, 1536, 256),
                (7168, 16384, 512)):
    cfg = default_config(m, n, k, 1, 128, sms, tma=True, shared_memory=shared)
    copies = max(2, -(-2 * l2 // (n * k)))
    ws = [random_fp8_weight(n, k) for _ in range(copies)]
    xs = [torch.randn(m, k, device="cuda").to(torch.bfloat16) for _ in range(copies)]
    times, outs = {v: [] for v in VARIANTS}, {}
    for order in (list(VARIANTS), list(VARIANTS)[::-1]):
        for v in order:
            select(v)
            call = lambda i: fp8_block_matmul(xs[i], ws[i][0], ws[i][1], config=cfg)  # noqa: E731
            outs[v] = call(0)
            times[v].append(time_calls(call, copies, graphs=True)["median_us"])
    same = all(torch.equal(outs["library"], o) for o in outs.values())
    print(f"{n}x{k} M={m} {tuple(cfg)[:6]} " + "  ".join(f"{v} {min(t):.1f}/{max(t):.1f}" for v, t in times.items())
          + f"  bitwise equal {same}", flush=True)
    select("library")
