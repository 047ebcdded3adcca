"""check158: the GPU check rows run_all.py changed for v68, run alone (device time): the forced split-x 64 x 64
TMA launch at M = 48 on 8192 x 1024 (bitwise its pointer loads, repeatable; the rule now takes v68's decode launch)
and on 10240 x 1024 (also bitwise the rule's call), as run_all.py's TMA check does."""
import sys
import torch
sys.path.insert(0, sys.argv[1])
from run_all import make, reference, TOL  # noqa: E402
from fp8blk.kernels import fp8_block_matmul  # noqa: E402
from fp8blk.kernels.fp8_block_matmul import launch_config  # noqa: E402
from fp8blk.kernels.fp8_tile import default_config  # noqa: E402
sms = torch.cuda.get_device_properties(0).multi_processor_count
shared = torch.cuda.get_device_properties(0).shared_memory_per_block_optin
for m, n, k in ((48, 10240, 1024), (48, 8192, 1024)):
    cfg = default_config(m, n, k, 1, 128, sms, tma=True, shared_memory=shared, split_x=True)
    same, worst, took_rule = True, 0.0, []
    for scale_dtype in (torch.float32, torch.float8_e8m0fnu):
        x, wq, scale, b = make(m, n, k, torch.bfloat16, scale_dtype, True)
        tma = fp8_block_matmul(x, wq, scale, b, config=cfg)
        same &= torch.equal(tma, fp8_block_matmul(x, wq, scale, b, config=cfg._replace(tma=False)))
        same &= torch.equal(tma, fp8_block_matmul(x, wq, scale, b, config=cfg))
        rule = launch_config(m, n, k, x.device, scale_dtype=scale_dtype)
        if rule == cfg:
            same &= torch.equal(tma, fp8_block_matmul(x, wq, scale, b))
        took_rule.append(rule == cfg)
        ref = reference(x, wq, scale, b)
        worst = max(worst, float((tma.double() - ref).norm() / ref.norm()))
    ok = same and worst < TOL[torch.bfloat16]
    print(f"TMA KernelConfig {cfg.block_n}x{cfg.block_m} split_x={cfg.split_x} M={m} N={n} K={k}: "
          f"{'ok' if ok else 'FAIL'} bitwise (pointer loads, repeat; the rule's call where it is this launch: "
          f"{took_rule}); worst rel err {worst:.2e}; rule {tuple(launch_config(m, n, k, x.device))}", flush=True)
