"""Peer FP8 GEMMs from other libraries, fed the harness's FP8 weights, block scales and activations.

Each ``make_<peer>(weights, scales, xs, groups)`` returns ``call(i) -> y`` for rotated copy ``i``, or raises
``PeerUnavailable`` with a one-line reason (not importable, no kernel for this GPU). Peers are timed like every
other implementation, but in a child process (``contained.py``): one of them crashing poisons only its own CUDA
context.

Numerics differ between peers, and the report says how:

* ``gemlite_a16w8_fp8``: GemLite's A16W8 FP8 (weight-only, **per-channel** scales). Our block-quantized weight is
  dequantized and re-quantized per output channel, so its error includes that re-quantization.
* ``gemlite_a8w8_fp8_block``: GemLite's A8W8 FP8 with ``block_quant=True``: our FP8 weight and 128x128 block scales
  as they are, **activations quantized to FP8** per 1x128 group on the fly (W8A8: a coarser numerics class).
* ``hf_fp8linear``: Hugging Face transformers' fine-grained FP8 linear (``FP8Linear``, W8A8 with dynamic per-token
  group activation quantization) on our weight and ``weight_scale_inv``.

GemLite runs with its default launch configs unless ``FP8BLK_GEMLITE_AUTOTUNE`` says ``fast``/``max``: its own
autotuning takes minutes per shape on GPUs it ships no tuned configs for.
"""
from __future__ import annotations

import os
from typing import Callable, Dict, List

import torch

from fp8blk.formats import dequantize_fp8_block

Call = Callable[[int], torch.Tensor]


class PeerUnavailable(RuntimeError):
    """The peer cannot run here; the message is the one-line reason recorded in the results."""


NUMERICS = {
    "gemlite_a16w8_fp8": "W8A16, per-channel FP8 weights (our block weights re-quantized per channel); GemLite's "
                         "autotune as FP8BLK_GEMLITE_AUTOTUNE says (default: its default configs)",
    "gemlite_a8w8_fp8_block": "W8A8, our block FP8 weights, activations quantized to FP8 per 1x128 group",
    "hf_fp8linear": "W8A8, our block FP8 weights, activations quantized to FP8 per 1x128 group (transformers)",
}
W8A8 = ("gemlite_a8w8_fp8_block", "hf_fp8linear")
REQUANTIZED = ("gemlite_a16w8_fp8",)  # re-quantizes our weights: its error includes that quantization (~2.6%)


GEMLITE_AUTOTUNE_ENV = "FP8BLK_GEMLITE_AUTOTUNE"  # "default" (GemLite's default configs; the harness default),
# "fast" or "max" (GemLite's own autotuning: minutes per shape on a GPU it has no stored configs for)
_GEMLITE_READY = False


def _gemlite():
    global _GEMLITE_READY
    try:
        import gemlite.helper as helper
        from gemlite.triton_kernels.config import set_autotune
    except Exception as exc:  # noqa: BLE001 - any import failure is a reason to skip
        raise PeerUnavailable(f"gemlite not importable ({type(exc).__name__}: {exc})".split("\n")[0]) from exc
    if not _GEMLITE_READY:
        set_autotune(os.environ.get(GEMLITE_AUTOTUNE_ENV, "default"))
        _GEMLITE_READY = True
    return helper


def _per_group(make_layer, weights: List[torch.Tensor], scales: List[torch.Tensor], groups: int) -> List[List]:
    """One peer layer per group slice of each rotated copy (peers have no grouped launch)."""
    layers = []
    for weight, scale in zip(weights, scales):
        n = weight.shape[0] // groups
        layers.append([make_layer(weight[g * n:(g + 1) * n], scale[g * n // 128:(g + 1) * n // 128] if groups > 1 else scale)
                       for g in range(groups)])
    return layers


def _grouped_call(layers: List[List], xs: List[torch.Tensor], groups: int) -> Call:
    if groups == 1:
        return lambda i: layers[i][0](xs[i])
    k = xs[0].shape[1] // groups
    return lambda i: torch.cat([layers[i][g](xs[i][:, g * k:(g + 1) * k]) for g in range(groups)], dim=1)


def make_gemlite_a16w8_fp8(weights, scales, xs, groups: int = 1) -> Call:
    helper = _gemlite()

    def layer(weight, scale):
        dense = dequantize_fp8_block(weight, scale).to(torch.bfloat16)
        return helper.A16W8_FP8(device=str(weight.device), dtype=torch.bfloat16).from_weights(dense)
    return _grouped_call(_per_group(layer, weights, scales, groups), xs, groups)


def make_gemlite_a8w8_fp8_block(weights, scales, xs, groups: int = 1) -> Call:
    helper = _gemlite()

    def layer(weight, scale):
        return helper.A8W8_fp8_dynamic(device=str(weight.device), dtype=torch.bfloat16, fp8=torch.float8_e4m3fn,
                                       block_quant=True).from_weights(weight, scales=scale.float())
    return _grouped_call(_per_group(layer, weights, scales, groups), xs, groups)


def make_hf_fp8linear(weights, scales, xs, groups: int = 1) -> Call:
    try:
        from transformers.integrations.finegrained_fp8 import FP8Linear
    except Exception as exc:  # noqa: BLE001
        raise PeerUnavailable(f"transformers' finegrained_fp8 not importable ({type(exc).__name__})") from exc

    def layer(weight, scale):
        module = FP8Linear(weight.shape[1], weight.shape[0], block_size=(128, 128)).to(weight.device)
        module.weight.data = weight
        module.weight_scale_inv.data = scale.float()
        return module
    call = _grouped_call(_per_group(layer, weights, scales, groups), xs, groups)
    try:
        call(0)
    except Exception as exc:  # noqa: BLE001 - e.g. its Triton kernel comes from a hub download
        raise PeerUnavailable(f"transformers FP8Linear failed: {type(exc).__name__}: {exc}".split("\n")[0][:200]) from exc
    return call


PEERS: Dict[str, Callable] = {"gemlite_a16w8_fp8": make_gemlite_a16w8_fp8,
                              "gemlite_a8w8_fp8_block": make_gemlite_a8w8_fp8_block,
                              "hf_fp8linear": make_hf_fp8linear}
