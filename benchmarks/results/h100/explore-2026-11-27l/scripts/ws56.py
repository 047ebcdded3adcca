"""exp56 support: the tile kernel with Triton's automatic warp specialization on the split-x K loop
(`tl.range(..., warp_specialize=SPLIT_X)`; sm_90 AOT: 4-warp builds become 12 warps with setmaxnreg, 8-warp builds
are unchanged). Built from the library's source, swapped in with `use(True/False)`."""
import importlib
import importlib.util
import tempfile
from pathlib import Path

matmul_module = importlib.import_module("fp8blk.kernels.fp8_block_matmul")
tile_module = importlib.import_module("fp8blk.kernels.fp8_tile")
LINE = "    for tile in range(first_tile, last_tile):"
BASE = matmul_module._fp8_block_matmul_kernel
_patched = None


def patched_kernel():
    global _patched
    if _patched is None:
        source = Path(tile_module.__file__).read_text()
        assert source.count(LINE) == 1, "the library's K loop moved"
        path = Path(tempfile.mkdtemp()) / "fp8_tile_ws.py"
        path.write_text(source.replace(LINE, "    for tile in tl.range(first_tile, last_tile, warp_specialize=SPLIT_X):")
                        .replace("from .fp8_tile_ops", "from fp8blk.kernels.fp8_tile_ops"))
        spec = importlib.util.spec_from_file_location("fp8blk.kernels.fp8_tile_ws", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        _patched = module._fp8_block_matmul_kernel
    return _patched


def use(ws: bool) -> None:
    matmul_module._fp8_block_matmul_kernel = patched_kernel() if ws else BASE
    matmul_module._launch_plan.cache_clear()
