"""Run one code cell like a notebook does: the Python half of gdcore's cell runtime.

This module is the single definition of *what running a cell means*. The same file is used

* at build time, by ``overrides/hooks/cells.py`` (CPython), to pre-render every cell's
  output into the HTML, and
* in the reader's browser, by the Pyodide worker (``overrides/src/worker.js``), which fetches
  it from ``assets/gdcore/cellrun.py``, writes it into Pyodide's file system and imports it.

so a cell prints the same thing in both places. It is pure standard library (Python 3.11+,
and 3.12 in Pyodide 0.27.7). matplotlib is never imported here; it is only handled once the
reader's code has imported it.

Protocol
--------
``new_namespace() -> dict``
    A fresh global namespace for one page. All cells of a page run in the same namespace, top
    to bottom (at build time and in the browser), like the cells of a notebook.

``run_cell(code, namespace, cell_id, *, on_stdout, on_stderr, on_flush, figures) -> CellResult``
    Run ``code`` in ``namespace``. Never raises for anything the reader's code does (not even
    ``SystemExit`` or ``KeyboardInterrupt``): the outcome is described by the result.

    * If the last statement is an expression, it is evaluated separately and its ``repr`` is
      the cell's ``result`` (``None`` values give no result, and a trailing ``;`` suppresses
      it, as in Jupyter). A matplotlib ``Figure`` as final value becomes a figure, not a repr.
    * ``sys.stdout`` / ``sys.stderr`` are captured while the cell runs. A cell cannot read
      input: ``input()`` (and reading ``sys.stdin``) raises ``EOFError`` with one sentence
      saying so and what to do instead (``NO_INPUT``), never blocks. Without callbacks the text is
      collected in ``CellResult.stdout`` / ``.stderr``. With ``on_stdout`` / ``on_stderr``
      (the browser: streaming) every write is passed to the callback as it happens, in chunks
      of at most ``CHUNK_CHARS`` characters, and is *not* kept in the result (the field is
      ``""``), so printing a million lines costs no memory here; batching and capping are the
      caller's job.
    * An exception gives ``error`` (a traceback limited to the reader's frames: it starts at
      the first frame of a cell and stops at the last one, so runtime internals before and
      library internals after are not shown) and ``error_type`` (the class name, e.g.
      ``"ValueError"``; ``"KeyboardInterrupt"`` when Pyodide's interrupt buffer stopped the
      run). Frames of cells read ``File "<cell ID>", line N`` followed by the source line: each
      cell's code is registered in ``linecache`` under that name, so functions defined in an
      earlier cell also show their lines.
    * Figures: every matplotlib figure open at the end of the cell (even after an error) is
      rendered to PNG (``dpi=FIGURE_DPI``, cropped like ``bbox_inches="tight"``, from a single
      draw when the pixels allow it), then all figures are closed.
      Each comes with alt text: ``gdcore.plot.get_alt(fig)`` when gdcore's plotting module set
      one, else a sentence built from the figure's titles and axis labels. If drawing fails
      (say, bad mathtext in a label), ``figure_error`` says why, and so does a line of stderr.

matplotlib: ``MPLBACKEND`` is set to ``Agg`` when this module is imported, an already imported
matplotlib is switched to Agg before each cell, and ``matplotlib.pyplot.show`` is replaced by a
no-op as soon as pyplot is imported (an import hook), so ``plt.show()`` is harmless.

Example
-------
>>> ns = new_namespace()
>>> run_cell("x = 6 * 7\\nprint('hi')\\nx", ns, "demo").result
'42'
>>> r = run_cell("1 / 0", ns, "boom")
>>> r.error_type, r.error.splitlines()[1]
('ZeroDivisionError', '  File "<cell boom>", line 1, in <module>')
"""

from __future__ import annotations

import ast
import base64
import builtins
import importlib
import importlib.abc
import io
import linecache
import os
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = [
    "CHUNK_CHARS",
    "FIGURE_DPI",
    "NO_INPUT",
    "CellResult",
    "cell_filename",
    "close_figures",
    "new_namespace",
    "run_cell",
]

#: Largest piece of text passed to one ``on_stdout`` / ``on_stderr`` call.
CHUNK_CHARS = 8192
#: Resolution of pre-rendered and in-browser figures.
FIGURE_DPI = 100
#: What ``input()`` in a cell says (as an ``EOFError``): a page has no keyboard for it.
NO_INPUT = ("Cells cannot read input: assign the value in the code instead, "
            "e.g. name = 'Ada' in place of name = input()")

os.environ["MPLBACKEND"] = "Agg"


