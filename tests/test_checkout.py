"""fp8blk/_checkout.py: from a source checkout, fp8blk.kernels / fp8blk.bench map to kernels/ and benchmarks/."""
import sys
from pathlib import Path

from fp8blk._checkout import CheckoutFinder, install

ROOT = Path(__file__).resolve().parents[1]


def fake_checkout(tmp_path, project_text='[project]\nname = "fp8blk"\n'):
    for folder in ("fp8blk", "kernels", "benchmarks"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "__init__.py").write_text("")
    (tmp_path / "pyproject.toml").write_text(project_text)
    return tmp_path


def test_finder_maps_both_subpackages_to_the_checkout_folders(tmp_path):
    root = fake_checkout(tmp_path)
    finder = CheckoutFinder(root)
    kernels, bench = finder.find_spec("fp8blk.kernels"), finder.find_spec("fp8blk.bench")
    assert Path(kernels.origin) == root / "kernels" / "__init__.py"
    assert kernels.submodule_search_locations == [str(root / "kernels")]
    assert Path(bench.origin) == root / "benchmarks" / "__init__.py"
    assert finder.find_spec("fp8blk.formats") is None and finder.find_spec("kernels") is None


def test_installs_only_in_an_fp8blk_checkout(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "meta_path", [f for f in sys.meta_path if not isinstance(f, CheckoutFinder)])
    other = fake_checkout(tmp_path / "other" if (tmp_path / "other").mkdir() is None else None, '[project]\nname = "x"\n')
    assert install(other / "fp8blk") is False  # someone else's project with kernels/ and benchmarks/
    wheel_like = tmp_path / "site-packages"
    (wheel_like / "fp8blk" / "kernels").mkdir(parents=True)
    assert install(wheel_like / "fp8blk") is False  # installed: the subpackages are inside fp8blk/
    checkout = fake_checkout(tmp_path / "checkout" if (tmp_path / "checkout").mkdir() is None else None)
    assert install(checkout / "fp8blk") is True and install(checkout / "fp8blk") is False  # once
    assert isinstance(sys.meta_path[-1], CheckoutFinder)


def test_this_checkout_is_recognised():
    """The repository's own layout is what the finder expects (kernels/, benchmarks/ beside fp8blk/)."""
    assert not (ROOT / "fp8blk" / "kernels").exists()
    assert all((ROOT / folder / "__init__.py").is_file() for folder in ("kernels", "benchmarks"))
    assert 'name = "fp8blk"' in (ROOT / "pyproject.toml").read_text()
