"""The live-cell front end's bundle and, if configured, the self-hosted Pyodide.

After a build (``overrides/hooks/frontend.py``, ``on_post_build``):

1. bundles ``overrides/src/`` with esbuild (``node_modules/.bin/esbuild``; minified, ES2020,
   no source maps) into ``site/assets/gdcore/{gdcore.js,worker.js,gdcore.css}``. The bundle is
   cached in ``.cache/gdcore-frontend/`` keyed by the sources, so ``mkdocs serve`` rebuilds
   only when a front-end file changed;
2. when ``extra.gdcore.pyodide.source`` is ``"self"``, copies Pyodide's core files from
   ``node_modules/pyodide`` and the wheels the site needs (numpy, matplotlib and their
   dependencies, sha256-verified against ``pyodide-lock.json`` by
   ``overrides/pyodide_dist.py``) into ``site/assets/pyodide/``. Unchanged files are not
   copied again (hard links when possible). With ``"cdn"`` nothing is copied.

>>> bundle_key()[:6].isalnum()
True
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import subprocess
from pathlib import Path

from overrides import pyodide_dist

from .sources import CACHE as CACHE_ROOT
from .sources import NODE_MODULES, OVERRIDES
from .sources import ROOT as REPO

__all__ = ["FrontendError", "bundle_key", "bundle", "copy_pyodide", "pyodide_source",
           "build_frontend"]

log = logging.getLogger("mkdocs.hooks.frontend")

SRC = OVERRIDES / "src"
ESBUILD = NODE_MODULES / ".bin" / "esbuild"
CACHE = CACHE_ROOT / "gdcore-frontend"
PYODIDE_NPM = NODE_MODULES / "pyodide"
CORE_FILES = (
    "pyodide.js",
    "pyodide.mjs",
    "pyodide.asm.js",
    "pyodide.asm.wasm",
    "python_stdlib.zip",
    "pyodide-lock.json",
)
OUTPUTS = ("gdcore.js", "worker.js", "gdcore.css")


class FrontendError(Exception):
    """The bundle or the self-hosted Pyodide cannot be made (the message says what to do)."""


def bundle_key() -> str:
    """Hash of every front-end source file plus the esbuild and package.json versions.

    >>> len(bundle_key())
    16
    """
    digest = hashlib.sha256()
    inputs = sorted(SRC.rglob("*")) + [REPO / "package.json", Path(__file__)]
    for path in inputs:
        if path.is_file():
            digest.update(str(path.relative_to(REPO)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def bundle(out_dir: Path | str) -> Path:
    """Bundle ``overrides/src`` into ``out_dir`` (gdcore.js, worker.js, gdcore.css).

    >>> import tempfile
    >>> sorted(p.name for p in bundle(tempfile.mkdtemp()).iterdir())  # doctest: +SKIP
    ['gdcore.css', 'gdcore.js', 'worker.js']
    """
    out_dir = Path(out_dir)
    cached = CACHE / bundle_key()
    if not all((cached / name).is_file() for name in OUTPUTS):
        if not ESBUILD.exists():
            raise FrontendError(f"frontend: {ESBUILD} not found; run `npm ci` first")
        tmp = CACHE / f".tmp-{os.getpid()}"
        shutil.rmtree(tmp, ignore_errors=True)
        cmd = [
            str(ESBUILD),
            f"gdcore={SRC / 'main.js'}",
            f"worker={SRC / 'worker.js'}",
            "--bundle",
            "--minify",
            "--format=iife",
            "--target=es2020",
            "--legal-comments=none",
            "--log-level=warning",
            f"--outdir={tmp}",
        ]
        proc = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO)
        if proc.returncode != 0:
            shutil.rmtree(tmp, ignore_errors=True)
            raise FrontendError(f"frontend: esbuild failed:\n{proc.stderr}")
        if proc.stderr.strip():
            log.warning("esbuild: %s", proc.stderr.strip())
        shutil.rmtree(cached, ignore_errors=True)
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp.rename(cached)
    out_dir.mkdir(parents=True, exist_ok=True)
    for name in OUTPUTS:
        shutil.copyfile(cached / name, out_dir / name)
    return out_dir


def _place(src: Path, dst: Path) -> bool:
    """Hard-link (or copy) src to dst unless dst is already the same file; True if placed."""
    if dst.exists():
        s, d = src.stat(), dst.stat()
        if (s.st_ino == d.st_ino and s.st_dev == d.st_dev) or (
            s.st_size == d.st_size and int(s.st_mtime) == int(d.st_mtime)
        ):
            return False
        dst.unlink()
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)
    return True


def copy_pyodide(out_dir: Path | str) -> int:
    """Copy the Pyodide core and the verified wheels into ``out_dir``; returns files placed.

    >>> import tempfile
    >>> copy_pyodide(tempfile.mkdtemp()) > 0  # doctest: +SKIP
    True
    """
    dist_mod = pyodide_dist
    out_dir = Path(out_dir)
    try:
        files = dist_mod.required_files(dist_mod.load_lock(PYODIDE_NPM / "pyodide-lock.json"))
        dist = dist_mod.ensure(quiet=True)  # verifies (marker-accelerated), downloads if needed
    except (dist_mod.DistError, OSError, subprocess.CalledProcessError) as exc:
        raise FrontendError(f"frontend: self-hosted Pyodide unavailable: {exc}") from exc
    out_dir.mkdir(parents=True, exist_ok=True)
    placed = 0
    for name in CORE_FILES:
        src = PYODIDE_NPM / name
        if not src.is_file():
            raise FrontendError(f"frontend: {src} missing; run `npm ci`")
        placed += _place(src, out_dir / name)
    for name in files:
        placed += _place(Path(dist) / name, out_dir / name)
    return placed


def pyodide_source(config) -> str:  # noqa: ANN001
    """``extra.gdcore.pyodide.source`` of the MkDocs config: "cdn" or "self"."""
    extra = config.get("extra") or {}
    source = ((extra.get("gdcore") or {}).get("pyodide") or {}).get("source", "cdn")
    if source not in ("cdn", "self"):
        raise FrontendError(f'extra.gdcore.pyodide.source must be "cdn" or "self", got {source!r}')
    return source


def build_frontend(site: Path, source: str) -> None:
    """Bundle the front end into ``site``; with ``source`` "self", self-host Pyodide too."""
    bundle(site / "assets" / "gdcore")
    if source == "self":
        placed = copy_pyodide(site / "assets" / "pyodide")
        log.debug("frontend: self-hosted Pyodide (%d files placed)", placed)
