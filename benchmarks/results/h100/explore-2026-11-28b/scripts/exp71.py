"""exp71 (prepared 2026-11-28, not yet run): the misses the v42 DeepSeek-V3 run showed, on layers whose 128-row
tiles number slightly more than the SMs.
A: M = 48 / 64 where the rule's 8-warp 128 x 64 tiles (weight converted to bf16: ALU-bound programs, so two on one
   SM take about twice one's time) number 1-1.5 per SM (18432 x 7168: 144 tiles, 87 us against 54.7 at M = 32 by the
   decode kernel): the rule, the same tiles split 2 / 4 (more, shorter programs: the SM with the most finishes
   sooner), the decode kernel's 64-row launch (its rule at M = 48), split-x 64 x 64 tiles 3 / 4 stages unsplit and
   split 2.
B: M = 96 / 128 / 192 on 18432 x 7168 (v42: 144 8-warp 128 x 128 split-x tiles, 1.09 waves; 113.7 us against
   cuBLAS's 99.4): the rule, split-x 64 x 64 3 stages, split-x 128 x 64 3 stages, split-x 64 x 128 4-warp tiles
   (m64n128 wgmmas: 2 stages, 80 KB, two per SM; 3 stages, one), the two-per-SM 4-warp 128 x 128 tiles, the expand
   path.
C: 6144 x 4096 M = 384 (v42's one loss on unseen layers: 65 us against the expand path's 57.5) and its neighbours.
D: M = 96 / 128 on small layers (<= 48 KB of weight per SM, where the decode kernel takes M <= 64; at M = 96 the tile
   kernel's time jumps: 512 x 4096 8.2 us at M = 64, 13.7 at 96, cuBLAS 10.6): the decode kernel's rule at that M
   (its tensor-core tiles 128 activation columns wide) and the same launch split twice as far, against the rule.
E: rule v43 (offline, NOTES item 64) at M = 2 on 8-16 MB layers: the rule (tensor cores above 64 KB a SM) against
   the CUDA-core pair launch v42 took up to 128 KB a SM, and M = 4's time.
Two alternating rounds, CUDA graphs, weights rotated over > 2x L2, float64 check first."""
import json
import os
import sys
import torch
from fp8blk.bench.inputs import random_fp8_weight, float64_reference
from fp8blk.bench.timing import time_calls
from fp8blk.kernels import fp8_block_matmul
from fp8blk.kernels.fp8_block_matmul import KernelConfig, choose_config
from fp8blk.kernels.fp8_decode import decode_config

dev = torch.device("cuda", 0)
props = torch.cuda.get_device_properties(0)
sms, l2 = props.multi_processor_count, props.L2_cache_size
PART_A = [(n, k, m) for n, k in ((18432, 7168), (24576, 1536), (17408, 4096), (20480, 5120), (22528, 3072))
          for m in (48, 64)]
PART_B = [(18432, 7168, m) for m in (96, 128, 192)] + [(20480, 5120, 128)]
PART_C = [(6144, 4096, 384), (6144, 4096, 320), (6144, 7168, 384), (5632, 4096, 384)]
PART_E = [(n, k, 2) for n, k in ((1536, 7168), (2048, 7168), (7168, 2048), (32768, 512), (8192, 1536), (2048, 5632),
                                  (8192, 1024), (2048, 4096))]
PART_D = [(n, k, m) for n, k in ((512, 4096), (1024, 4096), (512, 7168), (576, 7168), (1536, 4096), (3072, 1536))
          for m in (96, 128)]


def sx(bn, bm, warps, stages, split=1):
    return KernelConfig(bn, bm, 128, split, warps, stages, tma=True, split_x=True)


def decode_config_v42(n, k):
    """M = 2's launch under v42's bound (CUDA cores up to 128 KB a SM)."""
    import fp8blk.kernels.fp8_decode as decode
    bound = decode.CUDA_CORE_PAIR_BYTES_PER_SM
    decode.CUDA_CORE_PAIR_BYTES_PER_SM = 1 << 17
    try:
        return decode.decode_config(2, n, k, 1, 128, sms, tma=True)
    finally:
        decode.CUDA_CORE_PAIR_BYTES_PER_SM = bound


