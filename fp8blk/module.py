"""``Fp8BlockLinear``: an FP8 block-quantized linear layer that answers to every scale name."""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence

import torch
from torch import nn

from .errors import Fp8FormatError
from .formats import (DEFAULT_BLOCK_SIZE, FP8_DTYPE, SCALE_DTYPES, block_scale_shape, check_block_scale,
                      check_fp8_weight, normalize_block_size, quantize_fp8_block)
from .ops import BoundLinear

SCALE_NAMES = ("weight_scale_inv", "weight_scale", "scale")
"""The names checkpoints give the block scale: DeepSeek/HF, compressed-tensors, raw DeepSeek-V4."""


def _as_parameter(value: torch.Tensor) -> nn.Parameter:
    if isinstance(value, nn.Parameter) and not value.requires_grad:
        return value
    return nn.Parameter(value.detach() if isinstance(value, nn.Parameter) else value, requires_grad=False)


class Fp8BlockLinear(nn.Module):
    """``y = x @ dequant(weight, scale).T + bias`` with a float8_e4m3fn weight and one scale per block.

    The block scale is one parameter registered under ``scale_name`` (the canonical name, used by
    ``named_parameters()`` and ``state_dict()``). The three names checkpoints use -- ``weight_scale_inv``,
    ``weight_scale`` and ``scale`` -- all read and assign that same parameter: ``m.weight_scale is
    m.weight_scale_inv``, and ``setattr``/``register_parameter`` under any of them replace it.
    ``load_state_dict`` accepts the scale under any of the three names. Set ``scale_name`` to save in
    another convention.

    Args:
        in_features, out_features: K and N.
        bias: whether to hold a bias ``[N]`` (in ``dtype``).
        block_size: ``(block_n, block_k)``; ``(1, block_k)`` is per-channel.
        scale_dtype: float32, bfloat16, float16 or float8_e8m0fnu.
        scale_name: the canonical name of the scale parameter (one of ``SCALE_NAMES``).
        device, dtype: where parameters live; ``dtype`` is the bias dtype.

    A new layer holds zero weights and unit scales; fill it with ``load_state_dict``, ``from_linear``
    or ``fp8blk.load_fp8_checkpoint``.
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = False,
                 block_size: Sequence[int] = DEFAULT_BLOCK_SIZE, scale_dtype: torch.dtype = torch.float32,
                 scale_name: str = "weight_scale_inv", device: Optional[torch.device | str] = None,
                 dtype: torch.dtype = torch.bfloat16) -> None:
        super().__init__()
        if scale_name not in SCALE_NAMES:
            raise Fp8FormatError(f"scale_name must be one of {SCALE_NAMES}, got {scale_name!r}")
        if scale_dtype not in SCALE_DTYPES:
            raise Fp8FormatError(f"scale_dtype must be one of {[str(d) for d in SCALE_DTYPES]}, got {scale_dtype}")
        self._linear = BoundLinear()
        self.in_features = int(in_features)
        self.out_features = int(out_features)
        self.block_size = normalize_block_size(block_size)
        self._scale_name = scale_name
        self.weight = _as_parameter(torch.zeros(out_features, in_features, dtype=FP8_DTYPE, device=device))
        scale_shape = block_scale_shape((out_features, in_features), self.block_size)
        self.register_parameter(scale_name, _as_parameter(torch.ones(scale_shape, device=device).to(scale_dtype)))
        if bias:
            self.bias = _as_parameter(torch.zeros(out_features, dtype=dtype, device=device))
        else:
            self.register_parameter("bias", None)

    # -- one scale, every name ------------------------------------------------------------------------
    @property
    def scale_name(self) -> str:
        """The name the scale is registered and saved under."""
        return self._scale_name

    @scale_name.setter
    def scale_name(self, name: str) -> None:
        if name not in SCALE_NAMES:
            raise Fp8FormatError(f"scale_name must be one of {SCALE_NAMES}, got {name!r}")
        if name != self._scale_name:
            scale = self._parameters.pop(self._scale_name)
            self._scale_name = name
            self._parameters[name] = scale

    def _canonical(self, name: str) -> str:
        return self.__dict__["_scale_name"] if name in SCALE_NAMES and "_scale_name" in self.__dict__ else name

    def __getattr__(self, name: str) -> Any:
        return super().__getattr__(self._canonical(name))

    def __setattr__(self, name: str, value: Any) -> None:
        name = self._canonical(name)
        if name == self.__dict__.get("_scale_name") and isinstance(value, torch.Tensor):
            value = _as_parameter(value)
        super().__setattr__(name, value)
        self._unbind()

    def __delattr__(self, name: str) -> None:
        super().__delattr__(self._canonical(name))
        self._unbind()

    def register_parameter(self, name: str, param: Optional[nn.Parameter]) -> None:
        super().register_parameter(self._canonical(name), param)
        self._unbind()

    # -- the forward's bound launches (``BoundLinear``): dropped wherever the parameters may change or move --------
    def _unbind(self) -> None:
        linear = self.__dict__.get("_linear")
        if linear is not None:
            linear.clear()

    def _apply(self, fn, *args, **kwargs):
        self._unbind()
        return super()._apply(fn, *args, **kwargs)

    def __getstate__(self) -> Dict[str, Any]:
        state = super().__getstate__()  # bound launches hold this process's device addresses: not pickled or copied
        state["_linear"] = None
        return state

    def __setstate__(self, state: Dict[str, Any]) -> None:
        super().__setstate__(state)
        self._linear = BoundLinear()

    @property
    def block_scale(self) -> torch.Tensor:
        """The block scale parameter, whatever its canonical name."""
        return self._parameters[self._scale_name]

    # -- loading --------------------------------------------------------------------------------------
    def _load_from_state_dict(self, state_dict: Dict[str, torch.Tensor], prefix: str, local_metadata: Dict,
                              strict: bool, missing_keys: List[str], unexpected_keys: List[str],
                              error_msgs: List[str]) -> None:
        found = {name: state_dict[prefix + name] for name in SCALE_NAMES if prefix + name in state_dict}
        if len(found) > 1:
            first_name, first = next(iter(found.items()))
            for name, other in found.items():
                if other.shape != first.shape or not torch.equal(other.float().cpu(), first.float().cpu()):
                    raise Fp8FormatError(
                        f"state dict holds the scale of {prefix or 'this layer'!r} twice with different values: "
                        f"{prefix}{first_name} {first.dtype} {list(first.shape)} vs {prefix}{name} "
                        f"{other.dtype} {list(other.shape)}")
        weight = state_dict.get(prefix + "weight")
        if weight is not None:
            check_fp8_weight(weight, key=prefix + "weight")
            if tuple(weight.shape) != (self.out_features, self.in_features):
                raise Fp8FormatError(f"key {prefix}weight: expected shape {[self.out_features, self.in_features]}, "
                                     f"found {list(weight.shape)}")
        for name, scale in found.items():
            check_block_scale(scale, (self.out_features, self.in_features), self.block_size, key=prefix + name)
        self._unbind()
        if found:
            # Everything is checked: hand the scale to torch under the canonical name, drop the aliases.
            scale = next(iter(found.values()))
            for name in found:
                state_dict.pop(prefix + name)
            if scale.dtype != self.block_scale.dtype:
                self._parameters[self._scale_name] = _as_parameter(torch.empty_like(scale, device=self.block_scale.device))
            state_dict[prefix + self._scale_name] = scale
        try:
            super()._load_from_state_dict(state_dict, prefix, local_metadata, strict, missing_keys,
                                          unexpected_keys, error_msgs)
        finally:
            if found:
                state_dict.pop(prefix + self._scale_name)
                state_dict.update({prefix + name: t for name, t in found.items()})

    @classmethod
    def from_linear(cls, linear: nn.Linear, block_size: Sequence[int] = DEFAULT_BLOCK_SIZE,
                    scale_dtype: torch.dtype = torch.float32, scale_name: str = "weight_scale_inv") -> "Fp8BlockLinear":
        """Quantizes an ``nn.Linear`` (see ``quantize_fp8_block``); the bias is kept in its dtype."""
        weight = linear.weight.detach()
        wq, scale = quantize_fp8_block(weight, block_size, scale_dtype)
        bias = linear.bias
        layer = cls(linear.in_features, linear.out_features, bias=bias is not None, block_size=block_size,
                    scale_dtype=scale_dtype, scale_name=scale_name, device=weight.device,
                    dtype=bias.dtype if bias is not None else torch.bfloat16)
        layer.weight = _as_parameter(wq)
        layer.block_scale.data = scale
        if bias is not None:
            layer.bias = _as_parameter(bias.detach().clone())
        return layer

    @classmethod
    def from_tensors(cls, weight: torch.Tensor, scale: torch.Tensor, bias: Optional[torch.Tensor] = None,
                     block_size: Sequence[int] = DEFAULT_BLOCK_SIZE, scale_name: str = "weight_scale_inv",
                     key: Optional[str] = None, file: Optional[str] = None) -> "Fp8BlockLinear":
        """A layer holding these tensors (not copied), after checking them (values of the scale too)."""
        check_fp8_weight(weight, key=key and f"{key}.weight", file=file)
        check_block_scale(scale, weight.shape, block_size, key=key and f"{key}.{scale_name}", file=file)
        n, k = weight.shape
        if bias is not None and tuple(bias.shape) != (n,):
            raise Fp8FormatError(f"{f'key {key}.bias: ' if key else ''}expected bias [{n}], found {list(bias.shape)}")
        layer = cls.__new__(cls)
        nn.Module.__init__(layer)
        layer._linear = BoundLinear()
        layer.in_features, layer.out_features = k, n
        layer.block_size = normalize_block_size(block_size)
        layer._scale_name = scale_name
        layer.weight = _as_parameter(weight)
        layer.register_parameter(scale_name, _as_parameter(scale))
        layer.register_parameter("bias", None if bias is None else _as_parameter(bias))
        return layer

    @classmethod
    def concat(cls, layers: Sequence["Fp8BlockLinear"]) -> "Fp8BlockLinear":
        """One layer whose output is the given layers' outputs side by side (their weights stacked along N).

        For layers that read the same input (DeepSeek's ``wq_a`` + ``wkv``, shared-expert ``w1`` + ``w3``):
        one kernel launch instead of one per layer; split the result with
        ``y.split([layer.out_features for layer in layers], dim=-1)``. The layers must share in_features,
        block size and scale dtype, and every layer but the last must fill whole scale blocks
        (out_features a multiple of block_n), so the stacked scales still line up. A layer without a bias
        contributes zeros where others have one. The tensors are copied; the stacked layer's dequantized
        weight is exactly the layers' weights stacked (outputs agree up to fp32 summation order).
        """
        layers = list(layers)
        if not layers:
            raise Fp8FormatError("concat needs at least one layer")
        first = layers[0]
        for i, layer in enumerate(layers):
            if not isinstance(layer, Fp8BlockLinear):
                raise Fp8FormatError(f"concat: layer {i} is a {type(layer).__name__}, not an Fp8BlockLinear")
            found = (layer.in_features, tuple(layer.block_size), layer.block_scale.dtype)
            wanted = (first.in_features, tuple(first.block_size), first.block_scale.dtype)
            if found != wanted:
                raise Fp8FormatError(f"concat: layer {i} has (in_features, block_size, scale dtype) {found}, "
                                     f"layer 0 has {wanted}")
            if i < len(layers) - 1 and layer.out_features % layer.block_size[0]:
                raise Fp8FormatError(f"concat: layer {i} has out_features {layer.out_features}, not a multiple of "
                                     f"block_n {layer.block_size[0]}: its last scale block is partial, so the "
                                     f"next layer's rows would read the wrong scales")
        biases = [layer.bias for layer in layers]
        bias = None
        if any(b is not None for b in biases):
            like = next(b for b in biases if b is not None)
            bias = torch.cat([b.detach() if b is not None else like.new_zeros(layer.out_features)
                              for b, layer in zip(biases, layers)])
        return cls.from_tensors(torch.cat([layer.weight.detach() for layer in layers]),
                                torch.cat([layer.block_scale.detach() for layer in layers]), bias,
                                first.block_size, first._scale_name)

    # -- compute --------------------------------------------------------------------------------------
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``x @ dequant(weight, scale).T + bias`` for bf16/fp16 ``x [..., K]``; output in ``x.dtype``.

        Eager GPU calls after the first of each input signature launch the kernel bound to this layer's tensors
        (``fp8blk.ops.BoundLinear``): replace parameters by assignment, ``load_state_dict`` or ``.data =``, not by
        reshaping a parameter's storage in place."""
        params = self._parameters  # direct reads: this sits on every decode step's host path
        return self._linear(x, params["weight"], params[self._scale_name], params["bias"], self.block_size)

    def dequantized_weight(self, dtype: torch.dtype = torch.float32) -> torch.Tensor:
        """The weight this layer computes with, ``[N, K]`` in ``dtype``."""
        from .formats import dequantize_fp8_block
        return dequantize_fp8_block(self.weight, self.block_scale, self.block_size, dtype)

    def extra_repr(self) -> str:
        return (f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}, "
                f"block_size={list(self.block_size)}, scale_name={self._scale_name!r}, "
                f"scale_dtype={self.block_scale.dtype}")
