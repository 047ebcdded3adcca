"""Loading FP8 block-quantized checkpoints into ``Fp8BlockLinear`` layers, and saving them back.

Reads single ``.safetensors`` files, directories of shards and ``model.safetensors.index.json``:
headers first, then only the tensors of the layers asked for. Nothing is half-loaded: every check
passes before a layer is returned.
"""
from __future__ import annotations

import fnmatch
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterable, List, Mapping, Optional, Sequence, Union

import torch
from safetensors import safe_open
from safetensors.torch import save_file
from torch import nn

from .conventions import (CONVENTION_OF_SCALE, Fp8LayerInfo, Problem, QuantConfig, parse_quant_config,
                          scan_layers)
from .errors import Fp8FormatError
from .formats import to_block_scale
from .module import SCALE_NAMES, Fp8BlockLinear
from .safetensors_header import CheckpointLayout, read_layout

PathLike = Union[str, os.PathLike]


@dataclass
class CheckpointScan:
    """Everything known about a checkpoint from its headers and config.json (no tensor data read)."""
    layout: CheckpointLayout
    config: dict
    quant: QuantConfig
    layers: Dict[str, Fp8LayerInfo]
    problems: List[Problem]
    block_size_source: str


def scan_checkpoint(path: PathLike, block_size: Optional[Sequence[int]] = None) -> CheckpointScan:
    """Reads the headers and config.json of a checkpoint and finds its FP8 layers and problems."""
    layout = read_layout(path)
    config = layout.config()
    metas = {key: (info.dtype, info.shape) for key, info in layout.tensors.items()}
    layers, problems, source = scan_layers(metas, config, lambda key: getattr(layout.tensors.get(key), "file", None),
                                           block_size)
    problems = [Problem(None, p) for p in layout.problems] + problems
    return CheckpointScan(layout, config, parse_quant_config(config), layers, problems, source)


def _selected(prefix: str, include: Optional[Iterable[str]]) -> bool:
    return include is None or any(fnmatch.fnmatchcase(prefix, pattern) for pattern in include)


def _raise_problems(problems: Sequence[Problem], where: str) -> None:
    if problems:
        lines = "\n  ".join(p.message for p in problems)
        raise Fp8FormatError(f"{where}: {len(problems)} problem(s):\n  {lines}")


def _build_layer(info: Fp8LayerInfo, tensors: Mapping[str, torch.Tensor], device: Union[str, torch.device]) -> Fp8BlockLinear:
    scale = tensors[info.key(info.scale_name)]
    for other in info.also_named:
        twin = tensors[info.key(other)]
        if twin.shape != scale.shape or not torch.equal(twin.float(), scale.float()):
            raise Fp8FormatError(f"{info.file or 'state dict'}: layer {info.prefix!r} has its scale under both "
                                 f"{info.scale_name!r} and {other!r} with different values")
    weight = tensors[info.key("weight")]
    block_scale, block_size = to_block_scale(scale, weight.shape, info.block_size,
                                             key=info.key(info.scale_name), file=info.file)
    bias = tensors.get(info.key("bias"))
    layer = Fp8BlockLinear.from_tensors(weight, block_scale, bias, block_size, scale_name=info.scale_name,
                                        key=info.prefix, file=info.file)
    layer.checkpoint_convention = info.convention
    layer.checkpoint_scale_kind = info.scale_kind
    return layer.to(device)


