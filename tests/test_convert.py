import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch
from safetensors.torch import save_file

import fp8blk
from fp8blk import Fp8FormatError, load_fp8_checkpoint
from fp8blk.cli import main
from fp8blk.convert import convert_checkpoint
from fp8blk.inspect import inspect_checkpoint
from fp8blk.safetensors_header import read_header

from conftest import write_checkpoint

CONVENTIONS = [("weight_scale_inv", torch.float32), ("weight_scale", torch.bfloat16), ("scale", torch.float8_e8m0fnu)]
LAYERS = {"layers.0.attn.wkv": (512, 1024), "layers.0.ffn.w2": (300, 200)}


def tree_hashes(root: Path):
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(root.rglob("*"))
            if p.is_file()}


def outputs(path):
    x = torch.randn(3, 1024, generator=torch.Generator().manual_seed(0)).to(torch.bfloat16)
    layers = load_fp8_checkpoint(path)
    return {p: layer(x[:, :layer.in_features]) for p, layer in layers.items()}, layers


@pytest.mark.parametrize("shards", [1, 3])
@pytest.mark.parametrize("src_name,src_dtype", CONVENTIONS)
@pytest.mark.parametrize("dst_name", ["weight_scale_inv", "weight_scale", "scale"])
def test_convert_between_every_convention(tmp_path, src_name, src_dtype, dst_name, shards):
    src = tmp_path / "src"
    write_checkpoint(src, LAYERS, src_name, src_dtype, shards=shards, bias=True,
                     config={"quantization_config": {"quant_method": "fp8", "weight_block_size": [128, 128],
                                                     "modules_to_not_convert": ["lm_head"]}, "hidden_size": 7})
    (src / "tokenizer.json").write_text('{"vocab": 1}')
    (src / "extra").mkdir()
    (src / "extra" / "notes.txt").write_text("kept")
    before = tree_hashes(src)
    assert main(["convert", str(src), str(tmp_path / "dst"), "--scale-name", dst_name]) == 0
    dst = tmp_path / "dst"
    assert tree_hashes(src) == before  # the source is never touched
    report = inspect_checkpoint(dst)
    assert not report["problems"] and report["satisfies"][fp8blk.conventions.CONVENTION_OF_SCALE[dst_name]]
    # Only scale keys are renamed; every tensor's bytes are the same.
    for file in sorted(dst.glob("*.safetensors")):
        new, _ = read_header(file)
        old, _ = read_header(src / file.name)
        renamed = {k.rsplit(".", 1)[0] + "." + dst_name if k.rsplit(".", 1)[1] in fp8blk.SCALE_NAMES else k: v
                   for k, v in old.items()}
        assert set(new) == set(renamed)
        for key, info in new.items():
            data = file.read_bytes()[info.data_start + info.begin:info.data_start + info.end]
            source = renamed[key]
            assert data == (src / file.name).read_bytes()[source.data_start + source.begin:source.data_start + source.end]
    if shards > 1:
        index = json.loads((dst / "model.safetensors.index.json").read_text())["weight_map"]
        assert all(key.endswith((".weight", ".bias", "." + dst_name)) for key in index)
    config = json.loads((dst / "config.json").read_text())
    assert config["hidden_size"] == 7
    quant = config["quantization_config"]
    assert quant["quant_method"] == ("compressed-tensors" if dst_name == "weight_scale" else "fp8")
    assert "lm_head" in quant.get("ignore", quant.get("modules_to_not_convert", []))
    assert (dst / "tokenizer.json").read_text() == '{"vocab": 1}' and (dst / "extra" / "notes.txt").read_text() == "kept"
    y_src, _ = outputs(src)
    y_dst, layers = outputs(dst)
    assert all(torch.equal(y_src[p], y_dst[p]) for p in y_src)
    assert all(layer.scale_name == dst_name for layer in layers.values())


