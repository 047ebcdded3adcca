"""exp79 (prepared 2026-11-28d, not yet run): M = 1 on >= 16 MB layers — the CUDA-core decode rule (about four
programs per SM of ~8 KB steps) against launches that keep more bytes in flight per SM: 32 rows a program,
16 KB steps (4 scale blocks), split until the programs reach 4 x the SMs ("inflight"), and its neighbours (steps of
8 / 32 KB, half and twice the split, 3 stages), and the rule's own tiles 4 and 5 stages deep (more steps in flight,
same tiles: NOTES item 73 reads time against bytes in flight per SM). sweep78 (H200, 7168 x 16384): the rule
41.2 us, (32, 4 blocks, split 4, 2 stages) 31.6; on the H100 that launch was 5% faster there too (sweep60).
Two alternating rounds, CUDA graphs, weights rotated over > 2x L2, float64 check first; the read bandwidth of the
machine beside."""
import json
import os
import torch
import triton
from fp8blk.bench.inputs import random_fp8_weight, float64_reference
from fp8blk.bench.timing import time_calls, read_bandwidth_gbps
from fp8blk.kernels import fp8_block_matmul, launch_config
from fp8blk.kernels.fp8_decode import DecodeConfig

props = torch.cuda.get_device_properties(0)
sms, l2 = props.multi_processor_count, props.L2_cache_size
LAYERS = [(7168, 16384), (7168, 18432), (18432, 7168), (65536, 1536), (32768, 1024), (4096, 8192), (24576, 1536),
          (4096, 4096), (14336, 4096), (8192, 8192), (28672, 2048), (5120, 12288)]


def inflight(n, k, block_n=32, subs=4, split_scale=1.0, stages=2):
    tiles = triton.cdiv(n, block_n)
    k_tiles = triton.cdiv(k, 128)
    split = 1
    while tiles * split < 4 * sms * split_scale and k_tiles // (subs * split * 2) >= 2:
        split *= 2
    return DecodeConfig(block_n, 1, 128, subs, split, False, 4, stages)


read = read_bandwidth_gbps()
print(f"{props.name}: {sms} SMs, read {read:.0f} GB/s", flush=True)
records = []
for n, k in LAYERS:
    copies = max(2, -(-2 * l2 // (n * k)))
    ws = [random_fp8_weight(n, k) for _ in range(copies)]
    xs = [torch.randn(1, k, device="cuda").to(torch.bfloat16) for _ in range(copies)]
    ref = float64_reference(xs[0], *ws[0])
    cands = {"rule": launch_config(1, n, k), "inflight": inflight(n, k), "step8k": inflight(n, k, subs=2),
             "step32k": inflight(n, k, subs=8), "split/2": inflight(n, k, split_scale=0.5),
             "split*2": inflight(n, k, split_scale=2.0), "stages3": inflight(n, k, stages=3),
             "rows16": inflight(n, k, block_n=16, subs=8)}
    rule = cands["rule"]
    if isinstance(rule, DecodeConfig) and not rule.use_mma:  # the rule's own tiles, more steps in flight
        cands.update({"rule_s4": rule._replace(num_stages=4), "rule_s5": rule._replace(num_stages=5)})
    cands = {name: cfg for i, (name, cfg) in enumerate(cands.items()) if cfg not in list(cands.values())[:i]}
    for name, cfg in list(cands.items()):
        y = fp8_block_matmul(xs[0], *ws[0], config=cfg)
        if not ((y.double() - ref).norm() / ref.norm()).item() < 4e-3:
            print("  bad", name, cfg); del cands[name]
    times = {name: [] for name in cands}
    for rnd in range(2):
        for name in (list(times) if rnd == 0 else list(times)[::-1]):
            times[name].append(time_calls(lambda i, cfg=cands[name]: fp8_block_matmul(xs[i], *ws[i], config=cfg),
                                          copies, graphs=True)["median_us"])
    best = {name: min(t) for name, t in times.items()}
    floor = n * k / read / 1e3
    records.append(dict(n=n, k=k, floor_us=floor, configs={a: tuple(c) for a, c in cands.items()}, best=best,
                        times=times))
    print(f"{n}x{k} floor {floor:.1f}: " + " ".join(f"{a} {t:.1f}" for a, t in best.items())
          + f"   rule={tuple(cands['rule'])} inflight={tuple(cands['inflight'])}", flush=True)
    json.dump(records, open(os.path.join(os.environ.get("OUT", "/tmp"), "exp79.json"), "w"), indent=1)
    del ws, xs
    torch.cuda.empty_cache()
