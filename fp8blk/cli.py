"""The ``fp8blk`` command line: ``fp8blk demo``, ``fp8blk bench``."""
from __future__ import annotations

import argparse
import sys
from typing import List, Optional


def _demo(args: argparse.Namespace) -> int:
    from .demo import run_demo
    run_demo(m=args.m)
    return 0


def _bench(args: argparse.Namespace) -> int:
    from fp8blk.bench.harness import main as bench_main
    return bench_main(args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="fp8blk", description="FP8 block-quantized linear layers.")
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser("demo", help="write, load and run small checkpoints in every convention (CPU is fine)")
    demo.add_argument("--m", type=int, default=4, help="rows of the activation (default 4)")
    demo.set_defaults(func=_demo)
    from fp8blk.bench.harness import add_arguments
    bench = commands.add_parser("bench", help="time fp8blk against Marlin and cuBLAS on DeepSeek shapes (needs a GPU)")
    add_arguments(bench)
    bench.set_defaults(func=_bench)
    return parser


def main(argv: Optional[List[str]] = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
