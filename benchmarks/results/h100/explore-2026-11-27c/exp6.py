"""Session 2026-11-27c, second call: (a2) PDL trigger placement (env FP8BLK_PDL_TRIGGER: 0 at start, 1 after the
wait, 2 after the K loop) x prefetch 0/1, per layer and as a chain; (c) the decode kernel (MMA path) at M = 24..256
against the tile rule. Installed fp8blk, table off, CUDA graphs, rotated weights."""
import os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from exp5 import *  # noqa: F401,F403  (set_pdl, weights, time_chain, warm, SMS, L2, fbm, ...)
import exp5

A2_SHAPES = [(512, 4096), (1024, 4096), (2048, 4096), (8192, 1024), (4096, 8192), (32768, 1024), (3072, 7168)]
C_SHAPES = [(512, 4096), (1024, 4096), (2048, 4096), (4096, 2048), (8192, 1024), (4096, 8192), (32768, 1024),
            (3072, 7168), (7168, 16384)]
C_MS = (24, 32, 48, 64, 96, 128, 192, 256)
TRIG = os.environ.get("FP8BLK_PDL_TRIGGER", "2")


def c_variants(m, n, k):
    rule = decode_config(m, n, k, 1, 128, SMS)
    out = [("dec", rule)]
    if rule.block_m >= 64:
        out += [("dec8w", rule._replace(num_warps=8)), ("dec2st", rule._replace(num_stages=2))]
    return out


def jobs6():
    jobs = []
    for n, k in A2_SHAPES + [(1536, 4096), (4096, 4096)]:
        for m in (1, 16):
            rule = decode_config(m, n, k, 1, 128, SMS)
            for on, pf in ((False, 0), (True, 0), (True, 1)):
                jobs.append((n, k, m, on, tuple(rule._replace(prefetch_steps=pf))))
    if TRIG == "2":
        for n, k in C_SHAPES:
            for m in C_MS:
                jobs.append((n, k, m, True, tuple(fbm.default_config(m, n, k, 1, 128, SMS, expand_ok=False))))
                jobs += [(n, k, m, True, tuple(cfg)) for _, cfg in c_variants(m, n, k)]
    return list(dict.fromkeys(jobs))


def part_w6():
    import multiprocessing
    todo = jobs6()
    with multiprocessing.get_context("spawn").Pool(15) as pool:
        built = pool.map(exp5.warm, todo, chunksize=1)
    print(f"trigger {TRIG}: {len(todo)} builds; failed:", [(j, b) for j, b in zip(todo, built) if b != "ok"][:4],
          flush=True)


def part_a2():
    for n, k in A2_SHAPES:
        copies = rotation_count(n * k, L2)
        ws = weights(n, k, copies)
        for m in (1, 16):
            xs = [torch.randn(m, k, device="cuda", dtype=torch.bfloat16) for _ in range(copies)]
            rule = decode_config(m, n, k, 1, 128, SMS)
            res = {}
            for tag, on, pf in (("off", False, 0), ("pdl", True, 0), ("p1", True, 1)):
                set_pdl(on)
                cfg = rule._replace(prefetch_steps=pf)
                res[tag] = time_chain([(w, s, x) for (w, s), x in zip(ws, xs)], m, lambda *_: cfg) / copies
            print(f"trigger {TRIG} {n:5d}x{k:5d} M={m:2d} " + " ".join(f"{t}={v:6.2f}" for t, v in res.items()), flush=True)
        del ws
    chain = [(1536, 4096), (32768, 1024), (4096, 8192), (8192, 1024), (4096, 4096), (4096, 2048)]
    copies = rotation_count(sum(n * k for n, k in chain), L2)
    wsets = {shape: weights(*shape, copies) for shape in chain}
    for m in (1, 16):
        items = [(*wsets[(n, k)][c], torch.randn(m, k, device="cuda", dtype=torch.bfloat16))
                 for c in range(copies) for n, k in chain]
        out = {}
        for tag, on, pf in (("off", False, 0), ("pdl", True, 0), ("p1", True, 1)):
            set_pdl(on)
            out[tag] = time_chain(items, m, lambda n, k: decode_config(m, n, k, 1, 128, SMS)._replace(prefetch_steps=pf)) / copies
        print(f"trigger {TRIG} chain M={m}: " + " ".join(f"{t}={v:6.1f}" for t, v in out.items()) + " us per layer", flush=True)


def part_c():
    set_pdl(True)
    for n, k in C_SHAPES:
        copies = rotation_count(n * k, L2)
        ws = weights(n, k, copies)
        line = []
        for m in C_MS:
            xs = [torch.randn(m, k, device="cuda", dtype=torch.bfloat16) for _ in range(copies)]
            tile_cfg = fbm.default_config(m, n, k, 1, 128, SMS, expand_ok=False)
            res = {"tile": time_chain([(w, s, x) for (w, s), x in zip(ws, xs)], m, lambda *_: tile_cfg) / copies}
            for tag, cfg in c_variants(m, n, k):
                try:
                    res[tag] = time_chain([(w, s, x) for (w, s), x in zip(ws, xs)], m, lambda *_: cfg) / copies
                except Exception as exc:  # e.g. out of shared memory
                    res[tag] = float("nan")
                    torch.cuda.synchronize()
            line.append(f"M={m}: " + " ".join(f"{t}={v:.1f}" for t, v in res.items()))
        print(f"{n:5d}x{k:5d} split={decode_config(64, n, k, 1, 128, SMS).split_k} " + " | ".join(line), flush=True)
        del ws


if __name__ == "__main__":
    for part in sys.argv[1:]:
        {"w": part_w6, "a2": part_a2, "c": part_c}[part]()