@dataclass
class CellResult:
    """What running one cell produced (all text; JSON-friendly via ``dataclasses.asdict``).

    >>> CellResult().ok
    True
    """

    stdout: str = ""
    stderr: str = ""
    result: str | None = None
    error: str | None = None
    error_type: str | None = None
    figures: list[dict[str, str]] = field(default_factory=list)
    figure_error: str | None = None

    @property
    def ok(self) -> bool:
        """True when the cell did not raise."""
        return self.error_type is None


def cell_filename(cell_id: str) -> str:
    """The file name a cell's code carries in tracebacks.

    >>> cell_filename("dart-sweep")
    '<cell dart-sweep>'
    """
    return f"<cell {cell_id}>"


def new_namespace() -> dict:
    """A fresh global namespace for the cells of one page.

    >>> sorted(new_namespace())
    ['__builtins__', '__name__']
    """
    return {"__name__": "__main__", "__builtins__": builtins}


# --------------------------------------------------------------------------- output capture


class _Capture(io.TextIOBase):
    """A text stream that keeps what is written, or hands it to a callback in chunks."""

    def __init__(self, name: str, callback: Callable[[str], object] | None,
                 on_flush: Callable[[], object] | None = None) -> None:
        self.name = name
        self._callback = callback
        self._on_flush = on_flush
        self._parts: list[str] = []

    @property
    def encoding(self) -> str:  # print() and friends look at this
        return "utf-8"

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return False

    def write(self, text: str) -> int:
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        if not text:
            return 0
        if self._callback is None:
            self._parts.append(text)
        else:
            for i in range(0, len(text), CHUNK_CHARS):
                self._callback(text[i : i + CHUNK_CHARS])
        return len(text)

    def flush(self) -> None:
        if self._on_flush is not None:
            self._on_flush()

    def close(self) -> None:  # also when garbage-collected: that flush is not the code's
        self._on_flush = None
        super().close()

    def getvalue(self) -> str:
        return "".join(self._parts)


class _NoInput(io.TextIOBase):
    """``sys.stdin`` while a cell runs: reading it raises ``EOFError(NO_INPUT)``."""

    name = "<stdin>"

    def readable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return False

    def read(self, size: int | None = -1) -> str:
        raise EOFError(NO_INPUT)

    def readline(self, size: int | None = -1) -> str:
        raise EOFError(NO_INPUT)

    def readlines(self, hint: int | None = -1) -> list[str]:
        raise EOFError(NO_INPUT)


# --------------------------------------------------------------------------- matplotlib


def _noop_show(*args: object, **kwargs: object) -> None:
    """``plt.show()`` under Agg: figures are collected at the end of the cell instead."""


def _patch_pyplot(pyplot: object) -> None:
    if getattr(pyplot, "show", None) is not _noop_show:
        pyplot.show = _noop_show  # type: ignore[attr-defined]


class _PyplotHook(importlib.abc.MetaPathFinder):
    """Patches ``matplotlib.pyplot.show`` right after pyplot is first imported."""

    def find_spec(self, name, path, target=None):  # noqa: ANN001 (importlib signature)
        if name != "matplotlib.pyplot":
            return None
        for finder in sys.meta_path:
            if finder is self or isinstance(finder, _PyplotHook) or not hasattr(
                finder, "find_spec"
            ):
                continue
            spec = finder.find_spec(name, path, target)
            if spec is not None and spec.loader is not None:
                original = spec.loader.exec_module

                def exec_module(module, _original=original):  # noqa: ANN001
                    _original(module)
                    _patch_pyplot(module)

                spec.loader.exec_module = exec_module  # this loader instance only
                return spec
        return None


def _install_pyplot_hook() -> None:
    if not any(type(f).__name__ == "_PyplotHook" for f in sys.meta_path):
        sys.meta_path.insert(0, _PyplotHook())


_install_pyplot_hook()


def _ensure_agg() -> None:
    mpl = sys.modules.get("matplotlib")
    if mpl is None:
        return
    try:
        plt = sys.modules.get("matplotlib.pyplot")
        if plt is not None:
            if str(mpl.get_backend()).lower() != "agg":
                plt.switch_backend("Agg")
            _patch_pyplot(plt)
        elif str(mpl.rcParams._get_backend_or_none() or "").lower() not in ("", "agg"):
            mpl.use("Agg")
    except Exception:  # never let backend juggling break a cell
        pass


