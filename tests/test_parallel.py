"""Tensor parallelism: shard math on one process, and 2-/3-process gloo groups against the single-process layer."""
import time

import pytest
import torch
import torch.distributed as dist
import torch.multiprocessing as mp

import fp8blk
from fp8blk.parallel import (ColumnParallelFp8BlockLinear, RowParallelFp8BlockLinear, column_shard_scale,
                             row_shard_scale, shard_bounds)

from conftest import write_checkpoint

# (N, K): aligned and unaligned splits, DeepSeek-like extents kept CPU-sized along the other dim.
SHAPES = [(512, 3072), (7168, 256), (1000, 2048), (576, 1152)]


def full_layer(n, k, seed=0, scale_dtype=torch.float32):
    torch.manual_seed(seed)
    linear = torch.nn.Linear(k, n, bias=True)
    return fp8blk.Fp8BlockLinear.from_linear(linear, scale_dtype=scale_dtype)


def test_shard_bounds_cover_exactly_and_align():
    for extent, world, align in ((7168, 3, 1), (7168, 5, 1), (2048, 3, 16), (3072, 16, 16), (100, 8, 16)):
        bounds = [shard_bounds(extent, world, r, align) for r in range(world)]
        assert bounds[0][0] == 0 and bounds[-1][1] == extent
        assert all(a[1] == b[0] for a, b in zip(bounds, bounds[1:]))
        assert all(b % align == 0 for b, _ in bounds)
    with pytest.raises(ValueError):
        shard_bounds(10, 2, 2)


@pytest.mark.parametrize("world", [2, 3, 5, 6, 16])
@pytest.mark.parametrize("scale_dtype", [torch.float32, torch.float8_e8m0fnu])
def test_every_rank_dequantizes_to_its_slice_bit_for_bit(world, scale_dtype):
    for n, k in ((7168, 256), (256, 2048), (512, 3072)):
        full = full_layer(n, k, scale_dtype=scale_dtype)
        dense = full.dequantized_weight()
        for rank in range(world):
            col = ColumnParallelFp8BlockLinear.from_full(full, rank=rank, world_size=world)
            assert torch.equal(col.local.dequantized_weight(), dense[col.bounds[0]:col.bounds[1]])
            row = RowParallelFp8BlockLinear.from_full(full, rank=rank, world_size=world)
            assert torch.equal(row.local.dequantized_weight(), dense[:, row.bounds[0]:row.bounds[1]])
            assert (row.local.bias is not None) == (rank == 0)
            assert row.local.block_scale.dtype == scale_dtype


def test_v4_pro_shared_expert_w2_split_16_ways():
    """K = 3072 over 16 ranks: 192 columns each, every other rank starting mid-block."""
    scale = torch.rand(56, 24) + 0.1
    for rank in range(16):
        begin, end = shard_bounds(3072, 16, rank, 16)
        assert end - begin == 192
        local, block = row_shard_scale(scale, (128, 128), begin, end)
        assert block[1] % 16 == 0
        starts = torch.arange(begin, end)
        expanded = local.repeat_interleave(block[1], 1)[:, :end - begin]
        assert torch.equal(expanded, scale[:, starts // 128])


def test_column_scale_of_an_unaligned_slice():
    scale = torch.arange(6.0).reshape(3, 2)
    local, block = column_shard_scale(scale, (128, 128), 100, 300)
    assert block == (1, 128) and local.shape == (200, 2)
    assert torch.equal(local[27], scale[0]) and torch.equal(local[28], scale[1]) and torch.equal(local[199], scale[2])


def _worker(rank, world, init_file, ckpt_dir):
    dist.init_process_group("gloo", init_method=f"file://{init_file}", rank=rank, world_size=world)
    try:
        for i, (n, k) in enumerate(SHAPES):
            full = full_layer(n, k, seed=i)
            x = torch.randn(5, k, generator=torch.Generator().manual_seed(100 + i)).to(torch.bfloat16)
            expected = full(x).double()

            col = ColumnParallelFp8BlockLinear.from_full(full, gather_output=True)
            b, e = col.bounds
            col.gather_output = False
            local = col(x).double()
            assert ((local - expected[:, b:e]).norm() / expected[:, b:e].norm()) < 1e-2, (rank, n, k, "column")
            col.gather_output = True
            gathered = col(x).double()
            assert gathered.shape == expected.shape
            assert ((gathered - expected).norm() / expected.norm()) < 1e-2, (rank, n, k, "column gather")

            row = RowParallelFp8BlockLinear.from_full(full, input_is_parallel=False)
            reduced = row(x).double()
            assert ((reduced - expected).norm() / expected.norm()) < 1e-2, (rank, n, k, "row")
            b, e = row.bounds
            row.input_is_parallel = True
            assert torch.equal(row(x[:, b:e].contiguous()).double(), reduced)

        # Shard-by-shard from a checkpoint: the same tensors as sharding the loaded layer.
        for prefix in ("a", "b"):
            loaded = fp8blk.load_fp8_checkpoint(ckpt_dir, include=prefix)[prefix]
            for cls in (ColumnParallelFp8BlockLinear, RowParallelFp8BlockLinear):
                from_ckpt = cls.from_checkpoint(ckpt_dir, prefix)
                from_full = cls.from_full(loaded)
                assert from_ckpt.bounds == from_full.bounds
                assert torch.equal(from_ckpt.local.weight.view(torch.uint8), from_full.local.weight.view(torch.uint8))
                assert torch.equal(from_ckpt.local.block_scale, from_full.local.block_scale)
                assert from_ckpt.local.block_size == from_full.local.block_size
    finally:
        dist.destroy_process_group()


def _run_group(world, tmp_path, timeout_s=240):
    ckpt = tmp_path / "ckpt"
    write_checkpoint(ckpt, {"a": (7168, 256), "b": (300, 2048)}, bias=True)
    ctx = mp.spawn(_worker, args=(world, str(tmp_path / "init"), str(ckpt)), nprocs=world, join=False)
    deadline = time.time() + timeout_s
    while not ctx.join(timeout=1):
        if time.time() > deadline:
            for process in ctx.processes:
                process.kill()
            pytest.fail(f"{world}-process gloo group did not finish in {timeout_s} s")


@pytest.mark.parametrize("world", [2, 3])
def test_gloo_group_matches_single_process(world, tmp_path):
    _run_group(world, tmp_path)
