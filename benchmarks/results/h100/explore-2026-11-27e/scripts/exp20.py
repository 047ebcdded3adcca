"""exp20: the session's tile kernel and rule (split-K builds wait for each K-tile's MMA; two 4-warp 128x128 programs
per SM on unsplit launches that fill the GPU) vs the committed ones (4742509), same process, table off, TMA; and
the new 4-warp build's determinism (bf16, native: the combination that failed with split-K)."""
import importlib, os, sys
os.environ["FP8BLK_CONFIG_TABLE"] = "0"
import torch, triton
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "vark"))
import fp8_tile_old as old
from fp8blk.kernels import fp8_block_matmul
from fp8blk.kernels.fp8_tile import default_config
from fp8blk.bench.timing import time_calls, rotation_count
fbm = importlib.import_module("fp8blk.kernels.fp8_block_matmul")
NEW = fbm._fp8_block_matmul_kernel
L2 = torch.cuda.get_device_properties(0).L2_cache_size
SMS = torch.cuda.get_device_properties(0).multi_processor_count
torch.manual_seed(0)


def use(kernel):
    fbm._fp8_block_matmul_kernel = kernel
    fbm._launch_plan.cache_clear()


def make(n, k, copies):
    return [((torch.randn(n, k, device="cuda") * 0.5).to(torch.float8_e4m3fn),
             torch.rand(triton.cdiv(n, 128), triton.cdiv(k, 128), device="cuda") * 1e-2 + 1e-3) for _ in range(copies)]


print("== determinism of the 4-warp unsplit build (bf16 x, fp32 scale, native)", flush=True)
use(NEW)
for n, k, m in ((32768, 1024, 256), (65536, 1536, 130), (18432, 7168, 200)):
    cfg = default_config(m, n, k, 1, 128, SMS, tma=True)
    (w, s), = make(n, k, 1)
    x = torch.randn(m, k, device="cuda", dtype=torch.bfloat16)
    first = fp8_block_matmul(x, w, s, config=cfg)
    same = all(torch.equal(first, fp8_block_matmul(x, w, s, config=cfg)) for _ in range(20))
    pointer = torch.equal(first, fp8_block_matmul(x, w, s, config=cfg._replace(tma=False)))
    ref = x.double() @ (w.double() * s.double().repeat_interleave(128, 0)[:n].repeat_interleave(128, 1)[:, :k]).T
    print(f"{n}x{k} M={m} {tuple(cfg)[:6]} repeat x20 bitwise={same} vs pointer bitwise={pointer} "
          f"rel err {((first.double() - ref).norm() / ref.norm()).item():.2e}", flush=True)

print("== time, us (CUDA graphs, rotated): committed kernel+rule vs this session's", flush=True)
for n, k, ms in (((32768, 1024), (96, 128, 256)), ((65536, 1536), (128, 256)), ((4096, 8192), (128, 256)),
                 ((7168, 16384), (128, 256)), ((8192, 1024), (128, 256)), ((4096, 2048), (128, 256)), ((2048, 4096), (64, 256))):
    copies = rotation_count(n * k, L2)
    ws = make(n, k, copies)
    for m in ms:
        xs = [torch.randn(m, k, device="cuda", dtype=torch.bfloat16) for _ in range(copies)]
        o = old.default_config(m, n, k, 1, 128, SMS)
        o = old.with_tma(o, triton.cdiv(n, o.block_n) * triton.cdiv(m, o.block_m) * o.split_k, SMS)
        nw = default_config(m, n, k, 1, 128, SMS, tma=True)
        res = []
        for tag, kern, cfg in (("old", old._fp8_block_matmul_kernel, o), ("new", NEW, nw), ("old", old._fp8_block_matmul_kernel, o), ("new", NEW, nw)):
            use(kern)
            res.append(time_calls(lambda i: fp8_block_matmul(xs[i], ws[i][0], ws[i][1], config=cfg), copies, graphs=True)["median_us"])
        print(f"{n:5d}x{k:5d} M={m:3d} old {tuple(o)[:6]} {res[0]:.1f}/{res[2]:.1f}  new {tuple(nw)[:6]} {res[1]:.1f}/{res[3]:.1f}"
              f"  new/old {min(res[1], res[3]) / min(res[0], res[2]):.3f}", flush=True)
    del ws
