"""results.json -> results.md and PNG plots."""
from __future__ import annotations

import math
import statistics
from collections import defaultdict
from pathlib import Path
from typing import Dict, List, Optional, Tuple

from .peers import NUMERICS
from .shapes import load_shapes

DECODE_MS = (1, 8, 32)
PREFILL_M = 4096
MONOTONE_TOLERANCE = 0.05  # fp8blk at M more than 5% slower than at the next larger M is flagged
SPREAD_LIMIT = 1.5  # a point whose p90 exceeds 1.5x its p10 is listed as noisy


def fp8_bytes(n: int, k: int, m: int, groups: int = 1) -> int:
    """Fewest bytes one call must move: FP8 weight + fp32 block scales + bf16 activation in and out
    (``groups`` GEMMs of N x K each, as one launch)."""
    n_total, k_total = n * groups, k * groups
    return n_total * k + 4 * math.ceil(n_total / 128) * math.ceil(k / 128) + 2 * m * k_total + 2 * m * n_total


def roof_floor_us(n: int, k: int, m: int, read_gbps: float, bf16_tflops: float, groups: int = 1) -> float:
    """The roofline floor of one launch in µs: max(FP8 bytes / read bandwidth, FLOPs / bf16 tensor-core rate)."""
    return max(fp8_bytes(n, k, m, groups) / (read_gbps * 1e3), 2 * m * n * k * groups / (bf16_tflops * 1e6))


def index(records: List[Dict]) -> Dict[Tuple[int, int, int, str], Optional[float]]:
    """(N, K, M, impl) -> median microseconds (None where not timed)."""
    return {(r["N"], r["K"], r["M"], r["impl"]): r["median_us"] for r in records}


def ratio(numerator: Optional[float], denominator: Optional[float]) -> Optional[float]:
    """``numerator / denominator``, or None when either is missing."""
    if numerator is None or denominator is None or denominator == 0:
        return None
    return numerator / denominator


def speedups(records: List[Dict], baseline: str = "marlin") -> Dict[Tuple[int, int, int], float]:
    """(N, K, M) -> baseline time / fp8blk time, over the unique shapes measured."""
    times = index(records)
    out = {}
    for (n, k, m, impl) in times:
        if impl == "fp8blk":
            value = ratio(times.get((n, k, m, baseline)), times[(n, k, m, "fp8blk")])
            if value is not None:
                out[(n, k, m)] = value
    return out


def geomean(values) -> Optional[float]:
    values = [v for v in values if v]
    return math.exp(sum(math.log(v) for v in values) / len(values)) if values else None


def model_forward_us(records: List[Dict], model: str, m: int, impl: str) -> Tuple[Optional[float], Optional[float]]:
    """(one decoder layer, whole model) time of all FP8 linears of ``model`` at ``m`` rows, in us."""
    times = index(records)
    layer_us = whole_us = 0.0
    layers = {(r["layer"], r["N"], r["K"], r["groups"], r["count"], r["num_layers"]) for r in records
              if r["model"] == model and "count" in r}
    if not layers:  # results written before records carried counts: the packaged shapes
        layers = {(s.layer, s.n, s.k, s.groups, s.count, s.num_layers) for s in load_shapes(model)}
    for _, n, k, groups, count, num_layers in layers:
        t = times.get((n, k, m, impl))
        if t is None:
            return None, None
        layer_us += t * groups * count / num_layers
        whole_us += t * groups * count
    return layer_us, whole_us


def roof_by_point(records: List[Dict]) -> Dict[Tuple[int, int, int, str], Optional[float]]:
    """(N, K, M, impl) -> roof_pct (a fraction) where recorded."""
    return {(r["N"], r["K"], r["M"], r["impl"]): r.get("roof_pct") for r in records}


def non_monotonic(records: List[Dict], impl: str = "fp8blk",
                  tolerance: float = MONOTONE_TOLERANCE) -> List[Tuple[int, int, int, float, int, float]]:
    """Points where ``impl`` at M takes more than ``1 + tolerance`` times its time at the next larger M measured:
    ``[(N, K, M, us, next M, next us)]`` (time should not fall as the work grows)."""
    times = index(records)
    found = []
    for n, k in sorted({(r["N"], r["K"]) for r in records}):
        ms = sorted({r["M"] for r in records if (r["N"], r["K"]) == (n, k) and times.get((n, k, r["M"], impl))})
        for m, bigger in zip(ms, ms[1:]):
            if times[(n, k, m, impl)] > (1 + tolerance) * times[(n, k, bigger, impl)]:
                found.append((n, k, m, times[(n, k, m, impl)], bigger, times[(n, k, bigger, impl)]))
    return found


