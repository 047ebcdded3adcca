import argparse
import sys

from .harness import add_arguments, main

parser = argparse.ArgumentParser(prog="python -m benchmarks", description="fp8blk benchmark harness")
add_arguments(parser)
sys.exit(main(parser.parse_args()))
