"""exp176: where a small layer's tile launch spends its time (plan item 2 after v66, never run): a copy of the tile
kernel that records, per program, %globaltimer and %clock64 at entry, after the PDL wait, after the K loop and after
the output (split-K partial or reduction), and its SM. Run inside CUDA graphs of 4 calls on rotated weights (as the
harness times them); the last replay's records are read (the record goes through the kernel's bias pointer,
unused without a bias)."""
import importlib.util
import os
import statistics
import sys
import tempfile

import torch
import fp8blk.kernels  # noqa: F401
from fp8blk.bench.inputs import random_fp8_weight, float64_reference

km = sys.modules["fp8blk.kernels.fp8_block_matmul"]
ft = sys.modules["fp8blk.kernels.fp8_tile"]
KernelConfig = ft.KernelConfig

TIMER = '''
@triton.jit
def _gtimer():
    return tl.inline_asm_elementwise("mov.u64 $0, %globaltimer;", "=l", [], dtype=tl.int64, is_pure=False, pack=1)


@triton.jit
def _clock():
    return tl.inline_asm_elementwise("mov.u64 $0, %clock64;", "=l", [], dtype=tl.int64, is_pure=False, pack=1)


@triton.jit
def _smid():
    return tl.inline_asm_elementwise("mov.u32 $0, %smid;", "=r", [], dtype=tl.int32, is_pure=False, pack=1)

'''


