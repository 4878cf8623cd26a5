"""overrides/runtime/matplotlib-fontlist.json: matplotlib's font cache for Pyodide 0.27.7.

The worker writes it into matplotlib before the first import (worker.js, installFontList),
because the cache inside Pyodide's matplotlib wheel was made by another matplotlib version and
is thrown away and rebuilt (every font file parsed) in every session. These checks read the
pinned wheel itself; tests/browser/test_runtime.py checks that a live page uses the file and
that it equals what that matplotlib builds.
"""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import pytest

from overrides.pyodide_dist import dist_dir
from overrides.sitebuild.sources import FONTLIST_PATH


@pytest.fixture(scope="module")
def wheel() -> zipfile.ZipFile:
    found = sorted(dist_dir().glob("matplotlib-*-pyodide_*.whl"))
    assert found, (f"no matplotlib wheel in {dist_dir()}: run "
                   "`.venv/bin/python overrides/pyodide_dist.py ensure` (bash .ci/setup.sh --browser)")
    with zipfile.ZipFile(found[-1]) as zf:
        yield zf


def font_manager_version(wheel: zipfile.ZipFile) -> int:
    source = wheel.read("matplotlib/font_manager.py").decode()
    return int(re.search(r"^    __version__ = (\d+)$", source, re.M).group(1))


def test_our_cache_has_the_version_of_pyodides_matplotlib(wheel):
    ours = json.loads(FONTLIST_PATH.read_text(encoding="utf-8"))
    assert ours["_version"] == font_manager_version(wheel)
    assert ours["__class__"] == "FontManager"
    assert ours["_gdcore_source"].startswith("gdcore:")  # how a live page tells it is ours


def test_the_wheels_own_cache_is_stale_which_is_why_ours_exists(wheel):
    shipped = json.loads(wheel.read("matplotlib/fontlist.json"))
    assert shipped["_version"] != font_manager_version(wheel)


def test_every_font_in_our_cache_is_in_the_wheel(wheel):
    ours = json.loads(FONTLIST_PATH.read_text(encoding="utf-8"))
    names = set(wheel.namelist())
    entries = ours["ttflist"] + ours["afmlist"]
    assert len(ours["ttflist"]) > 30 and len(ours["afmlist"]) > 30
    missing = [e["fname"] for e in entries if f"matplotlib/mpl-data/{e['fname']}" not in names]
    assert missing == []
    # and every font file matplotlib would index is in it (nothing to find by parsing)
    shipped = {n.removeprefix("matplotlib/mpl-data/") for n in names
               if re.match(r"matplotlib/mpl-data/fonts/(ttf|afm|pdfcorefonts)/.+\.(ttf|afm)$", n)}
    assert {e["fname"] for e in entries} == shipped


def test_the_site_serves_it_beside_cellrun(built_site: Path):
    served = built_site / "assets" / "gdcore" / FONTLIST_PATH.name
    assert served.read_bytes() == FONTLIST_PATH.read_bytes()
