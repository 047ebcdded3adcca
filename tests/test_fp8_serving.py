"""The serving kernel's file (``kernels/fp8_serving.py``): its launch rule, the launch plan that takes it, its sm_90
build, and -- in Triton's CPU interpreter, which cannot run Gluon -- the arithmetic it must reproduce bitwise.

The serving kernel performs the tile kernel's unsplit split-x arithmetic in the same order (per K-tile two fp8
MMAs into a fresh fp32 sum, scaled by the block scale into the total; then x's row scale, then bias): the GPU check
``tests/gpu/run_all.py`` asserts that its output equals the tile kernel's 128 x 128 split-x launch bitwise, and the
interpreter tests here hold that launch to the float64 reference on ragged shapes, every scale dtype and bias.
"""
import itertools

import pytest
import torch

from aot_helpers import run_aot_jobs
from kernel_cases import DEVICE, H100_SHARED, forget_plans, launch_plan, make, on_faked_gpu, reference, rel_err
from fp8blk.kernels import fp8_block_matmul
from fp8blk.kernels.fp8_serving import (SERVING_LARGE_MAX_M, SERVING_MAX_M, SERVING_MIN_FILL, SERVING_MIN_K_TILES,
                                        SERVING_MIN_M, SERVING_ONE_WAVE_FILL, SERVING_TILES, STREAM_MIN_K_TILES,
                                        _stream_owner, _stream_units, launch_fill, serving_config, serving_fill,
                                        serving_schedule)
from fp8blk.kernels.fp8_tile import KernelConfig, low_terms_row

SERVING = KernelConfig(128, 128, 128, 1, 4, 4, tma=True, split_x=True, warp_specialized=True)
SERVING_64 = SERVING._replace(block_m=64, num_stages=3)  # the 64-row build
TILE_TWIN = KernelConfig(128, 128, 128, 1, 8, 4, tma=True, split_x=True)  # the tile kernel's same arithmetic


def test_fill_counts_whole_waves_and_covered_rows():
    # 7168 x 16384 at M = 256: 56 x 2 tiles on 132 SMs, one wave 112 / 132 full, every row used
    assert serving_fill(256, 7168, 132) == pytest.approx(112 / 132)
    # M = 384: 168 tiles take two waves of 132
    assert serving_fill(384, 7168, 132) == pytest.approx(168 / 264)
    # M = 160: 48 x 2 tiles, 96 / 132 of a wave, 256 rows where 64-row tiles would cover 192
    assert serving_fill(160, 6144, 132) == pytest.approx(96 / 132 * 192 / 256)
    # M = 96: 56 tiles of 128 rows cover what 64-row tiles would (128): only the wave counts (v54)
    assert serving_fill(96, 7168, 132, 128, 2) == pytest.approx(112 / 132)
    assert serving_fill(256, 4096, 132, 64) == pytest.approx(128 / 132)  # 64-row tiles: 32 x 4
    # launch_fill, which serving_fill applies to its programs, measures the tile kernel's launches likewise: 144
    # 64 x 64 tiles at M = 192 fill two waves 144 / 264; 272 128 x 128 tiles at M = 256 three 272 / 396
    assert launch_fill(144, 192, 64, 132) == pytest.approx(144 / 264)
    assert launch_fill(272, 256, 128, 132) == pytest.approx(272 / 396)
    assert serving_fill(160, 6144, 132) == launch_fill(96, 160, 128, 132)


