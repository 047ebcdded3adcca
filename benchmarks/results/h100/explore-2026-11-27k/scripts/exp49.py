"""exp49: the tile kernel with the sum read after every K-tile (wait49.py) against the library's, at the rule's
launches (table off) on V4-Flash/V4-Pro layers and unfitted ones, M = 48-512; outputs compared bitwise; three rounds
in alternating order; then cuBLAS bf16 at each point for reference."""
import json, os, sys
os.environ["FP8BLK_CONFIG_TABLE"] = "0"  # the rule's launches
import torch
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import wait49
from fp8blk.formats import quantize_fp8_block
from fp8blk.kernels.fp8_block_matmul import choose_config, fp8_block_matmul, time_configs
from fp8blk.bench.sweep import cublas_us

l2 = torch.cuda.get_device_properties(0).L2_cache_size
LAYERS = [(4096, 8192), (32768, 1024), (2048, 4096), (4096, 2048), (8192, 1024), (1024, 4096), (7168, 16384),
          (65536, 1536), (3072, 7168), (7168, 3072), (8192, 1536), (18432, 7168), (2048, 5632)]
POINTS = [(n, k, m) for n, k in LAYERS for m in (48, 128, 256, 512)]
rows = []
for n, k, m in POINTS:
    cfg = choose_config(m, n, k, 1, 128, torch.device("cuda", 0), False, True, True)
    if cfg.expand_weight:
        continue
    w, s = quantize_fp8_block(torch.randn(n, k, device="cuda") * 0.02)
    x = torch.randn(m, k, device="cuda").to(torch.bfloat16)
    outs = {}
    for wait in (False, True):
        wait49.use(wait)
        outs[wait] = fp8_block_matmul(x, w, s, config=cfg)
    same = torch.equal(outs[False] + 0.0, outs[True] + 0.0)
    times = {False: [], True: []}
    for order in ((False, True), (True, False), (False, True)):
        for wait in order:
            wait49.use(wait)
            timed = time_configs(n, k, m, [cfg], l2)
            times[wait].append(timed[0][0] if timed else float("nan"))
    wait49.use(False)
    base, new = sorted(times[False])[1], sorted(times[True])[1]
    cb = cublas_us(n, k, m, l2)
    rows.append({"N": n, "K": k, "M": m, "config": list(cfg), "base_us": times[False], "wait_us": times[True],
                 "bitwise_equal": same, "cublas_us": cb})
    print(f"{n:>6}x{k:<6} M={m:<4} {cfg.block_n}x{cfg.block_m}w{cfg.num_warps}s{cfg.split_k}{'T' if cfg.tma else ''} "
          f"base {base:7.1f} wait {new:7.1f} ({new / base:4.2f})  cuBLAS {cb:7.1f}  same={same}", flush=True)
json.dump(rows, open(os.path.join(os.environ.get("OUT", "/tmp"), "exp49.json"), "w"), indent=1)
