"""MkDocs hook: every formula typeset by KaTeX at build time (:mod:`overrides.sitebuild.katex`).

``on_post_page`` replaces each arithmatex element's TeX with KaTeX's HTML and MathML, so math
reads without JavaScript (the page's HTML, its table of contents and navigation; the search
index keeps the TeX, which is what a reader types). A formula KaTeX cannot render fails the
build naming the page and the formula. One Node process per build, closed at its end; results
cached by formula text.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

ROOT = str(Path(__file__).resolve().parents[2])
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)  # once: `overrides` is a package at the repository's root

from mkdocs.exceptions import PluginError  # noqa: E402

from overrides.sitebuild.katex import MathError, MathRenderer  # noqa: E402

log = logging.getLogger("mkdocs.hooks.gdcore.katex")

_renderer: MathRenderer | None = None


def on_config(config):  # noqa: ANN001, ANN201
    global _renderer
    if _renderer is None:  # kept across `mkdocs serve` rebuilds: its memory is the cache
        _renderer = MathRenderer()
    _renderer.rendered = _renderer.cached = _renderer.pages = 0
    _renderer.seconds = 0.0
    return config


def on_post_page(output, page, config):  # noqa: ANN001, ANN201
    try:
        return _renderer.render_page(output, page.file.src_uri)
    except MathError as e:
        _renderer.close()
        raise PluginError(str(e)) from None


def on_post_build(config):  # noqa: ANN001, ANN201
    _renderer.close()
    _renderer.save()
    log.info(_renderer.summary())


def on_build_error(error):  # noqa: ANN001, ANN201
    if _renderer is not None:
        _renderer.close()
        _renderer.save()  # what rendered is right: keep it


def on_shutdown():  # noqa: ANN201
    if _renderer is not None:
        _renderer.close()
