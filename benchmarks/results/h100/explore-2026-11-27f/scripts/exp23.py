"""exp23 (next session): decode M = 3..8 on small layers by CUDA cores. The rule takes the tensor-core path from
M = 3 (M = 2 too on layers over ~16 MB); committed H100 run, 512x4096: M = 2 (CUDA cores) 3.5 us, M = 4 (tensor
cores, split 16) 5.4, M = 16 5.9, against an M = 1 time of 2.9. For every V4-Flash/Pro/V3 (N, K) with groups 1 and
N * K <= 16 MB, M in 3, 4, 8: the rule against the M = 1 CUDA-core launch with block_m = M (rounded up to a power of
two), as the rule already does for M = 2."""
import torch
import triton
from fp8blk.bench.shapes import load_shapes
from fp8blk.kernels.fp8_block_matmul import time_configs
from fp8blk.kernels.fp8_decode import decode_config

sms = torch.cuda.get_device_properties(0).multi_processor_count
l2 = torch.cuda.get_device_properties(0).L2_cache_size
seen = set()
for layer in load_shapes("all"):
    if layer.groups != 1 or (layer.n, layer.k) in seen or layer.n * layer.k > 16 << 20:
        continue
    seen.add((layer.n, layer.k))
    for m in (3, 4, 8):
        rule = decode_config(m, layer.n, layer.k, 1, 128, sms, tma=True)
        cores = decode_config(1, layer.n, layer.k, 1, 128, sms)._replace(block_m=triton.next_power_of_2(m))
        timed = time_configs(layer.n, layer.k, m, [rule, cores], l2, log=lambda line: print("   ", line, flush=True))
        cells = "  ".join(f"{'mma' if c.use_mma else 'cores'} bn{c.block_n} bm{c.block_m} s{c.split_k} {us:6.2f}"
                          for us, c in timed)
        print(f"{layer.n:>6}x{layer.k:<6} M={m:<2} {cells}", flush=True)
