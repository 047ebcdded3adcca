"""exp116 (plan item 3 after v56): M = 24 against M = 32 on the same decode launch -- the kernel as Triton builds it
(M specialized: M = 32 divisible by 16, M = 24 not) against a copy built general in M (do_not_specialize), timed
at both M. If the general build at M = 32 is as slow as M = 24, the build explains the gap; if it is as fast as the
specialized M = 32, the predicated-off rows at run time do. CUDA graphs, weights rotated, three alternating rounds."""
import sys

import torch
import triton
from fp8blk.bench.inputs import random_fp8_weight, float64_reference
from fp8blk.bench.timing import time_calls
import fp8blk.kernels  # noqa: F401 (loads the kernel modules)
km = sys.modules["fp8blk.kernels.fp8_block_matmul"]
dec = sys.modules["fp8blk.kernels.fp8_decode"]
dev = torch.device("cuda", 0)
l2 = torch.cuda.get_device_properties(0).L2_cache_size
special = km._fp8_decode_kernel
general = triton.JITFunction(special.fn, do_not_specialize=["M"])
for n, k in ((8192, 1536), (7168, 3072), (7168, 2048), (4096, 2048), (2048, 7168), (7168, 16384)):
    copies = max(2, -(-2 * l2 // (n * k)))
    ws = [random_fp8_weight(n, k) for _ in range(copies)]
    xs = {m: [torch.randn(m, k, device="cuda").to(torch.bfloat16) for _ in range(copies)] for m in (24, 32)}
    config = km.launch_config(32, n, k, dev)
    times, errs = {}, {}
    for _ in range(3):
        for build, kernel in (("special", special), ("general", general)):
            km._fp8_decode_kernel = kernel
            km._launch_plan.cache_clear()
            for m in (24, 32):
                y = km.fp8_block_matmul(xs[m][0], *ws[0], config=config)
                ref = float64_reference(xs[m][0], *ws[0])
                errs[build, m] = ((y.double() - ref).norm() / ref.norm()).item()
                times.setdefault((build, m), []).append(time_calls(
                    lambda i, m=m: km.fp8_block_matmul(xs[m][i], *ws[i], config=config), copies,
                    graphs=True)["median_us"])
    km._fp8_decode_kernel = special
    km._launch_plan.cache_clear()
    best = {key: min(v) for key, v in times.items()}
    print(f"{n}x{k} {tuple(config)} | special M=24 {best['special', 24]:.2f} M=32 {best['special', 32]:.2f} | "
          f"general M=24 {best['general', 24]:.2f} M=32 {best['general', 32]:.2f} us | "
          f"max err {max(errs.values()):.1e}", flush=True)
    ws = xs = None
    torch.cuda.empty_cache()
