import pytest
import torch

from fp8blk import Fp8FormatError, fp8_block_linear, quantize_fp8_block
from fp8blk.ops import compute_path, reference_linear


def test_reference_path_matches_float64():
    wq, scale = quantize_fp8_block(torch.randn(300, 200), scale_dtype=torch.bfloat16)
    x = torch.randn(7, 200, dtype=torch.float16)
    bias = torch.randn(300, dtype=torch.float16)
    y = fp8_block_linear(x, wq, scale, bias)
    w = wq.double() * scale.double().repeat_interleave(128, 0)[:300].repeat_interleave(128, 1)[:, :200]
    ref = x.double() @ w.T + bias.double()
    assert y.dtype == torch.float16
    assert (y.double() - ref).norm() / ref.norm() < 2e-3


def test_empty_batch():
    wq, scale = quantize_fp8_block(torch.randn(256, 128))
    assert fp8_block_linear(torch.empty(0, 128, dtype=torch.bfloat16), wq, scale).shape == (0, 256)


def test_rejects_mixed_devices_and_bad_bias():
    wq, scale = quantize_fp8_block(torch.randn(256, 128))
    x = torch.randn(2, 128, dtype=torch.bfloat16)
    with pytest.raises(Fp8FormatError, match="one device"):
        fp8_block_linear(x, wq, scale.to("meta"))
    with pytest.raises(Fp8FormatError, match=r"bias must have shape \[256\]"):
        fp8_block_linear(x, wq, scale, torch.zeros(128, dtype=torch.bfloat16))
    with pytest.raises(Fp8FormatError, match="scale"):
        fp8_block_linear(x, wq, scale[:1])


def test_compute_path_names_the_dispatch():
    assert "reference" in compute_path(torch.device("cpu"))
    assert "triton" in compute_path(torch.device("cuda"))


def test_reference_linear_is_what_the_op_runs_on_cpu():
    wq, scale = quantize_fp8_block(torch.randn(128, 256))
    x = torch.randn(3, 256, dtype=torch.bfloat16)
    assert torch.equal(fp8_block_linear(x, wq, scale), reference_linear(x, wq, scale, None, (128, 128)))


def test_custom_op_under_torch_compile_matches_eager():
    """Under torch.compile the call is the opaque op ``fp8blk::fp8_block_linear``; eager skips its dispatcher."""
    wq, scale = quantize_fp8_block(torch.randn(192, 256))
    x = torch.randn(2, 3, 256, dtype=torch.bfloat16)
    eager = fp8_block_linear(x, wq, scale)
    seen = []

    def backend(graph_module, example_inputs):
        seen.extend(str(node.target) for node in graph_module.graph.nodes)
        return graph_module.forward

    compiled = torch.compile(lambda t: fp8_block_linear(t, wq, scale), backend=backend, fullgraph=True)
    assert torch.equal(compiled(x), eager)
    assert any("fp8blk.fp8_block_linear" in target for target in seen), seen
    assert torch.equal(torch.ops.fp8blk.fp8_block_linear(x.reshape(6, 256), wq, scale, None, [128, 128]),
                       eager.reshape(6, 192))


def test_checks_are_cached_per_signature_and_still_raise():
    wq, scale = quantize_fp8_block(torch.randn(256, 128))
    for m in (1, 7, 300):  # the row count is not part of the checked signature
        fp8_block_linear(torch.randn(m, 128, dtype=torch.bfloat16), wq, scale)
    for _ in range(2):  # a cached bad signature raises on every call
        with pytest.raises(Fp8FormatError, match="x has 64 features"):
            fp8_block_linear(torch.randn(2, 64, dtype=torch.bfloat16), wq, scale)
        with pytest.raises(Fp8FormatError, match="x has no features"):
            fp8_block_linear(torch.tensor(1.0, dtype=torch.bfloat16), wq, scale)


@pytest.fixture
def kernel_on_cpu(monkeypatch):
    """The GPU dispatch pointed at CPU tensors, with the real kernel wrapper: its launch plan validates a call before
    anything launches, so malformed input takes the GPU path's error handling without a GPU."""
    import fp8blk.ops as ops
    from fp8blk.kernels import fp8_block_matmul
    monkeypatch.setattr(ops, "_KERNEL_DEVICE_FLAG", "is_cpu")
    monkeypatch.setattr(ops, "_KERNEL", fp8_block_matmul)


@pytest.mark.parametrize("case, match", [
    ("features", "x has 64 features"), ("bias", r"bias must have shape \[256\]"), ("scale", "scale"),
    ("x_dtype", "x must be bfloat16 or float16"), ("weight_dtype", "float8_e4m3fn")])
def test_kernel_path_errors_are_restated_as_format_errors(kernel_on_cpu, case, match):
    """On the GPU path the kernel validates (once per signature); what it refuses is reported as on the CPU path."""
    wq, scale = quantize_fp8_block(torch.randn(256, 128))
    x, bias = torch.randn(3, 2, 128, dtype=torch.bfloat16), None
    if case == "features":
        x = x[..., :64]
    elif case == "bias":
        bias = torch.zeros(128, dtype=torch.bfloat16)
    elif case == "scale":
        scale = scale[:1]
    elif case == "x_dtype":
        x = x.float()
    else:
        wq = wq.to(torch.float16)
    for _ in range(2):  # the first call of a signature and a cached one
        with pytest.raises(Fp8FormatError, match=match):
            fp8_block_linear(x, wq, scale, bias)


