"""Host work per eager call on the dev CPU (no GPU): the kernel wrapper and Fp8BlockLinear with Triton's compiled
launcher stubbed out (NOTES item 49). Run from any directory: python host_cpu_stub.py"""
import importlib, timeit
import torch
from fp8blk.kernels import fp8_block_matmul
km = importlib.import_module("fp8blk.kernels.fp8_block_matmul")
from fp8blk import quantize_fp8_block, Fp8BlockLinear

class Compiled:
    function, packed_metadata = "function", "metadata"
    def run(self, *args): pass
class Jit:
    def __getitem__(self, grid): return lambda *a, **k: Compiled()
km._fp8_block_matmul_kernel = Jit(); km._fp8_decode_kernel = Jit()
km._interpreting = lambda: False
km._current_stream = lambda device: 7
km._launch_plan.cache_clear()
import fp8blk.ops as ops
ops._KERNEL_DEVICE_FLAG = "is_cpu"
w, s = quantize_fp8_block(torch.randn(1024, 4096))
layer = Fp8BlockLinear.from_tensors(w, s)
n = 50000
for m in (1, 40):
    x = torch.randn(m, 4096).to(torch.bfloat16)
    fp8_block_matmul(x, w, s); layer(x)
    t1 = min(timeit.repeat(lambda: fp8_block_matmul(x, w, s), number=n, repeat=7)) / n * 1e6
    t2 = min(timeit.repeat(lambda: layer(x), number=n, repeat=7)) / n * 1e6
    print(f"M={m}: fp8_block_matmul {t1:.2f} us, module {t2:.2f} us")
