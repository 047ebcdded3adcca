"""Wide config sweep for a few (N, K, M) points, on a GPU: where is the kernel's best, and how far from the floor?

    python -m fp8blk.bench.sweep --points 4096x8192x1,32768x1024x1 [--workers 12]

Compiles every config of the grid in parallel worker processes first (Triton's on-disk cache), then
times each one with the tuner's ``time_configs`` (CUDA graph over inputs rotated past 2x L2) and prints
the best ten per point with the fraction of copy bandwidth they reach. An exploration tool: the checked-in table
is written by ``tune_table``.
"""
from __future__ import annotations

import argparse
import itertools
import multiprocessing
from typing import List, Tuple

import torch
import triton

from fp8blk.kernels.fp8_block_matmul import KernelConfig, fp8_block_matmul, time_configs

from .timing import copy_bandwidth_gbps


def grid_configs(m: int, n: int, k: int) -> List[KernelConfig]:
    """Tile, split, warps and stages over a wide grid (only configs whose split leaves >= 2 K-tiles per part)."""
    block_m = 16 if m <= 16 else min(64, triton.next_power_of_2(m))
    k_tiles = triton.cdiv(k, 128)
    found = []
    for block_n, split_k, warps, stages in itertools.product((32, 64, 128), (1, 2, 4, 8, 16), (2, 4, 8), (3, 4, 6)):
        if k_tiles >= 2 * split_k and not (block_n == 32 and warps == 8):
            found.append(KernelConfig(block_n, block_m, 128, split_k, warps, stages))
    return found


def _compile(job: Tuple[int, int, int, KernelConfig]) -> str:
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


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m fp8blk.bench.sweep", description=__doc__.split("\n")[0])
    parser.add_argument("--points", required=True, help="NxKxM,...")
    parser.add_argument("--workers", type=int, default=12)
    args = parser.parse_args(argv)
    points = [tuple(int(v) for v in p.split("x")) for p in args.points.split(",")]
    jobs = [(m, n, k, cfg) for n, k, m in points for cfg in grid_configs(m, n, k)]
    with multiprocessing.get_context("spawn").Pool(args.workers) as pool:
        built = dict(zip(((j[0], j[1], j[2], j[3]) for j in jobs), pool.map(_compile, jobs, chunksize=1)))
    copy_gbps = copy_bandwidth_gbps()
    l2 = torch.cuda.get_device_properties(0).L2_cache_size
    print(f"{torch.cuda.get_device_name()}: copy {copy_gbps:.0f} GB/s; {len(jobs)} configs", flush=True)
    for n, k, m in points:
        built_ok = [cfg for cfg in grid_configs(m, n, k) if built[(m, n, k, cfg)] == "ok"]
        timed = sorted(time_configs(n, k, m, built_ok, l2), key=lambda t: t[0])
        nbytes = n * k + 2 * m * (n + k)
        print(f"N={n} K={k} M={m}: floor {nbytes / copy_gbps / 1e3:.1f} us", flush=True)
        for us, cfg in timed[:10]:
            print(f"  {us:6.1f} us  {100 * nbytes / (us * 1e3) / copy_gbps:4.0f}% BW  {tuple(cfg)[:6]}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
