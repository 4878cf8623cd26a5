"""MkDocs hook: ``pycell`` code cells, pre-rendered at build time.

``on_config``
    Registers the ``pycell`` custom fence of ``pymdownx.superfences`` (``mkdocs.yml`` lists
    the fence, this hook supplies its validator and formatter:
    :class:`overrides.sitebuild.fence.CellFence`) and starts this build's
    :class:`overrides.sitebuild.execution.CellRunner`.
formatter (during Markdown conversion)
    Turns each cell into the HTML of the cell contract (``overrides/README.md``). Option
    problems are recorded and reported per page.
``on_page_content``
    Checks the page's cells, runs them in document order in CPython in one namespace (or
    reads them from the cache) and fills their outputs in, HTML-escaped. An unexpected
    exception, or an expected one that did not happen, fails the build naming the page, the
    cell and the traceback.

The build's state is the one :class:`Build` made by ``on_config``. The site's files (the
wheel, the runtime's Python, KaTeX) are ``overrides/hooks/assets.py``'s job.
"""

from __future__ import annotations

import logging
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = str(Path(__file__).resolve().parents[2])
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)  # once: `overrides` is a package at the repository's root

from mkdocs.exceptions import PluginError  # noqa: E402

from overrides.sitebuild import exercises, fence  # noqa: E402
from overrides.sitebuild.execution import CellFailure, CellRunner  # noqa: E402

log = logging.getLogger("mkdocs.hooks.gdcore.cells")


@dataclass
class Build:
    """One build's cells (the fence) and their runner."""

    workdir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="gdcore-cells-")))
    fence: fence.CellFence = field(default_factory=fence.CellFence)
    runner: CellRunner | None = None
    exercises: exercises.ExerciseFence | None = None


_build: Build | None = None


def on_config(config):  # noqa: ANN001, ANN201
    global _build
    if _build is not None:
        shutil.rmtree(_build.workdir, ignore_errors=True)
    _build = Build()
    _build.runner = CellRunner(_build.workdir)
    mdx = config["mdx_configs"].setdefault("pymdownx.superfences", {})
    if "pymdownx.superfences" not in config["markdown_extensions"]:
        config["markdown_extensions"].append("pymdownx.superfences")
    fences = mdx.setdefault("custom_fences", [])
    entry = next((f for f in fences if f.get("name") == fence.NAME), None)
    if entry is None:
        entry = {"name": fence.NAME}
        fences.append(entry)
    entry.update({"class": "gd-cell", "format": _build.fence.format,
                  "validator": _build.fence.validate})
    _build.exercises = exercises.register(config, _build.fence.cells)
    return config


def on_page_markdown(markdown, page, config, files):  # noqa: ANN001, ANN201
    _build.fence.cells.clear()
    _build.exercises.problems.clear()
    return markdown


def _heading_ids(items) -> set[str]:  # noqa: ANN001
    ids: set[str] = set()
    for item in items:
        ids.add(item.id)
        ids |= _heading_ids(item.children)
    return ids


def on_page_content(html_text, page, config, files):  # noqa: ANN001, ANN201
    serials = fence.serials(html_text)
    page_name = page.file.src_uri
    if _build.exercises.problems:
        raise PluginError(f"{page_name}: " + "; ".join(_build.exercises.problems))
    if not serials:
        return html_text
    cells = [_build.fence.cells[s] for s in serials]
    for c in cells:
        c.problems += exercises.cell_problems(c)
    problems = fence.page_problems(cells, _heading_ids(page.toc.items))
    if problems:
        raise PluginError(f"{page_name}: " + "; ".join(problems))
    # Cell ids are anchors too: register them so that Markdown links like [x](#cell-id) and
    # page.md#cell-id pass MkDocs' anchor validation (it cannot see ids in stashed raw HTML).
    if getattr(page, "present_anchor_ids", None) is not None:
        page.present_anchor_ids.update(c.id for c in cells if c.id)
    try:
        results = _build.runner.run_page(page_name, cells)
    except CellFailure as exc:
        raise PluginError(str(exc)) from exc
    return fence.fill_outputs(exercises.fill_exercises(html_text, cells), results)


def on_post_build(config):  # noqa: ANN001, ANN201
    shutil.rmtree(_build.workdir, ignore_errors=True)
    log.info(_build.runner.summary())


def on_build_error(error):  # noqa: ANN001, ANN201
    if _build is not None:
        shutil.rmtree(_build.workdir, ignore_errors=True)
