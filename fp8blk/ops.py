"""The one op every fp8blk layer calls: ``y = x @ dequant(weight, scale).T (+ bias)``.

Registered as the PyTorch custom op ``fp8blk::fp8_block_linear`` so ``torch.compile`` treats it as
one opaque call; eager calls skip the op's dispatcher (tens of microseconds of host time per call).
It dispatches on the device: CUDA tensors run the Triton kernel (``fp8blk.kernels.fp8_block_matmul``);
everything else runs the reference path (dequantize, then matmul in float32).
"""
from __future__ import annotations

import functools
from typing import Callable, Dict, List, Optional, Sequence

import torch

from .errors import Fp8FormatError
from .formats import (DEFAULT_BLOCK_SIZE, SCALE_DTYPES, check_block_scale, check_fp8_weight,
                      expand_block_scale, normalize_block_size)

ACTIVATION_DTYPES = (torch.bfloat16, torch.float16)


def compute_path(device: torch.device) -> str:
    """Names the implementation ``fp8_block_linear`` uses for tensors on ``device``."""
    return "triton kernel (fp8blk.kernels)" if torch.device(device).type == "cuda" else "reference (dequantize + fp32 matmul)"


def reference_linear(x: torch.Tensor, weight: torch.Tensor, scale: torch.Tensor, bias: Optional[torch.Tensor],
                     block_size: Sequence[int]) -> torch.Tensor:
    """Dequantizes the weight and multiplies in float32; ``x`` is 2-D. Output in ``x.dtype``."""
    w = weight.to(torch.float32) * expand_block_scale(scale, weight.shape, block_size)
    y = x.to(torch.float32) @ w.T
    if bias is not None:
        y = y + bias.to(torch.float32)
    return y.to(x.dtype)


_KERNEL = None  # fp8blk.kernels.fp8_block_matmul, imported on the first CUDA call (it imports Triton)
# The tensor flag of the device that runs the kernel (tests point it at "is_cpu" with a stand-in kernel): a flag, not
# ``x.device.type``, which builds a device object and its type string per call (0.31 µs against 0.06 on a dev CPU).
_KERNEL_DEVICE_FLAG = "is_cuda"


def _kernel():
    global _KERNEL
    if _KERNEL is None:
        from fp8blk.kernels import fp8_block_matmul
        _KERNEL = fp8_block_matmul
    return _KERNEL


_BIND = None  # fp8blk.kernels.bind_call, imported on the first binding


def _bind():
    global _BIND
    if _BIND is None:
        from fp8blk.kernels import bind_call
        _BIND = bind_call
    return _BIND


def _dispatch(x: torch.Tensor, weight: torch.Tensor, scale: torch.Tensor, bias: Optional[torch.Tensor],
              block_size: Sequence[int]) -> torch.Tensor:
    if getattr(x, _KERNEL_DEVICE_FLAG):
        return _kernel()(x, weight, scale, bias, tuple(block_size))
    return reference_linear(x, weight, scale, bias, block_size)


@torch.library.custom_op("fp8blk::fp8_block_linear", mutates_args=())
def _fp8_block_linear_op(x: torch.Tensor, weight: torch.Tensor, scale: torch.Tensor, bias: Optional[torch.Tensor],
                         block_size: List[int]) -> torch.Tensor:
    return _dispatch(x, weight, scale, bias, block_size)


@_fp8_block_linear_op.register_fake
def _(x, weight, scale, bias, block_size):
    return x.new_empty((x.shape[0], weight.shape[0]))


def check_linear_inputs(x: torch.Tensor, weight: torch.Tensor, scale: torch.Tensor, bias: Optional[torch.Tensor],
                        block_size: Sequence[int], compiling: bool = False) -> None:
    """Metadata-only checks (no device sync) of ``fp8_block_linear``'s inputs.

    The verdict depends on dtypes, shapes (x's last dim only) and devices, so it is cached per signature:
    a forward pays the checks once, later calls a dictionary lookup (a bad signature raises every time).
    ``compiling`` (under torch.compile) runs the checks uncached: dynamo traces through caches anyway.
    """
    check = _check_signature.__wrapped__ if compiling else _check_signature
    check(x.dtype, x.shape[-1] if x.dim() else None, weight.dtype, tuple(weight.shape), scale.dtype, tuple(scale.shape),
          None if bias is None else tuple(bias.shape), tuple(block_size),
          (x.device, weight.device, scale.device) + (() if bias is None else (bias.device,)))


@functools.lru_cache(maxsize=1024)
def _check_signature(x_dtype, x_features, weight_dtype, weight_shape, scale_dtype, scale_shape, bias_shape, block_size,
                     devices) -> None:
    check_fp8_weight(torch.empty(weight_shape, dtype=weight_dtype, device="meta"), key="weight")
    check_block_scale(torch.empty(scale_shape, dtype=scale_dtype, device="meta"), weight_shape, block_size,
                      key="scale", check_values=False)
    if x_dtype not in ACTIVATION_DTYPES:
        raise Fp8FormatError(f"x must be bfloat16 or float16, found {x_dtype}")
    if x_features != weight_shape[1]:
        raise Fp8FormatError(f"x has {'no' if x_features is None else x_features} features in its last dim, the weight "
                             f"expects K = {weight_shape[1]} (weight shape {list(weight_shape)})")
    if bias_shape is not None and (len(bias_shape) != 1 or bias_shape[0] != weight_shape[0]):
        raise Fp8FormatError(f"bias must have shape [{weight_shape[0]}], found {list(bias_shape)}")
    if len(set(devices)) != 1:
        raise Fp8FormatError(f"x, weight, scale and bias must be on one device, found {sorted(map(str, set(devices)))}")


