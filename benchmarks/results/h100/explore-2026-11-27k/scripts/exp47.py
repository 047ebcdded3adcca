"""exp47 (item 51, next session): the slow level after a large new allocation — a transient or a state? Marlin and
cuBLAS bf16 too. 7168x16384 M=1, the harness's module and timing. After a new 2 GB buffer: time at once, after a
0.1 s and a 1 s wait (buffer freed to the cache), with the buffer kept alive, and after empty_cache; Marlin and
cuBLAS timed first after a fresh allocation."""
import os, time
import torch
from fp8blk.bench.impls import MarlinFactory, make_cublas_bf16, make_fp8blk
from fp8blk.bench.inputs import random_fp8_weight
from fp8blk.bench.timing import time_calls

n, k, m = 7168, 16384, 1
ws = [random_fp8_weight(n, k) for _ in range(2)]
xs = [torch.randn(m, k, device="cuda").to(torch.bfloat16) for _ in range(2)]
weights, scales = [w for w, _ in ws], [s for _, s in ws]
calls = {"fp8blk": make_fp8blk(weights, scales, xs), "cublas_bf16": make_cublas_bf16(weights, scales, xs)}
try:
    calls["marlin"] = MarlinFactory()(weights, scales, xs)
except Exception as exc:  # noqa: BLE001
    print("marlin:", type(exc).__name__, str(exc)[:120])
torch.cuda.empty_cache()


def t(tag, impl="fp8blk"):
    r = time_calls(calls[impl], 2, graphs=True)
    print(f"{tag:<44} {impl:<12} {r['median_us']:.1f} [{r['p10_us']:.1f}-{r['p90_us']:.1f}]", flush=True)


def big():
    buf = torch.empty(2 << 30, dtype=torch.uint8, device="cuda")
    return buf


for impl in calls:
    t("control", impl)
for rnd in range(2):
    b = big(); del b; t("new 2 GB, freed to the cache, at once")
    torch.cuda.empty_cache()
    b = big(); del b; time.sleep(0.1); t("new 2 GB, freed to the cache, 0.1 s later")
    torch.cuda.empty_cache()
    b = big(); del b; time.sleep(1.0); t("new 2 GB, freed to the cache, 1 s later")
    torch.cuda.empty_cache()
    b = big(); t("new 2 GB kept alive, at once"); time.sleep(1.0); t("new 2 GB kept alive, 1 s later"); del b
    torch.cuda.empty_cache(); t("control after empty_cache")
    for impl in calls:
        if impl != "fp8blk":
            b = big(); del b; t("new 2 GB, freed to the cache, at once", impl); torch.cuda.empty_cache()
            t("  control", impl)
