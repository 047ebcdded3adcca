"""exp62: rule v40 (split x where its 4-warp fp8 tiles fit two per SM) against the same rule with split x off
(= v39) and cuBLAS bf16, at M = 96-512 on fitted and unfitted layers, two rounds in alternating order."""
import importlib
import json
import os
import torch
from fp8blk.bench.inputs import random_fp8_weight, float64_reference
from fp8blk.bench.timing import time_calls
from fp8blk.kernels import fp8_block_matmul

fbm = importlib.import_module("fp8blk.kernels.fp8_block_matmul")
l2 = torch.cuda.get_device_properties(0).L2_cache_size
LAYERS = [(4096, 8192), (2048, 4096), (5120, 5120), (6144, 2048), (14336, 2048), (3584, 8192), (2560, 4096),
          (7168, 18432)]
MS = [96, 112, 128, 160, 192, 256, 320, 384, 512]


def use(split_x):
    fbm._SPLIT_X_ALLOWED = split_x
    fbm._launch_plan.cache_clear()
    fbm.choose_config.cache_clear()


records = []
for n, k in LAYERS:
    copies = max(2, -(-2 * l2 // (n * k)))
    ws = [random_fp8_weight(n, k) for _ in range(copies)]
    dense0 = (ws[0][0].float() * ws[0][1].float().repeat_interleave(128, 0)[:n].repeat_interleave(128, 1)[:, :k]).to(torch.bfloat16)
    dense = [dense0] + [dense0.clone() for _ in range(copies - 1)]
    for m in MS:
        xs = [torch.randn(m, k, device="cuda").to(torch.bfloat16) for _ in range(copies)]
        ref = float64_reference(xs[0], *ws[0])
        res, errs, cfgs = {"v40": [], "v39": [], "cublas": []}, {}, {}
        for name in ("v40", "v39"):
            use(name == "v40")
            y = fp8_block_matmul(xs[0], *ws[0])
            errs[name] = ((y.double() - ref).norm() / ref.norm()).item()
            cfgs[name] = str(tuple(fbm.choose_config(m, n, k, 1, 128, torch.device("cuda", 0), tma=True)))
        for rnd in range(2):
            for name in (("v40", "v39", "cublas") if rnd == 0 else ("cublas", "v39", "v40")):
                if name == "cublas":
                    call = lambda i: torch.mm(xs[i], dense[i].T)
                else:
                    use(name == "v40")
                    call = lambda i: fp8_block_matmul(xs[i], *ws[i])
                res[name].append(time_calls(call, copies, graphs=True)["median_us"])
        rec = dict(n=n, k=k, m=m, **{v: min(t) for v, t in res.items()}, errs=errs, configs=cfgs, times=res)
        records.append(rec)
        print(f"{n}x{k} M={m}: v40 {rec['v40']:.1f} v39 {rec['v39']:.1f} cuBLAS {rec['cublas']:.1f}  "
              f"v39/v40 {rec['v39'] / rec['v40']:.2f}  cuBLAS/v40 {rec['cublas'] / rec['v40']:.2f}  err {errs['v40']:.1e}/{errs['v39']:.1e}",
              flush=True)
    del ws, dense, dense0
    torch.cuda.empty_cache()
use(True)
json.dump(records, open(os.path.join(os.environ.get("OUT", "/tmp"), "exp62.json"), "w"), indent=1)
