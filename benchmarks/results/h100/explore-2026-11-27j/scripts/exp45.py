"""exp45 (item 51): which prior work puts 7168x16384 M=1 at the slow level? The same weight copies timed right after
writing (fill_) or reading (sum) buffers of 64 MB to 2 GB, fp32 and fp64; each followed by a control timing."""
import torch
from fp8blk.formats import quantize_fp8_block
from fp8blk.bench.impls import make_fp8blk
from fp8blk.bench.timing import time_calls

n, k, m = 7168, 16384, 1
ws = [quantize_fp8_block(torch.randn(n, k, device="cuda") * 0.02) for _ in range(2)]
xs = [torch.randn(m, k, device="cuda").to(torch.bfloat16) for _ in range(2)]
call = make_fp8blk([w for w, _ in ws], [s for _, s in ws], xs)
pool = torch.empty(2 << 30, dtype=torch.uint8, device="cuda")


def t(tag):
    r = time_calls(call, 2, graphs=True)
    print(f"{tag:<34} {r['median_us']:.1f} [{r['p10_us']:.1f}-{r['p90_us']:.1f}]", flush=True)


t("control")
for mb in (64, 256, 1024, 2048):
    for dtype in (torch.float32, torch.float64):
        view = pool[: mb << 20].view(dtype)
        view.fill_(1.0); t(f"after writing {mb} MB {str(dtype)[6:]}")
        t("  control")
    view = pool[: mb << 20].view(torch.float32)
    view.sum(); t(f"after reading {mb} MB")
