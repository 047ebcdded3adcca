"""The tile kernel's file (``kernels/fp8_tile.py``): its launch rule, and that every kernel file is vendorable.

The tile kernel's numerics, AOT builds and launches are tested through the entry point in ``test_fp8_block_matmul.py``.
"""
import ast
import itertools
import sys
from pathlib import Path

import torch

from kernel_cases import H100_SHARED
from fp8blk.kernels.fp8_tile import (SPLIT_X_SMALL_TILE_WAVE, SPLIT_X_WIDE_SHARED_MEMORY, WIDE_SPLIT_K_TILES, KernelConfig,
                                     default_config, m_bucket)

KERNELS = Path(__file__).resolve().parent.parent / "kernels"


def test_rule_picks_tiles_by_size():
    assert default_config(64, 4096, 8192, 1, 128, 132)[:2] == (128, 64)  # N >= 4096: 128-row weight tiles
    assert default_config(256, 4096, 8192, 1, 128, 132)[:2] == (128, 128)
    assert default_config(256, 3072, 7168, 1, 128, 132)[:2] == (64, 64)  # N < 4096: 64-row tiles, 64 columns
    assert default_config(24, 4096, 8192, 1, 128, 132).block_m == m_bucket(24) == 32
    assert isinstance(default_config(24, 4096, 8192, 1, 128, 132), KernelConfig)


def test_default_config_splits_k_only_when_tiles_are_few():
    assert default_config(1, 512, 4096, 1, 128, 132).split_k > 1
    assert default_config(1, 32768, 1024, 1, 128, 132).split_k == 1
    assert default_config(4096, 4096, 4096, 1, 128, 132, x_bf16=False).split_k == 1
    # one 8-warp 128x128 tile per SM: 32 x 2 tiles split 2 ways fill one wave of 132 SMs
    assert default_config(256, 4096, 8192, 1, 128, 132).split_k == 2
    # three 4-warp 64x64 tiles per SM (3 stages): 48 x 2 tiles split 4 ways fill 384 of 396 places; 48 x 4
    # tiles 2 ways (4 ways would make a second, nearly full wave)
    assert default_config(128, 3072, 7168, 1, 128, 132)[3:6] == (4, 4, 3)
    assert default_config(256, 3072, 7168, 1, 128, 132)[3:6] == (2, 4, 3)
    assert default_config(32, 3072, 7168, 1, 128, 132).num_stages == 4  # narrow tiles stream: 4 stages
    assert default_config(256, 32768, 1024, 1, 128, 132).split_k == 1  # 8 K-tiles: too few to split
    # a full first wave (256 tiles) is not split into 4-K-tile pieces; a thin one (64 tiles) is
    assert default_config(24, 32768, 1024, 1, 128, 132).split_k == 1
    assert default_config(24, 8192, 1024, 1, 128, 132).split_k == 2


def test_rule_splits_4_warp_tiles_past_4_ways_within_half_the_sms_or_on_long_splits_within_one_a_sm():
    # 512 x K at M = 48: 8 tiles of 64 x 64; split 8 (64 programs) is still within half of 132 SMs, 16 is not
    for k in (4096, 7168):
        assert default_config(48, 512, k, 1, 128, 132)[3] == 8
    assert default_config(48, 512, 4096, 1, 128, 78)[3] == 4  # 78 SMs: 64 programs is more than half, 4 K-tiles a split
    # v75: past half the SMs, up to one program a SM, where each split keeps >= WIDE_SPLIT_K_TILES K-tiles
    assert WIDE_SPLIT_K_TILES == 6
    assert default_config(96, 512, 7168, 1, 128, 132)[3] == 8  # 16 tiles x 8 = 128 programs, 7 K-tiles a split
    assert default_config(96, 320, 6144, 1, 128, 132)[3] == 8  # 6 K-tiles a split
    assert default_config(96, 512, 5120, 1, 128, 132)[3] == 4  # 5 K-tiles a split: not
    assert default_config(96, 512, 4096, 1, 128, 132)[3] == 4  # 4
    assert default_config(96, 576, 7168, 1, 128, 132)[3] == 4  # 18 tiles x 8 = 144 programs: more than the SMs
    assert default_config(96, 512, 7168, 1, 128, 120)[3] == 4  # 120 SMs: 128 programs is more than one a SM
    assert default_config(96, 256, 16384, 1, 128, 132)[3] == 16  # 8 tiles x 16 = 128 programs, 8 K-tiles a split
    assert default_config(256, 512, 7168, 1, 128, 132)[3] == 4  # 32 tiles: split 4 already fills half the SMs
    assert default_config(48, 2048, 4096, 1, 128, 132)[3] == 4  # 32 tiles
    # 4 tiles: 16 ways where each split keeps >= 4 K-tiles (K = 16384), 8 where it would not (K = 4096)
    assert default_config(48, 256, 16384, 1, 128, 132)[3] == 16
    assert default_config(48, 256, 4096, 1, 128, 132)[3] == 8


