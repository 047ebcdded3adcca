"""fp8blk/hf.py: ``fp8blk.from_pretrained`` on tiny Llama checkpoints written FP8 in every convention (CPU)."""
import json

import pytest
import torch
from safetensors.torch import save_file

import fp8blk
from fp8blk import Fp8BlockLinear, Fp8FormatError
from fp8blk.checkpoint import quantization_config_for
from fp8blk.formats import dequantize_fp8_block, quantize_fp8_block

transformers = pytest.importorskip("transformers", reason="the transformers drop-in needs transformers (fp8blk[hf])")

# hidden 256, MLP 688 (not a multiple of 128: ragged blocks), 2 layers, GQA
CONFIG = dict(hidden_size=256, intermediate_size=688, num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2,
              vocab_size=512, max_position_embeddings=64, rms_norm_eps=1e-5)
CONVENTIONS = [("weight_scale_inv", torch.float32), ("weight_scale", torch.bfloat16), ("scale", torch.float8_e8m0fnu)]


def tiny_llama(tie=False, seed=0):
    torch.manual_seed(seed)
    config = transformers.LlamaConfig(**CONFIG, tie_word_embeddings=tie)
    model = transformers.LlamaForCausalLM(config).to(torch.bfloat16).eval()
    with torch.no_grad():
        for param in model.parameters():  # a visible signal: random weights of the right scale, not the init's zeros
            param.copy_(torch.randn_like(param.float()) * (0.02 if param.dim() > 1 else 0.1) + (param.dim() == 1))
    return model


def write_fp8(model, directory, scale_name, scale_dtype, quantize_embedding=False, scale_kind="block", shards=1,
              extra=None, block=(128, 128)):
    """The model saved FP8 in one convention (linears but lm_head, optionally the embedding) + config.json; returns
    a float32 reference model holding exactly the dequantized weights (and the bf16 tensors as stored)."""
    reference = tiny_llama(model.config.tie_word_embeddings)
    reference.load_state_dict(model.state_dict())
    reference.float()
    tensors = {}
    for name, module in model.named_modules():
        quantize = (isinstance(module, torch.nn.Linear) and name != "lm_head") or \
                   (quantize_embedding and name == "model.embed_tokens")
        if not quantize:
            continue
        w = module.weight.detach().float()
        if scale_kind == "per-tensor":
            scale = (w.abs().max() / 448).reshape(1)
            wq, block_scale = (w / scale).to(torch.float8_e4m3fn), scale
            dense = wq.float() * scale
        elif scale_kind == "per-channel":
            scale = (w.abs().amax(dim=1, keepdim=True) / 448)
            wq, block_scale = (w / scale).to(torch.float8_e4m3fn), scale
            dense = wq.float() * scale
        else:
            wq, block_scale = quantize_fp8_block(w, block, scale_dtype)
            dense = dequantize_fp8_block(wq, block_scale, block, torch.float32)
        tensors[f"{name}.weight"] = wq
        tensors[f"{name}.{scale_name}"] = block_scale
        reference.get_submodule(name).weight.data = dense
    for key, value in model.state_dict().items():
        if key not in tensors and not (model.config.tie_word_embeddings and key == "lm_head.weight"):
            tensors[key] = value.contiguous()
    tensors.update(extra or {})
    directory.mkdir(parents=True, exist_ok=True)
    keys = sorted(tensors)
    if shards == 1:
        save_file(tensors, str(directory / "model.safetensors"), metadata={"format": "pt"})
    else:
        weight_map = {}
        for s in range(shards):
            file = f"model-{s + 1:05d}-of-{shards:05d}.safetensors"
            save_file({k: tensors[k] for k in keys[s::shards]}, str(directory / file), metadata={"format": "pt"})
            weight_map.update({k: file for k in keys[s::shards]})
        (directory / "model.safetensors.index.json").write_text(json.dumps({"metadata": {}, "weight_map": weight_map}))
    config = model.config.to_dict()
    config["quantization_config"] = quantization_config_for(scale_name, block, scale_dtype)
    (directory / "config.json").write_text(json.dumps(config))
    return reference


def logits_err(model, reference, seed=1):
    ids = torch.randint(0, CONFIG["vocab_size"], (2, 12), generator=torch.Generator().manual_seed(seed))
    with torch.no_grad():
        got, want = model(ids).logits.double(), reference(ids).logits.double()
    return float((got - want).norm() / want.norm())


