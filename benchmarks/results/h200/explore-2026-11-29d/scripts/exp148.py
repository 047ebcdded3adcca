"""exp148: where an eager launch's host time goes on this host (issue 13). Median µs per call (2000 calls, GPU kept
busy by a sleep first): an empty Triton kernel through its C launcher (no arguments) and straight through the
driver (ctypes cuLaunchKernel, the same CUfunction); torch's zero_ on one element; the split-x prologue's direct
launch (fp8blk's _DirectLaunch) and its C launcher with a prebuilt argument tuple; the serving launch's C launcher;
a whole bound split-x call and F.linear."""
import ctypes
import statistics
import sys
import time

import torch
import torch.nn.functional as F
import triton
import triton.language as tl
from fp8blk.bench.inputs import random_fp8_weight
import fp8blk.kernels  # noqa: F401
km = sys.modules["fp8blk.kernels.fp8_block_matmul"]


@triton.jit
def _empty():
    pass


def per_call(fn, calls=2000):
    for _ in range(20):
        fn()
    torch.cuda.synchronize()
    torch.cuda._sleep(1_500_000_000)
    spent = []
    for _ in range(calls):
        start = time.perf_counter()
        fn()
        spent.append(time.perf_counter() - start)
    torch.cuda.synchronize()
    return statistics.median(spent) * 1e6


stream = torch.cuda.current_stream().cuda_stream
compiled = _empty[(1,)]()
launcher = compiled.run
c_launch = launcher.launch
head = (launcher.launch_cooperative_grid, launcher.launch_pdl, None, None, compiled.packed_metadata, None, None, None)
results = {}
results["empty: CompiledKernel.run (Triton's Python layer + C launcher)"] = per_call(
    lambda: launcher(1, 1, 1, stream, compiled.function, compiled.packed_metadata, None, None, None))
results["empty: C launcher, prebuilt head"] = per_call(lambda: c_launch(1, 1, 1, stream, compiled.function, *head))
libcuda = ctypes.CDLL("libcuda.so.1")
cu_launch = libcuda.cuLaunchKernel
cu_launch.restype = ctypes.c_int
cu_launch.argtypes = [ctypes.c_void_p] + [ctypes.c_uint] * 7 + [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p]
scratch = [ctypes.c_void_p(0), ctypes.c_void_p(0)]  # Triton 3.6 kernels take two scratch pointers
params = (ctypes.c_void_p * 2)(*[ctypes.addressof(p) for p in scratch])
threads = 32 * compiled.metadata.num_warps
shared = compiled.metadata.shared
rc = cu_launch(compiled.function, 1, 1, 1, threads, 1, 1, shared, stream, params, None)
torch.cuda.synchronize()
print("ctypes cuLaunchKernel rc", rc, flush=True)
results["empty: ctypes cuLaunchKernel (driver + ctypes)"] = per_call(
    lambda: cu_launch(compiled.function, 1, 1, 1, threads, 1, 1, shared, stream, params, None))
one = torch.zeros(1, device="cuda")
results["torch zero_ on 1 element"] = per_call(one.zero_)

n, k, m = 32768, 1024, 96  # the serving kernel after the split-x prologue (rule)
w, s = random_fp8_weight(n, k)
x = torch.randn(m, k, device="cuda").to(torch.bfloat16)
dense = (w.float() * s.repeat_interleave(128, 0)[:n].repeat_interleave(128, 1)[:, :k]).to(torch.bfloat16)
km.fp8_block_matmul(x, w, s)
bound = km.bind_call(x, w, s)
print("plan", bound.plan.kind, bound.plan.config, flush=True)
plan, pro = bound.plan, bound.prologue
terms, row_scales = km._split_x_buffers(x.device, m, k, plan.prologue.int_args[0])
pro_args = [x.data_ptr(), terms.data_ptr(), row_scales.data_ptr()]
results["split-x prologue: _DirectLaunch.__call__"] = per_call(lambda: pro(plan.prologue, stream, list(pro_args)))
full = (*plan.prologue.grid, stream, pro.function, *pro.head, *pro_args, *plan.prologue.int_args,
        *plan.prologue.constexpr_values)
print("prologue C launcher arguments:", len(full), flush=True)
results["split-x prologue: C launcher, prebuilt tuple"] = per_call(lambda: pro.launch(*full))
minimal = (*plan.prologue.grid, stream, pro.function, *pro.head, *pro_args, *plan.prologue.int_args)
results["bound call (split x + serving)"] = per_call(lambda: bound(x), 1000)
results["F.linear bf16"] = per_call(lambda: F.linear(x, dense), 1000)
results["x.new_empty(m, n)"] = per_call(lambda: x.new_empty(m, n))
for name, us in results.items():
    print(f"{us:8.2f} us  {name}", flush=True)
