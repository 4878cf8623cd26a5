"""overrides/runtime/cellrun.py: the Python half of running a cell (build and browser)."""

from __future__ import annotations

import base64
import importlib.util
import sys
from pathlib import Path

import pytest

PATH = Path(__file__).resolve().parents[2] / "overrides" / "runtime" / "cellrun.py"


@pytest.fixture(scope="module")
def cellrun():
    spec = importlib.util.spec_from_file_location("cellrun_under_test", PATH)
    module = importlib.util.module_from_spec(spec)
    sys.modules["cellrun_under_test"] = module
    spec.loader.exec_module(module)
    return module


def test_last_expression_is_the_result_and_namespace_is_shared(cellrun):
    ns = cellrun.new_namespace()
    first = cellrun.run_cell("x = 40\nprint('x set')", ns, "a")
    assert (first.stdout, first.result, first.error) == ("x set\n", None, None)
    assert cellrun.run_cell("x + 2", ns, "b").result == "42"
    assert cellrun.run_cell("x + 2;", ns, "c").result is None  # ; hides it
    assert cellrun.run_cell("None", ns, "d").result is None
    assert cellrun.run_cell("", ns, "e") == cellrun.CellResult()


def test_streaming_callbacks_receive_chunks_and_keep_nothing(cellrun):
    out, err = [], []
    res = cellrun.run_cell(
        "import sys\nprint('a' * 20000)\nprint('oops', file=sys.stderr)",
        cellrun.new_namespace(), "s", on_stdout=out.append, on_stderr=err.append,
    )
    assert res.stdout == "" and res.stderr == ""
    assert "".join(out) == "a" * 20000 + "\n"
    assert max(len(c) for c in out) <= cellrun.CHUNK_CHARS
    assert "".join(err) == "oops\n"


def test_traceback_shows_only_the_readers_frames_with_source_lines(cellrun):
    ns = cellrun.new_namespace()
    cellrun.run_cell("def inverse(x):\n    return 1 / x", ns, "define")
    res = cellrun.run_cell("y = 3\ninverse(y - 3)", ns, "call")
    assert res.error_type == "ZeroDivisionError"
    lines = res.error.splitlines()
    assert lines[0] == "Traceback (most recent call last):"
    assert lines[1] == '  File "<cell call>", line 2, in <module>'
    assert lines[2].strip() == "inverse(y - 3)"
    assert '  File "<cell define>", line 2, in inverse' in lines
    assert lines[-1] == "ZeroDivisionError: division by zero"
    assert "cellrun" not in res.error and "exec(" not in res.error


def test_library_frames_after_the_readers_code_are_dropped(cellrun):
    res = cellrun.run_cell("import json\njson.loads('{')", cellrun.new_namespace(), "lib")
    assert res.error_type == "JSONDecodeError"
    assert "json/decoder.py" not in res.error and "<cell lib>" in res.error


def test_syntax_error_points_into_the_cell(cellrun):
    res = cellrun.run_cell("x = (1,\n", cellrun.new_namespace(), "syn")
    assert res.error_type == "SyntaxError"
    assert res.error.startswith('  File "<cell syn>", line 1')


def test_exit_interrupt_and_input_never_escape(cellrun):
    ns = cellrun.new_namespace()
    assert cellrun.run_cell("raise SystemExit(2)", ns, "x").error_type == "SystemExit"
    assert cellrun.run_cell("raise KeyboardInterrupt", ns, "k").error_type == "KeyboardInterrupt"
    assert cellrun.run_cell("input()", ns, "i").error_type == "EOFError"
    assert sys.stdout is not None and not isinstance(sys.stdout, cellrun._Capture)


@pytest.mark.parametrize("code", ["name = input('Your name? ')", "import sys\nsys.stdin.read()",
                                  "import sys\nfor line in sys.stdin:\n    pass"])
