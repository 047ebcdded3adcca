import pytest
import torch
from torch import nn

from fp8blk import Fp8BlockLinear, Fp8FormatError, dequantize_fp8_block, quantize_fp8_block


def make_layer(n=200, k=300, bias=True, scale_dtype=torch.float32, scale_name="weight_scale_inv"):
    linear = nn.Linear(k, n, bias=bias)
    return Fp8BlockLinear.from_linear(linear, scale_dtype=scale_dtype, scale_name=scale_name), linear


def replace_parameter(module, name, new):
    """What serving stacks do (vLLM's utility of the same name): re-register under a name."""
    module.register_parameter(name, nn.Parameter(new, requires_grad=False))


def test_one_scale_every_name():
    m, _ = make_layer()
    assert m.weight_scale is m.weight_scale_inv is m.scale is m.block_scale
    assert [n for n, _ in m.named_parameters()] == ["weight", "weight_scale_inv", "bias"]
    assert list(m.state_dict()) == ["weight", "weight_scale_inv", "bias"]
    assert not m.weight.requires_grad and not m.weight_scale.requires_grad


@pytest.mark.parametrize("name", ["weight_scale", "weight_scale_inv", "scale"])
def test_assign_under_any_name(name):
    m, _ = make_layer()
    new = torch.rand(2, 3) + 0.5
    setattr(m, name, nn.Parameter(new.clone(), requires_grad=False))
    assert torch.equal(m.weight_scale_inv, new) and m.weight_scale is m.weight_scale_inv
    replace_parameter(m, name, new * 2)
    assert torch.equal(m.weight_scale, new * 2)
    setattr(m, name, new * 3)  # a plain tensor becomes a parameter
    assert isinstance(m.weight_scale, nn.Parameter) and torch.equal(m.scale, new * 3)
    assert [n for n, _ in m.named_parameters()].count("weight_scale_inv") == 1
    assert len(list(m.parameters())) == 3


@pytest.mark.parametrize("name", ["weight_scale_inv", "weight_scale", "scale"])
def test_load_state_dict_accepts_every_name_strict(name):
    src, _ = make_layer()
    state = dict(src.state_dict())
    state[name] = state.pop("weight_scale_inv")
    dst = Fp8BlockLinear(300, 200, bias=True, scale_name="weight_scale")
    dst.load_state_dict(state, strict=True)
    assert torch.equal(dst.weight_scale, src.weight_scale_inv)
    assert torch.equal(dst.weight.view(torch.uint8), src.weight.view(torch.uint8))
    assert list(dst.state_dict()) == ["weight", "weight_scale", "bias"]
    assert name in state  # the caller's dict is left as it was


def test_load_state_dict_twin_scales():
    src, _ = make_layer()
    state = dict(src.state_dict())
    state["weight_scale"] = state["weight_scale_inv"].clone()
    dst = Fp8BlockLinear(300, 200, bias=True)
    dst.load_state_dict(state, strict=True)
    state["weight_scale"] = state["weight_scale"] * 2
    before = dst.weight_scale_inv.clone()
    with pytest.raises(Fp8FormatError, match="twice with different values"):
        dst.load_state_dict(state)
    assert torch.equal(dst.weight_scale_inv, before)


def test_load_state_dict_rejects_bad_tensors_before_touching_anything():
    src, _ = make_layer()
    dst = Fp8BlockLinear(300, 200, bias=True)
    before = dst.weight.clone()
    bad = dict(src.state_dict())
    bad["weight"] = bad["weight"].float()
    with pytest.raises(Fp8FormatError, match=r"key 'weight': expected a 2-D float8_e4m3fn.*float32"):
        dst.load_state_dict(bad)
    bad = dict(src.state_dict())
    bad["weight_scale_inv"] = torch.full((2, 3), float("nan"))
    with pytest.raises(Fp8FormatError, match="NaN"):
        dst.load_state_dict(bad)
    bad["weight_scale_inv"] = torch.ones(3, 3)
    with pytest.raises(Fp8FormatError, match=r"expected a block scale of shape \[2, 3\]"):
        dst.load_state_dict(bad)
    assert torch.equal(dst.weight.view(torch.uint8), before.view(torch.uint8))


def test_strict_load_still_reports_missing_scale():
    src, _ = make_layer()
    state = dict(src.state_dict())
    del state["weight_scale_inv"]
    with pytest.raises(RuntimeError, match="weight_scale_inv"):
        Fp8BlockLinear(300, 200, bias=True).load_state_dict(state, strict=True)


