"""exp96 (prepared 2026-11-28g, not run; NOTES plan after v48, item 2): split and depth of TMA decode launches chosen
together, residency from the build. For each layer and M the candidate rule takes, among splits 1..16 (>= 16 steps a
program) and 3 / 4 stages, those whose programs all fit one round -- by the build's shared memory and its registers
rounded to the 256-register warp allocation unit (the M = 4 / 16 anomaly of item 91) -- and keep the SM's share of
DRAM bandwidth x IN_FLIGHT_US in flight; of those the best balance (programs a SM / its ceiling), then the fewest
programs. Times the candidate against v48's launch (three alternating rounds, CUDA graphs, weights rotated) on
exp95's layers and layers none of exp83-95 timed. Builds come from aot_compile (Triton's JIT specializes M on
divisibility by 16: the M = 16 builds are compiled that way here too)."""
import importlib
import json
import math
import os
import re
import subprocess
import tempfile

import torch
from fp8blk.bench.inputs import random_fp8_weight, float64_reference
from fp8blk.bench.timing import time_calls
from fp8blk.kernels import fp8_block_matmul, launch_config
from fp8blk.kernels.fp8_decode import IN_FLIGHT_US, TMA_MIN_STEPS

km = importlib.import_module("fp8blk.kernels.fp8_block_matmul")
props = torch.cuda.get_device_properties(0)
SMS = props.multi_processor_count
REGS = getattr(props, "regs_per_multiprocessor", 65536)  # sm_90
SMEM = getattr(props, "shared_memory_per_multiprocessor", 228 * 1024)
GBPS = km._dram_gbps(torch.device("cuda", 0))
_build = km._build_for
PTXAS = os.path.join(os.path.dirname(importlib.import_module("triton.backends.nvidia").__file__), "bin", "ptxas")


def build(cfg, m):
    """The build the JIT makes for this M (divisible by 16 or not): (registers a thread, shared bytes)."""
    def specialized(capability, kernel, signature, constexprs, options, attrs=None):
        if attrs is not None and m % 16 == 0:
            attrs = dict(attrs)
            attrs[(kernel.arg_names.index("M"),)] = [["tt.divisibility", 16]]
        return _build(capability, kernel, signature, constexprs, options, attrs)
    km._build_for = specialized
    try:
        k = km.aot_compile(90, cfg)
    finally:
        km._build_for = _build
    with tempfile.NamedTemporaryFile("w", suffix=".ptx", delete=False) as f:
        f.write(k.asm["ptx"])
    report = subprocess.run([PTXAS, "-arch=sm_90a", "-v", f.name, "-o", os.devnull], capture_output=True,
                            text=True).stderr  # Triton's own ptxas, as the JIT assembles the build
    return int(re.search(r"Used (\d+) registers", report).group(1)), k.metadata.shared


def resident(cfg, m):
    regs, shared = build(cfg, m)
    warp_regs = -(-regs * 32 // 256) * 256
    return min(SMEM // max(shared, 1), REGS // (warp_regs * cfg.num_warps)), regs, shared


def candidate(m, n, k):
    rule = launch_config(m, n, k)
    if not rule.tma:
        return rule, None
    tiles, steps, box = math.ceil(n / rule.block_n), math.ceil(k / rule.sub_k), rule.block_n * rule.sub_k
    need = GBPS * 1e3 / SMS * IN_FLIGHT_US
    best = None
    for split in range(1, 17):
        if math.ceil(steps / split) < TMA_MIN_STEPS:
            break
        for stages in (3, 4):
            cfg = rule._replace(split_k=split, num_stages=stages)
            per_sm = tiles * split / SMS
            fits, regs, shared = resident(cfg, m)
            if math.ceil(per_sm) > fits or per_sm * (stages - 1) * box < need:
                continue
            key = (round(per_sm / math.ceil(per_sm), 2), -tiles * split, -stages)
            if best is None or key > best[0]:
                best = (key, cfg, dict(per_sm=round(per_sm, 2), fits=fits, regs=regs, shared=shared))
    return rule, best


l2 = props.L2_cache_size
records = []
LAYERS = [(7168, 16384), (7168, 18432), (3584, 18944), (9216, 12288), (18432, 7168), (8192, 6144),  # exp95
          (5120, 16384), (10240, 8192), (6144, 12288), (16384, 6144), (4608, 20480), (12288, 10240)]  # never timed
for n, k in LAYERS:
    copies = max(2, -(-2 * l2 // (n * k)))
    ws = [random_fp8_weight(n, k) for _ in range(copies)]
    for m in (2, 4, 8, 16):
        rule, best = candidate(m, n, k)
        if best is None or best[1] == rule:
            print(f"{n}x{k} M={m}: candidate = v48 {tuple(rule)[4:8]}", flush=True)
            continue
        cfg, why = best[1], best[2]
        xs = [torch.randn(m, k, device="cuda").to(torch.bfloat16) for _ in range(copies)]
        ref = float64_reference(xs[0], *ws[0])
        y = fp8_block_matmul(xs[0], *ws[0], config=cfg)
        assert ((y.double() - ref).norm() / ref.norm()).item() < 4e-3
        times = {"v48": [], "candidate": []}
        for _ in range(3):
            for name, c in (("v48", rule), ("candidate", cfg)):
                times[name].append(time_calls(lambda i, c=c: fp8_block_matmul(xs[i], *ws[i], config=c), copies,
                                              graphs=True)["median_us"])
        a, b = min(times["v48"]), min(times["candidate"])
        records.append(dict(n=n, k=k, m=m, v48=tuple(rule), candidate=tuple(cfg), why=why, times=times))
        print(f"{n}x{k} M={m}: v48 s{rule.split_k}st{rule.num_stages} {a:.1f} us | candidate s{cfg.split_k}"
              f"st{cfg.num_stages} {b:.1f} ({why}) speed x{a / b:.3f}", flush=True)
        json.dump(records, open(os.path.join(os.environ.get("OUT", "/tmp"), "exp96.json"), "w"), indent=1)
    ws = xs = None
    torch.cuda.empty_cache()
