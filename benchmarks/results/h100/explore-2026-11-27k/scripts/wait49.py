"""exp49 support: the tile kernel with the sum read after every K-tile in split-1 builds too (`acc += 0.0`, which the
library does only where SPLIT_K > 1).

Why (found offline, 2026-11-27 night): ptxas (Triton 3.6's, sm_90a) serializes every wgmma of every split-1
scale-in-weight build — "(C7515) Potential Performance Loss: wgmma.mma_async instructions are serialized due to non
wgmma instructions defining accumulator registers of a wgmma between start and end of the pipeline stage" (the
accumulator's zero-init on the loop's zero-trip path) — so each K-tile waits for each of its 4-8 HGMMAs in turn
(SASS: one WARPGROUP.DEPBAR per HGMMA). Reading the sum per K-tile ends the pipeline stage inside the loop: ptxas
then chains a K-tile's HGMMAs and waits once (SASS: 2 DEPBARs in all), as the split-K builds already do. Registers:
64x128 w4 113 -> 148, 128x128 w8 132 -> 195, 128x128 w4 189 -> 255 (44 B spilled), 128x256 w8 171 -> 255 (60 B).
Same sums (a -0.0 K-tile sum becomes +0.0). Built from the library's source, swapped in with `use(True/False)`."""
import importlib
import importlib.util
import tempfile
from pathlib import Path

matmul_module = importlib.import_module("fp8blk.kernels.fp8_block_matmul")
tile_module = importlib.import_module("fp8blk.kernels.fp8_tile")
LINE = "            if SPLIT_K > 1:  # read the sum,"
BASE = matmul_module._fp8_block_matmul_kernel
_patched = None


def patched_kernel():
    global _patched
    if _patched is None:
        source = Path(tile_module.__file__).read_text()
        assert source.count(LINE) == 1, "the library's split-K sum read moved"
        path = Path(tempfile.mkdtemp()) / "fp8_tile_wait.py"
        path.write_text(source.replace(LINE, "            if True:  # read the sum,"))
        spec = importlib.util.spec_from_file_location("fp8blk.kernels.fp8_tile_wait", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        _patched = module._fp8_block_matmul_kernel
    return _patched


def use(wait: bool) -> None:
    matmul_module._fp8_block_matmul_kernel = patched_kernel() if wait else BASE
    matmul_module._launch_plan.cache_clear()
