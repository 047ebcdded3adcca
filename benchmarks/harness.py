"""``fp8blk bench``: fp8blk vs Marlin vs cuBLAS bf16 vs per-call dequant on DeepSeek FP8 layer shapes."""
from __future__ import annotations

import datetime
import json
import platform
import sys
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence

import torch

from fp8blk.formats import quantize_fp8_block

from .impls import IMPLS, MarlinFactory, make_cublas_bf16, make_fp8blk, make_torch_dequant
from .shapes import DEFAULT_MS, LayerShape, load_shapes, sources
from .timing import bf16_tflops, copy_bandwidth_gbps, empty_kernel_us, rotation_count, time_calls

MAX_REL_ERR = 1e-2  # above this an implementation is wrong (or the harness is): it is not timed
GRAPH_MAX_M = 64


def rel_err(y: torch.Tensor, ref: torch.Tensor) -> float:
    return float((y.double() - ref).norm() / ref.norm())


def environment(marlin_source: str) -> Dict:
    import triton
    props = torch.cuda.get_device_properties(0)
    return {"gpu": props.name, "sm_count": props.multi_processor_count, "l2_bytes": props.L2_cache_size,
            "driver": _driver_version(), "cuda": torch.version.cuda, "torch": torch.__version__,
            "triton": triton.__version__, "python": platform.python_version(), "vllm_marlin_source": marlin_source,
            "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "copy_GBps": round(copy_bandwidth_gbps(), 1), "bf16_TFLOPs": round(bf16_tflops(), 1),
            "empty_kernel_us": round(empty_kernel_us(), 2)}


def _driver_version() -> str:
    try:
        import subprocess
        return subprocess.run(["nvidia-smi", "--query-gpu=driver_version", "--format=csv,noheader"],
                              capture_output=True, text=True, timeout=20).stdout.strip()
    except Exception:
        return "unknown"


class Progress:
    """A one-line progress bar on stderr."""

    def __init__(self, total: int) -> None:
        self.total, self.done = total, 0

    def step(self, label: str) -> None:
        self.done += 1
        filled = int(30 * self.done / self.total)
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (30 - filled)}] {self.done}/{self.total} {label:<40}")
        sys.stderr.flush()
        if self.done == self.total:
            sys.stderr.write("\n")


def run(shapes: Sequence[LayerShape], ms: Sequence[int], impls: Sequence[str] = IMPLS, graphs: Optional[bool] = None,
        vllm_sdist: Optional[str] = None, seed: int = 0, log=print, checkpoint: Optional[Path] = None) -> Dict:
    """Measures every unique (N, K) x M for every implementation, interleaved per shape.

    With ``checkpoint``, the records measured so far are written there after each shape.
    """
    unknown = set(impls) - set(IMPLS)
    if unknown:
        raise ValueError(f"unknown implementations {sorted(unknown)}; known: {', '.join(IMPLS)}")
    marlin = MarlinFactory(vllm_sdist) if "marlin" in impls else None
    makers = {"fp8blk": make_fp8blk, "marlin": marlin, "cublas_bf16": make_cublas_bf16, "torch_dequant": make_torch_dequant}
    l2 = torch.cuda.get_device_properties(0).L2_cache_size
    unique = sorted({(s.n, s.k) for s in shapes})
    measured: Dict[tuple, Dict] = {}
    progress = Progress(len(unique) * len(ms))
    torch.manual_seed(seed)
    for n, k in unique:
        for m in ms:
            copies = rotation_count(n * k + m * k * 2 + m * n * 2, l2)
            weights, scales = zip(*(quantize_fp8_block(torch.randn(n, k, device="cuda") * 0.02) for _ in range(copies)))
            xs = [torch.randn(m, k, device="cuda").to(torch.bfloat16) for _ in range(copies)]
            dense = weights[0].double() * scales[0].double().repeat_interleave(128, 0)[:n].repeat_interleave(128, 1)[:, :k]
            reference = xs[0].double() @ dense.T
            del dense
            use_graphs = (m <= GRAPH_MAX_M) if graphs is None else graphs
            for impl in impls:
                call = makers[impl](list(weights), list(scales), xs)
                err = rel_err(call(0), reference)
                record = {"N": n, "K": k, "M": m, "impl": impl, "rel_err": err, "graphs": use_graphs, "copies": copies}
                if err > MAX_REL_ERR or err != err:
                    log(f"\n{impl} N={n} K={k} M={m}: relative error {err:.3g} > {MAX_REL_ERR}: not timed")
                    record.update(median_us=None, p10_us=None, p90_us=None)
                else:
                    record.update(time_calls(call, copies, use_graphs))
                measured[(n, k, m, impl)] = record
                del call
            del weights, scales, xs, reference
            torch.cuda.empty_cache()
            progress.step(f"N={n} K={k} M={m}")
        if checkpoint is not None:
            checkpoint.write_text(json.dumps(_records(shapes, ms, impls, measured), indent=1))
    return {"env": environment(marlin.source if marlin else "not run"), "shapes_source": sources(),
            "records": _records(shapes, ms, impls, measured)}


def _records(shapes, ms, impls, measured) -> List[Dict]:
    return [dict({"model": s.model, "layer": s.layer, "groups": s.groups}, **measured[(s.n, s.k, m, impl)])
            for s in shapes for m in ms for impl in impls if (s.n, s.k, m, impl) in measured]


def main(args) -> int:
    if not torch.cuda.is_available():
        print("fp8blk bench: no CUDA device here; the benchmark measures GPU kernels and does not run on a CPU.",
              file=sys.stderr)
        return 2
    shapes = load_shapes(args.model)
    ms = [int(m) for m in args.m.split(",")] if args.m else list(DEFAULT_MS)
    impls = args.impl.split(",")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    results = run(shapes, ms, impls, args.graphs, args.vllm_sdist, checkpoint=out / "partial_records.json")
    (out / "results.json").write_text(json.dumps(results, indent=1))
    from .report import write_report
    write_report(results, out)
    print((out / "results.md").read_text().split("\n## ", 2)[1] if "\n## " in (out / "results.md").read_text() else "")
    print(f"wrote {out}/results.json, results.md and plots")
    return 0


def add_arguments(parser) -> None:
    parser.add_argument("--model", default="deepseek-v4-flash", choices=["deepseek-v4-flash", "deepseek-v4-pro",
                                                                          "deepseek-v3", "all"])
    parser.add_argument("--m", default=None, help="comma-separated M values (default 1,2,4,...,8192)")
    parser.add_argument("--impl", default=",".join(IMPLS), help=f"comma-separated subset of {','.join(IMPLS)}")
    parser.add_argument("--out", default="bench-out", help="directory for results.json, results.md and plots")
    parser.add_argument("--graphs", dest="graphs", action="store_true", default=None,
                        help="time every M through CUDA graphs (default: graphs for M <= 64)")
    parser.add_argument("--no-graphs", dest="graphs", action="store_false", help="never use CUDA graphs")
    parser.add_argument("--vllm-sdist", default=None, help="vLLM source tarball to build Marlin from")
