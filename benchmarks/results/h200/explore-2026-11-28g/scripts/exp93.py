"""exp93: eager host time per call, interleaved (F.linear, Fp8BlockLinear, fp8_block_matmul called in turn, each call
timed alone, 300 turns a round behind a GPU sleep, 3 rounds; median of the round medians): host drift cancels."""
import statistics
import time

import torch
import torch.nn.functional as F

from fp8blk import Fp8BlockLinear, quantize_fp8_block
from fp8blk.kernels import fp8_block_matmul

for n, k in ((1024, 4096), (4096, 4096), (7168, 2048)):
    wq, scale = quantize_fp8_block(torch.randn(n, k, device="cuda") * 0.02)
    dense = (wq.float() * scale.repeat_interleave(128, 0).repeat_interleave(128, 1)[:n, :k]).to(torch.bfloat16)
    layer = Fp8BlockLinear.from_tensors(wq, scale)
    for m in (1, 16, 64, 128, 256, 1024):
        x = torch.randn(m, k, device="cuda").to(torch.bfloat16)
        fns = {"F.linear": lambda: F.linear(x, dense), "module": lambda: layer(x),
               "wrapper": lambda: fp8_block_matmul(x, wq, scale)}
        for f in fns.values():
            f()
        rounds = {name: [] for name in fns}
        for _ in range(3):
            torch.cuda.synchronize()
            torch.cuda._sleep(400_000_000)
            times = {name: [] for name in fns}
            for _ in range(300):
                for name, f in fns.items():
                    t0 = time.perf_counter()
                    f()
                    times[name].append(time.perf_counter() - t0)
            torch.cuda.synchronize()
            for name in fns:
                rounds[name].append(statistics.median(times[name]) * 1e6)
        med = {name: statistics.median(v) for name, v in rounds.items()}
        bound = [c for c in layer._linear._bound.values() if c is not None]
        kind = bound[-1].plan.kind + (" split_x" if bound[-1].plan.prologue else "") if bound else "unbound"
        print(f"{n}x{k} M={m:5d} {kind:14s} F.linear {med['F.linear']:5.1f}  module {med['module']:5.1f}  "
              f"wrapper {med['wrapper']:5.1f}  module/F.linear {med['module'] / med['F.linear']:.2f}", flush=True)
