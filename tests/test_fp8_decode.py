"""The decode kernel (kernels/fp8_decode.py, M <= DECODE_MAX_M = 32, or 64 on small layers and on the tile rule's
one-a-SM 64 x 64 launches): numerics against float64 on ragged shapes, every dtype combination, groups and block
sizes (interpreter on CPU, the real kernel on a GPU), determinism, its launch rule, and ahead-of-time builds for
Ampere (sm_80, integer dequant) and Hopper (sm_90)."""
import itertools
import math

import pytest
import torch

from aot_helpers import config_key, run_aot_jobs
from kernel_cases import DEVICE, TOL, forget_plans, launch_plan, make, on_faked_gpu, reference, rel_err
from fp8blk.kernels import KernelConfig, fp8_block_matmul, fp8_decode
from fp8blk.kernels.fp8_decode import (CUDA_CORE_PAIR_BYTES_PER_SM, DECODE_MAX_M, ROW_PIECES_PAIR_BYTES_PER_SM,
                                       ROW_PIECES_PAIR_MAX_ROWS, H100_DRAM_GBPS,
                                       IN_FLIGHT_US, MMA_MIN_STEPS_PER_SPLIT, NARROW_MMA_BYTES_PER_SM, SMALL_LAYER_BYTES_PER_SM,
                                       SMALL_LAYER_MAX_M, STEP_PAD_CUT, TMA_BALANCED, TMA_BUILD_PROGRAMS_PER_SM,
                                       TMA_MIN_STEPS, TMA_REBALANCE_FEW_PROGRAMS_PER_SM, TMA_REBALANCE_MAX_M,
                                       TMA_REBALANCE_UP_MIN_M, TMA_SHORT_K_MIN_M, TMA_WIDE_SPLIT_MAX_M,
                                       TMA_WIDE_SPLIT_PROGRAMS_PER_SM, WAVE_TILES_FILL, WAVE_TILES_MAX_STEPS,
                                       WAVE_TILES_MIN_M, WAVE_TILES_SHORT_M_MAX_STEPS, DecodeConfig, decode_config,
                                       drops_masks, keeps_row_pieces, on_tile_geometry, reads_x_in_row_groups,
                                       takes_decode)

CUDA_CORES = DecodeConfig(4, 1, 128, 4, 2, False, 4, 2)  # M = 1 path, split
CUDA_CORE_ROWS = DecodeConfig(4, 4, 128, 4, 2, False, 4, 3)  # CUDA cores, up to 4 rows of x per program, split
WIDE_STEPS = DecodeConfig(32, 1, 128, 4, 4, False, 4, 2)  # 32 rows x 512 columns a step: 128 weights a thread, split
ONE_ROW = DecodeConfig(1, 2, 128, 4, 2, False, 4, 2)  # CUDA cores, one weight row per program (no row pieces), split
TENSOR_CORES = DecodeConfig(64, 16, 128, 2, 3, True, 4, 3)  # M = 2..16 path, split (3: not a power of two)
TENSOR_CORES_32 = DecodeConfig(64, 32, 128, 1, 2, True, 4, 3)  # M = 17..32: 32 columns, split in two
TENSOR_CORES_TMA = DecodeConfig(64, 16, 128, 1, 3, True, 4, 4, tma=True)  # weight boxes by TMA (sm_90+), split
TENSOR_CORES_16_ROWS = DecodeConfig(16, 16, 128, 1, 2, True, 4, 3)  # 16-row weight tiles (mma.sync on every GPU)


def run(x, wq, scale, b, block=(128, 128), **kwargs):
    to = lambda t: None if t is None else t.to(DEVICE)  # noqa: E731
    return fp8_block_matmul(to(x), to(wq), to(scale), to(b), block, **kwargs)


def plan_kind(m, n, k, config=None, block=(128, 128), groups=1):
    return launch_plan(m, n, k, groups=groups, block=block, config=config).kind


