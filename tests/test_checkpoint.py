import json
import os

import pytest
import torch
from safetensors.torch import save_file
from torch import nn

import fp8blk
from fp8blk import Fp8FormatError, load_fp8_checkpoint, replace_linear, save_fp8_checkpoint
from fp8blk import checkpoint as checkpoint_module

from conftest import write_checkpoint

CONVENTIONS = [("weight_scale_inv", torch.float32, "deepseek-hf"),
               ("weight_scale", torch.bfloat16, "compressed-tensors"),
               ("scale", torch.float8_e8m0fnu, "deepseek-v4"),
               ("scale", torch.float32, "deepseek-v4")]


@pytest.mark.parametrize("shards", [1, 3])
@pytest.mark.parametrize("scale_name,scale_dtype,convention", CONVENTIONS)
def test_load_each_convention(ckpt, scale_name, scale_dtype, convention, shards):
    path, weights = ckpt(scale_name=scale_name, scale_dtype=scale_dtype, shards=shards, bias=True)
    layers = load_fp8_checkpoint(path)
    assert sorted(layers) == sorted(weights)
    for prefix, layer in layers.items():
        assert layer.checkpoint_convention == convention and layer.scale_name == scale_name
        assert layer.block_scale.dtype == scale_dtype and layer.bias is not None
        w_hat = layer.dequantized_weight()
        assert ((w_hat - weights[prefix]).norm() / weights[prefix].norm()) < 0.05


def test_index_path_and_file_path(ckpt):
    path, _ = ckpt(shards=2)
    assert sorted(load_fp8_checkpoint(path / "model.safetensors.index.json")) == sorted(load_fp8_checkpoint(path))
    single, _ = ckpt(shards=1)
    assert len(load_fp8_checkpoint(single / "model.safetensors")) == 2


def test_include_reads_only_the_layers_asked_for(ckpt, monkeypatch):
    path, _ = ckpt(shards=2)
    read = []
    real = checkpoint_module._read_tensors
    monkeypatch.setattr(checkpoint_module, "_read_tensors", lambda layout, keys: read.extend(keys) or real(layout, keys))
    layers = load_fp8_checkpoint(path, include="layers.0.ffn.*")
    assert list(layers) == ["layers.0.ffn.w2"]
    assert read and all(k.startswith("layers.0.ffn.w2.") for k in read)


def test_round_trip_deepseek_to_compressed_tensors_bit_for_bit(ckpt, tmp_path):
    path, _ = ckpt(scale_name="weight_scale_inv", bias=True)
    first = load_fp8_checkpoint(path)
    out = save_fp8_checkpoint(first, tmp_path / "ct", scale_name="weight_scale")
    config = json.loads((out.parent / "config.json").read_text())["quantization_config"]
    assert config["quant_method"] == "compressed-tensors"
    second = load_fp8_checkpoint(tmp_path / "ct")
    x = torch.randn(5, 384, dtype=torch.bfloat16)
    for prefix, layer in second.items():
        assert layer.scale_name == "weight_scale" and layer.checkpoint_convention == "compressed-tensors"
        x = torch.randn(5, layer.in_features, dtype=torch.bfloat16)
        assert torch.equal(layer(x), first[prefix](x))


