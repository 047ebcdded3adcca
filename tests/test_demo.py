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
