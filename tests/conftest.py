"""Shared fixtures: the built site (once per session), a local server for it, Chromium.

- ``built_site``: the whole site built once per session with ``mkdocs build --strict`` and a
  self-hosted Pyodide (``GDCORE_PYODIDE_SOURCE=self``; the frontend hook reads
  ``GDCORE_PYODIDE_DIST`` from the environment, which is passed through). Returns its Path.
  ``site_build`` gives the same build with its cell log and console output.
- ``site_server``: serves a temporary root in which the site lives under ``/gdcore/`` (like
  GitHub Pages serves a project site) on 127.0.0.1; returns the base URL, ending in ``/``.
- ``browser``: headless Debian Chromium through Playwright (never ``playwright install``).
- ``page``: a factory, ``page(javascript=True) -> playwright Page``; every page records its
  console errors and uncaught exceptions in ``page.gd_errors``.
- ``mkdocs_project``: a factory for small throw-away MkDocs projects that use the real
  theme, hooks and configuration of the repository (tests/site uses it for failing builds).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sitekit import (
    CHROMIUM,
    CHROMIUM_ARGS,
    ROOT,
    BuildResult,
    free_port,
    make_project_config,
    run_mkdocs_build,
    serve_site,
)


@pytest.fixture(scope="session")
def site_port() -> int:
    """The port ``site_server`` will use; the site is built with its ``site_url`` on it, so
    that material's instant navigation works in the browser tests (see sitekit.free_port)."""
    return free_port()


@pytest.fixture(scope="session")
def site_build(tmp_path_factory: pytest.TempPathFactory, site_port: int) -> BuildResult:
    """The repository's site, built once per session (self-hosted Pyodide)."""
    out = tmp_path_factory.mktemp("built") / "site"
    env = {
        "GDCORE_PYODIDE_SOURCE": "self",
        "GDCORE_SITE_URL": f"http://127.0.0.1:{site_port}/gdcore/",
    }
    result = run_mkdocs_build(ROOT / "mkdocs.yml", out, env)
    if result.returncode != 0:
        pytest.fail(f"mkdocs build --strict failed:\n{result.output[-6000:]}", pytrace=False)
    return result


@pytest.fixture(scope="session")
def built_site(site_build: BuildResult) -> Path:
    return site_build.site


@pytest.fixture(scope="session")
def site_server(built_site: Path, site_port: int, tmp_path_factory: pytest.TempPathFactory):
    """http://127.0.0.1:PORT/gdcore/ serving the built site (a sub-path, like GitHub Pages)."""
    with serve_site(built_site, tmp_path_factory.mktemp("www"), site_port) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium driven by Playwright (flags from the team contract)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def page(browser):
    """Factory: ``page(javascript=True, **context_options)`` -> a new Page in its own context.

    ``page.gd_errors`` collects console errors and uncaught page exceptions.
    """
    contexts = []

    def make(javascript: bool = True, **options):
        context = browser.new_context(java_script_enabled=javascript, **options)
        contexts.append(context)
        p = context.new_page()
        p.gd_errors = []
        p.on("console", lambda m: m.type == "error" and p.gd_errors.append(m.text))
        p.on("pageerror", lambda e: p.gd_errors.append(f"pageerror: {e}"))
        return p

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def mkdocs_project(tmp_path: Path):
    """Factory: ``mkdocs_project({"page.md": text, ...}) -> build(**env) -> BuildResult``.

    The project gets its own cell cache, so builds are independent of the repository's.
    """

    def make(pages: dict[str, str]):
        docs = tmp_path / "docs"
        docs.mkdir(exist_ok=True)
        for name, text in pages.items():
            (docs / name).write_text(text, encoding="utf-8")
        config = make_project_config(tmp_path)
        cache = tmp_path / "cell-cache"

        def build(**env: str) -> BuildResult:
            return run_mkdocs_build(
                config, tmp_path / "site", {"GDCORE_CELL_CACHE": str(cache), **env}
            )

        build.docs = docs
        return build

    return make