def test_rule_splits_8_warp_tiles_only_while_the_split_programs_fit_the_sms():
    # 8 K-tiles: a first split of 8-warp tiles must leave >= 6 a split (8192 x 1024 at M = 64 and 128 run unsplit)
    assert default_config(64, 8192, 1024, 1, 128, 132).split_k == 1
    assert default_config(128, 8192, 1024, 1, 128, 132).split_k == 1
    assert default_config(64, 8192, 1536, 1, 128, 132).split_k == 2  # 12 K-tiles: 6 a split
    # 56 tiles of 128 x 128 (one per SM): split 2 (112 programs), not 4 (224); 112 tiles: unsplit
    assert default_config(128, 7168, 2048, 1, 128, 132).split_k == 2
    assert default_config(256, 7168, 16384, 1, 128, 132).split_k == 1
    # 128 x 64 tiles by TMA hold two per SM: 56 tiles split 4 ways (224 programs in 264 places); by pointers one
    # (7168 x 16384: 64 x 64 tiles would stream 64 K-tiles a piece, too long for v39)
    assert default_config(64, 7168, 16384, 1, 128, 132, tma=True)[:5] == (128, 64, 128, 4, 8)
    assert default_config(64, 7168, 3072, 1, 128, 132).split_k == 2


def test_tma_rule_takes_128x256_tiles_for_bf16_from_m_129_to_512_where_they_fill_half_the_sms():
    wide = (128, 256, 64, 1, 8, 4, True, False, True, False, False)
    for m, n, k in ((192, 32768, 1024), (256, 65536, 1536), (130, 18432, 7168), (512, 7168, 16384), (450, 8192, 1536)):
        assert tuple(default_config(m, n, k, 1, 128, 132, tma=True, shared_memory=H100_SHARED)) == wide, (m, n, k)
    # not without the shared memory (sm_120: 99 KB), for fp16, without TMA, with < 66 programs, M > 512
    assert default_config(256, 32768, 1024, 1, 128, 132, tma=True, shared_memory=101376).block_m == 128
    assert default_config(256, 32768, 1024, 1, 128, 132, x_bf16=False, tma=True, shared_memory=H100_SHARED).block_m == 128
    assert default_config(256, 32768, 1024, 1, 128, 132, shared_memory=H100_SHARED).block_m == 128
    assert default_config(256, 7168, 16384, 1, 128, 132, tma=True, shared_memory=H100_SHARED).block_m == 128
    assert default_config(512, 4096, 8192, 1, 128, 132, tma=True, shared_memory=H100_SHARED).expand_weight
    assert default_config(1024, 32768, 1024, 1, 128, 132, tma=True, shared_memory=H100_SHARED).expand_weight
    # M = 384 = 256 + 128 (a half-empty last 256-column tile): the two-per-SM 128 x 128 tiles where they fill the GPU,
    # also over the expand path; else the expand path
    two = default_config(384, 32768, 1024, 1, 128, 132, tma=True, shared_memory=H100_SHARED)
    assert tuple(two) == (128, 128, 64, 1, 4, 4, True, False, True, False, False)
    assert default_config(384, 7168, 16384, 1, 128, 132, tma=True, shared_memory=H100_SHARED).expand_weight
    assert default_config(384, 32768, 1024, 1, 128, 132).expand_weight  # no TMA: the expand path


