"""The open issues' targets checked against one harness result: which hold, and where each one is missed.

Each target is a predicate over the points of a ``results.json`` (per (N, K, M) as the report indexes them, the layer
graph, the host times); the figures are those the issues state for the H100 (decode: issue 11, serving: issue 12,
host path: issue 13). ``check`` returns one ``Verdict`` per target; ``target_lines`` renders them for results.md.
"""
from __future__ import annotations

from typing import Callable, Dict, List, NamedTuple, Optional, Tuple

from .report import fp8_bytes, geomean, index, non_monotonic, ratio

MIB = 1 << 20


class Point(NamedTuple):
    """One (N, K, M) of a run with what the targets read: fp8blk's time and its peers' (None where not timed)."""
    n: int
    k: int
    m: int
    us: float
    marlin: Optional[float]
    cublas: Optional[float]
    gemlite: Optional[float]
    host: Optional[float]
    cublas_host: Optional[float]


class Verdict(NamedTuple):
    """One target's outcome: ``missed`` of ``checked`` points miss it; ``worst`` names the furthest miss."""
    issue: int
    target: str
    checked: int
    missed: int
    worst: str


class Target(NamedTuple):
    issue: int
    text: str
    applies: Callable[[Point], bool]
    value: Callable[[Point, Dict], Optional[float]]  # the point's figure
    bound: float
    at_least: bool  # the figure must be >= bound (else <= bound)
    shown: str  # how a figure reads, a format string


def _read_us(p: Point, env: Dict) -> Optional[float]:
    """The point's bytes over the run's measured read bandwidth, in µs (None where the run did not measure it)."""
    return fp8_bytes(p.n, p.k, p.m) / (env["read_GBps"] * 1e3) if env.get("read_GBps") else None


def _read_fraction(p: Point, env: Dict) -> Optional[float]:
    return ratio(_read_us(p, env), p.us)


def _small_layer_ratio(p: Point, env: Dict) -> Optional[float]:
    read_us = _read_us(p, env)
    return ratio(p.us, env["empty_kernel_us"] + read_us) if read_us and env.get("empty_kernel_us") else None


def _weight_mib(p: Point) -> float:
    return p.n * p.k / MIB


TARGETS = [
    Target(11, "layers ≥ 32 MiB, M ≤ 16: ≥ 80% of the read bandwidth",
           lambda p: p.m <= 16 and _weight_mib(p) >= 32, _read_fraction, 0.80, True, "{:.0%} of read BW"),
    Target(11, "layers 8–32 MiB, M ≤ 16: ≥ 65% of the read bandwidth",
           lambda p: p.m <= 16 and 8 <= _weight_mib(p) < 32, _read_fraction, 0.65, True, "{:.0%} of read BW"),
    Target(11, "layers < 8 MiB, M ≤ 16: ≤ 1.3× (empty kernel + bytes / read bandwidth)",
           lambda p: p.m <= 16 and _weight_mib(p) < 8, _small_layer_ratio, 1.3, False, "{:.2f}× the bound"),
    Target(11, "M = 1: ≥ 1.0× GemLite A16W8 FP8", lambda p: p.m == 1,
           lambda p, env: ratio(p.gemlite, p.us), 1.0, True, "{:.2f}× GemLite"),
    Target(11, "M ≤ 16: ≥ 1.0× Marlin", lambda p: p.m <= 16, lambda p, env: ratio(p.marlin, p.us), 1.0, True,
           "{:.2f}× Marlin"),
    Target(12, "M 17–128: ≥ 1.0× cuBLAS bf16", lambda p: 17 <= p.m <= 128,
           lambda p, env: ratio(p.cublas, p.us), 1.0, True, "{:.2f}× cuBLAS"),
    Target(12, "M 129–512: ≥ 0.9× cuBLAS bf16", lambda p: 129 <= p.m <= 512,
           lambda p, env: ratio(p.cublas, p.us), 0.9, True, "{:.2f}× cuBLAS"),
    Target(12, "M ≥ 1024: ≥ 0.95× cuBLAS bf16", lambda p: p.m >= 1024,
           lambda p, env: ratio(p.cublas, p.us), 0.95, True, "{:.2f}× cuBLAS"),
    Target(12, "every point: ≥ 1.0× Marlin", lambda p: True, lambda p, env: ratio(p.marlin, p.us), 1.0, True,
           "{:.2f}× Marlin"),
    Target(13, "eager host time ≤ F.linear's", lambda p: True, lambda p, env: ratio(p.host, p.cublas_host), 1.0,
           False, "{:.2f}× F.linear's"),
]


