"""exp26: why 64x64 tiles split 16 ways ran 6.8 us on 512x7168 at M = 48 but 12.1 on 512x4096 (exp24): K swept
(4096 = a power-of-two row pitch, others not), N 512/1024, M 48/96, split 2..16, TMA and pointer loads."""
import torch
from fp8blk.kernels.fp8_block_matmul import KernelConfig, time_configs

l2 = torch.cuda.get_device_properties(0).L2_cache_size
for n in (512, 1024):
    for k in (4096, 4224, 5120, 6144, 7168, 8192):
        for m in (48, 96):
            options = [KernelConfig(64, 64, 128, s, 4, 3, True, tma=True) for s in (2, 4, 8, 16)]
            if k in (4096, 7168):
                options += [KernelConfig(64, 64, 128, s, 4, 3, True, tma=False) for s in (4, 8, 16)]
            timed = time_configs(n, k, m, options, l2, log=lambda line: print("   ", line, flush=True))
            print(f"{n:>5}x{k:<5} M={m:<3} " + "  ".join(
                f"s{c.split_k}{'' if c.tma else 'p'} {us:5.1f}" for us, c in timed), flush=True)
