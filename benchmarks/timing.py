"""Timing on the GPU: CUDA events, medians, optional CUDA graphs, buffers rotated past the L2 cache."""
from __future__ import annotations

import functools
import statistics
import time
from typing import Callable, Dict, List

import torch


def rotation_count(bytes_per_call: int, l2_bytes: int, cap: int = 64) -> int:
    """Distinct input copies needed so that one pass over them moves more than 2x the L2 cache."""
    return max(2, min(cap, -(-2 * l2_bytes // max(bytes_per_call, 1))))


def summarize(samples_us: List[float]) -> Dict[str, float]:
    """Median, 10th and 90th percentile of per-call times in microseconds."""
    ordered = sorted(samples_us)
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * (len(ordered) - 1) + 0.5))]  # noqa: E731
    return {"median_us": statistics.median(ordered), "p10_us": pick(0.1), "p90_us": pick(0.9)}


@functools.lru_cache(maxsize=None)
def _sleep_cycles_per_us() -> float:
    """Clock rate of ``torch.cuda._sleep``'s spin loop, measured once."""
    cycles = 10_000_000
    torch.cuda._sleep(cycles // 10)  # warm-up
    start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    start.record()
    torch.cuda._sleep(cycles)
    end.record()
    end.synchronize()
    return cycles / (start.elapsed_time(end) * 1e3)


def time_calls(call: Callable[[int], object], copies: int, graphs: bool, reps: int = 30, warmup: int = 3) -> Dict[str, float]:
    """Times ``call(i)`` (i cycling over the rotated copies); returns per-call median/p10/p90 in us of GPU time.

    With graphs one graph replays all copies once; ``reps`` replays run back to back, each timed (the events
    between them) and divided by the number of calls in it. Without graphs each call is bracketed by CUDA events.
    Either way the timed work is queued behind a GPU sleep longer than the host needs to queue it (all replays,
    or a pass over the copies): the events then measure the GPU's work, not how fast the host launches (as in a
    serving loop whose host runs ahead). That host cost is reported apart, as ``host_us``: the median wall time of
    one call while queuing (GPU not waited on), each of at least 32 calls timed alone — a median, so that one host
    stall among them (seen in harness runs: single points at 3x their neighbours' host time) is not charged to the
    implementation being timed.
    """
    for i in range(warmup * copies):
        call(i % copies)
    torch.cuda.synchronize()
    host_seconds = []
    for i in range(max(copies, 32)):
        call_start = time.perf_counter()
        call(i % copies)
        host_seconds.append(time.perf_counter() - call_start)
    host_us = statistics.median(host_seconds) * 1e6
    torch.cuda.synchronize()
    samples = []
    if graphs:
        stream = torch.cuda.Stream()
        stream.wait_stream(torch.cuda.current_stream())
        with torch.cuda.stream(stream):
            for i in range(copies):
                call(i)
        torch.cuda.current_stream().wait_stream(stream)
        graph = torch.cuda.CUDAGraph()
        with torch.cuda.graph(graph):
            for i in range(copies):
                call(i)
        graph.replay()
        torch.cuda.synchronize()
        # The replays queued back to back behind one GPU sleep, an event between each two: the GPU runs them as a
        # serving loop would (busy throughout), and no host time is timed. Recording the start event and replaying
        # straight after it (this harness before 2026-11-27) timed the host's cudaGraphLaunch as GPU work, split
        # over only 2 copies on the largest layers; a sleep before every replay read some small launches 10% slower on
        # some machines and not on others (benchmarks/NOTES.md item 47).
        replay_start = time.perf_counter()
        graph.replay()
        replay_host_us = (time.perf_counter() - replay_start) * 1e6
        torch.cuda.synchronize()
        torch.cuda._sleep(int((reps * max(2 * replay_host_us, 10) + 1000) * _sleep_cycles_per_us()))
        events = [torch.cuda.Event(enable_timing=True) for _ in range(reps + 1)]
        events[0].record()
        for end in events[1:]:
            graph.replay()
            end.record()
        events[-1].synchronize()
        samples = [start.elapsed_time(end) * 1e3 / copies for start, end in zip(events, events[1:])]
    else:
        # Queuing one pass (events included) with a wide margin for host jitter; the sleep itself is not timed.
        head_start_us = copies * max(5 * host_us, 100) + 1000  # a host stall of ~1 ms (seen) must not drain it
        for _ in range(reps):
            events = [(torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)) for _ in range(copies)]
            torch.cuda._sleep(int(head_start_us * _sleep_cycles_per_us()))
            for i, (start, end) in enumerate(events):
                start.record()
                call(i)
                end.record()
            torch.cuda.synchronize()
            samples += [start.elapsed_time(end) * 1e3 for start, end in events]
    return {**summarize(samples), "host_us": host_us}


def empty_kernel_us() -> float:
    """Time per launch of a one-element kernel replayed from a CUDA graph: the floor under any kernel's time."""
    one = torch.zeros(1, device="cuda")
    return time_calls(lambda i: one.add_(1.0), copies=64, graphs=True, reps=20)["median_us"]


def copy_bandwidth_gbps(nbytes: int = 1 << 30) -> float:
    """Device-to-device copy rate, counting bytes read plus bytes written."""
    src = torch.randn(nbytes // 4, device="cuda")
    dst = torch.empty_like(src)
    result = time_calls(lambda i: dst.copy_(src), 1, graphs=False, reps=20)
    return 2 * nbytes / (result["median_us"] * 1e-6) / 1e9


def read_bandwidth_gbps(nbytes: int = 1 << 30) -> float:
    """Read-only rate: a sum over ``nbytes`` (>= 1 GB by default) of random fp32, counting the bytes read."""
    src = torch.randn(nbytes // 4, device="cuda")
    result = time_calls(lambda i: src.sum(), 1, graphs=False, reps=20)
    return nbytes / (result["median_us"] * 1e-6) / 1e9


def bf16_tflops(shapes=((8192, 8192, 8192), (4096, 4096, 8192), (8192, 4096, 4096))) -> float:
    """bf16 matrix-product rate on random data: the best median over a few (M, N, K) products. One 8192-cube alone
    can read ~15% low (clocks drop under its power draw: an H100 run gave 691 TFLOP/s while the harness's own
    cuBLAS points reached ~795), which would put compute-bound points above 100% of their roof."""
    best = 0.0
    for m, n, k in shapes:
        a = torch.randn(m, k, device="cuda", dtype=torch.bfloat16)
        b = torch.randn(k, n, device="cuda", dtype=torch.bfloat16)
        result = time_calls(lambda i: a @ b, 1, graphs=False, reps=10)
        best = max(best, 2 * m * n * k / (result["median_us"] * 1e-6) / 1e12)
    return best
