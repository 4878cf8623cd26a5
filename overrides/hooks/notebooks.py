"""MkDocs hook: every page with code cells as a Jupyter notebook, written beside the page
(``gradients/gradients.ipynb``), and the page's "Download notebook" link.

``on_config``
    Starts this build's :class:`~overrides.sitebuild.execution.CellRunner` (only to read
    the cell cache: nothing runs here) and checks that ``site_url`` is set (the notebook's
    links point at the deployed site).
``on_page_content``
    After the cells hook has run (or read) the page's cells: splits the page's Markdown
    into prose and cells, builds the notebook with the pre-rendered outputs
    (:mod:`overrides.sitebuild.notebooks`), validates it with ``nbformat.validate`` (an
    invalid notebook fails the build naming the page) and writes it.
``on_page_context``
    ``gd_notebook`` (``href``, ``name``, ``py_name``) for ``overrides/partials/actions.html``.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from urllib.parse import urljoin

ROOT = str(Path(__file__).resolve().parents[2])
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)  # once: `overrides` is a package at the repository's root

import nbformat  # noqa: E402
from mkdocs.exceptions import PluginError  # noqa: E402

from overrides.sitebuild import notebooks  # noqa: E402
from overrides.sitebuild.execution import CellRunner  # noqa: E402

log = logging.getLogger("mkdocs.hooks.gdcore.notebooks")

_runner: CellRunner | None = None
_links: dict[str, dict] = {}


def on_config(config):  # noqa: ANN001, ANN201
    global _runner
    if not config.get("site_url"):
        raise PluginError("site_url is not set in mkdocs.yml: the pages' notebooks link to the "
                          "deployed site (set it, or GDCORE_SITE_URL)")
    _runner = CellRunner(Path(ROOT))
    _links.clear()
    return config


def on_page_content(html_text, page, config, files):  # noqa: ANN001, ANN201
    src = page.file.src_uri
    try:
        pieces, others = notebooks.split_page(
            page.markdown, config["markdown_extensions"], config["mdx_configs"])
    except Exception as exc:  # a page the real build converted: a bug here, said plainly
        raise PluginError(f"{src}: could not split the page into notebook cells: {exc}") \
            from exc
    cells = [p.cell for p in pieces if p.cell is not None]
    _links.pop(src, None)
    if not cells:
        return html_text
    site_url = config["site_url"]
    if not site_url.endswith("/"):
        site_url += "/"
    page_url = urljoin(site_url, page.url)

    def url_of(path: str) -> str | None:
        file = files.get_file_from_path(path)
        return file.url if file is not None else None

    def link(target: str) -> str:
        return notebooks.site_link(target, src, page.url, site_url, url_of)

    try:
        results = notebooks.cached_results(_runner, cells, src)
        nb = notebooks.build_notebook(
            title=page.title or notebooks.notebook_name(src), page_url=page_url,
            pieces=pieces, others=others, results=results,
            wheel_url=urljoin(site_url, config["extra"]["gdcore"]["wheel"]), link=link)
        notebooks.validate(nb, src)
    except notebooks.NotebookError as exc:
        raise PluginError(str(exc)) from exc
    name = notebooks.notebook_name(src)
    dest = Path(page.file.abs_dest_path).parent / f"{name}.ipynb"
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text(nbformat.writes(nb), encoding="utf-8")
    _links[src] = {"href": f"{name}.ipynb", "name": f"{name}.ipynb", "py_name": f"{name}.py"}
    return html_text


def on_page_context(context, page, config, nav):  # noqa: ANN001, ANN201
    context["gd_notebook"] = _links.get(page.file.src_uri)
    return context


def on_post_build(config):  # noqa: ANN001, ANN201
    log.info(f"gdcore notebooks: {len(_links)} written")
