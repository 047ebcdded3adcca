"""exp36: why a small decode launch reads ~12% slower when each graph replay is queued behind a GPU sleep.

Per point, per-call µs from one graph of `copies` calls, with the replay queued behind: nothing (old harness), a 2 ms
one-thread sleep (new harness), a 0.2 ms sleep, a 2 ms sleep then ~30 µs of all-SM work (a 96 MB copy), and that
copy alone. Alternating, 3 rounds, min per variant.
"""
import torch

from fp8blk.bench import timing
from fp8blk.bench.harness import point_inputs
from fp8blk.bench.impls import make_cublas_bf16, make_fp8blk

src = torch.empty(48 << 20, dtype=torch.int16, device="cuda")
dst = torch.empty_like(src)
cyc = timing._sleep_cycles_per_us()
heads = {
    "none": lambda: None,
    "sleep2ms": lambda: torch.cuda._sleep(int(2000 * cyc)),
    "sleep0.2ms": lambda: torch.cuda._sleep(int(200 * cyc)),
    "sleep2ms+copy": lambda: (torch.cuda._sleep(int(2000 * cyc)), dst.copy_(src)),
    "copy": lambda: dst.copy_(src),
}


def graph_time(call, calls, head, reps=30):
    for i in range(3 * calls):
        call(i % calls)
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
    samples = []
    for _ in range(reps):
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        head()
        start.record()
        graph.replay()
        end.record()
        end.synchronize()
        samples.append(start.elapsed_time(end) * 1e3 / calls)
    return timing.summarize(samples)["median_us"]


l2 = torch.cuda.get_device_properties(0).L2_cache_size
for n, k, m in [(512, 4096, 1), (512, 4096, 2), (1024, 4096, 1), (512, 7168, 1), (512, 4096, 16), (2048, 4096, 1)]:
    weights, scales, xs, _, copies = point_inputs(n, k, m, l2, 0)
    row = f"{n:>5}x{k:<5} M={m:<3} copies={copies:<2}"
    for name, maker in (("fp8blk", make_fp8blk), ("cublas", make_cublas_bf16)):
        call = maker(weights, scales, xs)
        t = {}
        for _ in range(3):
            for label, head in heads.items():
                t.setdefault(label, []).append(graph_time(call, copies, head))
        row += f" | {name} " + " ".join(f"{label} {min(v):.2f}" for label, v in t.items())
    print(row, flush=True)
