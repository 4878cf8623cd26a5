"""The site's service worker: ``overrides/src/sw.js`` written to ``<site>/sw.js``.

It is served from the site's root so that its scope covers every page under the site's
sub-path. Its ``BUILD`` object carries the build's version, a hash of what the worker caches
first under that version (the files under ``assets/gdcore/`` and ``assets/katex/``: bundles,
gdcore's wheel, the runtime's Python, KaTeX), of the worker's own source and of the Pyodide
version and CDN: a deploy that changes any of them changes ``sw.js``, so browsers install the
new worker, which deletes the old caches (see the comment at the top of sw.js).

>>> site = Path(__import__("tempfile").mkdtemp())
>>> (site / "assets" / "gdcore").mkdir(parents=True)
>>> _ = (site / "assets" / "gdcore" / "gdcore.js").write_text("v1")
>>> v1 = write_service_worker(site, "0.27.7", "https://cdn.example/pyodide/v0.27.7/full/")
>>> _ = (site / "assets" / "gdcore" / "gdcore.js").write_text("v2")
>>> v1 != write_service_worker(site, "0.27.7", "https://cdn.example/pyodide/v0.27.7/full/")
True
>>> '"pyodideVersion": "0.27.7"' in (site / "sw.js").read_text()
True
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from .sources import OVERRIDES

__all__ = ["SOURCE", "SW_NAME", "VERSIONED_DIRS", "ServiceWorkerError", "build_version",
           "write_service_worker"]

SOURCE = OVERRIDES / "src" / "sw.js"
SW_NAME = "sw.js"
#: Site directories whose files the worker serves cache first under the build's version.
VERSIONED_DIRS = ("assets/gdcore", "assets/katex")
_BUILD = re.compile(r"const BUILD = /\* filled in by the build \*/ \{.*?\};", re.S)


class ServiceWorkerError(Exception):
    """sw.js cannot be written (the message says why)."""


def build_version(site: Path, pyodide_version: str, pyodide_cdn: str) -> str:
    """16 hex digits: a hash of the versioned files in ``site``, sw.js and the Pyodide setup.

    >>> len(build_version(Path("/nonexistent"), "0.27.7", ""))
    16
    """
    digest = hashlib.sha256()
    digest.update(f"{pyodide_version}\0{pyodide_cdn}\0".encode())
    digest.update(hashlib.sha256(SOURCE.read_bytes()).digest())
    for top in VERSIONED_DIRS:
        for path in sorted((site / top).rglob("*")):
            if path.is_file():
                digest.update(str(path.relative_to(site)).encode() + b"\0")
                digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:16]


def write_service_worker(site: Path, pyodide_version: str, pyodide_cdn: str) -> str:
    """Write ``site/sw.js`` with its ``BUILD`` filled in; returns the build version."""
    version = build_version(site, pyodide_version, pyodide_cdn)
    build = {"version": version, "pyodideVersion": pyodide_version, "pyodideCDN": pyodide_cdn}
    source = SOURCE.read_text(encoding="utf-8")
    text, count = _BUILD.subn(lambda _m: f"const BUILD = {json.dumps(build, indent=2)};", source)
    if count != 1:
        raise ServiceWorkerError(f"serviceworker: {SOURCE} has no `const BUILD = /* filled in by "
                                 "the build */ {{...}};` block to fill in")
    tmp = site / f".{SW_NAME}.tmp"
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(site / SW_NAME)  # atomic: a server never sends half a worker
    return version
