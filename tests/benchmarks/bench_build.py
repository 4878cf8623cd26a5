"""Benchmark the site build: cold and warm builds, a `mkdocs serve`-style rebuild, page weight.

    .venv/bin/python tests/benchmarks/bench_build.py [--source self|cdn]

Works on a copy of docs/ in a temporary project (the repository is not touched) with its own
cell cache, so "cold" really runs every cell. Measures

1. cold build: empty cell cache (every cell of every page runs in CPython);
2. warm build: same cache again (no cell runs), in a fresh process like `mkdocs build`;
3. serve rebuilds, in one process like `mkdocs serve` (config reloaded, full rebuild):
   after editing one page's prose (full rebuild, as `mkdocs serve`; and as
   `mkdocs serve --dirty`, which re-renders only the edited page), and after editing the
   last cell of that page (`--dirty`; the page's cells re-run from its first one);
4. the weight of our own front end, gzip -9: what a page loads (gdcore.js, gdcore.css and
   the inline KaTeX typesetting snippet) and what the worker loads (worker.js, cellrun.py,
   the gdcore wheel). Pyodide, KaTeX and fonts are excluded.
"""

from __future__ import annotations

import argparse
import gzip
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))

import sitekit  # noqa: E402


def make_project(dest: Path) -> Path:
    shutil.copytree(ROOT / "docs", dest / "docs")
    return sitekit.make_project_config(dest, keep_nav=True)


def timed_build(config: Path, site: Path, env: dict[str, str]) -> float:
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-f", str(config), "-d", str(site)],
        env=env, capture_output=True, text=True,
    )
    elapsed = time.perf_counter() - t0
    if proc.returncode != 0:
        sys.exit(f"build failed:\n{(proc.stdout + proc.stderr)[-4000:]}")
    return elapsed


SERVE_SCRIPT = r"""
import sys, time, pathlib, re
from mkdocs.config import load_config
from mkdocs.commands.build import build
config_file, site, page = sys.argv[1], sys.argv[2], pathlib.Path(sys.argv[3])

def rebuild(dirty):
    t0 = time.perf_counter()
    config = load_config(config_file, site_dir=site)   # mkdocs serve reloads the config
    build(config, serve_url="http://127.0.0.1:8000/", dirty=dirty)
    return time.perf_counter() - t0

rebuild(False)                                       # the server's first build (warm cache)
text = page.read_text()
page.write_text(text + "\nOne more sentence of prose.\n")
prose = rebuild(False)                               # mkdocs serve
time.sleep(1.1)                                      # mtime resolution of is_modified()
page.write_text(text + "\nAnother sentence of prose.\n")
prose_dirty = rebuild(True)                          # mkdocs serve --dirty
cells = list(re.finditer(r"^```pycell[^\n]*\n", text, re.M))
at = cells[-1].end()
time.sleep(1.1)
page.write_text(text[:at] + "_bench_edit = 1\n" + text[at:])
cell_dirty = rebuild(True)
print(f"{prose:.3f} {prose_dirty:.3f} {cell_dirty:.3f}")
"""


def gz(data: bytes) -> int:
    return len(gzip.compress(data, 9))


def weights(site: Path) -> dict[str, int]:
    gd = site / "assets" / "gdcore"
    html = (site / "index.html").read_text(encoding="utf-8")
    inline = "".join(re.findall(r"<script>\s*(// Typeset.*?)</script>", html, re.S))
    page = b"".join((gd / n).read_bytes() for n in ("gdcore.js", "gdcore.css") if (gd / n).exists())
    out = {
        "page: gdcore.js": (gd / "gdcore.js").stat().st_size if (gd / "gdcore.js").exists() else 0,
        "page: gdcore.css": (gd / "gdcore.css").stat().st_size
        if (gd / "gdcore.css").exists() else 0,
        "page total (js+css+inline), gzip": gz(page) + gz(inline.encode()),
    }
    worker = (gd / "worker.js").read_bytes() if (gd / "worker.js").exists() else b""
    out["worker: worker.js + cellrun.py, gzip"] = gz(worker) + gz((gd / "cellrun.py").read_bytes())
    wheels = list((gd / "wheels").glob("*.whl"))
    out["worker: gdcore wheel (zip)"] = wheels[0].stat().st_size if wheels else 0
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", choices=("self", "cdn"), default="cdn",
                        help="extra.gdcore.pyodide.source for the builds (default cdn)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="gdcore-bench-") as tmp:
        tmp = Path(tmp)
        config = make_project(tmp)
        site = tmp / "site"
        env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "GDCORE_PYODIDE_SOURCE": args.source,
               "GDCORE_CELL_CACHE": str(tmp / "cells")}
        cold = timed_build(config, site, env)
        warm = timed_build(config, site, env)
        pages = [p for p in (tmp / "docs").glob("*.md") if p.name != "authoring.md"]
        page = max(pages, key=lambda p: p.read_text().count("```pycell"))
        proc = subprocess.run(
            [sys.executable, "-c", SERVE_SCRIPT, str(config), str(tmp / "serve-site"), str(page)],
            env=env, capture_output=True, text=True,
        )
        if proc.returncode != 0:
            sys.exit(proc.stderr[-4000:])
        prose, prose_dirty, cell_dirty = (float(x) for x in proc.stdout.split()[-3:])
        rows = [
            ("cold build (every cell runs)", cold),
            ("warm build (cell cache hit)", warm),
            (f"serve: prose edit of {page.name}", prose),
            (f"serve --dirty: prose edit of {page.name}", prose_dirty),
            (f"serve --dirty: cell edit of {page.name}", cell_dirty),
        ]
        for name, seconds in rows:
            print(f"{name:46s}{seconds:7.2f} s")
        for name, size in weights(site).items():
            print(f"{name:46s}{size / 1024:7.1f} KiB")


if __name__ == "__main__":
    main()
