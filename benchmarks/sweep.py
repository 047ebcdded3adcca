"""Wide config sweep for a few (N, K, M) points, on a GPU: where is each kernel's best, how far from the floor,
and how close does the launch rule come?

    python -m fp8blk.bench.sweep --points 4096x8192x1,32768x1024x64 [--workers 14] [--json out.json]

Where the rules launch the decode kernel (M <= 32, or 64 on small layers or the tile rule's one-a-SM tiles) it sweeps its
configs (``fp8_decode``), elsewhere the tile kernel's. Compiles
every config in parallel worker processes first (Triton's on-disk cache), then times each one with the tuner's
``time_configs`` (CUDA graph over inputs rotated past 2x L2). Per point it prints the floor
(max(bytes / read bandwidth, FLOPs / bf16 rate)), the rule's config (table off), cuBLAS on bf16 weights and the
best configs. An exploration tool: the launch rules live in the kernels.
"""
from __future__ import annotations

import argparse
import itertools
import json
import multiprocessing
import os
from typing import List, Tuple, Union

import torch
import triton

from fp8blk.kernels.fp8_block_matmul import KernelConfig, fp8_block_matmul, launch_config, time_configs
from fp8blk.kernels.fp8_decode import DecodeConfig

from .report import roof_floor_us
from .timing import bf16_tflops, read_bandwidth_gbps, rotation_count, time_calls

Config = Union[KernelConfig, DecodeConfig]
CUDA_CORE_SWEEP_MAX_M = 8  # the sweep tries the decode kernel's CUDA-core path up to this M (the rule: M <= 2)


def rule_config(m: int, n: int, k: int) -> Config:
    """What fp8_block_matmul launches here (contiguous bf16 x, 128 x 128 fp32 scales; TMA and split x as the
    launch plan decides on this GPU; the config table as ``FP8BLK_CONFIG_TABLE`` says)."""
    return launch_config(m, n, k, "cuda" if torch.cuda.is_available() else "cpu")


def grid_configs(m: int, n: int, k: int) -> List[Config]:
    """Around the rule: the decode kernel's tiles, steps and splits (where the rule takes it), or the tile kernel's."""
    rule = rule_config(m, n, k)
    found = [rule]
    if isinstance(rule, DecodeConfig):
        # CUDA cores up to M = CUDA_CORE_SWEEP_MAX_M (each converted weight tile multiplied by each row of x)
        shapes = [(bn, triton.next_power_of_2(m), False, subs, 2) for bn in (1, 2, 4, 8, 16, 32)
                  for subs in (2, 4, 8, 16, 32)
                  if 8 <= bn * subs <= 128 and 128 * subs <= 2 * k] if m <= CUDA_CORE_SWEEP_MAX_M else []
        # tensor cores: 64/128-row tiles take wgmma on sm_90, 16/32-row tiles mma.sync (more row tiles, fewer splits)
        shapes += [(bn, max(16, triton.next_power_of_2(m)), True, subs, stages)
                   for bn in (16, 32, 64, 128) for subs, stages in ((1, 4), (2, 3), (4, 2))]
        for (block_n, block_m, mma, subs, stages), split_k, warps in itertools.product(shapes, (1, 2, 4, 8, 16), (4, 8)):
            # 8 warps: half the registers per thread on the CUDA-core path (ncu: occupancy there is register-bound)
            if triton.cdiv(k, 128 * subs) >= split_k and (warps == 4 or (not mma and block_n * subs >= 16)):
                found.append(DecodeConfig(block_n, block_m, 128, subs, split_k, mma, warps, stages))
    else:
        # bf16 x: the scale folded into the weight tile (what the rule launches); 256-column tiles need 16 warps
        # (or 8 with 2 stages) to stay within registers and shared memory. TMA where the rule reads by TMA.
        block_ms = sorted({min(triton.next_power_of_2(m), bm) for bm in (64, 128, 256)})
        for block_n, block_m, split_k, (warps, stages) in itertools.product(
                (64, 128), block_ms, (1, 2, 4), ((4, 4), (8, 3), (8, 2), (16, 3))):
            if triton.cdiv(k, 128) >= 2 * split_k and (block_m < 256 or (warps, stages) != (8, 3)):
                found.append(KernelConfig(block_n, block_m, 128, split_k, warps, stages, True, tma=rule.tma))
        if rule.tma and rule.split_x:  # x as two e4m3 terms: the split-x tiles (64/128 wide, up to ~196 KB)
            for block_n, block_m, split_k, (warps, stages) in itertools.product(
                    (64, 128), (64, 128), (1, 2), ((4, 3), (4, 4), (8, 2), (8, 4))):
                if triton.cdiv(k, 128) >= 2 * split_k and (warps == 8 or block_n * block_m < 128 * 128):
                    found.append(KernelConfig(block_n, block_m, 128, split_k, warps, stages, tma=True, split_x=True))
    return list(dict.fromkeys(found))


