"""exp139: SM clock and board power while the serving kernel and cuBLAS bf16 run back to back for ~3 s each at
7168 x 16384 M = 1024 / 2048 (the serving kernel forced 128-row at 2048), sampled by nvidia-smi every 50 ms; with
each run's time per call. Is the serving kernel power-limited where it trails cuBLAS (prof138: level with it at the
clocks ncu locks, 0.81x at free clocks in exp132)?"""
import subprocess
import sys
import time

import torch
import torch.nn.functional as F
from fp8blk.bench.inputs import random_fp8_weight
from fp8blk.kernels.fp8_tile import KernelConfig
import fp8blk.kernels  # noqa: F401
km = sys.modules["fp8blk.kernels.fp8_block_matmul"]
S128 = KernelConfig(128, 128, 128, 1, 4, 4, tma=True, split_x=True, warp_specialized=True)
n, k = 7168, 16384
w, s = random_fp8_weight(n, k)
wb = torch.randn(n, k, device="cuda", dtype=torch.bfloat16)


def sample(call, seconds=3.0):
    smi = subprocess.Popen(["nvidia-smi", "--query-gpu=clocks.sm,power.draw,temperature.gpu,clocks_throttle_reasons.active",
                            "--format=csv,noheader,nounits", "-lms", "50"], stdout=subprocess.PIPE, text=True)
    time.sleep(0.3)
    start, calls = time.time(), 0
    ev0, ev1 = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    ev0.record()
    while time.time() - start < seconds:
        for _ in range(20):
            call()
        calls += 20
        torch.cuda.synchronize()
    ev1.record()
    torch.cuda.synchronize()
    smi.terminate()
    rows = [line.split(", ") for line in smi.communicate()[0].strip().splitlines()[5:-2]]
    clocks = sorted(float(r[0]) for r in rows)
    power = sorted(float(r[1]) for r in rows)
    reasons = sorted({r[3] for r in rows})
    return ev0.elapsed_time(ev1) * 1000 / calls, clocks[len(clocks) // 2], power[len(power) // 2], rows[-1][2], reasons


for m in (1024, 2048):
    x = torch.randn(m, k, device="cuda").to(torch.bfloat16)
    for name, call in (("serving", lambda: km.fp8_block_matmul(x, w, s, config=S128)), ("cublas", lambda: F.linear(x, wb)),
                       ("serving", lambda: km.fp8_block_matmul(x, w, s, config=S128))):
        us, clock, power, temp, reasons = sample(call)
        print(f"M={m} {name}: {us:.1f} us/call, SM clock median {clock:.0f} MHz, power median {power:.0f} W, "
              f"temp {temp} C, throttle reasons {reasons}", flush=True)
