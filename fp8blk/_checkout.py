"""Running from a source checkout: ``fp8blk.kernels`` and ``fp8blk.bench`` are installed from ``kernels/`` and
``benchmarks/`` beside ``fp8blk/`` (setup's package_dir). When ``fp8blk`` is imported from the checkout itself (the
working directory is the checkout root, so the source folder shadows an installed wheel), those two subpackages
are not under ``fp8blk/``: this finder maps them to the checkout's folders, so every command works there as it does
from an installed wheel. It only answers when the ordinary finders found nothing.
"""
from __future__ import annotations

import importlib.abc
import importlib.util
import sys
from pathlib import Path

SUBPACKAGES = {"fp8blk.kernels": "kernels", "fp8blk.bench": "benchmarks"}


class CheckoutFinder(importlib.abc.MetaPathFinder):
    """Finds ``fp8blk.kernels``/``fp8blk.bench`` (and their modules) in a checkout's ``kernels/``/``benchmarks/``."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def find_spec(self, name, path=None, target=None):
        folder = SUBPACKAGES.get(name)
        if folder is None:
            return None
        init = self.root / folder / "__init__.py"
        return importlib.util.spec_from_file_location(name, init, submodule_search_locations=[str(init.parent)])


def install(package_dir: Path) -> bool:
    """Adds the finder when ``package_dir`` (the imported ``fp8blk/``) sits in a fp8blk checkout without the
    subpackages inside it; returns whether it did."""
    root = package_dir.parent
    project = root / "pyproject.toml"
    in_checkout = (package_dir / "kernels").exists() is False and all(
        (root / folder / "__init__.py").is_file() for folder in SUBPACKAGES.values()) and (
        project.is_file() and 'name = "fp8blk"' in project.read_text())
    if in_checkout and not any(isinstance(f, CheckoutFinder) for f in sys.meta_path):
        sys.meta_path.append(CheckoutFinder(root))  # after the ordinary and editable-install finders
        return True
    return False