@pytest.mark.parametrize("scale_dtype", [torch.float32, torch.bfloat16, torch.float16, torch.float8_e8m0fnu])
def test_load_any_scale_dtype_and_keep_it(scale_dtype):
    src, _ = make_layer(bias=False, scale_dtype=scale_dtype)
    dst = Fp8BlockLinear(300, 200)  # float32 scale by default
    dst.load_state_dict(src.state_dict())
    assert dst.weight_scale.dtype == scale_dtype
    x = torch.randn(4, 300, dtype=torch.bfloat16)
    assert torch.equal(dst(x), src(x))


def test_scale_name_switches_convention():
    m, _ = make_layer()
    m.scale_name = "weight_scale"
    assert list(m.state_dict()) == ["weight", "bias", "weight_scale"]
    assert m.weight_scale_inv is m.weight_scale
    with pytest.raises(Fp8FormatError):
        m.scale_name = "w_scale"


@pytest.mark.parametrize("dtype", [torch.bfloat16, torch.float16])
def test_forward_matches_float64_reference(dtype):
    m, linear = make_layer()
    x = torch.randn(2, 3, 300).to(dtype)
    y = m(x)
    assert y.dtype == dtype and y.shape == (2, 3, 200)
    w = dequantize_fp8_block(m.weight, m.weight_scale, dtype=torch.float64)
    ref = x.double() @ w.T + m.bias.double()
    assert ((y.double() - ref).norm() / ref.norm()) < 4e-3


def test_forward_rejects_wrong_input():
    m, _ = make_layer()
    with pytest.raises(Fp8FormatError, match="bfloat16 or float16"):
        m(torch.randn(2, 300))
    with pytest.raises(Fp8FormatError, match="K = 300"):
        m(torch.randn(2, 301, dtype=torch.bfloat16))


def test_torch_compile_does_not_break_on_the_op():
    m, _ = make_layer()
    x = torch.randn(5, 300, dtype=torch.bfloat16)
    compiled = torch.compile(m, fullgraph=True, backend="aot_eager")
    assert torch.equal(compiled(x), m(x))


def test_extra_repr():
    m, _ = make_layer(scale_dtype=torch.bfloat16, scale_name="weight_scale")
    text = repr(m)
    for part in ("in_features=300", "out_features=200", "block_size=[128, 128]", "scale_name='weight_scale'",
                 "scale_dtype=torch.bfloat16"):
        assert part in text


def test_constructor_rejects_unknown_names_and_dtypes():
    with pytest.raises(Fp8FormatError):
        Fp8BlockLinear(128, 128, scale_name="scales")
    with pytest.raises(Fp8FormatError):
        Fp8BlockLinear(128, 128, scale_dtype=torch.int8)


def test_from_tensors_checks_everything():
    wq, scale = quantize_fp8_block(torch.randn(256, 256))
    Fp8BlockLinear.from_tensors(wq, scale)
    with pytest.raises(Fp8FormatError, match="negative"):
        Fp8BlockLinear.from_tensors(wq, -scale)
    with pytest.raises(Fp8FormatError, match=r"bias \[256\]"):
        Fp8BlockLinear.from_tensors(wq, scale, bias=torch.zeros(3))


def test_concat_layers_that_share_an_input():
    """wq_a + wkv style: one layer, one launch; its weight is the stack, its output the side-by-side outputs."""
    torch.manual_seed(0)
    first, _ = make_layer(n=256, k=384, bias=True, scale_dtype=torch.bfloat16)
    second, _ = make_layer(n=200, k=384, bias=False, scale_dtype=torch.bfloat16)
    fused = Fp8BlockLinear.concat([first, second])
    assert (fused.in_features, fused.out_features) == (384, 456)
    assert torch.equal(fused.dequantized_weight(), torch.cat([first.dequantized_weight(), second.dequantized_weight()]))
    assert torch.equal(fused.bias[256:], torch.zeros(200)) and torch.equal(fused.bias[:256], first.bias)
    x = torch.randn(5, 384, dtype=torch.bfloat16)
    y_first, y_second = fused(x).split([256, 200], dim=-1)
    for got, layer in ((y_first, first), (y_second, second)):
        expected = layer(x).double()
        assert (got.double() - expected).norm() / expected.norm() < 1e-2
    assert fused.weight.data_ptr() != first.weight.data_ptr()  # copied: the originals stay independent


def test_concat_refuses_layers_that_do_not_line_up():
    a, _ = make_layer(n=200, k=384)
    b, _ = make_layer(n=256, k=384)
    with pytest.raises(Fp8FormatError, match="not a multiple of block_n 128"):
        Fp8BlockLinear.concat([a, b])  # a's partial last block would misalign b's scales
    assert Fp8BlockLinear.concat([b, a]).out_features == 456  # a partial block last is fine
    with pytest.raises(Fp8FormatError, match="layer 1 has"):
        Fp8BlockLinear.concat([b, make_layer(n=128, k=256)[0]])
    with pytest.raises(Fp8FormatError, match="layer 1 has"):
        Fp8BlockLinear.concat([b, make_layer(n=128, k=384, scale_dtype=torch.bfloat16)[0]])
    with pytest.raises(Fp8FormatError, match="at least one"):
        Fp8BlockLinear.concat([])
    with pytest.raises(Fp8FormatError, match="not an Fp8BlockLinear"):
        Fp8BlockLinear.concat([b, nn.Linear(384, 128)])


