"""W8A16 block-FP8 GEMM in Triton: ``y = x @ dequant(weight, scale).T (+ bias)`` -- the entry point.

torch + triton only: vendor this file with ``fp8_decode.py`` (the decode kernel, M <= 32 or 64 on small layers, and
its launch rule), ``fp8_tile.py`` (the tile kernel, larger M, and its launch rule), ``fp8_serving.py`` (sm_90's
warp-specialized kernel for M = 65-1024 where its tiles fill the GPU, and its rule), ``fp8_tile_ops.py`` (device
functions they share) and, optionally, the tuned table ``fp8_block_matmul_configs.json`` beside them. This file
checks the arguments, works out a launch plan once per call signature (kernel, grid, constexprs; the table's config or the rules'),
launches it, and holds the large-M expand path, ahead-of-time builds and the tuning tool.

``weight`` is float8_e4m3fn ``[N, K]`` exactly as stored in checkpoints (row-major, no repacking);
``scale`` is ``[ceil(N / SBN), ceil(K / SBK)]`` (fp32, bf16, fp16 or UE8M0); ``x`` is bf16 or fp16; for each
output element ``y[m, n] = bias[n] + sum_k x[m, k] * float(w[n, k]) * scale[n // SBN, k // SBK]`` in fp32.

Dequantization: on sm_89+ the native fp8 conversion; below (Ampere, where Triton refuses fp8e4nv) an exact
integer path: the e4m3 bits are moved into an fp16 (sign, 4-bit exponent, 3-bit mantissa land in place), which
is the e4m3 value times 2**-8 for normals and subnormals alike; the 2**8 is folded into the fp32 scale. (An
e4m3 NaN byte becomes a finite value on that path.)

Large M, bf16 x (``KernelConfig.expand_weight``, the rule's choice for one group from M = 513, and from M = 257 where
no TMA tile fills the GPU): a small Triton kernel expands the weight to bf16 (one rounding of scale * weight) in a
per-device scratch and torch's bf16 GEMM (cuBLAS) does the product: at M in the thousands the GEMM is compute-bound
and the expansion (3 bytes per weight) adds 10-20% to cuBLAS's time at M = 2048-4096 on an H100.

Groups: with ``groups = G`` the call computes G independent GEMMs in one launch (DeepSeek-V4's grouped
``wo_a``): ``y[:, g*N:(g+1)*N] = x[:, g*K:(g+1)*K] @ W[g*N:(g+1)*N].T``.
"""
from __future__ import annotations

import functools
import inspect
import json
import operator
import os
from pathlib import Path
from typing import Dict, NamedTuple, Optional, Sequence, Tuple, Union

import torch
import triton
import triton.language as tl
from triton.experimental.gluon.nvidia.hopper import TensorDescriptor as GluonTensorDescriptor
from triton.tools.tensor_descriptor import TensorDescriptor

from .fp8_decode import (H100_DRAM_GBPS, DecodeConfig, _fp8_decode_kernel, decode_config, drops_masks,
                         keeps_row_pieces, on_tile_geometry, reads_x_in_row_groups, takes_decode)
from .fp8_serving import (SERVING_ONE_WAVE_FILL, SERVING_TILES, _fp8_serving_kernel, launch_fill, serving_config,
                          serving_fill, serving_schedule, serving_tile, shared_layouts)
from .fp8_tile import (KernelConfig, _fp8_block_matmul_kernel, _split_x_kernel, default_config, low_terms_row, m_bucket,
                       with_tma)
from .fp8_tile_ops import _fp8_bytes_to, _scale_to_fp32

SCALE_DTYPES = (torch.float32, torch.bfloat16, torch.float16, torch.float8_e8m0fnu)
BIAS_DTYPES = (torch.float32, torch.bfloat16, torch.float16)
CONFIG_FILE = Path(__file__).with_name("fp8_block_matmul_configs.json")  # the tuning tool writes it
DEQUANT_ENV = "FP8BLK_DEQUANT"  # "native" | "integer" | "auto"
TABLE_ENV = "FP8BLK_CONFIG_TABLE"  # "0": launch parameters by rule only, the tuned table ignored
PDL_ENV = "FP8BLK_PDL"  # "0": no programmatic dependent launch (else on for the decode and tile kernels on sm_90+)
TMA_ENV = "FP8BLK_TMA"  # "0": no TMA descriptors (else the rules use them on sm_90+ where rows are 16-byte aligned)
SPLIT_X_ENV = "FP8BLK_SPLIT_X"  # "0": the rules never split x into e4m3 terms (else they may on sm_90+, M = 33-512)
SERVING_ENV = "FP8BLK_SERVING"  # "0": the rules never take the warp-specialized serving kernel (else sm_90, M 65-1024)


