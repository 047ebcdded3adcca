"""exp44 (item 51): the slow level — the GPU's state or the buffers' placement? 7168x16384 M=1, the harness's timing
and module; the same weight copies timed again after other allocations, against copies made later."""
import torch
from fp8blk.formats import quantize_fp8_block
from fp8blk.bench.impls import make_fp8blk
from fp8blk.bench.timing import time_calls

n, k, m = 7168, 16384, 1


def make():
    ws = [quantize_fp8_block(torch.randn(n, k, device="cuda") * 0.02) for _ in range(2)]
    xs = [torch.randn(m, k, device="cuda").to(torch.bfloat16) for _ in range(2)]
    return ws, xs, make_fp8blk([w for w, _ in ws], [s for _, s in ws], xs)


def t(tag, state):
    ws, xs, call = state
    r = time_calls(call, 2, graphs=True)
    addrs = " ".join(f"{w.data_ptr() % (1 << 30) >> 20}M+{w.data_ptr() % (1 << 21)}" for w, _ in ws)
    print(f"{tag:<40} {r['median_us']:.1f} [{r['p10_us']:.1f}-{r['p90_us']:.1f}]  weights at {addrs}", flush=True)


W1 = make(); t("W1 first", W1); t("W1 again", W1)
big = torch.empty(250_000_000, dtype=torch.float64, device="cuda").fill_(1.0); del big
t("W1 after a 2 GB fp64 alloc/free", W1)
W2 = make(); t("W2 made from the allocator's cache", W2); t("W1 again", W1)
torch.cuda.empty_cache()
W3 = make(); t("W3 after empty_cache", W3); t("W1 again", W1)
del W2, W3; torch.cuda.empty_cache()
W4 = make(); t("W4 (W2, W3 freed, cache emptied)", W4); t("W1 again", W1)