def test_rule_takes_the_serving_kernel_where_its_tiles_fill_the_gpu():
    """exp100-exp102's winners and losers on 132 SMs, and every bound of the rule."""
    for m, n in ((256, 7168), (512, 7168), (256, 18432), (512, 65536), (128, 65536), (224, 14336), (384, 5120),
                 (512, 4096), (256, 8192), (128, 24576), (112, 14336), (448, 10240)):
        assert serving_config(m, n, 4096, 1, 128, 132, H100_SHARED) == SERVING, (m, n)
    for m, n in ((192, 65536), (448, 14336)):  # v58: the 64-row build takes fewer waves
        assert serving_config(m, n, 4096, 1, 128, 132, H100_SHARED) == SERVING_64, (m, n)
    # the 64-row build where its tiles make one wave of >= 0.7 and the 128-row tiles are too few: exp102's winners
    # (fill >= 0.85) and exp105's (0.73: 96 or 128 tiles, 1.05-1.14x the tile kernel's 64 x 64 split-x tiles)
    for m, n in ((256, 4096), (512, 2048), (192, 5120), (128, 7168), (192, 4096), (96, 8192), (384, 2048),
                 (256, 3072), (128, 6144)):
        assert serving_config(m, n, 4096, 1, 128, 132, H100_SHARED) == SERVING_64, (m, n)
    # 128-row tiles in one wave filled 0.73-0.74 (exp101's and exp105's losses on K <= 2048; 64-row tiles in two waves
    # fill no better, so v62 leaves them too), two waves or a 64-row wave filled <= 0.64
    for m, n in ((160, 6144), (256, 1536), (256, 2048), (384, 4096), (192, 8192), (512, 3072), (128, 4096)):
        assert serving_config(m, n, 4096, 1, 128, 132, H100_SHARED) is None, (m, n)
    assert serving_config(256, 32768, 512, 1, 128, 132, H100_SHARED) is None  # 4 K-tiles
    assert serving_config(256, 32768, 1024, 1, 128, 132, H100_SHARED) == SERVING  # 8
    assert serving_config(64, 65536, 4096, 1, 128, 132, H100_SHARED) is None  # M below SERVING_MIN_M
    assert serving_config(640, 65536, 4096, 1, 128, 132, H100_SHARED) == SERVING  # v64: above SERVING_MAX_M, ...
    assert serving_config(1024, 7168, 3072, 1, 128, 132, H100_SHARED) == SERVING  # 448 tiles: 0.85 of 4 waves
    assert serving_config(1024, 1536, 7168, 1, 128, 132, H100_SHARED) is None  # ... where it fills (96 tiles: 0.73)
    assert serving_config(1025, 65536, 4096, 1, 128, 132, H100_SHARED) is None  # ... up to SERVING_LARGE_MAX_M
    assert serving_config(256, 7168, 4096, 2, 128, 132, H100_SHARED) is None  # groups
    assert serving_config(256, 7168, 4096, 1, 64, 132, H100_SHARED) is None  # scale blocks 64 deep
    assert serving_config(256, 7168, 4096, 1, 256, 132, H100_SHARED) == SERVING  # 256 deep: two K-tiles a block
    assert serving_config(256, 7168, 4096, 1, 128, 132, SERVING_TILES[0].shared_memory - 1) is None
    assert serving_config(256, 7168, 4096, 1, 128, 114, H100_SHARED) == SERVING  # 112 tiles: 0.98 of 114 SMs


def test_where_nothing_clears_its_bound_64_row_tiles_in_several_waves_that_fill_better():
    """v62 (NOTES item 113; the grid persistent since v60): where neither build clears its bound, the 64-row build
    in more than one wave, two programs a SM, if it fills the GPU better than the launches that failed and clears
    the lower bound (or the tile launch's fill). exp125 (H200, the library against v61's): 44 of the 45 points of
    21 layers it changes 1.09-1.24x (18432 x 7168 M = 128 90.4 -> 74.9 us, 20480 x 6144 M = 96 80.0 -> 64.5,
    7168 x 3072 M = 384 39.4 -> 34.4), one 0.96x; the same build in place of a 128-row launch that clears its bound
    was mixed (0.87-1.10x) and is not taken."""
    assert serving_config(128, 18432, 7168, 1, 128, 132, H100_SHARED) == SERVING_64  # 288 tiles: 0.73 against 0.55
    assert serving_config(384, 7168, 3072, 1, 128, 132, H100_SHARED) == SERVING_64  # 336: 0.85 against 0.64
    assert serving_config(96, 20480, 6144, 1, 128, 132, H100_SHARED) == SERVING_64  # 320: 0.81 against 0.61
    # the 128-row launch clears its bound: it stays, whatever the 64-row tiles' fill (exp125: 0.87-1.10x)
    assert serving_config(448, 7168, 16384, 1, 128, 132, H100_SHARED) == SERVING  # 0.74 against 0.99
    assert serving_config(512, 18432, 7168, 1, 128, 132, H100_SHARED) == SERVING
    # 64-row tiles fill no better than the 128-row ones that failed (exp124: 0.91-0.94x the tile kernel there)
    for m, n, k in ((384, 4096, 8192), (384, 4096, 2048), (192, 8192, 1024), (192, 8192, 1536)):
        assert serving_config(m, n, k, 1, 128, 132, H100_SHARED) is None, (m, n, k)
    assert serving_config(96, 20480, 6144, 1, 128, 132, SERVING_TILES[-1].shared_memory - 1) is None


