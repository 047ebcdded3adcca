"""exp97: split x in one launch (the launch's programs split x's rows, wait until all are written, then run the tile
loop) against v48's two launches (the split kernel, then the tile kernel), same rule config: GPU time in CUDA graphs
(three alternating rounds, weights rotated over > 2x L2), host time per eager call (bound call, as Fp8BlockLinear
makes it; and the wrapper), outputs bitwise."""
import importlib
import json
import os
import statistics
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__))))
old = importlib.import_module("oldk.fp8_block_matmul")  # v48's kernels (d4abfb0), vendored as their own package
from fp8blk.bench.inputs import random_fp8_weight, float64_reference
from fp8blk.bench.timing import time_calls
new = importlib.import_module("fp8blk.kernels.fp8_block_matmul")

l2 = torch.cuda.get_device_properties(0).L2_cache_size
dev = torch.device("cuda", 0)
POINTS = [(4096, 8192, (64, 128, 256, 512)), (2048, 4096, (128, 256, 512)), (4096, 2048, (64, 128, 256, 512)),
          (8192, 1024, (48, 128, 256)), (7168, 16384, (128, 256, 512)), (3072, 7168, (128, 256, 512)),
          (7168, 3072, (64, 128, 256, 512)), (8192, 1536, (64, 128, 256)), (65536, 1536, (64,)),
          (5120, 5120, (96, 192, 384)), (6144, 2048, (80, 160, 320)), (14336, 4096, (112, 224, 448))]  # last 3 unseen


def host_us(fn, x, calls=200):
    torch.cuda._sleep(int(2e8))  # the GPU busy: the host queues, as a serving loop that runs ahead
    samples = []
    for _ in range(calls):
        t = time.perf_counter()
        fn(x)
        samples.append(time.perf_counter() - t)
    torch.cuda.synchronize()
    return statistics.median(samples) * 1e6


records = []
for n, k, ms in POINTS:
    copies = max(2, -(-2 * l2 // (n * k)))
    ws = [random_fp8_weight(n, k) for _ in range(copies)]
    for m in ms:
        cfg_new = new.launch_config(m, n, k, dev)
        cfg_old = old.launch_config(m, n, k, dev)
        xs = [torch.randn(m, k, device="cuda").to(torch.bfloat16) for _ in range(copies)]
        if not cfg_new.split_x:
            print(f"{n}x{k} M={m}: rule takes {cfg_new} (no split x)", flush=True)
            continue
        assert cfg_new == cfg_old, (cfg_new, cfg_old)
        y_new = new.fp8_block_matmul(xs[0], *ws[0])
        y_old = old.fp8_block_matmul(xs[0], *ws[0])
        ref = float64_reference(xs[0], *ws[0])
        err = ((y_new.double() - ref).norm() / ref.norm()).item()
        same = torch.equal(y_new, y_old)
        times = {"old": [], "new": []}
        for _ in range(3):
            for name, mod in (("old", old), ("new", new)):
                times[name].append(time_calls(lambda i, mod=mod: mod.fp8_block_matmul(xs[i], *ws[i]), copies,
                                              graphs=True)["median_us"])
        b_new = new.bind_call(xs[0], *ws[0]); b_old = old.bind_call(xs[0], *ws[0])
        w0 = ws[0]
        dense = (w0[0].float() * w0[1].repeat_interleave(128, 0)[:n].repeat_interleave(128, 1)[:, :k]).to(torch.bfloat16)
        hosts = {}
        for _ in range(3):
            for name, fn in (("bound_old", b_old), ("bound_new", b_new), ("F.linear", lambda x: F.linear(x, dense)),
                             ("wrapper_old", lambda x: old.fp8_block_matmul(x, *w0)),
                             ("wrapper_new", lambda x: new.fp8_block_matmul(x, *w0))):
                if fn is not None:
                    hosts.setdefault(name, []).append(host_us(fn, xs[0]))
        hosts = {key: min(v) for key, v in hosts.items()}
        a, b = min(times["old"]), min(times["new"])
        rec = dict(n=n, k=k, m=m, cfg=tuple(cfg_new), old_us=times["old"], new_us=times["new"], bitwise=same,
                   rel_err=err, host=hosts)
        records.append(rec)
        print(f"{n}x{k} M={m} {cfg_new.block_n}x{cfg_new.block_m} s{cfg_new.split_k} st{cfg_new.num_stages}: GPU "
              f"old {a:.1f} new {b:.1f} us (x{a / b:.3f}) bitwise {same} err {err:.1e} | host us "
              + " ".join(f"{key} {v:.1f}" for key, v in hosts.items()), flush=True)
        json.dump(records, open(os.path.join(os.environ.get("OUT", "/tmp"), "exp97.json"), "w"), indent=1)
    ws = xs = None
    torch.cuda.empty_cache()
speed = [min(r["old_us"]) / min(r["new_us"]) for r in records]
print(f"points {len(records)}; GPU speed new/old geomean {statistics.geometric_mean(speed):.3f} "
      f"min {min(speed):.3f} max {max(speed):.3f}; bitwise {sum(r['bitwise'] for r in records)}/{len(records)}")
ratio = [r["host"]["bound_new"] / r["host"]["F.linear"] for r in records]
print(f"host bound_new / F.linear median {statistics.median(ratio):.2f} max {max(ratio):.2f}; "
      f"old {statistics.median([r['host']['bound_old'] / r['host']['F.linear'] for r in records]):.2f}")
