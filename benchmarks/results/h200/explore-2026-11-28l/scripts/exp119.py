"""exp119: M = 17-31 on 32-row decode tiles without a row mask (exp117: x's row mask bounded by M not divisible by
16 costs 5-9%). A copy of ``_fp8_decode_kernel`` (generated from the library's source at run time) reading x in
16-row groups whose first row is min(16 g, M - 16): every row it reads is one of x's (M >= 16), the last groups
overlap, no mask on M; the output stored by the same rows (an overlapping row twice, the same value). Against the
library's launch; CUDA graphs, weights rotated, three rounds."""
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
edits = [("    mask_m = offs_m < M\n",
          "    mask_m = offs_m < M\n    rows = tl.minimum(offs_m // 16 * 16, M - 16) + offs_m % 16  # M >= 16\n"),
         ("x = tl.load(x_ptr + offs_m[None, :] * stride_xm + k[:, None] * stride_xk,\n"
          "                            mask=mask_m[None, :] & mask_k[:, None], other=0.0)",
          "x = tl.load(x_ptr + rows[None, :] * stride_xm + k[:, None] * stride_xk, mask=mask_k[:, None], other=0.0)"),
         ("_write_output(acc, y_ptr, bias_ptr, partial_ptr, counter_ptr, offs_n, offs_m, mask_n, mask_m,",
          "_write_output(acc, y_ptr, bias_ptr, partial_ptr, counter_ptr, offs_n, rows, mask_n, rows < M,")]
for old, new in edits:
    assert source.count(old) == 1, old
    source = source.replace(old, new)
header = ("import triton\nimport triton.language as tl\n"
          "from triton.language.extra.cuda import gdc_launch_dependents, gdc_wait\n"
          "from fp8blk.kernels.fp8_tile_ops import _dot, _fp8_bytes_to, _scale_to_fp32, _write_output\n\n\n")
with open("/tmp/exp119_variant.py", "w") as f:
    f.write(header + source.replace("def _fp8_decode_kernel", "def variant", 1))
sys.path.insert(0, "/tmp")
variant = importlib.import_module("exp119_variant").variant
dev = torch.device("cuda", 0)
l2 = torch.cuda.get_device_properties(0).L2_cache_size
for n, k in ((18432, 7168), (17408, 5120), (8192, 1536), (7168, 3072), (7168, 16384), (4096, 8192)):
    copies = max(2, -(-2 * l2 // (n * k)))
    ws = [random_fp8_weight(n, k) for _ in range(copies)]
    descs = {}
    for m in (17, 20, 24, 28, 31, 32):
        config = km.launch_config(m, n, k, dev)
        assert config.block_m == 32, config
        if config.tma:
            descs = {i: TensorDescriptor(w.view(torch.uint8), [n, k], [k, 1], [config.block_n, 128]) for i, (w, _) in enumerate(ws)}
        xs = [torch.randn(m, k, device="cuda").to(torch.bfloat16) for _ in range(copies)]
        split = config.split_k
        partial = torch.empty(split * m * n if split > 1 else 1, device="cuda", dtype=torch.float32)
        counter = torch.zeros(triton.cdiv(n, config.block_n), device="cuda", dtype=torch.int32)

        def launch(i, config=config, xs=xs, m=m, partial=partial, counter=counter):
            x = xs[i]
            w, scale = ws[i]
            out = torch.empty(m, n, device="cuda", dtype=torch.bfloat16)
            variant[(triton.cdiv(n, config.block_n), config.split_k, 1)](
                x, descs[i] if config.tma else w.view(torch.uint8), scale, out, out, partial, counter, m, n, k, x.stride(0),
                x.stride(1), k, 1, scale.stride(0), scale.stride(1), out.stride(0), out.stride(1), 128,
                SCALE_BLOCK_K=128, BLOCK_N=config.block_n, BLOCK_M=config.block_m, SUB_K=128, SUBS=1,
                SPLIT_K=config.split_k, USE_MMA=True, HAS_BIAS=False, INTEGER_DEQUANT=False, SCALE_E8M0=False,
                DOT_IN_FP32=False, NUM_STAGES=config.num_stages, PDL=False, TMA=config.tma,
                num_warps=config.num_warps, num_stages=config.num_stages)
            return out

        same = torch.equal(launch(0), km.fp8_block_matmul(xs[0], *ws[0]))
        ref = float64_reference(xs[0], *ws[0])
        err = ((launch(0).double() - ref).norm() / ref.norm()).item()
        times = {}
        for _ in range(3):
            times.setdefault("rows", []).append(time_calls(launch, copies, graphs=True)["median_us"])
            times.setdefault("lib", []).append(time_calls(
                lambda i, xs=xs: km.fp8_block_matmul(xs[i], *ws[i]), copies, graphs=True)["median_us"])
        best = {key: min(v) for key, v in times.items()}
        print(f"{n}x{k} M={m} {tuple(config)} | library {best['lib']:.2f} | no row mask {best['rows']:.2f} us | "
              f"x{best['lib'] / best['rows']:.3f} | bitwise {same} err {err:.1e}", flush=True)
    ws = descs = None
    torch.cuda.empty_cache()
