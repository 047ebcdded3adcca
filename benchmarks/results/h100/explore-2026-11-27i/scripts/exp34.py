"""exp34: graph timing with and without a GPU head start before each replay (the harness's time_calls).

Old: start.record(); graph.replay(); end.record() -- the host's graph launch falls between the events.
New (benchmarks/timing.py now): each replay queued behind a GPU sleep. Same inputs, same graphs, alternating.
"""

import torch

from fp8blk.bench import layer_graph, timing
from fp8blk.bench.harness import point_inputs
from fp8blk.bench.impls import MarlinFactory, make_cublas_bf16, make_fp8blk
from fp8blk.bench.shapes import load_shapes
from fp8blk.bench.timing import read_bandwidth_gbps, bf16_tflops


def old_graph_time(call, copies, graphs=True, reps=30, warmup=3):
    for i in range(warmup * copies):
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
    samples = []
    for _ in range(reps):
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        graph.replay()
        end.record()
        end.synchronize()
        samples.append(start.elapsed_time(end) * 1e3 / copies)
    return timing.summarize(samples)


new_graph_time = timing.time_calls
l2 = torch.cuda.get_device_properties(0).L2_cache_size
marlin = MarlinFactory()
makers = {"fp8blk": make_fp8blk, "cublas": make_cublas_bf16, "marlin": marlin}
points = [(7168, 16384, 1), (65536, 1536, 1), (18432, 7168, 1), (4096, 8192, 1), (32768, 1024, 1), (2048, 4096, 1),
          (1024, 4096, 16), (7168, 16384, 16), (4096, 8192, 64)]
read = read_bandwidth_gbps()
print(f"read {read:.0f} GB/s")
for n, k, m in points:
    inputs = point_inputs(n, k, m, l2, 0)
    weights, scales, xs, _, copies = inputs
    row = f"{n:>5}x{k:<5} M={m:<3} copies={copies:<2}"
    for name, maker in makers.items():
        call = maker(weights, scales, xs)
        olds, news = [], []
        for _ in range(2):
            olds.append(old_graph_time(call, copies)["median_us"])
            news.append(new_graph_time(call, copies, graphs=True)["median_us"])
        row += f" | {name} old {min(olds):6.1f} new {min(news):6.1f}"
        if name == "fp8blk":
            floor = (n * k + m * k * 2) / read / 1e3
            row += f" ({floor / min(olds):.0%} -> {floor / min(news):.0%} BW)"
    print(row, flush=True)
    del inputs, weights, scales, xs, call
    torch.cuda.empty_cache()

bf16 = bf16_tflops()
for model in ("deepseek-v4-flash", "deepseek-v4-pro"):
    shapes = load_shapes(model)
    for label, fn in (("old", old_graph_time), ("new", new_graph_time), ("old", old_graph_time), ("new", new_graph_time)):
        layer_graph.time_calls = fn
        recs = layer_graph.measure(model, shapes, read, bf16, l2, ms=(1, 16, 64, 128, 256), marlin=marlin)
        print(model, label, " ".join(f"M={r['M']} {r['impl']} {r['median_us']:.1f}" for r in recs
                                     if r.get("median_us")), " floor M=1 %.1f" % recs[0]["floor_us"], flush=True)