def fp8_block_linear(x: torch.Tensor, weight: torch.Tensor, scale: torch.Tensor, bias: Optional[torch.Tensor] = None,
                     block_size: Sequence[int] = DEFAULT_BLOCK_SIZE, normalized: bool = False) -> torch.Tensor:
    """``x @ dequantize_fp8_block(weight, scale, block_size).T (+ bias)``, accumulated in float32.

    Args:
        x: bfloat16 or float16 ``[..., K]`` (any leading dims).
        weight: float8_e4m3fn ``[N, K]``.
        scale: ``[ceil(N/block_n), ceil(K/block_k)]``, float32, bfloat16, float16 or float8_e8m0fnu
            (multiplicative: ``W[n, k] = float(weight[n, k]) * scale[n // block_n, k // block_k]``).
        bias: optional ``[N]``.
        block_size: ``(block_n, block_k)``.
        normalized: ``block_size`` is already a tuple of two positive ints (``Fp8BlockLinear`` passes its own).

    Returns ``[..., N]`` in ``x.dtype``. CUDA inputs run the Triton kernel, others the reference path.
    Raises ``Fp8FormatError`` for wrong shapes, dtypes or mixed devices.
    """
    if not normalized:
        block_size = normalize_block_size(block_size)
    compiling = torch.compiler.is_compiling()
    dims = x.dim()
    # An eager GPU call leaves validation to the kernel, whose launch plan checks the same signature (cached per
    # signature, so a decode step pays it once, not twice); its error is then restated in fp8blk's words below.
    eager_kernel = not compiling and dims != 0 and getattr(x, _KERNEL_DEVICE_FLAG)
    if not eager_kernel:
        check_linear_inputs(x, weight, scale, bias, block_size, compiling)
    rows = x if dims == 2 else x.reshape(-1, x.shape[-1])
    try:
        if eager_kernel:  # called directly: the custom op's dispatch would cost more host time than a decode kernel
            y = (_KERNEL or _kernel())(rows, weight, scale, bias, block_size)
        elif compiling:  # one opaque op in the graph
            y = _fp8_block_linear_op(rows, weight, scale, bias, list(block_size))
        else:
            y = reference_linear(rows, weight, scale, bias, block_size)
    except ValueError:
        if eager_kernel:  # malformed input raises Fp8FormatError naming what is wrong; else the kernel's own error
            check_linear_inputs(x, weight, scale, bias, block_size)
        raise
    return y if dims == 2 else y.reshape(*x.shape[:-1], weight.shape[0])


class BoundLinear:
    """``fp8_block_linear`` for one layer's tensors, with the kernel's launches bound per input signature.

    The first eager GPU call of each x signature (shape, strides, dtype, device) runs ``fp8_block_linear`` and then
    binds that launch (``fp8blk.kernels.bind_call``); later calls with that signature skip the op layer, the kernel
    wrapper's checks and its plan lookup: they allocate the output and call the compiled launchers, so an eager call
    costs about what the bare kernel wrapper does (``benchmarks/NOTES.md`` item 87). The bindings are keyed on the
    layer tensors' addresses, so a tensor replaced or moved (``.data =``, ``.to()``) is bound anew; changing a
    tensor's shape or strides in place while keeping its storage address (``.data =`` a view of the same storage) is
    not detected, and the owner must ``clear()``. CPU tensors, ``torch.compile`` and calls a binding cannot take go
    through ``fp8_block_linear``.
    """
    MAX_BINDINGS = 64  # per layer (decode steps reuse one or two signatures; prefill sees many M)

    def __init__(self) -> None:
        self._bound: Dict[tuple, Optional[Callable[[torch.Tensor], Optional[torch.Tensor]]]] = {}

    def clear(self) -> None:
        """Forgets every binding (the owner's tensors were replaced)."""
        self._bound.clear()

    def __call__(self, x: torch.Tensor, weight: torch.Tensor, scale: torch.Tensor, bias: Optional[torch.Tensor],
                 block_size: Sequence[int]) -> torch.Tensor:
        """``fp8_block_linear(x, weight, scale, bias, block_size)``; ``block_size`` a normalized tuple."""
        if getattr(x, _KERNEL_DEVICE_FLAG) and not torch.compiler.is_compiling():
            key = (x.shape, x.stride(), x.dtype, x.get_device(), weight.data_ptr(), scale.data_ptr(),
                   None if bias is None else bias.data_ptr())
            bound = self._bound.get(key, _UNBOUND)
            if bound is _UNBOUND:  # first call of this signature: the full path (checks, plan, compile), then bind
                y = fp8_block_linear(x, weight, scale, bias, block_size, normalized=True)
                if len(self._bound) >= self.MAX_BINDINGS:
                    self._bound.clear()
                self._bound[key] = (_BIND or _bind())(x, weight, scale, bias, block_size)
                return y
            if bound is not None:
                y = bound(x)
                if y is not None:
                    return y
        return fp8_block_linear(x, weight, scale, bias, block_size, normalized=True)


_UNBOUND = object()  # a signature not seen yet (a None binding: seen, and not bindable)


__all__ = ["fp8_block_linear", "reference_linear", "compute_path", "BoundLinear", "ACTIVATION_DTYPES", "SCALE_DTYPES"]
