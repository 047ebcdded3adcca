"""exp52 (item 57, direction c): 64 x 128 tile launches with 128-deep K-tiles (half the CTA barriers and stage
hand-backs per weight byte; 3 stages) against the rule's 64-deep ones, same split; two rounds, harness timing."""
import os
import torch
from fp8blk.bench.inputs import random_fp8_weight
from fp8blk.bench.timing import time_calls
from fp8blk.kernels import fp8_block_matmul
from fp8blk.kernels.fp8_block_matmul import default_config

props = torch.cuda.get_device_properties(0)
sms, l2, shared = props.multi_processor_count, props.L2_cache_size, props.shared_memory_per_block_optin
for n, k, m in ((8192, 1024, 128), (4096, 2048, 128), (2048, 4096, 256), (2048, 7168, 256), (7168, 2048, 96)):
    rule = default_config(m, n, k, 1, 128, sms, tma=True, shared_memory=shared)
    deep = rule._replace(block_k=128, num_stages=2)  # 2 x 40 KB stages: two programs per SM, as the rule's 4 x 20 KB
    deep3 = rule._replace(block_k=128, num_stages=3)
    copies = max(2, -(-2 * l2 // (n * k)))
    ws = [random_fp8_weight(n, k) for _ in range(copies)]
    xs = [torch.randn(m, k, device="cuda").to(torch.bfloat16) for _ in range(copies)]
    res = {rule: [], deep: [], deep3: []}
    for order in ((rule, deep, deep3), (deep3, deep, rule)):
        for c in order:
            call = lambda i, c=c: fp8_block_matmul(xs[i], ws[i][0], ws[i][1], config=c)
            try:
                res[c].append(time_calls(call, copies, graphs=True)["median_us"])
            except Exception as exc:  # noqa: BLE001
                print("  skip", c, type(exc).__name__, str(exc)[:80])
    a, b = fp8_block_matmul(xs[0], ws[0][0], ws[0][1], config=rule).float(), fp8_block_matmul(xs[0], ws[0][0], ws[0][1], config=deep).float()
    print(f"{n}x{k} M={m} rule {tuple(rule)[:6]} {res[rule]}  128-deep st2 {res[deep]} st3 {res[deep3]}  rel diff {((a-b).norm()/a.norm()).item():.1e}", flush=True)
