"""Helpers shared by the site tests, the browser tests and the benchmark scripts.

Build the repository's MkDocs site (or a small throw-away project that uses its theme, hooks
and configuration), serve a directory on 127.0.0.1, and the Chromium flags this machine needs.
pytest fixtures built on these live in ``tests/conftest.py``.
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MKDOCS = [sys.executable, "-m", "mkdocs"]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@dataclass
class BuildResult:
    """A finished ``mkdocs build``: where it went and what it said."""

    site: Path
    returncode: int
    output: str
    cell_log: list[tuple[str, str, str]]  # (run|cached, page, cell id)


def _read_cell_log(path: Path) -> list[tuple[str, str, str]]:
    if not path.exists():
        return []
    return [tuple(line.split("\t")) for line in path.read_text().splitlines() if line]


def run_mkdocs_build(
    config_file: Path, site_dir: Path, env: dict[str, str] | None = None
) -> BuildResult:
    """Run ``mkdocs build --strict`` in a subprocess, logging which cells ran."""
    log_path = site_dir.with_name(site_dir.name + "-cells.log")
    log_path.unlink(missing_ok=True)
    full_env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "GDCORE_CELL_LOG": str(log_path)}
    full_env.update(env or {})
    proc = subprocess.run(
        [*MKDOCS, "build", "--strict", "-f", str(config_file), "-d", str(site_dir)],
        cwd=config_file.parent,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    return BuildResult(site_dir, proc.returncode, proc.stdout + proc.stderr,
                       _read_cell_log(log_path))


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".wasm": "application/wasm",
        ".mjs": "text/javascript",
        ".js": "text/javascript",
        ".whl": "application/zip",
        ".py": "text/plain; charset=utf-8",
        ".json": "application/json",
    }

    isolated = False  # send COOP/COEP: the page becomes crossOriginIsolated

    def end_headers(self) -> None:
        if self.isolated:
            self.send_header("Cross-Origin-Opener-Policy", "same-origin")
            self.send_header("Cross-Origin-Embedder-Policy", "require-corp")
        super().end_headers()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


class IsolatingHandler(QuietHandler):
    isolated = True


def make_project_config(
    project: Path, nav: list[str] | None = None, site_url: str | None = None,
    keep_nav: bool = False,
) -> Path:
    """Write ``project/mkdocs.yml``: the repository's configuration (theme, hooks, extensions)
    with absolute paths, pointed at ``project/docs``; ``site_url`` replaces the site's URL
    (see :func:`free_port`). The navigation is ``nav`` (none: MkDocs lists the pages), or
    the repository's own with ``keep_nav`` (for a copy of docs/)."""
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    text = text.replace("custom_dir: overrides", f"custom_dir: {ROOT / 'overrides'}")
    text = re.sub(r"^(\s*- )overrides/hooks/", rf"\g<1>{ROOT}/overrides/hooks/", text, flags=re.M)
    text = text.replace("!relative $config_dir/overrides/", f"{ROOT}/overrides/")
    text = re.sub(r"^(\s*- )gdcore$", rf"\g<1>{ROOT / 'gdcore'}", text, flags=re.M)
    text = text.replace("paths: [.]", f"paths: [{ROOT}]")  # mkdocstrings finds gdcore
    if not keep_nav:
        text = re.sub(r"^nav:.*\Z", "", text, flags=re.M | re.S)
    if nav:
        text += "nav:\n" + "".join(f"  - {p}\n" for p in nav)
    if site_url:
        text = re.sub(r"^site_url:.*$", f"site_url: {site_url}", text, flags=re.M)
    text += f"docs_dir: {project / 'docs'}\n"
    config = project / "mkdocs.yml"
    config.write_text(text, encoding="utf-8")
    return config


def free_port() -> int:
    """A TCP port that is free now: build a site with ``site_url`` on it, then serve it there.

    Material's instant navigation only intercepts links listed in sitemap.xml, whose URLs come
    from ``site_url``; it swaps in the page's protocol and host name but not the port, so a site
    is navigated instantly only when served on the port its ``site_url`` names.
    """
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:  # noqa: ANN001
        # A terminated worker (Stop) or a closed page drops its downloads: not an error.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@contextmanager
def serve_directory(root: Path, port: int = 0, isolated: bool = False) -> Iterator[str]:
    """Serve ``root`` on 127.0.0.1 in a thread (``port`` 0: any free one).

    ``isolated`` adds the COOP/COEP headers that make pages cross-origin isolated (then the
    runtime stops code with Pyodide's interrupt buffer instead of restarting the worker).
    Yields ``http://127.0.0.1:PORT/``.
    """
    handler_class = IsolatingHandler if isolated else QuietHandler
    handler = functools.partial(handler_class, directory=str(root))
    server = _Server(("127.0.0.1", port), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@contextmanager
def serve_site(site: Path, scratch: Path, port: int = 0, isolated: bool = False) -> Iterator[str]:
    """Serve a built ``site`` under a sub-path, like GitHub Pages serves a project site.

    ``scratch`` is an empty directory that becomes the server root, with ``gdcore/`` linked to
    ``site``. Yields ``http://127.0.0.1:PORT/gdcore/``.
    """
    scratch.mkdir(parents=True, exist_ok=True)
    link = scratch / "gdcore"
    if not link.exists():
        link.symlink_to(site, target_is_directory=True)
    with serve_directory(scratch, port, isolated) as url:
        yield url + "gdcore/"
