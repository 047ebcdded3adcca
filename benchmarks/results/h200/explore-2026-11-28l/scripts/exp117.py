"""exp117: why M = 24 runs slower than M = 32 on the same TMA decode launch (exp116: the build, M's divisibility by
16). A copy of ``_fp8_decode_kernel`` (generated from the library's source at run time) that bounds x's row mask by a
separate argument X_ROWS and the output's by M: each of the two bounds 24 or 32 (the output [32, N] where it is 32;
x [32, K] where its bound is 32), the rule's launch for M = 32, CUDA graphs, weights rotated, three rounds."""
import importlib
import inspect
import sys

import torch
import triton
from triton.tools.tensor_descriptor import TensorDescriptor
from fp8blk.bench.inputs import random_fp8_weight, float64_reference
from fp8blk.bench.timing import time_calls
import fp8blk.kernels  # noqa: F401
km = sys.modules["fp8blk.kernels.fp8_block_matmul"]
dec = sys.modules["fp8blk.kernels.fp8_decode"]
source = inspect.getsource(dec._fp8_decode_kernel.fn)
edits = [("        M, N, K,  # per group", "        M, X_ROWS, N, K,  # per group"),
         ("    mask_m = offs_m < M\n", "    mask_m = offs_m < M\n    mask_x = offs_m < X_ROWS\n"),
         ("mask=mask_m[None, :] & mask_k[:, None], other=0.0)", "mask=mask_x[None, :] & mask_k[:, None], other=0.0)")]
for old, new in edits:
    assert source.count(old) == 1, old
    source = source.replace(old, new)
header = ("import triton\nimport triton.language as tl\n"
          "from triton.language.extra.cuda import gdc_launch_dependents, gdc_wait\n"
          "from fp8blk.kernels.fp8_tile_ops import _dot, _fp8_bytes_to, _scale_to_fp32, _write_output\n\n\n")
with open("/tmp/exp117_variant.py", "w") as f:
    f.write(header + source.replace("def _fp8_decode_kernel", "def variant", 1))
sys.path.insert(0, "/tmp")
variant = importlib.import_module("exp117_variant").variant
dev = torch.device("cuda", 0)
l2 = torch.cuda.get_device_properties(0).L2_cache_size
for n, k in ((18432, 7168), (17408, 5120), (8192, 1536), (7168, 3072)):
    config = km.launch_config(32, n, k, dev)
    assert config.tma and config.split_k == 1, config
    copies = max(2, -(-2 * l2 // (n * k)))
    ws = [random_fp8_weight(n, k) for _ in range(copies)]
    descs = [TensorDescriptor(w, [n, k], [k, 1], [config.block_n, 128]) for w, _ in ws]
    x32 = [torch.randn(32, k, device="cuda").to(torch.bfloat16) for _ in range(copies)]
    x24 = [x[:24].clone() for x in x32]
    y = torch.empty(32, n, device="cuda", dtype=torch.bfloat16)

    def launch(i, x_rows, out_rows):
        x = (x24 if x_rows == 24 else x32)[i]
        w, scale = ws[i]
        out = y[:out_rows]
        variant[(triton.cdiv(n, config.block_n), 1, 1)](
            x, descs[i], scale, out, out, out, out, out_rows, x_rows, n, k, x.stride(0), x.stride(1), k, 1,
            scale.stride(0), scale.stride(1), out.stride(0), out.stride(1), 128,
            SCALE_BLOCK_K=128, BLOCK_N=config.block_n, BLOCK_M=config.block_m, SUB_K=128, SUBS=1, SPLIT_K=1,
            USE_MMA=True, HAS_BIAS=False, INTEGER_DEQUANT=False, SCALE_E8M0=False, DOT_IN_FP32=False,
            NUM_STAGES=config.num_stages, PDL=False, TMA=True, num_warps=config.num_warps,
            num_stages=config.num_stages)
        return out

    cases = [(24, 24), (24, 32), (32, 24), (32, 32)]
    errs = []
    for x_rows, out_rows in cases:
        out = launch(0, x_rows, out_rows)
        ref = float64_reference(x24[0], *ws[0])
        errs.append(((out[:24].double() - ref).norm() / ref.norm()).item())
    times = {}
    for _ in range(3):
        for case in cases:
            times.setdefault(case, []).append(time_calls(lambda i, c=case: launch(i, *c), copies,
                                                         graphs=True)["median_us"])
        for m, xs in ((24, x24), (32, x32)):
            times.setdefault(("lib", m), []).append(time_calls(
                lambda i, xs=xs: km.fp8_block_matmul(xs[i], *ws[i], config=config), copies, graphs=True)["median_us"])
    best = {key: min(v) for key, v in times.items()}
    print(f"{n}x{k} {tuple(config)} | library M=24 {best['lib', 24]:.2f} M=32 {best['lib', 32]:.2f} | " + " ".join(
        f"x{a}/y{b} {best[a, b]:.2f}" for a, b in cases) + f" us | max err {max(errs):.1e}", flush=True)
    ws = descs = x32 = x24 = y = None
    torch.cuda.empty_cache()
