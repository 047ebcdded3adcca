"""GPU checks for the Triton kernel; run on any CUDA machine:  python tests/gpu/run_all.py

1. the CPU test file's numerics on the real GPU (pytest tests/test_fp8_block_matmul.py, both dequant paths;
   ``--skip-pytest`` leaves it out);
2. full-size DeepSeek shapes x M x dtypes against a float64 reference, native and integer (Ampere) paths;
3. CUDA-graph capture and replay (split-K included, decode and tile kernels) giving the eager result bitwise;
4. dependent launches (programmatic dependent launch on sm_90+): chains where each launch reads the previous one's
   output, replayed from a graph, bitwise equal to the chain run with a synchronization after every call;
5. determinism: 20 runs bitwise equal, split-K up to 16, both kernels; the split-K sum in split order (the workspace's
   partials added one after another); batch_invariant rows independent of M;
6. TMA (sm_90+): the TMA launches of both kernels bitwise equal to the same launches by pointer loads, and the rule
   taking them where it should;
7. ``Fp8BlockLinear``'s bound launches (every launch kind, x with leading dims, a bias): bitwise the wrapper's output
   for new inputs, captured into a CUDA graph and replayed bitwise, rebound after the weight moves.
Prints a summary table last; exits non-zero on any failure.
"""
import importlib
import itertools
import subprocess
import sys
import tempfile
from pathlib import Path

import torch

from fp8blk import quantize_fp8_block
from fp8blk.kernels import KernelConfig, fp8_block_matmul
from fp8blk.kernels.fp8_decode import DecodeConfig, decode_config, on_tile_geometry
from fp8blk.kernels.fp8_block_matmul import choose_config, launch_config
from fp8blk.kernels.fp8_serving import serving_config, serving_schedule
from fp8blk.kernels.fp8_tile import default_config

ROOT = Path(__file__).resolve().parents[2]
SHAPES = [(512, 4096), (1024, 4096), (32768, 1024), (4096, 8192), (2048, 4096), (4096, 2048), (576, 7168),
          (7168, 16384), (24576, 1536)]
MS = [1, 2, 3, 16, 17, 64, 130, 1024, 4096]  # 2: CUDA cores with two rows on the small layers
TOL = {torch.bfloat16: 8e-3, torch.float16: 1e-3}


def make(m, n, k, x_dtype, scale_dtype, bias, seed=0):
    torch.manual_seed(seed)
    w = torch.randn(n, k, device="cuda") * (torch.rand(n, 1, device="cuda") + 0.1)
    wq, scale = quantize_fp8_block(w, (128, 128), scale_dtype)
    x = torch.randn(m, k, device="cuda").to(x_dtype)
    b = torch.randn(n, device="cuda").to(x_dtype) if bias else None
    return x, wq, scale, b


def reference(x, wq, scale, b):
    n, k = wq.shape
    w = wq.double() * scale.double().repeat_interleave(128, 0)[:n].repeat_interleave(128, 1)[:, :k]
    y = x.double() @ w.T
    return y + b.double() if b is not None else y


def _pytest_on_gpu(record) -> None:
    # From a scratch directory, so `import fp8blk` is the installed package, not the checkout's source folder.
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider",
                           str(ROOT / "tests/test_fp8_block_matmul.py"), "-k", "not aot", "-rf"],
                          capture_output=True, text=True, cwd=tempfile.mkdtemp())
    failed = [line for line in done.stdout.splitlines() if line.startswith("FAILED")]
    record("pytest tests/test_fp8_block_matmul.py on GPU", done.returncode == 0,
           "; ".join(failed + done.stdout.strip().splitlines()[-1:]))



