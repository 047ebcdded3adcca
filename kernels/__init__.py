"""fp8blk's Triton kernels (self-contained: torch + triton only)."""
from .fp8_block_matmul import (BoundCall, KernelConfig, bind_call, choose_config, default_config, fp8_block_matmul,
                               launch_config)
from .fp8_decode import DECODE_MAX_M, DecodeConfig, decode_config, takes_decode

__all__ = ["DECODE_MAX_M", "BoundCall", "DecodeConfig", "KernelConfig", "bind_call", "choose_config", "decode_config",
           "default_config", "fp8_block_matmul", "launch_config", "takes_decode"]
