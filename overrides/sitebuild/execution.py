"""Running a page's cells at build time, in CPython, and the cache of their results.

A page's cells run in document order in one namespace through ``overrides/runtime/
cellrun.py`` (the module the browser runs too). A result is stored and rendered as
``dataclasses.asdict`` of cellrun's ``CellResult``: the same shape the worker posts.

Cache: ``.cache/cells/`` at the repository root (``GDCORE_CELL_CACHE`` overrides), one JSON
file per cell, keyed by the hash of every executed cell of the page up to and including it
(ids and code), gdcore's source, ``cellrun.py`` and the Python/numpy/matplotlib versions. A
page is one namespace, so a miss anywhere re-runs that page from its first cell.

``GDCORE_CELL_LOG=/path`` appends one line ``run|cached <TAB> page <TAB> id`` per cell (the
tests use it to prove that every cell executes and that a warm build runs none).
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib
import json
import os
import struct
import sys
import time
from pathlib import Path
from types import ModuleType

from . import exercises
from .fence import Cell
from .sources import CACHE, CELLRUN_PATH, ROOT, file_hash, gdcore_source_hash

CACHE_VERSION = "gdcore-cells-1"


class CellFailure(Exception):
    """A cell did not do what its options say (raised, or did not raise, or a bad figure)."""


def load_cellrun() -> ModuleType:
    """``overrides.runtime.cellrun``, re-imported if the file changed (``mkdocs serve``)."""
    import overrides.runtime.cellrun as cellrun

    digest = file_hash(CELLRUN_PATH)
    if getattr(cellrun, "_gd_digest", digest) != digest:
        cellrun = importlib.reload(cellrun)
    cellrun._gd_digest = digest
    return cellrun


def _version(dist: str) -> str:
    try:
        from importlib.metadata import version

        return version(dist)
    except Exception:
        return "-"


def environment_hash() -> str:
    """What every cached result depends on besides its page's code."""
    versions = f"{sys.version_info[:3]}|{_version('numpy')}|{_version('matplotlib')}"
    text = f"{gdcore_source_hash()}|{file_hash(CELLRUN_PATH)}|{versions}"
    return hashlib.sha256(text.encode()).hexdigest()


def expectation_problem(cell: Cell, result: dict) -> str | None:
    """Why a cell's result breaks its options (``error="..."``), or None."""
    if result.get("figure_error"):
        return f"made a figure that could not be drawn: {result['figure_error']}"
    got = result.get("error_type")
    if cell.error is None and got is not None:
        return f"raised {got} (mark it error=\"{got}\" if that is intended):\n{result['error']}"
    if cell.error is not None and got is None:
        return f"was expected to raise {cell.error} (error=\"{cell.error}\") but did not"
    if cell.error is not None and got != cell.error:
        return f"was expected to raise {cell.error} but raised {got}:\n{result['error']}"
    return None


def _fresh_process_state() -> None:
    """Before running a page: a freshly imported gdcore (it may have been edited under
    `mkdocs serve`), no open figures and default matplotlib settings."""
    for name in [n for n in sys.modules if n == "gdcore" or n.startswith("gdcore.")]:
        del sys.modules[name]
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    mpl = sys.modules.get("matplotlib")
    if mpl is not None:
        try:
            mpl.rcdefaults()
            plt = sys.modules.get("matplotlib.pyplot")
            if plt is not None:
                plt.close("all")
        except Exception:
            pass


class CellRunner:
    """Runs (or reads from the cache) the cells of one build's pages; counts what it did."""

    def __init__(self, workdir: Path) -> None:
        self.cache_dir = Path(os.environ.get("GDCORE_CELL_CACHE") or CACHE / "cells")
        self.workdir = workdir
        self.env_hash = environment_hash()
        self.cellrun = load_cellrun()
        self.ran = self.cached = self.pages = 0
        self.seconds = 0.0

    def _path(self, key: str) -> Path:
        return self.cache_dir / key[:2] / f"{key}.json"

    def _get(self, key: str) -> dict | None:
        try:
            return json.loads(self._path(key).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def _put(self, key: str, result: dict) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(result), encoding="utf-8")
        os.replace(tmp, path)

    def _keys(self, cells: list[Cell]) -> dict[int, str]:
        h = hashlib.sha256(f"{CACHE_VERSION}\0{self.env_hash}".encode())
        keys = {}
        for c in cells:
            for part in (c.id or "", c.code):
                data = part.encode()
                h.update(struct.pack(">Q", len(data)) + data)
            keys[c.serial] = h.hexdigest()
        return keys

    @staticmethod
    def _honesty_key(cell: Cell, keys: dict[int, str]) -> str:
        parts = (keys[cell.serial], *exercises.check_key_parts(cell))
        return hashlib.sha256("\0".join(parts).encode()).hexdigest()

    def run_page(self, page: str, cells: list[Cell]) -> dict[int, dict]:
        """Results of the page's executed cells (serial -> result), cached or run now.
        Raises :class:`CellFailure` naming the page and cell when one breaks its options."""
        runnable = [c for c in cells if c.prerender]
        keys = self._keys(runnable)
        results = {c.serial: self._get(keys[c.serial]) for c in runnable}
        self.pages += 1
        # an exercise's check and solution are not in its key (the notebooks read the cache
        # by code alone): a marker under a key that has them says it was proven honest
        proven = all(self._get(self._honesty_key(c, keys)) for c in runnable if c.exercise)
        if proven and all(r is not None for r in results.values()):
            self.cached += len(runnable)
            _log_cells("cached", page, runnable)
        else:
            results = self._run(page, runnable, keys)
        for c in runnable:  # a cached result may no longer meet the cell's expectation
            problem = expectation_problem(c, results[c.serial])
            if problem:
                raise CellFailure(f"{page}: cell '{c.id}' {problem}")
        return results

    def _run(self, page: str, cells: list[Cell], keys: dict[int, str]) -> dict[int, dict]:
        _fresh_process_state()
        namespace = self.cellrun.new_namespace()
        results: dict[int, dict] = {}
        old_cwd = os.getcwd()
        os.chdir(self.workdir)
        t0 = time.perf_counter()
        try:
            for c in cells:
                result = dataclasses.asdict(self.cellrun.run_cell(c.code, namespace, c.id))
                results[c.serial] = result
                self.ran += 1
                _log_cells("run", page, [c])
                problem = expectation_problem(c, result)
                if problem is None and c.exercise:
                    problem = exercises.honesty_problem(c, namespace, self.cellrun)
                if problem:
                    raise CellFailure(f"{page}: cell '{c.id}' {problem}")
                self._put(keys[c.serial], result)
                if c.exercise:
                    self._put(self._honesty_key(c, keys), {"honest": True})
        finally:
            os.chdir(old_cwd)
            self.seconds += time.perf_counter() - t0
            self.cellrun.close_figures()
        return results

    def summary(self) -> str:
        return (f"gdcore cells: {self.ran} run ({self.seconds:.1f} s), {self.cached} from "
                f"cache, on {self.pages} pages")


def _log_cells(kind: str, page: str, cells: list[Cell]) -> None:
    target = os.environ.get("GDCORE_CELL_LOG")
    if target:
        with open(target, "a", encoding="utf-8") as fh:
            fh.writelines(f"{kind}\t{page}\t{c.id}\n" for c in cells)
