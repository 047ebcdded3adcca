"""exp39: the decode kernel with rotated K-step order per program (stagger39) against the library's, as the harness
times them (Fp8BlockLinear, graph replays back to back), on 3 fresh allocations of each point, 2 alternating rounds
each: do the >= 96 MB layers' two levels (NOTES item 47) follow the lockstep access pattern?"""
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
import stagger39  # noqa: E402

from fp8blk.bench.harness import point_inputs, rel_err  # noqa: E402
from fp8blk.bench.impls import make_fp8blk  # noqa: E402
from fp8blk.bench.timing import time_calls  # noqa: E402

l2 = torch.cuda.get_device_properties(0).L2_cache_size
points = [(7168, 16384, 1), (7168, 16384, 4), (7168, 16384, 16), (65536, 1536, 1), (18432, 7168, 1),
          (4096, 8192, 1), (32768, 1024, 1), (2048, 4096, 1), (1024, 4096, 16)]
for n, k, m in points:
    row = f"{n:>5}x{k:<5} M={m:<2}"
    for seed in range(3):
        weights, scales, xs, reference, copies = point_inputs(n, k, m, l2, seed)
        call = make_fp8blk(weights, scales, xs)
        t = {False: [], True: []}
        for _ in range(2):
            for stagger in (False, True):
                stagger39.use(stagger)
                t[stagger].append(time_calls(call, copies, graphs=True)["median_us"])
        if seed == 0:
            stagger39.use(True)
            first, again = call(0).clone(), call(0)
            row += f" [stagger rel err {rel_err(first, reference):.1e}, repeat bitwise {torch.equal(first, again)}]"
        row += f" | alloc{seed} base {min(t[False]):6.2f} stagger {min(t[True]):6.2f}"
        del weights, scales, xs, call
        torch.cuda.empty_cache()
    print(row, flush=True)
stagger39.use(False)