def same_launch(records: List[Dict], n: int, k: int, m: int, other_m: int, impl: str = "fp8blk") -> bool:
    """Whether ``impl``'s records at (N, K, M) and (N, K, other M) name one launch (the harness records fp8blk's
    ``launch``; runs from before it name none): a time fall between two such points is the spread between runs
    of one kernel, not a rule choosing worse."""
    launches = [r.get("launch") for r in records if r["impl"] == impl and (r["N"], r["K"]) == (n, k)
                and r["M"] in (m, other_m)]
    return len(launches) == 2 and launches[0] is not None and launches[0] == launches[1]


def wide_spread(records: List[Dict], impl: str = "fp8blk",
                limit: float = SPREAD_LIMIT) -> List[Tuple[int, int, int, float, float, float]]:
    """Points of ``impl`` whose samples spread wider than ``p90 > limit * p10``, widest first:
    ``[(N, K, M, median, p10, p90)]``. A kernel's time varies little between replays; a wide spread marks a point
    disturbed by the machine (a host stall, another process), whose median may not be the kernel's time."""
    found = [(r["N"], r["K"], r["M"], r["median_us"], r["p10_us"], r["p90_us"]) for r in records
             if r["impl"] == impl and r.get("p10_us") and r.get("p90_us") and r["p90_us"] > limit * r["p10_us"]]
    return sorted(found, key=lambda point: point[5] / point[4], reverse=True)


def failures(records: List[Dict]) -> Dict[str, List[str]]:
    """impl -> the distinct reasons it was not timed (unavailable, crashed, error over its guard)."""
    found: Dict[str, List[str]] = defaultdict(list)
    for r in records:
        if r.get("error") and r["error"] not in found[r["impl"]]:
            found[r["impl"]].append(r["error"])
    return dict(found)


def missing_points(records: List[Dict]) -> Dict[str, int]:
    """impl -> how many of the run's (N, K, M) points hold no record of it (a run cut before its peers finished)."""
    points = {(r["N"], r["K"], r["M"]) for r in records}
    held: Dict[str, set] = defaultdict(set)
    for r in records:
        held[r["impl"]].add((r["N"], r["K"], r["M"]))
    return {impl: len(points - got) for impl, got in held.items() if points - got}


def host_us_by_impl(records: List[Dict]) -> Dict[str, float]:
    """impl -> median host (CPU) microseconds to queue one call, over the records that measured it."""
    found = defaultdict(list)
    for r in records:
        if r.get("host_us") is not None:
            found[r["impl"]].append(r["host_us"])
    return {impl: statistics.median(values) for impl, values in found.items()}


def decode_floor_us(env: Dict, n: int, k: int, m: int) -> Optional[float]:
    """max(empty-kernel time, fp8 bytes / copy rate) in µs; None for runs that did not measure the former."""
    if not env.get("empty_kernel_us"):
        return None
    return max(env["empty_kernel_us"], fp8_bytes(n, k, m) / (env["copy_GBps"] * 1e3))


def _fmt(value: Optional[float], digits: int = 1, suffix: str = "") -> str:
    return "—" if value is None else f"{value:.{digits}f}{suffix}"


def _cell(us: Optional[float], roof: Optional[float]) -> str:
    """'µs (roof%)' for a timed point, '—' otherwise."""
    return "—" if us is None else f"{us:.1f}" + ("" if roof is None else f" ({100 * roof:.0f}%)")


