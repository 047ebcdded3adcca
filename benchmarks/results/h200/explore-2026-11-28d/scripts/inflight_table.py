"""NOTES item 73 (offline, run from the checkout root with TRITON_INTERPRET unset): the M = 1 rule launches of the
committed runs by bytes in flight per SM (AOT sm_90 registers and shared memory) against their % of read bandwidth."""
import json, os, subprocess, tempfile, math, importlib
import torch, triton, triton.backends.nvidia
from fp8blk.kernels.fp8_block_matmul import aot_compile
from fp8blk.kernels.fp8_decode import decode_config
PTXAS = os.path.join(os.path.dirname(triton.backends.nvidia.__file__), "bin", "ptxas")
cache = {}
def build(cfg):
    if cfg not in cache:
        c = aot_compile(90, cfg)
        with tempfile.NamedTemporaryFile("w", suffix=".ptx") as f:
            f.write(c.asm["ptx"]); f.flush()
            log = subprocess.run([PTXAS, "-arch=sm_90a", "-v", f.name, "-o", os.devnull], capture_output=True, text=True).stderr
        regs = int(log.split("Used ")[1].split(" registers")[0])
        cache[cfg] = (regs, c.metadata.shared)
    return cache[cfg]
rows = []
for gpu, models in (("h100", ("deepseek-v4-flash", "deepseek-v4-pro", "deepseek-v3")), ("h200", ("deepseek-v4-flash", "deepseek-v4-pro"))):
    for model in models:
        r = json.load(open(f"benchmarks/results/{gpu}/{model}/results.json"))
        read = r["env"]["read_GBps"]
        for p in r["records"]:
            if p["impl"] != "fp8blk" or p["M"] != 1 or p["groups"] != 1 or not p.get("median_us"): continue
            n, k = p["N"], p["K"]
            if n * k < 8 * 2**20: continue
            cfg = decode_config(1, n, k, 1, 128, 132)
            regs, shared = build(cfg)
            threads = 32 * cfg.num_warps
            resident = min(2048 // threads, 65536 // (threads * regs), (228 * 1024) // (shared + 1024), 32)
            programs = triton.cdiv(n, cfg.block_n) * cfg.split_k
            per_sm = min(programs / 132, resident)
            step = cfg.block_n * cfg.sub_k * cfg.subs
            inflight = per_sm * (cfg.num_stages - 1) * step / 1024
            bw = n * k / (p["median_us"] * 1e-6) / 1e9 / read * 100
            rows.append((gpu, model, n, k, tuple(cfg)[:8], round(per_sm, 1), round(inflight), round(bw)))
for row in sorted(set(rows), key=lambda r: (r[0], r[6])):
    print(*row)
