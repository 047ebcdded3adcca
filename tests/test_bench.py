"""The benchmark harness's logic on the CPU: shapes, record schema, ratios, report and plots from a recorded run."""
import json
import math
import os
from pathlib import Path

import pytest
import torch

from fp8blk.bench import report
from fp8blk.bench.harness import main as bench_main
from fp8blk.bench.shapes import DEFAULT_MS, load_shapes
from fp8blk.bench.timing import rotation_count, summarize
from fp8blk.cli import build_parser

RECORDED = Path(__file__).resolve().parent.parent / "benchmarks" / "results"  # <gpu>/<model>/results.json
ALL_PEERS = {"fp8blk", "marlin", "cublas_bf16", "torch_dequant", "gemlite_a16w8_fp8", "gemlite_a8w8_fp8_block"}
SOME_PEERS = {"fp8blk", "marlin", "cublas_bf16", "gemlite_a16w8_fp8"}  # runs on shapes no rule was fitted on


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


@pytest.mark.parametrize("graphs", [True, False])
def test_timed_work_is_queued_behind_a_gpu_sleep(monkeypatch, graphs):
    """time_calls must measure GPU work, not the host's launches: with graphs all replays are queued back to back
    behind one ``torch.cuda._sleep``, an event between each two; without, each pass over the copies is queued behind
    its own sleep, each call between two events. A stand-in torch.cuda logs the order."""
    from contextlib import nullcontext

    from fp8blk.bench import timing
    log = []

    class Event:
        def __init__(self, enable_timing=True):
            self.at = None

        def record(self):
            self.at = len(log)
            log.append("record")

        def synchronize(self):
            pass

        def elapsed_time(self, other):  # ms; 1 µs per log entry between the two events
            return (other.at - self.at) * 1e-3

    class Graph:
        def replay(self):
            log.append("replay")

    class Stream:
        def wait_stream(self, other):
            pass

    fake = {"Event": Event, "CUDAGraph": Graph, "Stream": Stream, "current_stream": Stream,
            "stream": lambda s: nullcontext(), "graph": lambda g: nullcontext(), "synchronize": lambda: None,
            "_sleep": lambda cycles: log.append(("sleep", cycles))}
    for name, value in fake.items():
        monkeypatch.setattr(torch.cuda, name, value, raising=False)
    monkeypatch.setattr(timing, "_sleep_cycles_per_us", lambda: 1000.0)
    stats = timing.time_calls(lambda i: log.append("call"), copies=3, graphs=graphs, reps=4)
    assert stats["host_us"] > 0
    timed = log[next(i for i, e in enumerate(log) if isinstance(e, tuple)):]  # from the first sleep on
    passes, current = [], None
    for event in timed:
        if isinstance(event, tuple):
            assert event[1] >= 1000 * 1000  # at least 1 ms of head start (1000 cycles per µs here)
            current = []
            passes.append(current)
        else:
            current.append(event)
    if graphs:  # one sleep, then start, (replay, end) x reps: each replay between two events, divided by the copies
        assert passes == [["record"] + ["replay", "record"] * 4]
        assert stats["median_us"] == pytest.approx(2 / 3)
    else:
        assert passes == [["record", "call", "record"] * 3] * 4
        assert stats["median_us"] == pytest.approx(2)


def test_host_time_is_the_median_call_not_the_mean(monkeypatch):
    """``host_us`` is the median host time of one queued call: a single stall among the timed calls (here 1000x
    the others) must not move it, as it would move a mean over the calls. A stand-in clock advances 1 µs a call."""
    from types import SimpleNamespace

    from fp8blk.bench import timing
    clock = [0.0]
    calls = [0]

    def call(i):
        calls[0] += 1
        clock[0] += 1e-3 if calls[0] == 40 else 1e-6  # the 40th call (among the host-timed ones) stalls 1 ms

    class Event:
        def __init__(self, enable_timing=True):
            pass

        def record(self):
            pass

        def synchronize(self):
            pass

        def elapsed_time(self, other):
            return 1e-3

    fake = {"Event": Event, "synchronize": lambda: None, "_sleep": lambda cycles: None}
    for name, value in fake.items():
        monkeypatch.setattr(torch.cuda, name, value, raising=False)
    monkeypatch.setattr(timing, "_sleep_cycles_per_us", lambda: 1000.0)
    monkeypatch.setattr(timing, "time", SimpleNamespace(perf_counter=lambda: clock[0]))
    stats = timing.time_calls(call, copies=3, graphs=False, reps=2, warmup=3)
    assert calls[0] > 40  # the stall fell among the host-timed calls (9 warm-up calls, then 32 timed)
    assert stats["host_us"] == pytest.approx(1.0)


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
    assert "kernel sources" not in text  # results of before the field: nothing claimed
    stamped = dict(results, env=dict(results["env"], fp8blk="0.2.0", kernel_source="0123456789ab"))
    assert "fp8blk 0.2.0 (kernel sources 0123456789ab)" in report.render_markdown(stamped)
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


@pytest.mark.parametrize("gpu,model,peers", [("h100", "deepseek-v4-flash", ALL_PEERS),
                                             ("h100", "deepseek-v4-pro", ALL_PEERS),
                                             ("h100", "deepseek-v3", SOME_PEERS), ("h100", "example-tiny", SOME_PEERS),
                                             ("h200", "deepseek-v4-flash", ALL_PEERS),
                                             ("h200", "deepseek-v4-pro", ALL_PEERS)])