def test_single_file(tmp_path):
    write_checkpoint(tmp_path / "src", LAYERS, "weight_scale", torch.bfloat16)
    src = tmp_path / "src" / "model.safetensors"
    assert main(["convert", str(src), str(tmp_path / "out.safetensors"), "--scale-name", "weight_scale_inv"]) == 0
    assert {k.rsplit(".", 1)[1] for k in read_header(tmp_path / "out.safetensors")[0]} == {"weight", "weight_scale_inv"}


def test_scale_dtype_changes(tmp_path, capsys):
    write_checkpoint(tmp_path / "v4", LAYERS, "scale", torch.float8_e8m0fnu)
    report = convert_checkpoint(tmp_path / "v4", tmp_path / "fp32", "weight_scale_inv", "float32")
    assert report["dtype_changed"] == 2 and report["max_relative_scale_change"] == 0.0  # UE8M0 -> fp32 is exact
    y_v4, _ = outputs(tmp_path / "v4")
    y_fp32, layers = outputs(tmp_path / "fp32")
    assert all(torch.equal(y_v4[p], y_fp32[p]) for p in y_v4)
    assert all(l.weight_scale.dtype == torch.float32 for l in layers.values())
    write_checkpoint(tmp_path / "hf", LAYERS, "weight_scale_inv", torch.float32)
    report = convert_checkpoint(tmp_path / "hf", tmp_path / "bf16", "weight_scale", "bfloat16")
    assert 0 < report["max_relative_scale_change"] <= 2 ** -8  # bf16 rounding, reported
    assert "max relative change" in capsys.readouterr().out


