"""The in-process implementations the harness compares (peers from other libraries: ``peers.py``), all fed the
same FP8 weights, scales and activations.

Each ``make_<impl>(weights, scales, xs)`` returns ``call(i) -> y`` for rotated copy ``i``.
"""
from __future__ import annotations

from typing import Callable, List, Optional

import torch
import torch.nn.functional as F

from fp8blk import Fp8BlockLinear
from fp8blk.formats import dequantize_fp8_block
from fp8blk.kernels import fp8_block_matmul

Call = Callable[[int], torch.Tensor]


def make_fp8blk(weights: List[torch.Tensor], scales: List[torch.Tensor], xs: List[torch.Tensor], groups: int = 1) -> Call:
    """As a user calls it: an ``Fp8BlockLinear`` module (its ``host_us`` is the module's); grouped layers through the
    kernel's grouped launch (the module has no groups)."""
    if groups > 1:
        return lambda i: fp8_block_matmul(xs[i], weights[i], scales[i], groups=groups)
    layers = [Fp8BlockLinear.from_tensors(w, s) for w, s in zip(weights, scales)]
    return lambda i: layers[i](xs[i])


def make_cublas_bf16(weights, scales, xs, groups: int = 1) -> Call:
    """``F.linear`` on bf16 weights dequantized once, like a user with memory to spare."""
    dense = [dequantize_fp8_block(w, s) for w, s in zip(weights, scales)]
    return lambda i: F.linear(xs[i], dense[i])


def make_torch_dequant(weights, scales, xs, groups: int = 1) -> Call:
    return lambda i: xs[i] @ dequantize_fp8_block(weights[i], scales[i]).T


class MarlinFactory:
    """Builds vLLM's Marlin once per process and prepares layers for it."""

    def __init__(self, sdist: Optional[str] = None) -> None:
        from . import marlin
        self._marlin = marlin
        self._module = None
        self._sdist = sdist
        self.source = "not run"  # which Marlin the points use, once one ran (the report's header names it)

    def __call__(self, weights, scales, xs, groups: int = 1) -> Call:
        applies = []
        for w, s in zip(weights, scales):
            apply = self._marlin.vllm_apply(w, s)
            if apply is not None:
                self.source = "vllm (installed)"
            else:
                if self._module is None:
                    try:
                        self._module = self._marlin.build(self._sdist)
                    except Exception as exc:
                        self.source = f"unavailable ({type(exc).__name__}; each point says why)"
                        raise
                    self.source = f"vLLM {self._module.vllm_version} sdist, Marlin built by fp8blk.bench"
                apply = self._marlin.prepare(self._module, w, s)
            applies.append(apply)
        return lambda i: applies[i](xs[i])