def test_reading_input_says_in_one_sentence_that_cells_cannot(cellrun, code):
    res = cellrun.run_cell(code, cellrun.new_namespace(), "ask")
    assert res.error_type == "EOFError"
    last = res.error.strip().splitlines()[-1]
    assert last == f"EOFError: {cellrun.NO_INPUT}"
    assert last.startswith("EOFError: Cells cannot read input: assign the value in the code")
    assert 'File "<cell ask>"' in res.error and "cellrun" not in res.error
    if "Your name" in code:
        assert res.stdout == "Your name? "  # the prompt is shown, as input() writes it


def test_a_flush_of_the_cells_streams_reaches_on_flush(cellrun):
    events = []
    cellrun.run_cell("import sys\nprint('a', flush=True)\nprint('b')\nsys.stderr.flush()",
                     cellrun.new_namespace(), "fl", on_stdout=lambda t: events.append(t),
                     on_stderr=events.append, on_flush=lambda: events.append("FLUSH"))
    assert events == ["a", "\n", "FLUSH", "b", "\n", "FLUSH"]


def test_code_that_catches_eoferror_from_input_still_works(cellrun):
    code = "try:\n    n = int(input())\nexcept EOFError:\n    n = 3\nn * 2"
    assert cellrun.run_cell(code, cellrun.new_namespace(), "fallback").result == "6"


def test_figures_are_captured_with_alt_text_and_closed(cellrun):
    pytest.importorskip("matplotlib")
    ns = cellrun.new_namespace()
    res = cellrun.run_cell(
        "import matplotlib.pyplot as plt\n"
        "fig, ax = plt.subplots()\n"
        "ax.plot([1, 2, 3])\n"
        "ax.set(title='Loss', xlabel='step', ylabel='loss')\n"
        "plt.show()\n"
        "fig",
        ns, "fig",
    )
    assert res.error is None and res.result is None and res.stderr == ""
    assert len(res.figures) == 1
    assert base64.b64decode(res.figures[0]["png_base64"])[:8] == b"\x89PNG\r\n\x1a\n"
    assert res.figures[0]["alt"] == "Figure: Loss (x axis: step, y axis: loss)"
    import matplotlib
    import matplotlib.pyplot as plt

    assert plt.get_fignums() == [] and matplotlib.get_backend().lower() == "agg"
    again = cellrun.run_cell("fig2 = plt.figure()\nfig2.set_label('x')", ns, "fig2")
    assert again.figures[0]["alt"].startswith("Figure 1")


def test_figures_false_closes_figures_without_drawing_them(cellrun):
    """A cell run only for its variables (run-above): no PNG, figures closed, names kept."""
    import matplotlib.pyplot as plt

    ns = cellrun.new_namespace()
    res = cellrun.run_cell("import matplotlib.pyplot as plt\nfig, ax = plt.subplots()\n"
                           "ax.plot([1, 2])\nn = 3\nfig", ns, "quiet", figures=False)
    assert res.error is None and res.figures == [] and res.figure_error is None
    assert plt.get_fignums() == [] and ns["n"] == 3
    assert len(cellrun.run_cell("plt.figure()", ns, "drawn").figures) == 1


def _png(figure: dict):
    import io

    import matplotlib.image

    return matplotlib.image.imread(io.BytesIO(base64.b64decode(figure["png_base64"])))


def _ink_box(rgba) -> tuple[int, int]:
    """(height, width) of the part of an image that is not its corner's colour."""
    import numpy as np

    ink = (rgba != rgba[0, 0]).any(axis=2)
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    return int(rows[-1] - rows[0] + 1), int(cols[-1] - cols[0] + 1)


TWO_PANELS = (
    "import matplotlib.pyplot as plt\n"
    "fig, (a, b) = plt.subplots(1, 2, figsize=(8, 3.4))\n"
    "a.plot([0, 1, 2], [2, 0.5, 1]); b.plot([3, 1, 2])\n"
    "a.set(title='left', xlabel='step', ylabel='loss f(θ)'); b.set_title('right')\n"
    "fig.suptitle('Two panels')\n"
)


