"""``fp8blk bench``: fp8blk vs Marlin vs cuBLAS bf16 vs per-call dequant vs peer libraries on FP8 layer shapes, per
layer and as one decoder layer in a CUDA graph, against the roofline measured on the same GPU."""
from __future__ import annotations

import datetime
import json
import os
import platform
import re
import sys
from pathlib import Path
from typing import Dict, List, Optional, Sequence

import torch

from .contained import not_timed, run_contained
from .impls import MarlinFactory, make_cublas_bf16, make_fp8blk, make_torch_dequant
from .inputs import float64_reference, random_fp8_weight
from .peers import PEERS, REQUANTIZED, W8A8, PeerUnavailable
from .shapes import DEFAULT_MS, MODELS, LayerShape, load_shapes, model_names, sources
from .timing import bf16_tflops, copy_bandwidth_gbps, empty_kernel_us, read_bandwidth_gbps, rotation_count, time_calls

IN_PROCESS = ("fp8blk", "marlin", "cublas_bf16", "torch_dequant")
IMPLS = IN_PROCESS + tuple(PEERS)
MAX_REL_ERR = 1e-2  # above this a W8A16 implementation is wrong (or the harness is): it is not timed
MAX_REL_ERR_W8A8 = 5e-2  # W8A8 peers quantize the activations, re-quantizing peers the weights: their own guard
GRAPH_MAX_M = 64


def rel_err(y: torch.Tensor, ref: torch.Tensor) -> float:
    return float((y.double() - ref).norm() / ref.norm())


def gpu_tag(name: str) -> str:
    """A short directory name for a GPU: 'NVIDIA H100 80GB HBM3' -> 'h100', 'NVIDIA H200' -> 'h200'."""
    words = [w for w in re.split(r"[\s_-]+", name) if w and w.upper() not in ("NVIDIA", "GEFORCE", "TESLA", "AMD")]
    tag = re.sub(r"[^a-z0-9]", "", (words[0] if words else name).lower())
    return tag or "gpu"


def config_table_in_use() -> bool:
    from fp8blk.kernels.fp8_block_matmul import config_table_enabled
    return config_table_enabled()


