"""exp166 (prepared for the next session, not run): M = 1 on the deep-stream layers (v46: 32-row programs of 16 KB
steps, v67's per-block sums) against row-piece launches of M = 2's geometry (v70: 2-16 rows, <= 64 weights a thread,
3 stages), which in the v70 harness ran M = 2 faster than the rule's M = 1 on 7168x3072 and 6144x5120. Per layer:
the rule's M = 1 launch, M = 2's CUDA-core launch at block_m 1 split 1 and 2, and the 32-row row-piece launch of 8 KB
steps 3 deep (exp161's best candidate); CUDA graphs, weights rotated, three alternating rounds, float64 errors."""
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
LAYERS = [(7168, 3072), (6144, 5120), (5120, 6144), (4096, 8192), (3584, 8192), (4096, 4096), (7168, 16384),
          (7168, 12288), (2048, 16384), (10240, 2560), (12288, 4096), (4608, 7168), (8192, 4096), (3072, 12288)]
for n, k in LAYERS:
    copies = max(2, -(-2 * l2 // (n * k)))
    ws = [random_fp8_weight(n, k) for _ in range(copies)]
    xs = [torch.randn(1, k, device="cuda").to(torch.bfloat16) for _ in range(copies)]
    ref = float64_reference(xs[0], *ws[0])
    rule = km.launch_config(1, n, k, dev)
    bound = dec.ROW_PIECES_PAIR_BYTES_PER_SM
    dec.ROW_PIECES_PAIR_BYTES_PER_SM = 1 << 40
    pair = dec.decode_config(2, n, k, 1, 128, sms)
    dec.ROW_PIECES_PAIR_BYTES_PER_SM = bound
    calls = {"rule": None}
    if not pair.use_mma:
        calls["pair_split1"] = pair._replace(block_m=1)
        calls["pair_split2"] = pair._replace(block_m=1, split_k=2 * pair.split_k)
    calls["rows32_8kb_s3"] = rule._replace(subs=max(1, rule.subs // 2), num_stages=3)
    times, errs = {}, {}
    for _ in range(3):
        for name, cfg in calls.items():
            call = lambda i, cfg=cfg: km.fp8_block_matmul(xs[i], *ws[i], config=cfg)
            times.setdefault(name, []).append(time_calls(call, copies, graphs=True)["median_us"])
            errs.setdefault(name, ((call(0).double() - ref).norm() / ref.norm()).item())
    best = {name: min(v) for name, v in times.items()}
    print(f"{n}x{k} M=1 rule {tuple(rule)[:5]}: " + " | ".join(
        f"{name} {tuple(cfg)[:5] if cfg else ''} {t:.2f} (x{best['rule'] / t:.3f}, pieces="
        f"{dec.keeps_row_pieces(cfg or rule)})" for name, cfg, t in ((nm, calls[nm], best[nm]) for nm in calls))
        + f" err {max(errs.values()):.1e}", flush=True)
    ws = xs = None
    torch.cuda.empty_cache()
