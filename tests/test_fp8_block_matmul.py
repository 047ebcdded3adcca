"""The Triton kernel: numerics against float64 (interpreter on CPU, real GPU where there is one), and
ahead-of-time builds for Ampere (sm_80) and Hopper (sm_90)."""
import itertools
import json
import sys

import pytest
import torch

from aot_helpers import config_key, run_aot_jobs
from kernel_cases import DEVICE, H100_SHARED, TOL, launch_plan, make, reference, rel_err
from fp8blk.kernels import DecodeConfig, KernelConfig, fp8_block_matmul
from fp8blk.kernels import bind_call as kernels_bind_call
from fp8blk.kernels.fp8_block_matmul import CONFIG_FILE, choose_config, default_config, m_bucket
from fp8blk.kernels.fp8_tile import SPLIT_X_WIDE_SHARED_MEMORY, WIDE_TILE_SHARED_MEMORY, low_terms_row, with_tma

DEQUANTS = ["native", "integer"]


@pytest.fixture(autouse=True)
def tile_kernel_from_m_33(monkeypatch):
    """This file tests the tile kernel on layers small enough for the interpreter. At M = 33-64 the rules give such
    small layers the decode kernel (``takes_decode``, tested in test_fp8_decode.py) and larger ones the tile
    kernel: here the tile kernel keeps M = 33-64 on every layer, as it has on layers above the small-layer bound."""
    import importlib
    decode_module = importlib.import_module("fp8blk.kernels.fp8_decode")
    kernel_module = importlib.import_module("fp8blk.kernels.fp8_block_matmul")
    monkeypatch.setattr(decode_module, "SMALL_LAYER_MAX_M", decode_module.DECODE_MAX_M)
    kernel_module._launch_plan.cache_clear()
    yield
    kernel_module._launch_plan.cache_clear()


def python_calls(call):
    """The names of the Python functions ``call()`` enters below itself (lambdas included; comprehensions, which
    Python 3.12+ inlines, left out)."""
    calls = []

    def profile(frame, event, arg):
        if event == "call":
            calls.append(frame.f_code.co_name)
    sys.setprofile(profile)
    try:
        call()
    finally:
        sys.setprofile(None)
    return [c for c in calls[1:] if not c.startswith("<") or c == "<lambda>"]


def run(x, wq, scale, b, block=(128, 128), **kwargs):
    to = lambda t: None if t is None else t.to(DEVICE)  # noqa: E731
    return fp8_block_matmul(to(x), to(wq), to(scale), to(b), block, **kwargs)


@pytest.mark.parametrize("m", [0, 1, 3, 17, 130])
@pytest.mark.parametrize("n,k", [(200, 300), (576, 1000), (128, 256), (33, 17 * 16)])
@pytest.mark.parametrize("dequant", DEQUANTS)
def test_ragged_shapes_every_m(m, n, k, dequant):
    x, wq, scale, b = make(m, n, k, bias=True)
    y = run(x, wq, scale, b, dequant=dequant)
    assert y.shape == (m, n) and y.dtype == torch.bfloat16
    if m:
        assert rel_err(y, reference(x, wq, scale, b, (128, 128))) < TOL[torch.bfloat16]


@pytest.mark.parametrize("x_dtype,scale_dtype,bias,dequant", list(itertools.product(
    [torch.bfloat16, torch.float16], [torch.float32, torch.bfloat16, torch.float16, torch.float8_e8m0fnu],
    [False, True], DEQUANTS)))
def test_every_dtype_combination(x_dtype, scale_dtype, bias, dequant):
    x, wq, scale, b = make(33, 300, 520, x_dtype, scale_dtype, bias)  # the tile kernel (M > DECODE_MAX_M)
    y = run(x, wq, scale, b, dequant=dequant)
    assert y.dtype == x_dtype
    assert rel_err(y, reference(x, wq, scale, b, (128, 128))) < TOL[x_dtype]


@pytest.mark.parametrize("config", [KernelConfig(64, 16, 128, 4, 4, 3), KernelConfig(64, 16, 64, 3, 4, 3),
                                    KernelConfig(32, 32, 32, 16, 4, 2), KernelConfig(128, 64, 128, 2, 4, 3),
                                    KernelConfig(128, 64, 64, 1, 8, 3, True), KernelConfig(64, 32, 128, 2, 4, 3, True)])
@pytest.mark.parametrize("dequant", DEQUANTS)
def test_split_k_configs(config, dequant):
    x, wq, scale, b = make(5, 256, 1000, bias=True)
    y = run(x, wq, scale, b, config=config, dequant=dequant)
    assert rel_err(y, reference(x, wq, scale, b, (128, 128))) < TOL[torch.bfloat16]
    assert torch.equal(y, run(x, wq, scale, b, config=config, dequant=dequant))  # deterministic, bitwise


def test_split_k_workspace_grows_and_its_counters_return_to_zero():
    """Split launches share one workspace per device: partial sums and per-tile counters, grown (zero-filled) when a
    launch needs more; each launch leaves its counters at zero, so the next launch (or a graph replay) starts clean."""
    import importlib
    kernel_module = importlib.import_module("fp8blk.kernels.fp8_block_matmul")
    kernel_module._SPLIT_K.clear()
    small = (make(5, 256, 1000, bias=True), KernelConfig(64, 16, 128, 4, 4, 3))  # 4 tiles x 4 splits
    large = (make(40, 3300, 1000), KernelConfig(64, 64, 128, 8, 4, 3))  # 8 x 40 x 3300 partial sums: > 2^20
    sizes = []
    for (x, wq, scale, b), config in (small, large, small):
        y = run(x, wq, scale, b, config=config)
        assert rel_err(y, reference(x, wq, scale, b, (128, 128))) < TOL[torch.bfloat16]
        (partials, counters, partial_len, counter_len), = kernel_module._SPLIT_K.values()
        assert partial_len == partials.numel() and counter_len == counters.numel()
        assert not counters.any()  # every tile's counter back at zero
        sizes.append((partial_len, counter_len))
    assert sizes == [(1 << 20, 4096), (8 * 40 * 3300, 4096), (8 * 40 * 3300, 4096)]  # minimum, grown, kept


@pytest.mark.parametrize("config", [KernelConfig(64, 64, 128, 3, 4, 3), KernelConfig(64, 32, 128, 5, 4, 3),
                                    DecodeConfig(64, 32, 128, 1, 6, True, 4, 3), KernelConfig(32, 32, 32, 16, 4, 2),
                                    KernelConfig(64, 16, 128, 4, 4, 3), DecodeConfig(64, 16, 128, 1, 7, True, 4, 3),
                                    DecodeConfig(8, 1, 128, 1, 5, False, 4, 2)], ids=str)
def test_split_k_output_is_the_partials_added_in_split_order(config):
    """The last program of a tile loads the partials several at a time (``_write_output``: all of them, or passes of
    at most 8192 values, the last pass masked past SPLIT_K) but adds them in split order from +0.0: the output is
    bitwise the fp32 partials left in the workspace, added one after another, plus the bias, rounded once. Passes
    with a masked remainder (3 partials in passes of 2, 5 and 6 in passes of 4), whole passes (16 in passes of 8), all
    at once (4, 7, 5). fp16 x and output: the CPU interpreter rounds fp32 to fp16 as the GPU does (its bf16 cast
    truncates)."""
    import importlib
    kernel_module = importlib.import_module("fp8blk.kernels.fp8_block_matmul")
    m = config.block_m - 3 if config.block_m > 3 else 1
    x, wq, scale, b = make(m, 200, 2100, torch.float16, bias=True)
    y = run(x, wq, scale, b, config=config)
    assert rel_err(y, reference(x, wq, scale, b, (128, 128))) < TOL[torch.float16]
    partials, counters, _, _ = kernel_module._SPLIT_K[y.device]
    parts = partials[:config.split_k * m * 200].view(config.split_k, m, 200).cpu()
    total = torch.zeros(m, 200)
    for part in parts:
        total = total + part
    assert torch.equal(y.cpu(), (total + b.float()).to(torch.float16))
    assert not counters.any()


SPLIT_BUILDS = [DecodeConfig(1, 1, 128, 4, 16, False, 4, 2), DecodeConfig(4, 2, 128, 4, 14, False, 4, 2),
                DecodeConfig(64, 16, 128, 1, 16, True, 4, 3), DecodeConfig(32, 64, 128, 1, 16, True, 4, 3),
                KernelConfig(64, 64, 128, 3, 4, 3), KernelConfig(64, 64, 128, 4, 4, 4, True, tma=True),
                KernelConfig(128, 128, 128, 2, 8, 3, True)]


