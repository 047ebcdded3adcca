"""Writes the kernel's config table for one model's layer shapes, on a GPU (opt-in autotuning).

    python -m fp8blk.bench.tune_table --model deepseek-v4-flash [--m 256,512,...] [--shape NxK,...] [--refine]

Full tuning tries every ``candidate_configs`` entry per (N, K, M-bucket). ``--refine`` tries only the
config the table holds now plus the alternatives that differ in kind (split-K, the expand-weight path):
a few minutes instead of tens. Either way each winner is timed through CUDA graphs on inputs rotated
past L2 (``fp8blk.kernels.fp8_block_matmul.tune``) and merged into the table under this GPU's name.
"""
from __future__ import annotations

import argparse
from typing import List

import torch

from fp8blk.kernels.fp8_block_matmul import KernelConfig, candidate_configs, choose_config, m_bucket, tune

from .shapes import DEFAULT_MS, load_shapes


def refine_candidates(m: int, n: int, k: int) -> List[KernelConfig]:
    """The current choice plus the configs of ``candidate_configs`` that differ from it in kind."""
    current = choose_config(m, n, k, 1, 128, torch.device("cuda", torch.cuda.current_device()))
    others = [c for c in candidate_configs(m, n, k)
              if c.expand_weight or c.split_k != current.split_k or (m_bucket(m) <= 64 and c.block_n != current.block_n)]
    return [current] + [c for c in others if c != current]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m fp8blk.bench.tune_table", description=__doc__.split("\n")[0])
    parser.add_argument("--model", default="deepseek-v4-flash")
    parser.add_argument("--m", default=",".join(map(str, DEFAULT_MS)), help="comma-separated M values")
    parser.add_argument("--refine", action="store_true", help="only the current choice and its alternatives in kind")
    parser.add_argument("--table", default=None, help="table to merge into (default: the checked-in one)")
    parser.add_argument("--shape", default=None, help="only these NxK shapes of the model, e.g. 32768x1024,512x4096")
    args = parser.parse_args(argv)
    if not torch.cuda.is_available():
        print("tune_table: no CUDA device here; tuning needs the GPU it tunes for", flush=True)
        return 2
    shapes = sorted({(s.n, s.k) for s in load_shapes(args.model)})
    if args.shape:
        wanted = {tuple(int(v) for v in item.split("x")) for item in args.shape.split(",")}
        shapes = [shape for shape in shapes if shape in wanted]
    ms = [int(m) for m in args.m.split(",")]
    tune(shapes, ms, path=args.table, candidates=refine_candidates if args.refine else candidate_configs,
         log=lambda line: print(line, flush=True))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
