"""exp75 (prepared 2026-11-28c, not yet run): the decode kernel's 64-row tensor-core tiles split 2/4/8 at M = 40-64
on layers of few 64-row tiles and long K (exp68 B: split 4 3-15% below the rule on 2048 x 4096, 4096 x 2048 and
1536 x 7168; 8192 x 1024/1536, 512 programs, lost), on more layers, to fit a rule: the programs (N/64 x split) per
SM and the K-steps per program are the candidates' inputs. Two alternating rounds, CUDA graphs, weights rotated
over > 2x L2, float64 check first; cuBLAS bf16 beside."""
import json
import os
import torch
from fp8blk.bench.inputs import random_fp8_weight, float64_reference
from fp8blk.bench.timing import time_calls
from fp8blk.kernels import fp8_block_matmul, launch_config
from fp8blk.kernels.fp8_decode import DecodeConfig

l2 = torch.cuda.get_device_properties(0).L2_cache_size
LAYERS = [(2048, 4096), (4096, 2048), (1536, 7168), (2048, 7168), (3072, 7168), (2048, 5632), (1536, 4096),
          (3072, 4096), (3072, 1536), (7168, 2048), (8192, 1536)]
records = []
for n, k in LAYERS:
    copies = max(2, -(-2 * l2 // (n * k)))
    ws = [random_fp8_weight(n, k) for _ in range(copies)]
    wbf = [(w.to(torch.float32).view(n // 128, 128, k // 128, 128) * s[:, None, :, None]).view(n, k).to(torch.bfloat16)
           for w, s in ws]  # as many as the fp8 copies: >= 4x L2 of bf16 bytes
    for m in (40, 48, 64):
        xs = [torch.randn(m, k, device="cuda").to(torch.bfloat16) for _ in range(copies)]
        ref = float64_reference(xs[0], *ws[0])
        cands = {"rule": None}
        for split in (2, 4, 8):
            if -(-k // 128) >= 2 * split:
                cands[f"d64k{split}"] = DecodeConfig(64, 64, 128, 1, split, True, 4, 3)
        for name, cfg in list(cands.items()):
            y = fp8_block_matmul(xs[0], *ws[0], config=cfg)
            if not ((y.double() - ref).norm() / ref.norm()).item() < 4e-3:
                print("  bad", name); del cands[name]
        times = {name: [] for name in cands}
        times["cublas"] = []
        for rnd in range(2):
            for name in (list(times) if rnd == 0 else list(times)[::-1]):
                if name == "cublas":
                    call = lambda i: xs[i] @ wbf[i].T  # noqa: E731
                else:
                    call = lambda i, cfg=cands[name]: fp8_block_matmul(xs[i], *ws[i], config=cfg)  # noqa: E731
                times[name].append(time_calls(call, copies, graphs=True)["median_us"])
        best = {name: min(t) for name, t in times.items()}
        rule = tuple(launch_config(m, n, k))
        records.append(dict(n=n, k=k, m=m, rule=rule, best=best, times=times))
        print(f"{n}x{k} M={m}: " + " ".join(f"{a} {t:.1f}" for a, t in best.items()) + f"   rule={rule}", flush=True)
        json.dump(records, open(os.path.join(os.environ.get("OUT", "/tmp"), "exp75.json"), "w"), indent=1)
    del ws, wbf
    torch.cuda.empty_cache()