def timed_module():
    src = open(ft.__file__).read().replace("from .fp8_tile_ops import", "from fp8blk.kernels.fp8_tile_ops import")
    head, rest = src.split("@triton.jit\ndef _fp8_block_matmul_kernel(", 1)
    body, tail = rest.split("\n@triton.jit\ndef _split_x_kernel", 1)
    old = "    if PDL:  # programmatic dependent launch (sm_90+): wait for the previous kernel's writes\n        gdc_wait()\n"
    assert old in body
    body = body.replace(old, "    t_enter = _gtimer()\n    c_enter = _clock()\n" + old
                        + "    t_waited = _gtimer()\n    c_waited = _clock()\n")
    old = "    if PDL:  # the next kernel may be placed now"
    assert old in body
    body = body.replace(old, "    t_loop = _gtimer()\n    c_loop = _clock()\n" + old)
    old = "group, split, tile_id, M, N, stride_ym, stride_yn, SPLIT_K, HAS_BIAS)\n"
    assert old in body
    body = body.replace(old, old + """    t_end = _gtimer()
    c_end = _clock()
    linear = tl.program_id(0) + tl.num_programs(0) * (tl.program_id(1) + tl.num_programs(1) * tl.program_id(2))
    rec = bias_ptr.to(tl.pointer_type(tl.int64)) + linear * 16
    tl.store(rec + 0, t_enter)
    tl.store(rec + 1, t_waited)
    tl.store(rec + 2, t_loop)
    tl.store(rec + 3, t_end)
    tl.store(rec + 4, c_enter)
    tl.store(rec + 5, c_waited)
    tl.store(rec + 6, c_loop)
    tl.store(rec + 7, c_end)
    tl.store(rec + 8, _smid().to(tl.int64))
    tl.store(rec + 9, (last_tile - first_tile).to(tl.int64))
    tl.store(rec + 10, split.to(tl.int64))
    tl.store(rec + 11, tile_id.to(tl.int64))
""")
    src = head + TIMER + "@triton.jit\ndef _fp8_block_matmul_kernel(" + body + "\n@triton.jit\ndef _split_x_kernel" + tail
    path = os.path.join(tempfile.mkdtemp(), "fp8_tile_timed.py")
    open(path, "w").write(src)
    spec = importlib.util.spec_from_file_location("fp8_tile_timed", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


TIMED = timed_module()._fp8_block_matmul_kernel
ORIGINAL_LAUNCH = km._launch
RECORD = {"buffer": None}


def launch(kernel, plan, device, pointers):
    if kernel is TIMED and RECORD["buffer"] is not None:  # the record through the unused bias pointer
        pointers = tuple(pointers[:3]) + (RECORD["buffer"],) + tuple(pointers[4:])
    return ORIGINAL_LAUNCH(kernel, plan, device, pointers)


km._launch = launch
km._fp8_block_matmul_kernel = TIMED
km._launch_plan.cache_clear()


def run(n, k, m, config, label, copies=4, reps=20):
    weights = [random_fp8_weight(n, k) for _ in range(copies)]
    x = torch.randn(m, k, device="cuda", dtype=torch.bfloat16)
    outs = [torch.empty(m, n, device="cuda", dtype=torch.bfloat16) for _ in range(copies)]
    bufs = [torch.zeros(4096 * 16, device="cuda", dtype=torch.int64) for _ in range(copies)]
    launch_cfg = config or km.launch_config(m, n, k, "cuda")

    def call(i):
        RECORD["buffer"] = bufs[i]
        km.fp8_block_matmul(x, weights[i][0], weights[i][1], out=outs[i], config=config)
    for i in range(copies):
        call(i)
    torch.cuda.synchronize()
    ref = float64_reference(x, *weights[0])
    err = ((outs[0].double() - ref).norm() / ref.norm()).item()
    graph = torch.cuda.CUDAGraph()
    stream = torch.cuda.Stream()
    stream.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(stream):
        for i in range(copies):
            call(i)
        with torch.cuda.graph(graph, stream=stream):
            for i in range(copies):
                call(i)
    torch.cuda.synchronize()
    times = []
    for _ in range(reps):
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        graph.replay()
        end.record()
        torch.cuda.synchronize()
        times.append(start.elapsed_time(end) * 1000 / copies)
    graph.replay()
    torch.cuda.synchronize()
    per_call = statistics.median(times)
    recs = []
    for b in bufs:
        r = b.view(-1, 16).cpu()
        programs = int((r[:, 0] != 0).sum())
        recs.append(r[:programs])
    summaries = []
    t0 = int(recs[0][:, 0].min())
    for i, r in enumerate(recs):
        te, tw, tl_, tn = (r[:, j] - t0 for j in range(4))
        ce, cw, cl, cn = (r[:, j] for j in range(4, 8))
        ghz = float(((cn - ce).double() / (tn - te).double().clamp(min=1)).median())
        loop_us = ((cl - cw).double() / ghz / 1000)
        epi_us = ((cn - cl).double() / ghz / 1000)
        pro_us = ((cw - ce).double() / ghz / 1000)
        ktiles = r[:, 9].double()
        summaries.append(dict(call=i, programs=len(r), first_start=int(te.min()) / 1000, last_start=int(te.max()) / 1000,
                              first_end=int(tn.min()) / 1000, last_end=int(tn.max()) / 1000,
                              span=(int(tn.max()) - int(te.min())) / 1000,
                              wait_med=float(pro_us.median()), loop_med=float(loop_us.median()),
                              loop_max=float(loop_us.max()), per_ktile_cycles=float(((cl - cw).double() / ktiles.clamp(min=1)).median()),
                              epi_med=float(epi_us.median()), epi_max=float(epi_us.max()), ghz=ghz,
                              sms=len(set(r[:, 8].tolist()))))
    print(f"\n== {label}: {n}x{k} M={m} {launch_cfg}")
    print(f"   graph per call {per_call:.2f} us, rel err {err:.2e}")
    print("   call progs  start[first,last]  end[first,last]  span  | prologue loop(med/max) cyc/ktile  epilogue(med/max)  GHz  SMs")
    for s in summaries:
        print(f"   {s['call']}   {s['programs']:5d}  [{s['first_start']:7.2f},{s['last_start']:7.2f}]  [{s['first_end']:7.2f},{s['last_end']:7.2f}]"
              f"  {s['span']:6.2f} | {s['wait_med']:5.2f}  {s['loop_med']:6.2f}/{s['loop_max']:6.2f}  {s['per_ktile_cycles']:7.0f}"
              f"  {s['epi_med']:5.2f}/{s['epi_max']:5.2f}  {s['ghz']:.2f}  {s['sms']}")
    return per_call, summaries


CASES = [
    (512, 7168, 96, None, "rule"),
    (512, 7168, 96, KernelConfig(64, 64, 128, 8, 4, 3, scale_in_weight=True, tma=True), "split 8"),
    (512, 7168, 96, KernelConfig(64, 64, 128, 16, 4, 3, scale_in_weight=True, tma=True), "split 16"),
    (512, 7168, 96, KernelConfig(64, 64, 128, 1, 4, 3, scale_in_weight=True, tma=True), "split 1"),
    (4096, 2048, 64, None, "rule"),
    (1536, 7168, 128, None, "rule"),
    (2048, 4096, 192, None, "rule"),
    (2880, 2880, 512, None, "rule"),
    (4096, 8192, 64, None, "rule"),
]

if __name__ == "__main__":
    print(torch.cuda.get_device_name(), torch.__version__)
    for n, k, m, config, label in CASES:
        try:
            run(n, k, m, config, label)
        except Exception as e:  # noqa: BLE001
            print(f"== {label} {n}x{k} M={m}: FAILED {type(e).__name__}: {e}")
