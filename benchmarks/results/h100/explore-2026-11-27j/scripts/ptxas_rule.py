import os, re, subprocess, tempfile, sys, json, torch, triton.backends.nvidia
from fp8blk.kernels.fp8_block_matmul import KernelConfig, aot_compile
BIN = os.path.join(os.path.dirname(triton.backends.nvidia.__file__), "bin")
for fields in json.load(open("/tmp/rule_cfgs.json")):
    cfg = KernelConfig(*fields)
    c = aot_compile(90, cfg, torch.bfloat16, torch.float32, False, False)
    with tempfile.NamedTemporaryFile("w", suffix=".ptx", delete=False) as f:
        f.write(c.asm["ptx"])
    log = subprocess.run([f"{BIN}/ptxas", "-arch=sm_90a", "-v", f.name, "-o", "/tmp/x.cubin"], capture_output=True, text=True).stderr
    ser = bool(re.search(r"C75\d\d", log))
    regs = re.findall(r"Used (\d+) registers", log)[0]
    spill = re.findall(r"(\d+) bytes spill stores", log)[0]
    print(f"{cfg.block_n}x{cfg.block_m}k{cfg.block_k}w{cfg.num_warps}s{cfg.split_k}st{cfg.num_stages}{'T' if cfg.tma else 'P'} regs {regs} spill {spill} serialized {ser}", flush=True)
