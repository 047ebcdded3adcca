"""Does the weights' content change the decode time? The rule's launch on full-range quantized weights (as the
harness makes them: randn * 0.02 through quantize_fp8_block) vs randn * 0.5 cast to e4m3 (the exp scripts), direct
calls and through Fp8BlockLinear. Run: python3 exp14.py"""
import os
os.environ["FP8BLK_CONFIG_TABLE"] = "0"
import torch, triton
from fp8blk import Fp8BlockLinear
from fp8blk.formats import quantize_fp8_block
from fp8blk.kernels import fp8_block_matmul
from fp8blk.bench.timing import time_calls, rotation_count

L2 = torch.cuda.get_device_properties(0).L2_cache_size
for n, k, m in ((7168, 16384, 4), (18432, 7168, 4), (4096, 8192, 4), (7168, 16384, 1)):
    copies = rotation_count(n * k + m * k * 2 + m * n * 2, L2)
    full = [quantize_fp8_block(torch.randn(n, k, device="cuda") * 0.02) for _ in range(copies)]
    narrow = [((torch.randn(n, k, device="cuda") * 0.5).to(torch.float8_e4m3fn), s) for _, s in full]
    zero_exp = [((torch.randn(n, k, device="cuda") * 0.001).to(torch.float8_e4m3fn), s) for _, s in full]
    xs = [torch.randn(m, k, device="cuda").to(torch.bfloat16) for _ in range(copies)]
    res = {}
    for tag, ws in (("full", full), ("narrow", narrow), ("tiny", zero_exp)):
        res[tag] = time_calls(lambda i: fp8_block_matmul(xs[i], ws[i][0], ws[i][1]), copies, graphs=True)["median_us"]
    mods = [Fp8BlockLinear.from_tensors(w, s) for w, s in full]
    res["module-full"] = time_calls(lambda i: mods[i](xs[i]), copies, graphs=True)["median_us"]
    res["full-again"] = time_calls(lambda i: fp8_block_matmul(xs[i], full[i][0], full[i][1]), copies, graphs=True)["median_us"]
    print(f"{n}x{k} M={m} copies={copies} " + " ".join(f"{t}={v:.1f}" for t, v in res.items()), flush=True)
    del full, narrow, zero_exp, mods
