"""exp91: host time per eager call broken down on the GPU host (1024x4096 and 4096x4096 at M=1/64/256/4096):
F.linear, Fp8BlockLinear, the wrapper, and pieces: the plan lookup, out allocation, the C launcher alone
(_DirectLaunch with the plan's arguments), torch.empty; medians of per-call times, calls queued behind a GPU sleep."""
import importlib
import statistics
import time

import torch
import torch.nn.functional as F

from fp8blk import Fp8BlockLinear, quantize_fp8_block
from fp8blk.kernels import fp8_block_matmul

km = importlib.import_module("fp8blk.kernels.fp8_block_matmul")


def host_us(fn, calls=400):
    for _ in range(20):
        fn()
    torch.cuda.synchronize()
    torch.cuda._sleep(300_000_000)
    times = []
    for _ in range(calls):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    torch.cuda.synchronize()
    return statistics.median(times) * 1e6


for n, k in ((1024, 4096), (4096, 4096)):
    wq, scale = quantize_fp8_block(torch.randn(n, k, device="cuda") * 0.02)
    dense = (wq.float() * scale.repeat_interleave(128, 0).repeat_interleave(128, 1)[:n, :k]).to(torch.bfloat16)
    layer = Fp8BlockLinear.from_tensors(wq, scale)
    for m in (1, 64, 256, 4096):
        x = torch.randn(m, k, device="cuda").to(torch.bfloat16)
        layer(x)
        plan = km._launch_plan(x.shape, x.stride(), x.dtype, wq.shape, wq.stride(), wq.dtype, scale.shape,
                               scale.stride(), scale.dtype, None, None, None, None, (128, 128), 1, x.device,
                               km._DEQUANT_DEFAULT, False, None, km._INTERPRETING)
        out = torch.empty(m, n, device="cuda", dtype=torch.bfloat16)
        rows = {}
        for _ in range(3):
            for name, fn in (("F.linear", lambda: F.linear(x, dense)), ("module", lambda: layer(x)),
                             ("wrapper", lambda: fp8_block_matmul(x, wq, scale)),
                             ("empty", lambda: x.new_empty(m, n)),
                             ("plan", lambda: km._launch_plan(x.shape, x.stride(), x.dtype, wq.shape, wq.stride(),
                                                              wq.dtype, scale.shape, scale.stride(), scale.dtype, None,
                                                              None, None, None, (128, 128), 1, x.device,
                                                              km._DEQUANT_DEFAULT, False, None, km._INTERPRETING))):
                rows.setdefault(name, []).append(host_us(fn))
            if plan.kind in ("decode", "tile") and plan.prologue is None:
                direct = next(iter(plan.compiled.values()))
                if isinstance(direct, km._DirectLaunch):
                    ptrs = [x.data_ptr(), wq.data_ptr(), scale.data_ptr(), out.data_ptr(), out.data_ptr(),
                            out.data_ptr(), out.data_ptr()] + ([out.data_ptr()] if plan.kind == "tile" else [])
                    stream = torch.cuda.current_stream().cuda_stream
                    rows.setdefault("C launch", []).append(host_us(lambda: direct(plan, stream, list(ptrs))))
        kind = plan.kind + ("+split_x" if plan.prologue is not None else "") + (" tma" if plan.descriptors else "")
        print(f"{n}x{k} M={m:5d} {kind:18s} " + "  ".join(f"{name} {min(v):5.1f}" for name, v in rows.items()),
              flush=True)
