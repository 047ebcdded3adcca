"""exp164: with v69's row pieces, where does the CUDA-core decode launch beat the tensor-core one at M = 2 / 3 / 4?
v69 takes M = 2 on CUDA cores only up to CUDA_CORE_PAIR_BYTES_PER_SM (64 KB a SM, ~8.6 MB; fitted on v20's build)
and M >= 3 on tensor cores everywhere. Per layer and M: the rule's launch against the CUDA-core launch the M = 2 rule
would build without that bound (block_m = M), CUDA graphs, weights rotated, three alternating rounds, float64
errors."""
import sys

import torch
from fp8blk.bench.inputs import random_fp8_weight, float64_reference
from fp8blk.bench.timing import time_calls
import fp8blk.kernels  # noqa: F401
km = sys.modules["fp8blk.kernels.fp8_block_matmul"]
dec = sys.modules["fp8blk.kernels.fp8_decode"]
dev = torch.device("cuda", 0)
l2 = torch.cuda.get_device_properties(0).L2_cache_size
sms = torch.cuda.get_device_properties(0).multi_processor_count
LAYERS = [(2048, 4096), (1536, 7168), (2048, 7168), (7168, 2048), (32768, 512), (4096, 4096), (8192, 2048),
          (3072, 7168), (7168, 3072), (4096, 8192), (32768, 1024), (1024, 4096), (8192, 1536), (7168, 16384),
          (5120, 6144), (24576, 1536)]
for n, k in LAYERS:
    copies = max(2, -(-2 * l2 // (n * k)))
    ws = [random_fp8_weight(n, k) for _ in range(copies)]
    bound = dec.CUDA_CORE_PAIR_BYTES_PER_SM
    dec.CUDA_CORE_PAIR_BYTES_PER_SM = 1 << 40
    pair = dec.decode_config(2, n, k, 1, 128, sms)
    dec.CUDA_CORE_PAIR_BYTES_PER_SM = bound
    for m in (2, 3, 4):
        rule = km.launch_config(m, n, k, dev)
        cuda = pair._replace(block_m=1 << (m - 1).bit_length())  # a power of two (arange)
        if rule == cuda:
            continue
        xs = [torch.randn(m, k, device="cuda").to(torch.bfloat16) for _ in range(copies)]
        ref = float64_reference(xs[0], *ws[0])
        calls = {"rule": None, "cuda": cuda}
        times, errs = {}, {}
        for _ in range(3):
            for name, cfg in calls.items():
                call = lambda i, cfg=cfg: km.fp8_block_matmul(xs[i], *ws[i], config=cfg)
                times.setdefault(name, []).append(time_calls(call, copies, graphs=True)["median_us"])
                errs.setdefault(name, ((call(0).double() - ref).norm() / ref.norm()).item())
        a, b = min(times["rule"]), min(times["cuda"])
        print(f"{n}x{k} ({n * k / 1e6:.1f} MB) M={m}: rule {tuple(rule)[:6]} {a:.2f} | cuda {tuple(cuda)[:6]} "
              f"pieces={dec.keeps_row_pieces(cuda)} {b:.2f} | rule/cuda x{a / b:.3f} err {max(errs.values()):.1e}",
              flush=True)
    ws = xs = None
    torch.cuda.empty_cache()
