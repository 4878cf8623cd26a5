"""Where the site's sources are, and content hashes of them (for caches and the wheel).

>>> len(gdcore_source_hash())
64
"""

from __future__ import annotations

import hashlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OVERRIDES = ROOT / "overrides"
RUNTIME = OVERRIDES / "runtime"
CELLRUN_PATH = RUNTIME / "cellrun.py"
PYWORKER_PATH = RUNTIME / "pyworker.py"
#: matplotlib's font cache for Pyodide 0.27.7 (overrides/README.md says why)
FONTLIST_PATH = RUNTIME / "matplotlib-fontlist.json"
NODE_MODULES = ROOT / "node_modules"
CACHE = ROOT / ".cache"


def file_hash(path: Path) -> str:
    """sha256 of one file's bytes (hex)."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def tree_hash(paths: list[Path]) -> str:
    """sha256 over the paths (relative to the repository) and contents of ``paths``."""
    h = hashlib.sha256()
    for path in sorted(paths):
        h.update(str(path.relative_to(ROOT)).encode() + b"\0")
        h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


def gdcore_files() -> list[Path]:
    """gdcore's Python sources and the files its wheel is built from."""
    files = [p for p in (ROOT / "gdcore").rglob("*.py") if "__pycache__" not in p.parts]
    return files + [p for p in (ROOT / "pyproject.toml", ROOT / "README.md") if p.exists()]


def gdcore_source_hash() -> str:
    """The hash of gdcore's source: keys the wheel and (with more) the cell cache."""
    return tree_hash(gdcore_files())
