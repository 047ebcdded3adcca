"""Session 2026-11-27c, third call: the tile kernel with and without PDL (wait in the prologue, release after the
K loop), per layer and as the Flash chain, M = 48..256. Installed fp8blk, table off, CUDA graphs, rotated weights."""
import os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from exp5 import *  # noqa: F401,F403
import exp5

SHAPES = [(512, 4096), (2048, 4096), (4096, 8192), (32768, 1024), (3072, 7168)]
MS = (48, 64, 128, 256)
CHAIN = [(1536, 4096), (32768, 1024), (4096, 8192), (8192, 1024), (4096, 4096), (4096, 2048)]


def jobs7():
    jobs = []
    for n, k in SHAPES + CHAIN:
        for m in MS:
            for on in (False, True):
                jobs.append((n, k, m, on, tuple(fbm.default_config(m, n, k, 1, 128, SMS, expand_ok=False))))
    return list(dict.fromkeys(jobs))


def main():
    import multiprocessing
    todo = jobs7()
    with multiprocessing.get_context("spawn").Pool(15) as pool:
        built = pool.map(exp5.warm, todo, chunksize=1)
    print(f"{len(todo)} builds; failed:", [(j, b) for j, b in zip(todo, built) if b != "ok"][:4], flush=True)
    for n, k in SHAPES:
        copies = rotation_count(n * k, L2)
        ws = weights(n, k, copies)
        line = []
        for m in MS:
            xs = [torch.randn(m, k, device="cuda", dtype=torch.bfloat16) for _ in range(copies)]
            cfg = fbm.default_config(m, n, k, 1, 128, SMS, expand_ok=False)
            res = {}
            for tag, on in (("off", False), ("pdl", True)):
                set_pdl(on)
                res[tag] = time_chain([(w, s, x) for (w, s), x in zip(ws, xs)], m, lambda *_: cfg) / copies
            line.append(f"M={m}: off={res['off']:.1f} pdl={res['pdl']:.1f}")
        print(f"tile {n:5d}x{k:5d} " + " | ".join(line), flush=True)
        del ws
    copies = rotation_count(sum(n * k for n, k in CHAIN), L2)
    wsets = {shape: weights(*shape, copies) for shape in CHAIN}
    for m in (64, 128, 256):
        items = [(*wsets[(n, k)][c], torch.randn(m, k, device="cuda", dtype=torch.bfloat16))
                 for c in range(copies) for n, k in CHAIN]
        out = {}
        for tag, on in (("off", False), ("pdl", True)):
            set_pdl(on)
            out[tag] = time_chain(items, m, lambda n, k: fbm.default_config(m, n, k, 1, 128, SMS, expand_ok=False)) / copies
        print(f"tile chain M={m}: off={out['off']:.1f} pdl={out['pdl']:.1f} us per layer", flush=True)


if __name__ == "__main__":
    main()
