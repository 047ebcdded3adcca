"""exp185: the decode kernel past its bound (M = 33-64 on layers over ``SMALL_LAYER_BYTES_PER_SM``, where the rules
take the tile kernel) against the rule's launch: for each (N, K, M), the rule's launch, the decode rule's own launch
for that M (``decode_config``, as ``takes_decode`` would give it), that launch split half and twice as far, and (where
it reads the weight by pointers) by TMA, 4 stages. CUDA
graphs of calls over weight copies filling > 2x L2, median of 30 replays (``fp8blk.bench.timing.time_calls``), best
of three alternating rounds; outputs checked against float64."""
import sys

import torch

import fp8blk.kernels  # noqa: F401
from fp8blk.bench.inputs import random_fp8_weight, float64_reference
from fp8blk.bench.timing import time_calls

km = sys.modules["fp8blk.kernels.fp8_block_matmul"]
props = torch.cuda.get_device_properties(0)
SMS, L2 = props.multi_processor_count, props.L2_cache_size
LAYERS = ((4096, 2048), (2048, 4096), (4096, 4096), (1536, 4096), (8192, 1024), (8192, 1536), (2880, 2880),
          (1536, 7168), (2048, 7168), (3072, 7168), (7168, 3072), (4096, 8192), (5120, 6144), (3072, 1536))
MS = (40, 48, 64)

print(torch.cuda.get_device_name(), torch.__version__, SMS, "SMs", L2 >> 20, "MiB L2", flush=True)
device = torch.device("cuda", 0)
for n, k in LAYERS:
    copies = max(2, -(-2 * L2 // (n * k)) + 1)
    weights = [random_fp8_weight(n, k) for _ in range(copies)]
    for m in MS:
        rule = km.launch_config(m, n, k, "cuda")
        if km.kernel_kind(rule) == "decode":
            print(f"{n}x{k} M={m}: the rule takes the decode kernel already ({rule})", flush=True)
            continue
        decode = km.decode_config(m, n, k, 1, 128, SMS, tma=True, dram_gbps=km._dram_gbps(device))
        configs = {"rule": rule, "decode": decode}
        for split in (max(1, decode.split_k // 2), min(16, decode.split_k * 2)):
            if split != decode.split_k:
                configs[f"decode/s{split}"] = decode._replace(split_k=split)
        if not decode.tma:  # the same tiles by TMA, 4 stages
            configs["decode/tma"] = decode._replace(tma=True, num_stages=4)
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
        best = min(times, key=times.get)
        print(f"{n}x{k} M={m}: rule {km.kernel_kind(rule)} {rule.block_n}x{rule.block_m} split {rule.split_k} "
              f"{times['rule']:.2f} us | decode {decode.block_n}x{decode.block_m} split {decode.split_k} "
              f"tma {decode.tma} stages {decode.num_stages} {times['decode']:.2f} | "
              + " ".join(f"{name} {t:.2f}" for name, t in times.items() if name.startswith("decode/"))
              + f" | best {best} rule/best x{times['rule'] / times[best]:.3f} | max err "
              + f"{max(errs.values()):.1e}", flush=True)
    weights = None
    torch.cuda.empty_cache()
