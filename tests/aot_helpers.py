"""Ahead-of-time builds of fp8blk's kernels for real targets (sm_80, sm_90) on a CPU machine, for the kernel tests.

The builds run in one child process: the interpreter (TRITON_INTERPRET=1, used by the numerics tests) patches Triton
in-process, and the compiler must not see it.
"""
import json
import os
import subprocess
import sys

AOT_WORKER = """
import json, os, re, subprocess, sys, tempfile, torch
import triton.backends.nvidia
from fp8blk.kernels.fp8_block_matmul import KernelConfig, aot_compile
from fp8blk.kernels.fp8_decode import DecodeConfig
NVDISASM = os.path.join(os.path.dirname(triton.backends.nvidia.__file__), "bin", "nvdisasm")
PTXAS = os.path.join(os.path.dirname(triton.backends.nvidia.__file__), "bin", "ptxas")


def ptxas_log(ptx):
    # ptxas's own report on the build (Triton's ptxas, sm_90a, as the JIT assembles it)
    with tempfile.NamedTemporaryFile("w", suffix=".ptx") as f:
        f.write(ptx)
        f.flush()
        return subprocess.run([PTXAS, "-arch=sm_90a", "-v", f.name, "-o", os.devnull], capture_output=True,
                              text=True, check=True).stderr


def ptxas_report(ptx):
    # from ptxas's report: whether it serializes the build's wgmmas (waiting after each one), the registers a thread,
    # and the bytes spilled (stores, loads)
    log = ptxas_log(ptx)
    return {"wgmma_serialized": "wgmma.mma_async instructions are serialized" in log,
            "registers": int(re.search(r"Used (\d+) registers", log).group(1)),
            "spills": [int(b) for b in re.findall(r"(\d+) bytes spill", log)]}


def wgmma_pending(cubin):
    # the most wgmma groups a WARPGROUP.DEPBAR in the SASS leaves in flight (None: no wgmma wait in the build)
    with tempfile.NamedTemporaryFile(suffix=".cubin") as f:
        f.write(cubin)
        f.flush()
        sass = subprocess.run([NVDISASM, "-c", f.name], capture_output=True, text=True, check=True).stdout
    waits = [int(n, 16) for n in re.findall(r"WARPGROUP.DEPBAR.LE gsb0, 0x([0-9a-f]+)", sass)]
    return max(waits) if waits else None


results = []
for cc, cfg, x_dtype, scale_dtype, bias, integer, *options in json.loads(sys.stdin.read()):
    try:
        config = DecodeConfig(*cfg["decode"]) if isinstance(cfg, dict) else KernelConfig(*cfg)
        c = aot_compile(cc, config, getattr(torch, x_dtype), getattr(torch, scale_dtype), bias, integer,
                        aligned=options[0] if options else True, persistent=len(options) > 1 and options[1],
                        stream=len(options) > 2 and options[2],
                        x_row_groups=isinstance(cfg, dict) and cfg.get("x_row_groups", False),
                        even_tiles=isinstance(cfg, dict) and cfg.get("even_tiles", False))
        ptx = c.asm["ptx"]
        masks_named = isinstance(cfg, dict) and "even_tiles" in cfg  # the CUDA-core builds as their launches have them
        report = ptxas_report(ptx) if cc >= 90 and (config.tma or masks_named) else {}
        results.append({"wgmma": "wgmma.mma_async" in ptx, "mma_sync": "mma.sync" in ptx, "e4m3": "e4m3" in ptx,
                        "wgmma_e4m3": bool(re.search(r"wgmma\.mma_async\S*\.e4m3\.e4m3", ptx)),
                        "cp_async_16": "cp.async.cg.shared.global" in ptx, "ld_global_v4": "ld.global.v4" in ptx,
                        "fp8": "e4m3" in ptx or "e5m2" in ptx, "cubin": len(c.asm["cubin"]), "error": None,
                        "tma": ptx.count("cp.async.bulk.tensor"), "shared": c.metadata.shared,
                        "wgmma_pending": wgmma_pending(c.asm["cubin"]) if cc >= 90 else None,
                        "wgmma_serialized": (report["wgmma_serialized"] if "wgmma.mma_async" in ptx
                                             and isinstance(config, KernelConfig) and report else None),
                        "registers": report.get("registers"), "spills": report.get("spills"),
                        "warps": c.metadata.num_warps, "wgmmas": ptx.count("wgmma.mma_async.sync.aligned"),
                        "atomics": ptx.count("atom.global"),
                        # the split-K counters' atomics, as "ordering op" (the arrival, then the reset)
                        "counter_atomics": [" ".join(a) for a in
                                            re.findall(r"atom\\.global\\.gpu\\.(\\w+)\\.(add|exch)", ptx)],
                        # values a thread loads with ld.global.cg: the split-K sum's partials (one pass of its loop)
                        "partial_values": sum(int(v or 1)
                                              for v in re.findall(r"ld\\.global\\.cg(?:\\.v(\\d))?\\.", ptx)),
                        "pdl": [ptx.count("griddepcontrol.wait"), ptx.count("griddepcontrol.launch_dependents"),
                                bool(getattr(c.metadata, "launch_pdl", False))]})
    except Exception as exc:  # the whole chain: Triton wraps the root cause once per inlined function
        chain = []
        while exc is not None:
            chain.append(f"{type(exc).__name__}: {exc}")
            exc = exc.__cause__ or exc.__context__
        results.append({"error": " <- ".join(chain)})
print(json.dumps(results))
"""


def config_key(value):
    """A job's config entry as ``run_aot_jobs`` keys its result."""
    if isinstance(value, dict):  # a decode build: its fields, and the options it names (x in row groups, no masks)
        return tuple(value["decode"]) + tuple(name for name in ("x_row_groups", "even_tiles") if value.get(name))
    return tuple(value)


def run_aot_jobs(jobs):
    """``jobs``: ``(capability, config fields (or {"decode": fields[, "x_row_groups": True][, "even_tiles": True]}),
    x dtype, scale dtype, bias, integer[, aligned[, persistent[, stream]]])`` (persistent: the serving kernel's
    persistent form; stream: with its stream). Returns ``{(capability, config tuple, x, scale, bias, integer[,
    aligned[, ...]]): what the build holds}``."""
    env = {k: v for k, v in os.environ.items() if k != "TRITON_INTERPRET"}
    done = subprocess.run([sys.executable, "-c", AOT_WORKER], input=json.dumps(jobs), capture_output=True, text=True,
                          env=env, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    return {(j[0], config_key(j[1]), *j[2:]): r for j, r in zip(jobs, json.loads(done.stdout.strip().splitlines()[-1]))}
