"""exp32: weight lines prefetched into L2 before the PDL wait (prefetch32.py) against the library's decode kernel.
A: outputs bitwise equal (the prefetch changes no arithmetic). B: the rule's launch per layer (a graph of launches
back to back over rotated weights, so each launch's prologue overlaps the previous one's tail), M = 1/4/16, three
rounds in alternating order. C: the V4-Flash decoder-layer graph (fp8blk only) at M = 1/4/16, three rounds.
Prediction: 0.3-1 us per launch on layers <= 8 MB (a DRAM round trip moved under the previous kernel's tail),
~2-5 us on the layer graph at M = 1 (7 launches); nothing on >= 32 MB layers."""
import os
import sys

import torch
import triton

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import prefetch32  # noqa: E402
from fp8blk.bench.layer_graph import measure  # noqa: E402
from fp8blk.bench.shapes import load_shapes  # noqa: E402
from fp8blk.bench.timing import bf16_tflops, read_bandwidth_gbps  # noqa: E402
from fp8blk.kernels import fp8_block_matmul  # noqa: E402
from fp8blk.kernels.fp8_block_matmul import time_configs  # noqa: E402
from fp8blk.kernels.fp8_decode import decode_config  # noqa: E402

props = torch.cuda.get_device_properties(0)
sms, l2 = props.multi_processor_count, props.L2_cache_size
LAYERS = [(512, 4096), (1024, 4096), (1536, 4096), (2048, 4096), (4096, 2048), (8192, 1024), (4096, 8192),
          (32768, 1024)]

torch.manual_seed(0)
same = True
for n, k in LAYERS[:6]:
    for m in (1, 4, 16):
        w = (torch.randn(n, k, device="cuda") * 0.5).to(torch.float8_e4m3fn)
        s = torch.rand(triton.cdiv(n, 128), triton.cdiv(k, 128), device="cuda") * 1e-2 + 1e-3
        x = torch.randn(m, k, device="cuda", dtype=torch.bfloat16)
        prefetch32.use(False)
        base = fp8_block_matmul(x, w, s)
        prefetch32.use(True)
        same &= torch.equal(base, fp8_block_matmul(x, w, s))
print(f"A: prefetch outputs bitwise equal to the library's: {bool(same)}", flush=True)

for n, k in LAYERS:
    for m in (1, 4, 16):
        cfg = decode_config(m, n, k, 1, 128, sms, tma=True)
        times = {False: [], True: []}
        for order in ((False, True), (True, False), (False, True)):
            for prefetch in order:
                prefetch32.use(prefetch)
                times[prefetch] += [us for us, _ in time_configs(n, k, m, [cfg], l2, log=lambda line: None)]
        ratio = min(times[True]) / min(times[False])
        print(f"B {n:>5}x{k:<5} M={m:<2} {tuple(cfg[:6])} base {'/'.join(f'{t:.2f}' for t in times[False])}"
              f"  prefetch {'/'.join(f'{t:.2f}' for t in times[True])}  ({ratio:.3f})", flush=True)

shapes = load_shapes("deepseek-v4-flash")
read, flops = read_bandwidth_gbps(), bf16_tflops()
graph = {False: {}, True: {}}
for order in ((False, True), (True, False), (False, True)):
    for prefetch in order:
        prefetch32.use(prefetch)
        for r in measure("deepseek-v4-flash", shapes, read, flops, l2, impls=("fp8blk",), ms=(1, 4, 16), log=print):
            graph[prefetch].setdefault(r["M"], []).append((r["median_us"], r["floor_us"]))
for m in (1, 4, 16):
    base, pre = graph[False][m], graph[True][m]
    print(f"C layer graph M={m:<2} base {'/'.join(f'{t:.1f}' for t, _ in base)}  prefetch "
          f"{'/'.join(f'{t:.1f}' for t, _ in pre)}  floor {base[0][1]:.1f}  "
          f"({min(t for t, _ in pre) / min(t for t, _ in base):.3f})", flush=True)
