"""fp8blk's Triton kernels (self-contained: torch + triton only)."""
from .fp8_block_matmul import KernelConfig, choose_config, fp8_block_matmul

__all__ = ["KernelConfig", "choose_config", "fp8_block_matmul"]
