"""One decoder layer's FP8 linears as a user runs them: modules, fused where layers share an input, one CUDA graph.

For each M, every FP8 linear of one decoder layer of the model (each shape once; layers the shapes file gives the
same ``input`` are concatenated into one launch, ``Fp8BlockLinear.concat``; a grouped layer runs its groups in one
launch) is called in sequence and the whole sequence is captured in one CUDA graph. Copies of the layer's weights
are rotated so one replay reads more than 2x the L2 cache. The same sequence runs with bf16 ``nn.Linear`` (grouped
layers as one batched matmul) and with Marlin (grouped layers as one call per group), against the floor
``sum over launches of max(FP8 bytes / read bandwidth, FLOPs / bf16 rate)``.
"""
from __future__ import annotations

from collections import OrderedDict
from typing import Callable, Dict, List, NamedTuple, Optional, Sequence

import torch

from fp8blk import Fp8BlockLinear
from fp8blk.formats import dequantize_fp8_block
from fp8blk.kernels import fp8_block_matmul

from .inputs import random_fp8_weight
from .report import roof_floor_us
from .shapes import LayerShape
from .timing import rotation_count, time_calls

LAYER_GRAPH_MS = (1, 4, 16, 64, 128, 256, 512, 1024)
LAYER_GRAPH_IMPLS = ("fp8blk", "cublas_bf16", "marlin")


class Launch(NamedTuple):
    """One launch of the decoder layer: the layers it computes, their N (stacked), K and groups."""
    layers: tuple
    ns: tuple  # each fused layer's N (per group)
    k: int
    groups: int

    @property
    def n(self) -> int:
        return sum(self.ns)


def layer_launches(shapes: Sequence[LayerShape]) -> List[Launch]:
    """The model's layers as launches: layers naming the same ``input`` (and K) fused into one."""
    fused: "OrderedDict[tuple, List[LayerShape]]" = OrderedDict()
    for shape in shapes:
        key = (shape.input, shape.k) if shape.input and shape.groups == 1 else (shape.layer,)
        fused.setdefault(key, []).append(shape)
    return [Launch(tuple(s.layer for s in group), tuple(s.n for s in group), group[0].k, group[0].groups)
            for group in fused.values()]


def floor_us(launches: Sequence[Launch], m: int, read_gbps: float, bf16_tflops: float) -> float:
    """Sum over launches of max(FP8 weight + scale + activation bytes / read bandwidth, FLOPs / bf16 rate)."""
    return sum(roof_floor_us(launch.n, launch.k, m, read_gbps, bf16_tflops, launch.groups) for launch in launches)


def _sequence(impl: str, launches: Sequence[Launch], m: int, copies: int, marlin: Optional[Callable]) -> Callable:
    """``call(i)`` running the whole layer on weight copy i, for one implementation."""
    steps = []  # per copy: list of zero-arg callables
    for _ in range(copies):
        calls = []
        for launch in launches:
            n_total = launch.n * launch.groups
            parts = [Fp8BlockLinear.from_tensors(*random_fp8_weight(n, launch.k))
                     for n in (launch.ns if launch.groups == 1 else (n_total,))]
            fused = Fp8BlockLinear.concat(parts) if len(parts) > 1 else parts[0]  # layers sharing an input
            weight, scale = fused.weight.data, fused.block_scale.data
            x = torch.randn(m, launch.k * launch.groups, device="cuda", dtype=torch.bfloat16)
            if impl == "fp8blk":
                if launch.groups > 1:  # the grouped projection: one launch of the kernel's grouped mode
                    calls.append(lambda x=x, w=weight, s=scale, g=launch.groups: fp8_block_matmul(x, w, s, groups=g))
                else:
                    calls.append(lambda x=x, module=fused: module(x))
            elif impl == "cublas_bf16":
                dense = dequantize_fp8_block(weight, scale).to(torch.bfloat16)
                if launch.groups > 1:
                    stacked = dense.view(launch.groups, launch.n, launch.k).transpose(1, 2)
                    xg = x.view(m, launch.groups, launch.k).transpose(0, 1)
                    calls.append(lambda xg=xg, w=stacked: torch.bmm(xg, w))
                else:
                    linear = torch.nn.Linear(launch.k, n_total, bias=False, device="cuda", dtype=torch.bfloat16)
                    linear.weight.data = dense
                    calls.append(lambda x=x, linear=linear: linear(x))
            else:  # marlin: one prepared layer per launch, per group for grouped layers
                applies = [marlin([weight[g * launch.n:(g + 1) * launch.n]],
                                  [scale[g * launch.n // 128:(g + 1) * launch.n // 128]],
                                  [x[:, g * launch.k:(g + 1) * launch.k].contiguous()])
                           for g in range(launch.groups)]
                calls.extend(lambda apply=apply: apply(0) for apply in applies)
        steps.append(calls)

    def call(i: int):
        for step in steps[i]:
            step()
    return call


def measure(model: str, shapes: Sequence[LayerShape], read_gbps: float, bf16_tflops: float, l2: int,
            impls: Sequence[str] = LAYER_GRAPH_IMPLS, ms: Sequence[int] = LAYER_GRAPH_MS,
            marlin: Optional[Callable] = None, log=print) -> List[Dict]:
    """``[{"model", "M", "impl", "median_us", "floor_us", "launches"}]``: one graph replay per layer copy."""
    launches = layer_launches(shapes)
    layer_bytes = sum(launch.n * launch.groups * launch.k for launch in launches)
    records = []
    for m in ms:
        copies = rotation_count(layer_bytes, l2, cap=8)
        floor = floor_us(launches, m, read_gbps, bf16_tflops)
        for impl in impls:
            if impl == "marlin" and marlin is None:
                continue
            record = {"model": model, "M": m, "impl": impl, "floor_us": floor, "copies": copies,
                      "launches": [list(launch.layers) for launch in launches]}
            try:
                call = _sequence(impl, launches, m, copies, marlin)
                record.update(time_calls(call, copies, graphs=True))
            except Exception as exc:  # noqa: BLE001 - e.g. Marlin not buildable here: say so, keep the run
                log(f"\nlayer graph {model} M={m} {impl}: {type(exc).__name__}: {exc}".split("\n")[0])
                record.update(median_us=None, error=f"{type(exc).__name__}: {exc}"[:200])
            records.append(record)
            torch.cuda.empty_cache()
    return records
