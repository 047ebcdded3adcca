"""exp103: the serving kernel's 64-row build through the library (rule v51): bitwise its tile-kernel twin (128 x 64
split x, unsplit), repeatable, rel. err; GPU time with the serving kernel on and off (CUDA graphs, weights rotated)."""
import json
import os
import statistics
import sys

import torch
import torch.nn.functional as F
from fp8blk.bench.inputs import random_fp8_weight, float64_reference
from fp8blk.bench.timing import time_calls
import fp8blk.kernels  # noqa: F401
from fp8blk.kernels import KernelConfig
km = sys.modules["fp8blk.kernels.fp8_block_matmul"]
dev = torch.device("cuda", 0)
l2 = torch.cuda.get_device_properties(0).L2_cache_size
TWIN = KernelConfig(128, 64, 128, 1, 4, 3, tma=True, split_x=True)
SERVING_64 = KernelConfig(128, 64, 128, 1, 4, 3, tma=True, split_x=True, warp_specialized=True)


def set_serving(on):
    km._SERVING_ALLOWED = on
    km._launch_plan.cache_clear()
    km.choose_config.cache_clear()


# forced on ragged shapes with bias and UE8M0 / bf16 scales: bitwise the twin
for m, n, k, sd in ((100, 3000, 1040, torch.float8_e8m0fnu), (70, 1000, 4096, torch.bfloat16)):
    w, s = random_fp8_weight(n, k)
    s = s.to(sd)
    x = torch.randn(m, k, device="cuda").to(torch.bfloat16)
    b = torch.randn(n, device="cuda").to(torch.bfloat16)
    y = km.fp8_block_matmul(x, w, s, b, config=SERVING_64)
    twin = km.fp8_block_matmul(x, w, s, b, config=TWIN)
    rep = all(torch.equal(y, km.fp8_block_matmul(x, w, s, b, config=SERVING_64)) for _ in range(10))
    ref = float64_reference(x, w, s.float()) + b.double()
    err = ((y.double() - ref).norm() / ref.norm()).item()
    print(f"forced 64-row {n}x{k} M={m} {sd}: bitwise twin {torch.equal(y, twin)} repeat {rep} err {err:.2e}", flush=True)

records = []
for n, k, m in ((4096, 8192, 256), (2048, 4096, 512), (8192, 1536, 128), (5120, 5120, 192), (7168, 16384, 128),
                (4096, 2048, 256), (8192, 1024, 128)):
    copies = max(2, -(-2 * l2 // (n * k)))
    ws = [random_fp8_weight(n, k) for _ in range(copies)]
    xs = [torch.randn(m, k, device="cuda").to(torch.bfloat16) for _ in range(copies)]
    set_serving(True)
    cfg = km.launch_config(m, n, k, dev)
    y = km.fp8_block_matmul(xs[0], *ws[0])
    twin = km.fp8_block_matmul(xs[0], *ws[0], config=TWIN)
    ref = float64_reference(xs[0], *ws[0])
    err = ((y.double() - ref).norm() / ref.norm()).item()
    times = {}
    for _ in range(2):
        for name, on in (("off", False), ("on", True)):
            set_serving(on)
            km.fp8_block_matmul(xs[0], *ws[0])
            times.setdefault(name, []).append(
                time_calls(lambda i: km.fp8_block_matmul(xs[i], *ws[i]), copies, graphs=True)["median_us"])
    off_cfg = km.launch_config(m, n, k, dev)
    a, b = min(times["off"]), min(times["on"])
    records.append(dict(n=n, k=k, m=m, cfg=tuple(cfg), off=tuple(off_cfg), times=times, err=err,
                        bitwise_twin=torch.equal(y, twin)))
    print(f"{n}x{k} M={m} on {cfg.block_n}x{cfg.block_m} ws={cfg.warp_specialized} | off {off_cfg.block_n}x"
          f"{off_cfg.block_m}w{off_cfg.num_warps}s{off_cfg.split_k}: off {a:.1f} on {b:.1f} us x{a / b:.3f} | "
          f"bitwise twin {torch.equal(y, twin)} err {err:.1e}", flush=True)
    json.dump(records, open(os.path.join(os.environ.get("OUT", "/tmp"), "exp103.json"), "w"), indent=1)
    ws = xs = None
    torch.cuda.empty_cache()
speed = [min(r["times"]["off"]) / min(r["times"]["on"]) for r in records]
print(f"points {len(records)}: on/off speed geomean {statistics.geometric_mean(speed):.3f} min {min(speed):.3f}")
