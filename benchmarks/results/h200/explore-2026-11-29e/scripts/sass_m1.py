import os, re, subprocess, sys, collections, torch
import triton.backends.nvidia
from fp8blk.kernels.fp8_block_matmul import aot_compile
from fp8blk.kernels.fp8_decode import DecodeConfig
NVDISASM = os.path.join(os.path.dirname(triton.backends.nvidia.__file__), "bin", "nvdisasm")
cfg = DecodeConfig(*[int(v) if v.isdigit() else v == "True" for v in sys.argv[1].split(",")])
c = aot_compile(90, cfg, torch.bfloat16, torch.float32, False, False)
open("k.cubin", "wb").write(c.asm["cubin"]); open("k.ptx", "w").write(c.asm["ptx"])
sass = subprocess.run([NVDISASM, "-c", "k.cubin"], capture_output=True, text=True).stdout
open("k.sass", "w").write(sass)
ops = collections.Counter(re.findall(r"/\*[0-9a-f]+\*/\s+(?:@!?U?P\w+\s+)?([A-Z][A-Z0-9_.]+)", sass))
print(sum(ops.values()), ops.most_common(40))
