"""exp101: the library with the serving kernel (rule v50) against the same build with it off (v49's launches), cuBLAS
beside: fp8_block_matmul and the bound call (host us), CUDA graphs, weights rotated; points where v50 changes the
launch, from exp100's layers and layers no experiment timed."""
import json
import os
import statistics
import sys
import time

import torch
import torch.nn.functional as F
from fp8blk.bench.inputs import random_fp8_weight, float64_reference
from fp8blk.bench.timing import time_calls
import fp8blk.kernels  # noqa: F401
km = sys.modules["fp8blk.kernels.fp8_block_matmul"]

dev = torch.device("cuda", 0)
l2 = torch.cuda.get_device_properties(0).L2_cache_size
POINTS = [(7168, 16384, (256, 512)), (18432, 7168, (256, 512)), (65536, 1536, (96, 192, 512)),
          (7168, 3072, (256, 512)), (4096, 8192, (384, 512)), (8192, 1536, (192, 512)), (3072, 7168, (512, )),
          (32768, 1024, (96, 128, 256, 512)), (8192, 1024, (192, 256, 512)), (4096, 2048, (384, 512)),
          # never timed: DeepSeek-V3 / other layers
          (24576, 1536, (128, 256, 512)), (7168, 18432, (256, 512)), (32768, 512, (96, 128, 256, 512)),
          (7168, 2048, (256, 512)), (16384, 2048, (128, 256)), (3584, 7168, (512, )), (10240, 5120, (448, ))]


def host_us(fn, x, calls=100):
    torch.cuda._sleep(int(1e8))
    samples = []
    for _ in range(calls):
        t = time.perf_counter()
        fn(x)
        samples.append(time.perf_counter() - t)
    torch.cuda.synchronize()
    return statistics.median(samples) * 1e6


def set_serving(on):
    km._SERVING_ALLOWED = on
    km._launch_plan.cache_clear()
    km.choose_config.cache_clear()


records = []
for n, k, ms in POINTS:
    copies = max(2, -(-2 * l2 // (n * k)))
    ws = [random_fp8_weight(n, k) for _ in range(copies)]
    w0, s0 = ws[0]
    dense = (w0.float() * s0.repeat_interleave(128, 0)[:n].repeat_interleave(128, 1)[:, :k]).to(torch.bfloat16)
    for m in ms:
        set_serving(True)
        cfg = km.launch_config(m, n, k, dev)
        if not cfg.warp_specialized:
            print(f"{n}x{k} M={m}: v50 keeps {tuple(cfg)}", flush=True)
            continue
        xs = [torch.randn(m, k, device="cuda").to(torch.bfloat16) for _ in range(copies)]
        ref = float64_reference(xs[0], w0, s0)
        y_new = km.fp8_block_matmul(xs[0], w0, s0)
        set_serving(False)
        old_cfg = km.launch_config(m, n, k, dev)
        y_old = km.fp8_block_matmul(xs[0], w0, s0)
        err = {name: ((y.double() - ref).norm() / ref.norm()).item() for name, y in (("new", y_new), ("old", y_old))}
        times = {}
        for _ in range(3):
            for name, on in (("old", False), ("new", True)):
                set_serving(on)
                km.fp8_block_matmul(xs[0], w0, s0)
                times.setdefault(name, []).append(
                    time_calls(lambda i: km.fp8_block_matmul(xs[i], *ws[i]), copies, graphs=True)["median_us"])
            times.setdefault("cublas", []).append(
                time_calls(lambda i: F.linear(xs[i], dense), copies, graphs=True)["median_us"])
        hosts = {}
        for name, on in (("old", False), ("new", True)):
            set_serving(on)
            km.fp8_block_matmul(xs[0], w0, s0)
            bound = km.bind_call(xs[0], w0, s0)
            hosts[name] = host_us(bound, xs[0]) if bound is not None else None
        hosts["F.linear"] = host_us(lambda x: F.linear(x, dense), xs[0])
        best = {key: min(v) for key, v in times.items()}
        rec = dict(n=n, k=k, m=m, new=tuple(cfg), old=tuple(old_cfg), times=times, err=err, host=hosts,
                   bitwise_twin=None)
        records.append(rec)
        assert not old_cfg.warp_specialized
        print(f"{n}x{k} M={m} old {old_cfg.block_n}x{old_cfg.block_m}s{old_cfg.split_k}w{old_cfg.num_warps}"
              f"{'sx' if old_cfg.split_x else ''}: old {best['old']:.1f} new {best['new']:.1f} cuBLAS {best['cublas']:.1f}"
              f" us | x{best['old'] / best['new']:.3f} old, {best['cublas'] / best['new']:.3f} cuBLAS (old "
              f"{best['cublas'] / best['old']:.3f}) | err {err['new']:.1e}/{err['old']:.1e} | host "
              + " ".join(f"{key} {v:.1f}" if v else f"{key} -" for key, v in hosts.items()), flush=True)
        json.dump(records, open(os.path.join(os.environ.get("OUT", "/tmp"), "exp101.json"), "w"), indent=1)
    ws = xs = dense = None
    torch.cuda.empty_cache()
speed = [min(r["times"]["old"]) / min(r["times"]["new"]) for r in records]
cub = [min(r["times"]["cublas"]) / min(r["times"]["new"]) for r in records]
print(f"points {len(records)}: new/old speed geomean {statistics.geometric_mean(speed):.3f} (min {min(speed):.3f} "
      f"max {max(speed):.3f}); vs cuBLAS {statistics.geometric_mean(cub):.3f} (min {min(cub):.3f} max {max(cub):.3f})")
