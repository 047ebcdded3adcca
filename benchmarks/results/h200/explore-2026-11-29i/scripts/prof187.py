"""prof187 (prepared for the next session, not run): ncu on exp186's pair -- the tile kernel's launch and the decode
kernel's launch of the same 64 x 64 tiles and split (v76's) -- at 2048 x 7168 M = 48 (128 programs; 16.2 against
12.3 us in exp186) and 1024 x 16384 M = 48 (21.6 against 14.1), and at 4096 x 8192 M = 48 (256 programs, where the
tile kernel kept its lead: 19.8 against 21.8). One call of each between profiler start / stop, after warm-up."""
import sys

import torch
from fp8blk.bench.inputs import random_fp8_weight
import fp8blk.kernels  # noqa: F401
km = sys.modules["fp8blk.kernels.fp8_block_matmul"]

device = torch.device("cuda", torch.cuda.current_device())
for m, n, k in ((48, 2048, 7168), (48, 1024, 16384), (48, 4096, 8192)):
    tile = km.choose_config(m, n, k, 1, 128, device, False, True, True, True, True)  # the tile rule's launch
    same = km.DecodeConfig(64, 64, 128, 1, tile.split_k, True, 4, 4, tma=True)
    w = random_fp8_weight(n, k)
    x = torch.randn(m, k, device="cuda").to(torch.bfloat16)
    for name, cfg in (("tile", tile), ("decode", same)):
        for _ in range(3):
            km.fp8_block_matmul(x, *w, config=cfg)
        torch.cuda.synchronize()
        torch.cuda.cudart().cudaProfilerStart()
        km.fp8_block_matmul(x, *w, config=cfg)
        torch.cuda.synchronize()
        torch.cuda.cudart().cudaProfilerStop()
        print(m, n, k, name, tuple(cfg), flush=True)