def test_a_figure_is_drawn_once_and_cropped_like_savefig_tight(cellrun, monkeypatch):
    """The one-draw path (no measuring pass) gives savefig(bbox_inches='tight')'s picture:
    the same ink, to the pixel, with savefig.pad_inches of background around it."""
    pytest.importorskip("matplotlib")
    import io

    import matplotlib.image
    import matplotlib.pyplot as plt

    ns = cellrun.new_namespace()
    drawn = cellrun.run_cell(TWO_PANELS + "fig.tight_layout()", ns, "once")
    assert drawn.error is None and len(drawn.figures) == 1
    once = _png(drawn.figures[0])
    exec(TWO_PANELS + "fig.tight_layout()", ns)
    buf = io.BytesIO()
    ns["fig"].savefig(buf, format="png", dpi=cellrun.FIGURE_DPI, bbox_inches="tight")
    plt.close("all")
    tight = matplotlib.image.imread(io.BytesIO(buf.getvalue()))
    assert _ink_box(once) == _ink_box(tight)
    pad = round(plt.rcParams["savefig.pad_inches"] * cellrun.FIGURE_DPI)
    height, width = _ink_box(once)
    assert once.shape[:2] == (height + 2 * pad, width + 2 * pad)
    # it really took the one-draw path: savefig is not called
    calls = []
    monkeypatch.setattr(plt.Figure, "savefig", lambda *a, **k: calls.append(k))
    assert len(cellrun.run_cell(TWO_PANELS + "fig.tight_layout()", ns, "again").figures) == 1
    assert calls == []


@pytest.mark.parametrize("case", ["spills over the edge", "reader's savefig settings",
                                  "another dpi", "nothing drawn"])
def test_savefig_tight_draws_what_one_draw_cannot_see(cellrun, monkeypatch, case):
    pytest.importorskip("matplotlib")
    import matplotlib.pyplot as plt

    code = {
        # without tight_layout the x label hangs below the canvas: savefig tight grows it
        "spills over the edge": TWO_PANELS,
        "reader's savefig settings": TWO_PANELS + "fig.tight_layout()\n"
                                     "plt.rcParams['savefig.facecolor'] = 'lightgrey'",
        "another dpi": TWO_PANELS + "fig.tight_layout()\nfig.set_dpi(150)",
        "nothing drawn": "import matplotlib.pyplot as plt\nfig = plt.figure()",
    }[case]
    calls = []
    real = plt.Figure.savefig
    monkeypatch.setattr(plt.Figure, "savefig", lambda *a, **k: (calls.append(k), real(*a, **k)))
    with plt.rc_context():
        res = cellrun.run_cell(code, cellrun.new_namespace(), "fallback")
    assert res.error is None and len(res.figures) == 1
    assert [c["bbox_inches"] for c in calls] == ["tight"]
    if case == "spills over the edge":
        assert _png(res.figures[0]).shape[0] > 340  # taller than the 3.4 in canvas


def test_a_figure_that_cannot_be_drawn_is_reported_and_closed(cellrun):
    pytest.importorskip("matplotlib")
    res = cellrun.run_cell(
        "import matplotlib.pyplot as plt\nfig, ax = plt.subplots()\nax.set_xlabel(r'$\\frac{$')",
        cellrun.new_namespace(), "bad",
    )
    assert res.error is None and res.figures == []
    assert res.figure_error.startswith("ValueError")
    assert res.stderr == f"(a figure could not be drawn: {res.figure_error})\n"
    import matplotlib.pyplot as plt

    assert plt.get_fignums() == []


def test_gdcore_alt_text_wins(cellrun):
    pytest.importorskip("matplotlib")
    res = cellrun.run_cell(
        "import matplotlib.pyplot as plt\nfig = plt.figure()\nfig._gd_alt = 'A contour plot'",
        cellrun.new_namespace(), "alt",
    )
    assert res.figures[0]["alt"] == "A contour plot"


def test_bad_arguments_are_type_errors(cellrun):
    with pytest.raises(TypeError, match="code"):
        cellrun.run_cell(b"1", {}, "b")
    with pytest.raises(TypeError, match="namespace"):
        cellrun.run_cell("1", [], "b")
