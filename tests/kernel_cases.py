"""Inputs, the float64 reference and launch plans shared by the kernel tests (tests/test_fp8_block_matmul.py,
test_fp8_decode.py)."""
import importlib
import math

import torch

from fp8blk import quantize_fp8_block

DEVICE = "cuda" if torch.cuda.is_available() else "cpu"
TOL = {torch.bfloat16: 8e-3, torch.float16: 1e-3}  # relative error vs float64, by activation dtype
H100_SHARED = 232448  # bytes of shared memory a program may opt into on an H100 (sm_90)


def make(m, n, k, x_dtype=torch.bfloat16, scale_dtype=torch.float32, bias=False, block=(128, 128), groups=1, seed=0):
    """Random x [m, groups*k], FP8 weight [groups*n, k] with rows of varied magnitude, its block scale, a bias."""
    g = torch.Generator().manual_seed(seed)
    w = torch.randn(n * groups, k, generator=g) * (torch.rand(n * groups, 1, generator=g) + 0.1)
    wq, scale = quantize_fp8_block(w, block, scale_dtype)
    x = torch.randn(m, k * groups, generator=g).to(x_dtype)
    b = torch.randn(n * groups, generator=g).to(x_dtype) if bias else None
    return x, wq, scale, b


def reference(x, wq, scale, bias, block=(128, 128), groups=1):
    """The product in float64 from the dequantized weight, group by group."""
    n_total, k = wq.shape
    w = wq.double() * scale.double().repeat_interleave(block[0], 0)[:n_total].repeat_interleave(block[1], 1)[:, :k]
    n = n_total // groups
    y = torch.cat([x[:, g * k:(g + 1) * k].double() @ w[g * n:(g + 1) * n].T for g in range(groups)], dim=1)
    return y + bias.double() if bias is not None else y


def rel_err(y, ref):
    return float((y.double().cpu() - ref).norm() / ref.norm().clamp_min(1e-30))


def launch_plan(m, n, k, device=DEVICE, groups=1, block=(128, 128), config=None, x_stride=None,
                x_dtype=torch.bfloat16, dequant="auto", batch_invariant=False, interpreting=False):
    """fp8blk's launch plan for an [m, k * groups] ``x_dtype`` x (row stride ``x_stride``, default contiguous) times an
    [n * groups, k] weight with fp32 block scales, on ``device``. Looked up at call time, so a test's monkeypatches
    of the kernel module (device facts, env switches) apply."""
    kernel_module = importlib.import_module("fp8blk.kernels.fp8_block_matmul")
    scale_shape = (math.ceil(n * groups / block[0]), math.ceil(k / block[1]))
    return kernel_module._launch_plan((m, k * groups), x_stride or (k * groups, 1), x_dtype, (n * groups, k),
                                      (k, 1), torch.float8_e4m3fn, scale_shape, (scale_shape[1], 1), torch.float32, None, None,
                                      (m, n * groups), (n * groups, 1), block, groups, torch.device(device), dequant,
                                      batch_invariant, config, interpreting)


def forget_plans():
    """Clears the launch caches (plans and chosen configs), e.g. after a test faked the GPU's facts."""
    kernel_module = importlib.import_module("fp8blk.kernels.fp8_block_matmul")
    kernel_module._launch_plan.cache_clear()
    kernel_module.choose_config.cache_clear()


def on_faked_gpu(monkeypatch, capability=(9, 0), shared_memory=H100_SHARED):
    """The kernel module with its device facts faked (a 132-SM GPU "gpu" of ``capability`` and ``shared_memory``
    bytes a program may opt into) and its launch caches cleared; returns the module."""
    kernel_module = importlib.import_module("fp8blk.kernels.fp8_block_matmul")
    monkeypatch.setattr(kernel_module, "_device_facts", lambda device: ("gpu", 132, capability, shared_memory))
    forget_plans()
    return kernel_module
