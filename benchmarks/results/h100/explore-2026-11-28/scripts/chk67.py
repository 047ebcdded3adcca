"""chk67: the GPU-check rows added for rule v41 (tests/gpu/run_all.py), run alone: graph capture of the decode
kernel at M = 48 on 1024 x 4096 and of a three-per-SM split-x launch (5120 x 5120, M = 250); the v41 split-x TMA
launches bitwise equal to pointer loads and to the rule, repeatable."""
import sys
import torch
from fp8blk.kernels import fp8_block_matmul
from fp8blk.kernels.fp8_block_matmul import default_config
sys.path.insert(0, sys.argv[1])
from kernel_cases import make as make_cpu, reference  # noqa: E402


def make(*args):
    return [None if t is None else t.cuda() for t in make_cpu(*args)]

sms = torch.cuda.get_device_properties(0).multi_processor_count
for m, (n, k) in ((48, (1024, 4096)), (250, (5120, 5120))):
    x, wq, scale, b = make(m, n, k, torch.bfloat16, torch.float32, True)
    eager = fp8_block_matmul(x, wq, scale, b)
    out = torch.empty_like(eager)
    fp8_block_matmul(x, wq, scale, b, out=out)
    torch.cuda.synchronize()
    graph = torch.cuda.CUDAGraph()
    with torch.cuda.graph(graph):
        fp8_block_matmul(x, wq, scale, b, out=out)
    same = True
    for _ in range(5):
        x.copy_(torch.randn_like(x))
        graph.replay()
        same &= torch.equal(out, fp8_block_matmul(x, wq, scale, b))
    print(f"graph M={m} N={n} K={k}: {'ok' if same else 'FAIL'}", flush=True)
for m, n, k in ((250, 5120, 5120), (80, 4096, 2048)):
    cfg = default_config(m, n, k, 1, 128, sms, tma=True, split_x=True)
    same, worst = True, 0.0
    for scale_dtype in (torch.float32, torch.float8_e8m0fnu):
        x, wq, scale, b = make(m, n, k, torch.bfloat16, scale_dtype, True)
        y = fp8_block_matmul(x, wq, scale, b, config=cfg)
        same &= torch.equal(y, fp8_block_matmul(x, wq, scale, b, config=cfg._replace(tma=False)))
        same &= torch.equal(y, fp8_block_matmul(x, wq, scale, b, config=cfg))
        same &= torch.equal(y, fp8_block_matmul(x, wq, scale, b))
        ref = reference(x, wq, scale, b)
        worst = max(worst, float((y.double() - ref).norm() / ref.norm()))
    print(f"TMA {cfg} M={m} N={n} K={k}: {'ok' if same and worst < 4e-3 else 'FAIL'} worst rel err {worst:.2e}", flush=True)
