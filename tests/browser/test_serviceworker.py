"""The site's service worker (issue 14, item 4) in Chromium, on the real built site served
under /gdcore/ WITHOUT COOP/COEP headers (as GitHub Pages serves it).

- first visit: the worker takes control, the page reloads once and is crossOriginIsolated,
  so Stop on ``while True: pass`` is a KeyboardInterrupt within 1 s and keeps the variables;
- second visit: no request for Pyodide, gdcore's files or KaTeX reaches the network; with the
  server gone the page still loads and its cell runs;
- pages are network first; a new deploy (another build version) replaces the old site cache
  and keeps the Pyodide cache; where no worker can register, nothing reloads;
- Pyodide from a CDN (another origin that sends CORS headers but no
  Cross-Origin-Resource-Policy, like jsDelivr) still loads in the isolated page, and is
  cached too.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest
from gdlive import cell, editor_set, output_text, run, state, stop_and_time, wait_live
from sitekit import ROOT, free_port, make_project_config, run_mkdocs_build
from swkit import cache_names, counting_server, python_ready, wait_controlled

from overrides.sitebuild import serviceworker

pytestmark = pytest.mark.browser

CELL = "first-step"  # the home page's one cell
VERSIONED = ("/gdcore/assets/pyodide/", "/gdcore/assets/gdcore/", "/gdcore/assets/katex/")


@pytest.fixture
def served(tmp_path):
    """Factory: serve a built site with a request log; stopped at the end."""
    servers = []

    def make(site: Path):
        srv = counting_server(site, tmp_path / f"www{len(servers)}")
        servers.append(srv)
        return srv

    yield make
    for srv in servers:
        srv.stop()


def site_copy(built_site: Path, dest: Path) -> Path:
    """A copy of the built site to change (hard links: replace a file, never write into it)."""
    shutil.copytree(built_site, dest, copy_function=_link, symlinks=True)
    return dest


def _link(src: str, dst: str) -> None:
    try:
        Path(dst).hardlink_to(src)
    except OSError:
        shutil.copy2(src, dst)


def replace_file(path: Path, text: str) -> None:
    path.unlink()
    path.write_text(text, encoding="utf-8")


def test_first_visit_reloads_once_and_stop_keeps_the_variables(page, served, built_site):
    srv = served(built_site)
    p = page()
    p.goto(srv.url)
    wait_controlled(p)
    wait_live(p)
    time.sleep(1.0)  # a second reload would come now
    assert srv.paths().count("/gdcore/") == 2, srv.paths()  # the visit and its one reload
    editor_set(p, CELL, "x = 41")
    assert run(p, CELL, timeout_s=180)[0] == "done"
    editor_set(p, CELL, "while True:\n    pass")
    cell(p, CELL).get_by_role("button", name="Run", exact=True).click()
    p.wait_for_function(f"() => document.getElementById('{CELL}').dataset.state === 'running'")
    time.sleep(0.5)  # really inside the loop
    assert stop_and_time(p, CELL) < 1.0
    assert state(p, CELL) == "stopped"
    assert "KeyboardInterrupt" in output_text(p, CELL)
    editor_set(p, CELL, "print(x + 1)")
    assert run(p, CELL, timeout_s=60)[0] == "done"
    assert p.locator(f"#{CELL} .gd-out-stdout").inner_text().strip() == "42"  # x was kept
    assert srv.paths().count("/gdcore/") == 2
    assert not p.gd_errors


def test_second_visit_asks_the_network_for_no_asset_and_works_offline(page, served, built_site):
    srv = served(built_site)
    p = page()
    p.goto(srv.url)
    wait_controlled(p)
    assert run(p, CELL, timeout_s=180)[0] == "done"
    first = srv.paths()
    assert any(path.startswith("/gdcore/assets/pyodide/pyodide.asm.wasm") for path in first)
    assert any(path.startswith("/gdcore/assets/gdcore/wheels/") for path in first)

    srv.hits.clear()
    again = p.context.new_page()
    again.gd_errors = []
    again.goto(srv.url)
    wait_live(again)
    python_ready(again)
    assert run(again, CELL, timeout_s=120)[0] == "done"
    assert again.evaluate("crossOriginIsolated")
    assert [h for h in srv.paths() if h.startswith(VERSIONED)] == []
    assert "/gdcore/" in srv.paths()  # the page itself: network first

    srv.stop()  # offline
    offline = p.context.new_page()
    offline.goto(srv.url)
    wait_live(offline)
    assert run(offline, CELL, timeout_s=120)[0] == "done"
    assert "Converged" in output_text(offline, CELL) or output_text(offline, CELL).strip()
    assert offline.evaluate("crossOriginIsolated")
    # a page never opened before says so instead of the browser's error page
    offline.goto(srv.url + "momentum/")
    assert "not opened before" in offline.inner_text("body")


def test_pages_come_from_the_network_first(page, served, built_site, tmp_path):
    site = site_copy(built_site, tmp_path / "site")
    srv = served(site)
    p = page()
    p.goto(srv.url)
    wait_controlled(p)
    index = site / "index.html"
    replace_file(index, index.read_text(encoding="utf-8").replace(
        "</h1>", " (revised)</h1>", 1))
    p.reload()
    wait_live(p)
    assert "(revised)" in p.locator("h1").first.inner_text()
    assert p.evaluate("crossOriginIsolated")


def test_a_new_deploy_replaces_the_site_cache_and_keeps_pyodide(page, served, built_site, tmp_path):
    site = site_copy(built_site, tmp_path / "site")
    srv = served(site)
    p = page()
    p.goto(srv.url)
    wait_controlled(p)
    python_ready(p)
    # A run waits for the packages its page preloads: no download through the old worker is
    # left half done. (Chromium activates a new worker only when the old one has no request in
    # flight; a page closed in the middle of a download of the old worker's can hold it there
    # for up to 5 min, its kMaxLameDuckTime: 1 run in 5 did when this test reloaded the page.)
    assert run(p, CELL, timeout_s=180)[0] == "done"
    before = cache_names(p)
    assert len(before) == 2, before
    pyodide_cache = next(n for n in before if " pyodide " in n)
    old_site_cache = next(n for n in before if " site " in n)

    css = site / "assets" / "gdcore" / "gdcore.css"
    replace_file(css, css.read_text(encoding="utf-8") + "\n/* deploy 2 */\n")
    version = serviceworker.write_service_worker(site, "0.27.7", "")
    assert version not in old_site_cache

    # The browser checks sw.js on the next navigation and installs the new one, which
    # activates (the open page, where a cell ran, is not reloaded under the reader).
    other = p.context.new_page()
    other.goto(srv.url + "sitemap.xml")
    deadline = time.monotonic() + 30
    asked = time.monotonic()
    while time.monotonic() < deadline and old_site_cache in cache_names(other):
        if time.monotonic() - asked > 5:  # the navigation's update check did not happen (yet):
            asked = time.monotonic()  # ask again, as the browser does on the next navigation
            other.evaluate("navigator.serviceWorker.getRegistration()"
                           ".then((r) => r && r.update()).catch(() => {})")
        time.sleep(0.2)
    assert old_site_cache not in cache_names(other)
    # The new site cache fills as pages under the new worker fetch assets; the open page was
    # served by the old worker, so open one under the new one.
    under_new = p.context.new_page()
    under_new.goto(srv.url)
    while time.monotonic() < deadline + 30 and not any(
            n.endswith(f" site {version}") for n in cache_names(other)):
        time.sleep(0.2)
    after = cache_names(other)
    assert any(n.endswith(f" site {version}") for n in after), after
    assert pyodide_cache in after  # same Pyodide: its ~19 MB are not downloaded again
    assert other.evaluate(
        "async (name) => (await (await caches.open(name)).keys()).length", pyodide_cache) > 3
    fresh = p.context.new_page()
    fresh.goto(srv.url)
    wait_live(fresh)
    css_text = fresh.evaluate("async () => (await fetch('assets/gdcore/gdcore.css')).text()")
    assert "deploy 2" in css_text


def test_where_no_worker_can_register_nothing_reloads_and_cells_run(page, served, built_site):
    srv = served(built_site)
    p = page(service_workers="block")
    p.goto(srv.url)
    wait_live(p)
    time.sleep(1.5)
    assert srv.paths().count("/gdcore/") == 1
    assert not p.evaluate("crossOriginIsolated")
    assert run(p, CELL, timeout_s=180)[0] == "done"


@pytest.fixture(scope="module")
def cdn_site(tmp_path_factory):
    """A one-page site whose Pyodide comes from a fake CDN on http://localhost:PORT (another
    origin than the site's 127.0.0.1): (site, the CDN's directory, its port)."""
    work = tmp_path_factory.mktemp("cdn-site")
    cdn = work / "cdn"
    cdn.mkdir()
    dist = Path(os.environ.get("GDCORE_PYODIDE_DIST") or "")
    for src in [*(ROOT / "node_modules" / "pyodide").iterdir(), *dist.glob("*.whl")]:
        if src.is_file():
            (cdn / src.name).symlink_to(src)
    port = free_port()
    (work / "docs").mkdir()
    code = "import numpy as np\nprint(int(np.arange(4).sum()))"
    (work / "docs" / "index.md").write_text(f'# CDN\n\n```pycell id="{CELL}"\n{code}\n```\n')
    config = make_project_config(work)
    text = config.read_text(encoding="utf-8")
    old = "cdn: https://cdn.jsdelivr.net/pyodide/v0.27.7/full/"
    assert old in text
    config.write_text(text.replace(old, f"cdn: http://localhost:{port}/pyodide/v0.27.7/full/"))
    result = run_mkdocs_build(config, work / "site", {
        "GDCORE_PYODIDE_SOURCE": "cdn", "GDCORE_CELL_CACHE": str(work / "cell-cache")})
    assert result.returncode == 0, result.output[-4000:]
    assert not (work / "site" / "assets" / "pyodide").exists()
    return work / "site", cdn, port


def test_pyodide_from_a_cdn_loads_in_the_isolated_page_and_is_cached(page, served, cdn_site,
                                                                     tmp_path):
    site, cdn_dir, port = cdn_site
    cdn = counting_server(cdn_dir, tmp_path / "cdn", port=port, mount="pyodide/v0.27.7/full",
                          host="localhost", cors=True)
    try:
        srv = served(site)
        p = page()
        p.goto(srv.url)
        wait_controlled(p)
        assert run(p, CELL, timeout_s=180)[0] == "done"
        assert p.locator(f"#{CELL} .gd-out-stdout").inner_text().strip() == "6"
        fetched = cdn.paths()
        assert any(path.endswith("/pyodide.asm.wasm") for path in fetched), fetched
        assert any("numpy" in path for path in fetched), fetched

        cdn.hits.clear()
        again = p.context.new_page()
        again.goto(srv.url)
        wait_live(again)
        assert run(again, CELL, timeout_s=120)[0] == "done"
        assert again.evaluate("crossOriginIsolated")
        assert cdn.paths() == []  # every CDN file came from the cache
        assert not p.gd_errors
    finally:
        cdn.stop()