def test_recorded_run_has_the_schema_and_renders(tmp_path, gpu, model, peers):
    from fp8blk.bench.harness import MAX_REL_ERR, MAX_REL_ERR_W8A8
    from fp8blk.bench.peers import REQUANTIZED, W8A8
    results = json.loads((RECORDED / gpu / model / "results.json").read_text())
    for key in ("gpu", "driver", "cuda", "torch", "triton", "vllm_marlin_source", "date", "copy_GBps", "bf16_TFLOPs",
                "read_GBps", "empty_kernel_us", "gpu_tag", "config_table"):
        assert key in results["env"]
    assert results["env"]["gpu_tag"] == gpu and results["env"]["config_table"] is False
    for record in results["records"]:
        assert {"model", "layer", "N", "K", "M", "impl", "median_us", "p10_us", "p90_us", "rel_err", "roof_pct"} <= set(record)
        if record["median_us"] is None:  # not timed: the reason is recorded, never a silent gap
            assert record["error"]
            continue
        guard = MAX_REL_ERR_W8A8 if record["impl"] in W8A8 + REQUANTIZED else MAX_REL_ERR
        assert record["rel_err"] < guard and record["median_us"] > 0 and record["roof_pct"] > 0
        env = results["env"]
        floor = report.roof_floor_us(record["N"], record["K"], record["M"], env["read_GBps"], env["bf16_TFLOPs"])
        assert record["roof_pct"] == pytest.approx(floor / record["median_us"], rel=1e-9)  # per GEMM (one group)
        bytes_bound = floor == report.roof_floor_us(record["N"], record["K"], record["M"], env["read_GBps"], math.inf)
        # the read bandwidth bounds every point; the bf16 rate (best of three products measured in the run) may
        # read below what cuBLAS reaches on some shapes, so compute-bound points may pass it by some
        assert record["roof_pct"] <= (1.05 if bytes_bound else 1.2)
        assert record["p10_us"] <= record["median_us"] <= record["p90_us"]
    timed = {r["impl"] for r in results["records"] if r["median_us"] is not None}
    assert peers <= timed
    assert {(g["impl"], g["M"]) for g in results["layer_graph"]} >= {("fp8blk", 1), ("cublas_bf16", 1), ("marlin", 1)}
    text = report.render_markdown(results)
    assert model in text and not math.isnan(report.geomean(report.speedups(results["records"]).values()))
    report.write_report(results, tmp_path)
    assert (tmp_path / "speedup_heatmap.png").is_file() and (tmp_path / "roof_pct.png").is_file()


def test_bench_without_cuda_says_so_and_exits_2(capsys):
    args = build_parser().parse_args(["bench", "--model", "deepseek-v4-flash", "--m", "1"])
    assert bench_main(args) == 2
    assert "no CUDA device" in capsys.readouterr().err


def test_render_checkpoint_writes_a_cut_runs_reports_without_a_gpu(tmp_path, capsys):
    """``fp8blk bench --render-checkpoint``: the reports of a run cut short, from its checkpoint, on any machine; the
    points a peer did not reach are named; the checkpoint stays for ``--resume``; no checkpoint: exit 2, said."""
    results = synthetic_results()
    results["env"]["gpu_tag"] = "test"
    shape = load_shapes("deepseek-v4-flash")[0]
    results["records"].append({"model": shape.model, "layer": shape.layer, "groups": shape.groups, "N": shape.n,
                               "K": shape.k, "M": 1, "impl": "gemlite_a16w8_fp8", "median_us": 12.0, "rel_err": 4e-3})
    results["layer_graph"] = []
    checkpoint = tmp_path / "partial_records.json"
    checkpoint.write_text(json.dumps(results))
    args = build_parser().parse_args(["bench", "--out", str(tmp_path), "--render-checkpoint"])
    assert bench_main(args) == 0
    where = tmp_path / "test" / "deepseek-v4-flash"
    text = (where / "results.md").read_text()
    total = len({(r["N"], r["K"], r["M"]) for r in results["records"]})
    assert f"`gemlite_a16w8_fp8` {total - 1} of {total} points" in text
    assert json.loads((where / "results.json").read_text())["records"] == results["records"]
    assert (where / "latency.png").is_file() and checkpoint.is_file()
    empty = tmp_path / "none"
    args = build_parser().parse_args(["bench", "--out", str(empty), "--render-checkpoint"])
    assert bench_main(args) == 2 and "no checkpoint at" in capsys.readouterr().err


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
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_XDIST")}  # as typed, not as an xdist worker
    done = subprocess.run([sys.executable, "-m", "pytest", "benchmarks/", "--benchmark-only", "-q", "-rs"],
                          cwd=root, capture_output=True, text=True, timeout=300, env=env)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    if not torch.cuda.is_available():
        assert "needs a CUDA GPU" in done.stdout


