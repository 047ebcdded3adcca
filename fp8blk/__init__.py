"""fp8blk: FP8 block-quantized linear layers (e4m3 weights, one scale per block) for every checkpoint convention."""
from pathlib import Path as _Path

from ._checkout import install as _map_checkout_subpackages

_map_checkout_subpackages(_Path(__file__).resolve().parent)  # a no-op when installed
from .checkpoint import (CheckpointScan, load_fp8_checkpoint, replace_linear, save_fp8_checkpoint,
                         scan_checkpoint)
from .errors import Fp8FormatError
from .formats import dequantize_fp8_block, quantize_fp8_block, to_block_scale
from .hf import LoadReport, from_pretrained
from .module import SCALE_NAMES, Fp8BlockLinear
from .ops import fp8_block_linear
from .parallel import ColumnParallelFp8BlockLinear, RowParallelFp8BlockLinear

__version__ = "0.2.0"

__all__ = [
    "CheckpointScan", "ColumnParallelFp8BlockLinear", "Fp8BlockLinear", "LoadReport", "from_pretrained", "RowParallelFp8BlockLinear", "Fp8FormatError", "SCALE_NAMES", "dequantize_fp8_block", "fp8_block_linear",
    "load_fp8_checkpoint", "quantize_fp8_block", "replace_linear", "save_fp8_checkpoint", "scan_checkpoint",
    "to_block_scale",
]