def candidates(n, k, m, part):
    if part == "A":
        return {"rule": None, "tile128x64w8k2": KernelConfig(128, 64, 128, 2, 8, 3, True, tma=True),
                "tile128x64w8k4": KernelConfig(128, 64, 128, 4, 8, 3, True, tma=True),
                "decode64": decode_config(m, n, k, 1, 128, sms, tma=True),
                "sx64x64s3": sx(64, 64, 4, 3), "sx64x64s4": sx(64, 64, 4, 4), "sx64x64s4k2": sx(64, 64, 4, 4, 2)}
    if part == "B":
        return {"rule": None, "sx64x64s3": sx(64, 64, 4, 3), "sx128x64s3": sx(128, 64, 4, 3),
                "sx64x128s2": sx(64, 128, 4, 2), "sx64x128s3": sx(64, 128, 4, 3),
                "pair128x128w4": KernelConfig(128, 128, 64, 1, 4, 4, True, tma=True),
                "expand": KernelConfig(64, 1, 128, 1, 4, 1, expand_weight=True)}
    if part == "E":
        return {"rule": None, "cuda_cores_v42": decode_config_v42(n, k), "m4_launch": decode_config(4, n, k, 1, 128, sms, tma=True)}
    if part == "D":
        decode = decode_config(m, n, k, 1, 128, sms, tma=True)
        return {"rule": None, "decode": decode, "decode_split2x": decode._replace(split_k=min(16, 2 * decode.split_k))}
    return {"rule": None, "expand": KernelConfig(64, 1, 128, 1, 4, 1, expand_weight=True),
            "sx128x64s3": sx(128, 64, 4, 3), "sx64x64s3": sx(64, 64, 4, 3),
            "sx128x128w8s3": sx(128, 128, 8, 3), "sx64x128s2": sx(64, 128, 4, 2)}


def run(points, part):
    records = []
    for n, k, m in points:
        copies = max(2, -(-2 * l2 // (n * k)))
        ws = [random_fp8_weight(n, k) for _ in range(copies)]
        xs = [torch.randn(m, k, device="cuda").to(torch.bfloat16) for _ in range(copies)]
        ref = float64_reference(xs[0], *ws[0])
        cands = candidates(n, k, m, part)
        for name, cfg in list(cands.items()):
            try:
                y = fp8_block_matmul(xs[0], *ws[0], config=cfg)
                if not ((y.double() - ref).norm() / ref.norm()).item() < 4e-3:
                    print("  bad", name); del cands[name]
            except Exception as exc:
                print("  skip", name, type(exc).__name__, str(exc)[:80]); del cands[name]
        times = {name: [] for name in cands}
        for rnd in range(2):
            for name in (list(times) if rnd == 0 else list(times)[::-1]):
                times[name].append(time_calls(lambda i, cfg=cands[name]: fp8_block_matmul(xs[i], *ws[i], config=cfg),
                                              copies, graphs=True)["median_us"])
        best = {name: min(t) for name, t in times.items()}
        rule = str(tuple(choose_config(m, n, k, 1, 128, dev, tma=True)))
        records.append(dict(n=n, k=k, m=m, rule=rule, best=best, times=times))
        print(f"{n}x{k} M={m}: " + " ".join(f"{a} {t:.1f}" for a, t in best.items()) + f"   rule={rule}", flush=True)
        del ws, xs
        torch.cuda.empty_cache()
        json.dump(records, open(os.path.join(os.environ.get("OUT", "/tmp"), f"exp71{part}.json"), "w"), indent=1)
    return records


for part in (sys.argv[1] if len(sys.argv) > 1 else "EABCD"):
    run({"A": PART_A, "B": PART_B, "C": PART_C, "D": PART_D, "E": PART_E}[part], part)
