"""Runs fp8blk once per (N, K, M) point inside a CUDA profiler range, for Nsight Compute:

    ncu --clock-control none --profile-from-start off --metrics <...> python -m fp8blk.bench.profile_points \\
        --points 4096x8192x1,4096x8192x256

Inputs are random (never zeros); each point is warmed up (compiled, launch plan cached) before the profiled call.
``FP8BLK_CONFIG_TABLE`` chooses rule-only (0) or table launches, as in the library.
"""
from __future__ import annotations

import argparse

import torch

from fp8blk.formats import quantize_fp8_block
from fp8blk.kernels import fp8_block_matmul


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m fp8blk.bench.profile_points", description=__doc__.split("\n")[0])
    parser.add_argument("--points", required=True, help="NxKxM,...")
    args = parser.parse_args(argv)
    points = [tuple(int(v) for v in p.split("x")) for p in args.points.split(",")]
    calls = []
    for n, k, m in points:
        weight, scale = quantize_fp8_block(torch.randn(n, k, device="cuda") * 0.02)
        x = torch.randn(m, k, device="cuda", dtype=torch.bfloat16)
        fp8_block_matmul(x, weight, scale)
        calls.append((weight, scale, x))
    torch.cuda.synchronize()
    torch.cuda.cudart().cudaProfilerStart()
    for weight, scale, x in calls:
        fp8_block_matmul(x, weight, scale)
    torch.cuda.synchronize()
    torch.cuda.cudart().cudaProfilerStop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
