"""Variant of the tile kernel: each K-tile's block scales loaded one iteration ahead into registers (a loop-carried
value) instead of by Triton's cp.async pipeline through shared memory. Same scales, same sums (bitwise). Built from
the library's source; use(True/False) swaps it in."""
import importlib, importlib.util, tempfile
from pathlib import Path
matmul_module = importlib.import_module("fp8blk.kernels.fp8_block_matmul")
tile_module = importlib.import_module("fp8blk.kernels.fp8_tile")
EDITS = (
    ("    for tile in range(first_tile, last_tile):\n",
     "    scale_next = tl.load(scale_rows + (first_tile * BLOCK_K // SCALE_BLOCK_K) * stride_sk,\n"
     "                         mask=mask_n & (first_tile < last_tile), other=0)\n"
     "    for tile in range(first_tile, last_tile):\n"
     "        s = scale_next\n"
     "        scale_next = tl.load(scale_rows + ((tile + 1) * BLOCK_K // SCALE_BLOCK_K) * stride_sk,\n"
     "                             mask=mask_n & (tile + 1 < last_tile), other=0)\n"),
    ("        s = tl.load(scale_rows + (tile * BLOCK_K // SCALE_BLOCK_K) * stride_sk, mask=mask_n, other=0)\n", ""),
)
BASE = matmul_module._fp8_block_matmul_kernel
_patched = None
def patched_kernel():
    global _patched
    if _patched is None:
        source = Path(tile_module.__file__).read_text()
        for a, b in EDITS:
            assert source.count(a) == 1, a
            source = source.replace(a, b)
        path = Path(tempfile.mkdtemp()) / "fp8_tile_prefetch_scale.py"
        path.write_text(source)
        spec = importlib.util.spec_from_file_location("fp8blk.kernels.fp8_tile_prefetch_scale", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        _patched = module._fp8_block_matmul_kernel
    return _patched
def use(on: bool) -> None:
    matmul_module._fp8_block_matmul_kernel = patched_kernel() if on else BASE
    matmul_module._launch_plan.cache_clear()