def test_forward_host_work_is_fixed_and_small(monkeypatch):
    """A module call's Python work above the kernel: forward -> the layer's ``BoundLinear`` -> on the CPU path the
    cached checks and the matmul; on the GPU path, after a signature's first call, the bound launch alone (no op
    layer, no wrapper); where no binding exists, ``fp8_block_linear`` and the kernel wrapper (which validates its own
    cached signature). No block-size normalization, parameter __getattr__ or checks recomputed per call (the kernel
    wrapper's and the bound call's own work are pinned in tests/test_fp8_block_matmul.py)."""
    import sys

    import fp8blk.ops as ops
    from fp8blk import quantize_fp8_block
    layer = Fp8BlockLinear.from_tensors(*quantize_fp8_block(torch.randn(256, 512)))
    x = torch.randn(3, 512).to(torch.bfloat16)
    monkeypatch.setattr(ops, "reference_linear", lambda *args: x)  # stands in for the CPU path's matmul
    layer(x)
    calls = []

    def profile(frame, event, arg):
        if event == "call" and frame.f_code.co_filename.endswith(("fp8blk/module.py", "fp8blk/ops.py")):
            calls.append(frame.f_code.co_name)
        elif event == "call" and frame.f_code.co_name == "<lambda>":
            calls.append("kernel")

    def traced():
        calls.clear()
        sys.setprofile(profile)
        try:
            layer(x)
        finally:
            sys.setprofile(None)
        return calls
    assert traced() == ["forward", "__call__", "fp8_block_linear", "check_linear_inputs", "kernel"], calls
    # The GPU path: the first call binds; later calls run the binding only.
    monkeypatch.setattr(ops, "_KERNEL_DEVICE_FLAG", "is_cpu")
    monkeypatch.setattr(ops, "_KERNEL", lambda *args: x)
    monkeypatch.setattr(ops, "_BIND", lambda *args: lambda x: x)
    layer(x)
    assert traced() == ["forward", "__call__", "kernel"], calls
    # No binding (the kernel gave none): the op and the wrapper, which validates its own signature.
    layer._linear.clear()
    monkeypatch.setattr(ops, "_BIND", lambda *args: None)
    layer(x)
    assert traced() == ["forward", "__call__", "fp8_block_linear", "kernel"], calls


def test_bindings_are_dropped_where_the_parameters_may_change(monkeypatch):
    """The forward's bound launches (``BoundLinear``) are forgotten on parameter assignment (any scale name),
    ``load_state_dict``, ``.to()``/``.cuda()`` (``_apply``) and ``register_parameter``; a copy or unpickled layer starts
    with none (they hold device addresses), while the original keeps its own."""
    import copy

    import fp8blk.ops as ops
    from fp8blk import quantize_fp8_block
    monkeypatch.setattr(ops, "_KERNEL_DEVICE_FLAG", "is_cpu")
    monkeypatch.setattr(ops, "_KERNEL", lambda x, w, *args: x.new_zeros(x.shape[0], w.shape[0]))
    monkeypatch.setattr(ops, "_BIND", lambda *args: lambda x: None)
    wq, scale = quantize_fp8_block(torch.randn(256, 512))
    layer = Fp8BlockLinear.from_tensors(wq, scale)
    x = torch.randn(3, 512).to(torch.bfloat16)
    state = {k: v.clone() for k, v in layer.state_dict().items()}
    changes = [lambda: setattr(layer, "weight", torch.nn.Parameter(wq.clone(), requires_grad=False)),
               lambda: setattr(layer, "weight_scale", scale.clone()), lambda: layer.load_state_dict(state), lambda: layer.to("cpu"),
               lambda: layer.register_parameter("bias", None)]
    for change in changes:
        layer(x)
        assert len(layer._linear._bound) == 1
        change()
        assert not layer._linear._bound, change
    layer(x)
    assert layer.__getstate__()["_linear"] is None  # what pickle and copy are handed
    for other in (copy.deepcopy(layer), copy.copy(layer)):
        assert isinstance(other._linear, ops.BoundLinear) and other._linear is not layer._linear
        assert not other._linear._bound and len(layer._linear._bound) == 1
        assert torch.equal(other(x), layer(x))