@triton.jit
def _fp8_block_dequant_kernel(
        w_ptr, scale_ptr, out_ptr,
        N, K, stride_wn, stride_wk, stride_sn, stride_sk, stride_on, stride_ok,
        scale_block_n,
        SCALE_BLOCK_K: tl.constexpr, BLOCK_N: tl.constexpr, BLOCK_K: tl.constexpr,
        INTEGER_DEQUANT: tl.constexpr, SCALE_E8M0: tl.constexpr):
    """``out[n, k] = float(w[n, k]) * scale[n // SBN, k // SBK]``, rounded once to out's dtype."""
    offs_n = tl.program_id(0) * BLOCK_N + tl.arange(0, BLOCK_N)
    offs_k = tl.program_id(1) * BLOCK_K + tl.arange(0, BLOCK_K)
    mask = (offs_n < N)[:, None] & (offs_k < K)[None, :]
    w = tl.load(w_ptr + offs_n[:, None] * stride_wn + offs_k[None, :] * stride_wk, mask=mask, other=0)
    scale_rows = scale_ptr + (offs_n // scale_block_n) * stride_sn
    if SCALE_BLOCK_K % BLOCK_K == 0:  # the tile lies in one scale column: one scale per row
        s = tl.load(scale_rows + (tl.program_id(1) * BLOCK_K // SCALE_BLOCK_K) * stride_sk, mask=offs_n < N, other=0)
        s = _scale_to_fp32(s, INTEGER_DEQUANT, SCALE_E8M0)[:, None]
    else:
        s = tl.load(scale_rows[:, None] + (offs_k // SCALE_BLOCK_K)[None, :] * stride_sk, mask=mask, other=0)
        s = _scale_to_fp32(s, INTEGER_DEQUANT, SCALE_E8M0)
    w = _fp8_bytes_to(w, tl.float32, INTEGER_DEQUANT) * s
    tl.store(out_ptr + offs_n[:, None] * stride_on + offs_k[None, :] * stride_ok, w.to(out_ptr.dtype.element_ty),
             mask=mask)


_TABLE: Optional[Dict[str, Dict[str, Dict[str, list]]]] = None


def config_table() -> Dict[str, Dict[str, Dict[str, list]]]:
    """The checked-in table: ``{gpu name: {"N,K": {"m bucket": [block_n, block_m, block_k, split_k, warps, stages]}}}``.

    Empty when ``FP8BLK_CONFIG_TABLE=0``: every launch then follows the rules alone.
    """
    if not config_table_enabled():
        return {}
    global _TABLE
    if _TABLE is None:
        _TABLE = _read_config_table()
    return _TABLE


def _read_config_table() -> Dict[str, Dict[str, Dict[str, list]]]:
    """The table as package data (importlib.resources: works from wheels and zips), or beside this file when
    vendored outside a package; {} when absent."""
    try:
        from importlib import resources
        text = resources.files(__package__).joinpath(CONFIG_FILE.name).read_text() if __package__ else None
    except (FileNotFoundError, ModuleNotFoundError, TypeError):
        text = None
    if text is None and CONFIG_FILE.is_file():
        text = CONFIG_FILE.read_text()
    return json.loads(text) if text else {}


def config_table_enabled() -> bool:
    """Whether the tuned table may override the rules (env ``FP8BLK_CONFIG_TABLE``, default on)."""
    return os.environ.get(TABLE_ENV, "1") not in ("0", "false", "off")


@functools.lru_cache(maxsize=None)
def _device_facts(device: torch.device) -> Tuple[str, int, Tuple[int, int], int]:
    """(name, SM count, compute capability, shared memory a program may opt into), queried once per device: they
    sit on the launch path."""
    if device.type != "cuda":
        return "cpu", 132, (0, 0), 0
    props = torch.cuda.get_device_properties(device)
    return props.name, props.multi_processor_count, (props.major, props.minor), props.shared_memory_per_block_optin


def _sm_count(device: torch.device) -> int:
    return _device_facts(device)[1]


@functools.lru_cache(maxsize=None)
def _dram_gbps(device: torch.device) -> float:
    """The device's DRAM bandwidth in GB/s from its memory clock and bus width (double data rate), as Triton's driver
    reports them; the decode rule's pipeline depth follows it (a launch parameter, not a result: where no driver
    answers, as for the CPU or a device faked in tests, an H100 SXM's)."""
    try:
        props = triton.runtime.driver.active.utils.get_device_properties(device.index)
    except Exception:  # no CUDA driver in this process (CPU, the interpreter)
        return H100_DRAM_GBPS
    gbps = 2 * props.get("mem_clock_rate", 0) * 1e3 * props.get("mem_bus_width", 0) / 8 / 1e9  # clock in kHz
    return gbps if gbps > 0 else H100_DRAM_GBPS


@functools.lru_cache(maxsize=4096)
def choose_config(m: int, n: int, k: int, groups: int, block_k: int, device: torch.device,
                  batch_invariant: bool = False, tma: bool = False, x_bf16: bool = True,
                  split_x: bool = True, serving: bool = False) -> KernelConfig:
    """The table's config for (GPU, N, K, M-bucket), else ``default_config``.

    ``batch_invariant`` uses the M = 1 config for every M, so a row's arithmetic never depends on M. ``tma``: the
    launch may read both tiles by TMA (a table entry then gets ``with_tma``; the rule has its own TMA tiles).
    ``x_bf16=False`` (fp16 activations): no bf16-only launch (a table's expand-weight entry is passed over for the
    rule, which then keeps the tile kernel and its 128 x 128 tiles). ``split_x=False`` (the launch converts with
    the integer path): no split-x launch; ``FP8BLK_SPLIT_X=0`` turns them off everywhere. ``serving`` (the GPU is
    sm_90: Gluon's Hopper wgmma): the rule may take the serving kernel (``fp8_serving.serving_config``) for a split-x
    launch; ``FP8BLK_SERVING=0`` turns it off.
    """
    if batch_invariant:
        m = 1
    entry = _table_entry(m, n, k, groups, device)
    if entry is not None and block_k % entry[2] == 0 and (x_bf16 or not KernelConfig(*entry).expand_weight):
        config = KernelConfig(*entry)
        if not tma or config.expand_weight:
            return config
        return with_tma(config, _programs(config, m, n, groups), _sm_count(device))
    split_x = split_x and _SPLIT_X_ALLOWED
    sm_count, shared_memory = _sm_count(device), _device_facts(device)[3]
    rule = default_config(m, n, k, groups, block_k, sm_count, x_bf16=x_bf16, tma=tma, shared_memory=shared_memory,
                          split_x=split_x)
    if not (serving and split_x and x_bf16 and tma and _SERVING_ALLOWED):
        return rule
    # the serving launch: where it clears its own bound, or fills the GPU as well as the tile launch it replaces
    # (v56); the expand path only where it fills at least SERVING_ONE_WAVE_FILL (exp105, H200: 1536 x 7168 M = 512,
    # 96 64-row tiles, 0.84x the expand path's time)
    tile_fill = None if rule.expand_weight else launch_fill(_programs(rule, m, n, groups), m, rule.block_m, sm_count)
    launch = serving_config(m, n, k, groups, block_k, sm_count, shared_memory, tile_fill=tile_fill)
    if launch is None or (rule.expand_weight
                          and serving_fill(m, n, sm_count, launch.block_m, launch.split_k) < SERVING_ONE_WAVE_FILL):
        return rule
    return launch


def _table_entry(m: int, n: int, k: int, groups: int, device: torch.device) -> Optional[list]:
    """The config table's entry for (GPU, N, K, M-bucket), or None (none there, or the table off)."""
    key = f"{n},{k}" if groups == 1 else f"{n},{k},g{groups}"
    return config_table().get(_device_facts(device)[0], {}).get(key, {}).get(str(m_bucket(m)))


def _programs(config: KernelConfig, m: int, n: int, groups: int) -> int:
    """The programs of a tile-kernel launch of ``config``."""
    return triton.cdiv(n, config.block_n) * triton.cdiv(m, config.block_m) * groups * config.split_k


# Keyed by the tensor's own torch.device (CUDA tensors always carry their index): hashing it costs a fraction of
# reading its ``type`` string, and these lookups sit on every split, expand or split-x launch's host path.
_BUFFERS: Dict[Tuple[str, torch.device], torch.Tensor] = {}  # (purpose, device) -> a scratch buffer's bytes
# (purpose, device, *what the views depend on) -> (the scratch buffer they view, *the views)
_SCRATCH_VIEWS: Dict[tuple, tuple] = {}
_SPLIT_K: Dict[torch.device, tuple] = {}  # device -> (fp32 partials, int32 tile counters, their lengths)


def _split_k_buffers(device: torch.device, partial_elems: int, tiles: int) -> tuple:
    """The device's split-K workspace, grown on demand (zero-filled when allocated): ``(partials, counters, ...)``
    with at least ``partial_elems`` fp32 partial sums and ``tiles`` tile counters (which the kernel returns to
    zero). One lookup per call: this sits on every split launch's host path."""
    found = _SPLIT_K.get(device)
    if found is None or found[2] < partial_elems or found[3] < tiles:
        partials, counters, partial_len, counter_len = found or (None, None, 0, 0)
        if partial_len < partial_elems:
            partials = torch.zeros(max(partial_elems, 1 << 20), dtype=torch.float32, device=device)
        if counter_len < tiles:
            counters = torch.zeros(max(tiles, 4096), dtype=torch.int32, device=device)
        found = _SPLIT_K[device] = (partials, counters, partials.numel(), counters.numel())
    return found


def _scratch_views(key: tuple, nbytes: int, make_views) -> tuple:
    """``(buffer, *views)``: views of the device's scratch buffer for one purpose (``key[:2]``: purpose, device),
    grown on demand to ``nbytes`` (zero-filled), built by ``make_views(buffer, *key[2:])`` once per ``key`` while that
    buffer is current, so a call builds no view; views of a buffer that has grown since are let go."""
    found = _SCRATCH_VIEWS.get(key)
    buffer = _BUFFERS.get(key[:2])
    if found is None or buffer is not found[0]:
        if buffer is None or buffer.numel() < nbytes:
            buffer = _BUFFERS[key[:2]] = torch.zeros(nbytes, dtype=torch.uint8, device=key[1])
        for stale in [k for k, (b, *_) in _SCRATCH_VIEWS.items() if k[:2] == key[:2] and b is not buffer]:
            del _SCRATCH_VIEWS[stale]
        found = _SCRATCH_VIEWS[key] = (buffer, *make_views(buffer, *key[2:]))
    return found


def _dense_views(buffer: torch.Tensor, dtype: torch.dtype, shape: torch.Size) -> tuple:
    dense = buffer.view(dtype)[:shape[0] * shape[1]].view(shape)
    return dense, dense.T


def _expanded_weight(device: torch.device, dtype: torch.dtype, shape: torch.Size) -> Tuple[torch.Tensor, torch.Tensor]:
    """The expand path's dense weight ``[N, K]`` in ``dtype`` and its transpose (what the GEMM takes): views of the
    device's ``expanded_weight`` scratch, kept per (dtype, shape)."""
    _, dense, dense_t = _scratch_views(("expanded_weight", device, dtype, shape), shape[0] * shape[1] * dtype.itemsize,
                                       _dense_views)
    return dense, dense_t


def _terms_bytes(rows: int, k: int) -> int:
    return -(-rows * k // 16) * 16  # the row scales after the terms start 16-byte aligned


def _split_views(buffer: torch.Tensor, m: int, k: int, low_row: int) -> tuple:
    terms_bytes = _terms_bytes(2 * low_row, k)
    return (buffer[:2 * low_row * k].view(2 * low_row, k),
            buffer[terms_bytes:terms_bytes + 4 * m].view(torch.float32))


def _split_x_buffers(device: torch.device, m: int, k: int, low_row: int) -> Tuple[torch.Tensor, torch.Tensor]:
    """The split_x launches' scratch: x's e4m3 terms ``[2 * low_row, K]`` (uint8; high terms rows 0..M-1, low ones
    from ``low_row``, the rows after each unwritten: every TMA box of a tile lies inside the tensor) and row scales
    ``[M]`` (fp32), views of the device's ``split_x`` scratch, kept per (M, K, low_row)."""
    _, terms, row_scales = _scratch_views(("split_x", device, m, k, low_row),
                                          _terms_bytes(2 * low_row, k) + 4 * m, _split_views)
    return terms, row_scales


def _integer_dequant(device: torch.device, dequant: Optional[str]) -> bool:
    choice = dequant or _DEQUANT_DEFAULT
    if choice not in ("auto", "native", "integer"):
        raise ValueError(f"dequant must be 'auto', 'native' or 'integer', got {choice!r}")
    if choice == "auto":
        return device.type == "cuda" and _device_facts(device)[2] < (8, 9)
    return choice == "integer"


_INTERPRETING = os.environ.get("TRITON_INTERPRET") == "1"  # fixed when the kernels are decorated, at import
_DEQUANT_DEFAULT = os.environ.get(DEQUANT_ENV, "auto")  # read once, at import: it sits on the launch path


def _interpreting() -> bool:
    return _INTERPRETING


_PDL_ALLOWED = os.environ.get(PDL_ENV, "1") != "0"  # read once, at import


def _pdl_supported(capability: Tuple[int, int]) -> bool:
    """Programmatic dependent launch (``griddepcontrol``) exists from sm_90; ``FP8BLK_PDL=0`` turns it off."""
    return _PDL_ALLOWED and capability >= (9, 0)


def _pdl(device: torch.device, interpreting: bool) -> bool:
    """Whether launches on ``device`` use programmatic dependent launch (compiled launches only): decode and tile
    launches, and since v67 the split-x prologue ahead of a tile launch (not ahead of the serving kernel)."""
    return not interpreting and device.type == "cuda" and _pdl_supported(_device_facts(device)[2])


_TMA_ALLOWED = os.environ.get(TMA_ENV, "1") != "0"  # read once, at import


_SPLIT_X_ALLOWED = os.environ.get(SPLIT_X_ENV, "1") != "0"  # read once, at import
_SERVING_ALLOWED = os.environ.get(SERVING_ENV, "1") != "0"  # read once, at import


def _tma_supported(capability: Tuple[int, int]) -> bool:
    """Bulk tensor copies (TMA) exist from sm_90; ``FP8BLK_TMA=0`` turns them off."""
    return _TMA_ALLOWED and capability >= (9, 0)


class _Address(NamedTuple):
    """A device address standing in for a tensor as a cached descriptor's base (holds no tensor alive)."""
    address: int
    dtype: torch.dtype

    def data_ptr(self) -> int:
        return self.address


class _Descriptor(NamedTuple):
    """One pointer argument that a TMA launch passes as a descriptor of a row-major ``[rows, cols]`` tensor."""
    index: int  # position among the launch's pointer arguments
    dtype: torch.dtype  # as the kernel sees it (fp8 weight bytes: uint8)
    rows: int
    cols: int
    row_stride: int  # elements
    box: Tuple[int, int]  # the block one copy moves
    layout: object = None  # a Gluon kernel's shared-memory layout of the box (None: a Triton kernel's descriptor)


def _tma_boxes(kind: str, config: Union[KernelConfig, DecodeConfig]) -> Dict[str, Tuple[int, int]]:
    """The box one TMA copy moves, for each argument a TMA launch of ``kind`` passes as a descriptor (the launch plan
    and ``aot_compile`` both read it, so an AOT build is the kernel a launch compiles)."""
    if kind == "decode":
        return {"w_ptr": (config.block_n, config.sub_k)}
    return {"x_ptr": (config.block_m, config.block_k), "w_ptr": (config.block_n, config.block_k)}


@functools.lru_cache(maxsize=1024)
def _cached_descriptor(address: int, dtype: torch.dtype, rows: int, cols: int, row_stride: int,
                       box: Tuple[int, int]) -> TensorDescriptor:
    """A host TMA descriptor by address (Triton's launcher encodes it per launch from these fields)."""
    return TensorDescriptor(_Address(address, dtype), [rows, cols], [row_stride, 1], list(box))


class _DirectLaunch(NamedTuple):
    """A compiled kernel's C launcher, called without Triton's per-call Python layer (``CudaLauncher.__call__``
    and, for TMA arguments, ``wrap_handle_tensordesc``, which encodes every descriptor's tensor map on every launch).

    The arguments are those Triton's own path passes; each descriptor's expansion (tensor map, shape, strides, as
    Triton's ``make_tensordesc_arg`` builds it) is kept per argument and address: the launcher copies the map into
    the kernel's parameters by value, so one encoding serves every launch from that address.
    """
    launch: object  # the C launcher
    function: int
    head: tuple  # cooperative grid, PDL, the two scratch buffers (none), packed metadata, the hooks (none)
    slots: tuple  # per TMA argument, from the last: (argument index, its descriptor, Triton's metadata for it)
    expand: object  # Triton's make_tensordesc_arg
    expanded: dict  # (argument index, address) -> the expanded descriptor arguments

    @staticmethod
    def of(compiled, plan: "_LaunchPlan") -> Optional["_DirectLaunch"]:
        """The direct launch of a compiled kernel of ``plan``, or None where it needs what only Triton's layer
        provides (scratch buffers) or is not Triton 3.6's CUDA launcher."""
        launcher = getattr(compiled, "run", None)
        fields = ("launch", "global_scratch_size", "profile_scratch_size", "launch_cooperative_grid", "launch_pdl")
        if not all(hasattr(launcher, f) for f in fields) or launcher.global_scratch_size or launcher.profile_scratch_size:
            return None
        launch, meta, expand = launcher.launch, (), None
        if plan.descriptors:  # wrap_handle_tensordesc's wrapper around the C launcher
            if not hasattr(launch, "__code__"):
                return None
            cells = dict(zip(launch.__code__.co_freevars, (c.cell_contents for c in launch.__closure__ or ())))
            if not {"launcher", "tensordesc_meta"} <= cells.keys():
                return None
            from triton.backends.nvidia.driver import make_tensordesc_arg as expand
            launch, meta = cells["launcher"], tuple(cells["tensordesc_meta"])
        slots = tuple(reversed([(d.index, d, meta[i]) for i, d in enumerate(plan.descriptors)]))
        head = (launcher.launch_cooperative_grid, launcher.launch_pdl, None, None, compiled.packed_metadata, None, None,
                None)
        return _DirectLaunch(launch, compiled.function, head, slots, expand, {})

    def __call__(self, plan: "_LaunchPlan", stream: int, args: list) -> None:
        """Launches ``plan`` on ``stream``; ``args``: the pointer arguments' addresses (replaced in place)."""
        known = self.expanded
        for index, d, meta in self.slots:  # from the last, so earlier indices stay put
            key = (index, args[index])
            expanded = known.get(key)
            if expanded is None:
                if len(known) > 4096:  # addresses seen once (activations) do not pile up
                    known.clear()
                descriptor = _cached_descriptor(args[index], d.dtype, d.rows, d.cols, d.row_stride, d.box)
                expanded = known[key] = self.expand(descriptor, meta)
            args[index:index + 1] = expanded
        self.launch(*plan.grid, stream, self.function, *self.head, *args, *plan.int_args, *plan.constexpr_values)


class _LaunchPlan(NamedTuple):
    """Everything about a call that follows from shapes, strides and dtypes alone (cached per signature).

    Describes one Triton launch (``kind``): the decode kernel (``"decode"``), the tile kernel (``"tile"``), the
    serving kernel (``"serving"``, Gluon; after a split-x prologue) or the dequant kernel (``"expand"``, whose output,
    ``scratch_elems`` long, then feeds torch.mm).
    """
    kind: str
    grid: Tuple[int, int, int]
    int_args: Tuple[int, ...]  # sizes, strides, scale_block_n: the kernel's integer arguments, in order
    constexprs: Tuple[Tuple[str, object], ...]  # (name, value) in the kernel's signature order
    options: Tuple[Tuple[str, int], ...]  # num_warps, num_stages
    partial_elems: int  # split-K workspace sizes (0: no split)
    tiles: int
    scratch_elems: int  # expanded weight (0: not expanded)
    # TMA launches: the pointer arguments passed as descriptors, and the plan to take instead when one of their
    # addresses is not 16-byte aligned (None where the caller forced the TMA config)
    descriptors: Tuple[_Descriptor, ...] = ()
    fallback: Optional["_LaunchPlan"] = None
    # split_x tile launches: the launch of ``_split_x_kernel`` that writes x's two e4m3 terms first
    prologue: Optional["_LaunchPlan"] = None
    # Filled by _launch_plan: the constexpr values in signature order, and the compiled kernels of this plan by the
    # 16-byte alignment of each pointer (all else Triton specializes on is fixed by the plan), each as a
    # _DirectLaunch where it allows one, else as Triton's compiled kernel.
    constexpr_values: tuple = ()
    compiled: Optional[dict] = None
    config: Optional[Union[KernelConfig, DecodeConfig]] = None  # the launch parameters (None: the split_x prologue)


def _finish(plan: _LaunchPlan, config: Optional[Union[KernelConfig, DecodeConfig]] = None) -> _LaunchPlan:
    return plan._replace(constexpr_values=tuple(value for _, value in plan.constexprs), compiled={}, config=config)


def _compile_options(config: Union[KernelConfig, DecodeConfig], pdl: bool) -> Tuple[Tuple[str, int], ...]:
    """Triton's compile options of a launch (the plan keeps them hashable; the JIT and ``aot_compile`` take them)."""
    return (("num_warps", config.num_warps), ("num_stages", config.num_stages), ("launch_pdl", pdl))


# Each kernel's parameter names in signature order, read once from the kernels themselves.
_SIGNATURES = {kind: tuple(inspect.signature(kernel.fn).parameters) for kind, kernel in
               (("decode", _fp8_decode_kernel), ("tile", _fp8_block_matmul_kernel), ("expand", _fp8_block_dequant_kernel),
                ("split_x", _split_x_kernel))}
SPLIT_X_WHOLE_ROW = 16384  # the longest x row ``_split_x_kernel`` holds in registers (read once; longer: twice)


def _constexprs(kind: str, config: Union[KernelConfig, DecodeConfig], scale_block_k: int, has_bias: bool,
                integer: bool, e8m0: bool, x_dtype: torch.dtype, dot_in_fp32: bool, pdl: bool,
                x_row_groups: bool = False, even_tiles: bool = False) -> Dict[str, object]:
    """The constexpr arguments of a ``kind`` launch ("decode", "tile" or "expand") in the kernel's signature order
    (the direct launch passes them by position); the JIT launch and ``aot_compile`` take the same dict.
    ``x_row_groups``: the decode kernel's ``X_ROW_GROUPS`` (``fp8_decode.reads_x_in_row_groups``); ``even_tiles``: its
    ``EVEN_TILES`` (CUDA-core steps that need no masks: ``fp8_decode.drops_masks``)."""
    values = dict(SCALE_BLOCK_K=scale_block_k, BLOCK_N=config.block_n, INTEGER_DEQUANT=integer, SCALE_E8M0=e8m0)
    if kind == "expand":
        values.update(BLOCK_K=config.block_k)
    else:
        values.update(BLOCK_M=config.block_m, SPLIT_K=config.split_k, HAS_BIAS=has_bias, DOT_IN_FP32=dot_in_fp32,
                      PDL=pdl, TMA=config.tma)
        if kind == "decode":
            values.update(SUB_K=config.sub_k, SUBS=config.subs, USE_MMA=config.use_mma, NUM_STAGES=config.num_stages,
                          X_ROW_GROUPS=x_row_groups, EVEN_TILES=even_tiles, ROW_PIECES=keeps_row_pieces(config))
        else:
            values.update(BLOCK_K=config.block_k, SCALE_IN_WEIGHT=config.scale_in_weight and x_dtype == torch.bfloat16,
                          SPLIT_X=config.split_x)
    return {name: values[name] for name in _SIGNATURES[kind] if name in values}


def _split_x_plan(m: int, k: int, x_stride: Tuple[int, int], interpreting: bool, low_row: int,
                  pdl: bool = False) -> _LaunchPlan:
    """The launch of ``_split_x_kernel`` for x ``[m, k]``, low terms from row ``low_row`` (its first integer
    argument): one program per row, the row in registers up to ``SPLIT_X_WHOLE_ROW`` elements, else 4096 at a time;
    a warp per 512 elements (16 a thread), 4-16 warps; ``pdl``: launched dependent on the previous kernel."""
    whole_row = k <= SPLIT_X_WHOLE_ROW
    block_k = triton.next_power_of_2(k) if whole_row else 4096
    constexprs = (("BLOCK_K", block_k), ("WHOLE_ROW", whole_row), ("BYTES_BY_BITS", interpreting), ("PDL", pdl))
    options = (("num_warps", min(16, max(4, block_k // 512))), ("num_stages", 1), ("launch_pdl", pdl))
    return _finish(_LaunchPlan("split_x", (m, 1, 1), (low_row, k, *x_stride), constexprs, options, 0, 0, 0))


@functools.lru_cache(maxsize=4096)
def _launch_plan(x_shape, x_stride, x_dtype, weight_shape, weight_stride, weight_dtype, scale_shape, scale_stride,
                 scale_dtype, bias_shape, bias_dtype, out_shape, out_stride, block_size, groups, device, dequant,
                 batch_invariant, config, interpreting, tma_allowed: bool = True) -> _LaunchPlan:
    """Validates one call signature and works out its launch; raises ``ValueError`` for bad input.
    ``out_shape``/``out_stride`` None: the wrapper allocates ``out`` (contiguous) once the signature is valid.
    ``tma_allowed=False``: the plan without TMA descriptors (the fallback for addresses not 16-byte aligned)."""
    if weight_dtype != torch.float8_e4m3fn or len(weight_shape) != 2:
        raise ValueError(f"weight must be a 2-D float8_e4m3fn tensor, found {weight_dtype} {list(weight_shape)}")
    if len(scale_shape) != 2:
        raise ValueError(f"scale must be 2-D, found {scale_dtype} {list(scale_shape)}")
    n_total, k = weight_shape
    if x_dtype not in (torch.bfloat16, torch.float16) or len(x_shape) != 2:
        raise ValueError(f"x must be a 2-D bfloat16 or float16 tensor, found {x_dtype} {list(x_shape)}")
    if groups < 1 or n_total % groups or x_shape[1] != groups * k:
        raise ValueError(f"x {list(x_shape)} and weight {list(weight_shape)} do not form {groups} group(s): "
                         f"need weight [groups*N, K] and x [M, groups*K]")
    block_n, block_k = (int(b) for b in block_size)
    n = n_total // groups
    if block_n < 1 or block_k < 16 or block_k % 16:
        raise ValueError(f"block_size {list(block_size)}: block_n must be >= 1 and block_k a multiple of 16")
    if groups > 1 and n % block_n:
        raise ValueError(f"with groups, each group's N ({n}) must be a multiple of block_n ({block_n})")
    if scale_dtype not in SCALE_DTYPES or tuple(scale_shape) != (triton.cdiv(n_total, block_n), triton.cdiv(k, block_k)):
        raise ValueError(f"scale must be [{triton.cdiv(n_total, block_n)}, {triton.cdiv(k, block_k)}] in "
                         f"fp32/bf16/fp16/float8_e8m0fnu, found {scale_dtype} {list(scale_shape)}")
    if bias_shape is not None and (tuple(bias_shape) != (n_total,) or bias_dtype not in BIAS_DTYPES):
        raise ValueError(f"bias must be [{n_total}] in fp32/bf16/fp16, found {bias_dtype} {list(bias_shape)}")
    m = x_shape[0]
    if out_shape is None:
        out_shape, out_stride = (m, n_total), (n_total, 1)
    if out_shape != (m, n_total) or (m and out_stride[1] != 1):
        raise ValueError(f"out must be [{m}, {n_total}] {x_dtype} with a contiguous last dim, found "
                         f"{list(out_shape)} strides {out_stride}")
    integer = _integer_dequant(device, dequant)
    e8m0 = scale_dtype == torch.float8_e8m0fnu
    pdl = _pdl(device, interpreting)
    int_args = (m, n, k, *x_stride, *weight_stride, *scale_stride, *out_stride, block_n)
    # TMA: sm_90+ (the rules' choice; the interpreter runs a TMA config only when one is passed), rows 16-byte aligned
    tma_device = interpreting or (device.type == "cuda" and _tma_supported(_device_facts(device)[2]))
    tma_weight = weight_stride[1] == 1 and weight_stride[0] % 16 == 0
    tma_auto = tma_allowed and tma_device and tma_weight and not interpreting
    fallback_args = (x_shape, x_stride, x_dtype, weight_shape, weight_stride, weight_dtype, scale_shape, scale_stride,
                     scale_dtype, bias_shape, bias_dtype, out_shape, out_stride, block_size, groups, device, dequant,
                     batch_invariant, config, interpreting, False)
    # x by TMA too: its rows 16-byte aligned, and with groups K a multiple of the tile (a box must not reach into the
    # next group's columns, which the weight's zero-fill would not cancel for an inf there)
    tma_rows = tma_weight and x_stride[1] == 1 and (x_stride[0] * 2) % 16 == 0
    tma_tiles = tma_auto and tma_rows  # the rules' choice (their tiles: groups are checked below)
    x_bf16 = x_dtype == torch.bfloat16
    # the serving kernel's GPU (Gluon's Hopper wgmma; Triton's interpreter does not run Gluon)
    hopper = not interpreting and device.type == "cuda" and _device_facts(device)[2] == (9, 0)
    rule_decode = config is None and not batch_invariant and takes_decode(m, n, k, groups, _sm_count(device))
    same_tiles = None  # v76: the tile rule's launch on the decode kernel, where it is the faster of the two (a table
    # entry for the shape is kept as it is)
    if (config is None and not batch_invariant and not rule_decode and x_bf16 and tma_tiles
            and _table_entry(m, n, k, groups, device) is None):
        same_tiles = on_tile_geometry(m, n, groups, choose_config(m, n, k, groups, block_k, device, False, tma_tiles,
                                                                  x_bf16, not integer, hopper), _sm_count(device))
    if isinstance(config, DecodeConfig) or rule_decode or same_tiles:
        cfg = config or same_tiles or decode_config(m, n, k, groups, block_k, _sm_count(device), tma=tma_auto,
                                                    dram_gbps=_dram_gbps(device))
        if m > cfg.block_m or (cfg.sub_k > block_k or block_k % cfg.sub_k):
            raise ValueError(f"{cfg} does not fit M = {m} and scale block_k = {block_k}")
        if any(size & (size - 1) for size in (cfg.block_n, cfg.block_m, cfg.sub_k, cfg.subs)):
            raise ValueError(f"{cfg}: block_n, block_m, sub_k and subs must be powers of two (tile extents)")
        descriptors = ()
        if cfg.tma:
            if not (tma_device and tma_weight and cfg.use_mma):
                raise ValueError(f"{cfg}: TMA needs sm_90+, the tensor-core path and weight rows 16-byte aligned")
            box = _tma_boxes("decode", cfg)["w_ptr"]
            descriptors = (_Descriptor(1, torch.uint8, groups * n, k, weight_stride[0], box),)
        constexprs = tuple(_constexprs("decode", cfg, block_k, bias_shape is not None, integer, e8m0, x_dtype,
                                       interpreting, pdl, reads_x_in_row_groups(m, cfg),
                                       drops_masks(n, k, cfg)).items())
        grid = (triton.cdiv(n, cfg.block_n), cfg.split_k, groups)
        split = cfg.split_k > 1
        return _finish(_LaunchPlan("decode", grid, int_args, constexprs, _compile_options(cfg, pdl),
                                   groups * cfg.split_k * m * n if split else 0, grid[0] * groups if split else 0, 0,
                                   descriptors, _launch_plan(*fallback_args) if descriptors and not config else None),
                       cfg)
    cfg = config or choose_config(m, n, k, groups, block_k, device, batch_invariant, tma_tiles, x_bf16, not integer,
                                  hopper)
    if cfg.expand_weight and not x_bf16:  # asked for with fp16 x, which would flush small scale * weight products
        cfg = default_config(m, n, k, groups, block_k, _sm_count(device), x_bf16=False, tma=tma_tiles,
                             shared_memory=_device_facts(device)[3])
    if cfg.expand_weight:
        if groups != 1 or cfg.split_k != 1:
            raise ValueError(f"expand_weight needs groups == 1 and split_k == 1, found {groups} and {cfg.split_k}")
        constexprs = tuple(_constexprs("expand", cfg, block_k, False, integer, e8m0, x_dtype, False, False).items())
        return _finish(_LaunchPlan("expand", (triton.cdiv(n_total, cfg.block_n), triton.cdiv(k, cfg.block_k), 1),
                                   (n_total, k, *weight_stride, *scale_stride, k, 1, block_n), constexprs,
                                   _compile_options(cfg, False), 0, 0, n_total * k), cfg)
    if block_k % cfg.block_k:
        raise ValueError(f"config block_k {cfg.block_k} must divide the scale block {block_k}")
    if config is None and cfg.split_x and (groups * k) % 16:  # the terms' rows would not be 16-byte aligned for TMA
        cfg = choose_config(m, n, k, groups, block_k, device, batch_invariant, tma_tiles, x_bf16, False)
    prologue = None
    terms_rows = m
    if cfg.split_x:  # x as two e4m3 terms, written first into a contiguous [2 * low_row, groups * K] scratch
        fp8_mma = interpreting or (device.type == "cuda" and _device_facts(device)[2] >= (8, 9))
        if not (x_bf16 and fp8_mma and not integer):
            raise ValueError(f"{cfg}: split_x needs bf16 x and fp8 tensor cores (sm_89+, native dequant)")
        low_row = low_terms_row(m, cfg.block_m)
        terms_rows = 2 * low_row  # no x box crosses the tensor's edge
        # v67: the prologue of a tile launch is launched dependent on the previous kernel (its programs placed during
        # that kernel's tail: 1.005-1.105x at 44 of 44 points, exp150); before the serving kernel it lost (0.993x)
        prologue = _split_x_plan(m, groups * k, x_stride, interpreting, low_row, pdl and not cfg.warp_specialized)
        x_stride = (groups * k, 1)
        int_args = (m, n, k, *x_stride, *weight_stride, *scale_stride, *out_stride, block_n)
        tma_rows = tma_weight and (groups * k) % 16 == 0
    tma_x = tma_rows and (groups == 1 or k % cfg.block_k == 0)
    if cfg.warp_specialized:  # the serving kernel: x's terms and the weight by TMA, 128 x block_m tiles
        if not (prologue is not None and tma_device and tma_x and groups == 1 and block_k % cfg.block_k == 0
                and hopper and (cfg.block_n, cfg.block_k) == (128, 128) and 1 <= cfg.split_k
                and (cfg.split_k - 1) * triton.cdiv(triton.cdiv(k, 128), cfg.split_k) < triton.cdiv(k, 128)
                and cfg.block_m in {tile.block_m for tile in SERVING_TILES}):
            raise ValueError(f"{cfg}: the serving kernel needs an sm_90 GPU (not the interpreter), split x, one group, "
                             f"rows 16-byte aligned, scale blocks a multiple of 128 deep, a 128 x 128 or 128 x 64 "
                             f"tile and every K split non-empty")
        x_layout, w_layout = shared_layouts(cfg.block_m)
        tile = serving_tile(cfg.block_m)
        fp8 = torch.float8_e4m3fn
        descriptors = (_Descriptor(0, fp8, terms_rows, k, k, (cfg.block_m, cfg.block_k), x_layout),
                       _Descriptor(1, fp8, n, k, weight_stride[0], (cfg.block_n // 2, cfg.block_k), w_layout))
        tiles = triton.cdiv(n, cfg.block_n) * triton.cdiv(m, cfg.block_m)
        schedule = serving_schedule(tiles, triton.cdiv(k, cfg.block_k), cfg, _sm_count(device))
        constexprs = (("SCALE_BLOCK_K", block_k), ("HAS_BIAS", bias_shape is not None), ("SCALE_E8M0", e8m0),
                      ("STAGES", cfg.num_stages), ("MATH_REGISTERS", tile.math_registers), ("SPLIT_K", cfg.split_k),
                      ("PERSISTENT", schedule.persistent), ("STREAM", schedule.stream_programs > 0))
        options = (("num_warps", 4),) + ((("maxnreg", tile.max_registers),) if tile.max_registers else ())
        # the partial slots of the ordered reductions (tiles cut into K splits or stream parts) and a counter per
        # tile half (each math warpgroup reduces its 64 rows)
        slot_elems = schedule.slots * cfg.block_n * cfg.block_m
        # the launch the plan takes where the weight is not 16-byte aligned (``fp8_block_matmul`` checks; x's terms
        # are the library's scratch): the tile kernel by pointer loads
        return _finish(_LaunchPlan("serving", (schedule.grid, 1, 1),
                                   (m, n, k, low_row, *scale_stride, out_stride[0], block_n, schedule.whole_tiles,
                                    schedule.stream_programs, schedule.stream_parts),
                                   constexprs, options, slot_elems, 2 * tiles if slot_elems else 0, 0, descriptors,
                                   _launch_plan(*fallback_args) if not config else None, prologue), cfg)
    if config is None and cfg.tma and not tma_x:  # the rules' TMA tiles do not divide each group's K
        cfg = choose_config(m, n, k, groups, block_k, device, batch_invariant, False, x_bf16, not integer)
    grid = (triton.cdiv(n, cfg.block_n), triton.cdiv(m, cfg.block_m), groups * cfg.split_k)
    descriptors = ()
    if cfg.tma:
        if not (tma_device and tma_x):
            raise ValueError(f"{cfg}: TMA needs sm_90+, x and weight rows 16-byte aligned and, with groups, K a "
                             f"multiple of block_k")
        boxes = _tma_boxes("tile", cfg)
        fp8 = torch.float8_e4m3fn  # split_x: both operands reach the MMA as they arrive
        descriptors = (_Descriptor(0, fp8 if cfg.split_x else x_dtype, terms_rows, groups * k,
                                   x_stride[0], boxes["x_ptr"]),
                       _Descriptor(1, fp8 if cfg.split_x else torch.uint8, groups * n, k, weight_stride[0],
                                   boxes["w_ptr"]))
    split = cfg.split_k > 1
    constexprs = tuple(_constexprs("tile", cfg, block_k, bias_shape is not None, integer, e8m0, x_dtype,
                                   interpreting, pdl).items())
    return _finish(_LaunchPlan("tile", grid, int_args, constexprs, _compile_options(cfg, pdl),
                               groups * cfg.split_k * m * n if split else 0, grid[0] * grid[1] * groups if split else 0,
                               0, descriptors, _launch_plan(*fallback_args) if descriptors and not config else None,
                               prologue), cfg)


def _jit_view(arg):
    """What Triton's JIT is given for an argument: fp8 storage as bytes (Triton refuses fp8e4nv below sm_89)."""
    return arg.view(torch.uint8) if getattr(arg, "dtype", None) in (torch.float8_e4m3fn, torch.float8_e8m0fnu) else arg


_ALL_ALIGNED = {count: (True,) * count for count in (3, 7, 8)}  # the common case's alignment key, per kernel arity


def _launch(kernel, plan: _LaunchPlan, device: torch.device, pointers: tuple) -> None:
    """Launches ``kernel`` for ``plan``: the first time per pointer alignment through Triton's JIT (which compiles
    or finds the kernel), later by calling the compiled kernel directly, skipping Triton's per-call argument binding.
    Everything Triton specializes a compile on is fixed by the plan (pointer dtypes, integers equal to 1 or divisible
    by 16, constexprs) except each pointer's 16-byte alignment, which keys ``plan.compiled``. The direct launch passes
    the pointers as integers: for a tensor Triton's launcher would call back into Python for ``data_ptr()`` and ask
    the driver (``cuPointerGetAttribute``) whether it is device memory, per pointer and call; ``fp8_block_matmul``
    has checked the tensors' device instead. Where the compiled kernel allows (Triton 3.6's CUDA launcher, no scratch
    buffers) the direct launch is a ``_DirectLaunch``: its C launcher with the tensor maps of TMA arguments encoded
    once per address."""
    addresses = list(map(_DATA_PTR, pointers))
    if functools.reduce(operator.or_, addresses) & 15:  # some pointer not 16-byte aligned: each one's alignment
        aligned = tuple([address % 16 == 0 for address in addresses])
    else:
        aligned = _ALL_ALIGNED[len(addresses)]
    if plan.descriptors and not all(aligned[d.index] for d in plan.descriptors):  # TMA needs 16-byte aligned bases
        if plan.fallback is None:
            raise ValueError("a TMA config needs x and weight at 16-byte aligned addresses")
        return _launch(kernel, plan.fallback, device, pointers)
    compiled = plan.compiled.get(aligned)
    hook = _RUNTIME_KNOBS.launch_enter_hook  # a HookChain (Triton 3.4+); profilers add to it
    if compiled is None or getattr(hook, "calls", hook):  # first call, or a profiler listening: Triton's own path
        args = [_jit_view(p) for p in pointers]
        for d in plan.descriptors:
            view = pointers[d.index].view(d.dtype)
            args[d.index] = (TensorDescriptor(view, [d.rows, d.cols], [d.row_stride, 1], list(d.box))
                             if d.layout is None else
                             GluonTensorDescriptor(view, [d.rows, d.cols], [d.row_stride, 1], list(d.box), d.layout))
        compiled = kernel[plan.grid](*args, *plan.int_args, **dict(plan.constexprs), **dict(plan.options))
        if not _interpreting() and all(hasattr(compiled, a) for a in ("run", "function", "packed_metadata")):
            plan.compiled[aligned] = _DirectLaunch.of(compiled, plan) or compiled
        return
    if isinstance(compiled, _DirectLaunch):
        return compiled(plan, _current_stream(device), addresses)
    args = addresses
    for d in plan.descriptors:  # by address: the cached descriptor keeps no tensor alive
        args[d.index] = _cached_descriptor(addresses[d.index], d.dtype, d.rows, d.cols, d.row_stride, d.box)
    # The arguments in signature order, as Triton's JIT passes them to the compiled launcher.
    compiled.run(*plan.grid, _current_stream(device), compiled.function, compiled.packed_metadata, None, None, None,
                 *args, *plan.int_args, *plan.constexpr_values)


_RUNTIME_KNOBS = triton.knobs.runtime
_DATA_PTR = torch.Tensor.data_ptr  # mapped over a launch's tensors (cheaper per call than a comprehension)
_STREAM_GETTER = None  # the active driver's current-stream function, looked up on the first launch


def _current_stream(device: torch.device) -> int:
    global _STREAM_GETTER
    if _STREAM_GETTER is None:
        _STREAM_GETTER = triton.runtime.driver.active.get_current_stream
    return _STREAM_GETTER(device.index)


def fp8_block_matmul(x: torch.Tensor, weight: torch.Tensor, scale: torch.Tensor, bias: Optional[torch.Tensor] = None,
                     block_size: Sequence[int] = (128, 128), out: Optional[torch.Tensor] = None, groups: int = 1,
                     dequant: Optional[str] = None, batch_invariant: bool = False,
                     config: Optional[Union[KernelConfig, DecodeConfig]] = None) -> torch.Tensor:
    """``x @ dequant(weight, scale).T (+ bias)`` on the GPU (or under ``TRITON_INTERPRET=1``).

    Args:
        x: bf16 or fp16 ``[M, groups * K]``; any row stride. M may be 0.
        weight: float8_e4m3fn ``[groups * N, K]`` as stored in checkpoints.
        scale: ``[ceil(groups * N / block_n), ceil(K / block_k)]``: fp32, bf16, fp16 or float8_e8m0fnu.
        bias: optional ``[groups * N]``.
        block_size: ``(block_n, block_k)``; any ``block_n >= 1`` (1 is per-channel); ``block_k`` a multiple of 16.
        out: optional ``[M, groups * N]`` output in x's dtype (last dim contiguous).
        groups: G independent GEMMs in one launch, group g reading x's g-th K-slice and W's g-th N-slice.
        dequant: ``"native"`` (fp8 conversion, sm_89+), ``"integer"`` (Ampere's exact bit path) or
            ``"auto"``/None (by compute capability; env ``FP8BLK_DEQUANT`` overrides).
        batch_invariant: use one config for every M, so each row's result is independent of M.
        config: force a ``KernelConfig`` (tile kernel; with ``warp_specialized`` the serving kernel, sm_90 and split
            x only) or a ``DecodeConfig`` (decode kernel, M <= its block_m).
            Without one, the rules choose, and on sm_90+ read the tiles by TMA where rows are 16-byte aligned (calls
            with unaligned addresses take the rule's launch by pointer loads; ``FP8BLK_TMA=0`` turns TMA off). A forced
            config's ``tma`` is taken as given (``ValueError`` where TMA cannot run).

    Returns ``[M, groups * N]`` in x's dtype, accumulated in fp32. Raises ``ValueError`` for bad shapes, dtypes or
    configs, and (CUDA x) when weight, scale, bias or out is not on x's GPU.

    Deterministic: the same inputs give bitwise the same output (split-K partials are summed in a
    fixed order). Without ``batch_invariant`` the config, and so the summation order, follows M's
    bucket: a row's result may differ in the last bits between batch sizes (and, on sm_90+, between calls with x
    or the weight at 16-byte aligned addresses and calls without, whose launches differ). CUDA-graph capturable:
    no host synchronization; the only allocation is the output (the split-K workspace and the
    expanded-weight scratch are allocated once per device, on the first call that needs them -- warm
    up before capturing; both are shared by the calls on one device, so issue those calls from one
    stream). Large M with bf16 x (where the config table says ``expand_weight``): the weight is
    expanded to bf16 with one rounding, the same arithmetic as ``SCALE_IN_WEIGHT``, then multiplied
    by cuBLAS (a bias not in bf16 is cast per call there, one small allocation); fp16 x always takes the
    tile kernel. On sm_90 the rules may split bf16 x into two e4m3 terms (M = 33-512; ``KernelConfig.split_x``,
    ``FP8BLK_SPLIT_X=0`` turns it off): the weight then enters fp8 tensor-core MMAs unconverted, with no rounding of
    scale * weight (x exact to 2**-9 of its row's largest value); a row of x holding inf or NaN then gives a NaN
    output row (other rows are unaffected). Where its tiles fill the GPU, such a call on sm_90 takes the
    warp-specialized serving kernel (``fp8_serving.py``; the same arithmetic, bitwise; ``FP8BLK_SERVING=0`` turns it
    off).
    Launch cost: a call signature's checks and launch plan are worked out once and cached; later
    calls with the same shapes, strides and dtypes launch the compiled kernel directly.
    """
    device = x.device  # a tensor's CUDA device always carries its index
    if out is not None and (out.dtype != x.dtype or out.dim() != 2):
        raise ValueError(f"out must be a 2-D {x.dtype} tensor, found {out.dtype} {list(out.shape)}")
    if x.is_cuda:  # the launch passes bare addresses: every tensor must live on x's GPU
        if not (weight.get_device() == scale.get_device() == device.index
                and (bias is None or bias.get_device() == device.index)
                and (out is None or out.get_device() == device.index)):
            raise ValueError("x, weight, scale, bias and out must all be CUDA tensors on one device, found "
                             + ", ".join(f"{name} on {t.device}" for name, t in
                                         (("x", x), ("weight", weight), ("scale", scale), ("bias", bias), ("out", out))
                                         if t is not None))
    # torch.Size hashes and compares like the tuple it is: the plan cache takes shapes as they come. The plan validates
    # the signature (raising ValueError) before anything is allocated or launched.
    plan = _launch_plan(x.shape, x.stride(), x.dtype, weight.shape, weight.stride(), weight.dtype, scale.shape,
                        scale.stride(), scale.dtype, None if bias is None else bias.shape,
                        None if bias is None else bias.dtype, None if out is None else out.shape,
                        None if out is None else out.stride(), tuple(block_size), groups, device,
                        dequant or _DEQUANT_DEFAULT, batch_invariant, config, _INTERPRETING)
    if plan.kind == "serving" and weight.data_ptr() & 15:  # TMA needs a 16-byte aligned weight
        if plan.fallback is None:
            raise ValueError("a forced serving config needs the weight at a 16-byte aligned address")
        plan = plan.fallback
    if plan.kind == "expand" and x.shape[0]:
        dense, dense_t = _expanded_weight(device, x.dtype, weight.shape)
        _launch(_fp8_block_dequant_kernel, plan, device, (weight, scale, dense))
        if out is None:  # torch's GEMM allocates the output itself: one allocation, as in F.linear
            return torch.mm(x, dense_t) if bias is None else torch.addmm(bias.to(x.dtype), x, dense_t)
        if bias is None:
            return torch.mm(x, dense_t, out=out)
        return torch.addmm(bias.to(x.dtype), x, dense_t, out=out)
    if out is None:  # x's dtype and device; sizes as separate ints (a tuple takes torch's slower argument parse)
        out = x.new_empty(x.shape[0], weight.shape[0])
    if x.shape[0] == 0:
        return out
    if plan.partial_elems:
        partial, counter, _, _ = _split_k_buffers(device, plan.partial_elems, plan.tiles)
    else:
        partial = counter = out  # unused
    if plan.kind == "decode":
        _launch(_fp8_decode_kernel, plan, device, (x, weight, scale, out if bias is None else bias, out, partial, counter))
        return out
    x_scale = out  # unused
    if plan.prologue is not None:  # x's two e4m3 terms and row scales, then the tile kernel reads those
        terms, x_scale = _split_x_buffers(device, x.shape[0], x.shape[1], plan.prologue.int_args[0])
        _launch(_split_x_kernel, plan.prologue, device, (x, terms, x_scale))
        x = terms
    _launch(_fp8_serving_kernel if plan.kind == "serving" else _fp8_block_matmul_kernel, plan, device,
            (x, weight, scale, out if bias is None else bias, out, partial, counter, x_scale))
    return out


class BoundCall(NamedTuple):
    """``fp8_block_matmul(x, weight, scale, bias, block_size)`` for one x signature (shape, strides, dtype, device,
    16-byte aligned address) with ``weight``, ``scale`` and ``bias`` fixed: what a call needs besides x's and the
    output's addresses is worked out once (``bind_call``), so a call allocates the output and calls the compiled
    launchers. It holds addresses, not tensors: the caller keeps the tensors alive and unchanged (same storage,
    shape and strides), as ``Fp8BlockLinear`` does by keying its bound calls on its parameters' addresses."""
    plan: _LaunchPlan
    device: torch.device
    launch: _DirectLaunch  # the plan's compiled launch for aligned pointers (the tile launch after a split x)
    prologue: Optional[_DirectLaunch]  # split x: the launch writing x's two e4m3 terms
    weight: int  # addresses
    scale: int
    bias: Optional[int]
    out_shape: Tuple[int, ...]  # the output as returned: x's leading dims and N
    rows_shape: Tuple[int, int]  # x as the kernel reads it, [M, groups * K]
    weight_shape: Tuple[int, int]

    def __call__(self, x: torch.Tensor) -> Optional[torch.Tensor]:
        """``x`` of the bound signature -> the output; None where this call must take ``fp8_block_matmul`` instead
        (x not 16-byte aligned, or a profiler listening to Triton's launches)."""
        x_address = x.data_ptr()
        hook = _RUNTIME_KNOBS.launch_enter_hook  # a profiler listening: Triton's own path (``_launch``)
        if x_address & 15 or getattr(hook, "calls", hook):
            return None
        plan, device = self.plan, self.device
        stream = _current_stream(device)
        if plan.kind == "expand":  # the weight expanded into the device's scratch, then torch's GEMM
            dense, dense_t = _expanded_weight(device, x.dtype, self.weight_shape)
            self.launch(plan, stream, [self.weight, self.scale, dense.data_ptr()])
            if x.dim() == 2:
                return torch.mm(x, dense_t)
            return torch.mm(x.view(self.rows_shape), dense_t).view(self.out_shape)
        out = x.new_empty(*self.out_shape)  # sizes as separate ints: torch parses them faster than a tuple
        out_address = out.data_ptr()
        partial = counter = out_address  # unused without a K-split
        if plan.partial_elems:
            buffers = _split_k_buffers(device, plan.partial_elems, plan.tiles)
            partial, counter = buffers[0].data_ptr(), buffers[1].data_ptr()
        bias = out_address if self.bias is None else self.bias
        if plan.kind == "decode":
            self.launch(plan, stream, [x_address, self.weight, self.scale, bias, out_address, partial, counter])
            return out
        x_scale = out_address  # unused without a split x
        if self.prologue is not None:
            m, k = self.rows_shape
            terms, row_scales = _split_x_buffers(device, m, k, plan.prologue.int_args[0])
            x_address, x_scale = terms.data_ptr(), row_scales.data_ptr()
            self.prologue(plan.prologue, stream, [x.data_ptr(), x_address, x_scale])
        self.launch(plan, stream, [x_address, self.weight, self.scale, bias, out_address, partial, counter, x_scale])
        return out


def bind_call(x: torch.Tensor, weight: torch.Tensor, scale: torch.Tensor, bias: Optional[torch.Tensor] = None,
              block_size: Sequence[int] = (128, 128)) -> Optional[BoundCall]:
    """A ``BoundCall`` repeating ``fp8_block_matmul(x, weight, scale, bias, block_size)`` for any x of this one's
    shape, strides, dtype and device (x may have leading dims: the kernel reads it as ``[-1, K]``, which must be a
    view), or None where a call cannot skip the wrapper: not a compiled CUDA launch, no prior call of this signature
    (the kernels are compiled by the first), a tensor not 16-byte aligned, a bias on the expand path, or a
    compiled kernel Triton must launch itself (scratch buffers)."""
    if _INTERPRETING or not getattr(x, _BIND_DEVICE_FLAG) or x.dim() < 2 or x.numel() == 0:
        return None
    rows = x.view(-1, x.shape[-1]) if x.dim() > 2 and x.is_contiguous() else x
    if rows.dim() != 2:
        return None
    plan = _launch_plan(rows.shape, rows.stride(), rows.dtype, weight.shape, weight.stride(), weight.dtype,
                        scale.shape, scale.stride(), scale.dtype, None if bias is None else bias.shape,
                        None if bias is None else bias.dtype, None, None, tuple(block_size), 1, x.device,
                        _DEQUANT_DEFAULT, False, None, _INTERPRETING)
    pointers = (x, weight, scale) + (() if bias is None else (bias,))
    if any(t.data_ptr() & 15 for t in pointers) or (plan.kind == "expand" and bias is not None):
        return None
    arity = {"decode": 7, "tile": 8, "expand": 3, "serving": 8}[plan.kind]
    launch = plan.compiled.get(_ALL_ALIGNED[arity])
    prologue = None if plan.prologue is None else plan.prologue.compiled.get(_ALL_ALIGNED[3])
    if not isinstance(launch, _DirectLaunch) or (plan.prologue is not None and not isinstance(prologue, _DirectLaunch)):
        return None
    return BoundCall(plan, x.device, launch, prologue, weight.data_ptr(), scale.data_ptr(),
                     None if bias is None else bias.data_ptr(), (*x.shape[:-1], weight.shape[0]), tuple(rows.shape),
                     tuple(weight.shape))


_BIND_DEVICE_FLAG = "is_cuda"  # the tensor flag of the device whose launches bind (stand-in launchers in tests: "is_cpu")


_TRITON_TYPES = {torch.bfloat16: "bf16", torch.float16: "fp16", torch.float32: "fp32", torch.float8_e8m0fnu: "u8"}


def kernel_kind(config: Union[KernelConfig, DecodeConfig]) -> str:
    """Which kernel a config launches: ``"decode"`` (a ``DecodeConfig``), ``"expand"`` (``expand_weight``: the dequant
    kernel, then torch's GEMM), ``"serving"`` (``warp_specialized``: the Gluon kernel of ``fp8_serving.py``) or
    ``"tile"``."""
    if isinstance(config, DecodeConfig):
        return "decode"
    return "expand" if config.expand_weight else "serving" if config.warp_specialized else "tile"


def launch_config(m: int, n: int, k: int, device: Union[str, torch.device] = "cuda", groups: int = 1,
                  block_size: Sequence[int] = (128, 128), x_dtype: torch.dtype = torch.bfloat16,
                  scale_dtype: torch.dtype = torch.float32, dequant: Optional[str] = None,
                  batch_invariant: bool = False) -> Union[KernelConfig, DecodeConfig]:
    """The launch parameters ``fp8_block_matmul`` takes for a contiguous x ``[m, groups * k]``, weight
    ``[groups * n, k]`` and scale of ``scale_dtype`` on ``device`` (config table and environment as they are) — the
    rule's choice after every check of the launch plan (TMA, split x, the fallbacks), without tensors or a launch.
    ``device`` "cuda" means the current CUDA device. Raises ``ValueError`` where ``fp8_block_matmul`` would."""
    device = torch.device(device)
    if device.type == "cuda" and device.index is None:
        device = torch.device("cuda", torch.cuda.current_device())
    block_n, block_k = (int(b) for b in block_size)
    scale_shape = (triton.cdiv(groups * n, block_n), triton.cdiv(k, block_k))
    return _launch_plan((m, groups * k), (groups * k, 1), x_dtype, (groups * n, k), (k, 1), torch.float8_e4m3fn,
                        scale_shape, (scale_shape[1], 1), scale_dtype, None, None, None, None, (block_n, block_k),
                        groups, device, dequant or _DEQUANT_DEFAULT, batch_invariant, None, _INTERPRETING).config


def aot_compile(capability: int, config: Union[KernelConfig, DecodeConfig], x_dtype: torch.dtype = torch.bfloat16,
                scale_dtype: torch.dtype = torch.float32, has_bias: bool = False, integer_dequant: bool = False,
                scale_block_k: int = 128, aligned: bool = True, x_row_groups: bool = False, persistent: bool = False,
                stream: bool = False, even_tiles: bool = False):
    """Compiles one kernel variant ahead of time for ``sm_<capability>`` (no GPU needed).

    A ``DecodeConfig`` builds the decode kernel; ``config.expand_weight`` the dequant kernel of the large-M
    path; ``config.warp_specialized`` the serving kernel (Gluon, sm_90 only; bf16 x, split x); any other
    ``KernelConfig`` the tile kernel. ``config.tma`` (sm_90+ only) builds the TMA variant: the weight
    (and for the tile kernel x) as tensor descriptors.
    ``x_row_groups`` builds the decode kernel reading x in overlapping 16-row groups (as its launches at M = 17-31
    do: ``fp8_decode.reads_x_in_row_groups``); ``even_tiles`` its CUDA-core path without masks (as launches that
    drop them: ``fp8_decode.drops_masks``). ``persistent`` builds the serving kernel's persistent form (whole
    tiles in rounds), ``stream`` with the stream of the other tiles' K-tiles after them
    (``fp8_serving.serving_schedule``).
    ``aligned`` specializes the build as Triton's JIT does for a typical call: contiguous inner dims
    (unit strides become constants), 16-byte-aligned pointers, N, K and row strides divisible by 16
    (M is left general); without it every integer and pointer is general.
    Returns Triton's ``CompiledKernel``; ``.asm["ptx"]`` and ``.asm["cubin"]`` hold the build.
    """
    act, scale_type = _TRITON_TYPES[x_dtype], _TRITON_TYPES[scale_dtype]
    e8m0 = scale_dtype == torch.float8_e8m0fnu
    kind = kernel_kind(config)
    if kind == "serving":
        return _aot_serving(capability, config, scale_type, has_bias, scale_block_k, aligned, persistent, stream)
    kernel = {"decode": _fp8_decode_kernel, "tile": _fp8_block_matmul_kernel, "expand": _fp8_block_dequant_kernel}[kind]
    if kind == "expand":
        signature = {"w_ptr": "*u8", "scale_ptr": f"*{scale_type}", "out_ptr": f"*{act}"}
        ints = ("N", "K", "stride_wn", "stride_wk", "stride_sn", "stride_sk", "stride_on", "stride_ok", "scale_block_n")
        unit_strides = ("stride_wk", "stride_sk", "stride_ok")
    else:  # the decode and tile kernels share their argument list (the tile kernel's adds x's row scales)
        signature = {"x_ptr": f"*{act}", "w_ptr": "*u8", "scale_ptr": f"*{scale_type}",
                     "bias_ptr": f"*{act}", "y_ptr": f"*{act}", "partial_ptr": "*fp32", "counter_ptr": "*i32"}
        if kind == "tile":
            signature.update(x_scale_ptr="*fp32", **({"x_ptr": "*u8"} if config.split_x else {}))
        ints = ("M", "N", "K", "stride_xm", "stride_xk", "stride_wn", "stride_wk", "stride_sn", "stride_sk",
                "stride_ym", "stride_yn", "scale_block_n")
        unit_strides = ("stride_xk", "stride_wk", "stride_sk", "stride_yn")
        if config.tma:
            if not _tma_supported(divmod(capability, 10)):
                raise ValueError(f"TMA configs need sm_90+ (and FP8BLK_TMA not 0), asked for sm_{capability}")
            for name, (rows, cols) in _tma_boxes(kind, config).items():
                element = "fp8e4nv" if getattr(config, "split_x", False) else "u8" if name == "w_ptr" else act
                signature[name] = f"tensordesc<{element}[{rows}, {cols}]>"
    pdl = kind != "expand" and _pdl_supported(divmod(capability, 10))  # as a launch on that GPU would be built
    constexprs = _constexprs(kind, config, scale_block_k, has_bias, integer_dequant, e8m0, x_dtype, False, pdl,
                             x_row_groups, even_tiles)
    signature.update({name: "i32" for name in ints})
    attrs = {}
    if aligned:
        constexprs.update({name: 1 for name in unit_strides})
        divisible = [name for name in signature if name not in constexprs and name != "M"
                     and not signature[name].startswith("tensordesc")]
        attrs = {(kernel.arg_names.index(name),): [["tt.divisibility", 16]] for name in divisible}
    signature.update({name: "constexpr" for name in constexprs})
    return _build_for(capability, kernel, signature, constexprs, dict(_compile_options(config, pdl)), attrs)


def _aot_serving(capability: int, config: KernelConfig, scale_type: str, has_bias: bool, scale_block_k: int,
                 aligned: bool, persistent: bool, stream: bool):
    """``aot_compile`` of the serving kernel (Gluon): the launch plan's signature, descriptors with their layouts."""
    from triton.experimental.gluon._runtime import GluonASTSource

    if capability != 90:
        raise ValueError(f"the serving kernel (Hopper wgmma) builds for sm_90 only, asked for sm_{capability}")
    x_layout, w_layout = shared_layouts(config.block_m)
    tile = serving_tile(config.block_m)
    signature = {"x_desc": f"tensordesc<fp8e4nv[{config.block_m}, {config.block_k}],{x_layout!r}>",
                 "w_desc": f"tensordesc<fp8e4nv[{config.block_n // 2}, {config.block_k}],{w_layout!r}>",
                 "scale_ptr": f"*{scale_type}", "bias_ptr": "*bf16", "y_ptr": "*bf16", "partial_ptr": "*fp32",
                 "counter_ptr": "*i32", "x_scale_ptr": "*fp32",
                 **{name: "i32" for name in ("M", "N", "K", "low_row", "stride_sn", "stride_sk", "stride_ym",
                                             "scale_block_n", "whole_tiles", "stream_programs", "stream_parts")}}
    constexprs = {"SCALE_BLOCK_K": scale_block_k, "HAS_BIAS": has_bias, "SCALE_E8M0": scale_type == "u8",
                  "STAGES": config.num_stages, "MATH_REGISTERS": tile.math_registers, "SPLIT_K": config.split_k,
                  "PERSISTENT": persistent, "STREAM": stream}
    attrs = {}
    if aligned:  # as the JIT specializes a typical call: unit scale stride, the other integers divisible by 16
        constexprs["stride_sk"] = 1
        names = list(signature)
        general = ("M", "low_row", "whole_tiles", "stream_programs", "stream_parts")  # any value
        attrs = {(names.index(name),): [["tt.divisibility", 16]] for name in names
                 if name not in constexprs and name not in general and not name.endswith("desc")}
    signature.update({name: "constexpr" for name in constexprs})
    options = {"num_warps": 4, **({"maxnreg": tile.max_registers} if tile.max_registers else {})}
    return _build_for(capability, _fp8_serving_kernel, signature, constexprs, options, attrs, GluonASTSource)


def aot_compile_split_x(capability: int, k: int = 4096):
    """Compiles ``_split_x_kernel`` (the prologue of split_x launches; bf16 x rows of ``k`` elements, contiguous) ahead
    of time for ``sm_<capability>`` (sm_89+: it converts to e4m3), as a launch would build it. Returns Triton's
    ``CompiledKernel``."""
    plan = _split_x_plan(1, k, (k, 1), False, 64, _pdl_supported(divmod(capability, 10)))
    constexprs = dict(plan.constexprs, stride_xk=1)
    signature = {"x_ptr": "*bf16", "terms_ptr": "*u8", "x_scale_ptr": "*fp32", "low_row": "i32", "K": "i32",
                 "stride_xm": "i32", **{name: "constexpr" for name in constexprs}}
    return _build_for(capability, _split_x_kernel, signature, constexprs, dict(plan.options))


def _build_for(capability: int, kernel, signature: dict, constexprs: dict, options: dict, attrs: Optional[dict] = None,
               source=None):
    """Triton's compiler on ``kernel`` for ``sm_<capability>``: the JIT function even where the kernels were
    decorated under ``TRITON_INTERPRET=1``, which the compiler must not see while it runs. ``source``: the AST
    source class (Triton's ``ASTSource``; Gluon's for a Gluon kernel)."""
    from triton.backends.compiler import GPUTarget
    from triton.compiler import ASTSource

    if not isinstance(kernel, triton.runtime.jit.JITFunction):  # decorated under TRITON_INTERPRET=1
        kernel = triton.runtime.jit.JITFunction(kernel.fn)
    interpret = os.environ.pop("TRITON_INTERPRET", None)
    try:
        return triton.compile((source or ASTSource)(fn=kernel, signature=signature, constexprs=constexprs, attrs=attrs),
                              target=GPUTarget("cuda", capability, 32), options=options)
    finally:
        if interpret is not None:
            os.environ["TRITON_INTERPRET"] = interpret


def candidate_configs(m: int, n: int, k: int, groups: int = 1) -> list:
    """The configs ``tune`` tries for one (N, K, M-bucket)."""
    bm = m_bucket(m)
    k_tiles = triton.cdiv(k, 128)
    found = []
    if bm <= 64:
        for block_m in sorted({16 if bm <= 16 else min(bm, 64), min(max(bm, 16), 64)}):
            for block_n in (64, 128):
                tiles = triton.cdiv(n, block_n) * triton.cdiv(m, block_m) * groups
                for split_k in (1, 2, 4, 8, 16):
                    if split_k > 1 and (k_tiles < 2 * split_k or tiles * split_k > 8 * 132):
                        continue
                    for stages in (3, 5):
                        found.append(KernelConfig(block_n, block_m, 128, split_k, 4, stages))
    elif bm <= 512:
        for block_n, block_m in ((128, 64), (128, 128), (64, 128)):
            for split_k in (1, 2, 4):
                if split_k > 1 and k_tiles < 2 * split_k:
                    continue
                for warps, stages in ((4, 4), (8, 3)):
                    found.append(KernelConfig(block_n, block_m, 128, split_k, warps, stages))
    else:
        for block_n, block_m in ((128, 128), (128, 256), (256, 128), (64, 128)):
            for block_k, warps, stages in ((128, 8, 3), (64, 8, 4), (64, 4, 4)):
                for scale_in_weight in (False, True):
                    found.append(KernelConfig(block_n, block_m, block_k, 1, warps, stages, scale_in_weight))
        for split_k in (2, 4):
            if k_tiles >= 2 * split_k:
                found.append(KernelConfig(128, 128, 128, split_k, 8, 3))
                found.append(KernelConfig(64, 128, 128, split_k, 4, 4))
    if bm >= 256:  # expand the weight, then cuBLAS; the config's tile is the dequant kernel's
        found += [KernelConfig(block_n, 1, 128, 1, warps, 1, expand_weight=True)
                  for block_n, warps in ((32, 4), (64, 4), (128, 8))]
    return found


def time_configs(n: int, k: int, m: int, configs: Sequence[KernelConfig], l2_bytes: int, device: str = "cuda",
                 log=print) -> list:
    """``[(µs per call, config)]`` for each config that runs on this GPU, on random bf16 x and fp8 weights.

    Inputs are rotated over enough copies to exceed 2x the L2 cache (``l2_bytes``), so small layers are
    timed from HBM as in a real model; one CUDA graph replays every copy once (no launch overhead).
    Configs that do not fit the GPU (shared memory, registers) are skipped and logged.
    """
    from triton.testing import do_bench_cudagraph

    copies = max(2, min(64, triton.cdiv(2 * l2_bytes, n * k + m * k * 2)))
    weights = [torch.randn(n, k, device=device).to(torch.float8_e4m3fn) for _ in range(copies)]
    scale = torch.rand(triton.cdiv(n, 128), triton.cdiv(k, 128), device=device) * 0.01 + 0.001
    xs = [torch.randn(m, k, device=device, dtype=torch.bfloat16) for _ in range(copies)]
    out = torch.empty(m, n, device=device, dtype=torch.bfloat16)
    timed = []
    for cfg in configs:
        def call(cfg=cfg):
            for i in range(copies):
                fp8_block_matmul(xs[i], weights[i], scale, out=out, config=cfg)
        try:
            call()
            us = do_bench_cudagraph(call, rep=20, return_mode="median") * 1e3 / copies
        except Exception as exc:  # a config that does not fit this GPU (shared memory, registers)
            log(f"  skip {cfg}: {type(exc).__name__}")
            continue
        timed.append((us, cfg))
    return timed


def tune(shapes: Sequence[Tuple[int, int]], ms: Sequence[int], path: Optional[Path] = None,
         device: str = "cuda", log=print, candidates=candidate_configs) -> Dict[str, Dict[str, list]]:
    """Opt-in autotuning: times ``candidates(m, n, k)`` for each (N, K) x M-bucket (``time_configs``) and
    merges the winners into ``path`` (default: the checked-in table) under this GPU's name; returns
    this GPU's entries.
    """
    name = torch.cuda.get_device_name(device)
    l2 = torch.cuda.get_device_properties(device).L2_cache_size
    path = Path(path or CONFIG_FILE)
    table = json.loads(path.read_text()) if path.is_file() else {}
    entries = table.setdefault(name, {})
    for n, k in shapes:
        for m in sorted({m_bucket(m) for m in ms}):
            best_us, best = min(time_configs(n, k, m, candidates(m, n, k), l2, device, log), key=lambda t: t[0])
            entries.setdefault(f"{n},{k}", {})[str(m)] = list(best)
            log(f"tuned N={n} K={k} M={m}: {best} {best_us:.1f} us")
        path.write_text(json.dumps(table, indent=1, sort_keys=True))  # after each shape: a cut run keeps its work
    global _TABLE
    _TABLE = None
    choose_config.cache_clear()
    _launch_plan.cache_clear()
    return entries