@pytest.fixture
def stand_in_kernel(monkeypatch):
    """The GPU dispatch pointed at CPU tensors with a recording stand-in for the kernel and for ``bind_call`` (whose
    bound calls record too and return what ``bound_result`` holds: an output, or None to give way)."""
    import fp8blk.ops as ops
    record = {"kernel": [], "bind": [], "bound": [], "bound_result": "output"}

    def kernel(x, weight, scale, bias, block_size):
        record["kernel"].append(x)
        return x.new_zeros(x.shape[0], weight.shape[0])

    def bind(x, weight, scale, bias, block_size):
        record["bind"].append((x.shape, weight.data_ptr(), block_size))

        def bound(x2):
            record["bound"].append(x2)
            return x2.new_ones(*x2.shape[:-1], weight.shape[0]) if record["bound_result"] == "output" else None
        return bound
    monkeypatch.setattr(ops, "_KERNEL_DEVICE_FLAG", "is_cpu")
    monkeypatch.setattr(ops, "_KERNEL", kernel)
    monkeypatch.setattr(ops, "_BIND", bind)
    return record


def test_bound_linear_binds_after_the_first_call_of_a_signature(stand_in_kernel):
    """``BoundLinear``: a signature's first call runs ``fp8_block_linear`` (checks, plan, compile) and binds it; later
    calls take the binding; a binding that gives way (None) falls back to ``fp8_block_linear``; a new x shape, dtype
    or stride, or a layer tensor at a new address (``.data =``), binds anew; ``clear`` forgets every binding."""
    from fp8blk.ops import BoundLinear
    record = stand_in_kernel
    wq, scale = quantize_fp8_block(torch.randn(256, 128))
    linear = BoundLinear()
    x = torch.randn(3, 128, dtype=torch.bfloat16)
    first = linear(x, wq, scale, None, (128, 128))
    assert torch.equal(first, torch.zeros(3, 256, dtype=torch.bfloat16))  # the kernel's result
    assert len(record["kernel"]) == 1 and record["bind"] == [(x.shape, wq.data_ptr(), (128, 128))]
    for _ in range(3):
        assert torch.equal(linear(x, wq, scale, None, (128, 128)), torch.ones(3, 256, dtype=torch.bfloat16))
    assert len(record["kernel"]) == 1 and len(record["bound"]) == 3 and len(record["bind"]) == 1
    record["bound_result"] = None  # e.g. x at an unaligned address: the full path
    assert torch.equal(linear(x, wq, scale, None, (128, 128)), first)
    assert len(record["kernel"]) == 2 and len(record["bound"]) == 4
    record["bound_result"] = "output"
    for other in (torch.randn(5, 128, dtype=torch.bfloat16), torch.randn(3, 128, dtype=torch.float16),
                  torch.randn(3, 256, dtype=torch.bfloat16)[:, :128], torch.randn(1, 3, 128, dtype=torch.bfloat16)):
        linear(other, wq, scale, None, (128, 128))
    assert len(record["bind"]) == 5 and len(record["kernel"]) == 6
    moved = wq.clone()
    linear(x, moved, scale, None, (128, 128))  # the weight's storage moved: a new binding
    assert len(record["bind"]) == 6 and record["bind"][-1][1] == moved.data_ptr()
    linear.clear()
    linear(x, wq, scale, None, (128, 128))
    assert len(record["bind"]) == 7


def test_bound_linear_keeps_out_of_cpu_tensors_compile_and_stays_bounded(stand_in_kernel, monkeypatch):
    """No binding for tensors the kernel does not run on (the CPU reference path) nor while torch.compile traces (the
    custom op must stay in the graph); at most ``MAX_BINDINGS`` signatures are kept per layer."""
    import fp8blk.ops as ops
    from fp8blk.ops import BoundLinear
    record = stand_in_kernel
    wq, scale = quantize_fp8_block(torch.randn(256, 128))
    x = torch.randn(3, 128, dtype=torch.bfloat16)
    linear = BoundLinear()
    monkeypatch.setattr(torch.compiler, "is_compiling", lambda: True)
    linear(x, wq, scale, None, (128, 128))
    linear(x, wq, scale, None, (128, 128))
    assert not record["bind"] and not record["bound"] and len(record["kernel"]) == 2  # through the custom op
    monkeypatch.setattr(torch.compiler, "is_compiling", lambda: False)
    monkeypatch.setattr(ops, "_KERNEL_DEVICE_FLAG", "is_cuda")  # CPU tensors: the reference path
    assert torch.equal(linear(x, wq, scale, None, (128, 128)), reference_linear(x, wq, scale, None, (128, 128)))
    assert not record["bind"] and not linear._bound
    monkeypatch.setattr(ops, "_KERNEL_DEVICE_FLAG", "is_cpu")
    for m in range(1, BoundLinear.MAX_BINDINGS + 2):
        linear(torch.randn(m, 128, dtype=torch.bfloat16), wq, scale, None, (128, 128))
    assert len(linear._bound) == 1 and len(record["bind"]) == BoundLinear.MAX_BINDINGS + 1
