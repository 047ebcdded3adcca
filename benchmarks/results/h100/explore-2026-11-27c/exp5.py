"""Session 2026-11-27c: (a) programmatic dependent launch (PDL) for the decode kernel: off / on / on + L2 prefetch of
the first P steps, per layer and as a Flash-layer chain, CUDA graphs, rotated weights; a dependent chain
(y_{i+1} = W_i y_i) checked bitwise PDL on vs off; (b) tile kernel vs expand path at M = 128..512 with cuBLAS bf16 in
the same run (for a cost-based switch). Installed fp8blk, table off."""
import os, sys, json, statistics
os.environ["FP8BLK_CONFIG_TABLE"] = "0"
import torch, triton
from fp8blk.kernels import fp8_block_matmul, KernelConfig
from fp8blk.bench.timing import time_calls, rotation_count, empty_kernel_us
fbm = sys.modules["fp8blk.kernels.fp8_block_matmul"]
from fp8blk.kernels.fp8_decode import decode_config

OUT = os.environ.get("OUT", "/tmp")
L2 = torch.cuda.get_device_properties(0).L2_cache_size
SMS = torch.cuda.get_device_properties(0).multi_processor_count
DEC_SHAPES = [(512, 4096), (1024, 4096), (1536, 4096), (2048, 4096), (4096, 2048), (8192, 1024), (4096, 8192),
              (32768, 1024), (7168, 16384), (3072, 7168), (1536, 7168), (7168, 3072), (65536, 1536)]

B_SHAPES = [(512, 4096), (1024, 4096), (1536, 4096), (2048, 4096), (4096, 2048), (8192, 1024), (1536, 7168),
            (3072, 7168), (7168, 3072), (4096, 8192), (32768, 1024)]
B_MS = (128, 192, 256, 320, 384, 512)


def set_pdl(on):
    fbm._PDL_ALLOWED = on
    fbm._launch_plan.cache_clear()


def weights(n, k, copies):
    out = []
    for _ in range(copies):
        w = (torch.randn(n, k, device="cuda") * 0.5).to(torch.float8_e4m3fn)
        s = torch.rand(triton.cdiv(n, 128), triton.cdiv(k, 128), device="cuda") * 1e-2 + 1e-3
        out.append((w, s))
    return out


def time_chain(items, m, cfg_of):
    """items: list of (w, s, x); graph replays all of them in order; µs per pass."""
    calls = [(w, s, x, cfg_of(w.shape[0], w.shape[1])) for w, s, x in items]
    def call(i):
        w, s, x, cfg = calls[i]
        return fp8_block_matmul(x, w, s, config=cfg)
    r = time_calls(call, len(calls), graphs=True, reps=30)
    return r["median_us"] * len(calls)


def variants_of(m, n, k):
    rule = decode_config(m, n, k, 1, 128, SMS)
    steps = triton.cdiv(triton.cdiv(k, rule.sub_k * rule.subs), rule.split_k)
    return rule, steps, [("off", False, 0), ("pdl", True, 0), ("p1", True, 1), ("p2", True, 2), ("p4", True, 4),
                         ("pall", True, min(32, triton.next_power_of_2(steps)))]


def compile_jobs():
    jobs = []
    for n, k in DEC_SHAPES + [(4096, 4096)]:
        for m in (1, 4, 8, 16):
            rule, _, variants = variants_of(m, n, k)
            for _, on, pf in variants:
                jobs.append((n, k, m, on, tuple(rule._replace(prefetch_steps=pf))))
    for n, k in B_SHAPES:
        for m in B_MS:
            jobs.append((n, k, m, True, tuple(fbm.default_config(m, n, k, 1, 128, SMS, expand_ok=False))))
    for on in (False, True):
        jobs.append((4096, 4096, 64, on, tuple(fbm.default_config(64, 4096, 4096, 1, 128, SMS, expand_ok=False))))
    return list(dict.fromkeys(jobs))


def warm(job):
    n, k, m, on, fields = job
    from fp8blk.kernels import DecodeConfig
    set_pdl(on)
    cfg = DecodeConfig(*fields) if len(fields) == 9 else KernelConfig(*fields)
    x = torch.randn(m, k, device="cuda").to(torch.bfloat16)
    w = torch.randn(n, k, device="cuda").to(torch.float8_e4m3fn)
    s = torch.rand(triton.cdiv(n, 128), triton.cdiv(k, 128), device="cuda")
    try:
        fp8_block_matmul(x, w, s, config=cfg); torch.cuda.synchronize(); return "ok"
    except Exception as exc:
        return f"{type(exc).__name__}: {str(exc)[:200]}"


def part_warm():
    import multiprocessing
    todo = compile_jobs()
    with multiprocessing.get_context("spawn").Pool(15) as pool:
        built = pool.map(warm, todo, chunksize=1)
    print(f"{len(todo)} builds; failed:", [(j, b) for j, b in zip(todo, built) if b != "ok"][:4], flush=True)


