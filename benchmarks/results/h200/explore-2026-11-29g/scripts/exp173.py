"""exp173: where a decoder layer's M = 1 graph spends its time above the floor (plan item 1 after v72). For V4-Flash and
V4-Pro, rule v72: the whole layer graph and the layer graph without each launch (its share of the chain: whole minus
without), three alternating rounds (min); floors as the harness counts them (bytes / 4.3 TB/s). Each launch alone is
the harness's per-layer time (`core-2026-11-29-v72/`, weights rotated over > 2x L2)."""
import sys

import torch
from fp8blk.bench.layer_graph import floor_us, layer_launches, measure
from fp8blk.bench.shapes import load_shapes

l2 = torch.cuda.get_device_properties(0).L2_cache_size


def graph_us(model, shapes):
    return measure(model, shapes, 4300.0, 775.0, l2, impls=("fp8blk",), ms=(1,), log=lambda *a: None)[0]["median_us"]


for model in ("deepseek-v4-flash", "deepseek-v4-pro"):
    shapes = load_shapes(model)
    launches = layer_launches(shapes)
    names = ["+".join(launch.layers) for launch in launches]
    whole, without = [], {}
    for _ in range(3):
        whole.append(graph_us(model, shapes))
        for launch, name in zip(launches, names):
            rest = [s for s in shapes if s.layer not in launch.layers]
            without.setdefault(name, []).append(graph_us(model, rest))
    total = min(whole)
    print(f"{model} M=1: layer graph {total:.1f} us, floor {floor_us(launches, 1, 4300.0, 775.0):.1f}", flush=True)
    for launch, name in zip(launches, names):
        floor = floor_us([launch], 1, 4300.0, 775.0)
        share = total - min(without[name])
        print(f"  {name:44s} N {launch.n * launch.groups:6d} K {launch.k:5d}: floor {floor:5.2f} | share of the "
              f"chain {share:5.2f} us", flush=True)
    sys.stdout.flush()
