"""Loop-body SASS of decode builds (sm_90, offline): `python loop.py 32,1,128,2,1,False,4,2,False ...` (DecodeConfig
fields); instructions a step, weights a thread, the most frequent opcodes. `loop2.py` (EVEN=1) builds with
EVEN_TILES on (m1_pieces.patch installed)."""
import os, re, subprocess, sys, collections, tempfile, torch
import triton.backends.nvidia
from fp8blk.kernels.fp8_block_matmul import aot_compile
from fp8blk.kernels.fp8_decode import DecodeConfig
NVDISASM = os.path.join(os.path.dirname(triton.backends.nvidia.__file__), "bin", "nvdisasm")
for spec in sys.argv[1:]:
    cfg = DecodeConfig(*[int(v) if v.isdigit() else v == "True" for v in spec.split(",")])
    c = aot_compile(90, cfg, torch.bfloat16, torch.float32, False, False)
    cubin = os.path.join(tempfile.mkdtemp(), "k.cubin")
    open(cubin, "wb").write(c.asm["cubin"])
    sass = subprocess.run([NVDISASM, "-c", cubin], capture_output=True, text=True).stdout
    labels = {m.group(1): int(m.group(2), 16) for m in re.finditer(r"\.L_x_(\d+):\s*\n\s+/\*([0-9a-f]+)\*/", sass)}
    ins = [(int(m.group(1), 16), m.group(2).strip()) for m in re.finditer(r"\s+/\*([0-9a-f]{4,})\*/\s+(.*?);", sass)]
    loops = []
    for a, t in ins:
        m = re.search(r"BRA\s+`\(\.L_x_(\d+)\)", t)
        if m and labels.get(m.group(1), a + 1) < a:
            loops.append((labels[m.group(1)], a))
    for lo, hi in loops:
        body = [re.sub(r"^@!?U?P\w+\s+", "", t).split()[0] for a, t in ins if lo <= a <= hi]
        ops = collections.Counter(body)
        weights = cfg.block_n * cfg.subs * cfg.sub_k // (cfg.num_warps * 32)
        print(f"{spec}: loop {len(body)} instr/step, {weights} weights/thread -> {len(body) / weights:.2f}/weight;",
              ", ".join(f"{k} {v}" for k, v in ops.most_common(14)), f"| shared {c.metadata.shared}")