def _alt_text(fig: object, number: int) -> str:
    """Alt text of a figure: gdcore's, else its titles and axis labels."""
    gplot = sys.modules.get("gdcore.plot")
    get_alt = getattr(gplot, "get_alt", None)
    if get_alt is not None:
        try:
            alt = get_alt(fig)
        except Exception:
            alt = None
        if alt:
            return str(alt)
    alt = getattr(fig, "_gd_alt", None)
    if alt:
        return str(alt)
    parts: list[str] = []
    suptitle = getattr(fig, "_suptitle", None)
    if suptitle is not None and suptitle.get_text():
        parts.append(suptitle.get_text())
    for ax in getattr(fig, "axes", []):
        title = next((t for t in (ax.get_title(loc) for loc in ("center", "left", "right")) if t),
                     "")
        labels = [
            f"{axis} axis: {label}"
            for axis, label in (("x", ax.get_xlabel()), ("y", ax.get_ylabel()))
            if label
        ]
        if hasattr(ax, "get_zlabel") and ax.get_zlabel():
            labels.append(f"z axis: {ax.get_zlabel()}")
        piece = title
        if labels:
            piece = f"{title} ({', '.join(labels)})" if title else ", ".join(labels)
        if piece:
            parts.append(piece)
    if parts:
        return "Figure: " + "; ".join(parts)
    return f"Figure {number} (no title or axis labels)"


def _render_figure(fig: object, number: int) -> dict[str, str]:
    png = _png_drawn_once(fig)
    if png is None:
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=FIGURE_DPI, bbox_inches="tight")  # type: ignore[attr-defined]
        png = buf.getvalue()
    return {"png_base64": base64.b64encode(png).decode("ascii"), "alt": _alt_text(fig, number)}


def _png_drawn_once(fig: object) -> bytes | None:
    """The figure as PNG from one draw, cropped to its ink plus savefig's padding; ``None``
    when only ``savefig(bbox_inches="tight")`` can say.

    ``savefig(bbox_inches="tight")`` lays the figure out twice: once (not rendered) to
    measure the tight box of every artist, once more to draw. This draws once on the Agg
    canvas, finds the rows and columns whose pixels differ from the figure's background, and
    keeps them with ``savefig.pad_inches`` around them: the same picture, at 0.55× the cost
    for a two-panel figure (most figures of the course). It steps aside, returning ``None``,
    for anything it cannot see in the pixels: ink touching the canvas edge (the figure may
    spill over it, which only the measuring pass catches), a background that is not plain,
    no ink at all, another dpi or canvas, or ``savefig.*`` settings changed by the reader.
    """
    np = sys.modules.get("numpy")
    mpl = sys.modules.get("matplotlib")
    canvas = getattr(fig, "canvas", None)
    if np is None or mpl is None or not hasattr(canvas, "buffer_rgba"):
        return None
    rc = mpl.rcParams
    if (getattr(fig, "dpi", None) != FIGURE_DPI or rc["savefig.transparent"]
            or any(rc[f"savefig.{k}"] != "auto" for k in ("facecolor", "edgecolor"))
            or not isinstance(rc["savefig.pad_inches"], (int, float))):
        return None
    canvas.draw()  # type: ignore[union-attr]
    rgba = np.asarray(canvas.buffer_rgba())  # type: ignore[union-attr]
    height, width = rgba.shape[:2]
    pixels = rgba.view(np.uint32).reshape(height, width)
    background = pixels[0, 0]
    ink = pixels != background
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    if (not rows.size or rows[0] == 0 or cols[0] == 0 or rows[-1] == height - 1
            or cols[-1] == width - 1):
        return None  # nothing drawn, or drawn up to the edge (corners included)
    pad = round(rc["savefig.pad_inches"] * FIGURE_DPI)
    top, bottom, left, right = rows[0] - pad, rows[-1] + 1 + pad, cols[0] - pad, cols[-1] + 1 + pad
    out = np.empty((bottom - top, right - left), np.uint32)
    out[:] = background
    y0, y1, x0, x1 = max(top, 0), min(bottom, height), max(left, 0), min(right, width)
    out[y0 - top:y1 - top, x0 - left:x1 - left] = pixels[y0:y1, x0:x1]
    buf = io.BytesIO()
    rgba_out = out.view(np.uint8).reshape(*out.shape, 4)
    importlib.import_module("matplotlib.image").imsave(buf, rgba_out, format="png", dpi=FIGURE_DPI)
    return buf.getvalue()


def _is_figure(value: object) -> bool:
    mfig = sys.modules.get("matplotlib.figure")
    return mfig is not None and isinstance(value, mfig.Figure)


def _collect_figures(extra: object = None) -> list[dict[str, str]]:
    """Render every open pyplot figure (and ``extra``, a Figure value), then close them all."""
    figures: list[object] = []
    plt = sys.modules.get("matplotlib.pyplot")
    if plt is not None:
        figures = [plt.figure(num) for num in plt.get_fignums()]
    if extra is not None and not any(f is extra for f in figures):
        figures.append(extra)
    rendered = []
    try:
        for i, fig in enumerate(figures, start=1):
            rendered.append(_render_figure(fig, i))
    finally:
        if plt is not None:
            plt.close("all")
    return rendered