def render_markdown(results: Dict) -> str:
    env, records = results["env"], results["records"]
    impls = list(dict.fromkeys(r["impl"] for r in records))
    times = index(records)
    roofs = roof_by_point(records)
    lines = [f"# fp8blk benchmark: {env['gpu']}", "",
             f"{env['date']} · driver {env['driver']} · CUDA {env['cuda']} · torch {env['torch']} · Triton {env['triton']}"
             + (f" · fp8blk {env['fp8blk']} (kernel sources {env['kernel_source']})" if env.get("kernel_source") else "")
             + f" · Marlin: {env['vllm_marlin_source']}"
             + (f" · resumed a run of {env['resumed_from']} cut short (its points kept; the GPU figures below are this"
                " run's)" if env.get("resumed_from") else ""),
             (f"Measured here: read {env['read_GBps']:.0f} GB/s, " if env.get("read_GBps") else "Measured here: ")
             + f"copy {env['copy_GBps']:.0f} GB/s (read + write), bf16 GEMM {env['bf16_TFLOPs']:.0f} TFLOP/s"
             + (f", empty kernel in a CUDA graph {env['empty_kernel_us']:.2f} µs." if env.get("empty_kernel_us") else ".")
             + ("" if "config_table" not in env else
                f" fp8blk's tuned config table: {'on' if env['config_table'] else 'off (launch parameters by rule)'}."),
             "Median µs of GPU time per call (CUDA events; CUDA graphs for M ≤ 64, replayed back to back; either way "
             "the timed work is queued behind a GPU sleep, so the GPU runs ahead of the host and launch cost is not "
             "counted here but in the host line below; inputs rotated over > 2× L2). "
             "`vs Marlin` = Marlin time / fp8blk time (> 1: fp8blk faster); `vs cuBLAS` likewise against bf16 cuBLAS on "
             "pre-dequantized weights; `%BW` = fp8blk's bytes (weight + scales + activations) / time / copy rate; "
             "`%bf16` = fp8blk's FLOP rate / measured bf16 GEMM rate; `× floor` (M ≤ 16) = fp8blk time / "
             "max(empty-kernel time, bytes / copy rate). A cell's (n%) is its %roof: max(FP8 bytes / read bandwidth, "
             "FLOPs / bf16 rate) / time, the same FP8 floor for every implementation of the point.", ""]
    notes = [f"- `{impl}`: {text}." for impl, text in NUMERICS.items() if impl in impls]
    if notes:
        lines += ["Peers (other libraries; numerics differ):"] + notes + [
            "  W8A16 implementations must be within 1e-2 relative error of the float64 reference to be timed, "
            "W8A8 ones within 5e-2. Peers run in child processes: a crash costs one point, recorded below.", ""]
    failed = failures(records)
    if failed:
        lines += ["Not timed (reason, once per implementation):"] + [
            f"- `{impl}`: " + "; ".join(reasons[:3]) for impl, reasons in failed.items()] + [""]
    missing = missing_points(records)
    if missing:
        total = len({(r["N"], r["K"], r["M"]) for r in records})
        lines += ["Not measured (the run ended before these points): " + ", ".join(
            f"`{impl}` {count} of {total} points" for impl, count in missing.items()) + ".", ""]
    falling = non_monotonic(records)
    lines += [f"Time falling as M grows (fp8blk more than {100 * MONOTONE_TOLERANCE:.0f}% slower at M than at the next "
              f"larger M): {len(falling)} point(s)" + (": " + ", ".join(
                  f"{n}×{k} M={m} {us:.1f} µs > M={big} {big_us:.1f} µs"
                  + (" (same launch)" if same_launch(records, n, k, m, big) else "")
                  for n, k, m, us, big, big_us in falling[:12])
                  if falling else "") + ".", ""]
    noisy = wide_spread(records)
    if noisy:
        lines += [f"Wide spread (fp8blk's p90 over {SPREAD_LIMIT}× its p10: the machine disturbed these points, their "
                  f"medians may not be the kernel's time): {len(noisy)} point(s): " + ", ".join(
                      f"{n}×{k} M={m} median {us:.1f} µs (p10 {p10:.1f}, p90 {p90:.1f})"
                      for n, k, m, us, p10, p90 in noisy[:12]) + ".", ""]
    lines += layer_graph_lines(results.get("layer_graph", []))
    all_speedups = speedups(records)
    gm = geomean(all_speedups.values())
    slower = sorted((k for k, v in all_speedups.items() if v < 1), key=lambda key: all_speedups[key])
    host = host_us_by_impl(records)
    if host:
        lines += ["Host time to queue one call (eager, median over all points; "
                  + ("fp8blk through `Fp8BlockLinear`, cublas_bf16 through `F.linear`"
                     if env.get("fp8blk_call") == "Fp8BlockLinear" else
                     "fp8blk through the kernel wrapper `fp8_block_matmul`, cublas_bf16 as `x @ W.T`") + "): "
                  + ", ".join(f"{impl} {us:.1f} µs" for impl, us in host.items()) + ".", ""]
    lines += [f"**Geometric-mean speedup over Marlin: {_fmt(gm, 2, '×')}** over {len(all_speedups)} (N, K, M) points; "
              f"slower than Marlin at {len(slower)} point(s)" + (": " + ", ".join(
                  f"{n}×{k} M={m} ({all_speedups[(n, k, m)]:.2f}×)" for n, k, m in slower[:12]) if slower else "") + ".", ""]
    from .targets import target_lines  # (targets.py reads this module's point math)
    lines += target_lines(results)
    for model in dict.fromkeys(r["model"] for r in records):
        lines += [f"## {model}", ""]
        shapes = list(dict.fromkeys((r["layer"], r["N"], r["K"], r["groups"]) for r in records if r["model"] == model))
        for layer, n, k, groups in shapes:
            group_note = f" ({groups} groups, each timed as one GEMM)" if groups > 1 else ""
            lines += [f"### {layer}: N={n} K={k}{group_note}, {n * k / 2**20:.1f} MiB FP8", "",
                      "| M | " + " | ".join(impls) + " | vs Marlin | vs cuBLAS | %BW | %bf16 | × floor |",
                      "|---" * (len(impls) + 6) + "|"]
            for m in sorted({r["M"] for r in records if r["N"] == n and r["K"] == k}):
                t = times.get((n, k, m, "fp8blk"))
                bw = ratio(fp8_bytes(n, k, m) / 1e3, t)
                rate = ratio(2 * m * n * k / 1e6, t)
                lines.append(f"| {m} | " + " | ".join(_cell(times.get((n, k, m, i)), roofs.get((n, k, m, i)))
                                                     for i in impls)
                             + f" | {_fmt(ratio(times.get((n, k, m, 'marlin')), t), 2, '×')}"
                             + f" | {_fmt(ratio(times.get((n, k, m, 'cublas_bf16')), t), 2, '×')}"
                             + f" | {_fmt(None if bw is None else 100 * bw / env['copy_GBps'], 0, '%')}"
                             + f" | {_fmt(None if rate is None else 100 * rate / env['bf16_TFLOPs'], 0, '%')}"
                             + f" | {_fmt(ratio(t, decode_floor_us(env, n, k, m)) if m <= 16 else None, 2, '×')} |")
            lines.append("")
        lines += [f"### {model}: sum of per-layer medians, µs (one decoder layer / whole model)", "",
                  "Each shape's median above times its count; no fusion, no graph across layers (the decoder-layer "
                  "graph above measures a layer as it runs).", "",
                  "| M | " + " | ".join(impls) + " |", "|---" * (len(impls) + 1) + "|"]
        for m in DECODE_MS + (PREFILL_M,):
            cells = []
            for impl in impls:
                layer_us, whole_us = model_forward_us(records, model, m, impl)
                cells.append("—" if layer_us is None else f"{layer_us:.0f} / {whole_us / 1e3:.1f} ms")
            lines.append(f"| {m} | " + " | ".join(cells) + " |")
        lines.append("")
    return "\n".join(lines)


