"""The files the site serves besides its pages and the bundle: gdcore's wheel, the runtime's
Python (``cellrun.py``, ``pyworker.py``), matplotlib's font cache and KaTeX.

Under ``site/assets/``: ``gdcore/cellrun.py``, ``gdcore/pyworker.py``,
``gdcore/matplotlib-fontlist.json``,
``gdcore/wheels/gdcore-*.whl`` (built in-process with hatchling, cached in
``.cache/wheels/`` by source hash) and ``katex/`` (from ``node_modules``).
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from pathlib import Path

from .sources import (
    CACHE,
    CELLRUN_PATH,
    FONTLIST_PATH,
    NODE_MODULES,
    OVERRIDES,
    PYWORKER_PATH,
    ROOT,
)

log = logging.getLogger("mkdocs.hooks.gdcore.assets")

KATEX_DIR = NODE_MODULES / "katex" / "dist"
KATEX_FILES = ("katex.min.js", "katex.min.css", "contrib/auto-render.min.js")
#: Site URLs (relative to the site's root) that main.html's #gd-config points the runtime at.
CELLRUN_URL = "assets/gdcore/cellrun.py"
WHEELS_DIR = "assets/gdcore/wheels"


class AssetError(Exception):
    """An asset that cannot be made (say, KaTeX missing: run ``npm ci``)."""


def project_version() -> str:
    import tomllib

    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return data["project"]["version"]


def build_wheel(source_hash: str) -> Path:
    """gdcore's wheel, built in-process with hatchling once per source hash."""
    out = CACHE / "wheels" / source_hash[:16]
    name = f"gdcore-{project_version()}-py3-none-any.whl"
    wheel = out / name
    if wheel.exists():
        return wheel
    from hatchling.builders.wheel import WheelBuilder

    CACHE.mkdir(parents=True, exist_ok=True)  # a fresh clone has none yet
    tmp = Path(tempfile.mkdtemp(prefix="wheel-", dir=CACHE))
    try:
        os.environ.setdefault("SOURCE_DATE_EPOCH", "315532800")  # reproducible zip times
        built = [Path(p) for p in WheelBuilder(str(ROOT)).build(
            directory=str(tmp), versions=["standard"])]
        out.mkdir(parents=True, exist_ok=True)
        shutil.move(str(built[0]), wheel)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    log.info(f"gdcore: built {name}")
    return wheel


def is_private_source(path: Path) -> bool:
    """True for files under ``overrides/`` that the theme must not copy into the site: the
    build's Python, the front end's sources (bundled instead), this package's README."""
    if not path.is_relative_to(OVERRIDES):
        return False
    rel = path.relative_to(OVERRIDES)
    return rel.parts[0] in ("hooks", "runtime", "src", "sitebuild", "__pycache__") or \
        rel.suffix in (".py", ".md")


def copy_if_changed(src: Path, dest: Path) -> None:
    """Copy unless dest already has src's size and mtime (cheap on rebuilds)."""
    try:
        s, d = src.stat(), dest.stat()
        if s.st_size == d.st_size and int(s.st_mtime) == int(d.st_mtime):
            return
    except FileNotFoundError:
        pass
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(src, dest)


def copy_assets(site: Path, wheel: Path) -> None:
    """Put the runtime's Python, gdcore's wheel (only the current one) and KaTeX in ``site``."""
    copy_if_changed(CELLRUN_PATH, site / CELLRUN_URL)
    for beside in (PYWORKER_PATH, FONTLIST_PATH):  # the worker finds them beside cellrun.py
        copy_if_changed(beside, site / CELLRUN_URL.replace("cellrun.py", beside.name))
    wheels = site / WHEELS_DIR
    if wheels.exists():
        for old in wheels.glob("*.whl"):
            if old.name != wheel.name:
                old.unlink()
    copy_if_changed(wheel, wheels / wheel.name)
    if not (KATEX_DIR / "katex.min.js").exists():
        raise AssetError(f"KaTeX not found in {KATEX_DIR}: run `npm ci`")
    katex = site / "assets" / "katex"
    for name in KATEX_FILES:
        copy_if_changed(KATEX_DIR / name, katex / name)
    for font in (KATEX_DIR / "fonts").iterdir():
        copy_if_changed(font, katex / "fonts" / font.name)