def close_figures() -> None:
    """Close every open pyplot figure (nothing to do when pyplot was never imported).

    >>> close_figures()
    """
    plt = sys.modules.get("matplotlib.pyplot")
    if plt is not None:
        plt.close("all")


# --------------------------------------------------------------------------- tracebacks


def _trim(te: traceback.TracebackException, seen: set[int] | None = None) -> None:
    """Keep the frames from the first to the last frame of a cell (recursively for chains)."""
    seen = set() if seen is None else seen
    if id(te) in seen:
        return
    seen.add(id(te))
    frames = list(te.stack)
    cells = [i for i, f in enumerate(frames) if f.filename.startswith("<cell ")]
    kept = frames[cells[0] : cells[-1] + 1] if cells else []
    te.stack = traceback.StackSummary.from_list(kept)
    for nested in (te.__cause__, te.__context__, *(getattr(te, "exceptions", None) or ())):
        if nested is not None:
            _trim(nested, seen)


def _format_error(exc: BaseException) -> str:
    te = traceback.TracebackException(type(exc), exc, exc.__traceback__, compact=True)
    _trim(te)
    return "".join(te.format())


# --------------------------------------------------------------------------- running


def _register_source(filename: str, code: str) -> None:
    lines = code.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    # mtime None: linecache.checkcache() leaves the entry alone.
    linecache.cache[filename] = (len(code), None, lines, filename)


def _compile(code: str, filename: str) -> tuple[object | None, object | None]:
    """Compile to (statements, final expression or None)."""
    tree = ast.parse(code, filename, "exec")
    last = None
    if tree.body and isinstance(tree.body[-1], ast.Expr) and not code.rstrip().endswith(";"):
        last = ast.Expression(tree.body.pop().value)
    body = compile(tree, filename, "exec") if tree.body else None
    final = compile(last, filename, "eval") if last is not None else None
    return body, final


def run_cell(
    code: str,
    namespace: dict,
    cell_id: str,
    *,
    on_stdout: Callable[[str], object] | None = None,
    on_stderr: Callable[[str], object] | None = None,
    on_flush: Callable[[], object] | None = None,
    figures: bool = True,
) -> CellResult:
    """Run one cell's ``code`` in ``namespace`` and describe what happened.

    See the module docstring for the exact rules. ``on_flush`` is called when the code flushes
    ``sys.stdout`` or ``sys.stderr`` (``print(..., flush=True)``). With ``figures=False`` (a
    cell run only for its variables, as an earlier cell of another one) open figures are
    closed, not drawn.

    >>> ns = new_namespace()
    >>> run_cell("import math\\nmath.pi / 2", ns, "a").result
    '1.5707963267948966'
    >>> chunks = []
    >>> run_cell("print('streamed')", ns, "b", on_stdout=chunks.append).stdout, chunks
    ('', ['streamed', '\\n'])
    """
    if not isinstance(code, str):
        raise TypeError(f"code must be a str, got {type(code).__name__}")
    if not isinstance(namespace, dict):
        raise TypeError(f"namespace must be a dict, got {type(namespace).__name__}")
    filename = cell_filename(cell_id)
    _register_source(filename, code)
    _ensure_agg()

    out = _Capture("<stdout>", on_stdout, on_flush)
    err = _Capture("<stderr>", on_stderr, on_flush)
    result = CellResult()
    value: object = None
    saved = sys.stdout, sys.stderr, sys.stdin
    sys.stdout, sys.stderr, sys.stdin = out, err, _NoInput()
    try:
        body, final = _compile(code, filename)
        if body is not None:
            exec(body, namespace)
        if final is not None:
            value = eval(final, namespace)
    except BaseException as exc:  # the reader's code may raise anything, even SystemExit
        result.error = _format_error(exc)
        result.error_type = type(exc).__name__
        value = None
    finally:
        sys.stdout, sys.stderr, sys.stdin = saved

    figure_value = value if _is_figure(value) else None
    if value is not None and figure_value is None:
        try:
            result.result = repr(value)
        except BaseException as exc:
            result.error = _format_error(exc)
            result.error_type = type(exc).__name__
    try:
        if figures:
            result.figures = _collect_figures(figure_value)
        else:
            close_figures()
    except Exception as exc:
        result.figure_error = f"{type(exc).__name__}: {exc}"
        err.write(f"(a figure could not be drawn: {result.figure_error})\n")
    result.stdout, result.stderr = out.getvalue(), err.getvalue()
    return result