def test_aot_split_k_sum_loads_at_most_8192_values_at_once_and_resets_relaxed():
    """sm_90 builds: the last program loads the partials a pass of its loop at a time, all of them where they hold at
    most 8192 values, else as many as hold 8192 (one where a single partial holds more): a thread's loads in one
    pass are that many partials' share of it. Two earlier forms fail this: every partial at once (all four 64 x 64
    ones: 96 -> 130 registers, slower) and 8192 values' worth not bounded by SPLIT_K (8192 masked loads on the
    1 x 1 CUDA-core tiles: minutes of compile)."""
    jobs = [(90, {"decode": list(c)} if isinstance(c, DecodeConfig) else list(c), "bfloat16", "float32", False, False)
            for c in SPLIT_BUILDS]
    builds = run_aot_jobs(jobs)
    for config, job in zip(SPLIT_BUILDS, jobs):
        elements = config.block_n * config.block_m
        share = max(1, elements // (32 * config.num_warps))  # a thread's values of one partial
        parts = config.split_k if config.split_k * elements <= 8192 else -(-8192 // elements)
        build = builds[(90, config_key(job[1]), *job[2:])]
        assert build["partial_values"] == parts * share, config
        # v73: each program arrives acq_rel, the last resets the counter relaxed (both kernels gdc_wait for the
        # previous grid before their first access to a counter)
        assert build["counter_atomics"] == ["acq_rel add", "relaxed exch"], config


@pytest.mark.parametrize("x_dtype", [torch.bfloat16, torch.float16])
def test_scale_in_weight_is_bf16_only_and_accurate(x_dtype):
    x, wq, scale, b = make(130, 300, 520, x_dtype, torch.float32, bias=True)  # (UE8M0 scales fold exactly)
    folded = run(x, wq, scale, b, config=KernelConfig(64, 32, 64, 1, 4, 3, True))
    exact = run(x, wq, scale, b, config=KernelConfig(64, 32, 64, 1, 4, 3, False))
    assert rel_err(folded, reference(x, wq, scale, b, (128, 128))) < TOL[x_dtype]
    # fp16 ignores the option (a folded fp16 weight could underflow); bf16 rounds each weight once more.
    assert torch.equal(folded, exact) == (x_dtype == torch.float16)


def test_integer_and_native_dequant_agree_bitwise():
    # Both paths produce the same bf16/fp16 weight values and the same fp32 scale products.
    for x_dtype in (torch.bfloat16, torch.float16):
        x, wq, scale, b = make(3, 256, 384, x_dtype, bias=True)
        bits = torch.randint(0, 256, wq.shape, dtype=torch.uint8)  # every encoding, subnormals included
        bits[bits & 0x7F == 0x7F] = 0  # but the NaNs
        wq = bits.view(torch.float8_e4m3fn)
        assert torch.equal(run(x, wq, scale, b, dequant="integer"), run(x, wq, scale, b, dequant="native"))


def test_e4m3_subnormals_exact_on_the_integer_path():
    wq = torch.arange(0, 8, dtype=torch.uint8).repeat(16, 16).view(torch.float8_e4m3fn)  # 0 and 7 subnormals
    scale = torch.ones(1, 1)
    x = torch.eye(128, dtype=torch.float16)[:16]
    y = run(x, wq[:, :128].contiguous(), scale, None, dequant="integer")
    assert torch.equal(y.float().cpu(), wq[:, :16].float().T.contiguous())


@pytest.mark.parametrize("block", [(1, 128), (64, 64), (32, 48), (128, 256), (256, 128)])
def test_other_block_sizes(block):
    x, wq, scale, b = make(4, 300, 520, block=block, bias=True)
    assert rel_err(run(x, wq, scale, b, block), reference(x, wq, scale, b, block)) < TOL[torch.bfloat16]


def test_unsupported_block_size_is_a_clear_error():
    x, wq, scale, _ = make(2, 64, 64, block=(64, 8))
    with pytest.raises(ValueError, match="block_k a multiple of 16"):
        run(x, wq, scale, None, (64, 8))


@pytest.mark.parametrize("groups", [2, 3])
def test_groups_in_one_launch(groups):
    x, wq, scale, b = make(3, 256, 384, groups=groups, bias=True)
    y = run(x, wq, scale, b, groups=groups, config=KernelConfig(64, 16, 128, 2, 4, 3))
    assert rel_err(y, reference(x, wq, scale, b, (128, 128), groups)) < TOL[torch.bfloat16]


def test_row_strided_x_and_out():
    x, wq, scale, b = make(6, 200, 300, bias=True)
    wide = torch.randn(6, 512).to(torch.bfloat16)
    wide[:, 100:400] = x
    strided = wide.to(DEVICE)[:, 100:400]
    out = torch.full((6, 200), float("nan"), dtype=torch.bfloat16, device=DEVICE)
    y = fp8_block_matmul(strided, wq.to(DEVICE), scale.to(DEVICE), b.to(DEVICE), out=out)
    assert y is out and not torch.isnan(out).any()
    assert rel_err(out, reference(x, wq, scale, b, (128, 128))) < TOL[torch.bfloat16]


EXPAND = KernelConfig(64, 1, 128, 1, 4, 1, expand_weight=True)


@pytest.mark.parametrize("scale_dtype,bias_dtype", [
    (torch.float32, None), (torch.bfloat16, torch.bfloat16), (torch.float8_e8m0fnu, torch.float32), (torch.float16, None)])
@pytest.mark.parametrize("dequant", DEQUANTS)
@pytest.mark.parametrize("block", [(128, 128), (1, 128), (64, 32)])
def test_expand_weight_path(scale_dtype, bias_dtype, dequant, block):
    """Large-M path: the dequant kernel writes exactly dequantize_fp8_block's bf16 weight, then torch.mm."""
    import importlib
    from fp8blk import dequantize_fp8_block
    kernel_module = importlib.import_module("fp8blk.kernels.fp8_block_matmul")
    x, wq, scale, _ = make(37, 200, 300, torch.bfloat16, scale_dtype, block=block)
    b = None if bias_dtype is None else torch.randn(200).to(bias_dtype)
    kernel_module._BUFFERS.clear()
    y = run(x, wq, scale, b, block, dequant=dequant, config=EXPAND)
    assert y.dtype == torch.bfloat16 and y.shape == (37, 200)
    assert rel_err(y, reference(x, wq, scale, b, block)) < TOL[torch.bfloat16]
    expanded = kernel_module._BUFFERS[("expanded_weight", torch.empty(0, device=DEVICE).device)]
    expanded = expanded.view(torch.bfloat16)[:200 * 300].view(200, 300)
    expected = dequantize_fp8_block(wq, scale, block, torch.float32)
    if DEVICE == "cpu":  # Triton's interpreter truncates fp32 -> bf16 (GPUs round to nearest even)
        expected = (expected.view(torch.int32) & -65536).view(torch.float32)
    assert torch.equal(expanded.cpu(), expected.to(torch.bfloat16))


@pytest.mark.parametrize("forced", [True, False])
def test_fp16_never_expands_the_weight(forced):
    """fp16 x with an expand config (forced, or the default one at M >= 512) runs the tile kernel:
    tiny scale * weight products stay exact."""
    import importlib
    kernel_module = importlib.import_module("fp8blk.kernels.fp8_block_matmul")
    x, wq, scale, _ = make(520 if not forced else 37, 200, 300, torch.float16, torch.float32)
    scale = scale * 1e-5  # scales ~1e-7: an fp16 expanded weight would be mostly subnormal (rel err ~3e-3)
    kernel_module._BUFFERS.clear()
    y = run(x, wq, scale, None, dequant="native", config=EXPAND if forced else None)
    assert not any(purpose == "expanded_weight" for purpose, *_ in kernel_module._BUFFERS)
    ref = reference(x, wq, scale, None, (128, 128))
    assert rel_err(y, ref) < TOL[torch.float16]


def test_fp16_passes_over_a_tables_expand_entry(monkeypatch):
    """The table's expand-weight entries are bf16-only: for fp16 x ``choose_config`` takes the rule's tile launch."""
    import importlib
    kernel_module = importlib.import_module("fp8blk.kernels.fp8_block_matmul")
    monkeypatch.setattr(kernel_module, "_device_facts", lambda device: ("NVIDIA H100 80GB HBM3", 132, (9, 0), H100_SHARED))
    kernel_module.choose_config.cache_clear()
    cuda = torch.device("cuda", 0)
    tuned = choose_config(1024, 1024, 4096, 1, 128, cuda)  # the table's entry (32-row dequant programs; the rule: 64)
    assert tuned.expand_weight and tuned != default_config(1024, 1024, 4096, 1, 128, 132)
    fp16 = choose_config(1024, 1024, 4096, 1, 128, cuda, x_bf16=False)
    assert fp16 == default_config(1024, 1024, 4096, 1, 128, 132, x_bf16=False) and not fp16.expand_weight
    kernel_module.choose_config.cache_clear()


def test_untuned_shape_at_large_m_takes_the_expand_path():
    import importlib
    kernel_module = importlib.import_module("fp8blk.kernels.fp8_block_matmul")
    x, wq, scale, b = make(520, 200, 300, torch.bfloat16, torch.float32, bias=True)
    kernel_module._BUFFERS.clear()
    y = run(x, wq, scale, b)
    assert any(purpose == "expanded_weight" for purpose, *_ in kernel_module._BUFFERS)  # went through the scratch
    assert rel_err(y, reference(x, wq, scale, b, (128, 128))) < TOL[torch.bfloat16]


def test_expand_weight_with_strided_x_and_out():
    x, wq, scale, b = make(40, 200, 300, bias=True)
    wide_x = torch.zeros(40, 512, dtype=torch.bfloat16)
    wide_x[:, 100:400] = x
    wide_out = torch.full((40, 256), float("nan"), dtype=torch.bfloat16, device=DEVICE)
    y = fp8_block_matmul(wide_x.to(DEVICE)[:, 100:400], wq.to(DEVICE), scale.to(DEVICE), b.to(DEVICE),
                         out=wide_out[:, :200], config=EXPAND)
    assert y.data_ptr() == wide_out.data_ptr() and not torch.isnan(wide_out[:, :200]).any()
    assert torch.isnan(wide_out[:, 200:]).all()  # nothing written past the view
    assert rel_err(wide_out[:, :200], reference(x, wq, scale, b, (128, 128))) < TOL[torch.bfloat16]


def test_expand_weight_views_follow_the_growing_scratch_buffer():
    """The dense weight's views are kept per shape; when a larger layer grows the scratch buffer, a smaller layer's
    next call writes and reads the new buffer (not a stale view), and views of the old buffer are let go."""
    import importlib
    kernel_module = importlib.import_module("fp8blk.kernels.fp8_block_matmul")
    kernel_module._BUFFERS.clear()
    small, large = make(37, 128, 256, bias=True), make(37, 256, 384)
    for step, case in enumerate((small, large, small)):
        y = run(*case, config=EXPAND)
        assert rel_err(y, reference(*case, (128, 128))) < TOL[torch.bfloat16]
        current = kernel_module._BUFFERS[("expanded_weight", torch.empty(0, device=DEVICE).device)]
        views = [v for key, v in kernel_module._SCRATCH_VIEWS.items() if key[0] == "expanded_weight"]
        assert len(views) == (1, 1, 2)[step]  # the growth let the small layer's view of the old buffer go
        assert all(buffer is current and view.data_ptr() == transposed.data_ptr() == current.data_ptr()
                   and transposed.shape == view.shape[::-1] for buffer, view, transposed in views)


def test_expand_weight_needs_one_group_and_no_split():
    x, wq, scale, _ = make(4, 128, 256, groups=2)
    with pytest.raises(ValueError, match="expand_weight needs groups == 1"):
        run(x, wq, scale, None, groups=2, config=EXPAND)
    x, wq, scale, _ = make(4, 128, 256)
    with pytest.raises(ValueError, match="split_k == 1"):
        run(x, wq, scale, None, config=EXPAND._replace(split_k=2))


def test_bad_arguments():
    x, wq, scale, _ = make(2, 256, 256)
    with pytest.raises(ValueError, match="float8_e4m3fn"):
        run(x, wq.float(), scale, None)
    with pytest.raises(ValueError, match="bfloat16 or float16"):
        run(x.float(), wq, scale, None)
    with pytest.raises(ValueError, match="scale must be"):
        run(x, wq, scale[:1], None)
    with pytest.raises(ValueError, match="group"):
        run(x[:, :100], wq, scale, None)
    with pytest.raises(ValueError, match="out must be"):
        run(x, wq, scale, None, out=torch.empty(2, 255, dtype=torch.bfloat16, device=DEVICE))
    with pytest.raises(ValueError, match="dequant"):
        run(x, wq, scale, None, dequant="fast")
    with pytest.raises(ValueError, match="bias must be"):
        run(x, wq, scale, torch.zeros(256, dtype=torch.int32))
    with pytest.raises(ValueError, match="bias must be"):
        run(x, wq, scale, torch.zeros(255, dtype=torch.bfloat16))
    for _ in range(2):  # a cached launch plan still checks every call
        with pytest.raises(ValueError, match="out must be"):
            run(x, wq, scale, None, out=torch.empty(2, 256, dtype=torch.float16, device=DEVICE))


@pytest.mark.parametrize("kernel_name,m", [("_fp8_block_matmul_kernel", 40), ("_fp8_decode_kernel", 3)])
def test_direct_launch_passes_what_the_jit_passes(monkeypatch, kernel_name, m):
    """After the first call of a signature, launches skip Triton's binder: same compiled kernel, same arguments
    (the tile kernel at M > 32, the decode kernel at M <= 32)."""
    import importlib
    kernel_module = importlib.import_module("fp8blk.kernels.fp8_block_matmul")
    names = getattr(kernel_module, kernel_name).arg_names
    launches = []

    class Compiled:  # what Triton's JIT returns: a launcher plus its handles
        function, packed_metadata = "function", "metadata"

        def run(self, *args):
            assert len(args) == 9 + len(names)  # grid, stream, handles, two hooks, then every kernel argument
            launches.append(("direct", args[:3], dict(zip(names, args[9:])), args[3:9]))

    class Jit:
        def __getitem__(self, grid):
            def launch(*args, **kwargs):
                bound = dict(zip(names, args))
                bound.update({name: kwargs.pop(name) for name in names[len(args):]})
                launches.append(("jit", grid, bound, kwargs))
                return Compiled()
            return launch

    monkeypatch.setattr(kernel_module, kernel_name, Jit())
    monkeypatch.setattr(kernel_module, "_interpreting", lambda: False)
    monkeypatch.setattr(kernel_module, "_current_stream", lambda device: 7)
    kernel_module._launch_plan.cache_clear()  # fresh plans: no compiled kernel cached in them yet
    x, wq, scale, b = make(m, 256, 512, bias=True)
    buffer = torch.empty(m * 513, dtype=torch.bfloat16)
    misaligned = buffer[1:].as_strided((m, 512), (512, 1))  # data pointer 2 bytes past a 16-byte boundary
    misaligned.copy_(x)
    for operand in (x, x, misaligned, misaligned):
        fp8_block_matmul(operand, wq, scale, b)
    assert [kind for kind, *_ in launches] == ["jit", "direct", "jit", "direct"]
    # Same shapes and strides, other pointer dtypes: Triton compiles another kernel, so must the cache.
    for other_x, other_scale, other_b in ((x.half(), scale, b.half()), (x, scale.bfloat16(), b), (x, scale, b.float())):
        del launches[4:]
        for _ in range(2):
            fp8_block_matmul(other_x, wq, other_scale, other_b)
        assert [kind for kind, *_ in launches[4:]] == ["jit", "direct"]
    del launches[4:]
    for (_, jit_grid, jit_args, options), (_, grid, args, launcher_extras) in (launches[0:2], launches[2:4]):
        assert grid == jit_grid and set(options) == {"num_warps", "num_stages", "launch_pdl"}
        assert launcher_extras == (7, "function", "metadata", None, None, None)
        assert list(args) == list(names)
        pointers = [name for name in names if name.endswith("_ptr")]
        # the direct launch passes addresses (Triton's launcher would call data_ptr() and the driver per tensor)
        assert all(type(args[name]) is int for name in pointers)
        assert all(args[name] == jit_args[name].data_ptr() for name in ("x_ptr", "w_ptr", "scale_ptr", "bias_ptr"))
        assert {k: v for k, v in args.items() if k not in pointers} == \
               {k: v for k, v in jit_args.items() if k in args and k not in pointers}
    assert launches[2][2]["x_ptr"].data_ptr() % 16 and not launches[0][2]["x_ptr"].data_ptr() % 16


def test_batch_invariant_uses_one_config_for_every_m():
    device = torch.device(DEVICE)
    configs = {choose_config(m, 4096, 4096, 1, 128, device, batch_invariant=True) for m in (1, 7, 64, 300, 8192)}
    assert len(configs) == 1
    x, wq, scale, _ = make(130, 256, 512)
    full = run(x, wq, scale, None, batch_invariant=True)
    assert torch.equal(full[:3], run(x[:3], wq, scale, None, batch_invariant=True))


def test_config_table_is_well_formed():
    table = json.loads(CONFIG_FILE.read_text())
    assert table, "the checked-in config table is empty"
    for gpu, shapes in table.items():
        for shape, buckets in shapes.items():
            for bucket, entry in buckets.items():
                cfg = KernelConfig(*entry)
                assert int(bucket) == m_bucket(int(bucket))
                assert cfg.block_k in (16, 32, 64, 128) and cfg.split_k >= 1 and cfg.num_warps in (4, 8)
                assert not cfg.expand_weight or (cfg.split_k == 1 and ",g" not in shape)


# --- ahead-of-time builds: the real compiler, for real targets, on this CPU ---------------------------
# Compiled in one child process: the interpreter (TRITON_INTERPRET=1, used above) patches Triton in-process.

def _variants():
    table = json.loads(CONFIG_FILE.read_text())
    configs = {KernelConfig(*e) for shapes in table.values() for b in shapes.values() for e in b.values()}
    configs |= {default_config(m, n, k, 1, 128, 132) for m in (1, 64, 4096) for n, k in ((512, 4096), (4096, 4096))}
    return sorted(configs)


FEATURES = [("float16", "float8_e8m0fnu", True, True), ("bfloat16", "bfloat16", True, False),
            ("float16", "float16", False, False), ("bfloat16", "float8_e8m0fnu", False, True)]


@pytest.fixture(scope="module")
def aot_builds():
    """{(capability, config, x, scale, bias, integer): what the build holds}, every variant in one child process."""
    jobs = [(90, list(c), "bfloat16", "float32", False, False) for c in _variants()]
    jobs += [(80, list(c), "bfloat16", "float32", False, True) for c in _variants()]
    jobs += [(cc, [64, 16, 128, 2, 4, 3], *f) for cc in (80, 90) for f in FEATURES]
    jobs += [(cc, [128, 128, 64, 1, 8, 3, True], "bfloat16", "float32", True, cc == 80) for cc in (80, 90)]
    jobs += [(cc, list(EXPAND), x, scale, False, cc == 80) for cc in (80, 90)
             for x, scale in (("bfloat16", "float32"), ("float16", "float8_e8m0fnu"))]
    jobs += [(cc, [64, 16, 128, 4, 4, 3], "bfloat16", "float32", True, cc == 80, aligned)
             for cc in (80, 90) for aligned in (True, False)]
    jobs += [(cc, list(tiles), *f) for cc in (80, 90) for f in FEATURES[:2] for tiles in TILE_TMA]
    return run_aot_jobs(jobs)


# TMA tiles: the rule's two 4-warp 128 x 128 programs per SM (32768 x 1024 at M = 256, unsplit), 8-warp ones
# (4096 x 8192 at M = 256, split 2) and 128 x 256 ones (32768 x 1024 at M = 256 where a program may take 227 KB), and
# the 4-warp tiles split (a forced config), 64 x 128 4-warp ones (4096 x 2048 at M = 128, split 2) and 64 x 128
# 8-warp ones (4096 x 2048 at M = 256, unsplit: v38), and 64 x 64 4-warp ones 4 stages deep (4096 x 2048 at M = 48,
# split 4: v39)
TILE_TMA = [default_config(256, n, k, 1, 128, 132, tma=True) for n, k in ((32768, 1024), (4096, 8192))]
TILE_TMA += [KernelConfig(128, 128, 64, 2, 4, 4, True, tma=True),
             default_config(256, 32768, 1024, 1, 128, 132, tma=True, shared_memory=H100_SHARED),
             default_config(128, 4096, 2048, 1, 128, 132, tma=True),
             default_config(256, 4096, 2048, 1, 128, 132, tma=True),
             default_config(48, 4096, 2048, 1, 128, 132, tma=True)]
# the split-x rule's launches (fp8 x fp8 MMAs): on 4096 x 8192 64 x 64 tiles split 2 (M = 128), 64 x 64 tiles 3
# stages deep, three per SM (M = 384), 8-warp 128 x 128 tiles 4 stages deep (M = 512, one per SM); 128 x 64 unsplit
# (4096 x 2048 at M = 512); 64 x 64 tiles unsplit at M = 48 (8192 x 1024)
TILE_TMA += [default_config(m, n, k, 1, 128, 132, tma=True, shared_memory=H100_SHARED, split_x=True)
             for m, n, k in ((128, 4096, 8192), (384, 4096, 8192), (512, 4096, 8192), (512, 4096, 2048),
                             (48, 8192, 1024))]
SM90_SHARED_PER_SM = 228 * 1024  # an sm_90 SM's shared memory; each resident program also reserves 1 KB


@pytest.mark.parametrize("tiles", TILE_TMA,
                         ids=lambda c: f"{c.block_n}x{c.block_m}-{c.num_warps}warps-split{c.split_k}")
@pytest.mark.parametrize("features", FEATURES[:2], ids=str)
def test_aot_tma_tile_builds_for_hopper_only(aot_builds, features, tiles):
    """The TMA variant (both tiles by bulk tensor copies) builds for sm_90 with wgmma and PDL, waiting for each
    K-tile's MMA before the next K-tile's weight is converted (no wgmma group left in flight); sm_80 refuses it."""
    hopper, ampere = (aot_builds[(cc, tuple(tiles), *features)] for cc in (90, 80))
    assert hopper["error"] is None and hopper["tma"] > 0 and hopper["wgmma"] and hopper["pdl"] == [1, 1, True]
    assert hopper["wgmma_pending"] == 0
    if tiles.split_k > 1:  # a K-tile's wgmmas chained, one wait for them all (split-1 builds: NOTES item 53)
        assert hopper["wgmma_serialized"] is False
    assert not hopper["cp_async_16"]  # no per-thread copies left in the K loop
    assert "TMA configs need sm_90+" in ampere["error"]
    if tiles.split_x:  # the weight and x's terms straight from shared memory into fp8 x fp8 MMAs
        assert hopper["wgmma_e4m3"] and hopper["wgmma_serialized"] is False
        # the programs per SM the rule counts on
        per_sm = {(64, 3): 3, (128, 4): 1}.get((tiles.block_n, tiles.num_stages), 2)
        assert per_sm * (hopper["shared"] + 1024) <= SM90_SHARED_PER_SM
        if tiles.block_m == 128:  # the shared memory the rule asks of the GPU before it takes these tiles
            assert hopper["shared"] <= SPLIT_X_WIDE_SHARED_MEMORY and tiles.num_warps == 8
    if tiles.block_m == 256:  # the shared memory the rule asks of the GPU before it takes these tiles (also above)
        assert hopper["shared"] <= WIDE_TILE_SHARED_MEMORY


@pytest.mark.parametrize("capability", [80, 90])
def test_aot_aligned_builds_pipeline_16_byte_copies_and_general_ones_still_build(aot_builds, capability):
    """The default build is specialized like a typical JIT call (aligned, unit strides); the general one
    (any alignment or stride) must build too: Triton compiles it for misaligned or strided inputs."""
    aligned, general = (aot_builds[(capability, (64, 16, 128, 4, 4, 3), "bfloat16", "float32", True, capability == 80,
                                    flag)] for flag in (True, False))
    assert aligned["error"] is None and aligned["cp_async_16"]
    assert general["error"] is None and general["cubin"] > 0 and not general["cp_async_16"]


@pytest.mark.parametrize("x_dtype,scale_dtype", [("bfloat16", "float32"), ("float16", "float8_e8m0fnu")])
def test_aot_expand_weight_kernel_builds_for_both(aot_builds, x_dtype, scale_dtype):
    hopper = aot_builds[(90, tuple(EXPAND), x_dtype, scale_dtype, False, False)]
    ampere = aot_builds[(80, tuple(EXPAND), x_dtype, scale_dtype, False, True)]
    assert hopper["error"] is None and hopper["cubin"] > 0 and hopper["e4m3"]
    assert ampere["error"] is None and ampere["cubin"] > 0 and not ampere["fp8"]
    assert not (hopper["wgmma"] or hopper["mma_sync"] or ampere["mma_sync"])  # an elementwise kernel
    assert hopper["pdl"] == ampere["pdl"] == [0, 0, False]  # it overwrites a shared scratch: launched in order


@pytest.mark.parametrize("config", _variants(), ids=str)
def test_aot_hopper_uses_wgmma_and_native_fp8_conversion(aot_builds, config):
    build = aot_builds[(90, tuple(config), "bfloat16", "float32", False, False)]
    assert build["error"] is None and build["cubin"] > 0
    if config.expand_weight:
        assert build["e4m3"] and not build["wgmma"]
        return
    # wgmma needs a warpgroup (4 warps) and a 64-row MMA tile (BLOCK_N >= 64); smaller tiles use mma.sync.
    if config.block_n >= 64 and config.num_warps % 4 == 0:
        # every wgmma group finished before the next K-tile's converted weight lands in the registers it reads
        # (split-K builds kept 3-7 in flight before v30: run-dependent sums on H100)
        assert build["wgmma"] and build["wgmma_pending"] == 0
    else:
        assert build["mma_sync"]
    assert build["e4m3"]  # the hardware fp8 -> f16x2 conversion
    assert build["pdl"] == [1, 1, True]  # programmatic dependent launch: one wait, one release, launched with it


@pytest.mark.parametrize("config", _variants(), ids=str)
def test_aot_ampere_integer_path_has_no_fp8_instructions(aot_builds, config):
    build = aot_builds[(80, tuple(config), "bfloat16", "float32", False, True)]
    assert build["error"] is None and build["cubin"] > 0
    assert (build["mma_sync"] or config.expand_weight) and not build["wgmma"] and not build["fp8"]
    assert build["pdl"] == [0, 0, False]  # griddepcontrol is sm_90+


@pytest.mark.parametrize("features", FEATURES, ids=str)
@pytest.mark.parametrize("capability", [80, 90])
def test_aot_every_feature_variant_builds(aot_builds, features, capability):
    build = aot_builds[(capability, (64, 16, 128, 2, 4, 3), *features)]
    integer = features[3]
    if features == FEATURES[1]:  # with the scale folded into the weight tile too
        folded = aot_builds[(capability, (128, 128, 64, 1, 8, 3, True), "bfloat16", "float32", True, capability == 80)]
        assert folded["error"] is None and folded["cubin"] > 0
    if capability == 80 and not integer:  # Triton refuses fp8e4nv below sm_89: the reason for the integer path
        assert "fp8e4nv" in build["error"]
    else:
        assert build["error"] is None and build["cubin"] > 0


def test_time_configs_times_what_runs_and_skips_what_does_not(monkeypatch):
    """The tuner's (and the sweep's) timing loop, with the GPU timer replaced: every config is called on
    the rotated inputs, and one that cannot run is logged and left out."""
    import triton.testing
    calls = []
    monkeypatch.setattr(triton.testing, "do_bench_cudagraph", lambda fn, rep, return_mode: (fn(), calls.append(1), 0.5)[-1])
    from fp8blk.kernels.fp8_block_matmul import time_configs
    good, bad = KernelConfig(64, 16, 128, 2, 4, 3), KernelConfig(64, 16, 256, 1, 4, 3)  # 256 does not divide 128
    logged = []
    timed = time_configs(128, 512, 3, [good, bad], l2_bytes=1, device=DEVICE, log=logged.append)
    assert [cfg for _, cfg in timed] == [good] and len(calls) == 1
    assert timed[0][0] == pytest.approx(0.5 * 1e3 / 2)  # 2 rotated copies per graph replay
    assert len(logged) == 1 and "skip" in logged[0] and "ValueError" in logged[0]


def test_a_cached_call_does_a_fixed_small_amount_of_host_work(monkeypatch):
    """After the first call of a signature, a call runs only the wrapper, the launch and the compiled launcher: no
    re-validation, no config choice, no view or key building in Python beyond these (the host time of a decode step
    is this list plus Triton's C launcher)."""
    import importlib
    kernel_module = importlib.import_module("fp8blk.kernels.fp8_block_matmul")

    class Compiled:
        function, packed_metadata = "function", "metadata"

        def run(self, *args):
            pass

    class Jit:
        def __getitem__(self, grid):
            return lambda *args, **kwargs: Compiled()

    for name in ("_fp8_block_matmul_kernel", "_fp8_decode_kernel"):
        monkeypatch.setattr(kernel_module, name, Jit())
    monkeypatch.setattr(kernel_module, "_interpreting", lambda: False)
    monkeypatch.setattr(kernel_module, "_current_stream", lambda device: 7)
    kernel_module._launch_plan.cache_clear()
    for m in (1, 40):  # the decode kernel and the tile kernel
        x, wq, scale, b = make(m, 256, 512, bias=True)
        fp8_block_matmul(x, wq, scale, b)  # first call: plan, JIT
        named = python_calls(lambda: fp8_block_matmul(x, wq, scale, b))
        assert named == ["fp8_block_matmul", "_launch", "<lambda>", "run"], named


def test_programmatic_dependent_launch_only_where_the_gpu_has_it(monkeypatch):
    """PDL (``griddepcontrol``, sm_90+) for compiled decode and tile launches: never on Ampere, on the CPU, under the
    interpreter or with ``FP8BLK_PDL=0``; the plan's compile options and the kernel's ``PDL`` constexpr agree."""
    import importlib
    kernel_module = importlib.import_module("fp8blk.kernels.fp8_block_matmul")
    cuda = torch.device("cuda", 0)
    for capability, expected in (((9, 0), True), ((10, 0), True), ((8, 9), False), ((8, 0), False)):
        monkeypatch.setattr(kernel_module, "_device_facts", lambda device, c=capability: ("gpu", 132, c, H100_SHARED))
        assert kernel_module._pdl(cuda, interpreting=False) is expected
        assert kernel_module._pdl(cuda, interpreting=True) is False
        kernel_module._launch_plan.cache_clear()
        for m in (1, 64):  # decode and tile plans
            plan = launch_plan(m, 256, 512, cuda)
            assert dict(plan.options)["launch_pdl"] is expected and dict(plan.constexprs)["PDL"] is expected
    assert kernel_module._pdl(torch.device("cpu"), interpreting=False) is False
    monkeypatch.setattr(kernel_module, "_device_facts", lambda device: ("gpu", 132, (9, 0), H100_SHARED))
    monkeypatch.setattr(kernel_module, "_PDL_ALLOWED", False)  # FP8BLK_PDL=0
    assert kernel_module._pdl(cuda, interpreting=False) is False
    kernel_module._launch_plan.cache_clear()


def test_launch_config_is_what_the_plan_launches(monkeypatch):
    """``launch_config``: the plan's own choice (TMA, split x, their fallbacks) without tensors — on an sm_90 device
    the rule's TMA and split-x launches, on sm_80 the integer path's, on the CPU the pointer tiles; the plan of a
    real call's tensors holds the same config; bad input raises as the call would."""
    import importlib
    from fp8blk.kernels import launch_config
    from fp8blk.kernels.fp8_decode import decode_config
    kernel_module = importlib.import_module("fp8blk.kernels.fp8_block_matmul")
    cuda = torch.device("cuda", 0)
    monkeypatch.setattr(kernel_module, "_INTERPRETING", False)  # a compiled process (the interpreter takes no TMA)
    try:
        for capability in ((9, 0), (8, 0)):
            monkeypatch.setattr(kernel_module, "_device_facts", lambda device, c=capability: ("gpu", 132, c, H100_SHARED))
            kernel_module._launch_plan.cache_clear()
            kernel_module.choose_config.cache_clear()
            hopper = capability == (9, 0)
            for m, n, k in ((1, 4096, 8192), (128, 4096, 8192), (48, 18432, 7168), (384, 4096, 4096), (4096, 4096, 8192)):
                got = launch_config(m, n, k, cuda)
                assert got == launch_plan(m, n, k, cuda).config, (capability, m, n, k)
                if m == 1:
                    assert got == decode_config(1, n, k, 1, 128, 132, tma=hopper)
                elif m <= 512:
                    rule = default_config(m, n, k, 1, 128, 132, tma=hopper, shared_memory=H100_SHARED, split_x=hopper)
                    assert got == rule and got.split_x is hopper and got.tma is hopper, (capability, m, n, k)
                else:
                    assert got.expand_weight
            # fp16 x never splits x; a config the plan would refuse raises
            assert not launch_config(128, 4096, 8192, cuda, x_dtype=torch.float16).split_x
            with pytest.raises(ValueError):
                launch_config(128, 4096, 8192, cuda, block_size=(128, 8))
    finally:
        kernel_module._launch_plan.cache_clear()
        kernel_module.choose_config.cache_clear()
    assert not launch_config(128, 4096, 8192, "cpu").tma


TMA_TILE = KernelConfig(128, 64, 128, 2, 8, 3, True, tma=True)  # scale folded (bf16), split 2, both tiles by TMA
TMA_TILE_TWO_PER_SM = KernelConfig(128, 128, 64, 2, 4, 4, True, tma=True)  # the TMA rule's 4-warp 128 x 128 tiles
TMA_TILE_WIDE = KernelConfig(128, 256, 64, 1, 8, 4, True, tma=True)  # the TMA rule's 128 x 256 tiles (bf16, M 129-512)
TMA_TILE_NARROW = KernelConfig(64, 128, 64, 2, 4, 4, True, tma=True)  # the TMA rule's 64 x 128 tiles (M 65-128, v37)
TMA_TILE_HALF = KernelConfig(64, 128, 128, 1, 8, 3, True, tma=True)  # the TMA rule's 8-warp 64 x 128 tiles (M 129-256, v38)


@pytest.mark.parametrize("x_dtype,scale_dtype", [(torch.bfloat16, torch.float32), (torch.float16, torch.float8_e8m0fnu)],
                         ids=str)
@pytest.mark.parametrize("groups", [1, 2])
@pytest.mark.parametrize("dequant", DEQUANTS)
@pytest.mark.parametrize("tiles", [TMA_TILE, TMA_TILE_TWO_PER_SM, TMA_TILE_WIDE, TMA_TILE_NARROW, TMA_TILE_HALF],
                         ids=lambda c: f"{c.block_n}x{c.block_m}")
def test_tma_tiles_match_pointer_loads_bitwise(x_dtype, scale_dtype, groups, dequant, tiles):
    """The tile kernel's TMA variant (host descriptors of x and the weight; the interpreter zero-fills boxes past the
    edges as the copy engine does) gives bitwise the pointer-load result on ragged M, N and K."""
    m, n, k = (70, 300, 528) if groups == 1 else (40, 256, 256)  # with groups, K a multiple of the tile
    x, wq, scale, b = make(m, n, k, x_dtype, scale_dtype, bias=True, groups=groups)
    y = run(x, wq, scale, b, groups=groups, config=tiles, dequant=dequant)
    assert rel_err(y, reference(x, wq, scale, b, (128, 128), groups)) < TOL[x_dtype]
    assert torch.equal(y, run(x, wq, scale, b, groups=groups, config=tiles._replace(tma=False), dequant=dequant))


def test_tma_only_where_the_gpu_and_the_layout_allow_it(monkeypatch):
    """The rules' plans use TMA descriptors on sm_90+ only, with FP8BLK_TMA not 0, weight rows (and for the tile kernel
    x rows) 16-byte aligned, and with groups K a multiple of the tile; each such plan carries the pointer-load plan
    as its fallback for unaligned addresses. A TMA config asked for where it cannot run is a clear error."""
    import importlib
    kernel_module = importlib.import_module("fp8blk.kernels.fp8_block_matmul")
    cuda = torch.device("cuda", 0)
    kernel_module._launch_plan.cache_clear()
    monkeypatch.setattr(kernel_module, "_device_facts", lambda device: ("gpu", 132, (9, 0), H100_SHARED))
    decode = launch_plan(4, 256, 16384, cuda)  # 256 x 16384: 4 row tiles, 16-way split, 8 steps each
    assert decode.kind == "decode" and not decode.descriptors  # programs too short for TMA
    large = launch_plan(4, 7168, 16384, cuda)  # 112 row tiles x 4: 32 steps each
    assert [d.index for d in large.descriptors] == [1] and large.descriptors[0].box == (64, 128)  # the weight only
    assert large.fallback is not None and not large.fallback.descriptors
    # v49 re-splits the TMA launch 7 ways (5.9 programs a SM, even rounds); the pointer rule caps programs at 16 steps
    assert large.grid == (112, 7, 1) and large.fallback.grid == (112, 8, 1)
    assert not launch_plan(4, 7168, 16392, cuda).descriptors  # 16392-byte weight rows: not 16-aligned
    tile = launch_plan(64, 256, 4096, cuda)
    assert tile.kind == "tile" and [d.index for d in tile.descriptors] == [0, 1] and dict(tile.constexprs)["TMA"]
    assert tile.descriptors[0].box == (64, 128) and tile.descriptors[1].box == (64, 128)  # M, N < 4096: 64-wide tiles
    assert tile.fallback is not None and not tile.fallback.descriptors and not dict(tile.fallback.constexprs)["TMA"]
    assert tile.fallback.grid == tile.grid  # the same launch, by pointer loads
    wide = launch_plan(64, 256, 8192, cuda)  # N = 256: 64-row tiles keep their 3 stages
    assert dict(wide.options)["num_stages"] == dict(wide.fallback.options)["num_stages"] == 3
    tiles = default_config(64, 4096, 8192, 1, 128, 132)  # 128 x 64 tiles, 8 warps, split 4: 128 programs
    assert (tiles.block_n, tiles.block_m, tiles.num_warps, tiles.split_k, tiles.num_stages) == (128, 64, 8, 4, 3)
    assert with_tma(tiles, 128, 132).tma and with_tma(tiles, 128, 132).num_stages == 4  # one per SM: 4 deep
    assert with_tma(tiles, 256, 132).num_stages == 3  # more programs than SMs: two per SM at 3 stages
    assert with_tma(default_config(256, 4096, 8192, 1, 128, 132), 64, 132).num_stages == 3  # 128 x 128 tiles
    two = launch_plan(256, 32768, 1024, cuda, x_dtype=torch.float16)  # two 4-warp 128 x 128 programs per SM (TMA
    assert [d.box for d in two.descriptors] == [(128, 64), (128, 64)] and two.grid == (256, 2, 1)  # rule); 8 warps
    assert dict(two.options)["num_warps"] == 4 and dict(two.fallback.options)["num_warps"] == 8  # by pointers
    assert not two.fallback.descriptors and dict(two.fallback.constexprs)["BLOCK_K"] == 128
    serving = launch_plan(256, 32768, 1024, cuda)  # bf16 x on sm_90: the serving kernel (its own tests: test_fp8_serving)
    assert serving.kind == "serving" and [d.box for d in serving.descriptors] == [(128, 128), (64, 128)]
    assert serving.fallback.kind == "tile" and not serving.fallback.descriptors
    monkeypatch.setattr(kernel_module, "_SERVING_ALLOWED", False)  # FP8BLK_SERVING=0 below: the tile kernel's tiles
    kernel_module._launch_plan.cache_clear()
    kernel_module.choose_config.cache_clear()
    wide = launch_plan(256, 32768, 1024, cuda)  # bf16 x: 128 x 256 tiles, 8 warps, 4 stages (the GPU holds 157 KB)
    assert [d.box for d in wide.descriptors] == [(256, 64), (128, 64)] and wide.grid == (256, 1, 1)
    assert dict(wide.options)["num_warps"] == 8 and dict(wide.options)["num_stages"] == 4
    assert dict(wide.fallback.options)["num_warps"] == 8 and not wide.fallback.descriptors  # 128 x 128 by pointers
    assert launch_plan(384, 32768, 1024, cuda).grid == (256, 3, 1)  # M = 384: the two-per-SM tiles, not the expand path
    assert launch_plan(384, 32768, 1024, cuda).fallback.kind == "expand"  # (pointer loads: the rule's expand path)
    for facts in (("gpu", 132, (12, 0), 101376), ("gpu", 132, (9, 0), H100_SHARED)):  # 99 KB a program: no 128 x 256
        kernel_module._launch_plan.cache_clear()
        kernel_module.choose_config.cache_clear()
        monkeypatch.setattr(kernel_module, "_device_facts", lambda device, f=facts: f)
        assert launch_plan(256, 32768, 1024, cuda).grid == (256, 2 if facts[3] < 160 << 10 else 1, 1)
    assert not launch_plan(256, 8192, 352, cuda, groups=2).descriptors  # 352 columns per group: no whole tiles
    assert not launch_plan(64, 256, 4104, cuda).descriptors  # weight rows of 4104 bytes: not 16-byte aligned
    assert not launch_plan(64, 256, 4096, cuda, x_stride=(4100, 1)).descriptors  # x rows 8200 bytes
    assert not launch_plan(64, 256, 320, cuda, groups=2).descriptors  # a box would reach into group 2's x
    assert launch_plan(64, 256, 384, cuda, groups=2).descriptors
    with pytest.raises(ValueError, match="TMA needs"):
        launch_plan(64, 256, 4104, cuda, config=TMA_TILE)
    for capability in ((8, 0), (8, 9)):
        monkeypatch.setattr(kernel_module, "_device_facts", lambda device, c=capability: ("gpu", 132, c, H100_SHARED))
        kernel_module._launch_plan.cache_clear()
        assert not launch_plan(64, 256, 4096, cuda).descriptors
        with pytest.raises(ValueError, match="TMA needs sm_90"):
            launch_plan(64, 256, 4096, cuda, config=TMA_TILE)
    monkeypatch.setattr(kernel_module, "_device_facts", lambda device: ("gpu", 132, (9, 0), H100_SHARED))
    monkeypatch.setattr(kernel_module, "_TMA_ALLOWED", False)  # FP8BLK_TMA=0
    kernel_module._launch_plan.cache_clear()
    assert not launch_plan(64, 256, 4096, cuda).descriptors
    monkeypatch.setattr(kernel_module, "_SERVING_ALLOWED", True)  # no plan of the switched-off rule stays cached
    kernel_module._launch_plan.cache_clear()
    kernel_module.choose_config.cache_clear()


def test_tma_launch_passes_descriptors_and_falls_back_for_unaligned_addresses(monkeypatch):
    """A TMA plan's first launch gives Triton's JIT descriptors over the tensors; later launches pass cached
    descriptors by address (the same fields, no tensor held); an x 2 bytes off a 16-byte boundary takes the
    fallback plan (pointer loads); a forced TMA config with such an x is a clear error."""
    import importlib
    from triton.tools.tensor_descriptor import TensorDescriptor
    kernel_module = importlib.import_module("fp8blk.kernels.fp8_block_matmul")
    names = kernel_module._fp8_block_matmul_kernel.arg_names
    launches = []

    class Compiled:
        function, packed_metadata = "function", "metadata"

        def run(self, *args):
            launches.append(("direct", dict(zip(names, args[9:]))))

    class Jit:
        def __getitem__(self, grid):
            def launch(*args, **kwargs):
                launches.append(("jit", dict(zip(names, args)) | kwargs))
                return Compiled()
            return launch

    monkeypatch.setattr(kernel_module, "_fp8_block_matmul_kernel", Jit())
    monkeypatch.setattr(kernel_module, "_interpreting", lambda: False)
    monkeypatch.setattr(kernel_module, "_current_stream", lambda device: 7)
    monkeypatch.setattr(kernel_module, "_device_facts", lambda device: ("gpu", 132, (9, 0), H100_SHARED))
    kernel_module._launch_plan.cache_clear()
    plan = launch_plan(64, 256, 512, torch.device("cuda", 0))
    x, wq, scale, b = make(64, 256, 512)
    out = torch.empty(64, 256, dtype=torch.bfloat16)
    buffer = torch.empty(64 * 512 + 1, dtype=torch.bfloat16)
    misaligned = buffer[1:].view(64, 512)
    for operand in (x, x, misaligned):
        kernel_module._launch(kernel_module._fp8_block_matmul_kernel, plan, torch.device("cuda", 0),
                              (operand, wq, scale, out, out, out, out))
    (_, jit), (_, direct), (_, fallback) = launches
    for name, tensor in (("x_ptr", x), ("w_ptr", wq)):
        assert isinstance(jit[name], TensorDescriptor) and isinstance(direct[name], TensorDescriptor)
        assert jit[name].base.data_ptr() == direct[name].base.data_ptr() == tensor.data_ptr()
        assert (jit[name].shape, jit[name].strides, jit[name].block_shape) == \
               (direct[name].shape, direct[name].strides, direct[name].block_shape)
        assert not isinstance(direct[name].base, torch.Tensor)
    assert jit["w_ptr"].base.dtype == torch.uint8 and jit["TMA"] is True
    assert type(fallback["x_ptr"]) is torch.Tensor and fallback["TMA"] is False  # JIT launch of the fallback plan
    forced = launch_plan(64, 256, 512, torch.device("cuda", 0), config=TMA_TILE)
    with pytest.raises(ValueError, match="16-byte aligned addresses"):
        kernel_module._launch(kernel_module._fp8_block_matmul_kernel, forced, torch.device("cuda", 0),
                              (misaligned, wq, scale, out, out, out, out))
    kernel_module._launch_plan.cache_clear()


def fake_tensor_map_encoder(monkeypatch, encoded):
    """Triton's active driver replaced by one whose tensor-map encoder records each encoding in ``encoded`` and
    returns its fields as the map."""
    import triton

    class Utils:
        @staticmethod
        def fill_tma_descriptor(*fields):
            encoded.append(fields)
            return ("tensor map",) + tuple(tuple(f) if isinstance(f, list) else f for f in fields)

    class Driver:
        utils = Utils()
    monkeypatch.setattr(triton.runtime.driver, "_active", Driver())


def stand_in_compiled(calls, signature, meta):
    """A compiled kernel whose C launcher records its arguments in ``calls``, behind Triton's own ``CudaLauncher``
    and, for TMA arguments (``tensordesc`` in ``signature``, ``meta`` per descriptor), its descriptor wrapper."""
    from triton.backends.nvidia.driver import CudaLauncher, wrap_handle_tensordesc

    class CLauncher:  # stands in for the compiled C launcher (a builtin: no Python closure)
        def __call__(self, *args):
            calls.append(args)
    launcher = object.__new__(CudaLauncher)
    launcher.__dict__.update(num_ctas=1, launch=wrap_handle_tensordesc(CLauncher(), signature, meta),
                             global_scratch_size=0, global_scratch_align=1, profile_scratch_size=0,
                             profile_scratch_align=1, launch_cooperative_grid=False, launch_pdl=True)
    return type("Compiled", (), {"function": 1234, "packed_metadata": "packed", "run": launcher})()


@pytest.mark.parametrize("m,n,k", [(64, 256, 512), (4, 7168, 16384), (48, 256, 512)], ids=["tile-tma", "decode-tma", "tile"])
def test_direct_launch_passes_what_tritons_launcher_would(monkeypatch, m, n, k):
    """The direct launch calls the compiled kernel's C launcher with exactly the arguments Triton's own layer
    (``CudaLauncher.__call__`` and its descriptor wrapper) would pass, and encodes each descriptor's tensor map once
    per argument and address instead of per launch."""
    import importlib
    kernel_module = importlib.import_module("fp8blk.kernels.fp8_block_matmul")
    cuda = torch.device("cuda", 0)
    monkeypatch.setattr(kernel_module, "_interpreting", lambda: False)
    monkeypatch.setattr(kernel_module, "_current_stream", lambda device: 7)
    monkeypatch.setattr(kernel_module, "_device_facts", lambda device: ("gpu", 132, (9, 0), H100_SHARED))
    monkeypatch.setattr(kernel_module, "_TMA_ALLOWED", m != 48)
    kernel_module._launch_plan.cache_clear()
    plan = launch_plan(m, n, k, cuda)
    assert bool(plan.descriptors) == (m != 48)
    names = kernel_module._SIGNATURES[plan.kind]
    encoded, calls = [], []
    fake_tensor_map_encoder(monkeypatch, encoded)
    indices = {d.index for d in plan.descriptors}
    signature = {name: ("tensordesc<u8[8, 16]>" if i in indices else "i32") for i, name in enumerate(names)}
    meta = [{"swizzle": 3, "elem_size": 1, "elem_type": 0, "block_size": list(d.box), "fp4_padded": False}
            for d in plan.descriptors]
    compiled = stand_in_compiled(calls, signature, meta)
    launcher = compiled.run

    class Jit:
        def __getitem__(self, grid):
            return lambda *args, **kwargs: compiled
    kind = Jit()
    x, wq, scale, b = make(m, n, k)
    out = torch.empty(m, n, dtype=torch.bfloat16)
    pointers = (x, wq, scale, out, out, out, out)
    kernel_module._launch(kind, plan, cuda, pointers)  # first call: Triton's JIT (faked), keeps the direct launch
    direct = next(iter(plan.compiled.values()))
    assert isinstance(direct, kernel_module._DirectLaunch) and direct.function == 1234
    for _ in range(3):
        kernel_module._launch(kind, plan, cuda, pointers)
    assert len(calls) == 3 and len(encoded) == len(plan.descriptors)  # one encoding per descriptor, not per launch
    # what Triton's own layer passes for the same launch (the pre-direct code path)
    args = [p.data_ptr() for p in pointers]
    for d in plan.descriptors:
        args[d.index] = kernel_module._cached_descriptor(args[d.index], d.dtype, d.rows, d.cols, d.row_stride, d.box)
    launcher(*plan.grid, 7, 1234, "packed", None, None, None, *args, *plan.int_args, *plan.constexpr_values)
    assert calls[0] == calls[1] == calls[2] == calls[3]
    assert calls[0][:5] == (*plan.grid, 7, 1234) and calls[0][5:7] == (False, True)  # grid, stream, function, PDL
    kernel_module._launch_plan.cache_clear()


def test_direct_launch_only_where_tritons_layer_adds_nothing(monkeypatch):
    """Triton's own launcher is kept where the direct launch could not pass what it passes: a kernel with scratch
    buffers (Triton allocates them per launch), or a TMA kernel whose launcher is not the descriptor wrapper's closure
    (a Triton version whose layer differs)."""
    import importlib
    from triton.backends.nvidia.driver import CudaLauncher
    kernel_module = importlib.import_module("fp8blk.kernels.fp8_block_matmul")
    cuda = torch.device("cuda", 0)
    monkeypatch.setattr(kernel_module, "_device_facts", lambda device: ("gpu", 132, (9, 0), H100_SHARED))
    kernel_module._launch_plan.cache_clear()
    tma_plan, plain_plan = launch_plan(64, 256, 512, cuda), launch_plan(48, 256, 512, cuda, x_stride=(516, 1))
    assert tma_plan.descriptors and not plain_plan.descriptors

    def compiled(scratch=0, launch=print):  # a builtin as the C launcher: no Python closure
        launcher = object.__new__(CudaLauncher)
        launcher.__dict__.update(num_ctas=1, launch=launch, global_scratch_size=scratch, global_scratch_align=1,
                                 profile_scratch_size=0, profile_scratch_align=1, launch_cooperative_grid=False,
                                 launch_pdl=False)
        return type("Compiled", (), {"function": 1, "packed_metadata": "packed", "run": launcher})()
    assert isinstance(kernel_module._DirectLaunch.of(compiled(), plain_plan), kernel_module._DirectLaunch)
    assert kernel_module._DirectLaunch.of(compiled(scratch=256), plain_plan) is None
    assert kernel_module._DirectLaunch.of(compiled(), tma_plan) is None  # TMA, but no descriptor wrapper around it
    assert kernel_module._DirectLaunch.of(type("Other", (), {"run": print})(), plain_plan) is None
    kernel_module._launch_plan.cache_clear()


def test_the_decode_rule_reads_the_gpus_dram_bandwidth(monkeypatch):
    """The launch plan passes ``decode_config`` the device's DRAM bandwidth from Triton's driver (2 x memory clock x
    bus width): an H200's 4.9 TB/s takes the 448-program TMA launch of 7168 x 16384 at M = 16 4 stages deep where an
    H100's 3.35 TB/s keeps 3 (NOTES items 83, 86); without a driver (CPU, a faked device) the H100's figure."""
    import importlib
    import triton
    from fp8blk.kernels.fp8_decode import H100_DRAM_GBPS
    kernel_module = importlib.import_module("fp8blk.kernels.fp8_block_matmul")
    cuda = torch.device("cuda", 0)
    monkeypatch.setattr(kernel_module, "_device_facts", lambda device: ("gpu", 132, (9, 0), H100_SHARED))
    stages = {}
    for name, clock_khz, bus_bits in (("H100", 2619000, 5120), ("H200", 3201000, 6144)):
        class Utils:
            @staticmethod
            def get_device_properties(index, clock=clock_khz, bits=bus_bits):
                return {"mem_clock_rate": clock, "mem_bus_width": bits, "multiprocessor_count": 132}

        class Driver:
            utils = Utils()
        monkeypatch.setattr(triton.runtime.driver, "_active", Driver())
        kernel_module._dram_gbps.cache_clear()
        kernel_module._launch_plan.cache_clear()
        assert kernel_module._dram_gbps(cuda) == pytest.approx(2 * clock_khz * 1e3 * bus_bits / 8 / 1e9)
        plan = launch_plan(16, 7168, 16384, cuda)  # M = 16, 3.4 programs a SM: v48's depth, not re-split (v49)
        assert plan.config.tma and plan.grid == (112, 4, 1)
        stages[name] = plan.config.num_stages
    assert stages == {"H100": 3, "H200": 4}
    monkeypatch.undo()
    kernel_module._dram_gbps.cache_clear()
    kernel_module._launch_plan.cache_clear()
    assert kernel_module._dram_gbps(torch.device("cpu")) == H100_DRAM_GBPS
    kernel_module._dram_gbps.cache_clear()


BOUND_CASES = {  # (m, n, k, bias): a call of each launch kind a bound call repeats (sm_90 plans)
    "decode": (1, 256, 512, True),
    "decode-split": (4, 256, 4096, False),
    "decode-tma": (4, 7168, 16384, False),
    "tile-tma": (64, 256, 512, True),
    "split-x": (256, 2048, 1024, False),
    "expand": (1024, 256, 512, False),
}


@pytest.fixture
def stand_in_launchers(monkeypatch):
    """CPU tensors launched as on an sm_90 GPU: the plans are a CUDA device's, Triton's JIT and C launchers are
    stand-ins (the C launcher records its arguments; TMA arguments go through Triton's own descriptor wrapper and
    tensor-map expansion, with the driver's encoder faked). Yields the list of recorded launches."""
    import importlib
    from triton.tools.tensor_descriptor import TensorDescriptor
    kernel_module = importlib.import_module("fp8blk.kernels.fp8_block_matmul")
    plan_of = kernel_module._launch_plan

    def plan_on_gpu(*args):  # the plan a CUDA device would get (argument 15 is the device)
        return plan_of(*args[:15], torch.device("cuda", 0), *args[16:])
    plan_on_gpu.cache_clear = plan_of.cache_clear
    monkeypatch.setattr(kernel_module, "_launch_plan", plan_on_gpu)
    monkeypatch.setattr(kernel_module, "_device_facts", lambda device: ("gpu", 132, (9, 0), H100_SHARED))
    monkeypatch.setattr(kernel_module, "_interpreting", lambda: False)
    monkeypatch.setattr(kernel_module, "_INTERPRETING", False)
    monkeypatch.setattr(kernel_module, "_current_stream", lambda device: 7)
    monkeypatch.setattr(kernel_module, "_BIND_DEVICE_FLAG", "is_cpu")
    fake_tensor_map_encoder(monkeypatch, [])
    launches = []

    def jit(kind):
        names = kernel_module._SIGNATURES[kind]

        class Jit:
            def __getitem__(self, grid):
                def compile_it(*args, **kwargs):  # Triton's JIT: compiles (here: builds the launcher), launches
                    described = [i for i, a in enumerate(args) if isinstance(a, TensorDescriptor)]
                    signature = {name: "tensordesc<u8[8, 16]>" if i in described else "i32"
                                 for i, name in enumerate(names)}
                    meta = [{"swizzle": 3, "elem_size": 1, "elem_type": 0, "block_size": list(args[i].block_shape),
                             "fp4_padded": False} for i in described]
                    return stand_in_compiled(launches, signature, meta)
                return compile_it
        return Jit()
    for name, kind in (("_fp8_decode_kernel", "decode"), ("_fp8_block_matmul_kernel", "tile"),
                       ("_fp8_block_dequant_kernel", "expand"), ("_split_x_kernel", "split_x")):
        monkeypatch.setattr(kernel_module, name, jit(kind))
    kernel_module._launch_plan.cache_clear()
    yield launches
    kernel_module._launch_plan.cache_clear()


def _as_sent(launches, x, out):
    """Recorded launches with x's and the output's addresses (new per call) named, in tensor maps too."""
    names = {x.data_ptr(): "x", out.data_ptr(): "out"}

    def named(a):
        if isinstance(a, tuple):
            return tuple(map(named, a))
        return a if isinstance(a, bool) or not isinstance(a, int) else names.get(a, a)
    return [named(args) for args in launches]


@pytest.mark.parametrize("case", BOUND_CASES)
def test_a_bound_call_launches_what_the_wrapper_launches(stand_in_launchers, case):
    """``bind_call`` after a call: the bound call for another x of the same signature sends the C launchers exactly
    the wrapper's arguments (decode, split-K, TMA weight boxes, TMA tiles, split x's two launches, the expand path's
    dequant launch) and returns the same output; x with leading dims binds as its ``[-1, K]`` rows."""
    import importlib
    from fp8blk.kernels import bind_call
    kernel_module = importlib.import_module("fp8blk.kernels.fp8_block_matmul")
    m, n, k, has_bias = BOUND_CASES[case]
    x, wq, scale, bias = make(m, n, k, bias=has_bias)
    launches = stand_in_launchers
    fp8_block_matmul(x, wq, scale, bias)  # first call: plan, "compile"
    plan = kernel_module._launch_plan(x.shape, x.stride(), x.dtype, wq.shape, wq.stride(), wq.dtype, scale.shape,
                                      scale.stride(), scale.dtype, None if bias is None else bias.shape,
                                      None if bias is None else bias.dtype, None, None, (128, 128), 1, x.device,
                                      "auto", False, None, False)
    kind = {"decode-split": "decode", "decode-tma": "decode", "tile-tma": "tile", "split-x": "tile"}.get(case, case)
    assert plan.kind == kind and bool(plan.descriptors) == ("tma" in case or case == "split-x")
    assert (plan.prologue is not None) == (case == "split-x") and bool(plan.partial_elems) == (case in ("decode-split", "decode-tma"))
    launches.clear()
    y = fp8_block_matmul(x, wq, scale, bias)
    sent = _as_sent(launches, x, y)
    assert len(sent) == (2 if case == "split-x" else 1)
    bound = bind_call(x, wq, scale, bias)
    assert bound is not None and bound.plan is plan
    x2 = x.clone()  # another x of the signature
    for other in (x2, x2.view(1, m, k)):
        if other.dim() == 3:
            bound = bind_call(other, wq, scale, bias)
        launches.clear()
        y2 = bound(other)
        assert y2.shape == (*other.shape[:-1], n) and y2.dtype == x.dtype
        assert _as_sent(launches, other, y2) == sent, case
        if case == "expand":  # torch's GEMM on the stand-in's (zero) dense weight, as the wrapper's
            assert torch.equal(y2.view(m, n), y)


@pytest.mark.parametrize("case, expected", [
    ("decode", ["__call__", "<lambda>", "__call__", "__call__"]),
    ("decode-split", ["__call__", "<lambda>", "_split_k_buffers", "__call__", "__call__"]),
    ("split-x", ["__call__", "<lambda>", "_split_x_buffers", "_terms_bytes", "_scratch_views", "__call__", "__call__",
                 "__call__", "__call__"])])
def test_a_bound_call_does_a_fixed_small_amount_of_host_work(stand_in_launchers, case, expected):
    """What a bound call runs in Python (the host path of an eager ``Fp8BlockLinear`` call after its first): itself,
    the stream lookup (a stand-in here), the scratch lookups its launches need, and per launch the direct launch and
    the C launcher -- no plan lookup, no validation, no view building."""
    m, n, k, has_bias = BOUND_CASES[case]
    x, wq, scale, bias = make(m, n, k, bias=has_bias)
    fp8_block_matmul(x, wq, scale, bias)
    bound = kernels_bind_call(x, wq, scale, bias)
    bound(x)
    named = python_calls(lambda: bound(x))
    assert named == expected, " ".join(named)


def test_a_bound_call_gives_way_where_the_wrapper_must_launch(stand_in_launchers):
    """A bound call returns None (its caller then takes ``fp8_block_matmul``) for an x at an address not 16-byte
    aligned and while a profiler listens to Triton's launches; ``bind_call`` binds nothing before a signature's first
    call, for CPU launches, under the interpreter, or for the expand path with a bias."""
    import importlib
    import triton
    from fp8blk.kernels import bind_call
    kernel_module = importlib.import_module("fp8blk.kernels.fp8_block_matmul")
    x, wq, scale, bias = make(1, 256, 512)
    assert bind_call(x, wq, scale) is None  # not called yet: nothing compiled to bind
    fp8_block_matmul(x, wq, scale)
    bound = bind_call(x, wq, scale)
    stand_in_launchers.clear()
    assert bound(x) is not None and len(stand_in_launchers) == 1
    flat = torch.empty(x.numel() + 1, dtype=x.dtype)
    shifted = flat[1:].view(x.shape)  # the signature's shape and strides, 2 bytes off alignment
    assert shifted.stride() == x.stride() and bound(shifted) is None
    hook = triton.knobs.runtime.launch_enter_hook
    try:
        triton.knobs.runtime.launch_enter_hook = lambda metadata: None
        assert bound(x) is None
    finally:
        triton.knobs.runtime.launch_enter_hook = hook
    assert len(stand_in_launchers) == 1
    kernel_module._BIND_DEVICE_FLAG = "is_cuda"  # (restored by the fixture's monkeypatch)
    assert bind_call(x, wq, scale) is None  # a CPU tensor: no compiled launch
    kernel_module._BIND_DEVICE_FLAG = "is_cpu"
    kernel_module._INTERPRETING = True
    assert bind_call(x, wq, scale) is None
    kernel_module._INTERPRETING = False
    big, wq, scale, bias = make(1024, 256, 512, bias=True)
    fp8_block_matmul(big, wq, scale, bias)
    assert bind_call(big, wq, scale, bias) is None  # the expand path casts the bias per call: not bound


SPLIT_X_TILES = [KernelConfig(64, 64, 128, 1, 4, 4, tma=True, split_x=True),  # the split-x rule's tiles
                 KernelConfig(128, 64, 128, 2, 4, 3, tma=True, split_x=True),
                 KernelConfig(128, 128, 128, 1, 8, 4, tma=True, split_x=True),
                 KernelConfig(64, 32, 64, 1, 4, 3, split_x=True)]  # by pointer loads, 64-deep K-tiles


@pytest.mark.parametrize("scale_dtype", [torch.float32, torch.bfloat16, torch.float8_e8m0fnu], ids=str)
@pytest.mark.parametrize("groups", [1, 2])
@pytest.mark.parametrize("tiles", SPLIT_X_TILES, ids=lambda c: f"{c.block_n}x{c.block_m}-split{c.split_k}-tma{c.tma}")
def test_split_x_launches_match_float64_closer_than_the_folded_scale(scale_dtype, groups, tiles):
    """x as two e4m3 terms (``KernelConfig.split_x``), both MMA operands fp8: within tolerance of float64 on ragged
    shapes with bias, groups and split-K, closer to it than the same tiles with the scale folded into a bf16 weight
    tile (no rounding of the weight; as close with UE8M0 scales), and with TMA bitwise the pointer-load result."""
    m, n, k = (70, 300, 528) if groups == 1 else (40, 256, 256)
    x, wq, scale, b = make(m, n, k, torch.bfloat16, scale_dtype, bias=True, groups=groups)
    ref = reference(x, wq, scale, b, (128, 128), groups)
    y = run(x, wq, scale, b, groups=groups, config=tiles)
    folded = run(x, wq, scale, b, groups=groups, config=tiles._replace(split_x=False, scale_in_weight=True))
    assert rel_err(y, ref) < TOL[torch.bfloat16]
    if scale_dtype == torch.float8_e8m0fnu:  # powers of two: the folded bf16 weight tile is exact too
        assert rel_err(y, ref) <= rel_err(folded, ref) + 1e-6
    else:
        assert rel_err(y, ref) < rel_err(folded, ref)
    if tiles.tma:
        assert torch.equal(y, run(x, wq, scale, b, groups=groups, config=tiles._replace(tma=False)))


def _split_terms(x, monkeypatch=None, whole_row=None):
    """(terms [2 * low_row, K] as e4m3, row scales, low_row) of bf16 ``x`` by the library's split kernel (the
    interpreter's launch), the low terms from the row a 64-column tile launch puts them at."""
    import importlib
    kernel_module = importlib.import_module("fp8blk.kernels.fp8_block_matmul")
    if whole_row is not None:
        monkeypatch.setattr(kernel_module, "SPLIT_X_WHOLE_ROW", whole_row)
    m, k = x.shape
    low_row = low_terms_row(m, 64)
    terms, row_scale = kernel_module._split_x_buffers(x.device, m, k, low_row)
    plan = kernel_module._split_x_plan(m, k, x.stride(), kernel_module._interpreting(), low_row)
    kernel_module._launch(kernel_module._split_x_kernel, plan, x.device, (x, terms, row_scale))
    return terms.view(torch.float8_e4m3fn).clone(), row_scale.clone(), low_row


@pytest.mark.parametrize("whole_row", [None, 256], ids=["row-in-registers", "two-passes"])
def test_split_x_terms_are_e4m3_roundings_that_sum_back_to_x(monkeypatch, whole_row):
    """The split kernel: a power-of-two scale per row, the high term x / scale rounded to e4m3 (ties to even, as
    torch rounds), the low term the remainder rounded; their sum is x exactly where |x| >= 2**-9 of the row's
    largest and within 2**-17 of it elsewhere; a zero row gives zero terms, a row with inf or NaN a NaN scale."""
    g = torch.Generator().manual_seed(3)
    x = (torch.randn(7, 700, generator=g) * torch.exp(2 * torch.randn(7, 700, generator=g))).to(torch.bfloat16)
    x[1] = 0
    x[2, 5], x[3, 9] = float("inf"), float("nan")
    x[4, :3] = torch.tensor([3e-38, -1e-30, 448.0])  # a bf16 subnormal-range pair beside a large value
    x = x.to(DEVICE)
    terms, row_scale, low_row = _split_terms(x, monkeypatch, whole_row)
    terms, row_scale, x = terms.cpu(), row_scale.cpu(), x.float().cpu()
    assert low_row == 64 and terms.shape == (128, 700)  # the low terms start at the 64-column tile boundary
    finite = [0, 1, 4, 5, 6]
    assert torch.isnan(row_scale[[2, 3]]).all() and torch.isfinite(row_scale[finite]).all()
    assert (torch.frexp(row_scale[finite]).mantissa == 0.5).all()  # powers of two
    scaled = x[finite] / row_scale[finite, None]
    assert scaled.abs().max() < 256
    high = scaled.to(torch.float8_e4m3fn)
    low = (scaled - high.float()).to(torch.float8_e4m3fn)
    assert torch.equal(terms[finite].view(torch.uint8), high.view(torch.uint8))
    assert torch.equal(terms[[low_row + r for r in finite]].view(torch.uint8), low.view(torch.uint8))
    back = (terms[finite].float() + terms[[low_row + r for r in finite]].float()) * row_scale[finite, None]
    largest = x[finite].abs().amax(1, keepdim=True)
    large = x[finite].abs() >= largest * 2.0 ** -9
    assert torch.equal(back[large], x[finite][large])
    assert ((back - x[finite]).abs() <= largest.clamp_min(1e-38) * 2.0 ** -17).all()
    assert (terms[1].float() == 0).all() and (terms[low_row + 1].float() == 0).all()


def test_split_x_row_with_inf_gives_a_nan_row_and_leaves_the_others_bitwise():
    config = KernelConfig(64, 64, 128, 1, 4, 4, split_x=True)
    x, wq, scale, b = make(40, 256, 384, bias=True)
    clean = run(x, wq, scale, b, config=config)
    x[7, 11] = float("inf")
    y = run(x, wq, scale, b, config=config)
    assert torch.isnan(y[7]).all()
    others = [r for r in range(40) if r != 7]
    assert torch.equal(y[others], clean[others])


@pytest.mark.parametrize("tma", [True, False])
def test_split_x_rows_between_the_high_and_low_terms_never_reach_the_output(tma):
    """The low terms start at the 64-column tile boundary (row 64 for M = 40, of 128): rows 40-63 and 104-127 of the
    scratch are never written and the last tile's boxes read them as they are (TMA) -- here NaN bytes -- yet the
    output is bitwise the same."""
    import importlib
    kernel_module = importlib.import_module("fp8blk.kernels.fp8_block_matmul")
    config = KernelConfig(64, 64, 128, 1, 4, 4, tma=tma, split_x=True)
    x, wq, scale, b = make(40, 256, 384, bias=True)
    clean = run(x, wq, scale, b, config=config)
    kernel_module._BUFFERS[("split_x", x.to(DEVICE).device)].fill_(0x7F)  # e4m3 NaN in every byte
    y = run(x, wq, scale, b, config=config)
    assert torch.equal(y, clean) and not torch.isnan(y).any()
    assert rel_err(y, reference(x, wq, scale, b)) < TOL[torch.bfloat16]


def test_split_x_needs_bf16_x_and_fp8_tensor_cores():
    config = KernelConfig(64, 64, 128, 1, 4, 4, split_x=True)
    x, wq, scale, _ = make(40, 256, 384)
    with pytest.raises(ValueError, match="split_x needs bf16 x"):
        run(x.half(), wq, scale, None, config=config)
    with pytest.raises(ValueError, match="split_x needs bf16 x"):
        run(x, wq, scale, None, config=config, dequant="integer")


def test_split_x_kernel_builds_for_sm_89_and_sm_90():
    """The split kernel ahead of time (row in registers, and two passes over a row longer than SPLIT_X_WHOLE_ROW)."""
    import os
    import subprocess
    code = ("from fp8blk.kernels.fp8_block_matmul import aot_compile_split_x\n"
            "for cc in (89, 90):\n"
            "    for k in (4096, 20000):\n"
            "        c = aot_compile_split_x(cc, k)\n"
            "        print(cc, k, len(c.asm['cubin']) > 0, 'e4m3' in c.asm['ptx'])\n")
    env = {key: value for key, value in os.environ.items() if key != "TRITON_INTERPRET"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split("\n")[:4] == [f"{cc} {k} True True" for cc in (89, 90) for k in (4096, 20000)]


def test_split_x_plan_on_sm_90_and_where_it_is_not_taken(monkeypatch):
    """On sm_90 the rule's plan for 4096 x 8192 at M = 128 splits x: a prologue launch of the split kernel (one
    program per row, launched dependent on the previous kernel: v67), then the tile kernel reading the [2 * low_row,
    K] terms and the weight by fp8 descriptors. Not with the integer dequant path, fp16 x, unaligned rows or
    FP8BLK_SPLIT_X=0; without programmatic dependent launch (FP8BLK_PDL=0) the prologue is an ordinary launch."""
    import importlib
    kernel_module = importlib.import_module("fp8blk.kernels.fp8_block_matmul")
    cuda = torch.device("cuda", 0)
    monkeypatch.setattr(kernel_module, "_device_facts", lambda device: ("gpu", 132, (9, 0), H100_SHARED))
    kernel_module._launch_plan.cache_clear()
    kernel_module.choose_config.cache_clear()
    plan = launch_plan(128, 4096, 8192, cuda)
    assert dict(plan.constexprs)["SPLIT_X"] and plan.grid == (64, 2, 2)  # 64 x 64 tiles split 2
    assert plan.prologue.kind == "split_x" and plan.prologue.grid == (128, 1, 1)
    assert dict(plan.prologue.constexprs)["PDL"] and dict(plan.prologue.options)["launch_pdl"]  # v67
    assert [(d.dtype, d.rows, d.cols, d.box) for d in plan.descriptors] == [
        (torch.float8_e4m3fn, 256, 8192, (64, 128)), (torch.float8_e4m3fn, 4096, 8192, (64, 128))]
    ragged = launch_plan(96, 4096, 8192, cuda)  # the low terms from row 128 of [256, K]: no box past the edge
    assert ragged.descriptors[0].rows == 256 and ragged.prologue.int_args[0] == 128
    assert plan.int_args[3:5] == (8192, 1)  # the tile kernel reads the contiguous terms
    for other in (launch_plan(128, 4096, 8192, cuda, dequant="integer"),
                  launch_plan(128, 4096, 8192, cuda, x_dtype=torch.float16),
                  launch_plan(128, 4096, 8200, cuda)):  # 8200-byte weight rows: no TMA, no split x
        assert not dict(other.constexprs)["SPLIT_X"] and other.prologue is None
    monkeypatch.setattr(kernel_module, "_PDL_ALLOWED", False)
    kernel_module._launch_plan.cache_clear()
    ordinary = launch_plan(128, 4096, 8192, cuda).prologue
    assert not dict(ordinary.constexprs)["PDL"] and not dict(ordinary.options)["launch_pdl"]
    monkeypatch.setattr(kernel_module, "_SPLIT_X_ALLOWED", False)
    kernel_module._launch_plan.cache_clear()
    kernel_module.choose_config.cache_clear()
    assert launch_plan(128, 4096, 8192, cuda).prologue is None
    kernel_module._launch_plan.cache_clear()
    kernel_module.choose_config.cache_clear()


def test_split_x_rule_steps_back_where_the_terms_rows_are_not_16_byte_aligned(monkeypatch):
    """A weight whose rows are padded to a 16-byte stride but hold K = 1000 columns: TMA for the weight, but the
    [2 * low_row, 1000] terms could not be read by TMA, so the rule's plan does not split x (and reads x as given)."""
    import importlib
    kernel_module = importlib.import_module("fp8blk.kernels.fp8_block_matmul")
    cuda = torch.device("cuda", 0)
    monkeypatch.setattr(kernel_module, "_device_facts", lambda device: ("gpu", 132, (9, 0), H100_SHARED))
    kernel_module._launch_plan.cache_clear()
    kernel_module.choose_config.cache_clear()
    plan = kernel_module._launch_plan((128, 1000), (1008, 1), torch.bfloat16, (4096, 1000), (1008, 1),
                                      torch.float8_e4m3fn, (32, 8), (8, 1), torch.float32, None, None, (128, 4096),
                                      (4096, 1), (128, 128), 1, cuda, "auto", False, None, False)
    assert not dict(plan.constexprs)["SPLIT_X"] and plan.prologue is None
    assert plan.int_args[3:5] == (1008, 1)  # x's own strides
    kernel_module._launch_plan.cache_clear()
    kernel_module.choose_config.cache_clear()
