"""exp121 (prepared after v59, not run): the CUDA-core decode launch (M = 1, and M = 2 on small layers) with each
step count `subs` in 4 / 8 / 16 / 32 against the rule's, where K's scale blocks are not a multiple of the rule's
`subs` (its last step mostly masked columns: 1024 x 5120 has 40 blocks in steps of 32) and, as controls, where they
are. Same block_n, split and stages as the rule's launch; CUDA graphs, weights rotated, three alternating rounds;
every launch checked against float64."""
import json
import os
import sys

import torch
from fp8blk.bench.inputs import random_fp8_weight, float64_reference
from fp8blk.bench.timing import time_calls
import fp8blk.kernels  # noqa: F401 (loads the kernel modules)
km = sys.modules["fp8blk.kernels.fp8_block_matmul"]
dev = torch.device("cuda", 0)
l2 = torch.cuda.get_device_properties(0).L2_cache_size
LAYERS = [(1024, 5120), (2880, 2880), (512, 7168), (576, 7168), (1024, 3584), (1536, 2880), (2048, 5120),
          (1024, 4096), (2048, 4096), (512, 4096)]  # the last three: blocks a multiple of the rule's subs
records = []
for n, k in LAYERS:
    copies = max(2, -(-2 * l2 // (n * k)))
    ws = [random_fp8_weight(n, k) for _ in range(copies)]
    for m in (1, 2):
        rule = km.launch_config(m, n, k, dev)
        if rule.use_mma:
            continue
        xs = [torch.randn(m, k, device="cuda").to(torch.bfloat16) for _ in range(copies)]
        ref = float64_reference(xs[0], *ws[0])
        candidates = {subs: rule._replace(subs=subs) for subs in (4, 8, 16, 32)}
        errs = {subs: ((km.fp8_block_matmul(xs[0], *ws[0], config=c).double() - ref).norm() / ref.norm()).item()
                for subs, c in candidates.items()}
        times = {}
        for _ in range(3):
            for subs, c in candidates.items():
                times.setdefault(subs, []).append(time_calls(
                    lambda i, c=c: km.fp8_block_matmul(xs[i], *ws[i], config=c), copies, graphs=True)["median_us"])
        best = {subs: min(v) for subs, v in times.items()}
        blocks = -(-k // 128)
        records.append(dict(n=n, k=k, m=m, rule=repr(rule), times={str(s): v for s, v in times.items()},
                            errs={str(s): e for s, e in errs.items()}))
        print(f"{n}x{k} M={m} blocks {blocks} rule subs {rule.subs} | " + " ".join(
            f"subs {s}: {best[s]:.2f}" for s in sorted(best)) + f" us | max err {max(errs.values()):.1e}", flush=True)
        json.dump(records, open(os.path.join(os.environ.get("OUT", "/tmp"), "exp121.json"), "w"), indent=1)
    ws = None
    torch.cuda.empty_cache()