def kernel_source_digest(directory: Optional[Path] = None) -> str:
    """12 hex digits of the SHA-256 over the kernel package's ``*.py`` files (names and bytes, in name order): which
    kernels and launch rules a result was measured with, where the package version does not change between them."""
    import hashlib
    if directory is None:
        import fp8blk.kernels
        directory = Path(fp8blk.kernels.__file__).parent
    digest = hashlib.sha256()
    for path in sorted(Path(directory).glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


def environment(marlin_source: str) -> Dict:
    import triton
    from fp8blk import __version__
    props = torch.cuda.get_device_properties(0)
    return {"gpu": props.name, "gpu_tag": gpu_tag(props.name), "sm_count": props.multi_processor_count,
            "l2_bytes": props.L2_cache_size, "driver": _driver_version(), "cuda": torch.version.cuda,
            "torch": torch.__version__, "triton": triton.__version__, "python": platform.python_version(),
            "fp8blk": __version__, "kernel_source": kernel_source_digest(),
            "vllm_marlin_source": marlin_source, "config_table": config_table_in_use(),
            "fp8blk_call": "Fp8BlockLinear",  # how the fp8blk records were called (host_us is that call's)
            "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "read_GBps": round(read_bandwidth_gbps(), 1), "copy_GBps": round(copy_bandwidth_gbps(), 1),
            "bf16_TFLOPs": round(bf16_tflops(), 1), "empty_kernel_us": round(empty_kernel_us(), 2)}


def fp8blk_launch(m: int, n: int, k: int, device: str = "cuda") -> Dict:
    """The launch fp8blk's rules take at a point (``launch_config`` on ``device``, as the harness calls it: contiguous
    bf16 x, 128 x 128 fp32 scales, one group): ``{"kernel": "decode" | "tile" | "expand", **its parameters}``, kept in
    the point's record so a run's points can be read by launch (two M that share one launch time the same kernel)."""
    from fp8blk.kernels import launch_config
    from fp8blk.kernels.fp8_block_matmul import kernel_kind
    config = launch_config(m, n, k, device)
    return {"kernel": kernel_kind(config), **config._asdict()}


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


def point_inputs(n: int, k: int, m: int, l2: int, seed: int, device: str = "cuda"):
    """Rotated random FP8 weights, block scales and bf16 activations for one point, the same in every process
    (seeded by the point), and the float64 reference of copy 0 (both built in row blocks: ``inputs``)."""
    torch.manual_seed(seed * 1_000_003 + n * 7919 + k * 104729 + m)
    copies = rotation_count(n * k + m * k * 2 + m * n * 2, l2)
    weights, scales = map(list, zip(*(random_fp8_weight(n, k, device) for _ in range(copies))))
    xs = [torch.randn(m, k, device=device).to(torch.bfloat16) for _ in range(copies)]
    return weights, scales, xs, float64_reference(xs[0], weights[0], scales[0]), copies


def measure_impl(impl: str, maker, inputs, graphs: bool, log=print) -> Dict:
    """One implementation at one point: error vs float64, then GPU time (only if the error is within its guard)."""
    weights, scales, xs, reference, copies = inputs
    n, k, m = weights[0].shape[0], weights[0].shape[1], xs[0].shape[0]
    record = {"N": n, "K": k, "M": m, "impl": impl, "graphs": graphs, "copies": copies}
    try:
        call = maker(weights, scales, xs)
    except PeerUnavailable as exc:
        return {**record, **not_timed(n, k, m, impl, str(exc))}
    err = rel_err(call(0), reference)
    guard = MAX_REL_ERR_W8A8 if impl in W8A8 + REQUANTIZED else MAX_REL_ERR
    record["rel_err"] = err
    if err > guard or err != err:
        log(f"\n{impl} N={n} K={k} M={m}: relative error {err:.3g} > {guard}: not timed")
        return {**record, **not_timed(n, k, m, impl, f"relative error {err:.3g} > {guard}", rel_err=err)}
    return dict(record, **time_calls(call, copies, graphs))


def measure_units(units: Sequence, journal: str, options: Dict) -> None:
    """Child-process target (``contained.run_contained``): measures peer units, one journal line each."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # the GPU machines reach no hub: fail fast, not after retries
    l2 = torch.cuda.get_device_properties(0).L2_cache_size
    unavailable: Dict[str, str] = {}
    by_point: Dict[tuple, List[str]] = {}
    for n, k, m, impl in units:
        by_point.setdefault((n, k, m), []).append(impl)
    with open(journal, "a") as out:
        for (n, k, m), impls in by_point.items():
            inputs = point_inputs(n, k, m, l2, options.get("seed", 0))
            for impl in impls:
                out.write(json.dumps({"start": [n, k, m, impl]}) + "\n")
                out.flush()
                if impl in unavailable:
                    record = not_timed(n, k, m, impl, unavailable[impl])
                else:
                    graphs = (m <= GRAPH_MAX_M) if options.get("graphs") is None else options["graphs"]
                    record = measure_impl(impl, PEERS[impl], inputs, graphs)
                    if record.get("error") and record.get("rel_err") is None:
                        unavailable[impl] = record["error"]
                out.write(json.dumps(record) + "\n")
                out.flush()
            del inputs
            torch.cuda.empty_cache()


def run(shapes: Sequence[LayerShape], ms: Sequence[int], impls: Sequence[str] = IMPLS, graphs: Optional[bool] = None,
        vllm_sdist: Optional[str] = None, seed: int = 0, log=print, checkpoint: Optional[Path] = None,
        layer_graph: bool = True, resume: bool = False) -> Dict:
    """Measures every unique (N, K) x M for the in-process implementations (interleaved per shape), then the
    decoder-layer graphs, then the peers in crash-contained child processes; returns env, records and layer_graph.

    ``checkpoint``: a file rewritten after each (N, K), each model's layer graph and each peer point, holding what is
    measured so far.
    ``resume``: keep the points that file already holds (from a run cut short on the same GPU, table setting and
    kernel sources) and measure only the rest; the result's env records the first cut run's date as
    ``resumed_from`` (through any number of resumes).
    """
    unknown = set(impls) - set(IMPLS)
    if unknown:
        raise ValueError(f"unknown implementations {sorted(unknown)}; known: {', '.join(IMPLS)}")
    env = environment("not run")
    marlin_before = "not run"  # the Marlin an earlier, resumed run's points used
    measured: Dict[tuple, Dict] = {}
    graph_records: List[Dict] = []
    if resume and checkpoint is not None and checkpoint.is_file():
        earlier = json.loads(checkpoint.read_text())
        if earlier["env"]["gpu"] != env["gpu"] or earlier["env"]["config_table"] != env["config_table"]:
            raise ValueError(f"{checkpoint} was measured on {earlier['env']['gpu']} (config table "
                             f"{earlier['env']['config_table']}), this run is on {env['gpu']} (config table "
                             f"{env['config_table']}): not resumed; remove it or pass another --out")
        if earlier["env"].get("kernel_source", env.get("kernel_source")) != env.get("kernel_source"):
            raise ValueError(f"{checkpoint} was measured with other kernel sources (digest "
                             f"{earlier['env']['kernel_source']}, now {env['kernel_source']}): not resumed; its points "
                             "would mix two kernels; remove it or pass another --out")
        measured = {(r["N"], r["K"], r["M"], r["impl"]): {f: v for f, v in r.items() if f not in _LAYER_FIELDS}
                    for r in earlier["records"]}
        graph_records = list(earlier.get("layer_graph", [])) if layer_graph else []
        env["resumed_from"] = earlier["env"].get("resumed_from", earlier["env"]["date"])  # where a chain of runs began
        marlin_before = earlier["env"].get("vllm_marlin_source", marlin_before)
        log(f"resuming: {len(measured)} measured points kept from {checkpoint} ({earlier['env']['date']})")
    marlin = MarlinFactory(vllm_sdist) if "marlin" in impls else None
    makers = {"fp8blk": make_fp8blk, "marlin": marlin, "cublas_bf16": make_cublas_bf16, "torch_dequant": make_torch_dequant}
    l2 = env["l2_bytes"]
    unique = sorted({(s.n, s.k) for s in shapes})
    progress = Progress(len(unique) * len(ms))
    local = [impl for impl in impls if impl in IN_PROCESS]

    def save() -> None:  # after each stage: env names the Marlin the points so far used (it is built on first use;
        # a resumed run that needs no Marlin point keeps the name its checkpoint holds)
        env["vllm_marlin_source"] = marlin.source if marlin and marlin.source != "not run" else marlin_before
        if checkpoint is not None:
            checkpoint.write_text(json.dumps({"env": env, "records": _records(shapes, ms, impls, measured, env),
                                              "layer_graph": graph_records}, indent=1))
    for n, k in unique:
        for m in ms:
            todo = [impl for impl in local if (n, k, m, impl) not in measured]
            if todo:
                inputs = point_inputs(n, k, m, l2, seed)
                use_graphs = (m <= GRAPH_MAX_M) if graphs is None else graphs
                for impl in todo:
                    try:
                        measured[(n, k, m, impl)] = measure_impl(impl, makers[impl], inputs, use_graphs, log)
                    except Exception as exc:  # e.g. Marlin cannot be built here: record it, keep the run
                        log(f"\n{impl} N={n} K={k} M={m}: {type(exc).__name__}: {exc}".split("\n")[0])
                        measured[(n, k, m, impl)] = not_timed(n, k, m, impl, f"{type(exc).__name__}: {exc}"[:200])
                    if impl == "fp8blk":  # outside the try: a failure here is the harness's, not the point's
                        measured[(n, k, m, impl)]["launch"] = fp8blk_launch(m, n, k)
                del inputs
                torch.cuda.empty_cache()
            progress.step(f"N={n} K={k} M={m}")
        save()
    if layer_graph:  # in process like the points above, before the peers' children: a run cut there keeps them
        from .layer_graph import measure
        graphed = {r["model"] for r in graph_records}
        for model in dict.fromkeys(s.model for s in shapes if s.model not in graphed):
            graph_records += measure(model, [s for s in shapes if s.model == model], env["read_GBps"],
                                     env["bf16_TFLOPs"], l2, marlin=marlin, log=log)
            save()
    peer_units = [(n, k, m, impl) for n, k in unique for m in ms for impl in impls
                  if impl not in IN_PROCESS and (n, k, m, impl) not in measured]
    if peer_units:
        log(f"peers: {len(peer_units)} points in crash-contained child processes")

        def keep(record: Dict) -> None:  # each peer point is checkpointed as it arrives
            measured[(record["N"], record["K"], record["M"], record["impl"])] = record
            save()
        run_contained(peer_units, {"seed": seed, "graphs": graphs}, log=log, on_record=keep)
    return {"env": env, "records": _records(shapes, ms, impls, measured, env), "layer_graph": graph_records}


def roof_fraction(env: Dict, n: int, k: int, m: int, median_us: Optional[float]) -> Optional[float]:
    """max(FP8 bytes / read bandwidth, FLOPs / bf16 rate) / time: how close a point is to its roofline (the FP8
    problem's floor, the same for every implementation)."""
    from .report import roof_floor_us
    if not median_us or not env.get("read_GBps"):
        return None
    return roof_floor_us(n, k, m, env["read_GBps"], env["bf16_TFLOPs"]) / median_us


_LAYER_FIELDS = ("model", "layer", "groups", "count", "num_layers", "roof_pct")  # what _records adds to a point


def _records(shapes, ms, impls, measured, env) -> List[Dict]:
    found = []
    for s in shapes:
        for m in ms:
            for impl in impls:
                record = measured.get((s.n, s.k, m, impl))
                if record is not None:
                    found.append(dict({"model": s.model, "layer": s.layer, "groups": s.groups, "count": s.count,
                                       "num_layers": s.num_layers}, **record,
                                      roof_pct=roof_fraction(env, s.n, s.k, m, record.get("median_us"))))
    return found


def split_by_model(results: Dict) -> Dict[str, Dict]:
    """One results object per model (env shared), as written to ``<out>/<gpu_tag>/<model>/``."""
    models = dict.fromkeys(r["model"] for r in results["records"])
    models.update(dict.fromkeys(r["model"] for r in results.get("layer_graph", [])))
    return {model: dict(results, records=[r for r in results["records"] if r["model"] == model],
                        layer_graph=[r for r in results.get("layer_graph", []) if r["model"] == model])
            for model in models}


def write_results(results: Dict, out: Path) -> None:
    """results.json, results.md and the plots of each model under ``out/<gpu_tag>/<model>/``."""
    from .report import write_report
    for name, part in split_by_model(results).items():
        where = out / results["env"]["gpu_tag"] / name
        where.mkdir(parents=True, exist_ok=True)
        (where / "results.json").write_text(json.dumps(part, indent=1))
        write_report(part, where)
        text = (where / "results.md").read_text()
        print(text.split("\n## ", 2)[1] if "\n## " in text else "")
        print(f"wrote {where}/results.json, results.md and plots")


def render_checkpoint(out: Path, shapes_file: Optional[str]) -> int:
    """Writes the reports of a run cut short from ``out/partial_records.json`` (what it measured; the reports name
    what it did not), without measuring: runs on any machine. The checkpoint stays, so ``--resume`` still can."""
    checkpoint = out / "partial_records.json"
    if not checkpoint.is_file():
        print(f"fp8blk bench: no checkpoint at {checkpoint} (a run writes it as it goes and removes it when done)",
              file=sys.stderr)
        return 2
    results = json.loads(checkpoint.read_text())
    results["shapes_source"] = sources(shapes_file)
    write_results(results, out)
    return 0


def main(args) -> int:
    if args.render_checkpoint:
        return render_checkpoint(Path(args.out), args.shapes)
    if not torch.cuda.is_available():
        print("fp8blk bench: no CUDA device here; the benchmark measures GPU kernels and does not run on a CPU.",
              file=sys.stderr)
        return 2
    model = args.model or ("all" if args.shapes else "deepseek-v4-flash")
    shapes = load_shapes(model, args.shapes)
    ms = [int(m) for m in args.m.split(",")] if args.m else list(DEFAULT_MS)
    impls = args.impl.split(",")
    if args.config_table is not None:
        os.environ["FP8BLK_CONFIG_TABLE"] = "1" if args.config_table == "on" else "0"
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    results = run(shapes, ms, impls, args.graphs, args.vllm_sdist, checkpoint=out / "partial_records.json",
                  layer_graph=args.layer_graph, resume=args.resume)
    results["shapes_source"] = sources(args.shapes)
    write_results(results, out)
    (out / "partial_records.json").unlink(missing_ok=True)
    return 0


def add_arguments(parser) -> None:
    parser.add_argument("--model", default=None,
                        help=f"a model of the shapes file ({', '.join(MODELS)} packaged) or 'all' "
                             "(default: deepseek-v4-flash; with --shapes: all of its models)")
    parser.add_argument("--shapes", default=None, help="a JSON file in the packaged shapes schema: your own models")
    parser.add_argument("--m", default=None, help=f"comma-separated M values (default {','.join(map(str, DEFAULT_MS))})")
    parser.add_argument("--impl", default=",".join(IMPLS), help=f"comma-separated subset of {','.join(IMPLS)}")
    parser.add_argument("--out", default="bench-out",
                        help="directory; results go to OUT/<gpu>/<model>/ (results.json, results.md, plots)")
    parser.add_argument("--graphs", dest="graphs", action="store_true", default=None,
                        help="time every M through CUDA graphs (default: graphs for M <= 64)")
    parser.add_argument("--no-graphs", dest="graphs", action="store_false", help="never use CUDA graphs")
    parser.add_argument("--no-layer-graph", dest="layer_graph", action="store_false", default=True,
                        help="skip the decoder-layer CUDA-graph measurement")
    parser.add_argument("--config-table", choices=["on", "off"], default=None,
                        help="fp8blk's tuned config table (default: as FP8BLK_CONFIG_TABLE says, on if unset)")
    parser.add_argument("--vllm-sdist", default=None, help="vLLM source tarball to build Marlin from")
    parser.add_argument("--resume", action="store_true",
                        help="continue a run cut short: keep the points OUT/partial_records.json holds (same GPU, "
                             "config-table setting and kernel sources) and measure the rest")
    parser.add_argument("--render-checkpoint", action="store_true",
                        help="measure nothing: write the reports of a run cut short from OUT/partial_records.json "
                             "(they name the points it did not reach); needs no GPU")


__all__ = ["IMPLS", "run", "main", "add_arguments", "gpu_tag", "roof_fraction", "split_by_model", "model_names"]
