"""Exercises that check themselves: the ``pycheck``, ``pysolution`` and ``pyhint`` fences.

An exercise is a ``pycell`` with ``exercise="true"``: its body is the starter code. The fences
right after it, each naming the cell with ``for="ID"``, give

``pycheck``
    the hidden check: Python asserts (an ``AssertionError``'s message is the feedback), or a
    function ``check(namespace) -> str | None`` (a string is the feedback, ``None`` a pass).
    It runs against the page's namespace after the reader's code: ``pyworker.check_exercise``,
    the same function in CPython at build time and in the browser's worker.
``pysolution``
    the solution (Python), shown once the reader pressed Check once.
``pyhint``
    one hint (plain text) per fence, optional, shown one at a time.

The fences write nothing where they stand: the check, the solution and the hints travel in
the cell's ``data-check``, ``data-solution`` and ``data-hints`` attributes (HTML-escaped,
like ``data-code``), so none is readable text of the page until the reader asks for it.

The build proves each exercise honest (:func:`honesty_problem`): the starter fails its check
and the solution, run after it, passes.

>>> fence = ExerciseFence({})
>>> opts = {}
>>> fence.validate("pycheck", {"for": "ex"}, opts, {}, None)
True
>>> opts["gd_for"]
'ex'
"""

from __future__ import annotations

import html
import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

from .fence import ID_RE, Cell

KINDS = ("pycheck", "pysolution", "pyhint")
PYWORKER_PATH = Path(__file__).resolve().parents[1] / "runtime" / "pyworker.py"


class ExerciseFence:
    """superfences validator and formatter of the three fences; ``cells`` is the page's
    :class:`overrides.sitebuild.fence.CellFence` ``cells`` (serial -> Cell)."""

    def __init__(self, cells: dict[int, Cell]) -> None:
        self.cells = cells
        self.problems: list[str] = []  # this page's (the hook clears them before each page)

    def validate(self, language, inputs, options, attrs, md) -> bool:  # noqa: ANN001
        """Accept every header; what is wrong is reported with the page."""
        target = inputs.get("for")
        unknown = [k for k in inputs if k != "for"]
        if unknown:
            self.problems.append(
                f"{language}: unknown option(s) {', '.join(unknown)} (allowed: for)")
        if not target or not ID_RE.match(target):
            self.problems.append(f'{language}: needs for="ID" naming the exercise cell above it')
        options["gd_for"] = target
        return True

    def format(self, src, language, class_name, options, md, **kwargs) -> str:  # noqa: ANN001
        """Attach the block to its exercise cell; nothing is written where it stands."""
        target = options.get("gd_for")
        if not target:
            return ""
        cell = next((c for c in reversed(self.cells.values()) if c.id == target), None)
        if cell is None:
            self.problems.append(f"{language} for=\"{target}\": no pycell with that id above it")
            return ""
        if not cell.exercise:
            cell.problems.append(f'has a {language} block but no exercise="true"')
            return ""
        body = src.rstrip("\n")
        if language == "pycheck":
            if cell.check is not None:
                cell.problems.append("has two pycheck blocks (one per exercise)")
            cell.check = body
        elif language == "pysolution":
            if cell.solution is not None:
                cell.problems.append("has two pysolution blocks (one per exercise)")
            cell.solution = body
        else:
            cell.hints.append(body)
        return ""


def cell_problems(cell: Cell) -> list[str]:
    """What an exercise cell lacks (one sentence each)."""
    if not cell.exercise:
        return []
    problems = []
    if cell.check is None:
        problems.append(
            f'is an exercise without a check: add a ```pycheck for="{cell.id}"``` block')
    if cell.solution is None:
        problems.append(
            f'is an exercise without a solution: add a ```pysolution for="{cell.id}"``` block')
    if cell.setup or not cell.prerender:
        problems.append('an exercise runs at build time: drop setup="true" / prerender="false"')
    return problems


def exercise_attrs(cell: Cell) -> str:
    """The attributes that carry an exercise's hidden parts (README: "Exercises")."""
    hints = json.dumps(cell.hints, ensure_ascii=False)
    return (f' data-check="{html.escape(cell.check or "", quote=True)}"'
            f' data-solution="{html.escape(cell.solution or "", quote=True)}"'
            f' data-hints="{html.escape(hints, quote=True)}"')


def fill_exercises(page_html: str, cells: list[Cell]) -> str:
    """Write each exercise cell's check, solution and hints into its element."""
    for c in cells:
        if c.exercise:
            cid = html.escape(c.id or f"cell-{c.serial}")
            head = f'<div class="gd-cell" id="{cid}" data-cell="{cid}" data-exercise="true"'
            page_html = page_html.replace(head, head + exercise_attrs(c), 1)
    return page_html


_pyworker: ModuleType | None = None


def load_pyworker(cellrun: ModuleType) -> ModuleType:
    """``overrides/runtime/pyworker.py`` as the build's module (it imports ``cellrun`` as a
    top-level module, as in the worker: the build's cellrun is given that name)."""
    global _pyworker
    sys.modules["cellrun"] = cellrun
    if _pyworker is None or getattr(_pyworker, "cellrun", None) is not cellrun:
        spec = importlib.util.spec_from_file_location("gdcore_build_pyworker", PYWORKER_PATH)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        _pyworker = module
    return _pyworker


def honesty_problem(cell: Cell, namespace: dict, cellrun: ModuleType) -> str | None:
    """Why exercise ``cell`` is not honest, or None. ``namespace`` is the page's after the
    starter ran: the check must fail there; then the solution runs in a copy of it (the page's
    later cells keep the starter's namespace, as a reader's would) and must pass."""
    check = load_pyworker(cellrun).check_exercise
    verdict = check(cell.check, namespace)
    if verdict.passed:
        return "is not an honest exercise: its starter code already passes the check"
    trial = dict(namespace)
    res = cellrun.run_cell(cell.solution, trial, f"{cell.id} (solution)")
    if res.error_type is not None:
        return f"is not an honest exercise: its solution raised {res.error_type}:\n{res.error}"
    verdict = check(cell.check, trial)
    if not verdict.passed:
        return f"is not an honest exercise: its solution fails the check: {verdict.feedback}"
    return None


def check_key_parts(cell: Cell) -> tuple[str, ...]:
    """What an exercise adds to its cell's cache key: the check, solution and checker."""
    if not cell.exercise:
        return ()
    from .sources import file_hash

    return (cell.check or "", cell.solution or "", file_hash(PYWORKER_PATH))


def register(config, page_cells: dict[int, Cell]) -> ExerciseFence:  # noqa: ANN001
    """Add the three fences to superfences' ``custom_fences`` (the cells hook calls this)."""
    fence = ExerciseFence(page_cells)
    mdx = config["mdx_configs"].setdefault("pymdownx.superfences", {})
    fences = mdx.setdefault("custom_fences", [])
    for kind in KINDS:
        entry = next((f for f in fences if f.get("name") == kind), None)
        if entry is None:
            entry = {"name": kind}
            fences.append(entry)
        entry.update({"class": "gd-exercise-part", "format": fence.format,
                      "validator": fence.validate})
    return fence

