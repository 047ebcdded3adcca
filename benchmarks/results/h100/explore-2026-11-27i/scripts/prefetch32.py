"""exp32 support: the decode kernel with each program's first weight steps sent to L2 before the PDL wait.

The weight does not depend on the previous kernel (only x, the output and the split-K workspace do), so with PDL a
program placed while the previous kernel finishes can start its first DRAM round trip at once: `prefetch.global.L2`
of one line per (row, scale block) of its first NUM_STAGES steps, then `gdc_wait`, then the pipelined loop as
before (its loads then hit L2). Arithmetic unchanged: outputs must equal the library kernel's bitwise.
Built from the library's own source (kernels/fp8_decode.py) with the lines below inserted before its `gdc_wait`,
loaded as fp8blk.kernels.fp8_decode_prefetch from a temporary file, and swapped in with `use(True/False)`."""
import importlib
import importlib.util
import tempfile
from pathlib import Path

matmul_module = importlib.import_module("fp8blk.kernels.fp8_block_matmul")  # the package exports a function of that name
decode_module = importlib.import_module("fp8blk.kernels.fp8_decode")

PREFETCH = '''    if PDL and not TMA:  # exp32: the first steps' weight lines on their way to L2 before the wait
        for ahead in tl.static_range(NUM_STAGES):
            cols = (first_step + ahead) * STEP_K + tl.arange(0, SUBS) * SUB_K  # [SUBS]
            live = mask_n[:, None] & (first_step + ahead < last_step) & (cols < K)[None, :]
            lines = tl.where(live, w_rows[:, None] + cols[None, :] * stride_wk, w_ptr)
            tl.inline_asm_elementwise("prefetch.global.L2 [$1];", "=r,l", [lines], dtype=tl.int32,
                                      is_pure=False, pack=1)
'''
ANCHOR = "    if PDL:  # placed while the previous kernel may still run"
BASE = matmul_module._fp8_decode_kernel
_patched = None


def patched_kernel():
    global _patched
    if _patched is None:
        source = Path(decode_module.__file__).read_text()
        assert source.count(ANCHOR) == 1, "the decode kernel's PDL wait moved: update exp32's anchor"
        path = Path(tempfile.mkdtemp()) / "fp8_decode_prefetch.py"
        path.write_text(source.replace(ANCHOR, PREFETCH + ANCHOR))
        spec = importlib.util.spec_from_file_location("fp8blk.kernels.fp8_decode_prefetch", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        _patched = module._fp8_decode_kernel
    return _patched


def use(prefetch: bool) -> None:
    """Launch the prefetching (True) or the library's (False) decode kernel from here on (plans rebuilt)."""
    matmul_module._fp8_decode_kernel = patched_kernel() if prefetch else BASE
    matmul_module._launch_plan.cache_clear()


if __name__ == "__main__":  # offline: the sm_90 build has the prefetches, before the wait
    from fp8blk.kernels.fp8_block_matmul import aot_compile
    from fp8blk.kernels.fp8_decode import decode_config
    for m, n, k in ((1, 2048, 4096), (1, 8192, 1024), (16, 1024, 4096)):
        cfg = decode_config(m, n, k, 1, 128, 132)
        use(False)
        base = aot_compile(90, cfg).asm["ptx"]
        use(True)
        ptx = aot_compile(90, cfg).asm["ptx"]
        wait = ptx.index("griddepcontrol.wait")
        first = ptx.find("prefetch.global.L2")
        print(f"M={m} {n}x{k} {cfg[:6]}: prefetches {ptx.count('prefetch.global.L2')} (base {base.count('prefetch')}),"
              f" first before the wait: {0 <= first < wait}")
