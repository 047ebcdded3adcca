"""A small subset through pytest-benchmark:  pytest benchmarks/ --benchmark-only  (needs a CUDA GPU)."""
import pytest
import torch

from fp8blk import quantize_fp8_block
from fp8blk.kernels import fp8_block_matmul

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(),
                                reason="needs a CUDA GPU: these time GPU kernels (the harness logic is tested on CPU "
                                       "in tests/test_bench.py)")


@pytest.mark.parametrize("n,k", [(512, 4096), (4096, 8192)])
@pytest.mark.parametrize("m", [1, 4096])
def test_fp8_block_matmul_speed(benchmark, n, k, m):
    wq, scale = quantize_fp8_block(torch.randn(n, k, device="cuda") * 0.02)
    x = torch.randn(m, k, device="cuda").to(torch.bfloat16)

    def call():
        fp8_block_matmul(x, wq, scale)
        torch.cuda.synchronize()
    benchmark(call)