def test_model_free_ptq_fp8_block_checkpoint(tmp_path):
    """llmcompressor model_free_ptq FP8_BLOCK: X.weight + X.weight_scale bf16 [ceil(N/128), ceil(K/128)]."""
    config = {"quantization_config": {
        "quant_method": "compressed-tensors", "format": "float-quantized",
        "config_groups": {"FP8_BLOCK": {"targets": ["Linear"], "weights": {
            "num_bits": 8, "type": "float", "strategy": "block", "block_structure": [128, 128], "symmetric": True,
            "dynamic": False}, "input_activations": {"num_bits": 8, "type": "float", "strategy": "group",
                                                     "group_size": 128, "dynamic": True}}},
        "ignore": ["lm_head", "re:.*mlp.gate$"]}}
    torch.manual_seed(0)
    wq = (torch.randn(576, 1000) * 100).clamp(-448, 448).to(torch.float8_e4m3fn)
    scale = (torch.rand(5, 8) * 1e-3 + 1e-4).to(torch.bfloat16)
    tensors = {"model.layers.0.self_attn.kv_a_proj_with_mqa.weight": wq,
               "model.layers.0.self_attn.kv_a_proj_with_mqa.weight_scale": scale,
               "model.layers.0.mlp.gate.weight": torch.randn(8, 1000).to(torch.bfloat16),
               "lm_head.weight": torch.randn(16, 1000).to(torch.bfloat16)}
    (tmp_path / "config.json").write_text(json.dumps(config))
    save_file(tensors, str(tmp_path / "model.safetensors"))
    layers = load_fp8_checkpoint(tmp_path)
    assert list(layers) == ["model.layers.0.self_attn.kv_a_proj_with_mqa"]
    layer = layers["model.layers.0.self_attn.kv_a_proj_with_mqa"]
    by_hand = wq.double() * scale.double().repeat_interleave(128, 0)[:576].repeat_interleave(128, 1)[:, :1000]
    x = torch.randn(3, 1000, dtype=torch.bfloat16)
    ref = x.double() @ by_hand.T
    assert ((layer(x).double() - ref).norm() / ref.norm()) < 4e-3
    assert torch.equal(layer.dequantized_weight(torch.float64), by_hand)


def test_block_size_from_config_and_inferred(ckpt, tmp_path):
    path, _ = ckpt(block_size=(64, 32), config={"quantization_config": {"quant_method": "fp8", "weight_block_size": [64, 32]}})
    assert {l.block_size for l in load_fp8_checkpoint(path).values()} == {(64, 32)}
    inferred = write_checkpoint(tmp_path / "inferred", {"a": (576, 7168), "b": (256, 384)})
    assert {l.block_size for l in load_fp8_checkpoint(tmp_path / "inferred").values()} == {(128, 128)}
    assert inferred


def test_uninferable_block_size_is_an_error(tmp_path):
    # Block 96: [2, 2] for 192 x 192 and [5, 5] for 480 x 480 -- no power of two fits both.
    write_checkpoint(tmp_path / "c", {"a": (192, 192), "b": (480, 480)}, block_size=(96, 96))
    with pytest.raises(Fp8FormatError, match="cannot be inferred"):
        load_fp8_checkpoint(tmp_path / "c")
    layers = load_fp8_checkpoint(tmp_path / "c", block_size=(96, 96))
    assert {l.block_size for l in layers.values()} == {(96, 96)}


def test_single_block_layers_load_whatever_block_fits(tmp_path):
    write_checkpoint(tmp_path / "c", {"a": (100, 100)})  # scale [1, 1]: every block >= 100 means the same
    layer = load_fp8_checkpoint(tmp_path / "c")["a"]
    assert layer.block_size == (128, 128) and layer.block_scale.shape == (1, 1)


def test_per_tensor_and_per_channel_scales(tmp_path):
    w = torch.randn(300, 200)
    tensor_scale = torch.tensor([0.01])
    channel_scale = torch.rand(300, 1) * 0.01 + 0.001
    save_file({"t.weight": (w / tensor_scale).clamp(-448, 448).to(torch.float8_e4m3fn), "t.weight_scale": tensor_scale,
               "c.weight": (w / channel_scale).clamp(-448, 448).to(torch.float8_e4m3fn), "c.weight_scale": channel_scale},
              str(tmp_path / "model.safetensors"))
    (tmp_path / "config.json").write_text(json.dumps({"quantization_config": {"quant_method": "fp8", "weight_block_size": [128, 128]}}))
    layers = load_fp8_checkpoint(tmp_path)
    t, c = layers["t"], layers["c"]
    assert t.checkpoint_scale_kind == "per-tensor" and t.block_size == (128, 128)
    assert c.checkpoint_scale_kind == "per-channel" and c.block_size == (1, 128)
    assert torch.equal(t.dequantized_weight(), t.weight.float() * 0.01)
    assert torch.equal(c.dequantized_weight(), c.weight.float() * channel_scale)


