"""exp33 (next session): gl28 with a deeper bf16 operand ring (3 tiles: the converter may run two steps ahead of the
MMA instead of one) and/or an eight-warp converter (16 warps; setmaxnreg: MMA 256, converter 96), against gl28 as
run in exp28b and the library's rule. ncu28b (v41): gl28's tensor pipe 40-42% of active cycles, long-scoreboard
stalls 3.5-4.3 per issue; 4096x8192 M=256 at 128x128 took 0.875 us a K-step where its wgmma needs ~0.28.
``--check`` first (numerics and bitwise repeatability; a barrier bug would hang: run under ``timeout``). Built
offline for sm_90 (`python gl28.py`): no spills; the barrier protocol with 3 bf16 tiles checked by gl28_protocol.py."""
import os
import sys

import torch
import triton

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gl28  # noqa: E402
from exp28b import L2, problem, time_us  # noqa: E402
from fp8blk.formats import dequantize_fp8_block  # noqa: E402
from fp8blk.kernels.fp8_block_matmul import fp8_block_matmul  # noqa: E402

CONFIGS = {"gl28": dict(block_m=128),
           "bf3": dict(block_m=128, bf16_stages=3),
           "cw8": dict(block_m=128, convert_warps=8, maxnreg=128, convert_regs=96),
           "bf3cw8": dict(block_m=128, bf16_stages=3, convert_warps=8, maxnreg=128, convert_regs=96),
           "64bf3cw8": dict(block_m=64, bf16_stages=3, convert_warps=8, maxnreg=128, convert_regs=96)}


def check():
    for n, k, m in ((1000, 1024, 200), (4096, 2048, 130)):
        x, w, s = problem(n, k, m)
        ref = x.double() @ dequantize_fp8_block(w, s, dtype=torch.float64).T
        for name, cfg in CONFIGS.items():
            outs = [gl28.launch(x, w, s, torch.empty(m, n, device="cuda", dtype=torch.bfloat16), **cfg)
                    for _ in range(2)]
            torch.cuda.synchronize()
            err = float((outs[0].double() - ref).norm() / ref.norm())
            same = torch.equal(outs[0], outs[1])
            print(f"check {n}x{k} M={m} {name}: rel err {err:.2e} repeatable {same}", flush=True)
            assert err < 1e-2 and same


def main():
    for n, k in ((4096, 8192), (7168, 16384), (65536, 1536), (8192, 1024), (7168, 3072)):
        for m in (128, 256, 512):
            copies = max(2, min(32, triton.cdiv(2 * L2, n * k + m * k * 2)))
            data = [problem(n, k, m, seed) for seed in range(copies)]
            out = torch.empty(m, n, device="cuda", dtype=torch.bfloat16)
            cells = [f"rule {time_us(lambda i: fp8_block_matmul(data[i][0], data[i][1], data[i][2], out=out), copies):6.1f}"]
            for name, cfg in CONFIGS.items():
                try:
                    us = time_us(lambda i: gl28.launch(data[i][0], data[i][1], data[i][2], out, **cfg), copies)
                    cells.append(f"{name} {us:6.1f}")
                except Exception as exc:  # noqa: BLE001 - a variant that does not fit: say so, go on
                    cells.append(f"{name} {type(exc).__name__}")
            print(f"{n:>5}x{k:<5} M={m:<3} " + "  ".join(cells), flush=True)
            data = None
            torch.cuda.empty_cache()


if __name__ == "__main__":
    check() if "--check" in sys.argv else main()
