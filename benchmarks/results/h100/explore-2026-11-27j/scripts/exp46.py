"""exp46 (item 51): does a new large cudaMalloc put 7168x16384 M=1 at the slow level? The same weight copies timed
right after allocating (and freeing, cache emptied) a new buffer of 256 MB to 4 GB, untouched or filled."""
import torch
from fp8blk.formats import quantize_fp8_block
from fp8blk.bench.impls import make_fp8blk
from fp8blk.bench.timing import time_calls

n, k, m = 7168, 16384, 1
ws = [quantize_fp8_block(torch.randn(n, k, device="cuda") * 0.02) for _ in range(2)]
xs = [torch.randn(m, k, device="cuda").to(torch.bfloat16) for _ in range(2)]
call = make_fp8blk([w for w, _ in ws], [s for _, s in ws], xs)
torch.cuda.empty_cache()


def t(tag):
    r = time_calls(call, 2, graphs=True)
    print(f"{tag:<38} {r['median_us']:.1f} [{r['p10_us']:.1f}-{r['p90_us']:.1f}]", flush=True)


t("control")
for mb in (256, 1024, 2048, 4096):
    for fill in (False, True):
        buf = torch.empty(mb << 20, dtype=torch.uint8, device="cuda")
        if fill:
            buf.fill_(1)
        del buf
        t(f"after a new {mb} MB buffer{' filled' if fill else ''}")
        torch.cuda.empty_cache()
        t("  control")
