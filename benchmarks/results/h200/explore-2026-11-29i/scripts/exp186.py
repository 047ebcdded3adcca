"""exp186: the decode kernel on the tile kernel's own geometry (M = 33-64, bf16 x): where the rule's launch is 64 x 64
tiles (4 warps) split S ways, the decode kernel's tensor-core launch of the same 64 x 64 tiles and split (weight by
pointers 3 stages deep, and by TMA 4 deep). exp185 found it 1.22-1.29x faster on 2048 x 7168 (128 programs, one a
SM) and slower where the rule's launch holds two programs a SM (4096 x 4096, 4096 x 8192). CUDA graphs of calls over
weight copies filling > 2x L2, median of 30 replays, best of three alternating rounds; errors against float64."""
import sys

import torch

import fp8blk.kernels  # noqa: F401
from fp8blk.bench.inputs import random_fp8_weight, float64_reference
from fp8blk.bench.timing import time_calls

km = sys.modules["fp8blk.kernels.fp8_block_matmul"]
props = torch.cuda.get_device_properties(0)
SMS, L2 = props.multi_processor_count, props.L2_cache_size
LAYERS = ((1024, 12288), (1024, 16384), (1536, 7168), (1536, 12288), (1792, 8192), (2048, 4096), (2048, 7168),
          (2048, 10240), (2560, 7168), (3072, 7168), (4096, 2048), (4096, 8192), (2880, 2880))
MS = (40, 48, 64)

print(torch.cuda.get_device_name(), torch.__version__, SMS, "SMs", L2 >> 20, "MiB L2", flush=True)
for n, k in LAYERS:
    copies = max(2, -(-2 * L2 // (n * k)) + 1)
    weights = [random_fp8_weight(n, k) for _ in range(copies)]
    for m in MS:
        rule = km.launch_config(m, n, k, "cuda")
        if km.kernel_kind(rule) != "tile" or rule.split_x or (rule.block_n, rule.block_m, rule.num_warps) != (64, 64, 4):
            print(f"{n}x{k} M={m}: the rule's launch is another kind ({rule})", flush=True)
            continue
        same = km.DecodeConfig(64, 64, 128, 1, rule.split_k, True, 4, 3)
        configs = {"rule": rule, "decode": same, "decode/tma": same._replace(tma=True, num_stages=4)}
        x = torch.randn(m, k, device="cuda", dtype=torch.bfloat16)
        outs = [torch.empty(m, n, device="cuda", dtype=torch.bfloat16) for _ in range(copies)]
        ref = float64_reference(x, *weights[0])
        times, errs = {}, {}
        for _ in range(3):
            for name, config in configs.items():
                us = time_calls(lambda i, c=config: km.fp8_block_matmul(x, *weights[i], out=outs[i], config=c),
                                copies, graphs=True)["median_us"]
                times[name] = min(times.get(name, us), us)
                errs[name] = ((outs[0].double() - ref).norm() / ref.norm()).item()
        programs = -(-n // 64) * rule.split_k
        print(f"{n}x{k} M={m}: {programs} programs (split {rule.split_k}) | rule {times['rule']:.2f} us | decode "
              f"{times['decode']:.2f} (x{times['rule'] / times['decode']:.3f}) | decode/tma {times['decode/tma']:.2f} "
              f"(x{times['rule'] / times['decode/tma']:.3f}) | max err {max(errs.values()):.1e}", flush=True)
    weights = None
    torch.cuda.empty_cache()
