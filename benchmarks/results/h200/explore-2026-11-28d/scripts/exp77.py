"""exp77 (2026-11-28d, H200): rule v45 (split-x 4-warp tiles on short K in more than one wave where they take fewer
waves than the tile kernel's 128 x 128 tiles two per SM) against v44 on layers no rule was fitted on, at every
M where the two differ; cuBLAS bf16 beside. Two alternating rounds, CUDA graphs, weights rotated over > 2x L2,
float64 check first."""
import json
import os
import torch
from fp8blk.bench.inputs import random_fp8_weight, float64_reference
from fp8blk.bench.timing import time_calls
from fp8blk.kernels import fp8_block_matmul
import fp8blk.kernels.fp8_tile as tile

sms = torch.cuda.get_device_properties(0).multi_processor_count
shared = torch.cuda.get_device_properties(0).shared_memory_per_block_optin
l2 = torch.cuda.get_device_properties(0).L2_cache_size


def rule(m, n, k, many):
    saved, tile.SPLIT_X_MANY_WAVES_K_TILES = tile.SPLIT_X_MANY_WAVES_K_TILES, many
    try:
        return tile.default_config(m, n, k, 1, 128, sms, tma=True, shared_memory=shared, split_x=True)
    finally:
        tile.SPLIT_X_MANY_WAVES_K_TILES = saved


LAYERS = [(14336, 2048), (20480, 1536), (28672, 1024), (6144, 1536), (11008, 2048), (9216, 2560), (40960, 1024),
          (16384, 3072), (5120, 1024), (13312, 1280), (18432, 2048), (22528, 1536)]
records = []
for n, k in LAYERS:
    ms = [m for m in (96, 128, 160, 192, 224, 256, 320, 384, 448, 512)
          if rule(m, n, k, tile.SPLIT_X_MANY_WAVES_K_TILES) != rule(m, n, k, 10 ** 9)]
    if not ms:
        print(f"{n}x{k}: no M differs", flush=True)
        continue
    copies = max(2, -(-2 * l2 // (n * k)))
    ws = [random_fp8_weight(n, k) for _ in range(copies)]
    wbf = [(w.to(torch.float32).view(n // 128, 128, k // 128, 128) * s[:, None, :, None]).view(n, k).to(torch.bfloat16)
           for w, s in ws]
    for m in ms:
        xs = [torch.randn(m, k, device="cuda").to(torch.bfloat16) for _ in range(copies)]
        ref = float64_reference(xs[0], *ws[0])
        cands = {"v45": rule(m, n, k, tile.SPLIT_X_MANY_WAVES_K_TILES), "v44": rule(m, n, k, 10 ** 9)}
        errs = {}
        for name, cfg in cands.items():
            y = fp8_block_matmul(xs[0], *ws[0], config=cfg)
            errs[name] = ((y.double() - ref).norm() / ref.norm()).item()
        times = {name: [] for name in (*cands, "cublas")}
        for rnd in range(2):
            for name in (list(times) if rnd == 0 else list(times)[::-1]):
                if name == "cublas":
                    call = lambda i: xs[i] @ wbf[i].T  # noqa: E731
                else:
                    call = lambda i, cfg=cands[name]: fp8_block_matmul(xs[i], *ws[i], config=cfg)  # noqa: E731
                times[name].append(time_calls(call, copies, graphs=True)["median_us"])
        best = {name: min(t) for name, t in times.items()}
        records.append(dict(n=n, k=k, m=m, configs={a: tuple(c) for a, c in cands.items()}, best=best, times=times,
                            errs=errs))
        print(f"{n}x{k} M={m}: " + " ".join(f"{a} {t:.1f}" for a, t in best.items())
              + f"  v45/v44 {best['v44'] / best['v45']:.2f}x  err {max(errs.values()):.1e}  v45={tuple(cands['v45'])}",
              flush=True)
        json.dump(records, open(os.path.join(os.environ.get("OUT", "/tmp"), "exp77.json"), "w"), indent=1)
    del ws, wbf, xs
    torch.cuda.empty_cache()