def layer_graph_lines(graph: List[Dict]) -> List[str]:
    """The decoder-layer CUDA-graph table: µs per layer per implementation, the floor, fp8blk's ratios."""
    if not graph:
        return []
    lines = []
    for model in dict.fromkeys(r["model"] for r in graph):
        rows = [r for r in graph if r["model"] == model]
        impls = list(dict.fromkeys(r["impl"] for r in rows))
        times = {(r["M"], r["impl"]): r.get("median_us") for r in rows}
        floors = {r["M"]: r["floor_us"] for r in rows}
        launches = rows[0].get("launches", [])
        lines += [f"## {model}: one decoder layer's FP8 linears in one CUDA graph", "",
                  "Modules as a user calls them, " + (f"{len(launches)} launches: " + ", ".join(
                      "+".join(layers) for layers in launches) + " (layers joined by + run as one fused launch, "
                      "`Fp8BlockLinear.concat`; grouped layers run their groups in one launch for fp8blk, one batched "
                      "matmul for cuBLAS, one call per group for Marlin). " if launches else "")
                  + "Weights rotated over > 2× L2; µs per layer; floor = Σ max(FP8 bytes / read BW, FLOPs / bf16 rate).",
                  "", "| M | " + " | ".join(impls) + " | floor | fp8blk / floor | fp8blk vs cuBLAS bf16 |",
                  "|---" * (len(impls) + 4) + "|"]
        for m in sorted(floors):
            t = times.get((m, "fp8blk"))
            lines.append(f"| {m} | " + " | ".join(_fmt(times.get((m, i))) for i in impls) + f" | {floors[m]:.1f}"
                         + f" | {_fmt(ratio(t, floors[m]), 2, '×')}"
                         + f" | {_fmt(ratio(times.get((m, 'cublas_bf16')), t), 2, '×')} |")
        lines.append("")
    return lines