@pytest.mark.parametrize("scale_name,scale_dtype", CONVENTIONS)
@pytest.mark.parametrize("shards", [1, 2])
def test_every_convention_loads_as_fp8_linears_and_matches_the_dequantized_model(tmp_path, scale_name, scale_dtype,
                                                                                  shards):
    reference = write_fp8(tiny_llama(), tmp_path / "ckpt", scale_name, scale_dtype, shards=shards)
    model = fp8blk.from_pretrained(tmp_path / "ckpt", device="cpu", dtype=torch.bfloat16)
    assert isinstance(model, transformers.PreTrainedModel) and not hasattr(model.config, "quantization_config")
    fp8 = [n for n, m in model.named_modules() if isinstance(m, Fp8BlockLinear)]
    assert len(fp8) == 7 * CONFIG["num_hidden_layers"]  # q, k, v, o, gate, up, down per layer; lm_head stays bf16
    assert isinstance(model.lm_head, torch.nn.Linear) and not isinstance(model.lm_head, Fp8BlockLinear)
    assert model.get_submodule("model.layers.0.mlp.down_proj").weight.dtype == torch.float8_e4m3fn
    assert all(p.device.type == "cpu" for p in model.parameters())
    report = model.fp8blk_load_report
    assert report.conventions and not report.unexpected and not report.missing and not report.dequantized
    assert logits_err(model, reference) < 1e-2  # float32 model holding the dequantized weights
    bf16_model = tiny_llama()
    bf16_model.load_state_dict({k: v.to(torch.bfloat16) for k, v in reference.state_dict().items()})
    assert logits_err(model, bf16_model) < 1e-2  # the same weights as a plain bf16 transformers model
    assert logits_err(model, tiny_llama()) > 3e-2  # the unquantized original is farther: the check can fail
    out = model.generate(torch.tensor([[1, 2, 3]]), max_new_tokens=8, do_sample=False)
    assert out.shape == (1, 11)


def test_an_fp8_embedding_is_dequantized_not_used_as_raw_bytes(tmp_path):
    """model_free_ptq quantizes embed_tokens too: its FP8 bytes must be dequantized with its scale."""
    reference = write_fp8(tiny_llama(), tmp_path / "ckpt", "weight_scale", torch.bfloat16, quantize_embedding=True)
    model = fp8blk.from_pretrained(tmp_path / "ckpt")
    embedding = model.get_submodule("model.embed_tokens")
    assert isinstance(embedding, torch.nn.Embedding) and embedding.weight.dtype == torch.bfloat16
    # one rounding of the exact float32 product to bf16
    assert torch.equal(embedding.weight, reference.get_submodule("model.embed_tokens").weight.to(torch.bfloat16))
    assert model.fp8blk_load_report.dequantized == ["model.embed_tokens.weight"]
    assert logits_err(model, reference) < 1e-2


@pytest.mark.parametrize("scale_kind", ["per-tensor", "per-channel"])
def test_per_tensor_and_per_channel_scales(tmp_path, scale_kind):
    reference = write_fp8(tiny_llama(), tmp_path / "ckpt", "weight_scale", torch.float32, scale_kind=scale_kind)
    model = fp8blk.from_pretrained(tmp_path / "ckpt")
    assert logits_err(model, reference) < 1e-2


def test_tied_embeddings(tmp_path):
    reference = write_fp8(tiny_llama(tie=True), tmp_path / "ckpt", "weight_scale_inv", torch.float32)
    model = fp8blk.from_pretrained(tmp_path / "ckpt")
    assert model.lm_head.weight is model.get_submodule("model.embed_tokens").weight
    assert "lm_head.weight" in model.fp8blk_load_report.tied
    assert logits_err(model, reference) < 1e-2


def test_a_stray_key_raises_and_strict_false_reports_it(tmp_path):
    stray = {"model.layers.0.mlp.mystery": torch.ones(3, dtype=torch.bfloat16)}
    reference = write_fp8(tiny_llama(), tmp_path / "ckpt", "weight_scale_inv", torch.float32, extra=stray)
    with pytest.raises(Fp8FormatError, match="match no parameter and no known scale: model.layers.0.mlp.mystery"):
        fp8blk.from_pretrained(tmp_path / "ckpt")
    model = fp8blk.from_pretrained(tmp_path / "ckpt", strict=False)
    assert model.fp8blk_load_report.unexpected == ["model.layers.0.mlp.mystery"]
    assert logits_err(model, reference) < 1e-2


