"""fp8blk on vLLM-style layers, without importing vLLM.

A vLLM FP8 block-quantized linear layer holds ``weight`` (float8_e4m3fn ``[N, K]``), its block scale
under one of three names depending on the checkpoint, and ``weight_block_size``. ``block_scale_of``
finds the scale whatever it is called; ``apply_fp8blk_linear`` runs fp8blk's op on the layer.
"""
from __future__ import annotations

from typing import Any, Optional

import torch

from ..errors import Fp8FormatError
from ..formats import DEFAULT_BLOCK_SIZE
from ..module import SCALE_NAMES
from ..ops import fp8_block_linear


def block_scale_of(layer: Any) -> torch.Tensor:
    """The block scale of ``layer``, under ``weight_scale_inv``, ``weight_scale`` or ``scale``.

    Raises ``Fp8FormatError`` when the layer has none, or two that differ.
    """
    found = [(name, getattr(layer, name)) for name in SCALE_NAMES if isinstance(getattr(layer, name, None), torch.Tensor)]
    if not found:
        raise Fp8FormatError(f"{type(layer).__name__} has no block scale: looked for attributes {', '.join(SCALE_NAMES)}")
    name, scale = found[0]
    for other_name, other in found[1:]:
        if other is not scale and (other.shape != scale.shape or not torch.equal(other.float(), scale.float())):
            raise Fp8FormatError(f"{type(layer).__name__} holds two different block scales: {name} "
                                 f"{list(scale.shape)} and {other_name} {list(other.shape)}")
    return scale


def apply_fp8blk_linear(layer: Any, x: torch.Tensor, bias: Optional[torch.Tensor] = None) -> torch.Tensor:
    """``x @ dequant(layer.weight, scale).T + bias`` through ``fp8blk.fp8_block_linear``.

    The block size is ``layer.weight_block_size`` (default 128 x 128).
    """
    block_size = getattr(layer, "weight_block_size", None) or DEFAULT_BLOCK_SIZE
    return fp8_block_linear(x, layer.weight, block_scale_of(layer), bias, tuple(block_size))
