"""Session 2026-11-27c, fourth call: decode kernel PDL release placement (env FP8BLK_PDL_TRIGGER: 2 after the K loop,
3 no explicit release, 4 after the epilogue) vs no PDL, M = 1..32, per layer and the Flash chain."""
import os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from exp5 import *  # noqa: F401,F403
import exp5

SHAPES = [(512, 4096), (1024, 4096), (2048, 4096), (8192, 1024), (4096, 8192), (32768, 1024), (3072, 7168),
          (7168, 16384)]
MS = (1, 2, 4, 8, 16, 24, 32)
CHAIN = [(1536, 4096), (32768, 1024), (4096, 8192), (8192, 1024), (4096, 4096), (4096, 2048)]
TRIG = os.environ.get("FP8BLK_PDL_TRIGGER", "2")


def main(part):
    if part == "w":
        import multiprocessing
        todo = list(dict.fromkeys((n, k, m, on, tuple(decode_config(m, n, k, 1, 128, SMS)))
                                  for n, k in SHAPES + CHAIN for m in MS for on in (False, True)))
        with multiprocessing.get_context("spawn").Pool(15) as pool:
            built = pool.map(exp5.warm, todo, chunksize=1)
        print(f"{len(todo)} builds; failed:", [(j, b) for j, b in zip(todo, built) if b != "ok"][:4], flush=True)
        return
    for n, k in SHAPES:
        copies = rotation_count(n * k, L2)
        ws = weights(n, k, copies)
        line = []
        for m in MS:
            xs = [torch.randn(m, k, device="cuda", dtype=torch.bfloat16) for _ in range(copies)]
            cfg = decode_config(m, n, k, 1, 128, SMS)
            res = {}
            for tag, on in (("off", False), ("pdl", True)):
                set_pdl(on)
                res[tag] = time_chain([(w, s, x) for (w, s), x in zip(ws, xs)], m, lambda *_: cfg) / copies
            line.append(f"M={m}: {res['off']:.1f}/{res['pdl']:.1f}")
        print(f"T{TRIG} {n:5d}x{k:5d} off/pdl " + " | ".join(line), flush=True)
        del ws
    copies = rotation_count(sum(n * k for n, k in CHAIN), L2)
    wsets = {shape: weights(*shape, copies) for shape in CHAIN}
    for m in (1, 4, 16, 32):
        items = [(*wsets[(n, k)][c], torch.randn(m, k, device="cuda", dtype=torch.bfloat16))
                 for c in range(copies) for n, k in CHAIN]
        out = {}
        for tag, on in (("off", False), ("pdl", True)):
            set_pdl(on)
            out[tag] = time_chain(items, m, lambda n, k: decode_config(m, n, k, 1, 128, SMS)) / copies
        print(f"T{TRIG} chain M={m}: off={out['off']:.1f} pdl={out['pdl']:.1f} us per layer", flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
