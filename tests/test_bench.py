"""The benchmark harness's logic on the CPU: shapes, record schema, ratios, report and plots from a recorded run."""
import json
import math
from pathlib import Path

import pytest
import torch

from fp8blk.bench import report
from fp8blk.bench.harness import main as bench_main
from fp8blk.bench.shapes import DEFAULT_MS, load_shapes
from fp8blk.bench.timing import rotation_count, summarize
from fp8blk.cli import build_parser

RECORDED = Path(__file__).resolve().parent.parent / "benchmarks" / "results" / "h100" / "results.json"


def test_shapes_match_the_shared_table():
    flash = load_shapes("deepseek-v4-flash")
    wo_a = next(s for s in flash if s.layer == "attn.wo_a")
    assert (wo_a.n, wo_a.k, wo_a.groups, wo_a.count) == (1024, 4096, 8, 43)
    assert wo_a.per_decoder_layer == 8
    assert {s.model for s in load_shapes("all")} == {"deepseek-v4-flash", "deepseek-v4-pro", "deepseek-v3"}
    with pytest.raises(ValueError, match="unknown model"):
        load_shapes("llama")
    assert DEFAULT_MS[0] == 1 and DEFAULT_MS[-1] == 8192


def test_rotation_exceeds_twice_l2():
    l2 = 50 * 2**20
    for nbytes in (2 * 2**20, 32 * 2**20, 200 * 2**20):
        copies = rotation_count(nbytes, l2)
        assert copies >= 2 and (copies * nbytes >= 2 * l2 or copies == 64)


def test_summarize_percentiles():
    stats = summarize([float(v) for v in range(1, 101)])
    assert stats["median_us"] == 50.5 and stats["p10_us"] == 11 and stats["p90_us"] == 90


def test_ratio_and_bytes_math():
    assert report.ratio(20.0, 10.0) == 2.0 and report.ratio(None, 1.0) is None and report.ratio(1.0, 0) is None
    assert report.fp8_bytes(128, 128, 1) == 128 * 128 + 4 + 2 * 128 + 2 * 128
    assert report.geomean([2.0, 8.0]) == pytest.approx(4.0)


def synthetic_results():
    records = []
    for shape in load_shapes("deepseek-v4-flash"):
        for m in (1, 8, 32, 4096):
            for impl, factor in (("fp8blk", 1.0), ("marlin", 2.0), ("cublas_bf16", 1.5)):
                records.append({"model": shape.model, "layer": shape.layer, "groups": shape.groups, "N": shape.n,
                                "K": shape.k, "M": m, "impl": impl, "median_us": 10.0 * factor, "p10_us": 9.0,
                                "p90_us": 11.0, "rel_err": 3e-3, "graphs": m <= 64, "copies": 2,
                                "host_us": 5.0 * factor + m % 3})
    env = {"gpu": "test GPU", "driver": "0", "cuda": "0", "torch": "0", "triton": "0", "vllm_marlin_source": "none",
           "date": "today", "copy_GBps": 3000.0, "bf16_TFLOPs": 800.0}
    return {"env": env, "records": records}


def test_report_math_on_synthetic_results(tmp_path):
    results = synthetic_results()
    assert set(report.speedups(results["records"]).values()) == {2.0}
    layer_us, whole_us = report.model_forward_us(results["records"], "deepseek-v4-flash", 1, "fp8blk")
    shapes = load_shapes("deepseek-v4-flash")
    assert layer_us == pytest.approx(10.0 * sum(s.per_decoder_layer for s in shapes))
    assert whole_us == pytest.approx(10.0 * sum(s.groups * s.count for s in shapes))
    text = report.render_markdown(results)
    assert "Geometric-mean speedup over Marlin: 2.00×" in text and "slower than Marlin at 0 point(s)" in text
    assert "| 1 | 10.0 | 20.0 | 15.0 | 2.00× | 1.50× |" in text
    assert "empty kernel in a CUDA graph" not in text  # not measured in this run: its floor cells say —
    floored = dict(results, env=dict(results["env"], empty_kernel_us=4.0))
    assert report.decode_floor_us(floored["env"], 512, 4096, 1) == 4.0  # 2 MB / 3 TB/s = 0.7 µs < the launch
    assert report.decode_floor_us(floored["env"], 32768, 1024, 1) == pytest.approx(report.fp8_bytes(32768, 1024, 1) / 3e6)
    floored_text = report.render_markdown(floored)
    assert "empty kernel in a CUDA graph 4.00 µs" in floored_text
    assert "| 1 | 10.0 | 20.0 | 15.0 | 2.00× | 1.50× |" in floored_text and "| 2.50× |" in floored_text
    assert "| 4096 | 10.0 | 20.0 | 15.0 | 2.00× | 1.50× |" in floored_text
    assert floored_text.count("| — |") >= len(load_shapes("deepseek-v4-flash")) * 2  # M = 32, 4096 rows: no floor
    # host times per impl: 5*factor + m % 3 over m in (1, 8, 32, 4096), i.e. + (1, 2, 2, 1): medians 6.5, 11.5, 9.0
    assert "fp8blk 6.5 µs, marlin 11.5 µs, cublas_bf16 9.0 µs" in text
    report.write_report(results, tmp_path)
    for name in ("results.md", "latency.png", "speedup_heatmap.png"):
        assert (tmp_path / name).stat().st_size > 1000


