"""Per-K-tile instruction mix of the tile kernel's sm_90 builds (the K loop's body in SASS)."""
import os, re, subprocess, tempfile, sys, importlib, collections, torch, triton.backends.nvidia
mm = importlib.import_module("fp8blk.kernels.fp8_block_matmul")
from fp8blk.kernels.fp8_block_matmul import KernelConfig
BIN = os.path.join(os.path.dirname(triton.backends.nvidia.__file__), "bin")
T = dict(tma=True)
for cfg in (KernelConfig(64, 128, 64, 1, 4, 4, True, **T), KernelConfig(64, 128, 64, 2, 4, 4, True, **T),
            KernelConfig(128, 128, 64, 1, 4, 4, True, **T), KernelConfig(128, 256, 64, 1, 8, 4, True, **T),
            KernelConfig(128, 64, 128, 1, 8, 4, True, **T), KernelConfig(64, 64, 128, 1, 4, 3, True, **T),
            KernelConfig(64, 64, 128, 4, 4, 4, True, **T)):
    c = mm.aot_compile(90, cfg, torch.bfloat16, torch.float32, False, False)
    with tempfile.NamedTemporaryFile(suffix=".cubin", delete=False) as f:
        f.write(c.asm["cubin"])
    sass = subprocess.run([f"{BIN}/nvdisasm", "-c", f.name], capture_output=True, text=True).stdout
    lines = sass.splitlines()
    idx = [i for i, l in enumerate(lines) if "HGMMA" in l]
    end = next(i for i in range(idx[-1], len(lines)) if re.search(r"BRA", lines[i]) and "(.L_x_" in lines[i]
               and any(l.strip().startswith("." + re.search(r"\(\.(L_x_\d+)\)", lines[i]).group(1) + ":") for l in lines[:idx[0]]))
    target = re.search(r"\(\.(L_x_\d+)\)", lines[end]).group(1)
    start = next(i for i, l in enumerate(lines) if l.strip().startswith("." + target + ":"))
    body = [l for l in lines[start:end + 1] if "/*" in l and ";" in l and "@!PT" not in l]
    ops = collections.Counter(re.sub(r"^\s*/\*[0-9a-f]+\*/\s*(@!?U?P\w+\s+)?", "", l).split()[0] for l in body)
    pick = lambda *names: sum(v for k, v in ops.items() if any(k.startswith(n) for n in names))  # noqa: E731
    print(f"{cfg.block_n}x{cfg.block_m}k{cfg.block_k}w{cfg.num_warps}s{cfg.split_k}st{cfg.num_stages}: {len(body)} instr/K-tile; "
          f"HGMMA {pick('HGMMA')} waits {pick('WARPGROUP.DEPBAR')}; weight LDS {dict((k, v) for k, v in ops.items() if k.startswith('LDS'))}; "
          f"BAR.SYNC {pick('BAR.SYNC')} MEMBAR {pick('MEMBAR')} FENCE {pick('FENCE')}; convert F2FP {pick('F2FP')} HADD2.F32 {pick('HADD2.F32')} FMUL {pick('FMUL')}")
