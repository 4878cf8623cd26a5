"""Helpers for the content tests: read a page's Markdown, list its cells, run them.

Fixtures (all session-scoped, so a page is read and run at most once per test session):

- ``page_text(name) -> str``: the Markdown source of ``docs/<name>.md``.
- ``page_cells(name) -> list[Cell]``: the page's ``pycell`` fences in order (``id``, options,
  code), parsed from the source the way the site's cell hook sees them.
- ``run_page(name) -> dict[str, CellResult]``: runs every cell of the page top to bottom in
  one namespace with the site's own runner (``overrides/runtime/cellrun.py``), exactly like
  the build pre-renders them, and returns each cell's result by id.
- ``page_namespace(name, cell_id) -> dict``: the page's variables right after that cell ran
  (a shallow snapshot taken during the same run as ``run_page``), so a claim test can assert
  on the objects a cell made (``page_namespace("momentum", "valley-race")["runs"]``).
- ``clean_run(name) -> dict[str, CellResult]``: ``run_page(name)``, failing (naming the page
  and the cells) if any cell raised.
- ``cell_variant(name, cell_id, (old, new), ...) -> (stdout, namespace)``: the cell with the
  edits an exercise or a "try this" asks for, run in the page's namespace as it was before
  the cell (each edit must still match the cell's code).
- ``page_structure(name) -> list[str]``: the problems with a teaching page's required
  structure (see :func:`structure_problems`); an empty list means the page is fine.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
CELLRUN = ROOT / "overrides" / "runtime" / "cellrun.py"

FENCE_RE = re.compile(r"^(?P<indent>[ ]*)```pycell(?P<header>[^\n]*)\n(?P<body>.*?)^(?P=indent)```",
                      re.S | re.M)
OPTION_RE = re.compile(r'([a-z]+)="([^"]*)"')
ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
FOOTNOTE_DEF_RE = re.compile(r"^\[\^([^\]]+)\]:", re.M)
FOOTNOTE_REF_RE = re.compile(r"\[\^([^\]]+)\](?!:)")


@dataclass
class Cell:
    """One ``pycell`` fence of a page."""

    id: str
    options: dict[str, str] = field(default_factory=dict)
    code: str = ""


def read_page(name: str) -> str:
    return (DOCS / f"{name}.md").read_text(encoding="utf-8")


def parse_cells(text: str) -> list[Cell]:
    cells = []
    for m in FENCE_RE.finditer(text):
        indent = len(m.group("indent"))
        options = dict(OPTION_RE.findall(m.group("header")))
        code = "\n".join(line[indent:] for line in m.group("body").splitlines())
        cells.append(Cell(id=options.get("id", ""), options=options, code=code))
    return cells


def _load_cellrun():
    spec = importlib.util.spec_from_file_location("gd_test_cellrun", CELLRUN)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def structure_problems(text: str) -> list[str]:
    """What a teaching page must have (the content brief), as a list of problems.

    At least three cells, each with a unique, well-formed id that is not also a heading's
    anchor; "## Key takeaways" (with bullets) followed by "## Exercises" as the last two
    sections, with two or three numbered exercises, each with a collapsed
    ``??? success "Solution"`` block; every footnote defined is referenced and vice versa.
    """
    problems = []
    cells = parse_cells(text)
    ids = [c.id for c in cells]
    if len(cells) < 3:
        problems.append(f"only {len(cells)} cells (at least 3 required)")
    problems += [f"cell id {i!r} is not lowercase-hyphenated" for i in ids if not ID_RE.match(i)]
    problems += [f"duplicate cell id {i!r}" for i in sorted(set(ids)) if ids.count(i) > 1]
    headings = re.findall(r"^#{2,4} (.+)$", text, re.M)
    anchors = {re.sub(r"[^a-z0-9 -]", "", h.lower()).strip().replace(" ", "-") for h in headings}
    problems += [f"cell id {i!r} equals a heading anchor" for i in ids if i in anchors]
    h2 = re.findall(r"^## (.+)$", text, re.M)
    if h2[-2:] != ["Key takeaways", "Exercises"]:
        problems.append(f"the last sections must be Key takeaways, Exercises; got {h2[-2:]}")
    else:
        takeaways = text.split("## Key takeaways", 1)[1].split("## Exercises", 1)[0]
        if len(re.findall(r"^- ", takeaways, re.M)) < 3:
            problems.append("Key takeaways needs at least three bullets")
        exercises = text.split("## Exercises", 1)[1]
        numbered = re.findall(r"^\d\. ", exercises, re.M)
        solutions = exercises.count('??? success "Solution"')
        if not 2 <= len(numbered) <= 3:
            problems.append(f"{len(numbered)} exercises (2 or 3 required)")
        if solutions != len(numbered):
            problems.append(f"{len(numbered)} exercises but {solutions} solution blocks")
        linked = re.findall(r"\(#([a-z0-9-]+)\)", exercises)
        problems += [f"exercise links to unknown cell #{i}" for i in linked
                     if i not in ids and i not in anchors]
    defined = set(FOOTNOTE_DEF_RE.findall(text))
    used = set(FOOTNOTE_REF_RE.findall(text))
    problems += [f"footnote [^{n}] is never cited" for n in sorted(defined - used)]
    problems += [f"footnote [^{n}] is not defined" for n in sorted(used - defined)]
    if "## References" in text:
        problems.append("use footnotes, not a References section after the exercises")
    return problems


@pytest.fixture(scope="session")
def page_text():
    cache: dict[str, str] = {}

    def get(name: str) -> str:
        if name not in cache:
            cache[name] = read_page(name)
        return cache[name]

    return get


@pytest.fixture(scope="session")
def page_cells(page_text):
    def get(name: str) -> list[Cell]:
        return parse_cells(page_text(name))

    return get


@pytest.fixture(scope="session")
def run_page(page_cells):
    """run(name) -> results by cell id; ``run.snapshots[name][cell_id]`` is the namespace
    right after that cell (a shallow copy)."""
    cellrun = _load_cellrun()
    cache: dict[str, dict] = {}
    snapshots: dict[str, dict[str, dict]] = {}

    def run(name: str) -> dict:
        if name not in cache:
            namespace = cellrun.new_namespace()
            results, snaps = {}, {}
            for cell in page_cells(name):
                results[cell.id] = cellrun.run_cell(cell.code, namespace, cell.id)
                snaps[cell.id] = dict(namespace)
            cache[name], snapshots[name] = results, snaps
        return cache[name]

    run.snapshots = snapshots
    return run


@pytest.fixture(scope="session")
def page_namespace(run_page):
    def get(name: str, cell_id: str) -> dict:
        run_page(name)
        if cell_id not in run_page.snapshots[name]:
            raise KeyError(f"docs/{name}.md has no cell {cell_id!r}")
        return run_page.snapshots[name][cell_id]

    return get


@pytest.fixture(scope="session")
def clean_run(run_page):
    def run(name: str) -> dict:
        results = run_page(name)
        failed = {cid: r.error_type for cid, r in results.items() if r.error_type}
        assert not failed, f"docs/{name}.md: cells raised {failed}"
        return results

    return run


@pytest.fixture(scope="session")
def cell_variant(page_cells, page_namespace):
    def run(name: str, cell_id: str, *edits: tuple[str, str]) -> tuple[str, dict]:
        cells = page_cells(name)
        ids = [c.id for c in cells]
        index = ids.index(cell_id)
        namespace = dict(page_namespace(name, ids[index - 1])) if index else {}
        code = cells[index].code
        for old, new in edits:
            assert old in code, f"{name}.md cell {cell_id} no longer contains {old!r}"
            code = code.replace(old, new)
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            exec(compile(code, f"<variant {cell_id}>", "exec"), namespace)
        import matplotlib.pyplot as plt

        plt.close("all")
        return buf.getvalue(), namespace

    return run


@pytest.fixture(scope="session")
def page_structure(page_text):
    def check(name: str) -> list[str]:
        return structure_problems(page_text(name))

    return check