def test_refuses_existing_dst_without_force_and_dry_run_writes_nothing(tmp_path):
    write_checkpoint(tmp_path / "src", LAYERS)
    (tmp_path / "dst").mkdir()
    (tmp_path / "dst" / "keep.txt").write_text("mine")
    assert main(["convert", str(tmp_path / "src"), str(tmp_path / "dst"), "--scale-name", "scale"]) == 1
    assert (tmp_path / "dst" / "keep.txt").read_text() == "mine"
    assert main(["convert", str(tmp_path / "src"), str(tmp_path / "new"), "--scale-name", "scale", "--dry-run"]) == 0
    assert not (tmp_path / "new").exists()
    assert main(["convert", str(tmp_path / "src"), str(tmp_path / "dst"), "--scale-name", "scale", "--force"]) == 0
    assert not (tmp_path / "dst" / "keep.txt").exists() and inspect_checkpoint(tmp_path / "dst")["satisfies"]["deepseek-v4"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dst", "new"] or sorted(p.name for p in tmp_path.iterdir()) == ["dst", "src"]


def test_in_place(tmp_path):
    write_checkpoint(tmp_path / "ck", LAYERS, shards=2)
    y_before, _ = outputs(tmp_path / "ck")
    assert main(["convert", str(tmp_path / "ck"), "--in-place", "--scale-name", "weight_scale"]) == 0
    y_after, layers = outputs(tmp_path / "ck")
    assert all(torch.equal(y_before[p], y_after[p]) for p in y_before)
    assert all(l.scale_name == "weight_scale" for l in layers.values())
    assert [p.name for p in tmp_path.iterdir()] == ["ck"]  # no backup or temp left behind


def test_interrupted_run_leaves_src_intact_and_no_dst(tmp_path):
    src = tmp_path / "src"
    write_checkpoint(src, {f"l{i}": (2048, 4096) for i in range(8)}, shards=4)  # 64 MiB of fp8
    before = tree_hashes(src)
    env = dict(os.environ, FP8BLK_CONVERT_CHUNK_BYTES="4096", TRITON_INTERPRET="0")
    proc = subprocess.Popen([sys.executable, "-m", "fp8blk", "convert", str(src), str(tmp_path / "dst"),
                             "--scale-name", "scale"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    while not any(p.name.startswith(".dst.fp8blk-tmp") for p in tmp_path.iterdir()) and time.time() < deadline:
        time.sleep(0.005)
    time.sleep(0.2)
    assert proc.poll() is None, "the conversion finished before it could be interrupted"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert tree_hashes(src) == before
    assert not (tmp_path / "dst").exists()


def _hostile(tmp_path, mutate):
    write_checkpoint(tmp_path / "src", {"a": (256, 256)})
    mutate(tmp_path / "src")
    code = main(["convert", str(tmp_path / "src"), str(tmp_path / "dst"), "--scale-name", "scale"])
    assert code in (1, 2) and not (tmp_path / "dst").exists()
    assert not [p for p in tmp_path.iterdir() if "fp8blk" in p.name]
    return code


def _rewrite_header(path, edit):
    data = path.read_bytes()
    n = int.from_bytes(data[:8], "little")
    header = edit(json.loads(data[8:8 + n]))
    raw = json.dumps(header).encode()
    raw += b" " * (-len(raw) % 8)
    path.write_bytes(len(raw).to_bytes(8, "little") + raw + data[8 + n:])


@pytest.mark.parametrize("case", ["len_past_file", "len_above_cap", "bad_json", "offset_out_of_range", "overlap",
                                  "byte_count", "unknown_dtype", "index_escape", "symlink_outside"])
def test_hostile_input_is_a_clear_error_and_nothing_is_written(tmp_path, capsys, case):
    def mutate(src):
        file = src / "model.safetensors"
        if case == "len_past_file":
            file.write_bytes((10 ** 6).to_bytes(8, "little") + file.read_bytes()[8:])
        elif case == "len_above_cap":
            file.write_bytes((2 ** 40).to_bytes(8, "little") + file.read_bytes()[8:])
        elif case == "bad_json":
            data = file.read_bytes()
            file.write_bytes(data[:8] + b"[" + data[9:])
        elif case == "offset_out_of_range":
            _rewrite_header(file, lambda h: {**h, "a.weight": {**h["a.weight"], "data_offsets": [0, 10 ** 9]}})
        elif case == "overlap":
            _rewrite_header(file, lambda h: {**h, "a.weight_scale_inv": {
                **h["a.weight_scale_inv"], "data_offsets": [h["a.weight"]["data_offsets"][0] + 8,
                                                            h["a.weight"]["data_offsets"][0] + 24]}})
        elif case == "byte_count":
            _rewrite_header(file, lambda h: {**h, "a.weight": {**h["a.weight"], "shape": [256, 255]}})
        elif case == "unknown_dtype":
            _rewrite_header(file, lambda h: {**h, "a.weight": {**h["a.weight"], "dtype": "F7"}})
        elif case == "index_escape":
            (src / "model.safetensors.index.json").write_text(json.dumps({"weight_map": {"a.weight": "../model.safetensors"}}))
        elif case == "symlink_outside":
            (tmp_path / "secret.txt").write_text("outside")
            os.symlink(tmp_path / "secret.txt", src / "tokenizer.json")
    _hostile(tmp_path, mutate)
    err = capsys.readouterr().err
    assert "fp8blk convert:" in err and ("model.safetensors" in err or "outside" in err)


def test_header_parser_fuzz_never_crashes_unexpectedly(tmp_path):
    """Flip random bytes of a real file's header for a bounded time: every outcome is parsed or Fp8FormatError."""
    import random
    wq, scale = fp8blk.quantize_fp8_block(torch.randn(130, 260))
    save_file({"a.weight": wq, "a.weight_scale_inv": scale, "b": torch.arange(10)}, str(tmp_path / "good.safetensors"))
    good = (tmp_path / "good.safetensors").read_bytes()
    n = int.from_bytes(good[:8], "little")
    rng = random.Random(0)
    deadline = time.time() + 3.0
    tries = 0
    while time.time() < deadline:
        data = bytearray(good)
        for _ in range(rng.randint(1, 6)):
            data[rng.randrange(0, 8 + n)] = rng.randrange(256)
        if rng.random() < 0.2:
            data = data[:rng.randrange(0, len(data))]
        (tmp_path / "f.safetensors").write_bytes(bytes(data))
        try:
            read_header(tmp_path / "f.safetensors")
        except Fp8FormatError:
            pass
        tries += 1
    assert tries > 100
