"""exp181 (prepared for the next session, plan item 2 after v73; not run): the K splits of small layers' split
launches against v73's rule, now that the split-K tail costs less (items 151-153). For each point the rule's launch
(decode kernel's tensor-core launches and the tile kernel's 4-warp 64 x 64 ones; other kinds are skipped) and the
same config at other splits, forced; CUDA graphs of 4 calls on rotated weights, median of 30 replays, two
alternating rounds (min). Prints per point the rule's split and time, the best split and its time, and every split's
ratio to the rule (``fp8blk.bench.timing.time_calls``, as the harness times). Builds are compiled first by 12
worker processes (as exp169 did), so the timing loop compiles nothing."""
import multiprocessing as mp
import sys

import torch

SPLITS = (1, 2, 4, 8, 16)
LAYERS = ((512, 4096), (512, 7168), (1024, 4096), (1536, 7168), (2048, 4096), (4096, 2048), (2880, 2880),
          (576, 7168), (1024, 5120), (3072, 7168), (2048, 7168), (4096, 8192))
MS = (16, 32, 64, 96, 128, 256)


def candidates(km, n, k, m):
    """The rule's launch and its split variants (each keeping 2 or more K-steps a split), or [] for other kinds."""
    rule = km.launch_config(m, n, k, "cuda")
    kind = km.kernel_kind(rule)
    if kind == "decode" and not rule.use_mma:
        return rule, []
    if kind == "tile" and (rule.block_n, rule.block_m, rule.num_warps) != (64, 64, 4):
        return rule, []
    if kind not in ("decode", "tile"):
        return rule, []
    step = rule.subs * rule.sub_k if kind == "decode" else rule.block_k
    steps = -(-k // step)
    return rule, [rule._replace(split_k=s) for s in SPLITS if s != rule.split_k and steps >= 2 * s]


def warm(job):
    """Compiles one launch (a worker process: one call per config, outputs discarded)."""
    import fp8blk.kernels  # noqa: F401
    from fp8blk.bench.inputs import random_fp8_weight
    km = sys.modules["fp8blk.kernels.fp8_block_matmul"]
    n, k, m, fields, decode = job
    config = (km.DecodeConfig if decode else km.KernelConfig)(*fields)
    w, s = random_fp8_weight(n, k)
    x = torch.randn(m, k, device="cuda", dtype=torch.bfloat16)
    km.fp8_block_matmul(x, w, s, config=config)
    torch.cuda.synchronize()
    return True


if __name__ == "__main__":
    import fp8blk.kernels  # noqa: F401
    from fp8blk.bench.inputs import random_fp8_weight, float64_reference
    from fp8blk.bench.timing import time_calls
    km = sys.modules["fp8blk.kernels.fp8_block_matmul"]
    print(torch.cuda.get_device_name(), torch.__version__, flush=True)
    plans = {(n, k, m): candidates(km, n, k, m) for n, k in LAYERS for m in MS}
    jobs = [(n, k, m, list(c), km.kernel_kind(c) == "decode") for (n, k, m), (rule, others) in plans.items()
            if others for c in [rule] + others]
    with mp.get_context("spawn").Pool(12) as pool:
        pool.map(warm, jobs)
    print(f"{len(jobs)} launches built", flush=True)
    for (n, k, m), (rule, others) in plans.items():
        if not others:
            continue
        weights = [random_fp8_weight(n, k) for _ in range(4)]
        x = torch.randn(m, k, device="cuda", dtype=torch.bfloat16)
        outs = [torch.empty(m, n, device="cuda", dtype=torch.bfloat16) for _ in range(4)]
        times = {}
        for _ in range(2):
            for config in [rule] + others:
                us = time_calls(lambda i, c=config: km.fp8_block_matmul(x, *weights[i], out=outs[i], config=c), 4,
                                graphs=True)["median_us"]
                times[config.split_k] = min(times.get(config.split_k, us), us)
        ref = float64_reference(x, *weights[0])
        err = ((outs[0].double() - ref).norm() / ref.norm()).item()  # the last config's output
        best = min(times, key=times.get)
        base = times[rule.split_k]
        print(f"{n}x{k} M={m} {km.kernel_kind(rule)} {rule.block_n}x{rule.block_m} rule split {rule.split_k} "
              f"{base:.2f} us | best split {best} {times[best]:.2f} (x{base / times[best]:.3f}) | "
              + " ".join(f"{s}:{base / t:.2f}" for s, t in sorted(times.items())) + f" | err {err:.1e}", flush=True)
