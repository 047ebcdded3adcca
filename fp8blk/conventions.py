"""Which FP8 block-scale convention a checkpoint follows, layer by layer, from names and headers only.

| convention          | scale key              | typical scale dtype       | config.json marker                          |
|---------------------|------------------------|---------------------------|---------------------------------------------|
| deepseek-hf         | ``X.weight_scale_inv`` | float32                   | ``quant_method: fp8``, ``weight_block_size`` |
| compressed-tensors  | ``X.weight_scale``     | bfloat16 or float32       | ``quant_method: compressed-tensors``        |
| deepseek-v4         | ``X.scale``            | float32 or float8_e8m0fnu | ``quant_method: fp8``, ``scale_fmt: ue8m0``  |
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Mapping, Optional, Sequence, Tuple

import torch

from .formats import DEFAULT_BLOCK_SIZE, FP8_DTYPE, BlockSize, block_scale_shape

SCALE_NAMES = ("weight_scale_inv", "weight_scale", "scale")
CONVENTION_OF_SCALE = {"weight_scale_inv": "deepseek-hf", "weight_scale": "compressed-tensors", "scale": "deepseek-v4"}
SCALE_OF_CONVENTION = {v: k for k, v in CONVENTION_OF_SCALE.items()}

Meta = Tuple[torch.dtype, Tuple[int, ...]]


@dataclass(frozen=True)
class QuantConfig:
    """What ``config.json``'s ``quantization_config`` says, reduced to what fp8blk uses."""
    method: Optional[str] = None
    block_size: Optional[BlockSize] = None
    scale_fmt: Optional[str] = None
    strategy: Optional[str] = None
    ignore: Tuple[str, ...] = ()
    raw: Mapping = field(default_factory=dict)

    def ignores(self, prefix: str) -> bool:
        """Whether the layer ``prefix`` is listed as unquantized (exact name, dotted suffix or ``re:`` pattern)."""
        for pattern in self.ignore:
            if pattern.startswith("re:"):
                if re.match(pattern[3:], prefix):
                    return True
            elif prefix == pattern or prefix.endswith("." + pattern) or prefix.startswith(pattern + "."):
                return True
        return False

    def one_line(self) -> str:
        return "none" if not self.raw else ", ".join(f"{k}={v}" for k, v in self.raw.items()
                                                    if not isinstance(v, (dict, list)) or k in ("weight_block_size",))


def parse_quant_config(config: Mapping) -> QuantConfig:
    """Reads ``quantization_config`` (HF fine-grained FP8, DeepSeek, compressed-tensors)."""
    qc = config.get("quantization_config") or config.get("compression_config") or {}
    if not isinstance(qc, Mapping):
        return QuantConfig()
    method = qc.get("quant_method")
    block = qc.get("weight_block_size")
    strategy = None
    ignore = list(qc.get("modules_to_not_convert") or []) + list(qc.get("ignore") or [])
    for group in (qc.get("config_groups") or {}).values():
        weights = (group or {}).get("weights") or {}
        strategy = weights.get("strategy", strategy)
        block = weights.get("block_structure") or block
    block_size = tuple(int(b) for b in block) if block else None
    return QuantConfig(method, block_size, qc.get("scale_fmt"), strategy, tuple(str(p) for p in ignore), qc)


@dataclass
class Fp8LayerInfo:
    """One FP8 layer found in a checkpoint, before any tensor data is read."""
    prefix: str
    weight_shape: Tuple[int, int]
    scale_name: str               # the name its scale is stored under
    scale_dtype: torch.dtype
    scale_shape: Tuple[int, ...]
    scale_kind: str               # "block", "per-tensor" or "per-channel"
    block_size: BlockSize         # block size of the layer once loaded (per-channel -> (1, block_k))
    also_named: Tuple[str, ...]   # other scale names present for the same layer (must hold equal values)
    has_bias: bool
    file: Optional[str] = None

    @property
    def convention(self) -> str:
        return CONVENTION_OF_SCALE[self.scale_name]

    def key(self, name: str) -> str:
        return f"{self.prefix}.{name}"


@dataclass
class Problem:
    """A finding that makes (part of) a checkpoint unloadable; ``prefix`` is the layer, if any."""
    prefix: Optional[str]
    message: str


def _power_of_two_blocks(extent: int, count: int) -> List[int]:
    return [b for b in (2 ** i for i in range(17)) if math.ceil(extent / b) == count]


def infer_block_size(candidates: Sequence[Tuple[Tuple[int, int], Tuple[int, int]]]) -> Tuple[Optional[BlockSize], str]:
    """The block size that fits every ``(weight_shape, scale_shape)``, among powers of two.

    Block sizes in the wild are powers of two (128 above all), so only those are considered. Where
    several fit a dimension, every layer has a single block along it and they all mean the same
    (128 is then reported when it fits, else the smallest). When no power of two fits every layer,
    the block size cannot be known from the shapes: ``(None, why)``.
    """
    if not candidates:
        return DEFAULT_BLOCK_SIZE, "default (no block scales)"
    fits_n = set.intersection(*(set(_power_of_two_blocks(n, rows)) for (n, _), (rows, _) in candidates))
    fits_k = set.intersection(*(set(_power_of_two_blocks(k, cols)) for (_, k), (_, cols) in candidates))
    if fits_n and fits_k:
        pick = lambda fits: 128 if 128 in fits else min(fits)  # noqa: E731
        return (pick(fits_n), pick(fits_k)), "inferred from shapes"
    return None, (f"block size cannot be inferred from the shapes: no power of two fits every layer "
                  f"(block_n: {sorted(fits_n) or 'none'}, block_k: {sorted(fits_k) or 'none'}); pass block_size= "
                  f"or add quantization_config.weight_block_size to config.json")