def _per_shape_plot(plt, shapes, impls, ms, value, ylabel: str, title: str, path: Path, log_y: bool) -> Path:
    """One subplot per (N, K): ``value(n, k, m, impl)`` against M (log2 axis), a line per implementation."""
    cols = min(4, len(shapes))
    rows = math.ceil(len(shapes) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 3.4 * rows), squeeze=False)
    for ax, (n, k) in zip(axes.flat, shapes):
        for impl in impls:
            points = [(m, value(n, k, m, impl)) for m in ms if value(n, k, m, impl)]
            if points:
                ax.plot(*zip(*points), marker="o", markersize=3, label=impl)
        ax.set_xscale("log", base=2)
        if log_y:
            ax.set_yscale("log")
        else:
            ax.set_ylim(0, 100)
        ax.set_title(f"N={n} K={k}", fontsize=10)
        ax.set_xlabel("M (tokens)")
        ax.set_ylabel(ylabel)
        ax.grid(True, which="both", alpha=0.3)
    for ax in list(axes.flat)[len(shapes):]:
        ax.axis("off")
    if axes.flat[0].get_legend_handles_labels()[0]:
        axes.flat[0].legend(fontsize=7)
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def plot(results: Dict, out: Path) -> List[Path]:
    """Latency vs M per shape (log-log), a speedup heat map (shape x M, Marlin / fp8blk) and %roof vs M per shape."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    records = results["records"]
    times = index(records)
    impls = list(dict.fromkeys(r["impl"] for r in records))
    shapes = sorted({(r["N"], r["K"]) for r in records})
    ms = sorted({r["M"] for r in records})
    latency = _per_shape_plot(plt, shapes, impls, ms, lambda n, k, m, impl: times.get((n, k, m, impl)),
                              "µs per call", f"Latency vs M on {results['env']['gpu']} (lower is better)",
                              out / "latency.png", log_y=True)

    table = speedups(records)
    grid = [[table.get((n, k, m), float("nan")) for m in ms] for n, k in shapes]
    fig, ax = plt.subplots(figsize=(1.0 + 0.62 * len(ms), 1.2 + 0.5 * len(shapes)))
    image = ax.imshow(grid, cmap="RdYlGn", vmin=0.5, vmax=2.5, aspect="auto")
    ax.set_xticks(range(len(ms)), [str(m) for m in ms])
    ax.set_yticks(range(len(shapes)), [f"{n}×{k}" for n, k in shapes])
    ax.set_xlabel("M (tokens)")
    ax.set_ylabel("layer N×K")
    for i, row in enumerate(grid):
        for j, value in enumerate(row):
            if value == value:
                ax.text(j, i, f"{value:.1f}", ha="center", va="center", fontsize=7)
    fig.colorbar(image, ax=ax, label="Marlin time / fp8blk time")
    ax.set_title("fp8blk speedup over vLLM Marlin FP8")
    fig.tight_layout()
    heatmap = out / "speedup_heatmap.png"
    fig.savefig(heatmap, dpi=110)
    plt.close(fig)

    roofs = roof_by_point(records)
    roof = _per_shape_plot(plt, shapes, impls, ms,
                           lambda n, k, m, impl: 100 * roofs[(n, k, m, impl)] if roofs.get((n, k, m, impl)) else None,
                           "% of roofline", f"% of the FP8 roofline (max(bytes/read BW, FLOPs/bf16 rate) / time) on "
                           f"{results['env']['gpu']}", out / "roof_pct.png", log_y=False)
    return [latency, heatmap, roof]


def write_report(results: Dict, out: Path) -> None:
    out = Path(out)
    (out / "results.md").write_text(render_markdown(results))
    plot(results, out)
