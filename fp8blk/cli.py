"""The ``fp8blk`` command line: ``demo``, ``bench``, ``inspect``, ``convert``."""
from __future__ import annotations

import argparse
import sys
from typing import List, Optional


def _demo(args: argparse.Namespace) -> int:
    from .demo import run_demo
    run_demo(m=args.m, keep=args.keep)
    return 0


def _bench(args: argparse.Namespace) -> int:
    from fp8blk.bench.harness import main as bench_main
    return bench_main(args)


def _inspect(args: argparse.Namespace) -> int:
    from .inspect import main as inspect_main
    return inspect_main(args.path, args.json, args.check_values)


def _convert(args: argparse.Namespace) -> int:
    from .convert import main as convert_main
    return convert_main(args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="fp8blk", description="FP8 block-quantized linear layers.")
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser("demo", help="write, load and run small checkpoints in every convention (CPU is fine)")
    demo.add_argument("--m", type=int, default=4, help="rows of the activation (default 4)")
    demo.add_argument("--keep", default=None, metavar="DIR",
                      help="write the demo checkpoints into DIR (new) and keep them, e.g. for inspect/convert")
    demo.set_defaults(func=_demo)
    from fp8blk.bench.harness import add_arguments
    bench = commands.add_parser("bench", help="time fp8blk against Marlin and cuBLAS on DeepSeek shapes (needs a GPU)")
    add_arguments(bench)
    bench.set_defaults(func=_bench)
    inspect = commands.add_parser("inspect", help="what an FP8 checkpoint holds, from its headers (exit 0 clean, "
                                                  "1 problems, 2 unreadable)")
    inspect.add_argument("path", help="a .safetensors file, a directory of shards or a model.safetensors.index.json")
    inspect.add_argument("--json", action="store_true", help="print the stable JSON report")
    inspect.add_argument("--check-values", action="store_true",
                         help="also read the (small) scale tensors: zero, NaN/Inf, negative scales")
    inspect.set_defaults(func=_inspect)
    convert = commands.add_parser("convert", help="rename block-scale keys into another convention, safely")
    convert.add_argument("src")
    convert.add_argument("dst", nargs="?", default=None)
    convert.add_argument("--scale-name", required=True, choices=["weight_scale_inv", "weight_scale", "scale"])
    convert.add_argument("--scale-dtype", default="keep", choices=["keep", "float32", "bfloat16"])
    convert.add_argument("--in-place", action="store_true", help="replace SRC (kept until the result is verified)")
    convert.add_argument("--force", action="store_true", help="replace an existing DST")
    convert.add_argument("--dry-run", action="store_true", help="print the plan, write nothing")
    convert.set_defaults(func=_convert)
    return parser


def main(argv: Optional[List[str]] = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