def _corrupt(tmp_path, tensors, config=None):
    save_file(tensors, str(tmp_path / "model.safetensors"))
    if config:
        (tmp_path / "config.json").write_text(json.dumps(config))
    return tmp_path


def _good(n=256, k=256):
    w = torch.randn(n, k) * 0.02
    return fp8blk.quantize_fp8_block(w)


@pytest.mark.parametrize("case,match", [
    ("wrong_scale_shape", r"expected a block scale of shape \[2, 2\].*found \[3, 2\]"),
    ("missing_scale", r"x\.weight.*without a scale"),
    ("orphan_scale", r"orphan scale, there is no y\.weight"),
    ("non_fp8_weight", r"beside y\.weight, which is torch\.bfloat16"),
    ("nan_scale", r"x\.weight_scale_inv.*NaN or Inf"),
    ("inf_scale", r"NaN or Inf"),
    ("negative_scale", r"negative"),
    ("block_mismatch", r"expected a block scale of shape \[4, 4\].*block size \[64, 64\] \(config.json\)"),
])
def test_bad_input_is_a_clear_error(tmp_path, case, match):
    wq, scale = _good()
    tensors = {"x.weight": wq, "x.weight_scale_inv": scale}
    config = None
    if case == "wrong_scale_shape":
        tensors["x.weight_scale_inv"] = torch.ones(3, 2)
        config = {"quantization_config": {"quant_method": "fp8", "weight_block_size": [128, 128]}}
    elif case == "missing_scale":
        del tensors["x.weight_scale_inv"]
    elif case == "orphan_scale":
        tensors["y.weight_scale"] = torch.ones(2, 2)
    elif case == "non_fp8_weight":
        tensors.update({"y.weight": torch.randn(256, 256).to(torch.bfloat16), "y.weight_scale": torch.ones(2, 2)})
    elif case == "nan_scale":
        tensors["x.weight_scale_inv"] = scale.clone().index_fill_(0, torch.tensor([0]), float("nan"))
    elif case == "inf_scale":
        tensors["x.weight_scale_inv"] = scale.clone().index_fill_(0, torch.tensor([1]), float("inf"))
    elif case == "negative_scale":
        tensors["x.weight_scale_inv"] = -scale
    elif case == "block_mismatch":
        config = {"quantization_config": {"quant_method": "fp8", "weight_block_size": [64, 64]}}
    path = _corrupt(tmp_path, tensors, config)
    with pytest.raises(Fp8FormatError, match=match) as info:
        load_fp8_checkpoint(path)
    assert "model.safetensors" in str(info.value) or case in ("missing_scale",)


def test_zero_scale_is_legal(tmp_path):
    wq, scale = _good()
    scale[0, 0] = 0
    layers = load_fp8_checkpoint(_corrupt(tmp_path, {"x.weight": wq, "x.weight_scale_inv": scale}))
    assert layers["x"].dequantized_weight()[:128, :128].abs().max() == 0


def test_twin_scales_must_agree(tmp_path):
    wq, scale = _good()
    path = _corrupt(tmp_path, {"x.weight": wq, "x.weight_scale_inv": scale, "x.weight_scale": scale.clone()})
    assert "x" in load_fp8_checkpoint(path)
    path = _corrupt(tmp_path, {"x.weight": wq, "x.weight_scale_inv": scale, "x.weight_scale": scale * 2})
    with pytest.raises(Fp8FormatError, match="different values"):
        load_fp8_checkpoint(path)


def test_truncated_and_corrupt_files(tmp_path):
    wq, scale = _good()
    path = _corrupt(tmp_path, {"x.weight": wq, "x.weight_scale_inv": scale})
    data = (path / "model.safetensors").read_bytes()
    (path / "model.safetensors").write_bytes(data[:-100])
    with pytest.raises(Fp8FormatError, match=r"model\.safetensors.*out of range"):
        load_fp8_checkpoint(path)
    (path / "model.safetensors").write_bytes(data[:20])
    with pytest.raises(Fp8FormatError, match="past the end of the file"):
        load_fp8_checkpoint(path)
    (path / "model.safetensors").write_bytes(data[:8] + b"{not json" + data[17:])
    with pytest.raises(Fp8FormatError, match="not valid UTF-8 JSON"):
        load_fp8_checkpoint(path)


