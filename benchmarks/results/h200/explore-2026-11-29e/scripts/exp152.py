"""exp152: what the weight's conversion costs the decode kernel's tensor-core path (issue 11, M = 1-16, H200).
The same launch with fp16 x (the weight converted by one e4m3x2 -> f16x2 instruction a pair, an f16 MMA) against
bf16 x (e4m3 -> f16 -> f32 -> bf16: two more a pair, a bf16 MMA): if fp16 is much faster, an f16 operand path for
bf16 x (x scaled by a power of two into f16's range) pays. M = 1 also forced onto the tensor-core launch the rule takes
at M = 2 (and at M = 4 where M = 2 stays on CUDA cores). CUDA graphs, weights rotated, best of two rounds."""
import sys

import torch
from fp8blk.bench.inputs import random_fp8_weight
from fp8blk.bench.timing import time_calls
import fp8blk.kernels  # noqa: F401
km = sys.modules["fp8blk.kernels.fp8_block_matmul"]
dev = torch.device("cuda", 0)
l2 = torch.cuda.get_device_properties(0).L2_cache_size
LAYERS = [(32768, 1024, 1), (4096, 8192, 1), (1024, 4096, 8), (4096, 4096, 1), (7168, 16384, 1), (2048, 4096, 1),
          (65536, 1536, 1), (18432, 7168, 1), (7168, 3072, 1)]
for n, k, g in LAYERS:
    copies = max(2, -(-2 * l2 // (n * k * g)))
    ws = [random_fp8_weight(g * n, k) for _ in range(copies)]
    mma2 = km.launch_config(2, n, k, dev, groups=g)
    if not mma2.use_mma:
        mma2 = km.launch_config(4, n, k, dev, groups=g)
    for m in (1, 2, 4, 8, 16):
        xb = [torch.randn(m, g * k, device="cuda").to(torch.bfloat16) for _ in range(copies)]
        xh = [x.to(torch.float16) for x in xb]
        rule = km.launch_config(m, n, k, dev, groups=g)
        configs = {"rule": rule}
        if m == 1:
            configs["mma"] = mma2
        line = []
        for name, cfg in configs.items():
            res = {}
            for dt, xs in (("bf16", xb), ("fp16", xh)):
                call = (lambda i, xs=xs, cfg=cfg: km.fp8_block_matmul(xs[i], *ws[i], groups=g, config=cfg))
                res[dt] = min(time_calls(call, copies, graphs=True)["median_us"] for _ in range(2))
            line.append(f"{name} {tuple(cfg)[:8]} bf16 {res['bf16']:6.2f} fp16 {res['fp16']:6.2f} "
                        f"(x{res['bf16'] / res['fp16']:.3f})")
        print(f"{n}x{k} g{g} M={m}: " + " | ".join(line), flush=True)
    ws = None
    torch.cuda.empty_cache()
