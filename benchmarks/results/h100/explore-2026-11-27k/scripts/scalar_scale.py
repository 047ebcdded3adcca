"""Variant of the tile kernel: the block scale loaded once per K-tile as a scalar (every row of a BLOCK_N-row tile lies
in one scale block when scale_block_n % BLOCK_N == 0) instead of a BLOCK_N-vector that Triton pipelines through
shared memory by cp.async. Built from the library's source; use(True/False) swaps it in."""
import importlib, importlib.util, tempfile
from pathlib import Path
matmul_module = importlib.import_module("fp8blk.kernels.fp8_block_matmul")
tile_module = importlib.import_module("fp8blk.kernels.fp8_tile")
OLD = "        s = tl.load(scale_rows + (tile * BLOCK_K // SCALE_BLOCK_K) * stride_sk, mask=mask_n, other=0)\n"
NEW = ("        s = tl.load(scale_ptr + (pid_n * BLOCK_N // scale_block_n) * stride_sn\n"
       "                    + (tile * BLOCK_K // SCALE_BLOCK_K) * stride_sk)\n")
OLD2 = "            w = (_fp8_bytes_to(w, tl.float32, INTEGER_DEQUANT) * s[:, None]).to(x.dtype)\n"
NEW2 = "            w = (_fp8_bytes_to(w, tl.float32, INTEGER_DEQUANT) * s).to(x.dtype)\n"
OLD3 = "            acc += _dot(_fp8_bytes_to(w, x.dtype, INTEGER_DEQUANT), x, None, DOT_IN_FP32) * s[:, None]\n"
NEW3 = "            acc += _dot(_fp8_bytes_to(w, x.dtype, INTEGER_DEQUANT), x, None, DOT_IN_FP32) * s\n"
BASE = matmul_module._fp8_block_matmul_kernel
_patched = None
def patched_kernel():
    global _patched
    if _patched is None:
        source = Path(tile_module.__file__).read_text()
        for a, b in ((OLD, NEW), (OLD2, NEW2), (OLD3, NEW3)):
            assert source.count(a) == 1, a
            source = source.replace(a, b)
        path = Path(tempfile.mkdtemp()) / "fp8_tile_scalar_scale.py"
        path.write_text(source)
        spec = importlib.util.spec_from_file_location("fp8blk.kernels.fp8_tile_scalar_scale", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        _patched = module._fp8_block_matmul_kernel
    return _patched
def use(on: bool) -> None:
    matmul_module._fp8_block_matmul_kernel = patched_kernel() if on else BASE
    matmul_module._launch_plan.cache_clear()