def part_a():
    print(f"empty kernel in a graph: {empty_kernel_us():.2f} us; SMs {SMS}; L2 {L2 >> 20} MB", flush=True)
    rows = []
    for n, k in DEC_SHAPES:
        copies = rotation_count(n * k, L2)
        ws = weights(n, k, copies)
        for m in (1, 4, 16):
            xs = [torch.randn(m, k, device="cuda", dtype=torch.bfloat16) for _ in range(copies)]
            rule, steps, variants = variants_of(m, n, k)
            res = {}
            ref = None
            for tag, on, pf in variants:
                set_pdl(on)
                cfg = rule._replace(prefetch_steps=pf)
                us = time_chain([(w, s, x) for (w, s), x in zip(ws, xs)], m, lambda *_: cfg) / copies
                y = fp8_block_matmul(xs[0], ws[0][0], ws[0][1], config=cfg)
                if ref is None:
                    ref = y
                same = torch.equal(y, ref)
                res[tag] = us
                rows.append({"N": n, "K": k, "M": m, "variant": tag, "prefetch": pf, "us": us, "same": same})
            gbps = lambda us: (n * k) / (us * 1e-6) / 1e9
            print(f"{n:5d}x{k:5d} M={m:2d} steps/prog={steps:3d} " +
                  " ".join(f"{t}={v:6.2f}" for t, v in res.items()) +
                  f"  best={min(res, key=res.get)} {gbps(min(res.values())):5.0f} GB/s", flush=True)
        del ws
    # the Flash layer as a chain of launches (each shape once, rotated), M = 1 and 16
    chain = [(1536, 4096), (32768, 1024), (4096, 8192), (8192, 1024), (4096, 4096), (4096, 2048)]
    per_copy = sum(n * k for n, k in chain)
    copies = rotation_count(per_copy, L2)
    wsets = {shape: weights(*shape, copies) for shape in chain}
    for m in (1, 16):
        items = []
        for c in range(copies):
            for n, k in chain:
                w, s = wsets[(n, k)][c]
                items.append((w, s, torch.randn(m, k, device="cuda", dtype=torch.bfloat16)))
        out = {}
        for tag, on, pf in [("off", False, 0), ("pdl", True, 0), ("p2", True, 2), ("p4", True, 4)]:
            set_pdl(on)
            out[tag] = time_chain(items, m, lambda n, k: decode_config(m, n, k, 1, 128, SMS)._replace(prefetch_steps=pf)) / copies
        print(f"chain M={m}: " + " ".join(f"{t}={v:6.1f}" for t, v in out.items()) + " us per layer", flush=True)
        rows.append({"chain": chain, "M": m, **out})
    # dependent chain: y_{i+1} = W_i y_i (square 4096), PDL on vs off must agree bitwise after graph replay
    for m in (1, 8, 64):
        ws = weights(4096, 4096, 8)
        x0 = torch.randn(m, 4096, device="cuda", dtype=torch.bfloat16)
        results = {}
        for on in (False, True):
            set_pdl(on)
            buf = [x0.clone()] + [torch.empty(m, 4096, device="cuda", dtype=torch.bfloat16) for _ in ws]
            def run():
                for i, (w, s) in enumerate(ws):
                    fp8_block_matmul(buf[i], w, s, out=buf[i + 1])
                    buf[i + 1].mul_(0.05)  # a non-PDL kernel between, as in a model
            run(); torch.cuda.synchronize()
            g = torch.cuda.CUDAGraph()
            with torch.cuda.graph(g):
                run()
            for _ in range(3):
                buf[0].copy_(x0); g.replay()
            torch.cuda.synchronize()
            results[on] = buf[-1].clone()
            # back to back, no kernel between: each launch reads the previous one's output
            buf2 = [x0.clone()] + [torch.empty(m, 4096, device="cuda", dtype=torch.bfloat16) for _ in ws]
            def run2():
                for i, (w, s) in enumerate(ws):
                    fp8_block_matmul(buf2[i], w, s, out=buf2[i + 1])
            run2(); torch.cuda.synchronize()
            g2 = torch.cuda.CUDAGraph()
            with torch.cuda.graph(g2):
                run2()
            for _ in range(3):
                buf2[0].copy_(x0); g2.replay()
            torch.cuda.synchronize()
            results[(on, "b2b")] = buf2[-1].clone()
        print(f"dependent chain M={m}: with mul between equal={torch.equal(results[False], results[True])} "
              f"back-to-back equal={torch.equal(results[(False, 'b2b')], results[(True, 'b2b')])} "
              f"finite={bool(results[True].isfinite().all())}", flush=True)
    set_pdl(True)
    json.dump(rows, open(OUT + "/exp5_pdl.json", "w"), indent=1)


def part_b():
    set_pdl(True)
    rows = []
    for n, k in B_SHAPES:
        copies = rotation_count(n * k, L2)
        ws = weights(n, k, copies)
        dense = [(w.float() * s.repeat_interleave(128, 0)[:n].repeat_interleave(128, 1)[:, :k]).to(torch.bfloat16)
                 for w, s in ws[:rotation_count(2 * n * k, L2)]]
        line = []
        for m in B_MS:
            xs = [torch.randn(m, k, device="cuda", dtype=torch.bfloat16) for _ in range(copies)]
            tile_cfg = fbm.default_config(m, n, k, 1, 128, SMS, expand_ok=False)
            exp_cfg = KernelConfig(64, 1, 128, 1, 4, 1, expand_weight=True)
            t_tile = time_chain([(w, s, x) for (w, s), x in zip(ws, xs)], m, lambda *_: tile_cfg) / copies
            t_exp = time_chain([(w, s, x) for (w, s), x in zip(ws, xs)], m, lambda *_: exp_cfg) / copies
            r = time_calls(lambda i: xs[i % copies] @ dense[i].T, len(dense), graphs=True, reps=30)
            t_cub = r["median_us"]
            rows.append({"N": n, "K": k, "M": m, "tile": t_tile, "expand": t_exp, "cublas": t_cub})
            line.append(f"M={m}: t{t_tile:5.1f} e{t_exp:5.1f} c{t_cub:5.1f}")
        print(f"{n:5d}x{k:5d} " + " | ".join(line), flush=True)
    json.dump(rows, open(OUT + "/exp5_expand.json", "w"), indent=1)


if __name__ == "__main__":
    for part in sys.argv[1:]:
        {"w": part_warm, "a": part_a, "b": part_b}[part]()
