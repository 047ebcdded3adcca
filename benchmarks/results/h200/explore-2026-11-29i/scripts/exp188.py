"""exp188 (prepared for the next session, not run): the decode kernel on more of the tile rule's launches (plan item
2 after v76), exp186's method (CUDA graphs over weight copies filling > 2x L2, median of 30 replays, best of three
alternating rounds, errors against float64):

- M = 40 / 48 / 64 where the tile launch holds two or three programs a SM (v76 leaves it there): the decode kernel
  with the same 64 x 64 tiles at the tile split and at half of it (one program a SM), and with 32-row weight tiles;
- M = 96 / 128 where the tile launch (64 x 64, two x tiles) is at most one program a SM: the decode kernel with one
  128-row x tile (``block_m`` 128, 4 warps at 3 and 4 stages, 8 warps at 4) at the tile split and twice it.
Every decode build here compiles for sm_90 offline without spills (4 warps, 64 x 128: 248 registers)."""
import sys

import torch

import fp8blk.kernels  # noqa: F401
from fp8blk.bench.inputs import random_fp8_weight, float64_reference
from fp8blk.bench.timing import time_calls

km = sys.modules["fp8blk.kernels.fp8_block_matmul"]
D = km.DecodeConfig
props = torch.cuda.get_device_properties(0)
SMS, L2 = props.multi_processor_count, props.L2_cache_size
POINTS = [(m, n, k) for n, k in ((4096, 2048), (4096, 8192), (3072, 7168), (2880, 2880), (2560, 7168))
          for m in (40, 48, 64)]
POINTS += [(m, n, k) for n, k in ((512, 7168), (512, 4096), (1024, 4096), (1024, 5120), (512, 12288), (384, 10240))
           for m in (96, 128)]


def candidates(m, tile):
    """exp188's decode launches for a point whose tile launch is ``tile``."""
    split = tile.split_k
    if m <= 64:
        return {f"decode 64x64 s{s}": D(64, 64, 128, 1, s, True, 4, 4, tma=True) for s in {split, max(1, split // 2)}} | {
            f"decode 32x64 s{split}": D(32, 64, 128, 1, split, True, 4, 4, tma=True)}
    found = {}
    for s in (split, 2 * split):
        if s <= 16:
            found[f"decode 64x128 s{s} 4w3"] = D(64, 128, 128, 1, s, True, 4, 3, tma=True)
            found[f"decode 64x128 s{s} 4w4"] = D(64, 128, 128, 1, s, True, 4, 4, tma=True)
            found[f"decode 64x128 s{s} 8w4"] = D(64, 128, 128, 1, s, True, 8, 4, tma=True)
    return found


print(torch.cuda.get_device_name(), torch.__version__, SMS, "SMs", L2 >> 20, "MiB L2", flush=True)
device = torch.device("cuda", 0)
for m, n, k in POINTS:
    tile = km.choose_config(m, n, k, 1, 128, device, False, True, True, True, True)
    rule = km.launch_config(m, n, k, "cuda")
    configs = {"rule": rule, "tile": tile, **candidates(m, tile)}
    copies = max(2, -(-2 * L2 // (n * k)) + 1)
    weights = [random_fp8_weight(n, k) for _ in range(copies)]
    x = torch.randn(m, k, device="cuda", dtype=torch.bfloat16)
    outs = [torch.empty(m, n, device="cuda", dtype=torch.bfloat16) for _ in range(copies)]
    ref = float64_reference(x, *weights[0])
    times, errs = {}, {}
    for _ in range(3):
        for name, config in configs.items():
            us = time_calls(lambda i, c=config: km.fp8_block_matmul(x, *weights[i], out=outs[i], config=c), copies,
                            graphs=True)["median_us"]
            times[name] = min(times.get(name, us), us)
            errs[name] = ((outs[0].double() - ref).norm() / ref.norm()).item()
    best = min(times, key=times.get)
    print(f"{n}x{k} M={m}: rule {km.kernel_kind(rule)} {times['rule']:.2f} us | tile {tile.block_n}x{tile.block_m} "
          f"s{tile.split_k} {'split_x ' if tile.split_x else ''}{times['tile']:.2f} | "
          + " | ".join(f"{name} {t:.2f}" for name, t in times.items() if name.startswith("decode"))
          + f" | best {best} rule/best x{times['rule'] / times[best]:.3f} | max err {max(errs.values()):.1e}",
          flush=True)
    weights = None
    torch.cuda.empty_cache()
