import types

import pytest
import torch

from fp8blk import Fp8FormatError, fp8_block_linear, quantize_fp8_block
from fp8blk.integrations.vllm import apply_fp8blk_linear, block_scale_of


def vllm_like_layer(scale_name, block=(128, 128)):
    wq, scale = quantize_fp8_block(torch.randn(300, 256), block)
    layer = types.SimpleNamespace(weight=wq, weight_block_size=list(block))
    setattr(layer, scale_name, torch.nn.Parameter(scale, requires_grad=False))
    return layer, scale


@pytest.mark.parametrize("name", ["weight_scale_inv", "weight_scale", "scale"])
def test_block_scale_of_any_name(name):
    layer, scale = vllm_like_layer(name)
    assert torch.equal(block_scale_of(layer), scale)
    x = torch.randn(3, 256, dtype=torch.bfloat16)
    bias = torch.randn(300, dtype=torch.bfloat16)
    assert torch.equal(apply_fp8blk_linear(layer, x, bias), fp8_block_linear(x, layer.weight, scale, bias))


def test_block_size_from_the_layer():
    layer, scale = vllm_like_layer("weight_scale", block=(64, 64))
    x = torch.randn(2, 256, dtype=torch.float16)
    assert torch.equal(apply_fp8blk_linear(layer, x), fp8_block_linear(x, layer.weight, scale, None, (64, 64)))


def test_missing_or_conflicting_scales():
    with pytest.raises(Fp8FormatError, match="no block scale"):
        block_scale_of(types.SimpleNamespace(weight=torch.zeros(1)))
    layer, scale = vllm_like_layer("weight_scale")
    layer.weight_scale_inv = scale.clone()
    assert torch.equal(block_scale_of(layer), scale)
    layer.weight_scale_inv = scale * 2
    with pytest.raises(Fp8FormatError, match="two different block scales"):
        block_scale_of(layer)


def test_kernels_readme_linear_method_runs(monkeypatch):
    """The vLLM example in kernels/README.md, executed against a stand-in for vLLM's Fp8LinearMethod."""
    import re
    import sys
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "kernels" / "README.md").read_text()
    block = next(code for code in re.findall(r"```python\n(.*?)```", readme, re.S) if "Fp8LinearMethod" in code)
    base = type("Fp8LinearMethod", (), {})
    for name in ("vllm", "vllm.model_executor", "vllm.model_executor.layers", "vllm.model_executor.layers.quantization"):
        monkeypatch.setitem(sys.modules, name, types.ModuleType(name))
    fp8_module = types.ModuleType("vllm.model_executor.layers.quantization.fp8")
    fp8_module.Fp8LinearMethod = base
    monkeypatch.setitem(sys.modules, fp8_module.__name__, fp8_module)
    namespace = {}
    exec(compile(block, "kernels/README.md", "exec"), namespace)
    method = namespace["Fp8BlkLinearMethod"]()
    assert isinstance(method, base)
    for name in ("weight_scale_inv", "weight_scale", "scale"):
        layer, scale = vllm_like_layer(name)
        method.process_weights_after_loading(layer)
        x = torch.randn(5, 256, dtype=torch.bfloat16)
        assert torch.equal(method.apply(layer, x), fp8_block_linear(x, layer.weight, scale))
    with pytest.raises(Fp8FormatError, match="weight_scale_inv"):
        method.process_weights_after_loading(types.SimpleNamespace(weight=layer.weight, weight_block_size=[128, 128]))
