"""exp90 (prepared 2026-11-28f, not run): where exp88's extra ~0.8 us of eager GPU time per fp8blk launch comes from.
Eager (events around each call, queued behind a GPU sleep) and graphed time of: an empty Triton kernel launched by
Triton's JIT and by its compiled launcher directly, at 132 and 528 programs; a one-kernel torch op (zero_ of 4 KB);
a small cuBLAS GEMM; and fp8blk's decode launch of 1024x4096 M=1 (exp88: 6.7 eager / 4.0 graphed, cuBLAS 9.7 / 7.7).
If the empty Triton kernel shows the excess over the torch op, it is the launch path (cuLaunchKernelEx with no
attributes), not the kernels; if not, the kernels' parameters or resources."""
import torch
import triton
import triton.language as tl
from fp8blk.bench.inputs import random_fp8_weight
from fp8blk.bench.timing import time_calls
from fp8blk.kernels import fp8_block_matmul


@triton.jit
def _empty(x_ptr, n, BLOCK: tl.constexpr):
    pid = tl.program_id(0)
    if pid < 0:  # never: keeps the argument used
        tl.store(x_ptr + tl.arange(0, BLOCK), tl.zeros((BLOCK,), tl.float32), mask=tl.arange(0, BLOCK) < n)


buf = torch.zeros(1024, device="cuda")
a = torch.randn(64, 64, device="cuda", dtype=torch.bfloat16)
compiled = _empty[(132,)](buf, 0, BLOCK=128)
w = random_fp8_weight(1024, 4096)
xs = [torch.randn(1, 4096, device="cuda").to(torch.bfloat16) for _ in range(2)]
cases = {
    "triton empty 132 (jit)": lambda i: _empty[(132,)](buf, 0, BLOCK=128),
    "triton empty 528 (jit)": lambda i: _empty[(528,)](buf, 0, BLOCK=128),
    "torch zero_ 4KB": lambda i: buf.zero_(),
    "cublas 64x64x64": lambda i: a @ a,
    "fp8blk 1024x4096 M=1": lambda i: fp8_block_matmul(xs[i], *w),
}
for name, call in cases.items():
    row = {}
    for graphs in (False, True):
        row["graph" if graphs else "eager"] = min(time_calls(call, 2, graphs=graphs)["median_us"] for _ in range(3))
    print(f"{name:24s} eager {row['eager']:.2f}  graph {row['graph']:.2f}  eager-graph {row['eager'] - row['graph']:.2f}",
          flush=True)
