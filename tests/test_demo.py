from fp8blk.cli import main
from fp8blk.demo import DEMO_CHECKPOINTS, DEMO_LAYERS, run_demo


def test_demo_covers_every_convention_and_is_accurate(capsys):
    rows = run_demo(m=3)
    assert len(rows) == len(DEMO_CHECKPOINTS) * len(DEMO_LAYERS)
    assert {r["convention"] for r in rows} == {"deepseek-hf", "compressed-tensors", "deepseek-v4"}
    assert all(r["err_vs_dequant"] < 1e-2 and r["err_vs_float"] < 0.1 for r in rows)
    out = capsys.readouterr().out
    assert "computed on cpu by the reference" in out and "float8_e8m0fnu" in out


def test_cli_demo_exit_status(capsys):
    assert main(["demo", "--m", "2"]) == 0
    assert "weight_scale_inv" in capsys.readouterr().out


def test_demo_keeps_its_checkpoints_for_inspect_and_convert(tmp_path, capsys):
    kept = tmp_path / "demo"
    assert main(["demo", "--m", "1", "--keep", str(kept)]) == 0
    names = sorted(p.name for p in kept.iterdir())
    assert names == sorted(label.split()[0].replace("/", "_") for label, *_ in DEMO_CHECKPOINTS)
    assert main(["inspect", str(kept / "raw")]) == 0
    assert main(["convert", str(kept / "raw"), str(tmp_path / "ct"), "--scale-name", "weight_scale"]) == 0
    assert "checkpoints kept in" in capsys.readouterr().out
    import pytest
    with pytest.raises(FileExistsError, match="name a new directory"):
        main(["demo", "--keep", str(kept)])
