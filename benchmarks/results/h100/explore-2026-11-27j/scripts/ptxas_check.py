import os, re, subprocess, tempfile, sys, torch, triton.backends.nvidia
from fp8blk.kernels.fp8_block_matmul import KernelConfig, aot_compile
from fp8blk.kernels.fp8_decode import DecodeConfig, decode_config
BIN = os.path.join(os.path.dirname(triton.backends.nvidia.__file__), "bin")
T = dict(tma=True)
configs = [KernelConfig(64, 128, 64, 1, 4, 4, True, **T), KernelConfig(64, 128, 64, 4, 4, 4, True, **T),
           KernelConfig(128, 128, 64, 1, 4, 4, True, **T), KernelConfig(128, 256, 64, 1, 8, 4, True, **T),
           KernelConfig(64, 128, 128, 1, 8, 3, True, **T), KernelConfig(128, 128, 128, 1, 8, 3, True, **T),
           KernelConfig(128, 64, 128, 1, 8, 4, True, **T), KernelConfig(64, 64, 128, 1, 4, 3, True, **T),
           KernelConfig(64, 64, 128, 4, 4, 3, True, **T),
           KernelConfig(128, 128, 128, 1, 8, 3, True), KernelConfig(64, 64, 128, 1, 4, 3, True),
           KernelConfig(128, 128, 128, 1, 8, 3, False, tma=True)]
for x_dtype in (torch.bfloat16,):
    for cfg in configs:
        c = aot_compile(90, cfg, x_dtype, torch.float32, False, False)
        with tempfile.NamedTemporaryFile("w", suffix=".ptx", delete=False) as f:
            f.write(c.asm["ptx"])
        log = subprocess.run([f"{BIN}/ptxas", "-arch=sm_90a", "-v", f.name, "-o", "/tmp/x.cubin"], capture_output=True, text=True).stderr
        serial = re.findall(r"\(C75\d\d\)[^\n]*serialized due to ([^\n]*?) in the function", log)
        regs = re.findall(r"Used (\d+) registers", log) + re.findall(r"(\d+) bytes spill stores", log)
        with tempfile.NamedTemporaryFile(suffix=".cubin", delete=False) as f:
            f.write(c.asm["cubin"])
        sass = subprocess.run([f"{BIN}/nvdisasm", "-c", f.name], capture_output=True, text=True).stdout
        print(f"{cfg.block_n}x{cfg.block_m}k{cfg.block_k}w{cfg.num_warps}s{cfg.split_k}st{cfg.num_stages} siw={int(cfg.scale_in_weight)} tma={int(cfg.tma)}: "
              f"HGMMA {sass.count('HGMMA')} DEPBAR {sass.count('WARPGROUP.DEPBAR')} regs {regs} serialized: {serial or '-'}")
