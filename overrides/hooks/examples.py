"""MkDocs hook: ``>>>`` examples copy as runnable code (:mod:`overrides.sitebuild.examples`).

``on_page_content`` gives each code block that is a doctest session a ``data-copy``
attribute (its statements, the outputs as ``# -> ...`` comments), which material's copy
button copies instead of the block's text. The API page's examples start with the imports
they need (``overrides/hooks/griffe_docstrings.py``), so the copied code runs as written.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = str(Path(__file__).resolve().parents[2])
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)  # once: `overrides` is a package at the repository's root

from mkdocs.exceptions import PluginError  # noqa: E402

from overrides.sitebuild.examples import add_copy_text  # noqa: E402


def on_page_content(html, page, config, files):  # noqa: ANN001, ANN201
    try:
        return add_copy_text(html)[0]
    except ValueError as e:
        raise PluginError(f"{page.file.src_uri}: {e}") from None
