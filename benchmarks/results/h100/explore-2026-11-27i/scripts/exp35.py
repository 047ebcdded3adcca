"""exp35: is there a per-replay cost in the harness's graph timing (new: head start before each replay)?

Per point: per-call µs from a graph of `copies` calls (as the harness) and from a graph of 4 x copies calls (the
same rotation four times), by the old method (start event, then replay) and the new (sleep, start event, replay).
A fixed cost per replay shows as (R=1) - (R=4) = 0.75 x cost / copies.
"""
import torch

from fp8blk.bench import timing
from fp8blk.bench.harness import point_inputs
from fp8blk.bench.impls import MarlinFactory, make_cublas_bf16, make_fp8blk


def graph_time(call, calls, head_start, reps=30):
    for i in range(3 * calls):
        call(i)
    torch.cuda.synchronize()
    stream = torch.cuda.Stream()
    stream.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(stream):
        for i in range(calls):
            call(i)
    torch.cuda.current_stream().wait_stream(stream)
    graph = torch.cuda.CUDAGraph()
    with torch.cuda.graph(graph):
        for i in range(calls):
            call(i)
    graph.replay()
    torch.cuda.synchronize()
    cycles = int(2000 * timing._sleep_cycles_per_us())
    samples = []
    for _ in range(reps):
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        if head_start:
            torch.cuda._sleep(cycles)
        start.record()
        graph.replay()
        end.record()
        end.synchronize()
        samples.append(start.elapsed_time(end) * 1e3 / calls)
    return timing.summarize(samples)["median_us"]


l2 = torch.cuda.get_device_properties(0).L2_cache_size
marlin = MarlinFactory()
makers = {"fp8blk": make_fp8blk, "cublas": make_cublas_bf16, "marlin": marlin}
for n, k, m in [(512, 4096, 1), (1024, 4096, 1), (512, 4096, 48), (2048, 4096, 16), (7168, 16384, 1), (4096, 8192, 16)]:
    weights, scales, xs, _, copies = point_inputs(n, k, m, l2, 0)
    row = f"{n:>5}x{k:<5} M={m:<3} copies={copies:<2}"
    for name, maker in makers.items():
        call = maker(weights, scales, xs)
        wrapped = lambda i, call=call: call(i % copies)  # noqa: E731
        t = {}
        for rnd in range(2):
            for head in (False, True):
                for r in (1, 4):
                    t.setdefault((head, r), []).append(graph_time(wrapped, r * copies, head))
        f = {key: min(v) for key, v in t.items()}
        row += (f" | {name} old {f[(False, 1)]:.2f}/{f[(False, 4)]:.2f} new {f[(True, 1)]:.2f}/{f[(True, 4)]:.2f}")
    print(row, flush=True)
    torch.cuda.empty_cache()
