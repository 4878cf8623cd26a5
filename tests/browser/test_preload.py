"""Preload and fast run-above (issue 14, items 1 and 2) on a small fixture site.

Preload: once Python is up, the worker loads the packages the page's cells need (numpy and
matplotlib here) and imports them, before any Run. Fast run-above: cells run as earlier
cells of another one produce their variables but keep their pre-rendered figures, and the
linked cell says which of them is running.
"""

from __future__ import annotations

import time

import pytest
from gdlive import cell, editor_set, output_text, run, runs, served_fixture_page, state, wait_live

pytestmark = pytest.mark.browser

# The probe names its modules without spelling "matplotlib" (the worker would load what a
# cell's code names) and comes first, so that running it runs no other cell.
PAGE = '''# Preload

```pycell id="probe"
import sys
print(sorted(m for m in ("numpy", "matpl" + "otlib.pyplot") if m in sys.modules))
```

```pycell id="fig-a"
import matplotlib.pyplot as plt
xs = [0, 1, 2]
plt.plot(xs, [x * x for x in xs])
plt.title("squares")
```

```pycell id="fig-b"
import numpy as np
plt.figure()
plt.plot(np.arange(3), np.arange(3) ** 3)
plt.title("cubes")
total = int(np.sum(np.arange(3) ** 3))
```

```pycell id="last"
print("total", total + len(xs))
```
'''


@pytest.fixture(scope="module")
def preload_url(tmp_path_factory):
    with served_fixture_page(tmp_path_factory, "preload", PAGE) as url:
        yield url


def open_page(page, url):
    p = page()
    p.goto(url)
    wait_live(p)
    return p


def figure_attr(p, cell_id: str, expr: str) -> list:
    """``expr`` (JavaScript, of ``i``) for each figure image of the cell."""
    return p.eval_on_selector_all(f"#{cell_id} figure.gd-out-figure img",
                                  f"imgs => imgs.map((i) => {expr})")


def figure_srcs(p, cell_id: str) -> list[str]:
    return figure_attr(p, cell_id, "i.src")


def test_numpy_and_matplotlib_are_imported_before_any_run(page, preload_url):
    p = open_page(page, preload_url)
    p.wait_for_function("() => window.__gdcore.runtime.state === 'ready'", timeout=120_000)
    deadline = time.monotonic() + 120
    while True:  # the preload runs in the background: ask until it is done (or time is up)
        final, _ = run(p, "probe")
        assert final == "done"
        printed = p.locator("#probe .gd-out-stdout").inner_text().strip()
        if printed == "['matplotlib.pyplot', 'numpy']" or time.monotonic() > deadline:
            break
        time.sleep(1)
    assert printed == "['matplotlib.pyplot', 'numpy']"
    assert all(runs(p, c) == 0 for c in ("fig-a", "fig-b", "last"))
    assert not p.gd_errors


def test_a_run_during_preload_draws_its_figure(page, preload_url):
    p = open_page(page, preload_url)
    final, _ = run(p, "fig-a")  # at once: Python and the packages are still loading
    assert final == "done"
    imgs = p.locator("#fig-a figure.gd-out-figure img")
    assert imgs.count() == 1
    assert imgs.first.evaluate("i => i.complete && i.naturalWidth > 0")
    assert "squares" in imgs.first.get_attribute("alt")
    assert not p.gd_errors


def test_run_above_keeps_earlier_figures_and_says_how_far_it_is(page, preload_url):
    p = open_page(page, preload_url)
    before = {c: figure_srcs(p, c) for c in ("fig-a", "fig-b")}
    assert all(len(srcs) == 1 for srcs in before.values())
    # mark the pre-rendered images: the same nodes must be there after the run
    p.evaluate("() => document.querySelectorAll('figure.gd-out-figure img')"
               ".forEach((i) => (i.dataset.mark = 'prerendered'))")
    p.evaluate("""() => {
        window.__said = [];
        const status = document.querySelector('#last .gd-cell-status');
        new MutationObserver(() => window.__said.push(status.textContent))
            .observe(status, {childList: true, characterData: true, subtree: true});
    }""")
    final, _ = run(p, "last")
    assert final == "done"
    assert p.locator("#last .gd-out-stdout").inner_text().strip() == "total 12"
    assert "Running 3 earlier cells (probe, fig-a, fig-b) first." in output_text(p, "last")
    said = p.evaluate("() => window.__said")
    for i in (1, 2, 3):
        assert f"Running {i} of 3 earlier cells…" in said, said
    for c in ("fig-a", "fig-b"):
        assert state(p, c) == "done" and runs(p, c) == 1
        assert figure_srcs(p, c) == before[c]
        assert figure_attr(p, c, "i.dataset.mark") == ["prerendered"]
    # Run on a figure cell itself still draws its figure afresh
    run(p, "fig-b")
    assert figure_attr(p, "fig-b", "i.dataset.mark || ''") == [""]
    assert cell(p, "fig-b").locator("figure.gd-out-figure img").count() == 1
    assert not p.gd_errors


# In the reader's namespace: was matplotlib's font list read from our cache, and is that cache
# exactly what this matplotlib builds from its fonts (FontManager() parses every font file)?
FONTLIST_PROBE = """import json
from matplotlib import font_manager as fm
ours = json.load(open(fm.__file__.replace("font_manager.py", "fontlist.json")))
source = ours.pop("_gdcore_source", None)
fresh = json.loads(json.dumps(fm.FontManager(), cls=fm._JSONEncoder))
for data in (ours, fresh):  # the order of the font files follows a set's: it varies by session
    for key in ("ttflist", "afmlist"):
        data[key] = sorted(data[key], key=lambda e: json.dumps(e, sort_keys=True))
print(getattr(fm.fontManager, "_gdcore_source", None) == source is not None, ours == fresh)"""


def test_matplotlib_reads_our_font_cache_which_is_what_it_would_build(page, preload_url):
    p = open_page(page, preload_url)
    assert run(p, "fig-a")[0] == "done"  # matplotlib imported (by the preload or this run)
    editor_set(p, "last", FONTLIST_PROBE)
    assert run(p, "last")[0] == "done"
    assert p.locator("#last .gd-out-stdout").inner_text().strip() == "True True", (
        "matplotlib's font list did not come from overrides/runtime/matplotlib-fontlist.json, "
        "or that file is not what this matplotlib builds (regenerate it in Pyodide: "
        "json.dumps(FontManager(), cls=_JSONEncoder, indent=2), plus the _gdcore_source key)"
    )
    assert not p.gd_errors
