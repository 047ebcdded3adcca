"""exp42 (item 51): is the slow level of the >= 96 MB layers the weight data? The harness's point path (its timing,
Fp8BlockLinear) on weights made three ways, fresh allocations each round, four rounds in rotated order:
  quant  = quantize_fp8_block(randn * 0.02)        (the harness's weights: e4m3 over its full range)
  cast   = randn.to(float8_e4m3fn)                 (the exp scripts' weights: |w| < ~5, few exponents)
  bytes  = uniform random bytes (NaN codes cleared) (every bit toggling)
with the harness's fp32 scales from the quant path in all three (the time does not depend on their values)."""
import os, json, statistics
import torch
from fp8blk.formats import quantize_fp8_block
from fp8blk.bench.impls import make_fp8blk
from fp8blk.bench.timing import rotation_count, time_calls

l2 = torch.cuda.get_device_properties(0).L2_cache_size


def weights_of(kind, n, k, copies):
    out = []
    for _ in range(copies):
        w, s = quantize_fp8_block(torch.randn(n, k, device="cuda") * 0.02)
        if kind == "cast":
            w = torch.randn(n, k, device="cuda").to(torch.float8_e4m3fn)
        elif kind == "bytes":
            b = torch.randint(0, 256, (n, k), device="cuda", dtype=torch.uint8)
            b[(b & 0x7F) == 0x7F] = 0x7E
            w = b.view(torch.float8_e4m3fn)
        out.append((w, s))
    return out


rows = []
for n, k, m in ((7168, 16384, 1), (65536, 1536, 1), (7168, 16384, 4)):
    copies = rotation_count(n * k + m * k * 2 + m * n * 2, l2)
    kinds = ["quant", "cast", "bytes"]
    times = {kd: [] for kd in kinds}
    for rnd in range(4):
        order = kinds[rnd % 3:] + kinds[:rnd % 3]
        for kd in order:
            ws = weights_of(kd, n, k, copies)
            xs = [torch.randn(m, k, device="cuda").to(torch.bfloat16) for _ in range(copies)]
            call = make_fp8blk([w for w, _ in ws], [s for _, s in ws], xs)
            r = time_calls(call, copies, graphs=True)
            times[kd].append((r["median_us"], r["p10_us"], r["p90_us"]))
            del ws, xs, call
            torch.cuda.empty_cache()
    for kd in kinds:
        cells = " ".join(f"{a:.1f}[{b:.1f}-{c:.1f}]" for a, b, c in times[kd])
        print(f"{n}x{k} M={m} {kd:<5} median {statistics.median(a for a, _, _ in times[kd]):.1f}  rounds {cells}", flush=True)
        rows.append({"N": n, "K": k, "M": m, "weights": kd, "rounds": times[kd]})
json.dump(rows, open(os.path.join(os.environ.get("OUT", "/tmp"), "exp42.json"), "w"), indent=1)
