"""MkDocs hook: bundle the live-cell front end and, if configured, self-host Pyodide.

The work is done by :mod:`overrides.sitebuild.frontend`; this file wires it to MkDocs.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = str(Path(__file__).resolve().parents[2])
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)  # once: `overrides` is a package at the repository's root

from mkdocs.exceptions import PluginError  # noqa: E402

from overrides.sitebuild import frontend  # noqa: E402


def on_post_build(config, **kwargs) -> None:  # noqa: ANN001
    """MkDocs event: bundle the front end, then self-host Pyodide if configured."""
    try:
        frontend.build_frontend(Path(config["site_dir"]), frontend.pyodide_source(config))
    except frontend.FrontendError as exc:
        raise PluginError(str(exc)) from exc
