"""Tensor-parallel check on GPUs with NCCL and the Triton kernel.

    torchrun --nproc-per-node N tests/gpu/tp_nccl.py [--out tp.md]

Every rank builds the same full layer on its GPU, takes its shard (column- and row-parallel, on
DeepSeek-V4 shapes split at aligned and unaligned boundaries) and checks: its dequantized weight equals
the slice of the full one bit for bit; its output (local, gathered, all-reduced) matches the
single-GPU full layer. Per-rank timings (GPU time by CUDA events, median, host kept ahead) are printed
and written by rank 0.
Runs with one process too (the single-GPU parts). NVLink multicast stays off.
"""
import argparse
import os
import sys

for name, value in (("NCCL_NVLS_ENABLE", "0"), ("TORCH_SYMM_MEM_DISABLE_MULTICAST", "1"), ("NVSHMEM_DISABLE_NVLS", "1")):
    os.environ[name] = value

import torch  # noqa: E402
import torch.distributed as dist  # noqa: E402

import fp8blk  # noqa: E402
from fp8blk.bench.timing import time_calls  # noqa: E402
from fp8blk.parallel import ColumnParallelFp8BlockLinear, RowParallelFp8BlockLinear  # noqa: E402

# (layer, N, K, kind): column layers split N, row layers split K; some splits fall inside a 128-block.
CASES = [("v4-flash attn.wq_b", 32768, 1024, "column"), ("v3 kv_a_proj (N=576)", 576, 7168, "column"),
         ("v4-flash shared w1", 2048, 4096, "column"), ("v4-flash attn.wo_b", 4096, 8192, "row"),
         ("v4-flash shared w2", 4096, 2048, "row"), ("v4-pro shared w2 (K=3072)", 7168, 3072, "row"),
         ("odd K=1152", 1024, 1152, "row")]
MS = (1, 16, 256)


def timed(fn):
    """Median GPU µs per call (the GPU kept ahead of the host; see fp8blk.bench.timing.time_calls)."""
    return time_calls(lambda i: fn(), copies=8, graphs=False, reps=20)["median_us"]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default=None, help="markdown file rank 0 writes the table to")
    args = parser.parse_args()
    dist.init_process_group("nccl")
    rank, world = dist.get_rank(), dist.get_world_size()
    torch.cuda.set_device(int(os.environ.get("LOCAL_RANK", rank)))
    device = torch.device("cuda", torch.cuda.current_device())
    rows, failures = [], []
    for label, n, k, kind in CASES:
        torch.manual_seed(0)
        full = fp8blk.Fp8BlockLinear.from_linear(torch.nn.Linear(k, n, bias=True, device=device))
        cls = ColumnParallelFp8BlockLinear if kind == "column" else RowParallelFp8BlockLinear
        shard = cls.from_full(full)
        b, e = shard.bounds
        dense = full.dequantized_weight()
        local_dense = shard.local.dequantized_weight()
        exact = torch.equal(local_dense, dense[b:e] if kind == "column" else dense[:, b:e])
        for m in MS:
            torch.manual_seed(m)
            x = torch.randn(m, k, device=device).to(torch.bfloat16)
            reference = full(x).double()
            if kind == "column":
                shard.gather_output = True
                out = shard(x).double()
                shard.gather_output = False
                run = lambda: shard(x)  # noqa: E731
                local_in = x
            else:
                shard.input_is_parallel = True
                local_in = x[:, b:e].contiguous()
                out = shard(local_in).double()
                run = lambda: shard(local_in)  # noqa: E731
            err = float((out - reference).norm() / reference.norm())
            ok = exact and err < 1e-2
            if not ok:
                failures.append(f"rank {rank} {label} M={m}: exact={exact} rel err {err:.3g}")
            aligned = (b % 128 == 0) and (e % 128 == 0 or e == (n if kind == "column" else k))
            rows.append([rank, label, kind, f"[{b}, {e})", "yes" if aligned else "no", m, exact, f"{err:.1e}",
                         f"{timed(run):.1f}", f"{timed(lambda: shard.local(local_in)):.1f}", f"{timed(lambda: full(x)):.1f}"])
    gathered = [None] * world
    dist.all_gather_object(gathered, (rows, failures))
    if rank == 0:
        headers = ["rank", "layer", "split", "shard", "aligned", "M", "bit-exact", "rel err", "sharded µs",
                   "local GEMM µs", "single-GPU µs"]
        lines = [f"# Tensor-parallel check: {world} × {torch.cuda.get_device_name()} (NCCL {'.'.join(map(str, torch.cuda.nccl.version()))}, "
                 f"torch {torch.__version__})", "",
                 "GPU µs per call (median; the host is kept ahead of the GPU; inputs not rotated, so small layers may be "
                 "served from L2). Sharded µs includes the collective (all-gather for column, all-reduce for row).", "",
                 "| " + " | ".join(headers) + " |", "|---" * len(headers) + "|"]
        all_failures = []
        for rank_rows, rank_failures in gathered:
            lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rank_rows]
            all_failures += rank_failures
        lines += ["", f"**{'FAILED: ' + '; '.join(all_failures) if all_failures else 'all ranks match the single-GPU layer'}**"]
        text = "\n".join(lines)
        print(text)
        if args.out:
            with open(args.out, "w") as handle:
                handle.write(text + "\n")
    dist.barrier()
    dist.destroy_process_group()
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
