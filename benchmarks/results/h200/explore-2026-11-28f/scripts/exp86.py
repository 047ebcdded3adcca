"""exp86 (session 2026-11-28f): the decode kernel (swap-AB tensor-core tiles of 32/64 weight rows, all of M in one
program: block_m 128 at M = 96/128, 256 at M = 192/256) against the rule's launch (the tile kernel, or split x) and
cuBLAS bf16 on the small and mid layers of V4-Flash/Pro at M = 96-256, where the harness has fp8blk at 0.61-0.82x
cuBLAS (e.g. 512x4096 M=128 13.7 vs 10.0 us, while M=64 on the decode kernel took 7.7). One round over every
candidate, a second (reversed) over the rule, cuBLAS and the best two; CUDA graphs, weights rotated over > 2x L2,
float64 check first. LAYERS env: "fit" (Flash/Pro layers) or "check" (layers no rule was fitted on)."""
import json
import os
import torch
from fp8blk.bench.inputs import random_fp8_weight, float64_reference
from fp8blk.bench.timing import time_calls
from fp8blk.kernels import fp8_block_matmul, launch_config
from fp8blk.kernels.fp8_decode import DecodeConfig

l2 = torch.cuda.get_device_properties(0).L2_cache_size
SETS = {"fit": [(512, 4096), (1024, 4096), (512, 7168), (1536, 7168), (2048, 4096), (4096, 2048), (8192, 1024),
                (8192, 1536)],
        "check": [(768, 4096), (1536, 4096), (576, 7168), (3072, 1536), (2048, 2048), (1024, 7168), (4096, 1024),
                  (2560, 2048), (1024, 2048), (6144, 1024)]}
which = os.environ.get("LAYERS", "fit")
MS = [int(v) for v in os.environ.get("MS", "96,128,192,256").split(",")]
records = []
for n, k in SETS[which]:
    copies = max(2, -(-2 * l2 // (n * k)))
    ws = [random_fp8_weight(n, k) for _ in range(copies)]
    wbf = [(w.to(torch.float32).view(n // 128, 128, k // 128, 128) * s[:, None, :, None]).view(n, k).to(torch.bfloat16)
           for w, s in ws]
    for m in MS:
        xs = [torch.randn(m, k, device="cuda").to(torch.bfloat16) for _ in range(copies)]
        ref = float64_reference(xs[0], *ws[0])
        bm = 128 if m <= 128 else 256
        sub_k = 128 if bm == 128 else 64
        steps = -(-k // sub_k)
        cands = {"rule": None}
        for bn, warps, tmas in ((32, 4, (False, True)), (64, 4, (False,)), (64, 8, (False, True))):
            for split in (2, 4, 8, 16):
                if steps >= 2 * split:
                    for tma in tmas:
                        cands[f"d{bn}w{warps}s{split}{'t' if tma else ''}"] = DecodeConfig(bn, bm, sub_k, 1, split,
                                                                                         True, warps, 3, tma)
        for name, cfg in list(cands.items()):
            try:
                y = fp8_block_matmul(xs[0], *ws[0], config=cfg)
                err = ((y.double() - ref).norm() / ref.norm()).item()
            except Exception as e:  # noqa: BLE001
                print("  fail", name, type(e).__name__, str(e)[:120]); del cands[name]; continue
            if not err < 4e-3:
                print("  bad", name, err); del cands[name]
        times = {name: [] for name in cands}
        times["cublas"] = []

        def timed(name):
            if name == "cublas":
                call = lambda i: xs[i] @ wbf[i].T  # noqa: E731
            else:
                call = lambda i, cfg=cands[name]: fp8_block_matmul(xs[i], *ws[i], config=cfg)  # noqa: E731
            times[name].append(time_calls(call, copies, graphs=True)["median_us"])
        for name in list(times):
            timed(name)
        dec = sorted((t[0], a) for a, t in times.items() if a not in ("rule", "cublas"))[:2]
        for name in ["cublas", "rule"] + [a for _, a in dec][::-1]:
            timed(name)
        best = {name: min(t) for name, t in times.items()}
        rule = tuple(launch_config(m, n, k))
        top = sorted((t, a) for a, t in best.items() if a not in ("rule", "cublas"))[:3]
        records.append(dict(n=n, k=k, m=m, rule=rule, best=best, times=times,
                            configs={a: tuple(c) for a, c in cands.items() if c is not None}))
        print(f"{n}x{k} M={m}: rule {best['rule']:.1f} cublas {best['cublas']:.1f} | "
              + " ".join(f"{a} {t:.1f}" for t, a in top) + f"   rule={rule[0]}{rule[1:4]} s{rule[4] if len(rule) > 4 else ''}",
              flush=True)
        json.dump(records, open(os.path.join(os.environ.get("OUT", "/tmp"), f"exp86_{which}.json"), "w"), indent=1)
    del ws, wbf
    torch.cuda.empty_cache()