def test_recorded_h100_run_has_the_schema_and_renders(tmp_path):
    results = json.loads(RECORDED.read_text())
    for key in ("gpu", "driver", "cuda", "torch", "triton", "vllm_marlin_source", "date", "copy_GBps", "bf16_TFLOPs"):
        assert key in results["env"]
    for record in results["records"]:
        assert {"model", "layer", "N", "K", "M", "impl", "median_us", "p10_us", "p90_us", "rel_err"} <= set(record)
        assert record["rel_err"] < 1e-2 and record["median_us"] > 0
        assert record["p10_us"] <= record["median_us"] <= record["p90_us"]
    assert {r["impl"] for r in results["records"]} == {"fp8blk", "marlin", "cublas_bf16", "torch_dequant"}
    text = report.render_markdown(results)
    assert "deepseek-v4-flash" in text and not math.isnan(report.geomean(report.speedups(results["records"]).values()))
    report.write_report(results, tmp_path)
    assert (tmp_path / "speedup_heatmap.png").is_file()


def test_bench_without_cuda_says_so_and_exits_2(capsys):
    args = build_parser().parse_args(["bench", "--model", "deepseek-v4-flash", "--m", "1"])
    assert bench_main(args) == 2
    assert "no CUDA device" in capsys.readouterr().err


def test_tune_table_refine_candidates_and_no_gpu(monkeypatch, capsys):
    from benchmarks import tune_table
    from fp8blk.kernels import KernelConfig
    current = KernelConfig(128, 128, 128, 1, 8, 3)
    monkeypatch.setattr(tune_table, "choose_config", lambda *args, **kwargs: current)
    monkeypatch.setattr(tune_table.torch.cuda, "current_device", lambda: 0)
    found = tune_table.refine_candidates(4096, 512, 4096)
    assert found[0] == current and len(found) == len(set(found))
    assert any(c.expand_weight for c in found) and any(c.split_k > 1 for c in found)
    assert all(c == current or c.expand_weight or c.split_k != 1 for c in found)
    if not tune_table.torch.cuda.is_available():
        assert tune_table.main(["--refine"]) == 2
        assert "no CUDA device" in capsys.readouterr().out


def test_pytest_benchmark_subset_command_runs():
    """The documented `pytest benchmarks/ --benchmark-only` must parse and run (on a CPU it skips, saying why)."""
    import subprocess
    import sys
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run([sys.executable, "-m", "pytest", "benchmarks/", "--benchmark-only", "-q", "-rs"],
                          cwd=root, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    if not torch.cuda.is_available():
        assert "needs a CUDA GPU" in done.stdout


def test_sweep_grid_is_valid_for_the_kernel():
    from benchmarks.sweep import grid_configs
    for n, k, m in ((4096, 8192, 1), (32768, 1024, 1), (2048, 4096, 16)):
        found = grid_configs(m, n, k)
        assert found and len(found) == len(set(found))
        k_tiles = -(-k // 128)
        assert all(k_tiles >= 2 * c.split_k and c.block_k == 128 and c.block_m == 16 for c in found)
        assert not any(c.block_n == 32 and c.num_warps == 8 for c in found)
    assert max(c.split_k for c in grid_configs(1, 32768, 1024)) == 4  # 8 K-tiles: at most 4 parts of 2
