import json
import os
import resource
import time

import pytest
import torch
from safetensors.torch import save_file

from fp8blk import quantize_fp8_block
from fp8blk.cli import main
from fp8blk.inspect import inspect_checkpoint

from conftest import write_checkpoint

CONVENTIONS = [("weight_scale_inv", torch.float32, "deepseek-hf"), ("weight_scale", torch.bfloat16, "compressed-tensors"),
               ("scale", torch.float8_e8m0fnu, "deepseek-v4")]


@pytest.mark.parametrize("shards", [1, 2])
@pytest.mark.parametrize("scale_name,scale_dtype,convention", CONVENTIONS)
def test_clean_checkpoint_in_each_convention(tmp_path, capsys, scale_name, scale_dtype, convention, shards):
    write_checkpoint(tmp_path, {"a.wkv": (512, 1024), "b.w2": (300, 200)}, scale_name, scale_dtype, shards=shards,
                     config={"quantization_config": {"quant_method": "fp8", "weight_block_size": [128, 128]}})
    assert main(["inspect", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "problems: none" in out and "quant_method=fp8" in out and f"{convention}: 2 layers" in out
    report = inspect_checkpoint(tmp_path)
    assert report["satisfies"] == {c: c == convention for _, _, c in CONVENTIONS}
    assert report["layers"][0] == {
        "layer": "a.wkv", "weight_dtype": "float8_e4m3fn", "weight_shape": [512, 1024], "scale_key": f"a.wkv.{scale_name}",
        "convention": convention, "scale_dtype": str(scale_dtype).replace("torch.", ""), "scale_shape": [4, 8],
        "scale_kind": "block", "block_size": [128, 128], "also_named": [], "file": report["layers"][0]["file"]}
    assert main(["inspect", "--json", str(tmp_path)]) == 0
    assert json.loads(capsys.readouterr().out)["schema"] == 1


def _problem_report(tmp_path, tensors, capsys, index=None):
    save_file(tensors, str(tmp_path / "model.safetensors"))
    (tmp_path / "config.json").write_text(json.dumps({"quantization_config": {"quant_method": "fp8",
                                                                               "weight_block_size": [128, 128]}}))
    if index:
        (tmp_path / "model.safetensors.index.json").write_text(json.dumps({"weight_map": index}))
    assert main(["inspect", "--json", str(tmp_path)]) == 1
    return json.loads(capsys.readouterr().out)["problems"]


def test_problems_are_reported_with_exit_1(tmp_path, capsys):
    wq, scale = quantize_fp8_block(torch.randn(256, 256))
    problems = _problem_report(tmp_path, {"a.weight": wq, "a.weight_scale_inv": scale, "b.weight": wq.clone(),
                                          "c.weight_scale": scale.clone(), "d.weight": wq.clone(),
                                          "d.scale": scale.to(torch.float8_e8m0fnu),
                                          "e.weight": wq.clone(), "e.weight_scale_inv": torch.ones(5, 5)}, capsys)
    text = "\n".join(problems)
    assert "b.weight" in text and "without a scale" in text
    assert "orphan scale, there is no c.weight" in text
    assert "e.weight_scale_inv" in text and "found [5, 5]" in text
    assert "mixed conventions" in text


def test_index_problems_and_duplicates(tmp_path, capsys):
    wq, scale = quantize_fp8_block(torch.randn(256, 256))
    save_file({"a.weight": wq}, str(tmp_path / "one.safetensors"))
    save_file({"a.weight_scale_inv": scale, "a.weight": wq}, str(tmp_path / "two.safetensors"))
    problems = _problem_report(tmp_path, {"x.weight": wq, "x.weight_scale_inv": scale}, capsys, index={
        "a.weight": "one.safetensors", "a.weight_scale_inv": "two.safetensors", "x.weight": "model.safetensors",
        "x.weight_scale_inv": "model.safetensors", "gone.weight": "missing.safetensors", "ghost.weight": "one.safetensors"})
    text = "\n".join(problems)
    assert "missing.safetensors, which does not exist" in text
    assert "'ghost.weight' is mapped to one.safetensors, whose header does not hold it" in text
    assert "'a.weight' is in two shards" in text


def test_unreadable_input_exits_2(tmp_path, capsys):
    (tmp_path / "model.safetensors").write_bytes(b"\x10\x00")
    assert main(["inspect", str(tmp_path)]) == 2
    assert main(["inspect", str(tmp_path / "nothing")]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_reads_headers_only_time_and_memory_stay_flat(tmp_path, monkeypatch):
    """A checkpoint whose header describes 64 GiB of tensors (a sparse file) inspects as fast as a small one."""
    import safetensors
    monkeypatch.setattr(safetensors, "safe_open", lambda *a, **k: pytest.fail("inspect read tensor data"))
    header = {f"l{i}.weight": {"dtype": "F8_E4M3", "shape": [32768, 65536], "data_offsets": [i * 2**31, (i + 1) * 2**31]}
              for i in range(32)}
    header.update({f"l{i}.weight_scale_inv": {"dtype": "F32", "shape": [256, 512],
                                              "data_offsets": [32 * 2**31 + i * 524288, 32 * 2**31 + (i + 1) * 524288]}
                   for i in range(32)})
    raw = json.dumps(header).encode()
    path = tmp_path / "model.safetensors"
    with open(path, "wb") as f:
        f.write(len(raw).to_bytes(8, "little") + raw)
        f.truncate(8 + len(raw) + 32 * 2**31 + 32 * 524288)  # sparse: nothing is written
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    report = inspect_checkpoint(path)
    assert time.perf_counter() - start < 2.0
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before < 100 * 1024  # KiB: under 100 MB
    assert len(report["layers"]) == 32 and not report["problems"]
    assert os.path.getsize(path) > 64 * 2**30


def test_check_values_reports_zero_and_bad_scales(tmp_path, capsys):
    wq, scale = quantize_fp8_block(torch.randn(256, 256))
    scale[0, 0] = 0
    save_file({"a.weight": wq, "a.weight_scale_inv": scale}, str(tmp_path / "model.safetensors"))
    assert main(["inspect", "--check-values", str(tmp_path)]) == 0
    assert "zero scales" in capsys.readouterr().out
    assert inspect_checkpoint(tmp_path, check_values=True)["layers"][0]["zero_scales"] == 1
    scale[0, 1] = -1
    save_file({"a.weight": wq, "a.weight_scale_inv": scale}, str(tmp_path / "model.safetensors"))
    assert main(["inspect", "--check-values", str(tmp_path)]) == 1
