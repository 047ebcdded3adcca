"""exp50: the decode launch at M = 2-16 on the >= 32 MB layers (issue 11: 7168x16384 M = 2-16 0.96-0.98x Marlin at
the fast level, c78). The rule's TMA launch (64-row boxes, split for 2 programs/SM, 4 stages) against splits 2/8,
3/4 stages, 128-row boxes, pointer loads; Marlin timed on the same weights. Weights built in row blocks (no large
temporary freed before timing: item 51). Two rounds in opposite orders; harness timing (graphs, rotation)."""
import json, os
import torch
from fp8blk.bench.impls import MarlinFactory, make_fp8blk
from fp8blk.bench.inputs import random_fp8_weight
from fp8blk.bench.timing import time_calls
from fp8blk.kernels import fp8_block_matmul
from fp8blk.kernels.fp8_decode import DecodeConfig, decode_config

props = torch.cuda.get_device_properties(0)
sms, l2 = props.multi_processor_count, props.L2_cache_size
marlin = MarlinFactory()


def name(c):
    return f"bn{c.block_n}s{c.split_k}st{c.num_stages}{'T' if c.tma else 'P'}"


rows = []
for n, k in ((7168, 16384), (18432, 7168), (7168, 18432), (65536, 1536), (4096, 8192), (32768, 1024)):
    copies = max(2, -(-2 * l2 // (n * k)))
    ws = [random_fp8_weight(n, k) for _ in range(copies)]
    weights, scales = [w for w, _ in ws], [s for _, s in ws]
    torch.cuda.empty_cache()
    for m in (2, 4, 8, 16):
        xs = [torch.randn(m, k, device="cuda").to(torch.bfloat16) for _ in range(copies)]
        rule = decode_config(m, n, k, 1, 128, sms, tma=True)
        options = [rule]
        if rule.use_mma:
            for bn in (64, 128):
                for split in (1, 2, 4, 8):
                    for st in (3, 4):
                        options.append(DecodeConfig(bn, rule.block_m, 128, 1, split, True, 4, st, tma=True))
            options.append(rule._replace(tma=False, split_k=max(rule.split_k, 8), num_stages=3))
        options = list(dict.fromkeys(options))
        res = {c: [] for c in options}
        ref = None
        for order in (options, options[::-1]):
            for c in order:
                try:
                    call = lambda i, c=c: fp8_block_matmul(xs[i], weights[i], scales[i], config=c)
                    y = call(0)
                    if ref is None:
                        ref = y.float()
                    assert ((y.float() - ref).norm() / ref.norm()).item() < 1e-2
                    res[c].append(time_calls(call, copies, graphs=True)["median_us"])
                except Exception as exc:  # noqa: BLE001
                    print("   skip", name(c), type(exc).__name__, str(exc)[:100], flush=True)
        try:
            mar = time_calls(marlin(weights, scales, xs), copies, graphs=True)["median_us"]
        except Exception as exc:  # noqa: BLE001
            mar = float("nan"); print("   marlin", type(exc).__name__, str(exc)[:100])
        timed = sorted(((sum(v) / len(v), c, v) for c, v in res.items() if v), key=lambda t: t[0])
        rule_us = sum(res[rule]) / max(1, len(res[rule]))
        for us, c, v in timed:
            rows.append({"N": n, "K": k, "M": m, "config": list(c), "rule": c == rule, "us": v, "marlin_us": mar})
        cells = "  ".join(f"{name(c)} {us:.1f}" for us, c, _ in timed[:5])
        print(f"{n:>5}x{k:<5} M={m:<2} marlin {mar:.1f} RULE {name(rule)} {rule_us:.1f} | {cells}", flush=True)
    del ws, weights, scales
    torch.cuda.empty_cache()
json.dump(rows, open(os.path.join(os.environ.get("OUT", "/tmp"), "exp50.json"), "w"), indent=1)