def load_fp8_checkpoint(path: PathLike, include: Union[str, Sequence[str], None] = None,
                        device: Union[str, torch.device] = "cpu",
                        block_size: Optional[Sequence[int]] = None) -> Dict[str, Fp8BlockLinear]:
    """Loads the FP8 layers of a checkpoint, whichever convention names its scales.

    Args:
        path: a ``.safetensors`` file, a directory of shards, or a ``model.safetensors.index.json``.
        include: glob(s) over layer prefixes (``"layers.0.*"``); only those layers' tensors are read.
        device: where the layers go.
        block_size: overrides config.json / inference (normally not needed).

    Returns ``{prefix: Fp8BlockLinear}`` (e.g. ``"layers.0.attn.wkv"``). Each layer keeps the scale
    name and dtype it was stored with (``layer.scale_name``) and records ``layer.checkpoint_convention``
    (``deepseek-hf``, ``compressed-tensors`` or ``deepseek-v4``) and ``layer.checkpoint_scale_kind``.
    Per-tensor and per-channel scales are mapped exactly onto the block form (see
    ``fp8blk.formats.to_block_scale``). Layers config.json lists as unquantized are skipped.

    Raises ``Fp8FormatError`` (or ``FileNotFoundError``) naming file, key, expectation and finding for
    any problem in the selected layers; nothing is returned half-loaded.
    """
    include = [include] if isinstance(include, str) else include
    scan = scan_checkpoint(path, block_size)
    _raise_problems([p for p in scan.problems if p.prefix is None or _selected(p.prefix, include)], str(path))
    chosen = [info for prefix, info in sorted(scan.layers.items()) if _selected(prefix, include)]
    keys = [key for info in chosen for key in _layer_keys(info) if key in scan.layout.tensors]
    tensors = _read_tensors(scan.layout, keys)
    return {info.prefix: _build_layer(info, tensors, device) for info in chosen}


def _layer_keys(info: Fp8LayerInfo) -> List[str]:
    return [info.key("weight"), info.key("bias"), info.key(info.scale_name)] + [info.key(n) for n in info.also_named]


def _read_tensors(layout: CheckpointLayout, keys: Sequence[str]) -> Dict[str, torch.Tensor]:
    by_file: Dict[str, List[str]] = {}
    for key in keys:
        by_file.setdefault(layout.tensors[key].file, []).append(key)
    tensors: Dict[str, torch.Tensor] = {}
    for file, file_keys in by_file.items():
        with safe_open(file, framework="pt", device="cpu") as handle:
            for key in file_keys:
                tensors[key] = handle.get_tensor(key)
    return tensors


class TensorReader:
    """Reads tensors by key from a checkpoint's files, keeping each file open (memory-mapped) until closed: one
    header parse per file however many keys are read, for loaders that visit thousands of keys."""

    def __init__(self, layout: CheckpointLayout) -> None:
        self.layout = layout
        self._handles: Dict[str, object] = {}

    def get(self, key: str) -> torch.Tensor:
        file = self.layout.tensors[key].file
        handle = self._handles.get(file)
        if handle is None:
            handle = self._handles[file] = safe_open(file, framework="pt", device="cpu").__enter__()
        return handle.get_tensor(key)

    def close(self) -> None:
        for handle in self._handles.values():
            handle.__exit__(None, None, None)
        self._handles.clear()

    def __enter__(self) -> "TensorReader":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def save_fp8_checkpoint(layers: Mapping[str, Fp8BlockLinear], path: PathLike, scale_name: Optional[str] = None,
                        scale_dtype: Optional[torch.dtype] = None, write_config: bool = True) -> Path:
    """Writes layers as ``<dir>/model.safetensors`` (or to ``path`` if it ends in ``.safetensors``).

    ``scale_name`` picks the convention (``weight_scale_inv``, ``weight_scale`` or ``scale``; default:
    each layer's own); ``scale_dtype`` converts the scales (default: keep). With ``write_config``,
    a ``config.json`` with the matching ``quantization_config`` markers is written beside it.
    Returns the path of the file written.
    """
    if scale_name is not None and scale_name not in SCALE_NAMES:
        raise Fp8FormatError(f"scale_name must be one of {SCALE_NAMES}, got {scale_name!r}")
    path = Path(path)
    file = path if path.suffix == ".safetensors" else path / "model.safetensors"
    file.parent.mkdir(parents=True, exist_ok=True)
    tensors: Dict[str, torch.Tensor] = {}
    names = set()
    block_sizes = set()
    for prefix, layer in layers.items():
        name = scale_name or layer.scale_name
        names.add(name)
        block_sizes.add(tuple(layer.block_size))
        scale = layer.block_scale.detach()
        tensors[f"{prefix}.weight"] = layer.weight.detach().cpu().contiguous()
        tensors[f"{prefix}.{name}"] = (scale if scale_dtype is None else scale.to(scale_dtype)).cpu().contiguous()
        if layer.bias is not None:
            tensors[f"{prefix}.bias"] = layer.bias.detach().cpu().contiguous()
    save_file(tensors, str(file), metadata={"format": "pt"})
    if write_config and len(names) == 1:
        (file.parent / "config.json").write_text(json.dumps(
            {"quantization_config": quantization_config_for(names.pop(), block_sizes.pop() if len(block_sizes) == 1
                                                            else (128, 128), scale_dtype)}, indent=2))
    return file


