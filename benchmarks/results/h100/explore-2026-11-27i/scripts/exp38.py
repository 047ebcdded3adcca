"""exp38: three graph-timing methods on the same graphs, alternating, 3 rounds (min per method):
start event then replay (harness before today), a sleep before each replay (harness 11b6e19), and all replays back to
back behind one sleep with an event between each two (benchmarks/timing.py now)."""
import torch

from fp8blk.bench import timing
from fp8blk.bench.harness import point_inputs
from fp8blk.bench.impls import MarlinFactory, make_cublas_bf16, make_fp8blk

cyc = timing._sleep_cycles_per_us()


def build(call, copies):
    for i in range(3 * copies):
        call(i % copies)
    torch.cuda.synchronize()
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
    return graph


def each(graph, copies, sleep, reps=30):
    samples = []
    for _ in range(reps):
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        if sleep:
            torch.cuda._sleep(int(1500 * cyc))
        start.record()
        graph.replay()
        end.record()
        end.synchronize()
        samples.append(start.elapsed_time(end) * 1e3 / copies)
    return timing.summarize(samples)["median_us"]


def b2b(graph, copies, reps=30):
    torch.cuda._sleep(int((reps * 300 + 1000) * cyc))
    events = [torch.cuda.Event(enable_timing=True) for _ in range(reps + 1)]
    events[0].record()
    for e in events[1:]:
        graph.replay()
        e.record()
    events[-1].synchronize()
    return timing.summarize([a.elapsed_time(b) * 1e3 / copies for a, b in zip(events, events[1:])])["median_us"]


l2 = torch.cuda.get_device_properties(0).L2_cache_size
marlin = MarlinFactory()
for n, k, m in [(512, 4096, 1), (1024, 4096, 1), (2048, 4096, 1), (512, 4096, 16), (7168, 16384, 1), (65536, 1536, 1),
                (4096, 8192, 64)]:
    weights, scales, xs, _, copies = point_inputs(n, k, m, l2, 0)
    row = f"{n:>5}x{k:<5} M={m:<3} copies={copies:<2}"
    for name, maker in (("fp8blk", make_fp8blk), ("cublas", make_cublas_bf16), ("marlin", marlin)):
        graph = build(maker(weights, scales, xs), copies)
        t = {}
        for _ in range(3):
            t.setdefault("none", []).append(each(graph, copies, False))
            t.setdefault("sleep", []).append(each(graph, copies, True))
            t.setdefault("b2b", []).append(b2b(graph, copies))
        row += f" | {name} " + " ".join(f"{label} {min(v):.2f}" for label, v in t.items())
    print(row, flush=True)
    del graph, weights, scales, xs
    torch.cuda.empty_cache()
