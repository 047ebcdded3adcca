import pytest
import torch

from fp8blk import Fp8FormatError, dequantize_fp8_block, quantize_fp8_block, to_block_scale
from fp8blk.formats import block_scale_shape, check_block_scale, expand_block_scale

SCALE_DTYPES = [torch.float32, torch.bfloat16, torch.float16, torch.float8_e8m0fnu]


@pytest.mark.parametrize("scale_dtype", SCALE_DTYPES)
@pytest.mark.parametrize("shape,block", [((256, 384), (128, 128)), ((300, 200), (128, 128)), ((7, 130), (1, 128)),
                                         ((65, 33), (16, 32))])
def test_round_trip_error_bound(shape, block, scale_dtype):
    w = torch.randn(*shape, generator=torch.Generator().manual_seed(1)) * torch.logspace(-3, 1, shape[1])
    wq, scale = quantize_fp8_block(w, block, scale_dtype)
    assert wq.dtype == torch.float8_e4m3fn and wq.shape == w.shape
    assert scale.dtype == scale_dtype and tuple(scale.shape) == block_scale_shape(shape, block)
    w_hat = dequantize_fp8_block(wq, scale, block, dtype=torch.float32)
    per_element_scale = expand_block_scale(scale, shape, block)
    bound = 2.0 ** -4 * w.abs() + 2.0 ** -10 * per_element_scale
    assert torch.all((w - w_hat).abs() <= bound * (1 + 1e-6))
    # The bound is tight enough to mean something: a 3-bit-mantissa rounding error shows up.
    assert (w - w_hat).abs().max() > 0


def test_scale_is_amax_over_448_and_values_do_not_saturate():
    w = torch.zeros(128, 256)
    w[3, 5] = 7.0
    w[10, 200] = -0.5
    wq, scale = quantize_fp8_block(w)
    assert scale[0, 0] == pytest.approx(7.0 / 448) and scale[0, 1] == pytest.approx(0.5 / 448)
    assert wq.float().abs().max() == 448
    assert dequantize_fp8_block(wq, scale, dtype=torch.float32)[3, 5] == pytest.approx(7.0)


def test_all_zero_blocks_give_no_nan():
    w = torch.zeros(200, 300)
    w[:128, :128] = torch.randn(128, 128)
    for scale_dtype in SCALE_DTYPES:
        wq, scale = quantize_fp8_block(w, scale_dtype=scale_dtype)
        w_hat = dequantize_fp8_block(wq, scale, dtype=torch.float32)
        assert torch.isfinite(scale.float()).all() and torch.isfinite(w_hat).all()
        assert torch.equal(w_hat[128:], torch.zeros_like(w_hat[128:]))


def test_e8m0_scales_are_powers_of_two_and_convert_exactly():
    wq, scale = quantize_fp8_block(torch.randn(256, 256), scale_dtype=torch.float8_e8m0fnu)
    values = scale.float()
    assert torch.equal(torch.exp2(torch.log2(values).round()), values)
    raw = torch.tensor([[0, 1, 127, 254]], dtype=torch.uint8).view(torch.float8_e8m0fnu)
    assert raw.float().tolist() == [[2.0 ** -127, 2.0 ** -126, 1.0, 2.0 ** 127]]


def test_dequantize_semantics_by_hand():
    wq = (torch.arange(6 * 5, dtype=torch.float32).reshape(6, 5) % 7 - 3).to(torch.float8_e4m3fn)
    scale = torch.tensor([[1.0, 2.0, 4.0], [8.0, 16.0, 32.0]])
    w = dequantize_fp8_block(wq, scale, (4, 2), dtype=torch.float64)
    for n in range(6):
        for k in range(5):
            assert w[n, k] == float(wq[n, k].float()) * float(scale[n // 4, k // 2])


def test_to_block_scale_maps_per_tensor_and_per_channel_exactly():
    w = torch.randn(300, 200)
    per_tensor = torch.tensor([0.01])
    wq = (w / per_tensor).clamp(-448, 448).to(torch.float8_e4m3fn)
    block, block_size = to_block_scale(per_tensor, wq.shape)
    assert block_size == (128, 128) and block.shape == (3, 2)
    assert torch.equal(dequantize_fp8_block(wq, block, block_size, torch.float32), wq.float() * 0.01)

    per_channel = torch.rand(300, 1) + 0.1
    block, block_size = to_block_scale(per_channel, wq.shape)
    assert block_size == (1, 128) and block.shape == (300, 2)
    assert torch.equal(dequantize_fp8_block(wq, block, block_size, torch.float32), wq.float() * per_channel)
    assert torch.equal(to_block_scale(per_channel[:, 0], wq.shape)[0], block)

    with pytest.raises(Fp8FormatError, match=r"fits weight \[300, 200\]"):
        to_block_scale(torch.ones(5, 5), wq.shape)


@pytest.mark.parametrize("bad,match", [
    (torch.full((2, 3), float("nan")), "NaN or Inf"),
    (torch.tensor([[1.0, float("inf"), 1], [1, 1, 1]]), "NaN or Inf"),
    (torch.tensor([[1.0, -1.0, 1], [1, 1, 1]]), "negative"),
    (torch.ones(3, 2), r"expected a block scale of shape \[2, 3\]"),
    (torch.ones(2, 3, dtype=torch.int32), "scale dtype"),
])
def test_check_block_scale_rejects(bad, match):
    with pytest.raises(Fp8FormatError, match=match):
        check_block_scale(bad, (256, 300), (128, 128), key="x.weight_scale_inv", file="f.safetensors")


def test_zero_scale_is_legal():
    check_block_scale(torch.zeros(2, 3), (256, 300), (128, 128))


def test_quantize_rejects_bad_input():
    with pytest.raises(Fp8FormatError):
        quantize_fp8_block(torch.randn(4))
    with pytest.raises(Fp8FormatError):
        quantize_fp8_block(torch.tensor([[float("nan")]]))
    with pytest.raises(Fp8FormatError):
        quantize_fp8_block(torch.randn(4, 4), block_size=(0, 128))
    with pytest.raises(Fp8FormatError):
        dequantize_fp8_block(torch.randn(4, 4), torch.ones(1, 1))