def scan_layers(metas: Mapping[str, Meta], config: Mapping, file_of: Callable[[str], Optional[str]] = lambda k: None,
                block_size: Optional[Sequence[int]] = None) -> Tuple[Dict[str, Fp8LayerInfo], List[Problem], str]:
    """Finds every FP8 layer among ``metas`` (key -> (dtype, shape)) and every problem.

    Returns ``(layers by prefix, problems, where the block size came from)``. Layers that
    ``config.json`` lists as ignored/unquantized are left out.
    """
    quant = parse_quant_config(config)
    problems: List[Problem] = []
    weights: Dict[str, Meta] = {}
    scales: Dict[str, Dict[str, Meta]] = {}
    for key, meta in metas.items():
        head, _, tail = key.rpartition(".")
        if tail == "weight":
            weights[head] = meta
        elif tail in SCALE_NAMES and head:
            scales.setdefault(head, {})[tail] = meta

    for prefix, found in scales.items():
        if quant.ignores(prefix):
            continue
        where = f"key {prefix}.{next(iter(found))}" + (f" in {file_of(prefix + '.' + next(iter(found)))}"
                                                        if file_of(prefix + '.' + next(iter(found))) else "")
        if prefix not in weights:
            problems.append(Problem(prefix, f"{where}: orphan scale, there is no {prefix}.weight"))
        elif weights[prefix][0] != FP8_DTYPE:
            dtype, shape = weights[prefix]
            problems.append(Problem(prefix, f"{where}: a scale beside {prefix}.weight, which is {dtype} "
                                            f"{list(shape)}, not float8_e4m3fn"))

    fp8_prefixes = [p for p, (dtype, _) in weights.items() if dtype == FP8_DTYPE and not quant.ignores(p)]
    for prefix in fp8_prefixes:
        dtype, shape = weights[prefix]
        if len(shape) != 2:
            problems.append(Problem(prefix, f"key {prefix}.weight: expected a 2-D float8_e4m3fn weight, found shape {list(shape)}"))
        elif prefix not in scales:
            problems.append(Problem(prefix, f"key {prefix}.weight{_in(file_of, prefix + '.weight')}: float8_e4m3fn weight "
                                            f"{list(shape)} without a scale (looked for {', '.join(prefix + '.' + s for s in SCALE_NAMES)})"))

    source = "given"
    if block_size is not None:
        resolved: Optional[BlockSize] = tuple(int(b) for b in block_size)
    elif quant.block_size is not None:
        resolved, source = quant.block_size, "config.json"
    else:
        block_like = []
        for prefix in fp8_prefixes:
            if prefix in scales and len(weights[prefix][1]) == 2:
                _, (_, scale_shape) = _first_scale(scales[prefix])
                n, k = weights[prefix][1]
                if len(scale_shape) == 2 and tuple(scale_shape) != (n, 1) and math.prod(scale_shape) > 1:
                    block_like.append(((n, k), tuple(scale_shape)))
        resolved, source = infer_block_size(block_like)
        if resolved is None:
            problems.append(Problem(None, source))
            return {}, problems, source

    layers: Dict[str, Fp8LayerInfo] = {}
    for prefix in fp8_prefixes:
        if prefix not in scales or len(weights[prefix][1]) != 2:
            continue
        name, (scale_dtype, scale_shape) = _first_scale(scales[prefix])
        n, k = weights[prefix][1]
        kind, layer_block = _scale_kind((n, k), tuple(scale_shape), resolved)
        if kind is None:
            problems.append(Problem(prefix, f"key {prefix}.{name}{_in(file_of, prefix + '.' + name)}: expected a block scale "
                                            f"of shape {list(block_scale_shape((n, k), resolved))} for weight {[n, k]} "
                                            f"with block size {list(resolved)} ({source}), found {list(scale_shape)}"))
            continue
        others = tuple(s for s in scales[prefix] if s != name)
        layers[prefix] = Fp8LayerInfo(prefix, (n, k), name, scale_dtype, tuple(scale_shape), kind, layer_block, others,
                                      prefix + ".bias" in metas, file_of(prefix + ".weight"))
    return layers, problems, source


def _in(file_of: Callable[[str], Optional[str]], key: str) -> str:
    file = file_of(key)
    return f" in {file}" if file else ""


def _first_scale(found: Mapping[str, Meta]) -> Tuple[str, Meta]:
    name = next(s for s in SCALE_NAMES if s in found)
    return name, found[name]


def _scale_kind(weight_shape: Tuple[int, int], scale_shape: Tuple[int, ...],
                block_size: BlockSize) -> Tuple[Optional[str], BlockSize]:
    n, _ = weight_shape
    if len(scale_shape) == 2 and scale_shape == block_scale_shape(weight_shape, block_size):
        return "block", block_size
    if len(scale_shape) <= 1 and math.prod(scale_shape) == 1:
        return "per-tensor", block_size
    if scale_shape in ((n,), (n, 1)):
        return "per-channel", (1, block_size[1])
    return None, block_size