def _compile(job: Tuple[int, int, int, Config]) -> str:
    m, n, k, cfg = job
    x = torch.randn(m, k, device="cuda").to(torch.bfloat16)
    w = torch.randn(n, k, device="cuda").to(torch.float8_e4m3fn)
    scale = torch.ones(triton.cdiv(n, 128), triton.cdiv(k, 128), device="cuda")
    try:
        fp8_block_matmul(x, w, scale, config=cfg)
        torch.cuda.synchronize()
        return "ok"
    except Exception as exc:  # out of shared memory or registers on this GPU
        return type(exc).__name__


def cublas_us(n: int, k: int, m: int, l2: int) -> float:
    copies = rotation_count(2 * n * k + 2 * m * (n + k), l2)
    weights = [torch.randn(n, k, device="cuda", dtype=torch.bfloat16) for _ in range(copies)]
    xs = [torch.randn(m, k, device="cuda", dtype=torch.bfloat16) for _ in range(copies)]
    return time_calls(lambda i: xs[i] @ weights[i].T, copies, graphs=True)["median_us"]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m fp8blk.bench.sweep", description=__doc__.split("\n")[0])
    parser.add_argument("--points", required=True, help="NxKxM,...")
    parser.add_argument("--workers", type=int, default=12)
    parser.add_argument("--top", type=int, default=5)
    parser.add_argument("--json", default=None, help="write every timing here")
    args = parser.parse_args(argv)
    os.environ["FP8BLK_CONFIG_TABLE"] = "0"
    points = [tuple(int(v) for v in p.split("x")) for p in args.points.split(",")]
    jobs = [(m, n, k, cfg) for n, k, m in points for cfg in grid_configs(m, n, k)]
    with multiprocessing.get_context("spawn").Pool(args.workers) as pool:
        built = dict(zip(jobs, pool.map(_compile, jobs, chunksize=1)))
    read_gbps, tflops = read_bandwidth_gbps(), bf16_tflops()
    l2 = torch.cuda.get_device_properties(0).L2_cache_size
    print(f"{torch.cuda.get_device_name()}: read {read_gbps:.0f} GB/s, bf16 {tflops:.0f} TFLOP/s; {len(jobs)} configs",
          flush=True)
    summary, everything = [], []
    for n, k, m in points:
        configs = [cfg for cfg in grid_configs(m, n, k) if built[(m, n, k, cfg)] == "ok"]
        timed = sorted(time_configs(n, k, m, configs, l2), key=lambda t: t[0])
        rule = rule_config(m, n, k)
        rule_us = next((us for us, cfg in timed if cfg == rule), float("nan"))
        floor = roof_floor_us(n, k, m, read_gbps, tflops)
        cublas = cublas_us(n, k, m, l2)
        print(f"N={n} K={k} M={m}: floor {floor:.1f} us, cuBLAS bf16 {cublas:.1f} us, rule {rule_us:.1f} us {tuple(rule)}",
              flush=True)
        for us, cfg in timed[:args.top]:
            print(f"  {us:6.1f} us  {100 * floor / us:4.0f}% roof  {type(cfg).__name__} {tuple(cfg)}", flush=True)
        summary.append((n, k, m, floor, cublas, rule_us, timed[0][0] if timed else float("nan"), timed[0][1] if timed else None))
        everything.append({"N": n, "K": k, "M": m, "floor_us": floor, "cublas_us": cublas, "rule": list(rule),
                           "rule_us": rule_us, "timed": [[us, type(cfg).__name__, list(cfg)] for us, cfg in timed]})
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"gpu": torch.cuda.get_device_name(), "read_GBps": read_gbps, "bf16_TFLOPs": tflops,
                       "points": everything}, f, indent=1)
    print("\n   N     K     M  floor  cuBLAS   rule   best  best config")
    for n, k, m, floor, cublas, rule_us, best_us, best in summary:
        print(f"{n:5d} {k:5d} {m:5d} {floor:6.1f} {cublas:7.1f} {rule_us:6.1f} {best_us:6.1f}  {tuple(best) if best else ''}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
