"""MkDocs hook: the build fails when a page has two elements with the same HTML id
(:mod:`overrides.sitebuild.ids`), naming the page and the ids."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = str(Path(__file__).resolve().parents[2])
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)  # once: `overrides` is a package at the repository's root

from mkdocs.exceptions import PluginError  # noqa: E402

from overrides.sitebuild.ids import duplicate_ids  # noqa: E402


def on_post_page(output, page, config):  # noqa: ANN001, ANN201
    clashes = duplicate_ids(output)
    if clashes:
        raise PluginError(
            f"{page.file.src_uri}: duplicate HTML id(s) {', '.join(map(repr, clashes))}: a link "
            "to #id must land in one place. Rename the cell, explorer or heading (a cell id "
            "must not equal a heading's anchor; an explorer's controls use '<id>--...')."
        )
    return output
