"""exp59: fp32 -> e4m3 on the GPU: which formulation gives torch's bytes (split kernel debugging)."""
import torch
import triton
import triton.language as tl
import importlib
fbm = importlib.import_module("fp8blk.kernels.fp8_block_matmul")
tile = importlib.import_module("fp8blk.kernels.fp8_tile")


@triton.jit
def conv(v_ptr, out_u8_ptr, out_f8_ptr, N, BLOCK: tl.constexpr, MODE: tl.constexpr):
    offs = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    mask = offs < N
    v = tl.load(v_ptr + offs, mask=mask, other=0.0)
    if MODE == 0:  # convert, bitcast, store bytes
        tl.store(out_u8_ptr + offs, v.to(tl.float8e4nv).to(tl.uint8, bitcast=True), mask=mask)
    elif MODE == 1:  # convert, store to an fp8 pointer
        tl.store(out_f8_ptr + offs, v.to(tl.float8e4nv), mask=mask)
    elif MODE == 2:  # convert with explicit rtne
        tl.store(out_f8_ptr + offs, v.to(tl.float8e4nv, fp_downcast_rounding="rtne"), mask=mask)
    else:  # the bits path
        byte, _ = tile._round_to_e4m3(v)
        tl.store(out_u8_ptr + offs, byte, mask=mask)


torch.manual_seed(0)
v = (torch.randn(1 << 20, device="cuda") * 60).clamp(-255, 255)
ref = v.to(torch.float8_e4m3fn).view(torch.uint8)
for mode in range(4):
    u8 = torch.zeros_like(ref)
    f8 = torch.zeros(v.numel(), dtype=torch.float8_e4m3fn, device="cuda")
    conv[(v.numel() // 1024,)](v, u8, f8, v.numel(), BLOCK=1024, MODE=mode)
    got = u8 if mode in (0, 3) else f8.view(torch.uint8)
    diff = (got != ref).sum().item()
    print(f"mode {mode}: bytes differing {diff}", got[:6].tolist(), ref[:6].tolist())
# the split kernel itself, both paths, against torch
for k in (1024, 7168, 20000):
    x = torch.randn(64, k, device="cuda").to(torch.bfloat16)
    for bits in (False, True):
        terms, scale = fbm._split_x_buffers(torch.device("cuda", 0), 64, k)
        plan = fbm._split_x_plan(64, k, x.stride(), bits)
        fbm._launch(fbm._split_x_kernel, plan, torch.device("cuda", 0), (x, terms, scale))
        tv = x.float() / scale[:, None]
        hi = tv.to(torch.float8_e4m3fn)
        lo = (tv - hi.float()).to(torch.float8_e4m3fn)
        print(f"split k={k} bits={bits}: high differ {(terms[:64] != hi.view(torch.uint8)).sum().item()} low differ {(terms[64:] != lo.view(torch.uint8)).sum().item()}; scale {scale[:3].tolist()}")
