"""exp28b (next session): the warp-specialized Gluon kernel (gl28.py) against the library's rule on serving shapes.
``--check``: numerics (float64 reference, rel err < 1e-2) and bitwise repeatability on two small ragged problems,
each config, first (a barrier bug would hang: run under ``timeout``). Then per (N, K, M): the rule's time and each
gl28 config's, CUDA graphs over rotated copies (> 2x L2)."""
import os
import sys
import torch
import triton
from triton.testing import do_bench_cudagraph

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gl28  # noqa: E402
from fp8blk.formats import dequantize_fp8_block  # noqa: E402
from fp8blk.kernels.fp8_block_matmul import fp8_block_matmul  # noqa: E402

L2 = torch.cuda.get_device_properties(0).L2_cache_size
CONFIGS = [dict(block_m=128, split_k=1), dict(block_m=128, split_k=2), dict(block_m=64, split_k=1),
           dict(block_m=64, split_k=2), dict(block_m=64, split_k=4)]


def problem(n, k, m, seed=0):
    g = torch.Generator(device="cuda").manual_seed(seed)
    w = (torch.randn(n, k, device="cuda", generator=g) * 0.5).to(torch.float8_e4m3fn)
    s = torch.rand(triton.cdiv(n, 128), triton.cdiv(k, 128), device="cuda", generator=g) * 1e-2 + 1e-3
    x = torch.randn(m, k, device="cuda", dtype=torch.bfloat16, generator=g)
    return x, w, s


def check():
    for n, k, m in ((1000, 1024, 200), (4096, 2048, 130)):
        x, w, s = problem(n, k, m)
        ref = x.double() @ dequantize_fp8_block(w, s, dtype=torch.float64).T
        for cfg in CONFIGS:
            outs = [gl28.launch(x, w, s, torch.empty(m, n, device="cuda", dtype=torch.bfloat16), **cfg) for _ in range(2)]
            torch.cuda.synchronize()
            err = float((outs[0].double() - ref).norm() / ref.norm())
            same = torch.equal(outs[0], outs[1])
            print(f"check {n}x{k} M={m} {cfg}: rel err {err:.2e} repeatable {same}", flush=True)
            assert err < 1e-2 and same


def time_us(fn_per_copy, copies):
    def run():
        for i in range(copies):
            fn_per_copy(i)
    run()
    return do_bench_cudagraph(run, rep=20, return_mode="median") * 1e3 / copies


def main():
    for n, k in ((4096, 8192), (7168, 16384), (65536, 1536), (32768, 1024), (8192, 1024), (2048, 4096), (7168, 3072)):
        for m in (128, 256, 512):
            copies = max(2, min(32, triton.cdiv(2 * L2, n * k + m * k * 2)))
            data = [problem(n, k, m, seed) for seed in range(copies)]
            out = torch.empty(m, n, device="cuda", dtype=torch.bfloat16)
            cells = [f"rule {time_us(lambda i: fp8_block_matmul(data[i][0], data[i][1], data[i][2], out=out), copies):6.1f}"]
            for cfg in CONFIGS:
                try:
                    us = time_us(lambda i: gl28.launch(data[i][0], data[i][1], data[i][2], out, **cfg), copies)
                    cells.append(f"ws{cfg['block_m']}s{cfg['split_k']} {us:6.1f}")
                except Exception as exc:
                    cells.append(f"ws{cfg['block_m']}s{cfg['split_k']} {type(exc).__name__}")
            print(f"{n:>5}x{k:<5} M={m:<3} " + "  ".join(cells), flush=True)
            data = None  # free the copies before the next shape
            torch.cuda.empty_cache()


if __name__ == "__main__":
    check() if "--check" in sys.argv else main()
