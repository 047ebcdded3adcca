import json
import os
from pathlib import Path

import pytest
import torch

# Without a GPU, Triton kernels run in its CPU interpreter; this must be set before they are decorated.
if not torch.cuda.is_available():
    os.environ.setdefault("TRITON_INTERPRET", "1")

from safetensors.torch import save_file  # noqa: E402
from fp8blk.formats import quantize_fp8_block


def random_weight(n, k, seed=0, std=0.02):
    return torch.randn(n, k, generator=torch.Generator().manual_seed(seed)) * std


def write_checkpoint(directory, layers, scale_name="weight_scale_inv", scale_dtype=torch.float32, config=None,
                     block_size=(128, 128), shards=1, bias=False):
    """Writes {prefix: (N, K)} layers in one convention; returns {prefix: float weight}."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    weights, tensors = {}, {}
    for i, (prefix, (n, k)) in enumerate(layers.items()):
        w = random_weight(n, k, seed=i)
        wq, scale = quantize_fp8_block(w, block_size, scale_dtype)
        weights[prefix] = w
        tensors[f"{prefix}.weight"] = wq
        tensors[f"{prefix}.{scale_name}"] = scale
        if bias:
            tensors[f"{prefix}.bias"] = torch.randn(n).to(torch.bfloat16)
    keys = sorted(tensors)
    if shards == 1:
        save_file(tensors, str(directory / "model.safetensors"))
    else:
        weight_map = {}
        for s in range(shards):
            name = f"model-{s + 1:05d}-of-{shards:05d}.safetensors"
            part = {k: tensors[k] for k in keys[s::shards]}
            save_file(part, str(directory / name))
            weight_map.update({k: name for k in part})
        (directory / "model.safetensors.index.json").write_text(json.dumps({"metadata": {}, "weight_map": weight_map}))
    if config is not None:
        (directory / "config.json").write_text(json.dumps(config))
    return weights


@pytest.fixture
def ckpt(tmp_path):
    def make(layers=None, **kwargs):
        layers = layers or {"layers.0.attn.wkv": (256, 384), "layers.0.ffn.w2": (200, 300)}
        weights = write_checkpoint(tmp_path / "ckpt", layers, **kwargs)
        return tmp_path / "ckpt", weights
    return make