def points(records: List[Dict]) -> List[Point]:
    """fp8blk's timed (N, K, M) points with their peers' figures (one per (N, K, M), as the report's tables)."""
    times = index(records)
    host = {(r["N"], r["K"], r["M"], r["impl"]): r.get("host_us") for r in records}
    found = []
    for (n, k, m, impl), us in sorted(times.items()):
        if impl == "fp8blk" and us:
            found.append(Point(n, k, m, us, times.get((n, k, m, "marlin")), times.get((n, k, m, "cublas_bf16")),
                               times.get((n, k, m, "gemlite_a16w8_fp8")), host.get((n, k, m, "fp8blk")),
                               host.get((n, k, m, "cublas_bf16"))))
    return found


def _verdict(target: Target, found: List[Tuple[Point, float]]) -> Verdict:
    missed = [(p, v) for p, v in found if (v < target.bound if target.at_least else v > target.bound)]
    worst = ""
    if missed:
        p, v = (min if target.at_least else max)(missed, key=lambda pv: pv[1])
        worst = f"{p.n}×{p.k} M={p.m}: " + target.shown.format(v)
    return Verdict(target.issue, target.text, len(found), len(missed), worst)


def check(results: Dict) -> List[Verdict]:
    """Every target of ``TARGETS`` plus the run-wide ones (time never falling as M grows, the geometric mean over
    Marlin, the decoder-layer graph) against one run."""
    env, records = results["env"], results["records"]
    verdicts = []
    run_points = points(records)
    for target in TARGETS:
        found = [(p, v) for p in run_points if target.applies(p) for v in [target.value(p, env)] if v is not None]
        verdicts.append(_verdict(target, found))
    falling = sorted(non_monotonic(records), key=lambda f: f[3] / f[5], reverse=True)  # (N, K, M, us, next M, its us)
    shapes = {(p.n, p.k) for p in run_points}  # each shape's M values but its largest have a next larger M
    verdicts.append(Verdict(12, "time never falls as M grows (no M > 5% slower than the next larger M)",
                            len(run_points) - len(shapes), len(falling),
                            ", ".join(f"{n}×{k} M={m} {us:.1f} > M={b} {b_us:.1f} µs"
                                      for n, k, m, us, b, b_us in falling[:3])))
    over_marlin = [ratio(p.marlin, p.us) for p in run_points if p.marlin]
    mean = geomean(over_marlin)
    verdicts.append(Verdict(12, "geometric mean over Marlin ≥ 2.0×", 1 if mean else 0,
                            1 if mean is not None and mean < 2.0 else 0, f"{mean:.2f}×" if mean else ""))
    graph = {(r["model"], r["M"], r["impl"]): r for r in results.get("layer_graph", []) if r.get("median_us")}
    for issue, text, ms, value, bound in (
            (11, "decoder-layer graph, M = 1: ≤ 1.5× its floor", (1,),
             lambda model, m: ratio(graph[(model, m, "fp8blk")]["median_us"], graph[(model, m, "fp8blk")]["floor_us"]),
             1.5),
            (12, "decoder-layer graph, M = 64 / 128 / 256: ≤ 1.0× bf16 nn.Linear's time", (64, 128, 256),
             lambda model, m: ratio(graph[(model, m, "fp8blk")]["median_us"],
                                    graph.get((model, m, "cublas_bf16"), {}).get("median_us")), 1.0)):
        found = [(f"{model} M={m}", value(model, m)) for model, m, impl in graph if impl == "fp8blk" and m in ms]
        found = [(name, v) for name, v in found if v is not None]
        missed = sorted([(name, v) for name, v in found if v > bound], key=lambda nv: -nv[1])
        verdicts.append(Verdict(issue, text, len(found), len(missed),
                                ", ".join(f"{name}: {v:.2f}×" for name, v in missed[:3])))
    return verdicts


def target_lines(results: Dict) -> List[str]:
    """The "Issue targets" section of results.md: a row per target, its misses and the worst of them."""
    lines = ["## Issue targets (H100 figures as the issues state them)", "",
             "| issue | target | points | missed | worst miss |", "|---|---|---|---|---|"]
    for v in sorted(check(results), key=lambda v: v.issue):
        lines.append(f"| {v.issue} | {v.target} | {v.checked} | {v.missed if v.checked else '—'} | {v.worst or '—'} |")
    return lines + [""]


__all__ = ["Point", "Verdict", "Target", "TARGETS", "points", "check", "target_lines"]
