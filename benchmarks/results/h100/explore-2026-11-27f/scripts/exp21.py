"""exp21 (next session): split-K threshold after the wait fix. For every V4-Flash/Pro/V3 (N, K) and M in 48..256
where the tile rule splits K, time the rule's config against the same config at half the split and unsplit
(fp8blk.kernels.fp8_block_matmul.time_configs: rotation over > 2x L2, CUDA graph, median). Prints one line per point."""
import torch
from fp8blk.bench.shapes import load_shapes
from fp8blk.kernels.fp8_block_matmul import default_config, time_configs

sms = torch.cuda.get_device_properties(0).multi_processor_count
l2 = torch.cuda.get_device_properties(0).L2_cache_size
seen = set()
for layer in load_shapes("all"):
    if layer.groups != 1 or (layer.n, layer.k) in seen:
        continue
    seen.add((layer.n, layer.k))
    for m in (64, 128, 256):
        rule = default_config(m, layer.n, layer.k, 1, 128, sms, tma=True)
        if rule.split_k == 1 or rule.expand_weight:
            continue
        options = [rule] + [rule._replace(split_k=s) for s in sorted({rule.split_k // 2, 1}) if s < rule.split_k]
        timed = time_configs(layer.n, layer.k, m, options, l2, log=lambda *a: None)
        cells = "  ".join(f"split{c.split_k} {us:6.1f}" for us, c in timed)
        print(f"{layer.n:>6}x{layer.k:<6} M={m:<4} {rule.block_n}x{rule.block_m} w{rule.num_warps} k_tiles={-(-layer.k // 128):<3} {cells}", flush=True)
