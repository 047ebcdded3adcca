"""Triton device functions shared by fp8blk's kernels: fp8 bits to floats, block scales to fp32, the tensor-core
dot (with its CPU-interpreter workaround), and the output epilogue with the ordered split-K reduction.
torch + triton only."""
import triton
import triton.language as tl


@triton.jit
def _fp8_bytes_to(w, dtype: tl.constexpr, INTEGER_DEQUANT: tl.constexpr):
    """e4m3 bytes -> ``dtype``, exactly; the integer path gives value * 2**-8 (``_scale_to_fp32`` undoes it).

    bf16 goes through fp32 (exact; the last step packs bf16 pairs): the direct route ends in an f16 -> bf16
    conversion (F2F), one per element on sm_90's quarter-rate conversion pipe, which bounds the MMA paths."""
    if INTEGER_DEQUANT:  # sign, 4-bit exponent and 3-bit mantissa land in place in an fp16: value * 2**-8
        bits = w.to(tl.uint16)
        w = (((bits & 0x80) << 8) | ((bits & 0x7F) << 7)).to(tl.float16, bitcast=True)
    else:
        w = w.to(tl.float8e4nv, bitcast=True)
    if dtype == tl.bfloat16:
        w = w.to(tl.float32)
    return w.to(dtype)


@triton.jit
def _as_fp8(t):
    """e4m3 values as ``tl.float8e4nv`` (bytes are reinterpreted; a tile that already is fp8 passes through)."""
    if t.dtype == tl.uint8:
        t = t.to(tl.float8e4nv, bitcast=True)
    return t


@triton.jit
def _dot(a, b, acc, DOT_IN_FP32: tl.constexpr):
    """``a @ b (+ acc)`` on the tensor cores, fp32 accumulation (``acc`` None: a fresh sum). ``DOT_IN_FP32`` (set only
    under Triton's CPU interpreter, whose bf16 dot is broken) multiplies fp32 copies: exact for bf16/fp16 products."""
    if DOT_IN_FP32:
        result = tl.dot(a.to(tl.float32), b.to(tl.float32), acc, input_precision="ieee")
    else:
        result = tl.dot(a, b, acc)
    return result


@triton.jit
def _scale_to_fp32(s, INTEGER_DEQUANT: tl.constexpr, SCALE_E8M0: tl.constexpr):
    """A loaded block scale as fp32 (times 2**8 on the integer path)."""
    if SCALE_E8M0:  # UE8M0 byte e -> 2**(e - 127); e = 0 is the fp32 subnormal 2**-127
        e = s.to(tl.int32)
        s = tl.where(e == 0, 0x00400000, e << 23).to(tl.float32, bitcast=True)
    else:
        s = s.to(tl.float32)
    if INTEGER_DEQUANT:
        s = s * 256.0
    return s


@triton.jit
def _write_output(acc, y_ptr, bias_ptr, partial_ptr, counter_ptr, offs_n, offs_m, mask_n, mask_m,
                  group, split, tile_id, M, N, stride_ym, stride_yn, SPLIT_K: tl.constexpr, HAS_BIAS: tl.constexpr):
    """Stores a ``[BLOCK_N, BLOCK_M]`` fp32 tile of ``y.T`` (+ bias) in y's dtype; with ``SPLIT_K > 1``
    via the ordered split-K reduction: each split writes its partial, the last to arrive sums them in
    split order (bitwise deterministic), stores y and resets the tile's counter. The reset is relaxed: no fence
    waits for the y stores (every kernel that takes a counter waits for the previous grid to finish, PDL or not,
    before its first access), and the partials are loaded several at a time, not one round trip each
    (``benchmarks/NOTES.md`` item 151)."""
    y_ptrs = y_ptr + offs_n[:, None] * stride_yn + offs_m[None, :] * stride_ym
    y_mask = mask_n[:, None] & mask_m[None, :]
    if SPLIT_K == 1:
        if HAS_BIAS:
            acc += tl.load(bias_ptr + group * N + offs_n, mask=mask_n, other=0.0).to(tl.float32)[:, None]
        tl.store(y_ptrs, acc.to(y_ptr.dtype.element_ty), mask=y_mask)
    else:
        # [groups, SPLIT_K, M, N] fp32 partials; the last program of the tile reduces them in order.
        part_ptrs = partial_ptr + (group * SPLIT_K * M) * N + offs_m[None, :] * N + offs_n[:, None]
        tl.store(part_ptrs + split * M * N, acc, mask=y_mask)
        arrived = tl.atomic_add(counter_ptr + tile_id, 1, sem="acq_rel")
        if arrived == SPLIT_K - 1:
            total = tl.zeros(acc.shape, dtype=tl.float32)
            # PARTS partials loaded at once (all of them, or as many as keep 8192 fp32 values in flight: 64 registers
            # a thread at 4 warps), added in split order; past SPLIT_K the loads are masked off and add +0.0, which
            # leaves the sum's bits unchanged (it starts at +0.0, so it is never -0.0)
            ELEMENTS: tl.constexpr = acc.shape[0] * acc.shape[1]
            PARTS: tl.constexpr = SPLIT_K if SPLIT_K * ELEMENTS <= 8192 else (8192 + ELEMENTS - 1) // ELEMENTS
            for first in tl.range(0, SPLIT_K, PARTS, loop_unroll_factor=1):
                for part in tl.static_range(PARTS):
                    total += tl.load(part_ptrs + (first + part) * M * N, mask=y_mask & (first + part < SPLIT_K),
                                     other=0.0, cache_modifier=".cg")
            if HAS_BIAS:
                total += tl.load(bias_ptr + group * N + offs_n, mask=mask_n, other=0.0).to(tl.float32)[:, None]
            tl.store(y_ptrs, total.to(y_ptr.dtype.element_ty), mask=y_mask)
            tl.atomic_xchg(counter_ptr + tile_id, 0, sem="relaxed")