def test_tma_rule_takes_two_4_warp_128x128_programs_per_sm_where_they_fill_the_gpu():
    """With TMA the 8-warp 128 x 128 tiles become 4-warp ones with 64-deep K-tiles, 4 stages (two programs per SM),
    unsplit, where the tiles alone fill >= 80% of two per SM; else the 8-warp tiles stay (with ``with_tma``)."""
    for m, n, k in ((256, 32768, 1024), (128, 32768, 1024), (256, 65536, 1536), (96, 65536, 1536), (256, 18432, 7168)):
        cfg = default_config(m, n, k, 1, 128, 132, tma=True)
        assert tuple(cfg) == (128, 128, 64, 1, 4, 4, True, False, True, False, False), (m, n, k)
        assert -(-n // 128) * -(-m // 128) >= 0.8 * 2 * 132
    # launches that need a K split to fill the GPU (their split builds must wait for each K-tile's MMA, which took the
    # 4-warp tiles' gain) or that hold about one program per SM keep the 8-warp tiles
    for m, n, k in ((256, 7168, 16384), (128, 7168, 16384), (256, 4096, 8192), (128, 4096, 8192), (256, 8192, 1024)):
        cfg = default_config(m, n, k, 1, 128, 132, tma=True)
        assert cfg == default_config(m, n, k, 1, 128, 132)._replace(tma=True) and cfg.num_warps == 8
    # other tiles: the pointer rule's with TMA (128 x 64 tiles deeper on one-wave launches)
    assert default_config(64, 4096, 16384, 1, 128, 132, tma=True) == default_config(64, 4096, 16384, 1, 128, 132)._replace(
        tma=True, num_stages=4)
    assert default_config(256, 3072, 7168, 1, 128, 132, tma=True) == default_config(256, 3072, 7168, 1, 128, 132)._replace(
        tma=True)
    assert default_config(512, 7168, 16384, 1, 128, 132, tma=True).expand_weight  # no TMA on the expand path
    assert not default_config(512, 7168, 16384, 1, 128, 132, tma=True).tma
    assert default_config(256, 32768, 1024, 1, 64, 132, tma=True).block_k == 64  # divides a 64-column scale block
    assert default_config(256, 32768, 1024, 1, 32, 132, tma=True).block_k == 32


def test_tma_rule_takes_64x128_tiles_at_m_65_to_128_where_they_number_at_most_one_per_sm():
    """M = 65-128, N >= 4096, bf16 x, TMA: 64 x 128 4-warp tiles (64-deep K-tiles, 4 stages) split within one program
    per SM with 16-32 K-tiles a program (NOTES v43); elsewhere the 128-row rule."""
    narrow = lambda split: KernelConfig(64, 128, 64, split, 4, 4, True, tma=True)  # noqa: E731
    assert default_config(128, 4096, 2048, 1, 128, 132, tma=True) == narrow(2)  # 64 tiles x 2, 16 K-tiles each
    assert default_config(65, 8192, 1024, 1, 128, 132, tma=True) == narrow(1)  # 128 tiles: no split
    assert default_config(96, 7168, 2048, 1, 128, 132, tma=True) == narrow(1)  # 112 tiles of 32 K-tiles
    for m, n, k in ((128, 4096, 8192),  # 128 K-tiles: 32 a program needs split 4 = 256 programs on 132 SMs
                    (128, 7168, 3072),  # 48 K-tiles unsplit, 224 programs split
                    (128, 32768, 1024), (128, 24576, 1536),  # more 64-row tiles than SMs
                    (128, 4096, 512),  # 8 K-tiles a program (below the range measured)
                    (192, 4096, 8192)):  # another M bucket
        assert default_config(m, n, k, 1, 128, 132, tma=True).block_n == 128, (m, n, k)
    assert default_config(64, 4096, 2048, 1, 128, 132, tma=True).block_m == 64  # M = 33-64: the v39 rule's tiles
    # only with TMA, bf16 x and a GPU the tiles do not outnumber (4096 x 2048 on 60 SMs: 64 tiles > 60)
    assert default_config(128, 4096, 2048, 1, 128, 132).block_n == 128
    assert default_config(128, 4096, 2048, 1, 128, 132, x_bf16=False, tma=True).block_n == 128
    assert default_config(128, 4096, 2048, 1, 128, 60, tma=True).block_n == 128
    taken = 0
    for n, k, groups, sms in itertools.product((4096, 6144, 8192, 12288), (1024, 2048, 4096), (1, 2), (78, 108, 132)):
        cfg = default_config(100, n, k, groups, 128, sms, tma=True)
        if cfg.block_n == 64:
            taken += 1
            programs = -(-n // 64) * groups * cfg.split_k
            assert programs <= sms and 16 <= -(-k // 64) // cfg.split_k <= 32, (n, k, groups, sms)
    assert taken >= 5


def test_tma_rule_at_m_129_to_256_takes_64x128_tiles_in_place_of_overfull_or_short_split_launches():
    """M = 129-256, one group, bf16 x, TMA (NOTES v38): where 4-warp 64 x 64 tiles would split past three programs
    per SM, 64 x 128 4-warp tiles split to fill about two per SM; where 8-warp 128 x 128 tiles would split into
    pieces of <= SHORT_SPLIT_K_TILES K-tiles, 64 x 128 8-warp tiles unsplit (at most one per SM)."""
    two_per_sm = lambda split: KernelConfig(64, 128, 64, split, 4, 4, True, tma=True)  # noqa: E731
    unsplit = KernelConfig(64, 128, 128, 1, 8, 3, True, tma=True)
    assert default_config(256, 2048, 4096, 1, 128, 132, tma=True) == two_per_sm(4)  # 64 tiles x 4: 256 programs
    assert default_config(256, 2048, 7168, 1, 128, 132, tma=True) == two_per_sm(4)  # 28 K-tiles a program
    assert default_config(256, 4096, 2048, 1, 128, 132, tma=True) == unsplit  # 128 x 128 split 2: 8 K-tiles a piece
    assert default_config(160, 4096, 1536, 1, 128, 132, tma=True) == unsplit
    # unchanged: 64 x 64 launches within three per SM (2048 x 4096 M = 192: 384 programs), 64 x 128 tiles that would
    # fill under 80% of two per SM (2560 x 4096: 160 programs), long pieces (4096 x 8192: 32 K-tiles a piece),
    # 128-row tiles that outnumber the SMs at 64 rows (8192 x 1024: 256 > 132), M buckets 128 and 512, groups, fp16
    # and no TMA
    for m, n, k, groups, x_bf16, tma in ((192, 2048, 4096, 1, True, True), (256, 2560, 4096, 1, True, True),
                                         (256, 4096, 8192, 1, True, True), (256, 8192, 1024, 1, True, True),
                                         (128, 2048, 4096, 1, True, True), (400, 2048, 4096, 1, True, True),
                                         (256, 2048, 4096, 2, True, True), (256, 2048, 4096, 1, False, True),
                                         (256, 4096, 2048, 1, True, False), (256, 2048, 4096, 1, True, False)):
        cfg = default_config(m, n, k, groups, 128, 132, x_bf16=x_bf16, tma=tma)
        assert not (cfg.block_n == 64 and cfg.block_m == 128), (m, n, k, groups, x_bf16, tma)
    # the same checks hold on other SM counts: every 64 x 128 launch fits its places
    for n, k, sms in itertools.product((1024, 2048, 3072, 4096, 6144), (1536, 2048, 4096, 7168), (78, 108, 132)):
        for m in (129, 192, 256):
            cfg = default_config(m, n, k, 1, 128, sms, tma=True, shared_memory=227 * 1024)
            if cfg.block_n == 64 and cfg.block_m == 128:
                programs = -(-n // 64) * -(-m // 128) * cfg.split_k
                assert programs <= (1 if cfg.num_warps == 8 else 2) * sms, (m, n, k, sms)
                if cfg.num_warps == 4:
                    assert programs >= 0.8 * 2 * sms and 16 <= -(-k // 64) // cfg.split_k <= 32, (m, n, k, sms)


def test_tma_rule_at_m_33_to_64_takes_64x64_tiles_where_they_number_at_most_two_per_sm():
    """M = 33-64, one group, bf16 x, TMA, N >= 4096 (NOTES v39): 64 x 64 4-warp tiles in place of 8-warp 128 x 64 ones
    where they number at most two per SM, split as 8-warp tiles split for two per SM (>= 6 K-tiles at the first split,
    >= 4 after), 4 stages when split and 3 unsplit, if a program streams at most HALF_TILE_K_TILES 128-deep K-tiles."""
    half = lambda split: KernelConfig(64, 64, 128, split, 4, 4 if split > 1 else 3, True, tma=True)  # noqa: E731
    assert default_config(48, 4096, 2048, 1, 128, 132, tma=True) == half(4)  # 64 tiles x 4: 4 K-tiles a piece
    assert default_config(64, 4096, 8192, 1, 128, 132, tma=True) == half(4)  # 16 K-tiles a piece
    assert default_config(40, 8192, 1536, 1, 128, 132, tma=True) == half(2)  # 128 tiles x 2: 6 K-tiles a piece
    assert default_config(64, 8192, 1024, 1, 128, 132, tma=True) == half(1)  # split 2 would leave 4 K-tiles
    assert default_config(33, 14336, 2048, 1, 128, 132, tma=True) == half(1)  # 224 tiles: no room to split
    # unchanged: long programs (7168 x 16384: 64 K-tiles a piece; 5120 x 5120: 20), more 64-row tiles than two per SM
    # (18432 x 7168, 32768 x 1024), N < 4096, other M buckets, groups, fp16, no TMA, and a GPU with fewer SMs
    for m, n, k, groups, x_bf16, tma, sms in ((48, 7168, 16384, 1, True, True, 132), (64, 5120, 5120, 1, True, True, 132),
                                              (48, 18432, 7168, 1, True, True, 132), (64, 32768, 1024, 1, True, True, 132),
                                              (48, 2048, 4096, 1, True, True, 132), (32, 4096, 2048, 1, True, True, 132),
                                              (65, 8192, 1024, 1, True, True, 132), (48, 4096, 2048, 2, True, True, 132),
                                              (48, 4096, 2048, 1, False, True, 132), (48, 4096, 2048, 1, True, False, 132),
                                              (48, 8192, 1024, 1, True, True, 60)):
        cfg = default_config(m, n, k, groups, 128, sms, x_bf16=x_bf16, tma=tma)
        assert not (n >= 4096 and cfg.block_n == 64 and cfg.block_m == 64), (m, n, k, groups, x_bf16, tma, sms)
    taken = 0
    for n, k, sms in itertools.product((4096, 5120, 6144, 8192, 12288, 16384), (1024, 2048, 3072, 4096, 8192),
                                       (78, 108, 132)):
        cfg = default_config(48, n, k, 1, 128, sms, tma=True, shared_memory=227 * 1024)
        if cfg.block_n == 64:
            taken += 1
            programs = -(-n // 64) * cfg.split_k
            assert programs <= 2 * sms and -(-k // 128) // cfg.split_k >= 4, (n, k, sms)
            assert -(-k // (128 * cfg.split_k)) <= 16 and cfg.num_stages == (4 if cfg.split_k > 1 else 3), (n, k, sms)
    assert taken >= 20


def test_default_config_expands_the_weight_from_m_512_for_one_group_only():
    assert default_config(512, 7168, 16384, 1, 128, 132).expand_weight
    assert not default_config(256, 7168, 16384, 1, 128, 132).expand_weight
    assert not default_config(4096, 1024, 4096, 8, 128, 132).expand_weight  # grouped: tile kernel
    assert not default_config(4096, 7168, 16384, 1, 128, 132, x_bf16=False).expand_weight


def test_every_kernel_file_imports_only_torch_triton_and_its_siblings():
    """Vendoring contract (kernels/README.md): copying the kernel files needs torch and triton only."""
    files = sorted(KERNELS.glob("*.py"))
    assert {"fp8_block_matmul.py", "fp8_decode.py", "fp8_tile.py", "fp8_tile_ops.py"} <= {f.name for f in files}
    for path in files:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level:  # relative: a sibling file
                assert (KERNELS / f"{node.module}.py").is_file(), (path.name, node.module)
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module]
                for name in names:
                    top = name.split(".")[0]
                    assert top in ("torch", "triton") or top in sys.stdlib_module_names, (path.name, name)


def test_split_x_rule_takes_fp8_tiles_at_m_33_to_512_where_they_fit_the_sms():
    """split_x (fp8 tensor cores; FP8BLK_SPLIT_X not 0) with TMA, bf16 x, one group, M = 65-512, N >= SPLIT_X_MIN_N:
    64 x 64 tiles where they number at most two per SM, split in two while the programs stay within two per SM and
    keep >= SPLIT_X_SPLIT_K_TILES K-tiles; beyond that the launch of the fewest waves among 64 x 64 tiles 3 stages deep
    (three per SM, a wave counted as SPLIT_X_SMALL_TILE_WAVE), 128 x 64 tiles (two per SM) and, on >= SPLIT_X_LONG_K_TILES
    K-tiles where shared memory holds them, 8-warp 128 x 128 tiles (one per SM, any number of waves; ties go to them);
    the 4-warp tiles in at most SPLIT_X_MOST_WAVES waves on long K, one on short, or on short K of at least
    SPLIT_X_MANY_WAVES_K_TILES K-tiles in more waves where those are fewer than twice the waves of the tile kernel's
    128 x 128 tiles two per SM; else the other rules. M = 33-64:
    64 x 64 tiles, 4 stages where they number from half to twice the SMs (unsplit on <= SPLIT_X_SHORT_K_TILES K-tiles,
    else split for at most two programs per SM, v53), 3 stages where they number two to three per SM (any K)."""
    sx = lambda block_n, split, stages: KernelConfig(block_n, 64, 128, split, 4, stages, tma=True, split_x=True)  # noqa: E731
    wide = KernelConfig(128, 128, 128, 1, 8, 4, tma=True, split_x=True)

    def rule(m, n, k, sms=132, **kwargs):
        return default_config(m, n, k, kwargs.pop("groups", 1), 128, sms, tma=kwargs.pop("tma", True),
                              shared_memory=kwargs.pop("shared_memory", H100_SHARED),
                              split_x=kwargs.pop("split_x", True), **kwargs)
    assert rule(128, 4096, 8192) == sx(64, 2, 4)  # 128 tiles x 2, 32 K-tiles a program
    assert rule(96, 4096, 8192) == sx(64, 2, 4)
    assert rule(256, 4096, 8192) == sx(64, 1, 4)  # 256 tiles: no room to split
    assert rule(384, 4096, 8192) == sx(64, 1, 3)  # 384 64 x 64 tiles: three per SM
    # more than three per SM on >= 32 K-tiles: one 8-warp 128 x 128 program per SM, if shared memory holds it
    assert rule(512, 4096, 8192) == rule(384, 4096, 8192, sms=120) == rule(256, 7168, 16384) == wide
    assert rule(256, 18432, 7168) == rule(512, 7168, 16384) == rule(320, 18432, 7168) == wide
    # fewest waves: 64 x 64 tiles in two waves (576 for 396 places: 1.7) against two of 128 x 128 (144 for 132)
    assert rule(384, 6144, 4096) == rule(384, 7168, 16384) == rule(96, 18432, 7168) == sx(64, 1, 3)
    assert rule(320, 6144, 4096) == sx(128, 1, 3)  # 240 128 x 64 tiles: one wave (64 x 64: two; 128 x 128: two)
    assert rule(192, 18432, 7168) == sx(128, 1, 3)  # 432 of them: two waves (64 x 64: three; 128 x 128: three)
    assert rule(384, 5632, 4096) == wide  # one wave of 132 128 x 128 tiles ties with 264 128 x 64 ones
    assert SPLIT_X_WIDE_SHARED_MEMORY <= H100_SHARED
    assert rule(512, 4096, 8192, shared_memory=SPLIT_X_WIDE_SHARED_MEMORY - 1) == sx(128, 1, 3)  # else 128 x 64
    assert rule(512, 4096, 2048) == sx(128, 1, 3)  # 16 K-tiles: 128 x 64 tiles, 256 of them
    assert rule(256, 5120, 5120) == sx(64, 1, 3) and rule(192, 5120, 5120) == sx(64, 1, 4)
    assert rule(128, 2048, 4096) == sx(64, 2, 4)  # split 4 would leave 8 K-tiles a program
    assert rule(128, 4096, 2048) == sx(64, 1, 4)  # 16 K-tiles: no split
    # short K in more than one wave, where fewer than the tile kernel's 128 x 128 tiles (two per SM) take, doubled:
    # 24576 x 1536 M = 192: 1152 64 x 64 tiles in three waves (2.55) against 384 128 x 128 tiles' 2 x 2
    assert rule(192, 24576, 1536) == rule(128, 24576, 1536) == sx(64, 1, 3)
    assert rule(256, 24576, 1536) == rule(192, 65536, 1536) == rule(192, 32768, 1024) == sx(128, 1, 3)
    assert not rule(192, 65536, 512).split_x  # four K-tiles: the tile kernel
    # M = 33-64: 66-264 64 x 64 tiles of <= 24 K-tiles, unsplit; 265-396 of them 3 stages deep, on any K
    for m, n, k in ((48, 8192, 1024), (40, 14336, 2048), (64, 6144, 3072), (33, 16896, 1024)):
        assert rule(m, n, k) == sx(64, 1, 4), (m, n, k)
    for m, n, k in ((48, 18432, 7168), (64, 24576, 1536), (33, 17408, 4096), (64, 25344, 7168)):
        assert rule(m, n, k) == sx(64, 1, 3), (m, n, k)
    # v53: on more K-tiles split for at most two programs per SM (exp108: 80 tiles split 3, 96 split 2)
    assert rule(48, 5120, 6144) == rule(64, 5120, 17408) == sx(64, 3, 4)
    assert rule(48, 6144, 5120) == rule(64, 5120, 5120) == rule(64, 8192, 3200) == sx(64, 2, 4)
    assert not rule(48, 14336, 4096).split_x and not rule(48, 9216, 4096).split_x  # > 1 a SM: no room to split
    assert not rule(64, 8512, 3200).split_x and rule(64, 8448, 3200) == sx(64, 2, 4)  # 133 tiles; 132
    assert rule(48, 8192, 1024, sms=300).split_x is False  # 128 tiles for 300 SMs: fewer than half
    assert default_config(128, 4096, 8192, 1, 64, 132, tma=True, split_x=True).block_k == 64  # a 64-column scale block
    # not taken: M = 33-64 with fewer than half the SMs' tiles or more than three times; on short K, as
    # many waves as the tile kernel's or more (32768 x 1024 M = 128: two of 128 x 64 tiles against one of 128 x 128,
    # doubled; 65536 x 1536 M = 256: eight against four); N < 2048, M <= 32 or > 512, groups, fp16, no TMA, split_x
    # off, and a scale block that is no multiple of 32
    for m, n, k, kwargs in ((48, 4096, 2048, {}), (64, 2048, 4096, {}), (48, 25408, 1024, {}),
                            (128, 32768, 1024, {}), (256, 65536, 1536, {}), (512, 8192, 1024, {}),
                            (256, 1024, 4096, {}), (32, 8192, 1024, {}), (513, 4096, 8192, {}),
                            (128, 4096, 8192, {"groups": 2}), (128, 4096, 8192, {"x_bf16": False}),
                            (128, 4096, 8192, {"tma": False}), (128, 4096, 8192, {"split_x": False}),
                            (48, 8192, 1024, {"split_x": False})):
        assert not rule(m, n, k, **kwargs).split_x, (m, n, k, kwargs)
    assert not default_config(128, 4096, 8192, 1, 48, 132, tma=True, split_x=True).split_x
    taken = 0
    for n, k, sms, m in itertools.product((2048, 3072, 4096, 7168, 8192, 16384), (1024, 2048, 4096, 7168, 16384),
                                          (78, 108, 132), (40, 64, 65, 100, 128, 160, 256, 384, 512)):
        cfg = default_config(m, n, k, 1, 128, sms, tma=True, shared_memory=H100_SHARED, split_x=True)
        if cfg.split_x:
            taken += 1
            tiles64 = -(-n // 64) * -(-m // 64)
            k_tiles = -(-k // 128)
            programs = -(-n // cfg.block_n) * -(-m // cfg.block_m) * cfg.split_k
            if cfg.block_m == 128:  # one program per SM, any number of waves, on long K only
                assert tiles64 > 3 * sms and k_tiles >= 32 and cfg.num_warps == 8 and m > 64, (n, k, sms, m)
                continue
            per_sm = 3 if (cfg.block_n, cfg.num_stages) == (64, 3) else 2  # 72 KB / 98 KB of shared memory a program
            waves = -(-programs // (per_sm * sms))
            assert cfg.num_warps == 4 and cfg.block_m == 64, (n, k, sms, m)
            # two on long K; more on short K only in fewer waves than the tile kernel's, doubled
            rival = 2 * -(-(-(-n // 128) * -(-m // 128)) // (2 * sms))
            weighted = waves * (SPLIT_X_SMALL_TILE_WAVE if per_sm == 3 else 1)
            assert (waves == 1 or (waves == 2 and k_tiles >= 32 and m > 64)
                    or (8 <= k_tiles < 32 and m > 64 and weighted < rival)), (n, k, sms, m)
            assert per_sm == 2 or programs > 2 * sms, (n, k, sms, m)
            assert cfg.split_k == 1 or k_tiles // cfg.split_k >= (16 if m > 64 else 12), (n, k, sms, m)
            # M <= 64: at least half the SMs' tiles; split (v53) only two per SM on > 24 K-tiles, within two per SM
            assert m > 64 or (programs // cfg.split_k >= sms / 2 and programs <= per_sm * sms
                              and (k_tiles <= 24 or per_sm == 3 or (programs // cfg.split_k <= sms and cfg.split_k > 1))
                              ), (n, k, sms, m)
    assert taken >= 120


def test_choose_config_splits_x_unless_fp8blk_split_x_is_0(monkeypatch):
    import importlib
    kernel_module = importlib.import_module("fp8blk.kernels.fp8_block_matmul")
    cpu = torch.device("cpu")
    kernel_module.choose_config.cache_clear()
    assert kernel_module.choose_config(128, 4096, 8192, 1, 128, cpu, tma=True).split_x
    monkeypatch.setattr(kernel_module, "_SPLIT_X_ALLOWED", False)  # FP8BLK_SPLIT_X=0
    kernel_module.choose_config.cache_clear()
    assert not kernel_module.choose_config(128, 4096, 8192, 1, 128, cpu, tma=True).split_x
    kernel_module.choose_config.cache_clear()
    # the integer (Ampere) dequant path has no fp8 MMA: a launch that converts with it never splits x
    assert not kernel_module.choose_config(128, 4096, 8192, 1, 128, cpu, tma=True, split_x=False).split_x
    kernel_module.choose_config.cache_clear()
