"""Next session (plan item 1 after v28): the MMA decode path on long-K / large layers, M = 2..32: rule vs splits
that fill whole rounds of resident programs, 4 stages, 2 scale blocks per step, 128-row programs (8 warps).
Installed fp8blk, table off, CUDA graphs, rotated weights. Run: python3 exp9.py w; exp9.py t (large); exp9.py s (small layers, M = 1..4)"""
import os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
os.environ["FP8BLK_CONFIG_TABLE"] = "0"
import torch, triton
from fp8blk.kernels import fp8_block_matmul, DecodeConfig
from fp8blk.kernels.fp8_decode import decode_config
from fp8blk.bench.timing import time_calls, rotation_count

SMS = torch.cuda.get_device_properties(0).multi_processor_count
L2 = torch.cuda.get_device_properties(0).L2_cache_size
SHAPES = [(7168, 16384), (18432, 7168), (7168, 18432), (65536, 1536), (24576, 1536), (4096, 8192), (32768, 1024)]
MS = (2, 4, 8, 16, 32)


def variants(m, n, k):
    rule = decode_config(m, n, k, 1, 128, SMS)
    out = {"rule": rule}
    for split in (2, 4, 8, 16):
        if split != rule.split_k:
            out[f"split{split}"] = rule._replace(split_k=split)
    out["st4"] = rule._replace(num_stages=4)
    out["subs2"] = rule._replace(subs=2)
    out["bn128w8"] = rule._replace(block_n=128, num_warps=8)
    return out


SMALL = [(512, 4096), (1024, 4096), (512, 7168), (2048, 4096), (1024, 7168)]
SMALL_MS = (1, 2, 4)


def small_variants(m, n, k):
    rule = decode_config(m, n, k, 1, 128, SMS)
    out = {"rule": rule}
    for w in (1, 2, 8):
        if w != rule.num_warps:
            out[f"w{w}"] = rule._replace(num_warps=w)
    if not rule.use_mma:
        if rule.block_n > 1:
            out["bn/2"] = rule._replace(block_n=rule.block_n // 2)
        out["bn*2"] = rule._replace(block_n=rule.block_n * 2)
        if rule.subs > 1:
            out["subs/2"] = rule._replace(subs=rule.subs // 2)
            out["subs/2s2"] = rule._replace(subs=rule.subs // 2, split_k=rule.split_k * 2)
        if rule.subs >= 4:
            out["subs/4s4"] = rule._replace(subs=rule.subs // 4, split_k=rule.split_k * 4)
    return out


def warm(job):
    n, k, m, fields = job
    x = torch.randn(m, k, device="cuda").to(torch.bfloat16)
    w = torch.randn(n, k, device="cuda").to(torch.float8_e4m3fn)
    s = torch.rand(triton.cdiv(n, 128), triton.cdiv(k, 128), device="cuda")
    try:
        fp8_block_matmul(x, w, s, config=DecodeConfig(*fields)); torch.cuda.synchronize(); return "ok"
    except Exception as exc:
        return f"{type(exc).__name__}: {str(exc)[:160]}"


def main(part):
    if part == "w":
        import multiprocessing
        todo = list(dict.fromkeys((n, k, m, tuple(c)) for n, k in SHAPES for m in MS for c in variants(m, n, k).values()))
        todo += list(dict.fromkeys((n, k, m, tuple(c)) for n, k in SMALL for m in SMALL_MS
                                   for c in small_variants(m, n, k).values()))
        with multiprocessing.get_context("spawn").Pool(15) as pool:
            built = pool.map(warm, todo, chunksize=1)
        print(f"{len(todo)} builds; failed:", [(j, b) for j, b in zip(todo, built) if b != "ok"][:4], flush=True)
        return
    shapes, ms, make = (SMALL, SMALL_MS, small_variants) if part == "s" else (SHAPES, MS, variants)
    for n, k in shapes:
        copies = rotation_count(n * k, L2)
        ws = [((torch.randn(n, k, device="cuda") * 0.5).to(torch.float8_e4m3fn),
               torch.rand(triton.cdiv(n, 128), triton.cdiv(k, 128), device="cuda") * 1e-2 + 1e-3) for _ in range(copies)]
        for m in ms:
            xs = [torch.randn(m, k, device="cuda", dtype=torch.bfloat16) for _ in range(copies)]
            res = {}
            for tag, cfg in make(m, n, k).items():
                try:
                    r = time_calls(lambda i: fp8_block_matmul(xs[i], ws[i][0], ws[i][1], config=cfg), copies, graphs=True)
                    res[tag] = r["median_us"]
                except Exception:
                    res[tag] = float("nan")
            gbps = n * k / (min(res.values()) * 1e-6) / 1e9
            print(f"{n:5d}x{k:5d} M={m:2d} " + " ".join(f"{t}={v:.1f}" for t, v in res.items())
                  + f"  best={min(res, key=res.get)} {gbps:.0f} GB/s", flush=True)
        del ws


if __name__ == "__main__":
    main(sys.argv[1])
