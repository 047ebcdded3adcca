"""prof151: is the M = 1 decode launch on 16-32 MB layers held by its arithmetic or by its memory stream (H200,
issue 11: 63-69% of read bandwidth)? For each layer: the rule's launch, the same launch forced 3 and 4 stages
deep, and a load-only Triton kernel of the rule's geometry (same grid, rows, step bytes, stages; the bytes are
xor-folded as int32, ~0.25 instructions a byte) at 2 / 3 / 4 stages. Mode 'time': CUDA graphs, weights rotated,
best of two rounds. Mode 'ncu': the rule's launch and the load-only one, one call each between
profiler.start/stop."""
import sys

import torch
import triton
import triton.language as tl
from fp8blk.bench.inputs import random_fp8_weight, float64_reference
from fp8blk.bench.timing import time_calls
import fp8blk.kernels  # noqa: F401
km = sys.modules["fp8blk.kernels.fp8_block_matmul"]


@triton.jit
def _load_only(w_ptr, out_ptr, N, K4, stride_wn, BLOCK_N: tl.constexpr, STEP4: tl.constexpr, SPLIT_K: tl.constexpr,
               NUM_STAGES: tl.constexpr):
    pid_n = tl.program_id(0)
    split = tl.program_id(1)
    offs_n = pid_n * BLOCK_N + tl.arange(0, BLOCK_N)
    offs_k = tl.arange(0, STEP4)
    steps = tl.cdiv(K4, STEP4)
    per = tl.cdiv(steps, SPLIT_K)
    first = split * per
    last = tl.minimum(first + per, steps)
    acc = tl.zeros((BLOCK_N, STEP4), dtype=tl.int32)
    for step in tl.range(first, last, num_stages=NUM_STAGES):
        k = step * STEP4 + offs_k
        acc ^= tl.load(w_ptr + offs_n[:, None] * stride_wn + k[None, :], mask=(offs_n[:, None] < N) & (k[None, :] < K4),
                       other=0)
    tl.store(out_ptr + pid_n * SPLIT_K + split, tl.xor_sum(tl.xor_sum(acc, 1), 0))


mode = sys.argv[1]
dev = torch.device("cuda", 0)
l2 = torch.cuda.get_device_properties(0).L2_cache_size
LAYERS = [(32768, 1024, 1), (4096, 8192, 1), (1024, 4096, 8), (4096, 4096, 1), (7168, 16384, 1), (2048, 4096, 1)]
for n, k, g in LAYERS:
    copies = max(2, -(-2 * l2 // (n * k * g)))
    ws = [random_fp8_weight(g * n, k) for _ in range(copies)]
    xs = [torch.randn(1, g * k, device="cuda").to(torch.bfloat16) for _ in range(copies)]
    rule = km.launch_config(1, n, k, dev, groups=g)
    calls = {"rule": lambda i: km.fp8_block_matmul(xs[i], *ws[i], groups=g)}
    for st in (3, 4):
        if rule.num_stages != st:
            calls[f"rule_s{st}"] = lambda i, c=rule._replace(num_stages=st): km.fp8_block_matmul(xs[i], *ws[i], groups=g,
                                                                                                    config=c)
    step4 = rule.subs * rule.sub_k // 4
    grid = (triton.cdiv(g * n, rule.block_n), rule.split_k)
    sink = torch.empty(grid[0] * grid[1], device="cuda", dtype=torch.int32)
    for st in (2, 3, 4):
        calls[f"load_s{st}"] = (lambda i, st=st: _load_only[grid](ws[i][0].view(torch.int32), sink, g * n, k // 4, k // 4,
                                                                   rule.block_n, step4, rule.split_k, st, num_warps=4))
    print(f"{n}x{k} g{g} M=1 rule {tuple(rule)} copies {copies}", flush=True)
    if mode == "time":
        ref = float64_reference(xs[0], *ws[0]) if g == 1 else None
        times = {}
        for _ in range(2):
            for name, call in calls.items():
                times.setdefault(name, []).append(time_calls(call, copies, graphs=True)["median_us"])
        mb = g * n * k / 1e6
        for name in calls:
            t = min(times[name])
            err = ""
            if ref is not None and name.startswith("rule"):
                err = f"err {((calls[name](0).double() - ref).norm() / ref.norm()).item():.1e}"
            print(f"  {name:8s} {t:7.2f} us  {mb / t:6.0f} GB/s  {err}", flush=True)
    else:
        for name in ("rule", "load_s2", f"load_s{rule.num_stages}"):
            call = calls[name]
            for i in range(3):
                call(i % copies)
            torch.cuda.synchronize()
            torch.cuda.profiler.start()
            call(1)
            torch.cuda.synchronize()
            torch.cuda.profiler.stop()
    ws = xs = None
    torch.cuda.empty_cache()
