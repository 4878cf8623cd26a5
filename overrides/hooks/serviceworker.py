"""MkDocs hook: the site's service worker (offline reading, cross-origin isolation).

``on_post_build`` writes ``site/sw.js`` (:mod:`overrides.sitebuild.serviceworker`) once the
other hooks have put the bundles, the wheel and KaTeX in the site (list it after them in
``mkdocs.yml``: its version is a hash of those files). ``overrides/main.html`` registers it.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

ROOT = str(Path(__file__).resolve().parents[2])
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)  # once: `overrides` is a package at the repository's root

from mkdocs.exceptions import PluginError  # noqa: E402

from overrides.sitebuild import serviceworker  # noqa: E402

log = logging.getLogger("mkdocs.hooks.gdcore.serviceworker")


def on_post_build(config, **kwargs) -> None:  # noqa: ANN001
    """MkDocs event: write ``sw.js`` at the site's root, versioned by this build."""
    py = ((config.get("extra") or {}).get("gdcore") or {}).get("pyodide") or {}
    cdn = str(py.get("cdn") or "") if py.get("source", "cdn") == "cdn" else ""
    try:
        version = serviceworker.write_service_worker(
            Path(config["site_dir"]), str(py.get("version", "")), cdn)
    except (serviceworker.ServiceWorkerError, OSError) as exc:
        raise PluginError(str(exc)) from exc
    log.debug("serviceworker: sw.js version %s", version)
