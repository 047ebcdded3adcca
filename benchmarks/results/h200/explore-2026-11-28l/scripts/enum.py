import sys, json, torch
sys.path.insert(0, "/tmp/oldk")
import importlib
import fp8blk.kernels  # noqa
new = sys.modules["fp8blk.kernels.fp8_block_matmul"]
old = importlib.import_module("kernels_old.fp8_block_matmul")
from fp8blk.bench.shapes import DEFAULT_MS, load_shapes
for km in (new, old):
    km._device_facts = lambda d: ("NVIDIA H200", 132, (9, 0), 232448)
    km._dram_gbps = lambda d: 4814.0
dev = torch.device("cuda", 0)
sets = {}
for model in ("deepseek-v4-flash", "deepseek-v4-pro", "deepseek-v3"):
    sets[model] = [(s.n, s.k, s.groups) for s in load_shapes(model)]
un = json.load(open("/work/main/.gpu/unseen_shapes.json"))
sets["unseen"] = [(l["N"], l["K"], int(l.get("groups", 1))) for mdl in un["models"].values() for l in mdl["layers"]]
changed = []
for name, shapes in sets.items():
    c = 0
    for (n, k, g) in dict.fromkeys(shapes):
        for m in DEFAULT_MS:
            a = new.launch_config(m, n, k, dev, groups=g); b = old.launch_config(m, n, k, dev, groups=g)
            if repr(a) != repr(b):
                c += 1; changed.append(((n, k, m), repr(b), name))
                print(name, n, k, g, m, "\n   old", b, "\n   new", a)
    print(name, "changed", c, "of", len(set(shapes)) * len(DEFAULT_MS))
json.dump(changed, open("/tmp/changed.json", "w"))
print(DEFAULT_MS)