def test_index_problems(ckpt, tmp_path):
    path, _ = ckpt(shards=2)
    index = json.loads((path / "model.safetensors.index.json").read_text())
    key = next(iter(index["weight_map"]))
    missing = dict(index, weight_map=dict(index["weight_map"], **{key: "model-00009-of-00009.safetensors"}))
    (path / "model.safetensors.index.json").write_text(json.dumps(missing))
    with pytest.raises(FileNotFoundError, match=r"model-00009-of-00009\.safetensors"):
        load_fp8_checkpoint(path)
    escaping = dict(index, weight_map=dict(index["weight_map"], **{key: "../outside.safetensors"}))
    (path / "model.safetensors.index.json").write_text(json.dumps(escaping))
    with pytest.raises(Fp8FormatError, match="outside the checkpoint directory"):
        load_fp8_checkpoint(path)
    outside = tmp_path / "outside.safetensors"
    outside.write_bytes((path / index["weight_map"][key]).read_bytes())
    os.symlink(outside, path / "link.safetensors")
    linked = dict(index, weight_map=dict(index["weight_map"], **{key: "link.safetensors"}))
    (path / "model.safetensors.index.json").write_text(json.dumps(linked))
    with pytest.raises(Fp8FormatError, match="resolves outside"):
        load_fp8_checkpoint(path)


def test_missing_path():
    with pytest.raises(FileNotFoundError):
        load_fp8_checkpoint("/nonexistent/checkpoint")


class Tiny(nn.Module):
    def __init__(self):
        super().__init__()
        self.attn = nn.Module()
        self.attn.wkv = nn.Linear(384, 256, bias=False)
        self.ffn = nn.Module()
        self.ffn.w2 = nn.Linear(300, 200)
        self.head = nn.Linear(200, 10)


def test_replace_linear_from_path_and_state_dict(ckpt):
    path, _ = ckpt(layers={"attn.wkv": (256, 384), "ffn.w2": (200, 300)})
    model = Tiny()
    assert sorted(replace_linear(model, path)) == ["attn.wkv", "ffn.w2"]
    assert isinstance(model.attn.wkv, fp8blk.Fp8BlockLinear) and isinstance(model.head, nn.Linear)
    assert model.ffn.w2.bias is not None  # the linear's own bias kept: the checkpoint has none
    state = {k: v for layer in load_fp8_checkpoint(path).items() for k, v in
             ((f"{layer[0]}.{n}", t) for n, t in layer[1].state_dict().items())}
    other = Tiny()
    assert sorted(replace_linear(other, state)) == ["attn.wkv", "ffn.w2"]
    x = torch.randn(2, 384, dtype=torch.bfloat16)
    assert torch.equal(model.attn.wkv(x), other.attn.wkv(x))


def test_replace_linear_is_all_or_nothing(ckpt):
    path, _ = ckpt(layers={"attn.wkv": (256, 384), "ffn.w2": (200, 301)})
    model = Tiny()
    with pytest.raises(Fp8FormatError, match=r"ffn\.w2"):
        replace_linear(model, path)
    assert isinstance(model.attn.wkv, nn.Linear)


def test_tensor_reader_opens_each_shard_once(ckpt, monkeypatch):
    import fp8blk.checkpoint as checkpoint
    path, _ = ckpt(layers={f"layers.{i}.w": (128, 256) for i in range(6)}, shards=3)
    layout = checkpoint.scan_checkpoint(path).layout
    opened = []
    real = checkpoint.safe_open
    monkeypatch.setattr(checkpoint, "safe_open", lambda file, **kw: opened.append(file) or real(file, **kw))
    with checkpoint.TensorReader(layout) as reader:
        tensors = {key: reader.get(key) for key in layout.tensors}
    assert len(tensors) == 12 and sorted(opened) == sorted(set(opened)) and len(opened) == 3
