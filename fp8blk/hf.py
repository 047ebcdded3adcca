"""Hugging Face transformers drop-in: ``fp8blk.from_pretrained`` builds a model from an FP8 block checkpoint.

The model is built from ``config.json`` with its parameters on the meta device (no random or bf16 weights are
materialized), then filled from the safetensors files: every FP8 linear becomes an ``Fp8BlockLinear`` on the
target device (fp8blk's kernel on CUDA, the reference path on CPU), every other tensor is loaded as stored, and an
FP8-stored tensor of a module that is not a linear (an embedding quantized by llmcompressor's ``model_free_ptq``)
is dequantized into the module's dtype. ``quantization_config`` is consumed here: transformers never sees it, so it
neither quantizes nor dequantizes the same layers again. transformers is an optional dependency
(``pip install fp8blk[hf]``); importing fp8blk does not import it.
"""
from __future__ import annotations

import contextlib
import logging
import os
from dataclasses import dataclass, field
from typing import Dict, Iterator, List, Optional, Union

import torch
from torch import nn

from .checkpoint import TensorReader, _build_layer, _raise_problems, scan_checkpoint
from .errors import Fp8FormatError
from .module import SCALE_NAMES

log = logging.getLogger("fp8blk")


@dataclass
class LoadReport:
    """What ``from_pretrained`` did with every key of the checkpoint."""
    fp8_linears: List[str] = field(default_factory=list)  # modules now Fp8BlockLinear
    dequantized: List[str] = field(default_factory=list)  # FP8-stored tensors of non-linear modules, dequantized
    loaded: List[str] = field(default_factory=list)  # other tensors, loaded as stored (cast to the model's dtype)
    unexpected: List[str] = field(default_factory=list)  # keys matching no parameter and no known scale
    missing: List[str] = field(default_factory=list)  # model parameters the checkpoint did not provide
    tied: List[str] = field(default_factory=list)  # parameters filled by weight tying
    ignored: List[str] = field(default_factory=list)  # activation scales (fp8blk keeps activations in bf16/fp16)
    conventions: Dict[str, int] = field(default_factory=dict)  # scale convention -> FP8 layers

    def summary(self) -> str:
        return (f"{len(self.fp8_linears)} FP8 linears ({', '.join(f'{k}: {v}' for k, v in self.conventions.items())}), "
                f"{len(self.dequantized)} FP8 non-linear tensors dequantized"
                + (f" ({', '.join(self.dequantized)})" if self.dequantized else "")
                + f", {len(self.loaded)} tensors loaded as stored, {len(self.tied)} tied, "
                f"{len(self.ignored)} activation scales ignored (W8A16), "
                f"{len(self.unexpected)} unexpected, {len(self.missing)} missing")


@contextlib.contextmanager
def _parameters_on_meta() -> Iterator[None]:
    """Modules built inside get their parameters on the meta device; buffers (e.g. rotary tables) stay real."""
    register = nn.Module.register_parameter

    def on_meta(module: nn.Module, name: str, param: Optional[nn.Parameter]) -> None:
        register(module, name, param)
        if param is not None and param.device.type != "meta":
            module._parameters[name] = nn.Parameter(param.to("meta"), requires_grad=param.requires_grad)

    nn.Module.register_parameter = on_meta
    try:
        yield
    finally:
        nn.Module.register_parameter = register


def _set_tensor(model: nn.Module, name: str, tensor: torch.Tensor) -> None:
    module_name, _, attr = name.rpartition(".")
    module = model.get_submodule(module_name) if module_name else model
    if attr in module._parameters:
        module._parameters[attr] = nn.Parameter(tensor, requires_grad=False)
    else:
        module._buffers[attr] = tensor


def _model_tensor(model: nn.Module, name: str) -> Optional[torch.Tensor]:
    module_name, _, attr = name.rpartition(".")
    try:
        module = model.get_submodule(module_name) if module_name else model
    except AttributeError:
        return None
    return module._parameters.get(attr, module._buffers.get(attr))


def from_pretrained(path: Union[str, os.PathLike], device: Union[str, torch.device] = "cpu",
                    dtype: torch.dtype = torch.bfloat16, model_cls=None, strict: bool = True, **kwargs):
    """A transformers ``PreTrainedModel`` holding an FP8 block checkpoint's linears as ``Fp8BlockLinear``.

    Args:
        path: a checkpoint directory (config.json + safetensors: one file, shards with an index) in any of the
            three scale conventions (``weight_scale_inv``, ``weight_scale``, ``scale``; fp32, bf16 or UE8M0 block,
            per-tensor or per-channel scales).
        device: where the model goes. CUDA runs fp8blk's kernels; CPU the reference path.
        dtype: the dtype of everything that is not FP8 (activations, norms, embeddings).
        model_cls: a transformers model class (default ``AutoModelForCausalLM``).
        strict: raise ``Fp8FormatError`` for a checkpoint key that matches no parameter and no scale, or a model
            parameter the checkpoint lacks; with ``strict=False`` they are listed in the report instead.
        **kwargs: passed to ``AutoConfig.from_pretrained`` (e.g. ``trust_remote_code``).

    Returns the model in eval mode; ``model.fp8blk_load_report`` (a ``LoadReport``) says what was done with every
    key. Peak device memory is about the FP8 bytes plus the unquantized tensors.
    """
    try:
        from transformers import AutoConfig, AutoModelForCausalLM
    except ImportError as exc:
        raise ImportError("fp8blk.from_pretrained needs transformers: pip install 'fp8blk[hf]'") from exc
    device = torch.device(device)
    config = AutoConfig.from_pretrained(str(path), **kwargs)
    if hasattr(config, "quantization_config"):  # consumed here: transformers must not (de)quantize the layers
        delattr(config, "quantization_config")
    scan = scan_checkpoint(path)
    _raise_problems(scan.problems, str(path))

    with _parameters_on_meta():
        model = (model_cls or AutoModelForCausalLM).from_config(config, dtype=dtype)
    with TensorReader(scan.layout) as reader:
        report = _fill(model, scan, reader, device, dtype)
    return _finish(model, report, device, strict, path)