def quantization_config_for(scale_name: str, block_size: Sequence[int], scale_dtype: Optional[torch.dtype] = None) -> dict:
    """The ``quantization_config`` a runtime expects for checkpoints whose scales are named ``scale_name``."""
    convention = CONVENTION_OF_SCALE[scale_name]
    if convention == "compressed-tensors":
        return {"quant_method": "compressed-tensors", "format": "float-quantized",
                "config_groups": {"group_0": {"targets": ["Linear"], "weights": {
                    "num_bits": 8, "type": "float", "strategy": "block", "block_structure": list(block_size),
                    "symmetric": True, "dynamic": False}}}, "ignore": ["lm_head"]}
    config = {"quant_method": "fp8", "fmt": "e4m3", "activation_scheme": "dynamic", "weight_block_size": list(block_size)}
    if convention == "deepseek-v4" or scale_dtype == torch.float8_e8m0fnu:
        config["scale_fmt"] = "ue8m0"
    return config


def replace_linear(model: nn.Module, path_or_state_dict: Union[PathLike, Mapping[str, torch.Tensor]],
                   include: Union[str, Sequence[str], None] = None) -> List[str]:
    """Swaps every ``nn.Linear`` of ``model`` that has an FP8 weight in the source for an ``Fp8BlockLinear``.

    The source is a checkpoint path or a state dict (keys named like ``model.named_modules()``). A
    bias comes from the source if it has one, else the linear's own is kept. All layers are checked
    (shapes must match the linear's) before any is swapped. Returns the names swapped.
    """
    if isinstance(path_or_state_dict, Mapping):
        state = path_or_state_dict
        metas = {k: (t.dtype, tuple(t.shape)) for k, t in state.items()}
        infos, problems, _ = scan_layers(metas, {})
        _raise_problems(problems, "state dict")
        layers = {p: _build_layer(info, state, "cpu") for p, info in infos.items()
                  if _selected(p, [include] if isinstance(include, str) else include)}
    else:
        layers = load_fp8_checkpoint(path_or_state_dict, include=include)
    modules = dict(model.named_modules())
    swaps = []
    for name, layer in layers.items():
        linear = modules.get(name)
        if not isinstance(linear, nn.Linear):
            continue
        if (linear.out_features, linear.in_features) != (layer.out_features, layer.in_features):
            raise Fp8FormatError(f"layer {name!r}: the model's nn.Linear is [{linear.out_features}, {linear.in_features}], "
                                 f"the source's FP8 weight is [{layer.out_features}, {layer.in_features}]")
        swaps.append((name, linear, layer))
    for name, linear, layer in swaps:
        if layer.bias is None and linear.bias is not None:
            layer.bias = nn.Parameter(linear.bias.detach().clone(), requires_grad=False)
        layer.to(linear.weight.device)
        parent_name, _, child = name.rpartition(".")
        setattr(modules[parent_name] if parent_name else model, child, layer)
    return [name for name, _, _ in swaps]
