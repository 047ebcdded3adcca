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