def test_small_m_takes_the_decode_kernel_and_larger_m_the_tile_kernel():
    """M <= 32 on every layer; M <= 64 on layers of at most SMALL_LAYER_BYTES_PER_SM weight bytes per SM (groups
    counted); never with batch_invariant beyond M = 1's launch."""
    assert {plan_kind(m, 4096, 4096) for m in (1, 2, 16, DECODE_MAX_M)} == {"decode"}
    assert plan_kind(DECODE_MAX_M + 1, 4096, 4096) == "tile"  # 16 MB: the tile kernel
    assert {plan_kind(m, 512, 4096) for m in (DECODE_MAX_M + 1, 48, SMALL_LAYER_MAX_M)} == {"decode"}  # 2 MB
    assert plan_kind(SMALL_LAYER_MAX_M + 1, 512, 4096) == "tile"
    assert plan_kind(1, 512, 4096, config=TENSOR_CORES) == "decode"
    small = SMALL_LAYER_BYTES_PER_SM * 132  # bytes of the largest small layer on 132 SMs (the CPU's stand-in count)
    assert takes_decode(64, small // 4096, 4096, 1, 132) and not takes_decode(64, small // 4096 + 1, 4096, 1, 132)
    assert takes_decode(40, 1024, 4096, 1, 132) and not takes_decode(40, 1024, 4096, 8, 132)  # 8 groups: 32 MB
    assert not takes_decode(40, 1024, 4096, 1, 16)  # fewer SMs: 4 MB is 256 KB an SM
    assert launch_plan(48, 512, 4096, batch_invariant=True).kind == "tile"


@pytest.mark.parametrize("m", [1, 2, 5, 16, 27, 47])  # 47: a small layer's M = 33-64 (64 columns)
@pytest.mark.parametrize("n,k", [(200, 300), (70, 1000), (33, 17 * 16), (130, 2048)])
@pytest.mark.parametrize("dequant", ["native", "integer"])
def test_ragged_shapes_by_rule(m, n, k, dequant):
    x, wq, scale, b = make(m, n, k, bias=True)
    out = torch.full((m, n), float("nan"), dtype=torch.bfloat16, device=DEVICE)  # every element must be written
    y = run(x, wq, scale, b, out=out, dequant=dequant)
    assert plan_kind(m, n, k) == "decode"
    assert not torch.isnan(y).any()
    assert rel_err(y, reference(x, wq, scale, b)) < TOL[torch.bfloat16]


DTYPE_PAIRS = list(itertools.product([torch.bfloat16, torch.float16],
                                     [torch.float32, torch.bfloat16, torch.float16, torch.float8_e8m0fnu]))
DTYPE_CONFIGS = [CUDA_CORES, CUDA_CORE_ROWS, WIDE_STEPS, TENSOR_CORES, TENSOR_CORES_32, TENSOR_CORES_16_ROWS]


# every x dtype x scale dtype on every launch kind; a bias on half of each kind's pairs, and on each pair for half the
# kinds (bias is added after the dtype-dependent work; every combination with both was 96 cases, ~8 minutes of a core)
@pytest.mark.parametrize("x_dtype,scale_dtype,bias,config", [
    (x_dtype, scale_dtype, (i + j) % 2 == 1, config)
    for j, config in enumerate(DTYPE_CONFIGS) for i, (x_dtype, scale_dtype) in enumerate(DTYPE_PAIRS)], ids=str)
def test_every_dtype_combination_on_both_paths(x_dtype, scale_dtype, bias, config):
    m = 27 if config.block_m == 32 else 7 if config.use_mma else 3 if config.block_m > 1 else 1
    x, wq, scale, b = make(m, 136 if not config.use_mma else 300, 520,
                           x_dtype, scale_dtype, bias)  # fewer CUDA-core programs: the interpreter runs each in Python
    for dequant in ("native", "integer"):
        y = run(x, wq, scale, b, config=config, dequant=dequant)
        assert y.dtype == x_dtype
        assert rel_err(y, reference(x, wq, scale, b)) < TOL[x_dtype]


@pytest.mark.parametrize("groups", [2, 3])
@pytest.mark.parametrize("m", [1, 2, 6, 24, 40])  # 2: CUDA cores, two rows a program (small layer); 24: 32 columns
def test_groups_in_one_launch(groups, m):
    x, wq, scale, b = make(m, 128, 384, bias=True, groups=groups)
    y = run(x, wq, scale, b, groups=groups, config=DecodeConfig(16, 1, 128, 2, 2, False, 4, 2) if m == 1 else None)
    assert plan_kind(m, 128, 384, groups=groups) == "decode"
    assert rel_err(y, reference(x, wq, scale, b, groups=groups)) < TOL[torch.bfloat16]


@pytest.mark.parametrize("block", [(64, 64), (1, 128), (128, 48), (32, 256)])
@pytest.mark.parametrize("m", [1, 2, 3])
def test_other_block_sizes(block, m):
    x, wq, scale, b = make(m, 70 if m == 1 else 150, 700, block=block)
    y = run(x, wq, scale, b, block)
    assert rel_err(y, reference(x, wq, scale, b, block)) < TOL[torch.bfloat16]


@pytest.mark.parametrize("config", [CUDA_CORES, DecodeConfig(1, 1, 128, 2, 4, False, 4, 2), CUDA_CORE_ROWS, WIDE_STEPS,
                                    TENSOR_CORES, DecodeConfig(64, 16, 128, 1, 8, True, 4, 4)], ids=str)
def test_split_k_is_deterministic_bitwise(config):
    """The ordered split-K reduction gives the reference and the same bits again (the interpreter runs programs one
    at a time, so one repeat shows the order is fixed; the GPU check repeats 20 times with programs racing)."""
    m = 9 if config.use_mma else 3 if config.block_m > 1 else 1  # 3 of 4 rows: a ragged M
    x, wq, scale, b = make(m, 40 if not config.use_mma else 256, 1000, bias=True)
    first = run(x, wq, scale, b, config=config)
    assert rel_err(first, reference(x, wq, scale, b)) < TOL[torch.bfloat16]
    assert torch.equal(first, run(x, wq, scale, b, config=config))


@pytest.mark.parametrize("x_dtype,scale_dtype", [(torch.bfloat16, torch.float32), (torch.float16, torch.float8_e8m0fnu),
                                                 (torch.bfloat16, torch.bfloat16)], ids=str)
@pytest.mark.parametrize("groups", [1, 2])
@pytest.mark.parametrize("block_m", [16, 32, 64])  # 64: v76's launch of the tile rule's tiles, at M = 55
def test_tma_weight_boxes_match_pointer_loads_bitwise(x_dtype, scale_dtype, groups, block_m):
    """The TMA variant (the interpreter runs host descriptors as a GPU would: boxes zero-filled past N and K) gives
    bitwise the pointer-load result of the same launch, on a ragged shape (N, K not multiples of the box)."""
    n, k = (300, 528) if groups == 1 else (128, 400)  # K a multiple of 16 (TMA rows must be 16-byte aligned)
    config = TENSOR_CORES_TMA._replace(block_m=block_m, num_stages=3 if block_m == 32 else 4)
    x, wq, scale, b = make(block_m - 9, n, k, x_dtype, scale_dtype, bias=True, groups=groups)
    for dequant in ("native", "integer"):
        y = run(x, wq, scale, b, groups=groups, config=config, dequant=dequant)
        assert rel_err(y, reference(x, wq, scale, b, groups=groups)) < TOL[x_dtype]
        pointer = run(x, wq, scale, b, groups=groups, config=config._replace(tma=False), dequant=dequant)
        assert torch.equal(y, pointer)


WAVE_OF_32_ROW_TILES = DecodeConfig(64, 32, 128, 1, 1, True, 4, 4, tma=True)  # v55's unsplit TMA launch at M = 17-32


@pytest.mark.parametrize("x_dtype,scale_dtype", [(torch.bfloat16, torch.float32), (torch.float16, torch.float8_e8m0fnu),
                                                 (torch.bfloat16, torch.bfloat16)], ids=str)
@pytest.mark.parametrize("groups", [1, 2])
def test_x_read_in_overlapping_row_groups_gives_the_masked_result(x_dtype, scale_dtype, groups):
    """v59: unsplit TMA launches of 32-row tiles at M = 17-31 read x in 16-row groups starting at min(16 g, M - 16)
    (no row mask; the last groups overlap) and store by the same rows: on a ragged shape every output row matches
    the float64 reference and the same launch's pointer-load build with its row mask (bitwise on the GPU:
    ``tests/gpu/run_all.py``; here numpy's matmul may round a column differently by its position), rows past M stay
    untouched, and an out prefilled with NaN is wholly written."""
    n, k = (300, 528) if groups == 1 else (128, 400)
    for m in (17, 31):  # the groups overlapping by 15 rows and by 1
        x, wq, scale, b = make(m, n, k, x_dtype, scale_dtype, bias=True, groups=groups)
        plan = launch_plan(m, n, k, groups=groups, config=WAVE_OF_32_ROW_TILES, interpreting=True)
        assert dict(plan.constexprs)["X_ROW_GROUPS"], m
        out = torch.full((m + 3, groups * n), float("nan"), dtype=x_dtype, device=DEVICE)
        y = run(x, wq, scale, b, groups=groups, config=WAVE_OF_32_ROW_TILES, out=out[:m])
        assert out[m:].isnan().all() and not y.isnan().any()
        assert rel_err(y, reference(x, wq, scale, b, groups=groups)) < TOL[x_dtype]
        masked = run(x, wq, scale, b, groups=groups, config=WAVE_OF_32_ROW_TILES._replace(tma=False))
        pointer_plan = launch_plan(m, n, k, groups=groups, config=WAVE_OF_32_ROW_TILES._replace(tma=False))
        assert not dict(pointer_plan.constexprs)["X_ROW_GROUPS"]
        assert rel_err(y, masked) < 1e-3, m


def test_row_groups_only_where_a_32_row_tma_launch_runs_unsplit_at_m_17_to_31():
    """v59 (NOTES item 109): exp119 measured row groups 1.02-1.09x on unsplit TMA launches of 32-row tiles at
    M = 17-31, 0.97-0.99x at M = 32 and 0.95-1.02x on split launches."""
    for m in range(1, 40):
        assert reads_x_in_row_groups(m, WAVE_OF_32_ROW_TILES) == (17 <= m <= 31), m
    for config in (WAVE_OF_32_ROW_TILES._replace(split_k=4), WAVE_OF_32_ROW_TILES._replace(tma=False),
                   WAVE_OF_32_ROW_TILES._replace(block_m=64), DecodeConfig(4, 32, 128, 4, 1, False, 4, 3)):
        assert not any(reads_x_in_row_groups(m, config) for m in range(1, 65)), config
    assert reads_x_in_row_groups(24, decode_config(24, 18432, 7168, 1, 128, 132, True, 4917))  # V3's M = 24 miss


H200_GBPS = 4917  # 2 x 3201 MHz x 6144 bits: what the H200's driver reports (decode_config's default is an H100's)


def test_tma_rule_for_long_programs_on_large_layers_only(monkeypatch):
    """With TMA available the rule takes it on the tensor-core path (M = 3..32) where the split for two programs per
    SM leaves each program >= 16 steps (no 16-step cap then), 4 stages deep where 3 keep fewer weight bytes in flight
    per SM than its share of DRAM bandwidth needs over IN_FLIGHT_US and the programs fit one round of shared memory
    at 4 (NOTES v39, items 85-86), else 3; elsewhere it gives the pointer-load launch. (The named launches below with
    v49's re-split off; the property check at the end with it on.)"""
    assert (IN_FLIGHT_US, H100_DRAM_GBPS) == (2.1, 3352)
    with monkeypatch.context() as v48_only:
        v48_only.setattr(fp8_decode, "TMA_REBALANCE_MAX_M", 0)
        tma = decode_config(4, 7168, 16384, 1, 128, 132, tma=True)  # 112 row tiles x 4 = 448 programs of 32 steps
        # H100: 3.4 programs a SM x 2 stages in flight x 8 KB = 54 KB
        assert tma.tma and (tma.split_k, tma.num_stages, tma.use_mma) == (4, 3, True)
        h200 = decode_config(4, 7168, 16384, 1, 128, 132, tma=True, dram_gbps=H200_GBPS)  # needs ~78 KB: 4 deep (82)
        assert h200 == tma._replace(num_stages=4)
        for gbps in (H100_DRAM_GBPS, H200_GBPS):
            assert decode_config(4, 6144, 16384, 1, 128, 132, True, gbps)[4:] == (4, True, 4, 4, True)  # 384: 2.9 a SM
        assert decode_config(4, 7168, 16384, 1, 128, 132).split_k == 8  # the pointer launch caps programs at 16 steps
        assert decode_config(16, 18432, 7168, 1, 128, 132, tma=True)[:5] == (64, 16, 128, 1, 1)  # 288 tiles: no split
        # M = 17..32 (64 x 32 programs, 64 KB at 4 stages: 3 per SM): 448 programs take 3 stages, 288 take 4
        for gbps in (H100_DRAM_GBPS, H200_GBPS):
            wide = decode_config(32, 7168, 16384, 1, 128, 132, tma=True, dram_gbps=gbps)
            assert wide.tma and (wide.block_m, wide.split_k, wide.num_stages) == (32, 4, 3)
            assert decode_config(24, 18432, 7168, 1, 128, 132, True, gbps)[3:] == (1, 1, True, 4, 4, True)
    for m, n, k in ((4, 3072, 7168), (1, 7168, 16384), (32, 3072, 7168), (16, 65536, 1536), (2, 2048, 4096)):
        assert decode_config(m, n, k, 1, 128, 132, tma=True) == decode_config(m, n, k, 1, 128, 132)
    for (n, k), m, sm_count, groups, gbps in itertools.product(SHAPES, (2, 3, 9, 16, 32), (132, 108, 78), (1, 8),
                                                               (2000, H100_DRAM_GBPS, H200_GBPS, 8000)):
        cfg = decode_config(m, n, k, groups, 128, sm_count, tma=True, dram_gbps=gbps)
        if cfg.tma:
            tiles = math.ceil(n / 64) * groups
            wave_split = min(16, 1 << math.ceil(math.log2(math.ceil(0.95 * 2 * sm_count / tiles))))
            box = 64 * 128
            three_deep = min(TMA_BUILD_PROGRAMS_PER_SM, 228 * 1024 // (3 * (box + cfg.block_m * 128 * 2)))
            long_programs = math.ceil(math.ceil(k / 128) / wave_split) >= TMA_MIN_STEPS
            # v65 / v66: unsplit 64-row launches on short K, at M >= 17 always, below where one round holds them 3 deep
            short_k = (wave_split == 1 and cfg.block_n == 64
                       and (m >= TMA_SHORT_K_MIN_M or tiles <= three_deep * sm_count))
            assert cfg.use_mma and (long_programs or short_k)
            assert tiles * wave_split >= 0.95 * 2 * sm_count or wave_split == 16
            per_sm = tiles * wave_split / sm_count
            needed = gbps * 1e3 / sm_count * IN_FLIGHT_US
            fit = 228 * 1024 // (4 * (box + cfg.block_m * 128 * 2))  # programs per SM at 4 stages
            deep = math.ceil(per_sm) <= fit and per_sm * 2 * box < needed  # 4 stages (v48), else 3
            wide = (long_programs and deep and m <= TMA_WIDE_SPLIT_MAX_M and per_sm * 3 * box < needed
                    and tiles * 2 * wave_split <= TMA_WIDE_SPLIT_PROGRAMS_PER_SM * sm_count)
            split = min(16, 2 * wave_split) if wide else wave_split  # v47: the test below
            if (cfg.split_k, cfg.num_stages) != (split, 4 if deep else 3):  # v49: re-split evenly (the test below)
                steps = math.ceil(k / 128)
                fits = [s for s in range(1, 17)
                        if math.ceil(steps / s) >= 16 and math.ceil(tiles * s / sm_count) <= three_deep]
                assert m <= TMA_REBALANCE_MAX_M and (m <= TMA_WIDE_SPLIT_MAX_M or tiles * split < 3 * sm_count)
                assert cfg.num_stages == 3 and cfg.split_k in fits
                assert balance(tiles, cfg.split_k, sm_count) >= balance(tiles, split, sm_count) + 0.05
                assert balance(tiles, split, sm_count) < TMA_BALANCED
                assert m < TMA_REBALANCE_UP_MIN_M or cfg.split_k > split  # v65: M > 16 towards more programs only
                assert all(balance(tiles, s, sm_count) <= balance(tiles, cfg.split_k, sm_count) for s in fits)


def balance(tiles, split, sm_count):
    """A launch's programs a SM over its ceiling: how evenly they fill their rounds."""
    return round(tiles * split / sm_count / math.ceil(tiles * split / sm_count), 2)


def test_tma_rule_rebalances_uneven_launches_within_the_builds_residency():
    """v49 (NOTES item 92): a TMA launch whose programs fill their rounds unevenly (programs a SM / its ceiling <
    TMA_BALANCED) at M <= 8, or at M = 9..16 with fewer than 3 programs a SM, takes the split that fills them most
    evenly with at most TMA_BUILD_PROGRAMS_PER_SM (6: the build's registers) a SM, 3 stages deep, where that is at
    least 0.05 more even; the launches exp96 / exp98 timed take what was measured faster."""
    assert (TMA_BALANCED, TMA_REBALANCE_MAX_M, TMA_REBALANCE_FEW_PROGRAMS_PER_SM, TMA_BUILD_PROGRAMS_PER_SM) == (
        0.9, 32, 3, 6)
    for m in (2, 4, 8):  # 448 programs (3.4 a SM at 4 stages) -> 7 splits of 112 tiles: 5.94 a SM
        for n, k in ((7168, 16384), (7168, 18432)):
            assert decode_config(m, n, k, 1, 128, 132, True, H200_GBPS)[4:] == (7, True, 4, 3, True)
    for m in (2, 4, 8, 16):  # 172 tiles x 2 (2.6 a SM) -> x 3 (3.9 a SM)
        assert decode_config(m, 11008, 8192, 1, 128, 132, True, H200_GBPS)[4:] == (3, True, 4, 3, True)
    for (n, k), split in (((9216, 8192), 4), ((5120, 20480), 8), ((10240, 12288), 4), ((9728, 10240), 5)):
        assert decode_config(16, n, k, 1, 128, 132, True, H200_GBPS)[4:] == (split, True, 4, 3, True)
    # kept: the 448-program launch at M = 16 (3.4 a SM: 0.97-0.98x re-split), launches already even (2.9 of 3 a SM
    # re-split lost 1-5%), and 9216 x 12288 at M <= 8 (v47's 4.4 a SM: the best even split within 6 a SM, 5.45, is
    # not 0.05 more even) or 18432 x 7168 (7 splits would need 7 programs a SM)
    assert decode_config(16, 7168, 16384, 1, 128, 132, True, H200_GBPS)[4:] == (4, True, 4, 4, True)
    for m in (2, 4, 8, 16):
        assert decode_config(m, 6144, 12288, 1, 128, 132, True, H200_GBPS)[4:] == (4, True, 4, 4, True)
        assert decode_config(m, 12288, 10240, 1, 128, 132, True, H200_GBPS)[4:] == (2, True, 4, 4, True)
    for m in (2, 4, 8):
        assert decode_config(m, 9216, 12288, 1, 128, 132, True, H200_GBPS)[4:] == (4, True, 4, 4, True)
        assert decode_config(m, 18432, 7168, 1, 128, 132, True, H200_GBPS)[4:] == (2, True, 4, 4, True)
    assert decode_config(24, 11008, 8192, 1, 128, 132, True, H200_GBPS)[4:] == (3, True, 4, 3, True)  # v65 below


def test_tma_rule_takes_short_k_and_at_m_17_to_32_more_programs():
    """v65 (NOTES item 122): with 32-row tiles (M = 17-32), unsplit 64-row launches take TMA on short K too (v64
    loaded those weights by pointers below TMA_MIN_STEPS steps), and v49's re-split applies up to M = 32 towards
    more programs only. exp142 (H200): 33 of 33 points where the launch changed 1.02-1.13x; exp141: a re-split to
    fewer programs (5120 x 17408 split 4 -> 3) 0.93-0.99x, so not that. v66 (NOTES item 123): at M = 2-16 (tensor
    cores) the same where one round of programs 3 stages deep holds the launch (at most 6 a SM: the build's
    registers); exp143 (fitted): 28 of 28 such points 1.01-1.19x, and 65536 x 1536 (7.8 programs a SM: two rounds)
    0.86-1.00x; exp144 (10 layers never timed, M = 2-16): 50 of 50 points 1.05-1.28x."""
    assert (TMA_SHORT_K_MIN_M, TMA_REBALANCE_UP_MIN_M, TMA_MIN_STEPS) == (17, 17, 16)
    for n, k, stages, low_m_stages in ((32768, 1024, 3, 4), (32768, 512, 3, 4), (28672, 1536, 3, 4),
                                       (24576, 1536, 4, 4), (16384, 1536, 4, 4), (20480, 1024, 4, 4),
                                       (49152, 1024, 3, 3), (36864, 768, 3, 3), (65536, 1536, 3, None)):
        for m in (2, 3, 4, 8, 12, 16, 17, 20, 24, 32):
            config = decode_config(m, n, k, 1, 128, 132, True, H200_GBPS)
            expected = stages if m >= TMA_SHORT_K_MIN_M else low_m_stages
            if expected is None:  # 1024 tiles, 7.8 a SM: pointer loads below M = 17, as before
                assert not config.tma, (m, n, k)
            else:
                assert config[:2] == (64, max(16, 1 << (m - 1).bit_length())), (m, n, k)
                assert config[4:] == (1, True, 4, expected, True), (m, n, k)
            assert not decode_config(m, n, k, 1, 128, 132).tma  # without TMA: pointer loads, as before
    for m in (2, 16):  # M = 2 on CUDA cores (layers up to ~8.6 MB) takes no TMA
        assert not decode_config(m, 8192, 1024, 1, 128, 132, True, H200_GBPS).tma
    for m in (17, 24, 32):
        assert not decode_config(m, 8192, 1024, 1, 128, 132, True, H200_GBPS).tma  # 32-row tiles: not measured
        for n, k in ((9216, 12288), (10240, 7168), (10240, 16384)):  # 2.2 -> 3.3, 2.4 -> 3.6 programs a SM
            assert decode_config(m, n, k, 1, 128, 132, True, H200_GBPS)[4:] == (3, True, 4, 3, True), (m, n, k)
        # kept: a re-split to fewer programs (split 4 -> 3, 2.4 -> 1.8 a SM), launches with no even split within 4
        # programs a SM (288 tiles: 2.2 a SM, split 2 needs 5), and 448-program launches (3.4 a SM: not "few")
        assert decode_config(m, 5120, 17408, 1, 128, 132, True, H200_GBPS)[4:] == (4, True, 4, 4, True)
        assert decode_config(m, 18432, 7168, 1, 128, 132, True, H200_GBPS)[4:] == (1, True, 4, 4, True)
        assert decode_config(m, 7168, 16384, 1, 128, 132, True, H200_GBPS)[4:] == (4, True, 4, 3, True)


def test_tma_rule_splits_few_deep_programs_twice_as_far_at_small_m(monkeypatch):
    """v47 (NOTES items 80, 86): at M <= TMA_WIDE_SPLIT_MAX_M (8), a TMA launch the rule takes 4 stages deep whose
    weight in flight per SM is still short of what DRAM bandwidth needs splits twice as far (at most 16) where that
    leaves at most TMA_WIDE_SPLIT_PROGRAMS_PER_SM (5) programs per SM; M = 16, 3-stage launches and launches that
    would exceed 5 programs per SM keep the wave split. Fitted on the H200; on an H100 (less bandwidth per SM) only
    launches keeping less than ~53 KB in flight double. (v49's re-split, which follows, off here.)"""
    assert (TMA_WIDE_SPLIT_MAX_M, TMA_WIDE_SPLIT_PROGRAMS_PER_SM) == (8, 5)
    monkeypatch.setattr(fp8_decode, "TMA_REBALANCE_MAX_M", 0)
    for m in (3, 4, 8):  # M = 2 of the first two layers: CUDA cores since v70
        for gbps in (H100_DRAM_GBPS, H200_GBPS):  # 256 programs x 3 x 8 KB = 47 KB in flight at 4 stages
            assert decode_config(m, 4096, 8192, 1, 128, 132, True, gbps)[4:] == (8, True, 4, 4, True)  # 64 tiles: 4 -> 8
            assert decode_config(m, 1024, 4096, 8, 128, 132, True, gbps).split_k == 4  # 8 groups x 16 tiles: 2 -> 4
            assert decode_config(m, 2048, 20480, 1, 128, 132, True, gbps).split_k == 16  # 32 tiles: 8 -> 16
        # 144 tiles x 2: 54 KB in flight, short of the H200's ~78 (2 -> 4), not of the H100's ~53
        assert decode_config(m, 9216, 12288, 1, 128, 132, tma=True, dram_gbps=H200_GBPS).split_k == 4
        assert decode_config(m, 9216, 12288, 1, 128, 132, tma=True).split_k == 2
    for gbps in (H100_DRAM_GBPS, H200_GBPS):
        assert decode_config(16, 4096, 8192, 1, 128, 132, True, gbps)[4:] == (4, True, 4, 4, True)  # M = 16: as before
        assert decode_config(4, 6144, 16384, 1, 128, 132, True, gbps).split_k == 4  # 96 tiles x 8 = 5.8 a SM
        assert decode_config(4, 7168, 16384, 1, 128, 132, True, gbps).split_k == 4  # 448 programs: not doubled
        assert decode_config(4, 1024, 32768, 1, 128, 132, True, gbps).split_k == 16  # 16 tiles x 16: the cap
    assert decode_config(16, 4096, 8192, 1, 128, 64, tma=True).split_k == 2  # 64 SMs: the wave split is 2 ...
    assert decode_config(4, 4096, 8192, 1, 128, 64, tma=True).split_k == 4  # ... and doubles (4 programs a SM)
    assert decode_config(4, 4096, 8192, 1, 128, 132).split_k == decode_config(16, 4096, 8192, 1, 128, 132).split_k


def test_tma_rule_runs_a_wave_of_short_64_row_programs_unsplit():
    """v55 (NOTES item 107): with TMA at M >= WAVE_TILES_MIN_M (8), 64-row tiles making WAVE_TILES_FILL (0.8) to one
    wave on K of at most WAVE_TILES_MAX_STEPS (24) steps run unsplit, 4 stages, by TMA (H200, exp112: 8192 x 1536,
    8192 x 2048, 7168 x 2048 and 7168 x 3072 at M = 8-32, 18 of 20 points 1.03-1.21x the split launch, two level);
    longer K, fewer or more tiles, 32-row tiles, M < 8 and launches without TMA keep the split."""
    assert (WAVE_TILES_FILL, WAVE_TILES_MIN_M, WAVE_TILES_MAX_STEPS) == (0.8, 8, 24)
    for m in (8, 12, 16, 24, 32):
        for n, k in ((8192, 1536), (8192, 2048), (7168, 2048), (7168, 3072)):
            config = decode_config(m, n, k, 1, 128, 132, True, H200_GBPS)
            block_m = max(16, 1 << (m - 1).bit_length())
            assert config[:2] == (64, block_m) and config[4:] == (1, True, 4, 4, True), (m, n, k)
            assert decode_config(m, n, k, 1, 128, 132).split_k > 1, (m, n, k)  # without TMA: the split
        assert decode_config(m, 6144, 5120, 1, 128, 132, True, H200_GBPS).split_k == 4  # 96 tiles: 0.73 of a wave
        assert decode_config(m, 7168, 4096, 1, 128, 132, True, H200_GBPS).split_k > 1  # 32 steps
        assert decode_config(m, 10240, 3072, 1, 128, 132, True, H200_GBPS).split_k > 1  # 160 tiles: above one wave
        assert decode_config(m, 4096, 2048, 1, 128, 132, True, H200_GBPS)[:5:4] == (32, 4)  # 32-row tiles
    assert decode_config(4, 8192, 3072, 1, 128, 132, True, H200_GBPS).split_k > 1  # M below 8: 24 steps (v57)
    assert decode_config(16, 8192, 1536, 1, 128, 148, True, H200_GBPS).split_k == 1  # 128 tiles: 0.86 of 148 SMs
    assert decode_config(16, 8192, 1536, 1, 128, 170, True, H200_GBPS).split_k > 1  # 0.75 of 170
    assert decode_config(16, 4096, 1536, 2, 128, 132, True, H200_GBPS).split_k == 1  # 2 groups of 64 tiles


def test_below_m_8_a_wave_of_64_row_programs_runs_unsplit_on_16_steps_or_fewer():
    """v57 (NOTES item 108): on tensor cores below M = WAVE_TILES_MIN_M (M = 3-7, and 2 on large layers) v55's
    unsplit TMA launch where K is at most WAVE_TILES_SHORT_M_MAX_STEPS (16) steps (H200, exp113: 8192 x 1536 and
    8192 x 2048, 7168 x 2048 at M = 2 / 3 / 4 / 6 1.04-1.24x the split launch); on 24 steps (7168 x 3072, 0.97-0.98x)
    the split stays, and M = 1 and M = 2 on small layers keep CUDA cores (since v70 on these mid layers too: M = 2's
    CUDA-core row-piece launch ran 1.09x the wave on 8192 x 1536, exp164)."""
    assert WAVE_TILES_SHORT_M_MAX_STEPS == 16
    for m in (3, 4, 6, 7):
        for n, k in ((8192, 1536), (8192, 2048), (7168, 2048)):
            config = decode_config(m, n, k, 1, 128, 132, True, H200_GBPS)
            assert config == DecodeConfig(64, 16, 128, 1, 1, True, 4, 4, tma=True), (m, n, k)
            assert decode_config(m, n, k, 1, 128, 132).split_k > 1, (m, n, k)  # without TMA: the split
        assert decode_config(m, 7168, 3072, 1, 128, 132, True, H200_GBPS).split_k > 1  # 24 steps
        assert decode_config(m, 6144, 2048, 1, 128, 132, True, H200_GBPS).split_k > 1  # 96 tiles: 0.73 of a wave
    assert not decode_config(1, 8192, 1536, 1, 128, 132, True, H200_GBPS).tma  # M = 1: CUDA cores
    assert not decode_config(2, 2048, 2048, 1, 128, 132, True, H200_GBPS).use_mma  # M = 2 on a small layer
    assert not decode_config(2, 8192, 1536, 1, 128, 132, True, H200_GBPS).use_mma  # ... and on a mid one (v70)
    assert decode_config(2, 32768, 1024, 1, 128, 132, True, H200_GBPS).tma  # 32-row CUDA-core programs: the wave


def test_a_config_that_does_not_fit_is_a_clear_error():
    x, wq, scale, b = make(3, 128, 256)
    with pytest.raises(ValueError, match="does not fit M = 3"):
        run(x, wq, scale, b, config=CUDA_CORES)  # block_m = 1: one row of x per program
    with pytest.raises(ValueError, match="does not fit M = 20"):
        run(*make(20, 128, 256), config=TENSOR_CORES)
    with pytest.raises(ValueError, match="scale block_k = 64"):
        run(*make(1, 128, 256, block=(128, 64)), block=(128, 64), config=CUDA_CORES)
    for field in ("block_n", "block_m", "subs"):  # tile extents Triton needs as powers of two
        with pytest.raises(ValueError, match="must be powers of two"):
            run(x, wq, scale, b, config=CUDA_CORE_ROWS._replace(**{field: 3}))


SHAPES = [(512, 4096), (1024, 4096), (576, 7168), (2048, 4096), (4096, 8192), (32768, 1024), (18432, 7168),
          (7168, 16384), (65536, 1536), (24576, 1536), (100, 48)]


@pytest.mark.parametrize("sm_count", [132, 108, 78])
@pytest.mark.parametrize("m", [1, 2, 9, 16, 32])
def test_launch_rule_is_valid_for_any_shape_and_gpu(m, sm_count):
    for (n, k), groups, scale_block_k in itertools.product(SHAPES, (1, 8), (128, 48)):
        cfg = decode_config(m, n, k, groups, scale_block_k, sm_count)
        steps = math.ceil(k / (cfg.sub_k * cfg.subs))
        assert scale_block_k % cfg.sub_k == 0 and cfg.sub_k & (cfg.sub_k - 1) == 0  # a power of two in a block
        assert 1 <= cfg.split_k <= min(16, steps) and cfg.block_m >= m
        rows = min(32, 1 << max(0, round(math.log2(max(1.0, n * groups / (4 * sm_count))))))  # CUDA-core programs'
        pair = n * k * groups <= CUDA_CORE_PAIR_BYTES_PER_SM * sm_count or (
            n * k * groups <= ROW_PIECES_PAIR_BYTES_PER_SM * sm_count and 2 <= rows <= ROW_PIECES_PAIR_MAX_ROWS)
        assert cfg.use_mma == (m > 2 or (m == 2 and not pair))  # M = 2 on CUDA cores on small and mid layers only
        narrow = n * k * groups <= NARROW_MMA_BYTES_PER_SM * sm_count  # 32-row tensor-core tiles (NOTES v42)
        assert cfg.block_n == (32 if narrow else 64) if cfg.use_mma else cfg.block_m == m
        tiles = math.ceil(n / cfg.block_n) * groups
        programs = tiles * cfg.split_k
        if not cfg.use_mma and cfg.sub_k == 128 and n * groups >= 4 * sm_count:
            assert programs >= 2 * sm_count  # enough programs to keep every SM's loads in flight
        least_steps = MMA_MIN_STEPS_PER_SPLIT if cfg.use_mma else 1
        if cfg.use_mma and cfg.split_k > 1:
            assert steps >= least_steps * cfg.split_k  # each tensor-core split earns its partials' round trip
        if cfg.split_k < min(16, 1 << (max(1, steps // least_steps).bit_length() - 1)):  # not capped by its limits
            assert programs >= 0.95 * 2 * sm_count  # a first wave of about two programs on every SM
            if cfg.use_mma and narrow and cfg.split_k > 1:
                assert programs >= 0.95 * 4 * sm_count  # narrow tiles that split at all: about four per SM
        if cfg.use_mma and narrow and tiles >= 0.95 * 2 * sm_count:
            assert cfg.split_k == 1  # the narrow tiles alone make the first wave


def test_m_2_takes_cuda_cores_up_to_64_kb_a_sm_or_with_row_pieces_up_to_256_kb_else_m_4s_tensor_core_launch():
    """M = 2: the CUDA-core pair launch on layers of <= CUDA_CORE_PAIR_BYTES_PER_SM a SM (8 MB layers on 132 SMs,
    NOTES item 64), and since v70 (NOTES item 142) up to ROW_PIECES_PAIR_BYTES_PER_SM (~34.6 MB) where its programs
    take 2-16 rows (row pieces: exp164 1.07-1.25x on 10 layers, exp165 1.09-1.28x on 15 never timed); else exactly
    the tensor-core launch M = 4 takes (32-row CUDA-core programs lost to it: 32768 x 512 / 1024, 24576 x 1536)."""
    assert CUDA_CORE_PAIR_BYTES_PER_SM == 64 * 1024 and ROW_PIECES_PAIR_BYTES_PER_SM == 256 * 1024
    assert ROW_PIECES_PAIR_MAX_ROWS == 16
    for n, k in ((512, 4096), (2048, 4096), (4096, 2048), (8192, 1024),  # 2-8 MB
                 (1536, 7168), (2048, 7168), (7168, 2048), (8192, 1536), (4096, 8192), (5120, 6144), (1024, 32768)):
        cfg = decode_config(2, n, k, 1, 128, 132, tma=True)
        assert not cfg.use_mma and cfg.block_m == 2, (n, k)
        assert n * k <= 8 * 2 ** 20 or 2 <= cfg.block_n <= 16 and keeps_row_pieces(cfg), (n, k)
    for n, k in ((32768, 512), (32768, 1024), (24576, 1536), (7168, 16384), (256, 65536)):  # 32 or 1 rows; 117 MB
        assert decode_config(2, n, k, 1, 128, 132, tma=True) == decode_config(4, n, k, 1, 128, 132, tma=True), (n, k)
    assert decode_config(2, 8192, 1024, 1, 128, 120).use_mma is False  # 16 rows, 70 KB a SM on 120 SMs
    assert decode_config(2, 8192, 1024, 1, 128, 24).use_mma  # 349 KB a SM on 24 SMs
    assert not decode_config(2, 1024, 4096, 8, 128, 132).use_mma  # grouped: 8 x 1024 rows, 33.6 MB


def test_launch_rule_takes_narrow_tensor_core_tiles_on_small_layers():
    # <= 64 KB a SM: 32-row tiles split as 64-row ones would (4 programs per SM), or unsplit where they fill the wave
    assert decode_config(16, 2048, 4096, 1, 128, 132)[:5] == (32, 16, 128, 1, 8)  # 64 tiles x 8 = 512 programs
    assert decode_config(24, 4096, 2048, 1, 128, 132)[:5] == (32, 32, 128, 1, 4)
    assert decode_config(4, 8192, 1024, 1, 128, 132)[:5] == (32, 16, 128, 1, 1)  # 256 tiles: no split
    assert decode_config(32, 512, 7168, 1, 128, 132)[:5] == (32, 32, 128, 1, 16)
    # above 64 KB a SM (1536 x 7168: 10.5 MB on 132 SMs; 8192 x 1024 on 78 SMs) the 64-row wgmma tiles stay
    assert decode_config(16, 1536, 7168, 1, 128, 132).block_n == decode_config(16, 8192, 1024, 1, 128, 78).block_n == 64
    assert decode_config(16, 4096, 8192, 1, 128, 132, tma=True).block_n == 64


def test_launch_rule_reads_whole_rows_for_small_layers_and_splits_none():
    small = decode_config(1, 512, 4096, 1, 128, 132)
    assert (small.block_n, small.subs * small.sub_k, small.split_k) == (2, 4096, 1)  # two rows since v72
    big = decode_config(1, 16384, 7168, 1, 128, 132)  # 512 32-row tiles
    assert big.split_k == 1 and big.block_n * big.subs * big.sub_k == 8192  # 8 KB per step
    assert (small.num_stages, big.num_stages) == (2, 3)  # one step per program vs 14 steps: pipelined 3 deep
    assert decode_config(16, 4096, 8192, 1, 128, 132).split_k == 4  # 64 row tiles x 4 ~ 2 x 132 programs
    assert decode_config(16, 3072, 7168, 1, 128, 132).split_k == 8  # 48 x 4 = 192 would leave SMs with one
    # 16 row tiles would take 16 splits for 2 programs per SM, but 32 steps split 16 ways leave 2 steps a split
    assert decode_config(16, 1024, 4096, 1, 128, 132).split_k == 8
    assert decode_config(16, 512, 7168, 1, 128, 132).split_k == 16  # 56 steps: 3.5 a split
    # 16 steps (K = 2048) on few row tiles: 4 splits of 4 steps, not 16 one-step splits (example-tiny's layers)
    assert decode_config(16, 1536, 2048, 1, 128, 132).split_k == decode_config(4, 576, 2048, 1, 128, 132).split_k == 4
    assert decode_config(1, 65536, 1536, 1, 128, 132).num_stages == 3  # 6 steps per program: 3 deep
    assert decode_config(1, 32768, 1024, 1, 128, 132).num_stages == 2  # 4 steps


@pytest.mark.parametrize("config,m", [(CUDA_CORES, 1), (CUDA_CORE_ROWS, 3), (WIDE_STEPS, 1), (ONE_ROW, 2)], ids=str)
@pytest.mark.parametrize("x_dtype,scale_dtype",
                         [(torch.bfloat16, torch.float32), (torch.float16, torch.float8_e8m0fnu)], ids=str)
def test_cuda_core_steps_without_masks_where_n_and_k_fill_them(config, m, x_dtype, scale_dtype):
    """``EVEN_TILES``: the plan drops the CUDA-core path's masks where N is a multiple of the program's rows and K of
    its step (every load in bounds) on launches with row pieces (``ROW_PIECES``); a row or column more keeps them, as
    do launches without row pieces (128 weights a thread, one-row tiles). Either way the result is
    the reference's."""
    step = config.subs * config.sub_k
    pieces = keeps_row_pieces(config)
    for n, k, even in ((8 * config.block_n, 2 * step, pieces), (8 * config.block_n + 1, 2 * step, False),
                       (8 * config.block_n, 2 * step - 16, False)):
        plan = launch_plan(m, n, k, config=config, x_dtype=x_dtype)
        assert dict(plan.constexprs)["EVEN_TILES"] is even is drops_masks(n, k, config), (n, k)
        assert dict(plan.constexprs)["ROW_PIECES"] is pieces
        x, wq, scale, b = make(m, n, k, x_dtype, scale_dtype, bias=True)
        for dequant in ("native", "integer"):
            y = run(x, wq, scale, b, config=config, dequant=dequant)
            assert rel_err(y, reference(x, wq, scale, b)) < TOL[x_dtype], (n, k, dequant)
    assert not dict(launch_plan(4, 512, 4096, config=TENSOR_CORES).constexprs)["EVEN_TILES"]  # CUDA cores only


def test_row_pieces_where_a_thread_holds_at_most_64_weights_of_two_rows_or_more():
    """v69 (NOTES item 140): the CUDA-core path keeps 16-column row pieces (a thread holding all the tile's rows of
    its columns) on tiles of 2 rows or more with at most ``ROW_PIECES_MAX_WEIGHTS_PER_THREAD`` weights a thread;
    not on 32 rows x 512 columns on 4 warps (v46's deep streams: 128 a thread, where the build takes 109 registers
    against 61), on one-row tiles, nor on the tensor-core path."""
    assert fp8_decode.ROW_PIECES_MAX_WEIGHTS_PER_THREAD == 64
    assert keeps_row_pieces(CUDA_CORES) and keeps_row_pieces(CUDA_CORE_ROWS)
    assert not keeps_row_pieces(WIDE_STEPS) and not keeps_row_pieces(ONE_ROW)
    assert keeps_row_pieces(WIDE_STEPS._replace(num_warps=8)) and not keeps_row_pieces(TENSOR_CORES)
    assert not keeps_row_pieces(CUDA_CORES._replace(sub_k=8))  # a piece is a thread's 16-byte load
    for m, n, k, pieces in ((1, 2048, 4096, True), (2, 4096, 2048, True), (1, 32768, 1024, True),
                            (1, 65536, 1536, True), (1, 4096, 8192, True), (1, 7168, 16384, True),
                            (1, 512, 4096, True), (2, 512, 7168, True), (1, 512, 7168, False)):
        assert keeps_row_pieces(decode_config(m, n, k, 1, 128, 132)) is pieces, (m, n, k)


def test_cuda_core_steps_halve_where_k_would_pad_a_last_step_mostly_past_its_end():
    """v61 (NOTES item 112): on the CUDA-core path ``subs`` (scale blocks a step) halves while that cuts the block
    slots K is padded to by ``STEP_PAD_CUT`` (a quarter): a last step mostly past K's end costs a full step there.
    H200, exp121: 2880 x 2880 (23 blocks) 16 -> 8 at M = 1 / 2 6.64 / 8.63 -> 5.60 / 7.22 us, 1024 x 5120 (40) 32 -> 16
    4.87 / 6.77 -> 4.62 / 5.79; exp123 (six layers never timed, through the library) 11 of 12 points 1.00-1.17x."""
    assert STEP_PAD_CUT == 0.25
    for m in (1, 2):
        assert decode_config(m, 1024, 5120, 1, 128, 132).subs == 16  # 40 blocks: 2 x 32 slots -> 3 x 16
        assert decode_config(m, 2880, 2880, 1, 128, 132).subs == 8  # 23 blocks: 2 x 16 -> 3 x 8
        assert decode_config(m, 1024, 4096, 1, 128, 132).subs == 32  # 32 blocks: one full step
        assert decode_config(m, 512, 7168, 1, 128, 132).subs == 32  # 56 blocks: 16 pads to 64 as 32 does
        assert decode_config(m, 1024, 3584, 1, 128, 132).subs == 32  # 28 blocks: likewise
    for n, k, sm_count in itertools.product((512, 1024, 2880), range(256, 12800, 128), (132, 78)):
        cfg = decode_config(1, n, k, 1, 128, sm_count)
        if cfg.use_mma or cfg.block_n > 32:
            continue
        blocks, subs = math.ceil(k / 128), cfg.subs
        assert subs & (subs - 1) == 0 and subs <= 32
        if subs > 1:  # halving once more would not cut a quarter of the padded slots
            assert math.ceil(blocks / (subs // 2)) * (subs // 2) > (1 - STEP_PAD_CUT) * math.ceil(blocks / subs) * subs


def test_m_1_on_large_layers_takes_the_row_piece_launch_of_the_other_layers():
    """v71 (NOTES item 144): M = 1 on every layer size takes the CUDA-core rule of the small ones (about 4 programs a
    SM of 8 KB steps, row pieces), not v46's deep streams (32-row programs of 16 KB steps split to 4 a SM), which it
    beat on 37 of 37 layers of 16.8-235 MB; where M = 2 runs on CUDA cores, M = 1 takes its launch with one row."""
    assert decode_config(1, 7168, 16384, 1, 128, 132) == DecodeConfig(16, 1, 128, 4, 1, False, 4, 3)  # was 32 x 512, 4
    assert decode_config(1, 4096, 8192, 1, 128, 132) == DecodeConfig(8, 1, 128, 8, 1, False, 4, 3)  # was split 8
    assert decode_config(1, 1024, 4096, 8, 128, 132) == DecodeConfig(16, 1, 128, 4, 1, False, 4, 3)  # 8 groups
    assert decode_config(1, 1024, 32768, 1, 128, 132)[:5] == (2, 1, 128, 32, 1)  # 512 two-row programs, 4 KB runs
    for (n, k), groups, sm_count, block_k in itertools.product(
            [(2048, 4096), (4096, 4096), (3072, 7168), (6144, 4096), (12288, 4096), (14336, 4096), (2048, 16384),
             (7168, 3072), (65536, 1536), (7168, 18432), (8192, 28672)], (1, 4), (132, 108, 78), (128, 64)):
        cfg = decode_config(1, n, k, groups, block_k, sm_count)
        assert not cfg.use_mma and cfg.block_n * cfg.subs * cfg.sub_k <= 8192, (n, k, groups, sm_count, block_k)
        assert keeps_row_pieces(cfg) and cfg.split_k == 1, (n, k, groups, sm_count, block_k)  # 4 programs a SM
        pair = decode_config(2, n, k, groups, block_k, sm_count)
        if not pair.use_mma:
            assert pair._replace(block_m=1) == cfg, (n, k, groups, sm_count, block_k)


def test_smallest_layers_take_two_row_programs_where_they_need_no_split():
    """v72 (NOTES item 145): where the rule gives one-row CUDA-core programs (no row pieces), two-row ones where they
    need no K split: at M = 2 on any K, at M = 1 where one step covers K (32 scale blocks); else one row."""
    assert decode_config(2, 512, 7168, 1, 128, 132)[:5] == (2, 2, 128, 32, 1)  # 256 programs of 2 steps
    assert decode_config(1, 512, 7168, 1, 128, 132)[:5] == (1, 1, 128, 32, 1)  # M = 1: 2 steps, one row
    assert decode_config(1, 512, 4096, 1, 128, 132)[:5] == (2, 1, 128, 32, 1)  # one step
    assert decode_config(1, 640, 1536, 1, 128, 132)[:5] == (2, 1, 128, 16, 1)
    assert decode_config(2, 256, 7168, 1, 128, 132)[:5] == (1, 2, 128, 32, 1)  # two rows would split in two
    assert decode_config(2, 128, 4096, 4, 128, 132)[:5] == (2, 2, 128, 32, 1)  # groups count as rows
    for m, n, k, groups, sm_count in itertools.product((1, 2), (128, 256, 384, 512, 640, 1024),
                                                       (1024, 2880, 4096, 7168), (1, 2), (132, 78)):
        cfg = decode_config(m, n, k, groups, 128, sm_count)
        if cfg.use_mma:
            continue
        one_row = fp8_decode._cuda_core_config(m, n, k, groups, 128, sm_count, 1)
        two_rows = fp8_decode._cuda_core_config(m, n, k, groups, 128, sm_count, 2)
        if fp8_decode._pow2_near(n * groups / (4 * sm_count)) > 1:  # the rule's rows are 2 or more anyway
            assert cfg.block_n >= 2
        elif two_rows.split_k == 1 and (m == 2 or k <= 32 * 128):
            assert cfg == two_rows and keeps_row_pieces(cfg), (m, n, k, groups, sm_count)
        else:
            assert cfg == one_row, (m, n, k, groups, sm_count)


def test_tile_launches_of_one_program_a_sm_at_m_33_to_64_run_on_the_decode_kernel(monkeypatch):
    """v76: where the tile rule launches 4-warp 64 x 64 tiles by TMA (bf16 x, one group) at M = 33-64 and its programs,
    split included, number at most one a SM, the plan runs the same tiles and split on the decode kernel's tensor-core
    path, the weight by TMA 4 stages deep (exp186: 1.20-1.53x); where they number more, or for fp16 x, batch-invariant
    calls, groups, M outside 33-64, a config table entry for the shape or a GPU without TMA, the plans are as
    before."""
    kernel_module = on_faked_gpu(monkeypatch)
    cuda = torch.device("cuda", 0)
    for m, n, k, split in ((48, 2048, 7168, 4), (33, 2048, 4096, 4), (64, 1024, 16384, 8), (40, 1536, 7168, 4)):
        tile = kernel_module.choose_config(m, n, k, 1, 128, cuda, False, True, True, True, True)
        assert (tile.block_n, tile.block_m, tile.num_warps, tile.split_k, tile.tma) == (64, 64, 4, split, True)
        assert not tile.split_x and -(-n // 64) * split <= 132
        plan = launch_plan(m, n, k, cuda)
        assert plan.kind == "decode" and plan.config == DecodeConfig(64, 64, 128, 1, split, True, 4, 4, tma=True)
        assert plan.grid == (n // 64, split, 1) and plan.descriptors  # the weight by TMA ...
        assert plan.fallback.kind == "tile" and not plan.fallback.config.tma  # ... else the tile kernel by pointers
        assert plan.config == on_tile_geometry(m, n, 1, tile, 132)
        assert launch_plan(m, n, k, cuda, x_dtype=torch.float16).kind == "tile"  # measured on bf16 only
        assert launch_plan(m, n, k, cuda, batch_invariant=True).kind == "tile"
    assert launch_plan(48, 4096, 8192, cuda).kind == "tile"  # 64 tiles x 4: two programs a SM
    assert launch_plan(65, 2048, 7168, cuda).kind == "tile" and launch_plan(32, 2048, 7168, cuda).config.block_m == 32
    assert launch_plan(48, 1024, 7168, cuda, groups=2).kind == "tile"
    with monkeypatch.context() as tuned:  # a config table entry for the shape stays the launch
        tuned.setattr(kernel_module, "config_table", lambda: {"gpu": {"2048,7168": {"64": [64, 64, 128, 4, 4, 3]}}})
        forget_plans()
        assert launch_plan(48, 2048, 7168, cuda).kind == "tile"
    forget_plans()
    tile = KernelConfig(64, 64, 128, 4, 4, 4, True, tma=True)
    assert on_tile_geometry(48, 2048, 1, tile, 132) == DecodeConfig(64, 64, 128, 1, 4, True, 4, 4, tma=True)
    assert on_tile_geometry(48, 2048, 1, tile, 127) is None  # 128 programs on 127 SMs
    for other in (tile._replace(tma=False), tile._replace(split_x=True), tile._replace(num_warps=8),
                  tile._replace(block_n=128), tile._replace(block_m=32)):
        assert on_tile_geometry(48, 2048, 1, other, 132) is None
    assert on_tile_geometry(32, 2048, 1, tile, 132) is None and on_tile_geometry(65, 2048, 1, tile, 132) is None
    assert on_tile_geometry(48, 1024, 2, tile, 132) is None
    on_faked_gpu(monkeypatch, capability=(8, 0), shared_memory=166912)  # no TMA
    assert launch_plan(48, 2048, 7168, cuda).kind == "tile"
    forget_plans()


DECODE_BUILDS = [CUDA_CORES, CUDA_CORE_ROWS, TENSOR_CORES, decode_config(1, 512, 4096, 1, 128, 132),
                 decode_config(1, 7168, 16384, 1, 128, 132),
                 decode_config(4, 7168, 16384, 1, 128, 132, tma=True), decode_config(32, 7168, 16384, 1, 128, 132, tma=True),
                 decode_config(4, 7168, 16384, 1, 128, 132, tma=True, dram_gbps=4917),  # v49's 7-way split, 3 stages
                 decode_config(16, 4096, 8192, 1, 128, 132), decode_config(DECODE_MAX_M, 4096, 8192, 1, 128, 132),
                 DecodeConfig(8, 1, 128, 8, 1, False, 8, 2), TENSOR_CORES_16_ROWS, DecodeConfig(32, 32, 128, 2, 1, True, 4, 3),
                 decode_config(SMALL_LAYER_MAX_M, 1024, 4096, 1, 128, 132),  # a small layer's 64 columns
                 DecodeConfig(64, 64, 128, 1, 4, True, 4, 4, tma=True)]  # v76: the tile rule's 64 x 64 tiles, split 4
FEATURES = [("bfloat16", "float32", False), ("float16", "float8_e8m0fnu", True), ("bfloat16", "bfloat16", True)]
CUDA_CORE_LAUNCHES = [(1, 2048, 4096), (2, 4096, 2048), (1, 32768, 1024), (1, 4096, 8192), (1, 512, 7168)]


def cuda_core_build(m, n, k):
    """The rule's config for an M x N x K launch (132 SMs) and its AOT job's decode entry (masks as the plan has)."""
    config = decode_config(m, n, k, 1, 128, 132)
    return config, {"decode": list(config), "even_tiles": drops_masks(n, k, config)}


def program_registers(build, config):
    """The registers a program of ``config`` is allocated, from its build's count a thread (ptxas's report): a warp's
    registers come 256 at a time (8 a thread)."""
    return -(-build["registers"] * 32 // 256) * 256 * config.num_warps


@pytest.fixture(scope="module")
def aot_builds():
    jobs = [(cc, {"decode": list(cfg)}, x, scale, bias, cc == 80)
            for cc in (80, 90) for cfg in DECODE_BUILDS for x, scale, bias in FEATURES]
    jobs += [(90, {"decode": list(WAVE_OF_32_ROW_TILES), "x_row_groups": groups}, *features, False)
             for groups in (False, True) for features in FEATURES[:2]]
    jobs += [(cc, cuda_core_build(*launch)[1], *FEATURES[0], cc == 80)
             for cc in (80, 90) for launch in CUDA_CORE_LAUNCHES]
    return run_aot_jobs(jobs)


@pytest.mark.parametrize("m,n,k", CUDA_CORE_LAUNCHES, ids=str)
def test_aot_cuda_core_builds_fit_their_launch_in_one_round(aot_builds, m, n, k):
    """The rule's CUDA-core builds for Ampere and Hopper, with row pieces and without masks where the rule takes them
    (the first four): no spills, and registers (allocated 8 at a time) for all of the launch's programs a SM on 132
    SMs at once (v46's deep-stream launch of 4096 x 8192 ran 7.75 a SM; with row pieces its build took 109
    registers, which fit 4: NOTES item 140)."""
    config, job = cuda_core_build(m, n, k)
    assert job["even_tiles"] is keeps_row_pieces(config) is ((m, n, k) in CUDA_CORE_LAUNCHES[:4])
    key = config_key(job)
    hopper, ampere = aot_builds[(90, key, *FEATURES[0], False)], aot_builds[(80, key, *FEATURES[0], True)]
    assert hopper["error"] is None and ampere["error"] is None and not ampere["fp8"]
    programs_per_sm = math.ceil(math.ceil(n / config.block_n) * config.split_k / 132)
    assert hopper["spills"] == [0, 0], hopper["spills"]
    assert programs_per_sm * program_registers(hopper, config) <= 65536, hopper["registers"]
    assert hopper["cp_async_16"] and ampere["cp_async_16"]


@pytest.mark.parametrize("features", FEATURES[:2], ids=str)
def test_aot_build_reading_x_in_row_groups(aot_builds, features):
    """v59's build (sm_90, the unsplit TMA launch of 32-row tiles): TMA boxes, wgmma, no spills, and registers for
    three programs a SM (the 288-program launch of 18432 x 7168 runs 2.2 a SM). It takes more than the build masking
    x's rows (e.g. 112 against 96), as Triton's build for M = 32 does: ncu saw that build faster (NOTES item 107)."""
    fields = tuple(WAVE_OF_32_ROW_TILES)
    groups, masked = (aot_builds[(90, fields + tag, *features, False)] for tag in (("x_row_groups",), ()))
    assert groups["error"] is None and masked["error"] is None
    assert groups["tma"] > 0 and groups["wgmma"] and groups["spills"] == [0, 0]
    assert 3 * WAVE_OF_32_ROW_TILES.num_warps * 32 * groups["registers"] <= 65536, groups["registers"]


@pytest.mark.parametrize("config", DECODE_BUILDS, ids=str)
@pytest.mark.parametrize("features", FEATURES, ids=str)
def test_aot_builds_for_ampere_and_hopper(aot_builds, config, features):
    hopper = aot_builds[(90, tuple(config), *features, False)]
    ampere = aot_builds[(80, tuple(config), *features, True)]
    assert hopper["error"] is None and hopper["cubin"] > 0 and hopper["e4m3"]  # hardware fp8 conversion
    assert (hopper["tma"] > 0) == config.tma  # bulk tensor copies only in the TMA variant
    # programmatic dependent launch on sm_90+ only: one wait before the loop, one release after it
    assert hopper["pdl"] == [1, 1, True]
    if config.tma:  # no TMA on Ampere: the launch plan never picks it there and the build refuses it
        assert "TMA configs need sm_90+" in ampere["error"] and hopper["wgmma"] and hopper["wgmma_pending"] == 0
        if config.block_m == 16:  # the programs a SM v49 counts on: registers allocated per warp in units of 256
            assert program_registers(hopper, config) * TMA_BUILD_PROGRAMS_PER_SM <= 65536, hopper["registers"]
        return
    assert ampere["error"] is None and ampere["cubin"] > 0 and not ampere["fp8"]  # exact integer dequant
    assert ampere["pdl"] == [0, 0, False]
    if config.use_mma:  # tensor cores: on Hopper wgmma for 64-row tiles (one warpgroup), else mma.sync as on Ampere
        assert ampere["mma_sync"] and hopper["cp_async_16"]
        assert hopper["wgmma"] == (config.block_n >= 64) and hopper["mma_sync"] == (config.block_n < 64)
        # each step's wgmma finished before the next step's weight is converted (mma.sync builds have no wgmma wait)
        assert hopper["wgmma_pending"] == (0 if config.block_n >= 64 else None)
    else:  # CUDA cores: no MMA; the K loop pipelined by Triton with 16-byte asynchronous copies
        assert not (hopper["wgmma"] or hopper["mma_sync"] or ampere["mma_sync"])
        assert hopper["cp_async_16"] and ampere["cp_async_16"]
