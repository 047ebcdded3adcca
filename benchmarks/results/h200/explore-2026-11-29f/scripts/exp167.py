"""exp167 (prepared for the next session, not run): the deep streams (M = 1, 32 rows x 512 columns a step on 4 warps:
128 weights a thread) with row pieces under a register cap. Offline (ptxas, sm_90, 4096 x 8192's build, masked):
v70's deep build 61 registers, 585 instructions a K step; with row pieces 126 registers, 440 a step (so 4 programs a
SM where the launch has 7.75); with row pieces and `maxnreg` 64: 64 registers, 64 bytes spilled (16 spill loads a
step, none stored in the loop), 477 a step; `maxnreg` 72: 36 bytes, 466 a step (7 programs a SM). In one process
(the plan's functions switched, its cache cleared): v70's launch, row pieces capped at 64 and at 72 registers, each
with masks as v70's plan has them (dropped only with row pieces where N and K fill the steps); CUDA graphs, weights
rotated, three alternating rounds, float64 errors."""
import sys

import torch
from fp8blk.bench.inputs import random_fp8_weight, float64_reference
from fp8blk.bench.timing import time_calls
import fp8blk.kernels  # noqa: F401
km = sys.modules["fp8blk.kernels.fp8_block_matmul"]
dec = sys.modules["fp8blk.kernels.fp8_decode"]
dev = torch.device("cuda", 0)
l2 = torch.cuda.get_device_properties(0).L2_cache_size
PIECES, MASKS, OPTIONS = km.keeps_row_pieces, km.drops_masks, km._compile_options


def use(cap):
    """cap 0: v70; else row pieces on every CUDA-core launch of >= 2 rows, registers capped at ``cap``."""
    if cap:
        km.keeps_row_pieces = lambda c: not c.use_mma and c.block_n >= 2
        km.drops_masks = lambda n, k, c: (km.keeps_row_pieces(c) and n % c.block_n == 0
                                          and k % (c.subs * c.sub_k) == 0)
        km._compile_options = lambda c, pdl: OPTIONS(c, pdl) + ((("maxnreg", cap),) if not c.use_mma else ())
    else:
        km.keeps_row_pieces, km.drops_masks, km._compile_options = PIECES, MASKS, OPTIONS
    km._launch_plan.cache_clear()


LAYERS = [(4096, 8192), (7168, 16384), (4096, 4096), (3584, 8192), (7168, 12288), (2048, 16384), (5120, 6144),
          (6144, 5120), (7168, 3072), (10240, 2560), (12288, 4096)]
for n, k in LAYERS:
    copies = max(2, -(-2 * l2 // (n * k)))
    ws = [random_fp8_weight(n, k) for _ in range(copies)]
    xs = [torch.randn(1, k, device="cuda").to(torch.bfloat16) for _ in range(copies)]
    ref = float64_reference(xs[0], *ws[0])
    times, errs = {}, {}
    for _ in range(3):
        for cap in (0, 64, 72):
            use(cap)
            call = lambda i: km.fp8_block_matmul(xs[i], *ws[i])
            times.setdefault(cap, []).append(time_calls(call, copies, graphs=True)["median_us"])
            errs.setdefault(cap, ((call(0).double() - ref).norm() / ref.norm()).item())
    use(0)
    best = {cap: min(v) for cap, v in times.items()}
    print(f"{n}x{k} M=1 {tuple(km.launch_config(1, n, k, dev))[:5]}: v70 {best[0]:.2f} | pieces cap 64 {best[64]:.2f} "
          f"(x{best[0] / best[64]:.3f}) | cap 72 {best[72]:.2f} (x{best[0] / best[72]:.3f}) err "
          f"{max(errs.values()):.1e}", flush=True)
    ws = xs = None
    torch.cuda.empty_cache()