def test_a_missing_parameter_raises(tmp_path):
    write_fp8(tiny_llama(), tmp_path / "ckpt", "weight_scale_inv", torch.float32)
    from safetensors.torch import load_file
    tensors = load_file(str(tmp_path / "ckpt" / "model.safetensors"))
    del tensors["model.norm.weight"]
    save_file(tensors, str(tmp_path / "ckpt" / "model.safetensors"))
    with pytest.raises(Fp8FormatError, match="not in the checkpoint: model.norm.weight"):
        fp8blk.from_pretrained(tmp_path / "ckpt")


def test_ignored_layers_stay_as_stored(tmp_path):
    """A layer config.json lists as unquantized (bf16 in the checkpoint) is loaded as a plain linear."""
    model = tiny_llama()
    write_fp8(model, tmp_path / "ckpt", "weight_scale", torch.bfloat16)
    from safetensors.torch import load_file
    tensors = load_file(str(tmp_path / "ckpt" / "model.safetensors"))
    name = "model.layers.1.self_attn.o_proj"
    tensors[f"{name}.weight"] = model.get_submodule(name).weight.detach().contiguous()
    del tensors[f"{name}.weight_scale"]
    save_file(tensors, str(tmp_path / "ckpt" / "model.safetensors"))
    config = json.loads((tmp_path / "ckpt" / "config.json").read_text())
    config["quantization_config"]["ignore"] = ["lm_head", name]
    (tmp_path / "ckpt" / "config.json").write_text(json.dumps(config))
    loaded = fp8blk.from_pretrained(tmp_path / "ckpt")
    plain = loaded.get_submodule(name)
    assert type(plain) is torch.nn.Linear and torch.equal(plain.weight, model.get_submodule(name).weight)


def test_importing_fp8blk_does_not_import_transformers():
    import subprocess
    import sys
    done = subprocess.run([sys.executable, "-c", "import sys, fp8blk; print('transformers' in sys.modules)"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == "False", done.stderr[-500:]


def test_activation_scales_are_listed_as_ignored_not_dropped_silently(tmp_path):
    scales = {"model.layers.0.self_attn.q_proj.input_scale": torch.ones(1)}
    reference = write_fp8(tiny_llama(), tmp_path / "ckpt", "weight_scale", torch.float32, extra=scales)
    model = fp8blk.from_pretrained(tmp_path / "ckpt")
    assert model.fp8blk_load_report.ignored == ["model.layers.0.self_attn.q_proj.input_scale"]
    assert "1 activation scales ignored" in model.fp8blk_load_report.summary()
    assert logits_err(model, reference) < 1e-2


def test_a_model_free_ptq_checkpoint_loads_correctly_embedding_included(tmp_path):
    """The producer the brief names: llmcompressor's model_free_ptq FP8_BLOCK quantizes embed_tokens too
    (F8_E4M3 + a bf16 weight_scale). transformers alone uses those bytes raw; fp8blk must match a float model built
    independently from the same files (every FP8 tensor dequantized with its scale)."""
    llmcompressor = pytest.importorskip("llmcompressor", reason="the model_free_ptq check needs llmcompressor")
    from safetensors.torch import load_file
    config = dict(CONFIG, intermediate_size=768)  # llmcompressor 0.14 fails on ragged K (non-contiguous slices)
    torch.manual_seed(0)
    source = transformers.LlamaForCausalLM(transformers.LlamaConfig(**config)).to(torch.bfloat16)
    with torch.no_grad():
        for param in source.parameters():
            param.copy_(torch.randn_like(param.float()) * (0.02 if param.dim() > 1 else 0.1) + (param.dim() == 1))
    source.save_pretrained(tmp_path / "bf16")
    llmcompressor.model_free_ptq(str(tmp_path / "bf16"), str(tmp_path / "fp8"), scheme="FP8_BLOCK", ignore=["lm_head"])
    stored = {}
    for file in sorted((tmp_path / "fp8").glob("*.safetensors")):
        stored.update(load_file(str(file)))
    assert stored["model.embed_tokens.weight"].dtype == torch.float8_e4m3fn  # what transformers mishandles
    reference = transformers.LlamaForCausalLM(transformers.LlamaConfig(**config)).float().eval()
    state = {}
    for key, tensor in stored.items():
        if key.endswith(".weight_scale"):
            continue
        scale = stored.get(key + "_scale")
        state[key] = dequantize_fp8_block(tensor, scale, (128, 128), torch.float32) if scale is not None else tensor.float()
    reference.load_state_dict(state)
    model = fp8blk.from_pretrained(tmp_path / "fp8")
    report = model.fp8blk_load_report
    assert report.dequantized == ["model.embed_tokens.weight"] and report.conventions == {"compressed-tensors": 14}
    assert logits_err(model, reference) < 1e-2