def test_rule_property_over_shapes_and_gpus():
    """The rule is exactly its stated conditions, for any M, N and SM count: the build of the better fill (the
    64-row one only in one wave; ties to 128 rows), taken where that fill clears its bound (the higher one for
    128-row tiles in one wave) or the tile launch's fill; then 128-row tiles give way to 64-row ones where those, two
    a SM, take fewer waves (v58); where nothing cleared its bound, the 64-row build in more than one wave if it fills
    better still and clears the lower bound or the tile launch's fill (v62)."""
    def expected_block(m, n, sms, tile_fill):
        if not SERVING_MIN_M <= m <= SERVING_LARGE_MAX_M:
            return None
        if m > SERVING_MAX_M:  # v64: the 128-row build unsplit where it clears the higher bound
            tiles = -(-n // 128) * -(-m // 128)
            fill = tiles / (-(-tiles // sms) * sms) * (-(-m // 64) * 64) / (-(-m // 128) * 128)
            return 128 if fill >= SERVING_ONE_WAVE_FILL else None
        options, fills = [], {}
        for block_m in (128, 64):
            tiles = -(-n // 128) * -(-m // block_m)
            fills[block_m] = tiles / (-(-tiles // sms) * sms) * (-(-m // 64) * 64) / (-(-m // block_m) * block_m)
            if block_m == 128 or tiles <= sms:
                options.append((fills[block_m], block_m, tiles <= sms))
        fill, block_m, one_wave = max(options)
        clears = lambda f, bound: f >= bound or (tile_fill is not None and f >= tile_fill)  # noqa: E731
        tiles_128, tiles_64 = -(-n // 128) * -(-m // 128), -(-n // 128) * -(-m // 64)
        if clears(fill, SERVING_ONE_WAVE_FILL if one_wave and block_m == 128 else SERVING_MIN_FILL):
            return 64 if block_m == 128 and -(-tiles_64 // (2 * sms)) < -(-tiles_128 // sms) else block_m  # v58
        if tiles_64 > sms and round(fills[64], 9) > round(fill, 9) and clears(fills[64], SERVING_MIN_FILL):
            return 64  # v62
        return None

    for m, n, sms in itertools.product(range(33, 1100, 31), (512, 1536, 2048, 3072, 4096, 7168, 18432, 65536),
                                       (78, 108, 114, 132, 148)):
        for tile_fill in (None, 0.3, 0.6, 0.9):  # v56: a tile launch filling no better does not keep the GPU from it
            config = serving_config(m, n, 7168, 1, 128, sms, H100_SHARED, tile_fill=tile_fill)
            block_m = expected_block(m, n, sms, tile_fill)
            assert (None if config is None else config.block_m) == block_m, (m, n, sms, tile_fill)
        assert serving_config(m, n, 128 * (SERVING_MIN_K_TILES - 1), 1, 128, sms, H100_SHARED) is None


@pytest.fixture(autouse=True)
def _no_faked_choices_kept():
    """The launch caches forget what a test computed with faked GPU facts (``on_faked_gpu``)."""
    yield
    forget_plans()


def test_plan_takes_the_serving_kernel_on_sm_90_with_bf16_x(monkeypatch):
    """The plan: the split-x prologue (low terms from row 256; an ordinary launch, not dependent on the previous
    kernel: that lost before the serving kernel, exp150), then one serving launch of 112 programs reading the terms
    and the weight by descriptors with the kernel's shared layouts; its fallback (a weight TMA cannot take) is the
    tile kernel by pointer loads."""
    on_faked_gpu(monkeypatch)
    cuda = torch.device("cuda", 0)
    plan = launch_plan(256, 7168, 16384, cuda)
    assert plan.kind == "serving" and plan.config == SERVING and plan.grid == (112, 1, 1)
    assert plan.prologue is not None and plan.prologue.kind == "split_x"
    assert plan.prologue.int_args[0] == low_terms_row(256, 128) == 256
    assert not dict(plan.prologue.constexprs)["PDL"] and not dict(plan.prologue.options)["launch_pdl"]
    assert [(d.index, d.rows, d.box) for d in plan.descriptors] == [(0, 512, (128, 128)), (1, 7168, (64, 128))]
    assert all(d.layout is not None and d.dtype == torch.float8_e4m3fn for d in plan.descriptors)
    assert plan.int_args == (256, 7168, 16384, 256, 128, 1, 7168, 128, 0, 0, 1)  # ... no whole tiles, no stream
    assert dict(plan.constexprs) == {"SCALE_BLOCK_K": 128, "HAS_BIAS": False, "SCALE_E8M0": False, "STAGES": 4,
                                     "MATH_REGISTERS": 232, "SPLIT_K": 1, "PERSISTENT": False, "STREAM": False}
    assert plan.fallback.kind == "tile" and not plan.fallback.descriptors
    ragged = launch_plan(300, 7000, 5008, cuda)  # 55 x 3 tiles: 165 of 264 places, 300 of 384 rows: 0.49
    assert ragged.kind != "serving"
    assert launch_plan(500, 7000, 5008, cuda).kind == "serving"  # 55 x 4 tiles in two waves: 0.83 x 0.98
    narrow = launch_plan(256, 4096, 8192, cuda)  # the 64-row build: 32 x 4 tiles, capped at 80 registers a thread
    assert narrow.config == SERVING_64 and narrow.grid == (128, 1, 1) and narrow.prologue.int_args[0] == 256
    assert not dict(plan.constexprs)["PERSISTENT"] and not dict(narrow.constexprs)["PERSISTENT"]  # a program a tile
    # more tiles than places: a persistent grid of one 128-row program a SM (two of the 64-row build) walking them
    many = launch_plan(512, 65536, 1536, cuda)  # 512 x 4 tiles
    assert many.config == SERVING and many.grid == (132, 1, 1) and dict(many.constexprs)["PERSISTENT"]
    assert not dict(many.constexprs)["STREAM"] and many.int_args[-3:] == (2048, 0, 1)  # 0.97 of 16 rounds: no stream
    short = launch_plan(192, 65536, 1536, cuda)  # v58: 512 x 3 64-row tiles, two a SM
    assert short.config == SERVING_64 and short.grid == (264, 1, 1) and dict(short.constexprs)["PERSISTENT"]
    assert [d.box for d in narrow.descriptors] == [(64, 128), (64, 128)]
    assert dict(narrow.options) == {"num_warps": 4, "maxnreg": 80} and dict(narrow.constexprs)["MATH_REGISTERS"] == 104
    with pytest.raises(ValueError, match="128 x 128 or 128 x 64 tile"):
        launch_plan(256, 4096, 8192, cuda, config=SERVING._replace(block_m=32))


def test_plan_keeps_the_tile_kernel_where_the_serving_kernel_cannot_run(monkeypatch):
    cuda = torch.device("cuda", 0)
    for capability in ((8, 0), (8, 9), (10, 0)):  # Gluon's Hopper wgmma: sm_90 only
        on_faked_gpu(monkeypatch, capability)
        assert launch_plan(256, 7168, 16384, cuda).kind != "serving", capability
    kernel_module = on_faked_gpu(monkeypatch)
    assert launch_plan(256, 7168, 16384, cuda, x_dtype=torch.float16).kind != "serving"  # split x is bf16 only
    assert launch_plan(256, 7168, 16384, cuda, dequant="integer").kind != "serving"  # no fp8 MMA on that path
    assert launch_plan(256, 3584, 16384, cuda, groups=2).kind != "serving"
    assert launch_plan(256, 7168, 16384, cuda, block=(128, 64)).kind != "serving"
    assert launch_plan(256, 7168, 16384, cuda, x_stride=(16392, 1)).kind == "serving"  # x is split into scratch
    assert launch_plan(1, 7168, 16384, cuda, batch_invariant=True).kind != "serving"
    monkeypatch.setattr(kernel_module, "_SERVING_ALLOWED", False)  # FP8BLK_SERVING=0
    kernel_module._launch_plan.cache_clear()
    kernel_module.choose_config.cache_clear()
    assert launch_plan(256, 7168, 16384, cuda).kind == "tile"
    monkeypatch.setattr(kernel_module, "_SERVING_ALLOWED", True)  # no plan of the switched-off rule stays cached
    kernel_module._launch_plan.cache_clear()
    kernel_module.choose_config.cache_clear()
    with pytest.raises(ValueError, match="split_x needs bf16 x"):  # forced where it cannot run
        launch_plan(256, 7168, 16384, cuda, config=SERVING, x_dtype=torch.float16)
    on_faked_gpu(monkeypatch, (10, 0))
    with pytest.raises(ValueError, match="serving kernel needs an sm_90 GPU"):  # TMA and fp8 MMAs, but not Hopper
        launch_plan(256, 7168, 16384, cuda, config=SERVING)


@pytest.mark.parametrize("m, n, k, scale_dtype, bias", [(65, 300, 528, torch.float32, True),
                                                        (130, 200, 400, torch.float8_e8m0fnu, False),
                                                        (129, 260, 272, torch.bfloat16, True),
                                                        (200, 136, 256, torch.float16, False)])
def test_arithmetic_the_serving_kernel_reproduces(m, n, k, scale_dtype, bias):
    """The tile kernel's unsplit 128 x 128 split-x launch (the serving kernel's bitwise twin on the GPU) against the
    float64 reference in the interpreter: ragged M, N and K, every scale dtype, bias."""
    x, wq, scale, b = make(m, n, k, torch.bfloat16, scale_dtype, bias)
    to = lambda t: None if t is None else t.to(DEVICE)  # noqa: E731
    y = fp8_block_matmul(to(x), to(wq), to(scale), to(b), config=TILE_TWIN)
    assert rel_err(y, reference(x, wq, scale, b)) < 4e-3


def test_serving_kernel_builds_for_hopper_only():
    """sm_90 builds (Gluon, in the AOT child process: the interpreter must not be loaded) for every scale dtype and
    bias: two math warpgroups and a loader warp, 8 fp8 wgmmas a warpgroup waited for each K-tile, the shared memory
    the rule counts on, no register spills; the 64-row build within 80 registers a thread; the persistent form with
    the stream (v64) in the same shared memory (its partials keep the MMA's register layout); sm_80 is refused."""
    wide, narrow = SERVING_TILES
    features = [("bfloat16", "float32", False, False), ("bfloat16", "float8_e8m0fnu", True, False),
                ("bfloat16", "bfloat16", True, False)]
    jobs = [(90, list(SERVING), *f) for f in features] + [(90, list(SERVING_64), *features[0])]
    jobs += [(90, list(SERVING._replace(split_k=2)), "bfloat16", "float32", True, False),
             (80, list(SERVING), *features[0])]
    persistent = [(90, list(tile), *features[1], True, True) for tile in (SERVING, SERVING_64)]  # the persistent form
    stream = (90, list(SERVING), *features[1], True, True, True)  # ... with the stream (v64, 128-row build)
    builds = run_aot_jobs(jobs + persistent + [stream])
    for f in features:  # 12 warps: two warpgroups and the loader warp's group; 16 wgmmas: 2 terms x 4 K-steps x 2
        build = builds[(90, tuple(SERVING), *f)]
        assert build["error"] is None, build["error"]
        assert (build["shared"], build["warps"], build["wgmmas"]) == (wide.shared_memory, 12, 16)
        assert build["wgmma_e4m3"] and not build["wgmma_serialized"] and not any(build["spills"])
    for job, tile in zip(persistent, SERVING_TILES):
        build = builds[(90, tuple(job[1]), *job[2:])]
        assert build["error"] is None and (build["shared"], build["warps"], build["wgmmas"]) == (tile.shared_memory, 12,
                                                                                                 16)
        assert not build["wgmma_serialized"] and not any(build["spills"])
        assert tile.max_registers is None or build["registers"] == tile.max_registers
    build = builds[(90, tuple(SERVING), *stream[2:])]  # the whole tiles' and the stream's K loops; the reduction
    assert build["error"] is None and (build["shared"], build["warps"], build["wgmmas"]) == (wide.shared_memory, 12, 32)
    assert not build["wgmma_serialized"] and not any(build["spills"]) and build["atomics"] >= 2
    split = builds[(90, tuple(SERVING._replace(split_k=2)), "bfloat16", "float32", True, False)]
    assert split["error"] is None and split["shared"] <= H100_SHARED and split["atomics"] >= 2  # the tile counters
    for counted in (build, split):  # each part arrives acq_rel; the last one resets its counter relaxed (the next
        # launch is stream-ordered after this one: the serving kernel is launched without PDL)
        assert counted["counter_atomics"] and set(counted["counter_atomics"]) == {"acq_rel add", "relaxed exch"}
    build = builds[(90, tuple(SERVING_64), *features[0])]
    assert (build["shared"], build["registers"]) == (narrow.shared_memory, narrow.max_registers)
    assert not any(build["spills"])
    assert wide.shared_memory <= H100_SHARED and 2 * narrow.shared_memory <= 233472  # an sm_90 SM: 228 KB
    assert "builds for sm_90 only" in builds[(80, tuple(SERVING), *features[0])]["error"]


def test_rule_splits_long_k_where_the_split_fills_the_gpu(monkeypatch):
    """Split 2 of the 128-row build where each split keeps >= SERVING_SPLIT_K_TILES K-tiles and the split fills
    better (exp102: 7168 x 16384 at M = 128 / 384, 1.13-1.18x); the plan's grid, workspace and per-half counters."""
    assert serving_config(128, 7168, 16384, 1, 128, 132, H100_SHARED) == SERVING._replace(split_k=2)
    assert serving_config(384, 7168, 16384, 1, 128, 132, H100_SHARED) == SERVING._replace(split_k=2)
    assert serving_config(256, 7168, 16384, 1, 128, 132, H100_SHARED) == SERVING  # 112 tiles: splitting ties
    assert serving_config(128, 7168, 8192, 1, 128, 132, H100_SHARED) == SERVING_64  # 64 K-tiles: no split
    on_faked_gpu(monkeypatch)
    plan = launch_plan(128, 7168, 16384, torch.device("cuda", 0))
    assert plan.kind == "serving" and plan.grid == (112, 1, 1) and dict(plan.constexprs)["SPLIT_K"] == 2
    assert plan.partial_elems == 2 * 128 * 7168 and plan.tiles == 2 * 56  # a counter per tile half
    assert not dict(plan.constexprs)["PERSISTENT"]
    # 56 x 3 tiles x 2 splits fill 0.85 of 3 rounds: v64 streams them instead (one whole round, 36 tiles' K-tiles in
    # 132 runs of 34-35, cut into at most 5 parts a tile: 180 partial slots)
    split = launch_plan(384, 7168, 16384, torch.device("cuda", 0))
    assert dict(split.constexprs)["SPLIT_K"] == 2 and split.grid == (132, 1, 1) and split.tiles == 2 * 56 * 3
    assert dict(split.constexprs)["PERSISTENT"] and dict(split.constexprs)["STREAM"]
    assert split.int_args[-3:] == (132, 132, 5) and split.partial_elems == 180 * 128 * 128
    with pytest.raises(ValueError, match="every K split non-empty"):
        launch_plan(128, 7168, 1024, torch.device("cuda", 0), config=SERVING._replace(split_k=16))


def test_a_launch_filling_less_than_the_one_wave_bound_does_not_displace_the_expand_path(monkeypatch):
    """Below ``SERVING_ONE_WAVE_FILL`` the serving launch replaces the tile kernel's launch but not the expand path
    (exp105, H200: 1536 x 7168 M = 512, 96 64-row tiles filling 0.73, 0.84x the expand path's time; 2048 x 4096
    M = 384, the same fill, 1.12x the 64 x 64 split-x tiles); filling better, it replaces either."""
    kernel_module = on_faked_gpu(monkeypatch)
    device = torch.device("cuda", 0)
    assert serving_config(512, 1536, 7168, 1, 128, 132, H100_SHARED) == SERVING_64
    assert kernel_module.choose_config(512, 1536, 7168, 1, 128, device, tma=True, serving=True).expand_weight
    assert kernel_module.choose_config(384, 2048, 4096, 1, 128, device, tma=True, serving=True) == SERVING_64
    assert not kernel_module.choose_config(384, 2048, 4096, 1, 128, device, tma=True).warp_specialized
    # on a GPU of 96 SMs the same 96 tiles fill it: the serving launch replaces the expand path
    monkeypatch.setattr(kernel_module, "_device_facts", lambda device: ("gpu", 96, (9, 0), H100_SHARED))
    kernel_module.choose_config.cache_clear()
    assert kernel_module.choose_config(512, 1536, 7168, 1, 128, device, tma=True).expand_weight
    assert kernel_module.choose_config(512, 1536, 7168, 1, 128, device, tma=True, serving=True) == SERVING_64


def test_padding_counts_only_where_64_row_tiles_would_pad_less():
    """v54: a 128-row tile's padding counts against its fill only beyond what the tile kernel's 64-row tiles pad:
    at M = 96 / 112 the two cover the same 128 rows (exp108: 7168 x 16384 / 18432 M = 96, the 128-row launch split 2
    1.27-1.29x the rule's 64 x 64 tiles; exp100: 14336 x 4096 M = 112 1.20x), at M = 160 / 320 the 128-row tiles pad
    64 rows more (exp100: 0.92x / 0.69x on 6144 x 2048, still refused; at M = 320 v62 takes the 64-row build in two
    waves instead, exp125 1.11x)."""
    assert serving_config(96, 7168, 16384, 1, 128, 132, H100_SHARED) == SERVING._replace(split_k=2)
    assert serving_config(112, 14336, 4096, 1, 128, 132, H100_SHARED) == SERVING
    assert serving_config(160, 6144, 2048, 1, 128, 132, H100_SHARED) is None
    assert serving_config(320, 6144, 2048, 1, 128, 132, H100_SHARED) == SERVING_64
    assert serving_config(192, 8192, 1536, 1, 128, 132, H100_SHARED) is None  # one wave filled 0.73: exp100 0.88x


def test_128_row_tiles_give_way_to_64_row_tiles_that_take_fewer_waves(monkeypatch):
    """v58 (NOTES item 108): where the rule's launch is the 128-row build unsplit and the 64-row build, two a SM,
    takes fewer waves than its tiles one a SM, the 64-row build (exp113/exp114, H200: 30 of 30 such points 1.04-1.28x,
    e.g. 32768 x 1024 M = 160 37.1 -> 29.1 us); where it takes as many (0.91-1.12x: 8192 x 7168 M = 400 0.91x) or both
    cover the same rows (M = 256 / 384 / 512, M <= 128), one wave and a K split, the 128-row build stays."""
    assert SERVING_TILES[-1].per_sm == 2
    for m in (129, 160, 192, 257, 320, 385, 448):
        for n, k in ((32768, 1024), (65536, 1536), (36864, 1536)):
            config = serving_config(m, n, k, 1, 128, 132, H100_SHARED, tile_fill=0.0)  # taken, whatever its fill
            assert config == SERVING_64, (m, n, k)
    for m in (65, 128, 193, 256, 384, 449, 512):  # the same rows
        for n, k in ((32768, 1024), (65536, 1536), (36864, 1536)):
            assert serving_config(m, n, k, 1, 128, 132, H100_SHARED, tile_fill=0.0) == SERVING, (m, n, k)
    for m, n, k in ((400, 8192, 7168), (400, 12288, 7168), (272, 10240, 4096), (440, 20480, 3072), (448, 7168, 2048),
                    (192, 24576, 1536)):  # as many waves (exp114's losses among them)
        assert serving_config(m, n, k, 1, 128, 132, H100_SHARED, tile_fill=0.0) == SERVING, (m, n, k)
    assert serving_config(320, 17408, 5120, 1, 128, 132, H100_SHARED, tile_fill=0.0) == SERVING_64  # 4 waves -> 3
    assert serving_config(320, 17408, 5120, 1, 128, 204, H100_SHARED, tile_fill=0.0) == SERVING  # 2 waves either way
    assert serving_config(160, 7168, 16384, 1, 128, 132, H100_SHARED, tile_fill=0.0) == SERVING  # 112 tiles: one wave
    split = serving_config(448, 5120, 16384, 1, 128, 132, H100_SHARED, tile_fill=0.0)  # 160 tiles split 2
    assert split == SERVING._replace(split_k=2)
    kernel_module = on_faked_gpu(monkeypatch)
    device = torch.device("cuda", 0)
    assert kernel_module.choose_config(192, 32768, 1024, 1, 128, device, tma=True, serving=True) == SERVING_64
    assert kernel_module.choose_config(256, 32768, 1024, 1, 128, device, tma=True, serving=True) == SERVING


def test_a_launch_below_its_bound_is_taken_where_it_fills_the_gpu_as_well_as_the_tile_launch(monkeypatch):
    """v56 (NOTES item 107): below its bound the serving launch still replaces a tile launch filling the GPU no
    better (exp112, H200: 47 of 47 such points of 11 layers at M = 65-320 1.10-1.34x, e.g. 3072 x 7168
    M = 192 35.3 -> 30.9 us against 144 64 x 64 tiles, 17408 x 5120 M = 256 121.9 -> 96.7 against 272 128 x 128
    tiles); where the tile launch fills better (every loss exp100-exp105 measured), the tile launch stays."""
    assert serving_config(192, 3072, 7168, 1, 128, 132, H100_SHARED) is None  # 72 64-row tiles: 0.55 < 0.7
    assert serving_config(192, 3072, 7168, 1, 128, 132, H100_SHARED, tile_fill=144 / 264) == SERVING_64
    assert serving_config(192, 3072, 7168, 1, 128, 132, H100_SHARED, tile_fill=0.56) is None
    kernel_module = on_faked_gpu(monkeypatch)
    device = torch.device("cuda", 0)

    def choice(m, n, k):
        return kernel_module.choose_config(m, n, k, 1, 128, device, tma=True, serving=True)

    assert choice(192, 3072, 7168) == SERVING_64
    assert choice(96, 5120, 6144) == SERVING_64  # 80 64-row tiles against 160 64 x 64 ones
    assert choice(96, 5120, 17408) == SERVING._replace(split_k=2)  # 80 tiles split 2 against 160 unsplit
    assert choice(256, 17408, 5120) == SERVING  # 272 tiles either way
    for m, n, k in ((160, 6144, 2048), (192, 8192, 1536), (384, 4096, 8192)):
        assert not choice(m, n, k).warp_specialized, (m, n, k)  # the tile launch fills better: exp100/exp101 losses
    assert choice(320, 6144, 2048) == SERVING_64  # v62: 240 64-row tiles in two waves (exp125 1.11x the tile launch)
    assert not kernel_module.choose_config(192, 3072, 7168, 1, 128, device, tma=True).warp_specialized  # serving off


def _stream_pieces(schedule, tiles, k_tiles):
    """Every program's pieces of work under ``schedule`` as the kernel walks them (its ``_stream_units`` and
    ``_stream_owner`` run as Python): ``(program, tile, first K-tile, count, part, parts, slot)``."""
    pieces = []
    for program in range(schedule.grid):
        for tile in range(program, schedule.whole_tiles, schedule.grid):  # the whole rounds
            pieces.append((program, tile, 0, k_tiles, 0, 1, None))
        if program < schedule.stream_programs:
            units = (tiles - schedule.whole_tiles) * k_tiles
            start, end = _stream_units.fn(program, schedule.stream_programs, units)
            for tail in range(start // k_tiles, -(-end // k_tiles)):
                first = max(start - tail * k_tiles, 0)
                owner = _stream_owner.fn(tail * k_tiles, schedule.stream_programs, units)
                parts = _stream_owner.fn(tail * k_tiles + k_tiles - 1, schedule.stream_programs, units) - owner + 1
                pieces.append((program, schedule.whole_tiles + tail, first, min(end - tail * k_tiles, k_tiles) - first,
                               program - owner, parts, tail * schedule.stream_parts))
    return pieces


def test_stream_covers_every_k_tile_once_and_reduces_each_tile_in_k_order():
    """v64's stream, for every launch the schedule streams over a range of layers, M and SM counts: the pieces the
    kernel's own index helpers give cover each tile's K-tiles exactly once; a tile's parts are numbered 0, 1, ... in K
    order, as many as each piece says, within the schedule's ``stream_parts``; partial slots are distinct and within
    the plan's workspace; every run holds >= STREAM_MIN_K_TILES K-tiles; the 128-row build only."""
    streamed = 0
    for n, k, m, split, sms in itertools.product((5120, 7168, 16900, 18432, 24576), (1536, 5100, 7168, 16384),
                                                 (96, 256, 300, 384, 512, 1000), (1, 2), (78, 114, 132)):
        config = SERVING._replace(split_k=split)
        tiles, k_tiles = -(-n // 128) * -(-m // 128), -(-k // 128)
        schedule = serving_schedule(tiles, k_tiles, config, sms)
        if not schedule.stream_programs:
            continue
        streamed += 1
        assert schedule.persistent and schedule.grid == sms and schedule.stream_programs > tiles - schedule.whole_tiles
        pieces = _stream_pieces(schedule, tiles, k_tiles)
        covered = {}
        for program, tile, first, count, part, parts, slot in pieces:
            assert count >= 1
            covered.setdefault(tile, []).append((first, count, part, parts, slot))
        assert sorted(covered) == list(range(tiles))
        runs = {}
        for program, tile, first, count, *_ in pieces:
            if tile >= schedule.whole_tiles:
                runs[program] = runs.get(program, 0) + count
        assert min(runs.values()) >= STREAM_MIN_K_TILES
        slots = set()
        for tile, kept in covered.items():
            kept.sort()
            assert [first for first, *_ in kept] == [sum(c for _, c, *_ in kept[:i]) for i in range(len(kept))]
            assert sum(count for _, count, *_ in kept) == k_tiles
            assert [part for _, _, part, *_ in kept] == list(range(len(kept)))
            assert {parts for *_, parts, _ in kept} == {len(kept)} and len(kept) <= schedule.stream_parts
            if len(kept) > 1:
                slots.update(slot + part for _, _, part, _, slot in kept)
        assert len(slots) <= schedule.slots and all(0 <= s < schedule.slots for s in slots)
    assert streamed >= 20, streamed


def test_stream_is_taken_where_exp132_measured_it_faster():
    """v64's conditions (NOTES item 117): the 128-row build's rounds at most 0.9 full, tiles of >= 40 K-tiles, two
    whole rounds (or one and a tail of at most 0.3 of the places); not with no whole round, on short K, after one
    round with a larger tail, nor for the 64-row build."""
    def streams(n, k, m, split=1, build=SERVING):
        tiles = -(-n // 128) * -(-m // build.block_m)
        return serving_schedule(tiles, -(-k // 128), build._replace(split_k=split), 132).stream_programs > 0
    assert streams(7168, 16384, 384, split=2)  # one round and 36 tiles: 1.19x (exp132)
    assert streams(18432, 7168, 256) and streams(18432, 7168, 512)  # 2 / 4 whole rounds: 1.13x / 1.11x
    assert streams(17408, 5120, 256) and streams(5120, 17408, 512, split=2)  # 1.13x, 1.19x
    assert not streams(7168, 16384, 256)  # no whole round (0.79x)
    assert not streams(7168, 16384, 96, split=2)  # (0.88x)
    assert not streams(24576, 1536, 384)  # 12 K-tiles (0.89x)
    assert not streams(7168, 16384, 512)  # one round and 92 tiles (0.95x)
    assert not streams(18432, 7168, 96, build=SERVING_64)  # the 64-row build
    assert not streams(65536, 1536, 512)  # 2048 tiles fill 0.97 of their rounds: nothing to balance