def _fill(model: nn.Module, scan, reader: TensorReader, device: torch.device, dtype: torch.dtype) -> "LoadReport":
    """Puts every tensor of the checkpoint into ``model`` (FP8 linears swapped for ``Fp8BlockLinear``)."""
    report = LoadReport()
    modules = dict(model.named_modules())
    consumed = set()
    for prefix, info in sorted(scan.layers.items()):
        keys = [info.key(n) for n in ("weight", "bias", info.scale_name, *info.also_named)
                if info.key(n) in scan.layout.tensors]
        consumed.update(keys)
        module = modules.get(prefix)
        if module is None:
            report.unexpected += keys
            continue
        tensors = {key: reader.get(key) for key in keys}
        if not isinstance(module, nn.Linear):  # an FP8 tensor of another module: dequantized, one rounding to dtype
            stored = _build_layer(info, tensors, "cpu")  # the same checks and scale mapping as a linear's
            _set_tensor(model, f"{prefix}.weight", stored.dequantized_weight(torch.float32).to(device, dtype))
            report.dequantized.append(f"{prefix}.weight")
            if stored.bias is not None:
                _set_tensor(model, f"{prefix}.bias", stored.bias.detach().to(device, dtype))
            continue
        layer = _build_layer(info, tensors, device)
        if layer.bias is not None:
            layer.bias = nn.Parameter(layer.bias.detach().to(device, dtype), requires_grad=False)
        elif module.bias is not None:
            report.missing.append(f"{prefix}.bias")
        parent, _, child = prefix.rpartition(".")
        setattr(modules[parent] if parent else model, child, layer)
        report.fp8_linears.append(prefix)
        report.conventions[info.convention] = report.conventions.get(info.convention, 0) + 1

    for key in scan.layout.tensors:
        if key in consumed:
            continue
        current = _model_tensor(model, key)
        if current is None:  # activation scales are known (W8A16 leaves activations unquantized); the rest is not
            (report.ignored if key.endswith((".input_scale", ".activation_scale")) else report.unexpected).append(key)
            continue
        tensor = reader.get(key)
        if tensor.dtype == torch.float8_e4m3fn:
            raise Fp8FormatError(f"{key}: an FP8 tensor without a scale (checked keys: "
                                 f"{', '.join(key.rpartition('.')[0] + '.' + n for n in SCALE_NAMES)})")
        if tuple(tensor.shape) != tuple(current.shape):
            raise Fp8FormatError(f"{key}: the checkpoint holds {list(tensor.shape)}, the model expects "
                                 f"{list(current.shape)}")
        _set_tensor(model, key, tensor.to(device, dtype if tensor.is_floating_point() else tensor.dtype))
        report.loaded.append(key)

    return report


def _finish(model: nn.Module, report: "LoadReport", device: torch.device, strict: bool, path) -> nn.Module:
    """Ties weights, lists what is missing, moves buffers to ``device``, raises or logs, returns the model."""
    before = {n for n, p in model.named_parameters(remove_duplicate=False) if p.device.type == "meta"}
    model.tie_weights()  # ties only what the config says (tie_word_embeddings)
    after = {n for n, p in model.named_parameters(remove_duplicate=False) if p.device.type == "meta"}
    report.tied = sorted(before - after)
    report.missing += [n for n, p in model.named_parameters(remove_duplicate=False) if p.device.type == "meta"]
    for name, buffer in list(model.named_buffers()):
        if buffer.device != device and buffer.device.type != "meta":
            _set_tensor(model, name, buffer.to(device))
    if strict and (report.unexpected or report.missing):
        raise Fp8FormatError(f"{path}: " + "; ".join(
            part for part in (f"{len(report.unexpected)} key(s) match no parameter and no known scale: "
                              f"{', '.join(report.unexpected[:8])}" if report.unexpected else "",
                              f"{len(report.missing)} model parameter(s) not in the checkpoint: "
                              f"{', '.join(report.missing[:8])}" if report.missing else "") if part)
                             + " (strict=False loads anyway and lists them in model.fp8blk_load_report)")
    for key in report.unexpected + report.missing:
        log.warning("fp8blk.from_pretrained: %s %s", key, "unexpected" if key in report.unexpected else "missing")
    log.info("fp8blk.from_pretrained(%s): %s", path, report.summary())
    model.fp8blk_load_report = report
    return model.eval()
