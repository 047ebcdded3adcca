import sys, json
sys.path.insert(0, "/work/main")
from benchmarks.shapes import load_shapes
from fp8blk.kernels.fp8_tile import default_config
cfgs = set()
for model in ("deepseek-v4-flash", "deepseek-v4-pro", "deepseek-v3"):
    for L in load_shapes(model):
        for m in (33, 48, 64, 96, 128, 192, 256, 384, 512):
            for tma in (True, False):
                c = default_config(m, L.n, L.k, L.groups, 128, 132, tma=tma, shared_memory=227 * 1024)
                if not c.expand_weight:
                    cfgs.add(tuple(c))
print(json.dumps(sorted(cfgs)))