def main() -> int:
    rows, failures = [], []

    def record(name, ok, detail):
        rows.append((name, "ok" if ok else "FAIL", detail))
        print(f"{name}: {'ok' if ok else 'FAIL'} {detail}", flush=True)
        if not ok:
            failures.append(name)

    if "--skip-pytest" in sys.argv:  # the CPU suite's kernel tests on this GPU take minutes: skippable
        record("pytest tests/test_fp8_block_matmul.py on GPU", True, "skipped (--skip-pytest)")
    else:
        _pytest_on_gpu(record)

    worst, direct_mismatch = {}, []  # second call of a signature: the cached direct launch
    for (n, k), m in itertools.product(SHAPES, MS):
        for x_dtype, scale_dtype, bias, dequant in ((torch.bfloat16, torch.float32, False, "native"),
                                                   (torch.float16, torch.bfloat16, True, "native"),
                                                   (torch.bfloat16, torch.float8_e8m0fnu, True, "integer"),
                                                   (torch.float16, torch.float32, False, "integer")):
            x, wq, scale, b = make(m, n, k, x_dtype, scale_dtype, bias)
            out = torch.full((m, n), float("nan"), device="cuda", dtype=x_dtype)
            y = fp8_block_matmul(x, wq, scale, b, out=out, dequant=dequant)
            ref = reference(x, wq, scale, b)
            err = float((y.double() - ref).norm() / ref.norm())
            key = (str(x_dtype).split(".")[1], dequant)
            worst[key] = max(worst.get(key, 0.0), err)
            if not (err < TOL[x_dtype]) or torch.isnan(y).any():
                failures.append(f"N={n} K={k} M={m} {key}: rel err {err:.3g}")
            if not torch.equal(fp8_block_matmul(x, wq, scale, b, out=torch.empty_like(out), dequant=dequant), y):
                direct_mismatch.append(f"N={n} K={k} M={m} {key}")
    for key, err in sorted(worst.items()):
        record(f"full-size numerics {key[0]} {key[1]}", err < TOL[getattr(torch, key[0])],
               f"worst rel err {err:.2e} over {len(SHAPES)} shapes x M {MS}")

    record("direct launch (cached) equals the JIT launch", not direct_mismatch,
           "; ".join(direct_mismatch[:5]) or "bitwise, every case above")
    failures += direct_mismatch
    misaligned_errs = []
    for m, n, k in ((1, 512, 4096), (130, 4096, 8192)):
        x, wq, scale, b = make(m, n, k, torch.bfloat16, torch.float32, True)
        buffer = torch.empty(m * k + 1, device="cuda", dtype=torch.bfloat16)
        shifted = buffer[1:].view(m, k)  # 2 bytes past 16-byte alignment: a different Triton specialization
        shifted.copy_(x)
        ref = reference(x, wq, scale, b)
        for _ in range(2):
            y = fp8_block_matmul(shifted, wq, scale, b)
            misaligned_errs.append(float((y.double() - ref).norm() / ref.norm()))
        fp8_block_matmul(x, wq, scale, b)  # aligned again
    x, wq, scale, b = make(1, 512, 4096, torch.bfloat16, torch.float32, True)
    fp8_block_matmul(x, wq, scale, b)  # the signature's plan is cached: the next call takes the direct launch
    refused = []
    for args in ((x, wq.cpu(), scale, b), (x, wq, scale.cpu(), b), (x, wq, scale, b.cpu())):
        try:
            fp8_block_matmul(*args)
        except ValueError as exc:
            refused.append("CUDA tensors" in str(exc))
    torch.cuda.synchronize()
    record("a CPU weight, scale or bias with CUDA x is a ValueError", refused == [True] * 3,
           f"{sum(refused)} of 3 refused before the launch")
    record("misaligned x (cached per alignment)", max(misaligned_errs) < TOL[torch.bfloat16],
           f"worst rel err {max(misaligned_errs):.2e}")

    for m, (n, k), cfg in ((4, (7168, 16384), None), (8, (512, 4096), KernelConfig(64, 16, 128, 16, 4, 4)),
                           (8, (4096, 8192), None), (8, (32768, 1024), None), (1, (512, 4096), None),
                           (1, (4096, 8192), DecodeConfig(8, 1, 128, 8, 4, False, 4, 2)), (2, (1024, 4096), None),
                           (3, (1024, 4096), DecodeConfig(2, 4, 128, 8, 4, False, 4, 3)), (64, (4096, 8192), None),
                           (16, (512, 4096), None),  # the rule's 32-row tensor-core tiles, split 8 (on 132 SMs)
                           (24, (8192, 1024), None),  # the same tiles unsplit
                           (24, (32768, 1024), None),  # 64-row tiles unsplit by TMA on short K (v65)
                           (20, (10240, 7168), None),  # 64-row tiles by TMA re-split 2 -> 3 at M = 20 (v65)
                           (4, (49152, 1024), None),  # 64-row tiles unsplit by TMA on short K, 3 stages (v66)
                           (100, (4096, 2048), None),  # 64 x 128 tiles at M = 65-128, split 2 (on 132 SMs)
                           (48, (1024, 4096), None),  # the decode kernel on a small layer at M = 33-64 (v41)
                           (250, (5120, 5120), None),  # split x, 64 x 64 tiles three per SM (v41, on 132 SMs)
                           (512, (4096, 8192), None),  # split x, one 8-warp 128 x 128 tile per SM (v42)
                           (48, (8192, 1024), None),  # split x, 64 x 64 tiles at M = 48 (v42, on 132 SMs)
                           (2, (1536, 7168), None),  # M = 2 on CUDA cores with row pieces up to 256 KB a SM (v70)
                           (2, (32768, 1024), None),  # M = 2 by M = 4's tensor-core launch (v43; 32-row programs)
                           (2, (4096, 2048), None),  # CUDA cores, row pieces, no masks (v69)
                           (1, (2880, 2880), None),  # row pieces with masks (K not a multiple of the step; v69)
                           (2, (512, 7168), None),  # two-row programs on the smallest layers (v72)
                           (256, (7168, 16384), None),  # the serving kernel (Gluon; v50, on 132 SMs)
                           (256, (4096, 8192), None)):  # its 64-row build (v51, on 132 SMs)
        x, wq, scale, b = make(m, n, k, torch.bfloat16, torch.float32, True)
        eager = fp8_block_matmul(x, wq, scale, b, config=cfg)
        out = torch.empty_like(eager)
        graph = torch.cuda.CUDAGraph()
        fp8_block_matmul(x, wq, scale, b, out=out, config=cfg)  # warm-up: compile, workspace
        torch.cuda.synchronize()
        with torch.cuda.graph(graph):
            fp8_block_matmul(x, wq, scale, b, out=out, config=cfg)
        same = True
        for _ in range(5):
            x.copy_(torch.randn_like(x))
            graph.replay()
            same &= torch.equal(out, fp8_block_matmul(x, wq, scale, b, config=cfg))
        record(f"CUDA graph capture M={m} N={n} K={k} {type(cfg).__name__ if cfg else 'rule'} "
               f"split_k={cfg.split_k if cfg else 'auto'}", same,
               "replays equal eager bitwise on fresh inputs")

    # Programmatic dependent launch (sm_90+): each launch below reads the previous launch's output and the split-K
    # launches share one workspace; replayed from a graph (the next launch placed while the previous one runs), the
    # result must equal the same chain run with a synchronization after every call. Back to back, and with a plain
    # torch kernel between the launches. M = 128: split x (two launches a call; on 132 SMs the tile kernel, split K 2,
    # whose prologue is itself a dependent launch since v67: it reads x as the previous tile launch wrote it).
    for m, between in itertools.product((1, 5, 64, 128), (False, True)):
        layers = [make(m, 4096, 4096, torch.bfloat16, torch.float32, False, seed=i)[1:3] for i in range(8)]
        x0 = torch.randn(m, 4096, device="cuda", dtype=torch.bfloat16)
        chain = [x0.clone()] + [torch.empty_like(x0) for _ in layers]

        def run_chain(sync):
            for i, (wq, scale) in enumerate(layers):
                fp8_block_matmul(chain[i], wq, scale, out=chain[i + 1])
                if between:
                    chain[i + 1].neg_()
                if sync:
                    torch.cuda.synchronize()
        run_chain(sync=True)
        synced = chain[-1].clone()
        graph = torch.cuda.CUDAGraph()
        with torch.cuda.graph(graph):
            run_chain(sync=False)
        same = True
        for _ in range(5):
            chain[0].copy_(x0)
            graph.replay()
            same &= torch.equal(chain[-1], synced)
        record(f"dependent launches in one graph M={m}{' with a kernel between' if between else ''}",
               same and bool(synced.isfinite().all()), "8 chained 4096x4096 launches (PDL on sm_90+), replays equal "
               "the synchronized chain bitwise")

    for m, cfg in ((16, KernelConfig(64, 16, 128, 16, 4, 4)), (16, KernelConfig(64, 16, 128, 4, 4, 3)), (16, None),
                   (1, None), (1, DecodeConfig(1, 1, 128, 4, 16, False, 4, 2)), (2, None),
                   (3, DecodeConfig(1, 4, 128, 4, 16, False, 4, 3)),
                   (2, DecodeConfig(4, 2, 128, 4, 14, False, 4, 2)),  # row pieces (v69), split 14, no masks
                   (5, DecodeConfig(64, 16, 128, 2, 16, True, 4, 3))):
        x, wq, scale, b = make(m, 512, 7168, torch.bfloat16, torch.float32, True)
        first = fp8_block_matmul(x, wq, scale, b, config=cfg)
        same = all(torch.equal(first, fp8_block_matmul(x, wq, scale, b, config=cfg)) for _ in range(20))
        record(f"determinism M={m} {type(cfg).__name__ if cfg else 'rule'} split_k={cfg.split_k if cfg else 'auto'}",
               same, "20 runs bitwise equal")

    # v73: the last program loads the partials in passes (all at once, or <= 8192 values a pass, masked past SPLIT_K)
    # and adds them in split order: the output is the workspace's partials added one after another, plus the bias
    kernel_module = importlib.import_module("fp8blk.kernels.fp8_block_matmul")
    for m, n, k, cfg in ((48, 512, 7168, DecodeConfig(32, 64, 128, 1, 16, True, 4, 3)),  # 16 in passes of 4
                         (96, 1024, 4096, KernelConfig(64, 64, 128, 3, 4, 3, True)),  # 3 in passes of 2
                         (5, 4096, 2048, DecodeConfig(64, 16, 128, 1, 7, True, 4, 3))):  # 7 at once
        x, wq, scale, b = make(m, n, k, torch.bfloat16, torch.float32, True)
        y = fp8_block_matmul(x, wq, scale, b, config=cfg)
        parts = kernel_module._SPLIT_K[y.device][0][:cfg.split_k * m * n].view(cfg.split_k, m, n)
        total = torch.zeros(m, n, device="cuda")
        for part in parts:
            total = total + part
        record(f"split-K sum in split order M={m} N={n} K={k} {type(cfg).__name__} split_k={cfg.split_k}",
               torch.equal(y, (total + b.float()).to(torch.bfloat16)),
               "bitwise the workspace's fp32 partials added in split order, plus the bias")

    if torch.cuda.get_device_capability() >= (9, 0):
        sms = torch.cuda.get_device_properties(0).multi_processor_count
        shared = torch.cuda.get_device_properties(0).shared_memory_per_block_optin
        # v55: a wave of short 64-row programs unsplit, 4 stages, by TMA -- the rule's where its tiles make 0.8-1 of a
        # wave (8192 x 1536: 128-160 SMs), and v57's at M = 3 (K of 12 steps); forced on ragged N and K (N < 4096:
        # not compared with the rule's launch)
        wave_of_short_programs = [(24, 8192, 1536, decode_config(24, 8192, 1536, 1, 128, sms, tma=True)),
                                  (3, 8192, 1536, decode_config(3, 8192, 1536, 1, 128, sms, tma=True)),
                                  (20, 4000, 1520, DecodeConfig(64, 32, 128, 1, 1, True, 4, 4, tma=True)),
                                  (5, 4000, 1520, DecodeConfig(64, 16, 128, 1, 1, True, 4, 4, tma=True))]
        for m, n, k, cfg in (*(case for case in wave_of_short_programs if case[3].tma),
                             (4, 7168, 16384, decode_config(4, 7168, 16384, 1, 128, sms, tma=True)),
                             (32, 7168, 16384, decode_config(32, 7168, 16384, 1, 128, sms, tma=True)),
                             (7, 300, 528, DecodeConfig(64, 16, 128, 1, 3, True, 4, 4, tma=True)),
                             # v76: the tile rule's 64 x 64 tiles split 4 on the decode kernel (128 programs), M = 41
                             (41, 2048, 7168, DecodeConfig(64, 64, 128, 1, 4, True, 4, 4, tma=True)),
                             (130, 4096, 8192, default_config(130, 4096, 8192, 1, 128, sms, tma=True)),
                             (96, 4096, 2048, default_config(96, 4096, 2048, 1, 128, sms, tma=True)),  # 64 x 128
                             (256, 4096, 2048, default_config(256, 4096, 2048, 1, 128, sms, tma=True)),  # v38 8 warps
                             (200, 2048, 4096, default_config(256, 2048, 4096, 1, 128, sms, tma=True)),  # v38 split 4
                             (48, 8192, 1536, default_config(48, 8192, 1536, 1, 128, sms, tma=True)),  # v39 split 2
                             (40, 8192, 1008, default_config(40, 8192, 1008, 1, 128, sms, tma=True)),  # v39 unsplit
                             (256, 7168, 16384, default_config(256, 7168, 16384, 1, 128, sms, tma=True)),
                             (130, 32768, 1024, default_config(130, 32768, 1024, 1, 128, sms, tma=True)),
                             (256, 7168, 16384, KernelConfig(128, 128, 64, 2, 4, 4, True, tma=True)),
                             (70, 300, 528, KernelConfig(128, 64, 128, 2, 8, 3, True, tma=True)),
                             (200, 16400, 1024, default_config(200, 16400, 1024, 1, 128, sms, tma=True,
                                                               shared_memory=shared)),
                             (450, 8192, 1536, default_config(450, 8192, 1536, 1, 128, sms, tma=True,
                                                              shared_memory=shared)),
                             # split x (fp8 x fp8 MMAs, item 58): the rule's 64 x 64 tiles unsplit and split 2, its
                             # 128 x 64 tiles, and a forced split launch on ragged N and K
                             (130, 4096, 8192, default_config(130, 4096, 8192, 1, 128, sms, tma=True, split_x=True)),
                             (128, 2048, 4096, default_config(128, 2048, 4096, 1, 128, sms, tma=True, split_x=True)),
                             (256, 7168, 16384, default_config(256, 7168, 16384, 1, 128, sms, tma=True, split_x=True)),
                             (70, 3000, 2000, KernelConfig(64, 64, 128, 2, 4, 4, tma=True, split_x=True)),
                             # v41: 64 x 64 tiles three per SM (3 stages); M = 80, the low terms at row 128 of 256
                             (250, 5120, 5120, default_config(250, 5120, 5120, 1, 128, sms, tma=True, split_x=True)),
                             (80, 4096, 2048, default_config(80, 4096, 2048, 1, 128, sms, tma=True, split_x=True)),
                             # v42: one 8-warp 128 x 128 tile per SM on long K (M = 512, and a ragged M = 300);
                             # 64 x 64 tiles at M = 48 on short K
                             (512, 4096, 8192, default_config(512, 4096, 8192, 1, 128, sms, tma=True,
                                                              shared_memory=shared, split_x=True)),
                             (300, 7168, 16384, default_config(300, 7168, 16384, 1, 128, sms, tma=True,
                                                               shared_memory=shared, split_x=True)),
                             (48, 8192, 1024, default_config(48, 8192, 1024, 1, 128, sms, tma=True,
                                                             shared_memory=shared, split_x=True))):
            worst_err, same = 0.0, cfg.tma
            combos = ((torch.bfloat16, torch.float32, "native"), (torch.float16, torch.float8_e8m0fnu, "integer"))
            if getattr(cfg, "split_x", False):  # bf16 x and fp8 tensor cores only
                combos = ((torch.bfloat16, torch.float32, "native"), (torch.bfloat16, torch.float8_e8m0fnu, "native"))
            for x_dtype, scale_dtype, dequant in combos:
                x, wq, scale, b = make(m, n, k, x_dtype, scale_dtype, True)
                tma = fp8_block_matmul(x, wq, scale, b, config=cfg, dequant=dequant)
                # (the 128 x 256 tiles' pointer-load build: sm_90 224 registers for bf16; fp16 spills, slow but exact)
                same &= torch.equal(tma, fp8_block_matmul(x, wq, scale, b, config=cfg._replace(tma=False),
                                                          dequant=dequant))
                same &= torch.equal(tma, fp8_block_matmul(x, wq, scale, b, config=cfg, dequant=dequant))
                rule = choose_config(m, n, k, 1, 128, x.device, False, True, x_dtype == torch.bfloat16, True,
                                     torch.cuda.get_device_capability() == (9, 0))
                taken = launch_config(m, n, k, x_dtype=x_dtype, scale_dtype=scale_dtype, dequant=dequant) == cfg
                if rule == cfg or taken or n >= 4096 and isinstance(cfg, DecodeConfig):
                    same &= torch.equal(tma, fp8_block_matmul(x, wq, scale, b))  # the rule takes this launch
                ref = reference(x, wq, scale, b)
                worst_err = max(worst_err, float((tma.double() - ref).norm() / ref.norm()))
            split_x = " split_x" if getattr(cfg, "split_x", False) else ""
            record(f"TMA {type(cfg).__name__} {cfg.block_n}x{cfg.block_m}{split_x} M={m} N={n} K={k} split_k={cfg.split_k}",
                   same and worst_err < TOL[torch.bfloat16],
                   f"bitwise equal to pointer loads (and the rule) and repeatable; worst rel err {worst_err:.2e}")
        v76 = launch_config(41, 2048, 7168)
        tile_rule = choose_config(41, 2048, 7168, 1, 128, torch.device("cuda", torch.cuda.current_device()), False,
                                  True, True, True, torch.cuda.get_device_capability() == (9, 0))
        expected = on_tile_geometry(41, 2048, 1, tile_rule, sms) or tile_rule
        record("v76: the plan runs the tile rule's one-a-SM 64 x 64 launch (M = 33-64, bf16) on the decode kernel",
               v76 == expected and (sms < 128 or v76 == DecodeConfig(64, 64, 128, 1, 4, True, 4, 4, tma=True)),
               f"2048 x 7168 M = 41 on {sms} SMs: {v76}")

    # split x: the terms are torch's e4m3 roundings (the GPU's conversion instruction), a row with inf turns only its
    # own outputs to NaN
    matmul_module = importlib.import_module("fp8blk.kernels.fp8_block_matmul")
    x = (torch.randn(64, 7168, device="cuda") * torch.exp(2 * torch.randn(64, 7168, device="cuda"))).to(torch.bfloat16)
    terms, row_scale = matmul_module._split_x_buffers(x.device, 64, 7168, 64)
    matmul_module._launch(matmul_module._split_x_kernel, matmul_module._split_x_plan(64, 7168, x.stride(), False, 64),
                          x.device, (x, terms, row_scale))
    scaled = x.float() / row_scale[:, None]
    high = scaled.to(torch.float8_e4m3fn)
    low = (scaled - high.float()).to(torch.float8_e4m3fn)
    bytes_equal = torch.equal(terms[:64], high.view(torch.uint8)) and torch.equal(terms[64:], low.view(torch.uint8))
    cfg = KernelConfig(64, 64, 128, 1, 4, 4, tma=True, split_x=True)
    x, wq, scale, b = make(96, 4096, 2048, torch.bfloat16, torch.float32, True)
    clean = fp8_block_matmul(x, wq, scale, b, config=cfg)
    x[5, 17] = float("inf")
    y = fp8_block_matmul(x, wq, scale, b, config=cfg)
    others = [r for r in range(96) if r != 5]
    record("split x: terms are torch's e4m3 roundings; an inf row gives a NaN row only",
           bytes_equal and bool(torch.isnan(y[5]).all()) and torch.equal(y[others], clean[others]),
           f"bytes equal {bytes_equal}, NaN row {bool(torch.isnan(y[5]).all())}")

    # The serving kernel (sm_90, Gluon, v50): bitwise the tile kernel's unsplit 128 x 128 split-x launch (the same
    # operations in the same order), with bias, every scale dtype, ragged N, K and M, one tile a program and many (the
    # persistent grid: 3000 x 5008 M = 200 split 3, 65536 x 1536); streamed launches (v64: 7000 x 5008 M = 300,
    # 16900 x 5104 M = 250, 7168 x 16384 M = 384 split 2) within 1.2x the tile launch's error instead of bitwise;
    # repeatable; the rule's choice where its tiles fill the GPU; a weight TMA cannot take falls back to the tile
    # kernel.
    if torch.cuda.get_device_capability() == (9, 0):
        serving = KernelConfig(128, 128, 128, 1, 4, 4, tma=True, split_x=True, warp_specialized=True)
        tile_twin = KernelConfig(128, 128, 128, 1, 8, 4, tma=True, split_x=True)
        for m, n, k, scale_dtype, bias, tile_rows, split in ((256, 7168, 16384, torch.float32, False, 128, 1),
                                                             (512, 4096, 8192, torch.float8_e8m0fnu, True, 128, 1),
                                                             (300, 7000, 5008, torch.bfloat16, True, 128, 1),
                                                             (65, 3000, 1040, torch.float16, False, 128, 1),
                                                             # the 64-row build (v51): the rule's at 4096 x 8192 M = 256
                                                             (256, 4096, 8192, torch.float32, False, 64, 1),
                                                             (100, 3000, 1040, torch.float8_e8m0fnu, True, 64, 1),
                                                             # split K: the rule's at 7168 x 16384 M = 128; ragged, 3 ways
                                                             (128, 7168, 16384, torch.float32, True, 128, 2),
                                                             (200, 3000, 5008, torch.bfloat16, False, 128, 3),
                                                             # persistent: 2048 tiles on a grid of one program a SM
                                                             (512, 65536, 1536, torch.float8_e8m0fnu, True, 128, 1),
                                                             # the stream (v64): 2 whole rounds of 133 x 2 tiles and 2
                                                             # tiles in 10 runs; the rule's 7168 x 16384 M = 384 (split
                                                             # 2: one round and 36 tiles); M = 1000 (v64: above 512)
                                                             (250, 16900, 5104, torch.bfloat16, True, 128, 1),
                                                             (384, 7168, 16384, torch.float8_e8m0fnu, False, 128, 2),
                                                             (1000, 7168, 3072, torch.float32, True, 128, 1)):
            x, wq, scale, b = make(m, n, k, torch.bfloat16, scale_dtype, bias)
            narrow = {"block_m": tile_rows, "num_stages": 4 if tile_rows == 128 else 3, "split_k": split}
            y = fp8_block_matmul(x, wq, scale, b, config=serving._replace(**narrow))
            twin = fp8_block_matmul(x, wq, scale, b, config=tile_twin._replace(
                **narrow, num_warps=8 if tile_rows == 128 else 4))
            repeat = all(torch.equal(y, fp8_block_matmul(x, wq, scale, b, config=serving._replace(**narrow)))
                         for _ in range(20))
            ref = reference(x, wq, scale, b)
            err = float((y.double() - ref).norm() / ref.norm())
            twin_err = float((twin.double() - ref).norm() / ref.norm())
            # a streamed launch sums a tile's K parts apart, then in order: not the tile launch's bits, as close
            schedule = serving_schedule(-(-n // 128) * -(-m // tile_rows), -(-k // 128),
                                        serving._replace(**narrow), sms)
            streams = schedule.stream_programs > 0
            record(f"serving kernel 128x{tile_rows} split {split} M={m} N={n} K={k} {str(scale_dtype)[6:]}"
                   f"{' bias' if bias else ''}{' stream' if streams else ''}",
                   (torch.equal(y, twin) or (streams and err < 1.2 * twin_err)) and repeat
                   and err < TOL[torch.bfloat16],
                   f"bitwise the 128x{tile_rows} split-x tile launch {torch.equal(y, twin)} (streams: {streams}), "
                   f"20 runs bitwise {repeat}, rel err {err:.2e} (tile launch {twin_err:.2e})")
        x, wq, scale, b = make(256, 7168, 16384, torch.bfloat16, torch.float32, False)
        rule = matmul_module.launch_config(256, 7168, 16384, x.device)
        by_rule = fp8_block_matmul(x, wq, scale)
        shifted = torch.empty(wq.numel() + 16, dtype=torch.uint8, device="cuda")[1:wq.numel() + 1]
        shifted.copy_(wq.view(torch.uint8).flatten())
        moved = fp8_block_matmul(x, shifted.view(torch.float8_e4m3fn).view(wq.shape), scale)  # 1 byte off alignment
        ref = reference(x, wq, scale, None)
        moved_err = float((moved.double() - ref).norm() / ref.norm())
        record("serving kernel: the rule's choice at 7168x16384 M=256; an unaligned weight falls back",
               rule.warp_specialized == (serving_config(256, 7168, 16384, 1, 128, sms, shared) is not None)
               and torch.equal(by_rule, fp8_block_matmul(x, wq, scale, config=serving)) == rule.warp_specialized
               and moved_err < TOL[torch.bfloat16],
               f"rule {rule}, fallback rel err {moved_err:.2e}")

        # v56: below its bound, the serving launch where it fills the GPU as well as the tile launch it replaces
        # (3072 x 7168 M = 192 on 132 SMs: 72 64-row tiles against 144 64 x 64 ones); v58: 64-row tiles where, two a
        # SM, they take fewer waves than 128-row tiles (32768 x 1024 M = 160: 768 programs in 3 waves against 512 in
        # 4); each bitwise its tile twin
        for m, n, k, version in ((192, 3072, 7168, "v56"), (160, 32768, 1024, "v58")):
            x, wq, scale, b = make(m, n, k, torch.bfloat16, torch.float32, True)
            rule = matmul_module.launch_config(m, n, k, x.device)
            expected = choose_config(m, n, k, 1, 128, x.device, tma=True, serving=True)  # on 132 SMs: serving
            chosen = rule == expected if expected.warp_specialized else not rule.warp_specialized
            by_rule = fp8_block_matmul(x, wq, scale, b)
            twin = fp8_block_matmul(x, wq, scale, b, config=tile_twin._replace(
                block_m=rule.block_m, num_stages=rule.num_stages, num_warps=8 if rule.block_m == 128 else 4,
                split_k=rule.split_k)) if rule.warp_specialized else by_rule
            ref = reference(x, wq, scale, b)
            err = float((by_rule.double() - ref).norm() / ref.norm())
            same = torch.equal(by_rule, twin)
            record(f"serving kernel: the rule's choice at {n}x{k} M={m} ({version})",
                   chosen and same and err < TOL[torch.bfloat16],
                   f"rule {rule}, bitwise its tile twin {same}, rel err {err:.2e}")

    # Fp8BlockLinear's bound launches: after a signature's first call the forward launches the bound kernel; its output
    # for a new x equals the wrapper's bitwise, in eager mode and replayed from a graph; a moved weight binds anew.
    from fp8blk import Fp8BlockLinear
    for m, n, k, bias, lead in ((1, 1024, 4096, True, ()), (4, 7168, 16384, False, ()), (16, 512, 4096, False, (2,)),
                                (64, 4096, 8192, True, ()), (256, 4096, 8192, False, (4,)), (256, 7168, 16384, True, ()),
                                (4096, 4096, 4096, False, ())):
        x, wq, scale, b = make(m, n, k, torch.bfloat16, torch.float32, bias)
        layer = Fp8BlockLinear.from_tensors(wq, scale, b)
        shape = (*lead, m // (lead[0] if lead else 1), k)
        layer(x.view(shape))  # first call: the full path, then bound
        bound = [c for c in layer._linear._bound.values() if c is not None]
        fresh = make(m, n, k, torch.bfloat16, torch.float32, bias, seed=1)[0].view(shape)
        same = bool(bound) and torch.equal(layer(fresh).view(m, n), fp8_block_matmul(fresh.view(m, k), wq, scale, b))
        static = fresh.clone()
        eager = layer(static)
        graph = torch.cuda.CUDAGraph()
        with torch.cuda.graph(graph):
            captured = layer(static)
        static.copy_(x.view(shape))
        graph.replay()
        torch.cuda.synchronize()
        replay_same = torch.equal(captured, layer(x.view(shape))) and not torch.equal(captured, eager)
        layer.weight.data = wq.clone()  # the weight moves: a new binding
        moved_same = torch.equal(layer(fresh), eager) and len(layer._linear._bound) == 2
        plan = bound[0].plan if bound else None
        kind = "none" if plan is None else plan.kind + (" split_x" if plan.prologue else "") + (
            " tma" if plan.descriptors else "")
        record(f"Fp8BlockLinear bound launch M={m} N={n} K={k} {kind}{' bias' if bias else ''}"
               f"{' x ' + 'x'.join(map(str, shape)) if lead else ''}", same and replay_same and moved_same,
               f"bound {bool(bound)}, equals the wrapper {same}, graph replay {replay_same}, rebound {moved_same}")

    x, wq, scale, _ = make(4096, 2048, 4096, torch.bfloat16, torch.float32, False)
    full = fp8_block_matmul(x, wq, scale, batch_invariant=True)
    invariant = all(torch.equal(full[:m], fp8_block_matmul(x[:m], wq, scale, batch_invariant=True)) for m in (1, 7, 300))
    record("batch_invariant rows independent of M", invariant, "M in 1, 7, 300 vs 4096")

    print(f"\n{torch.cuda.get_device_name()} · torch {torch.__version__} · capability {torch.cuda.get_device_capability()}")
    for name in failures[:20]:
        print("FAILED:", name)
    width = max(len(r[0]) for r in rows)
    for name, status, detail in rows:
        print(f"{name:<{width}}  {status:<4}  {detail}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
