"""pyworker's background warm-up (issue 14, item 1): what worker.js runs before any Run."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

RUNTIME = Path(__file__).resolve().parents[2] / "overrides" / "runtime"
WORKER_JS = RUNTIME.parent / "src" / "worker.js"


@pytest.fixture(scope="module")
def pyworker():
    sys.path.insert(0, str(RUNTIME))
    try:
        import pyworker

        yield pyworker
    finally:
        sys.path.remove(str(RUNTIME))


def test_warm_figure_draws_through_the_cell_renderer_and_leaves_nothing_open(pyworker, monkeypatch):
    import matplotlib.pyplot as plt

    pyworker.warm_matplotlib()
    drawn = []
    real = pyworker.cellrun._render_figure
    monkeypatch.setattr(pyworker.cellrun, "_render_figure",
                        lambda fig, n: drawn.append(real(fig, n)) or drawn[-1])
    pyworker.warm_figure()
    assert len(drawn) == 1 and drawn[0]["png_base64"].startswith("iVBOR")  # a PNG
    assert plt.get_fignums() == []  # the reader's first cell starts with no figure


def test_worker_js_warms_a_figure_only_in_the_background():
    """warm_figure is called from preload only (never on a run's path), and gives way to
    runs and calls that are waiting."""
    js = WORKER_JS.read_text(encoding="utf-8")
    assert js.count("warm_figure()") == 1
    body = js[js.index("function warmFigure"):]
    body = body[:body.index("\n}\n")]
    assert "waiting" in body
    preload = js[js.index("async function preload"):]
    preload = preload[:preload.index("\n}\n")]
    assert "warmFigure()" in preload
    run_path = js[js.index("async function loadPackagesFor"):]
    run_path = run_path[:run_path.index("\n}\n")]
    assert "warmFigure" not in run_path
