"""Every docstring example in gdcore runs and prints what it says (the API page shows them)."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import matplotlib
import pytest

import gdcore

matplotlib.use("Agg")

MODULES = sorted(
    ["gdcore", *(f"gdcore.{m.name}" for m in pkgutil.iter_modules(gdcore.__path__))]
)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_pass(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0, f"{result.failed} docstring example(s) failed in {name}"
    if not name.endswith("_checks"):
        assert result.attempted > 0, f"{name} has no runnable docstring example"
