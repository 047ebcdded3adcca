"""exp179: the split-K tail change (installed: the counter reset relaxed; the partials loaded several at a time, at
most 8192 values in flight) against v72 (the installed ``_write_output`` with both reverted) and the reset alone
(exp177's "relaxed"). exp178: the last program's sum of the partials ran as a loop, one round trip a partial (4.75 us
for 16 partials of 8 KB). Module copies of the decode and tile kernels swapped into the launcher in process; bitwise
the same output. (First run: all partials' loads unrolled at once -- registers 96 -> 130 on the tile kernel's 64 x 64
split builds; this run: PARTS at a time.)

Per point (CUDA graphs of 4 calls on rotated weights, median of 20 replays; variants alternated, 2 rounds, min) and
in the decoder-layer graphs (as the harness builds them)."""
import importlib.util
import os
import statistics
import sys
import tempfile

import torch
import fp8blk.kernels  # noqa: F401
from fp8blk.bench.inputs import random_fp8_weight, float64_reference
from fp8blk.bench.layer_graph import measure
from fp8blk.bench.shapes import load_shapes

km = sys.modules["fp8blk.kernels.fp8_block_matmul"]
ops = sys.modules["fp8blk.kernels.fp8_tile_ops"]
tile = sys.modules["fp8blk.kernels.fp8_tile"]
dec = sys.modules["fp8blk.kernels.fp8_decode"]
DIR = tempfile.mkdtemp()
sys.path.insert(0, DIR)

RESET = 'tl.atomic_xchg(counter_ptr + tile_id, 0, sem="relaxed")'
START = "            # PARTS partials loaded at once"
END = 'other=0.0, cache_modifier=".cg")\n'
V72_LOOP = """            for s_idx in range(SPLIT_K):
                total += tl.load(part_ptrs + s_idx * M * N, mask=y_mask, other=0.0, cache_modifier=".cg")
"""


def variant_modules(name):
    src = open(ops.__file__).read()
    assert RESET in src and START in src
    if name in ("v72", "relaxed"):
        start = src.index(START)
        end = src.index(END, start) + len(END)
        src = src[:start] + V72_LOOP + src[end:]
    if name == "v72":
        src = src.replace(RESET, "tl.atomic_xchg(counter_ptr + tile_id, 0)")
    mods = {}
    for base, text in (("ops", src), ("tile", open(tile.__file__).read()), ("dec", open(dec.__file__).read())):
        text = text.replace("from .fp8_tile_ops import", f"from v_{name}_ops import")
        path = os.path.join(DIR, f"v_{name}_{base}.py")
        open(path, "w").write(text)
    for base in ("ops", "tile", "dec"):
        spec = importlib.util.spec_from_file_location(f"v_{name}_{base}", os.path.join(DIR, f"v_{name}_{base}.py"))
        mod = importlib.util.module_from_spec(spec)
        sys.modules[f"v_{name}_{base}"] = mod
        spec.loader.exec_module(mod)
        mods[base] = mod
    return mods["tile"]._fp8_block_matmul_kernel, mods["dec"]._fp8_decode_kernel


VARIANTS = {name: variant_modules(name) for name in ("v72", "relaxed", "new")}


def use(name):
    km._fp8_block_matmul_kernel, km._fp8_decode_kernel = VARIANTS[name]
    km._launch_plan.cache_clear()


POINTS = [(4096, 2048, m) for m in (4, 16, 32, 64)] + [(1024, 4096, m) for m in (2, 8, 32, 64, 128)] + \
         [(2048, 4096, m) for m in (4, 16, 64, 128, 256)] + [(4096, 8192, m) for m in (4, 16, 64)] + \
         [(512, 4096, m) for m in (2, 16, 64, 96)] + [(512, 7168, m) for m in (2, 8, 16, 32, 48, 96, 256)] + \
         [(1536, 7168, m) for m in (4, 16, 32, 64, 128)] + [(7168, 16384, 16), (3072, 7168, 8), (3072, 7168, 32),
                                                            (576, 7168, 32), (2880, 2880, 64), (2880, 2880, 8),
                                                            (24576, 1536, 8), (8192, 1024, 32), (7168, 2048, 64),
                                                            (1024, 5120, 16), (6144, 5120, 4), (2048, 7168, 16)]


def time_point(n, k, m, copies=4, reps=20):
    weights = [random_fp8_weight(n, k) for _ in range(copies)]
    x = torch.randn(m, k, device="cuda", dtype=torch.bfloat16)
    outs = [torch.empty(m, n, device="cuda", dtype=torch.bfloat16) for _ in range(copies)]
    results = {}
    bits = {}
    for rnd in range(2):
        for name in VARIANTS:
            use(name)
            for i in range(copies):
                km.fp8_block_matmul(x, *weights[i], out=outs[i])
            torch.cuda.synchronize()
            bits.setdefault(name, outs[0].clone())
            graph = torch.cuda.CUDAGraph()
            stream = torch.cuda.Stream()
            stream.wait_stream(torch.cuda.current_stream())
            with torch.cuda.stream(stream):
                with torch.cuda.graph(graph, stream=stream):
                    for i in range(copies):
                        km.fp8_block_matmul(x, *weights[i], out=outs[i])
            torch.cuda.synchronize()
            times = []
            for _ in range(reps):
                start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
                start.record()
                graph.replay()
                end.record()
                torch.cuda.synchronize()
                times.append(start.elapsed_time(end) * 1000 / copies)
            results.setdefault(name, []).append(statistics.median(times))
    ref = float64_reference(x, *weights[0])
    err = ((bits["v72"].double() - ref).norm() / ref.norm()).item()
    same = all(torch.equal(bits["v72"], b) for b in bits.values())
    use("new")
    cfg = km.launch_config(m, n, k, "cuda")
    split = getattr(cfg, "split_k", 1)
    base = min(results["v72"])
    print(f"{n}x{k} M={m} {type(cfg).__name__[:6]} split {split}: " +
          " | ".join(f"{name} {min(v):6.2f} (x{base / min(v):.3f})" for name, v in results.items()) +
          f"  bitwise {same} err {err:.2e}", flush=True)


if __name__ == "__main__":
    print(torch.cuda.get_device_name(), torch.__version__, flush=True)
    for point in POINTS:
        try:
            time_point(*point)
        except Exception as e:  # noqa: BLE001
            print(point, "FAILED", type(e).__name__, e, flush=True)
    l2 = torch.cuda.get_device_properties(0).L2_cache_size
    unseen = sys.argv[1] if len(sys.argv) > 1 else None
    for model, path in (("deepseek-v4-flash", None), ("deepseek-v4-pro", None), ("deepseek-v3", None),
                        ("unseen-mix", unseen)):
        shapes = load_shapes(model, path)
        times = {}
        for _ in range(2):
            for name in VARIANTS:
                use(name)
                for r in measure(model, shapes, 4300.0, 775.0, l2, impls=("fp8blk",), ms=(1, 4, 16, 32, 64, 128),
                                 log=lambda *a: None):
                    times.setdefault((name, r["M"]), []).append(r["median_us"])
        for m in (1, 4, 16, 32, 64, 128):
            base = min(times[("v72", m)])
            print(f"{model} layer graph M={m}: " + " | ".join(
                f"{name} {min(times[(name, m)]):.1f} (x{base / min(times[(name, m)]):.3f})" for name in VARIANTS),
                flush=True)
