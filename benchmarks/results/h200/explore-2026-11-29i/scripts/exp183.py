"""exp183: v74's tile split (past 4 ways while the launch stays within one program a SM; v73: within half the SMs)
checked on layers it was not fitted on (exp181 fitted 512 x 7168 / 512 x 4096 at M = 96-128). For each (N, K, M)
where the rule's launch is a 4-warp tile split past 4 ways that v73's bound would not take, v74's launch against the
same launch at v73's split; CUDA graphs of calls over weight copies filling > 2x L2 (the harness's rotation), median
of 30 replays (``fp8blk.bench.timing.time_calls``), best of three alternating rounds; outputs checked against float64.
"""
import sys

import torch

import fp8blk.kernels  # noqa: F401
from fp8blk.bench.inputs import random_fp8_weight, float64_reference
from fp8blk.bench.timing import time_calls

km = sys.modules["fp8blk.kernels.fp8_block_matmul"]
props = torch.cuda.get_device_properties(0)
SMS, L2 = props.multi_processor_count, props.L2_cache_size
LAYERS = ((256, 7168), (256, 16384), (384, 7168), (448, 4096), (320, 6144), (512, 12288), (512, 5120),
          (768, 12288), (1024, 16384), (896, 8192), (512, 7168), (512, 4096), (576, 7168))
MS = (48, 64, 80, 96, 128, 160, 192, 256)


def v73_split(tiles, k_tiles, resident):
    """v73's ``_split_k`` for 4-warp tiles (past 4 ways only within half the SMs)."""
    split = 1
    while split < 4 or (split < 16 and tiles * split * 2 <= SMS / 2):
        fits = tiles * split < 0.9 * resident * SMS
        least = 4 if tiles * split < 0.9 * SMS else 8
        if not fits or k_tiles < split * 2 * least:
            break
        split *= 2
    return split


def compare(layers, label="v74", show_unchanged=((512, 7168), (576, 7168))):
    """Prints, for each point of ``layers`` x ``MS`` where the rule's 4-warp tile split differs from v73's, both
    launches' times (``label``: the rule's name in the output); the other tile points of ``show_unchanged``."""
    print(torch.cuda.get_device_name(), torch.__version__, SMS, "SMs", L2 >> 20, "MiB L2", flush=True)
    for n, k in layers:
        for m in MS:
            rule = km.launch_config(m, n, k, "cuda")
            if km.kernel_kind(rule) != "tile" or rule.num_warps != 4 or rule.split_x or rule.warp_specialized:
                continue
            tiles = -(-n // rule.block_n) * -(-m // rule.block_m)
            old = v73_split(tiles, -(-k // rule.block_k), 3 if rule.block_m == 64 else 4)
            if old == rule.split_k:
                if (n, k) in show_unchanged:
                    print(f"{n}x{k} M={m}: unchanged {rule.block_n}x{rule.block_m} split {old}", flush=True)
                continue
            copies = max(2, -(-2 * L2 // (n * k)) + 1)
            weights = [random_fp8_weight(n, k) for _ in range(copies)]
            x = torch.randn(m, k, device="cuda", dtype=torch.bfloat16)
            outs = [torch.empty(m, n, device="cuda", dtype=torch.bfloat16) for _ in range(copies)]
            configs = {label: rule, "v73": rule._replace(split_k=old)}
            times, errs = {}, {}
            ref = float64_reference(x, *weights[0])
            for _ in range(3):
                for name, config in configs.items():
                    us = time_calls(lambda i, c=config: km.fp8_block_matmul(x, *weights[i], out=outs[i], config=c),
                                    copies, graphs=True)["median_us"]
                    times[name] = min(times.get(name, us), us)
                    errs[name] = ((outs[0].double() - ref).norm() / ref.norm()).item()
            print(f"{n}x{k} M={m} {rule.block_n}x{rule.block_m} tiles {tiles}: v73 split {old} {times['v73']:.2f} us | "
                  f"{label} split {rule.split_k} {times[label]:.2f} us | "
                  f"v73/{label} x{times['v73'] / times[label]:.3f} | "
                  f"errs {errs['v73']:.1e} {errs[label]:.1e}", flush=True)


if __name__ == "__main__":
    compare(LAYERS)