def test_sweep_grid_is_valid_for_the_kernels():
    import triton
    from benchmarks.sweep import grid_configs, rule_config
    from fp8blk.kernels import KernelConfig
    from fp8blk.kernels.fp8_decode import DECODE_MAX_M, DecodeConfig
    for n, k, m in ((4096, 8192, 1), (32768, 1024, 1), (512, 4096, 3), (2048, 4096, 16), (4096, 8192, 64),
                    (1024, 4096, 256)):
        found = grid_configs(m, n, k)
        assert found and len(found) == len(set(found)) and found[0] == rule_config(m, n, k)
        if m <= DECODE_MAX_M:  # the decode kernel: every split has a step, M fits one program's columns
            assert all(isinstance(c, DecodeConfig) and -(-k // (c.sub_k * c.subs)) >= c.split_k and c.block_m >= m
                       and (c.use_mma or c.block_m == triton.next_power_of_2(m) <= 8) for c in found)
        else:  # the tile kernel: >= 2 K-tiles per split
            assert all(isinstance(c, KernelConfig) and -(-k // 128) >= 2 * c.split_k for c in found[1:])
    # CUDA cores up to M = 8 (block_m the power of two >= M), tensor cores only beyond
    assert any(not c.use_mma for c in grid_configs(1, 4096, 8192))
    assert {c.block_m for c in grid_configs(3, 512, 4096) if not c.use_mma} == {4}
    assert any(not c.use_mma for c in grid_configs(8, 512, 4096)) and all(c.use_mma for c in grid_configs(16, 512, 4096))
    assert {c.block_n for c in grid_configs(4, 512, 4096)} >= {16, 32, 64, 128}  # mma.sync and wgmma row tiles


def test_sweep_rule_is_the_launch_plans_choice_on_hopper(monkeypatch):
    """On an sm_90 GPU the sweep's "rule" is what ``fp8_block_matmul`` launches (TMA, split x), and its grid sweeps
    TMA tiles and split-x tiles around it (faked device facts; nothing is launched)."""
    import importlib
    from benchmarks.sweep import grid_configs, rule_config
    from fp8blk.kernels import KernelConfig, launch_config
    from fp8blk.kernels.fp8_decode import decode_config
    kernel_module = importlib.import_module("fp8blk.kernels.fp8_block_matmul")
    monkeypatch.setattr(kernel_module, "_device_facts", lambda device: ("gpu", 132, (9, 0), 227 * 1024))
    monkeypatch.setattr(kernel_module, "_INTERPRETING", False)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "current_device", lambda: 0)
    kernel_module._launch_plan.cache_clear()
    kernel_module.choose_config.cache_clear()
    try:
        rule = rule_config(128, 4096, 8192)
        assert rule == launch_config(128, 4096, 8192, torch.device("cuda", 0)) and rule.tma and rule.split_x
        found = grid_configs(128, 4096, 8192)
        assert found[0] == rule and len(found) == len(set(found))
        assert all(c.tma for c in found) and sum(c.split_x for c in found) >= 8
        assert KernelConfig(128, 128, 128, 1, 8, 4, tma=True, split_x=True) in found  # the rule's long-K tile
        for m in (1, 16):  # the decode rule as the plan takes it (TMA where it may)
            assert rule_config(m, 4096, 8192) == decode_config(m, 4096, 8192, 1, 128, 132, tma=True)
        assert not rule_config(4096, 4096, 8192).tma  # the expand path
    finally:
        kernel_module._launch_plan.cache_clear()
        kernel_module.choose_config.cache_clear()


def test_crash_contained_peer_costs_one_point_and_the_run_goes_on():
    from fp8blk.bench.contained import run_contained
    units = [(64, 128, m, impl) for m in (1, 2, 4) for impl in ("peer_a", "peer_b")]
    logged = []
    delivered = []
    records = run_contained(units, {"crash": [64, 128, 2, "peer_a"]}, target="bench_standin:worker", log=logged.append,
                            on_record=delivered.append)
    assert delivered == records  # each record handed to on_record once, the crash's failure record included
    by_unit = {(r["N"], r["K"], r["M"], r["impl"]): r for r in records}
    assert set(by_unit) == set(units)  # every point has a record, none lost, none twice
    assert len(records) == len(units)
    crashed = by_unit[(64, 128, 2, "peer_a")]
    assert crashed["median_us"] is None and "exit code 3" in crashed["error"]
    assert all(r["median_us"] == r["M"] for u, r in by_unit.items() if u != (64, 128, 2, "peer_a"))
    assert len({r["pid"] for r in records if "pid" in r}) == 2  # a fresh process took over after the crash
    assert any("recorded as failed" in line for line in logged)


def test_contained_records_reach_on_record_while_the_child_still_runs():
    """A caller checkpoints peer points as they come: a run cut short keeps what its children measured."""
    import time
    from fp8blk.bench.contained import run_contained
    units = [(64, 128, m, "peer") for m in (1, 2, 3)]
    arrivals = []
    records = run_contained(units, {"pause_s": 1.0}, target="bench_standin:worker",
                            on_record=lambda record: arrivals.append((time.monotonic(), record)), log=lambda *_: None)
    finished = time.monotonic()
    assert [record for _, record in arrivals] == records and len(records) == 3
    assert arrivals[0][0] < finished - 1.5  # the first point arrived while the child worked on the others


def test_hung_peer_is_killed_and_recorded_as_a_timeout():
    from fp8blk.bench.contained import run_contained
    units = [(64, 128, 1, "peer"), (64, 128, 2, "peer")]
    records = run_contained(units, {"hang": [64, 128, 1, "peer"]}, target="bench_standin:worker",
                            silence_timeout_s=3, log=lambda *_: None)
    by_m = {r["M"]: r for r in records}
    assert "timeout" in by_m[1]["error"] and by_m[2]["median_us"] == 2.0


def test_gpu_tags_and_results_split_per_model():
    from fp8blk.bench.harness import gpu_tag, split_by_model
    assert gpu_tag("NVIDIA H100 80GB HBM3") == "h100" and gpu_tag("NVIDIA H200") == "h200"
    assert gpu_tag("NVIDIA GeForce RTX 4090") == "rtx" or gpu_tag("NVIDIA GeForce RTX 4090") == "rtx4090"
    assert gpu_tag("NVIDIA A100-SXM4-80GB") == "a100"
    results = synthetic_results()
    results["records"].append(dict(results["records"][0], model="other"))
    results["layer_graph"] = [{"model": "other", "M": 1, "impl": "fp8blk", "median_us": 1.0, "floor_us": 0.5}]
    parts = split_by_model(results)
    assert set(parts) == {"deepseek-v4-flash", "other"}
    assert len(parts["other"]["records"]) == 1 and len(parts["other"]["layer_graph"]) == 1
    assert parts["deepseek-v4-flash"]["layer_graph"] == [] and parts["other"]["env"] is results["env"]


def test_roof_fraction_is_the_fp8_floor_over_time():
    from fp8blk.bench.harness import roof_fraction
    env = {"read_GBps": 4000.0, "bf16_TFLOPs": 800.0}
    n, k = 4096, 8192
    memory_floor = report.fp8_bytes(n, k, 1) / 4e6
    assert roof_fraction(env, n, k, 1, 2 * memory_floor) == pytest.approx(0.5)
    compute_floor = 2 * 8192 * n * k / 800e6  # M = 8192: FLOPs dominate
    assert roof_fraction(env, n, k, 8192, compute_floor) == pytest.approx(1.0)
    assert roof_fraction(env, n, k, 1, None) is None and roof_fraction({}, n, k, 1, 5.0) is None


def test_fp8blk_launch_names_the_kernel_and_parameters_launch_config_takes():
    from fp8blk.bench.harness import fp8blk_launch
    from fp8blk.kernels import launch_config
    for m, kernel in ((1, "decode"), (16, "decode"), (256, "tile"), (4096, "expand")):
        launch = fp8blk_launch(m, 4096, 8192, "cpu")
        assert launch.pop("kernel") == kernel, m
        assert tuple(launch.values()) == tuple(launch_config(m, 4096, 8192, "cpu")), m
    assert json.loads(json.dumps(fp8blk_launch(1, 4096, 8192, "cpu"))) == fp8blk_launch(1, 4096, 8192, "cpu")


def test_report_shows_roof_cells_peers_failures_monotonicity_and_the_layer_graph(tmp_path):
    results = synthetic_results()
    results["env"].update(read_GBps=4000.0, config_table=False, gpu_tag="test")
    for r in results["records"]:
        r["roof_pct"] = 0.25 if r["impl"] == "fp8blk" else 0.125
    wkv = [r for r in results["records"] if (r["N"], r["K"], r["impl"]) == (512, 4096, "fp8blk")]
    next(r for r in wkv if r["M"] == 8)["median_us"] = 12.0  # slower than M = 32 (10.0): time falls as M grows
    results["records"] += [
        {"model": "deepseek-v4-flash", "layer": "attn.wkv", "groups": 1, "N": 512, "K": 4096, "M": 1,
         "impl": "gemlite_a8w8_fp8_block", "median_us": None, "rel_err": None,
         "error": "process died (exit code -11)"},
        {"model": "deepseek-v4-flash", "layer": "attn.wkv", "groups": 1, "N": 512, "K": 4096, "M": 8,
         "impl": "gemlite_a8w8_fp8_block", "median_us": 4.0, "rel_err": 2e-2, "roof_pct": 0.5}]
    results["layer_graph"] = [
        {"model": "deepseek-v4-flash", "M": m, "impl": impl, "median_us": us, "floor_us": 30.0,
         "launches": [["attn.wq_a", "attn.wkv"], ["attn.wo_b"]]}
        for m in (1, 64) for impl, us in (("fp8blk", 60.0), ("cublas_bf16", 90.0), ("marlin", 120.0))]
    text = report.render_markdown(results)
    assert "| 1 | 10.0 (25%) | 20.0 (12%) | 15.0 (12%) |" in text
    assert "read 4000 GB/s" in text and "config table: off (launch parameters by rule)" in text
    assert "`gemlite_a8w8_fp8_block`: W8A8" in text and "process died (exit code -11)" in text
    total = len({(r["N"], r["K"], r["M"]) for r in results["records"]})  # a run cut before the peer's other points
    assert report.missing_points(results["records"]) == {"gemlite_a8w8_fp8_block": total - 2}
    assert f"Not measured (the run ended before these points): `gemlite_a8w8_fp8_block` {total - 2} of {total}" in text
    assert "1 point(s): 512×4096 M=8 12.0 µs > M=32 10.0 µs" in text
    assert report.non_monotonic(results["records"]) == [(512, 4096, 8, 12.0, 32, 10.0)]
    # the harness names fp8blk's launch per point: a fall between two points of one launch is marked as such
    fallen = [r for r in results["records"]
              if (r["N"], r["K"], r["impl"]) == (512, 4096, "fp8blk") and r["M"] in (8, 32)]
    assert len(fallen) == 2 and not report.same_launch(results["records"], 512, 4096, 8, 32)  # no launch recorded
    for record in fallen:
        record["launch"] = {"kernel": "decode", "block_n": 32, "split_k": 4}
    assert report.same_launch(results["records"], 512, 4096, 8, 32)
    assert "512×4096 M=8 12.0 µs > M=32 10.0 µs (same launch)" in report.render_markdown(results)
    fallen[1]["launch"] = dict(fallen[0]["launch"], split_k=8)
    assert not report.same_launch(results["records"], 512, 4096, 8, 32)
    assert "(same launch)" not in report.render_markdown(results)
    assert "Wide spread" not in text  # the synthetic samples carry no spread
    stalled = next(r for r in results["records"] if (r["N"], r["K"], r["M"], r["impl"]) == (512, 4096, 8, "fp8blk"))
    stalled.update(p10_us=10.0, p90_us=16.0)  # p90 1.6x p10
    steady = next(r for r in results["records"] if (r["N"], r["K"], r["M"], r["impl"]) == (512, 4096, 32, "fp8blk"))
    steady.update(p10_us=9.0, p90_us=13.0)  # 1.44x: within the limit
    assert report.wide_spread(results["records"]) == [(512, 4096, 8, 12.0, 10.0, 16.0)]
    assert "1 point(s): 512×4096 M=8 median 12.0 µs (p10 10.0, p90 16.0)" in report.render_markdown(results)
    assert "one decoder layer's FP8 linears in one CUDA graph" in text and "attn.wq_a+attn.wkv" in text
    assert "| 1 | 60.0 | 90.0 | 120.0 | 30.0 | 2.00× | 1.50× |" in text
    assert "sum of per-layer medians" in text
    written = report.plot(results, tmp_path)
    assert [p.name for p in written] == ["latency.png", "speedup_heatmap.png", "roof_pct.png"]
    assert all(p.stat().st_size > 1000 for p in written)


def test_issue_targets_name_each_miss_and_its_worst_point():
    """benchmarks/targets.py: each issue target checked over a run's points, the misses counted, the worst named;
    the section is part of results.md."""
    from fp8blk.bench import targets
    results = synthetic_results()  # fp8blk 10 us everywhere, Marlin 20, cuBLAS 15; host 5 / 10 / 7.5 (+ M % 3)
    results["env"].update(read_GBps=3000.0, empty_kernel_us=2.0)
    record = {(r["N"], r["K"], r["M"], r["impl"]): r for r in results["records"]}
    record[(32768, 1024, 8, "fp8blk")]["median_us"] = 20.0  # 34.0 MB in 20 us: 57% of 3 TB/s
    record[(512, 4096, 8, "fp8blk")]["median_us"] = 12.0  # > M = 32's 10.0: time falls as M grows
    record[(4096, 8192, 4096, "cublas_bf16")]["median_us"] = 9.0  # 0.90x cuBLAS at M >= 1024
    record[(2048, 4096, 1, "fp8blk")]["host_us"] = 9.0  # more host time than F.linear's 8.5
    results["layer_graph"] = [{"model": "deepseek-v4-flash", "M": m, "impl": impl, "median_us": us, "floor_us": 30.0}
                              for m, impl, us in ((1, "fp8blk", 60.0), (1, "cublas_bf16", 90.0),
                                                  (64, "fp8blk", 60.0), (64, "cublas_bf16", 90.0),
                                                  (128, "fp8blk", 100.0), (128, "cublas_bf16", 90.0))]
    verdicts = {v.target: v for v in targets.check(results)}
    big = verdicts["layers ≥ 32 MiB, M ≤ 16: ≥ 80% of the read bandwidth"]
    assert (big.checked, big.missed, big.worst) == (4, 1, "32768×1024 M=8: 57% of read BW")  # 32 MiB: 2 shapes x 2 M
    small = verdicts["layers < 8 MiB, M ≤ 16: ≤ 1.3× (empty kernel + bytes / read bandwidth)"]
    assert small.missed == small.checked > 0 and small.worst.endswith("× the bound")  # 10 us against ~3 us
    assert verdicts["M ≥ 1024: ≥ 0.95× cuBLAS bf16"][3:] == (1, "4096×8192 M=4096: 0.90× cuBLAS")
    assert verdicts["every point: ≥ 1.0× Marlin"].missed == 0 and verdicts["M 17–128: ≥ 1.0× cuBLAS bf16"].missed == 0
    assert verdicts["eager host time ≤ F.linear's"][3:] == (1, "2048×4096 M=1: 1.06× F.linear's")
    falling = verdicts["time never falls as M grows (no M > 5% slower than the next larger M)"]
    assert falling.missed == 2 and falling.worst == "32768×1024 M=8 20.0 > M=32 10.0 µs, 512×4096 M=8 12.0 > M=32 10.0 µs"
    # 28 distinct points at 2.0x but 32768 x 1024 M=8 (20 / 20) and 512 x 4096 M=8 (20 / 12): (2^26 * 5/3)^(1/28)
    assert verdicts["geometric mean over Marlin ≥ 2.0×"][2:] == (1, 1, "1.94×")
    assert verdicts["decoder-layer graph, M = 1: ≤ 1.5× its floor"][2:] == (1, 1, "deepseek-v4-flash M=1: 2.00×")
    graph = verdicts["decoder-layer graph, M = 64 / 128 / 256: ≤ 1.0× bf16 nn.Linear's time"]
    assert graph[2:] == (2, 1, "deepseek-v4-flash M=128: 1.11×")
    assert verdicts["M = 1: ≥ 1.0× GemLite A16W8 FP8"].checked == 0  # no GemLite point in this run
    text = report.render_markdown(results)
    assert "## Issue targets" in text and "| 12 | M ≥ 1024: ≥ 0.95× cuBLAS bf16 | " in text


def test_shapes_file_of_the_users_own(tmp_path):
    from fp8blk.bench.shapes import load_shapes, model_names, read_shapes_file
    path = tmp_path / "mine.json"
    path.write_text(json.dumps({"sources": "mine", "models": {"tiny": {"config": {"num_hidden_layers": 2}, "layers": [
        {"name": "up", "N": 3000, "K": 1000, "count": 2, "input": "h"},
        {"name": "gate", "N": 3000, "K": 1000, "count": 2, "input": "h"},
        {"name": "grouped", "N": 256, "K": 512, "groups": 4, "count": 1}]}}}))
    shapes = load_shapes("all", path)
    assert model_names(path) == ["tiny"] and [s.layer for s in shapes] == ["up", "gate", "grouped"]
    assert shapes[2].groups == 4 and shapes[2].per_decoder_layer == 2.0 and shapes[0].input == "h"
    from fp8blk.bench.layer_graph import floor_us, layer_launches
    launches = layer_launches(shapes)
    assert [(l.layers, l.n, l.k, l.groups) for l in launches] == [(("up", "gate"), 6000, 1000, 1),
                                                                   (("grouped",), 256, 512, 4)]
    assert floor_us(launches, 1, 1000.0, 1e9) == pytest.approx(
        (6000 * 1000 + 4 * 47 * 8 + 2 * (1000 + 6000) + 1024 * 512 + 4 * 8 * 4 + 2 * (2048 + 1024)) / 1e6)
    path.write_text(json.dumps({"models": {"bad": {"config": {"num_hidden_layers": 1}, "layers": [{"name": "x"}]}}}))
    with pytest.raises(ValueError, match="positive integers N, K, count"):
        load_shapes("all", path)
    assert read_shapes_file()["models"]["deepseek-v4-flash"]["layers"][0]["input"] == "hidden"  # packaged data


def test_bench_cli_takes_shapes_layer_graph_and_table_flags():
    args = build_parser().parse_args(["bench", "--shapes", "mine.json", "--no-layer-graph", "--config-table", "off",
                                      "--impl", "fp8blk,gemlite_a16w8_fp8"])
    assert args.shapes == "mine.json" and args.layer_graph is False and args.config_table == "off"
    assert args.resume is False and build_parser().parse_args(["bench", "--resume"]).resume is True
    assert args.model is None and DEFAULT_MS[:8] == (1, 2, 4, 8, 16, 24, 32, 48)
    assert {24, 48, 96, 192, 384} <= set(DEFAULT_MS)


def test_measure_impl_guards_timing_by_numerics_class(monkeypatch):
    """W8A16 implementations are timed only within 1e-2 of float64; W8A8 and re-quantizing peers within 5e-2; an
    unavailable peer is recorded with its reason; nothing over its guard is timed."""
    from fp8blk.bench import harness
    from fp8blk.bench.peers import PeerUnavailable
    monkeypatch.setattr(harness, "time_calls", lambda call, copies, graphs: {"median_us": 1.0, "p10_us": 1.0,
                                                                             "p90_us": 1.0, "host_us": 2.0})
    weights = [torch.zeros(4, 128, dtype=torch.float8_e4m3fn)]
    xs = [torch.zeros(2, 128)]
    reference = torch.ones(2, 4, dtype=torch.float64)
    inputs = (weights, [torch.ones(1, 1)], xs, reference, 1)

    def off_by(fraction):
        return lambda w, s, x: (lambda i: reference * (1 + fraction))
    assert harness.measure_impl("fp8blk", off_by(5e-3), inputs, True)["median_us"] == 1.0
    late = harness.measure_impl("fp8blk", off_by(2e-2), inputs, True)
    assert late["median_us"] is None and "> 0.01" in late["error"]
    assert harness.measure_impl("gemlite_a8w8_fp8_block", off_by(2e-2), inputs, True)["median_us"] == 1.0
    assert harness.measure_impl("gemlite_a16w8_fp8", off_by(2.7e-2), inputs, True)["median_us"] == 1.0
    assert harness.measure_impl("gemlite_a16w8_fp8", off_by(6e-2), inputs, True)["median_us"] is None
    nan = harness.measure_impl("fp8blk", lambda w, s, x: (lambda i: reference * float("nan")), inputs, True)
    assert nan["median_us"] is None

    def unavailable(w, s, x):
        raise PeerUnavailable("gemlite not importable (ModuleNotFoundError)")
    record = harness.measure_impl("gemlite_a16w8_fp8", unavailable, inputs, True)
    assert record["median_us"] is None and record["error"].startswith("gemlite not importable")
    assert {"N", "K", "M", "impl", "rel_err"} <= set(record)


def test_peers_say_why_they_cannot_run_here(monkeypatch):
    """Without gemlite importable, each GemLite peer raises PeerUnavailable with a one-line reason."""
    import builtins

    from fp8blk.bench import peers
    real_import = builtins.__import__

    def no_gemlite(name, *args, **kwargs):
        if name.startswith("gemlite"):
            raise ModuleNotFoundError("No module named 'gemlite'")
        return real_import(name, *args, **kwargs)
    monkeypatch.setattr(builtins, "__import__", no_gemlite)
    for make in (peers.make_gemlite_a16w8_fp8, peers.make_gemlite_a8w8_fp8_block):
        with pytest.raises(peers.PeerUnavailable, match="gemlite not importable") as caught:
            make([torch.zeros(128, 128, dtype=torch.float8_e4m3fn)], [torch.ones(1, 1)], [torch.zeros(1, 128)])
        assert "\n" not in str(caught.value)


def test_point_inputs_are_built_in_row_blocks_with_the_whole_layers_reference(monkeypatch):
    """A point's weights and float64 reference are built 128-row blocks at a time (``fp8blk.bench.inputs``: a kernel
    timed right after allocations of ~2 GB ran ~12% slower, NOTES item 51): no random draw spans more rows than a
    block allows, each weight equals the quantization of its whole draw, the reference equals the whole layer's
    float64 product exactly, and the same seed gives the same inputs."""
    from fp8blk.bench import harness, inputs
    from fp8blk.formats import quantize_fp8_block
    monkeypatch.setattr(inputs, "CHUNK_BYTES", 8 * 300 * 128)  # one 128-row block per draw at K = 300
    drawn, randn = [], torch.randn
    monkeypatch.setattr(torch, "randn", lambda *size, **kw: drawn.append(size) or randn(*size, **kw))
    for n, k, m in ((300, 300, 3), (1000, 130, 5)):
        drawn.clear()
        weights, scales, xs, reference, copies = harness.point_inputs(n, k, m, 1, 0, device="cpu")
        assert copies == 2 and weights[0].shape == (n, k) and scales[0].shape == (-(-n // 128), -(-k // 128))
        assert max(rows for rows, _ in drawn[:-copies]) <= max(128, 300 * 128 // k // 128 * 128)  # weight draws
        dense = weights[0].double() * scales[0].double().repeat_interleave(128, 0)[:n].repeat_interleave(128, 1)[:, :k]
        assert torch.equal(reference, xs[0].double() @ dense.T)
        again = harness.point_inputs(n, k, m, 1, 0, device="cpu")
        assert all(torch.equal(a.view(torch.uint8), b.view(torch.uint8)) for a, b in zip(weights, again[0]))
        assert torch.equal(reference, again[3])
        torch.manual_seed(5)
        blocked = inputs.random_fp8_weight(n, k, "cpu")
        torch.manual_seed(5)
        whole = quantize_fp8_block(torch.cat([randn(rows.stop - rows.start, k) for rows in inputs.row_chunks(n, k)]) * 0.02)
        assert torch.equal(blocked[0].view(torch.uint8), whole[0].view(torch.uint8)) and torch.equal(blocked[1], whole[1])
    monkeypatch.undo()
    for n, k in ((7168, 16384), (65536, 1536), (512, 7168)):  # real layers: each float64 block within the budget
        chunks = inputs.row_chunks(n, k)
        assert all((rows.stop - rows.start) * k * 8 <= max(inputs.CHUNK_BYTES, 128 * k * 8) for rows in chunks)
        assert all(rows.start % 128 == 0 for rows in chunks) and sum(rows.stop - rows.start for rows in chunks) == n


def test_in_process_implementations_compute_the_product_as_users_call_them(monkeypatch):
    """fp8blk through Fp8BlockLinear (grouped layers through the kernel's grouped launch), cuBLAS through F.linear on
    the dequantized weight; both agree with float64 (CPU here: the module's reference path)."""
    from fp8blk import Fp8BlockLinear, quantize_fp8_block
    from fp8blk.bench.impls import make_cublas_bf16, make_fp8blk
    from fp8blk.formats import dequantize_fp8_block
    weights, scales = zip(*(quantize_fp8_block(torch.randn(256, 384) * 0.02) for _ in range(2)))
    xs = [torch.randn(3, 384).to(torch.bfloat16) for _ in range(2)]
    forwards = []
    original = Fp8BlockLinear.forward
    monkeypatch.setattr(Fp8BlockLinear, "forward", lambda self, x: forwards.append(1) or original(self, x))
    for make in (make_fp8blk, make_cublas_bf16):
        call = make(list(weights), list(scales), xs)
        for i in range(2):
            ref = xs[i].double() @ dequantize_fp8_block(weights[i], scales[i], dtype=torch.float64).T
            assert float((call(i).double() - ref).norm() / ref.norm()) < 1e-2
    assert len(forwards) == 2  # the fp8blk calls went through the module


def stub_gpu_environment(monkeypatch) -> dict:
    """The harness on CPU: a fixed GPU environment (returned: a test changes it between runs) and point inputs that
    are just (N, K, M), for stand-ins of the measurements."""
    from fp8blk.bench import harness
    env = {"gpu": "GPU X", "gpu_tag": "x", "l2_bytes": 1, "config_table": False, "date": "first", "read_GBps": 3000.0,
           "bf16_TFLOPs": 800.0, "copy_GBps": 2900.0, "vllm_marlin_source": "not run", "driver": "d", "cuda": "c",
           "torch": "t", "triton": "t"}
    monkeypatch.setattr(harness, "environment", lambda source: dict(env))
    monkeypatch.setattr(harness, "point_inputs", lambda n, k, m, l2, seed: (n, k, m))
    launch = harness.fp8blk_launch
    monkeypatch.setattr(harness, "fp8blk_launch", lambda m, n, k: launch(m, n, k, "cpu"))  # the rules on CPU facts
    return env


def test_a_run_cut_short_resumes_where_its_checkpoint_stops(monkeypatch, tmp_path):
    """``--resume``: the checkpoint (rewritten after each (N, K) and after each peer point) keeps what a run measured
    before it was cut short, in process or among the peers; the resumed run measures only the rest, records the
    earlier run's date, and refuses a checkpoint of another GPU or table setting."""
    from fp8blk.bench import harness
    shapes = load_shapes("deepseek-v4-flash")[:3]  # 1024x4096, 512x4096, 32768x1024
    impls, ms = ("fp8blk", "marlin", "cublas_bf16", "gemlite_a16w8_fp8"), (1, 64)
    env = stub_gpu_environment(monkeypatch)

    built = "vLLM 9.9 sdist, Marlin built by fp8blk.bench"

    class StubMarlin:  # as MarlinFactory: "not run" until a point builds it, then what the built Marlin says of itself
        def __init__(self, sdist):
            self.source = "not run"
    monkeypatch.setattr(harness, "MarlinFactory", StubMarlin)
    measured, contained = [], []

    def measure(impl, maker, inputs, graphs, log=print, cut_at=None):
        if len(measured) == cut_at:
            raise KeyboardInterrupt  # stands in for the timeout that kills a run
        if impl == "marlin":
            maker.source = built
        measured.append(impl)
        n, k, m = inputs
        return {"N": n, "K": k, "M": m, "impl": impl, "median_us": 1.0, "rel_err": 1e-3}

    def run_contained(units, options, log=print, on_record=None, cut_at=None):
        records = []
        for n, k, m, impl in units:
            if len(contained) == cut_at:
                raise KeyboardInterrupt  # the time limit, with the peers' children half done
            contained.append((n, k, m, impl))
            records.append({"N": n, "K": k, "M": m, "impl": impl, "median_us": 2.0})
            on_record(records[-1])
        return records
    monkeypatch.setattr(harness, "run_contained", run_contained)
    checkpoint = tmp_path / "partial_records.json"
    unique = sorted({(s.n, s.k) for s in shapes})
    per_shape = len(ms) * 3  # in-process points of one (N, K)
    monkeypatch.setattr(harness, "measure_impl", lambda *a, **kw: measure(*a, **kw, cut_at=per_shape + 1))
    with pytest.raises(KeyboardInterrupt):
        harness.run(shapes, ms, impls, checkpoint=checkpoint, layer_graph=False, log=lambda *a: None)
    kept = json.loads(checkpoint.read_text())
    assert {(r["N"], r["K"]) for r in kept["records"]} == {unique[0]} and len(measured) == per_shape + 1
    fp8blk_points = [r for r in kept["records"] if r["impl"] == "fp8blk"]  # each names the launch the rules took
    assert fp8blk_points and all(r["launch"] == harness.fp8blk_launch(r["M"], r["N"], r["K"]) and r["median_us"]
                                 for r in fp8blk_points)
    assert kept["env"]["date"] == "first" and not contained
    assert kept["env"]["vllm_marlin_source"] == built  # the Marlin its points used, not "not run"

    measured.clear()
    monkeypatch.setattr(harness, "measure_impl", lambda *a, **kw: measure(*a, **kw))
    env["date"] = "second"
    peer_points = len(unique) * len(ms)
    monkeypatch.setattr(harness, "run_contained", lambda *a, **kw: run_contained(*a, **kw, cut_at=2))
    with pytest.raises(KeyboardInterrupt):  # cut again, after two peer points
        harness.run(shapes, ms, impls, checkpoint=checkpoint, layer_graph=False, resume=True, log=lambda *a: None)
    assert len(measured) == per_shape * (len(unique) - 1)  # the first (N, K) was not measured again
    kept = {(r["N"], r["K"], r["M"], r["impl"]) for r in json.loads(checkpoint.read_text())["records"]}
    assert set(contained) <= kept and len(contained) == 2  # the two peer points measured before the cut are kept

    measured.clear()
    monkeypatch.setattr(harness, "run_contained", run_contained)
    results = harness.run(shapes, ms, impls, checkpoint=checkpoint, layer_graph=False, resume=True,
                          log=lambda *a: None)
    assert not measured and len(contained) == peer_points  # only the peer points still missing, each once
    points = {(r["N"], r["K"], r["M"], r["impl"]) for r in results["records"]}
    assert points == {(n, k, m, impl) for n, k in unique for m in ms for impl in impls}
    assert results["env"]["resumed_from"] == "first" and results["env"]["date"] == "second"
    assert results["env"]["vllm_marlin_source"] == built  # this call ran no Marlin point: the checkpoint's names it
    assert "resumed a run of first" in report.render_markdown(results)
    assert len(json.loads(checkpoint.read_text())["records"]) == len(results["records"])  # saved with the peers
    measured.clear()
    contained.clear()
    again = harness.run(shapes, ms, impls, checkpoint=checkpoint, layer_graph=False, resume=True, log=lambda *a: None)
    assert not measured and not contained and again["records"] == results["records"]  # peers kept too

    env["gpu"] = "GPU Y"
    with pytest.raises(ValueError, match="measured on GPU X"):
        harness.run(shapes, ms, impls, checkpoint=checkpoint, layer_graph=False, resume=True, log=lambda *a: None)
    env["gpu"] = "GPU X"  # the same GPU, but the kernels changed since the checkpoint was written
    stamped = json.loads(checkpoint.read_text())
    stamped["env"]["kernel_source"] = "aaaaaaaaaaaa"
    checkpoint.write_text(json.dumps(stamped))
    env["kernel_source"] = "bbbbbbbbbbbb"
    with pytest.raises(ValueError, match="other kernel sources"):
        harness.run(shapes, ms, impls, checkpoint=checkpoint, layer_graph=False, resume=True, log=lambda *a: None)


def test_layer_graphs_run_before_the_peers_and_survive_a_cut_among_them(monkeypatch, tmp_path):
    """The decoder-layer graphs are measured right after the in-process points and checkpointed, so a run cut during
    the peers' children (this harness's longest part) keeps them, and a resumed run does not measure them again."""
    from fp8blk.bench import harness, layer_graph
    shapes = load_shapes("deepseek-v4-flash")[:2]
    impls, ms = ("fp8blk", "gemlite_a16w8_fp8"), (1,)
    stub_gpu_environment(monkeypatch)
    monkeypatch.setattr(harness, "measure_impl", lambda impl, maker, inputs, graphs, log=print: dict(
        zip("NKM", inputs), impl=impl, median_us=1.0, rel_err=1e-3))
    order, graphs_measured = [], []

    def measure_graph(model, model_shapes, read_gbps, bf16_tflops, l2, marlin=None, log=print):
        order.append("layer graph")
        graphs_measured.append(model)
        return [{"model": model, "M": 1, "impl": "fp8blk", "median_us": 5.0}]
    monkeypatch.setattr(layer_graph, "measure", measure_graph)

    def peers_cut(units, options, log=print, on_record=None):
        order.append("peers")
        raise KeyboardInterrupt  # the time limit, while the peers' children run
    monkeypatch.setattr(harness, "run_contained", peers_cut)
    checkpoint = tmp_path / "partial_records.json"
    with pytest.raises(KeyboardInterrupt):
        harness.run(shapes, ms, impls, checkpoint=checkpoint, log=lambda *a: None)
    assert order == ["layer graph", "peers"]
    assert json.loads(checkpoint.read_text())["layer_graph"] == [{"model": "deepseek-v4-flash", "M": 1,
                                                                  "impl": "fp8blk", "median_us": 5.0}]

    def peers(units, options, log=print, on_record=None):
        records = [{"N": n, "K": k, "M": m, "impl": impl, "median_us": 2.0} for n, k, m, impl in units]
        for record in records:
            on_record(record)
        return records
    monkeypatch.setattr(harness, "run_contained", peers)
    results = harness.run(shapes, ms, impls, checkpoint=checkpoint, resume=True, log=lambda *a: None)
    assert graphs_measured == ["deepseek-v4-flash"]  # kept from the checkpoint, not measured again
    assert results["layer_graph"][0]["median_us"] == 5.0 and len(results["records"]) == len(shapes) * 2


def test_marlin_factory_names_the_marlin_it_ran():
    """The report's header says which Marlin the points used: vLLM's installed op, one built from an sdist, or none
    (the build failed: each point then records why)."""
    from fp8blk.bench.impls import MarlinFactory
    weights, scales, xs = [torch.zeros(1)], [torch.zeros(1)], [torch.ones(1)]

    class Built:
        vllm_version = "9.9"

    def factory(installed, build):
        made = MarlinFactory()
        made._marlin = type("StubMarlin", (), {"vllm_apply": staticmethod(lambda w, s: (lambda x: x) if installed else None),
                                               "build": staticmethod(build),
                                               "prepare": staticmethod(lambda module, w, s: lambda x: x + 1)})
        return made
    assert MarlinFactory().source == "not run"
    installed = factory(True, None)
    assert installed(weights, scales, xs)(0) == 1 and installed.source == "vllm (installed)"
    built = factory(False, lambda sdist: Built())
    assert built(weights, scales, xs)(0) == 2 and built.source == "vLLM 9.9 sdist, Marlin built by fp8blk.bench"

    def no_sdist(sdist):
        raise FileNotFoundError("no vLLM source distribution")
    missing = factory(False, no_sdist)
    with pytest.raises(FileNotFoundError):
        missing(weights, scales, xs)
    assert missing.source.startswith("unavailable (FileNotFoundError")


def test_kernel_source_digest_names_the_kernel_files_measured(tmp_path):
    from fp8blk.bench.harness import kernel_source_digest
    import fp8blk.kernels
    installed = kernel_source_digest()
    assert len(installed) == 12 and int(installed, 16) >= 0
    assert installed == kernel_source_digest(Path(fp8blk.kernels.__file__).parent)
    for name in ("a.py", "b.py"):
        (tmp_path / name).write_text(f"# {name}\n")
    before = kernel_source_digest(tmp_path)
    (tmp_path / "notes.txt").write_text("not source")
    assert kernel_source_digest(tmp_path) == before  # only the .py files count
    (tmp_path / "b.py").write_text("# b.py, one rule changed\n")
    assert kernel_source_digest(tmp_path) != before
