"""The service worker's build step (overrides/hooks/serviceworker.py): sw.js at the site's
root, its BUILD filled in, a version that follows what the worker caches, and its
registration on every page. Its behaviour in the browser: tests/browser/test_serviceworker.py.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from urllib.parse import urljoin

import pytest
from sitekit import ROOT

from overrides.sitebuild import serviceworker

CDN = "https://cdn.jsdelivr.net/pyodide/v0.27.7/full/"
BUILD_RE = re.compile(r"const BUILD = (\{.*?\});", re.S)


def build_of(sw: Path) -> dict:
    return json.loads(BUILD_RE.search(sw.read_text(encoding="utf-8")).group(1))


@pytest.fixture
def site(tmp_path: Path) -> Path:
    for rel, text in {"assets/gdcore/gdcore.js": "one", "assets/gdcore/wheels/g.whl": "w",
                      "assets/katex/katex.min.js": "k", "index.html": "<p>page</p>"}.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    return tmp_path


def test_sw_js_is_written_at_the_root_with_its_build_filled_in(site):
    version = serviceworker.write_service_worker(site, "0.27.7", CDN)
    assert re.fullmatch(r"[0-9a-f]{16}", version)
    assert build_of(site / "sw.js") == {
        "version": version, "pyodideVersion": "0.27.7", "pyodideCDN": CDN}
    subprocess.run(["node", "--check", str(site / "sw.js")], check=True)
    assert [p.name for p in site.iterdir() if p.name.startswith(".")] == []  # no temp file left


@pytest.mark.parametrize("change", ["bundle", "wheel", "katex", "pyodide", "cdn"])
def test_the_version_changes_with_what_the_worker_caches(site, change):
    before = serviceworker.write_service_worker(site, "0.27.7", CDN)
    pyodide, cdn = "0.27.7", CDN
    if change == "bundle":
        (site / "assets/gdcore/gdcore.js").write_text("two")
    elif change == "wheel":
        (site / "assets/gdcore/wheels/g.whl").write_text("w2")
    elif change == "katex":
        (site / "assets/katex/katex.min.js").write_text("k2")
    elif change == "pyodide":
        pyodide = "0.27.8"
    else:
        cdn = ""
    assert serviceworker.write_service_worker(site, pyodide, cdn) != before


def test_a_page_edit_keeps_the_version(site):
    """Pages are network first: a prose fix must not make readers download assets again."""
    before = serviceworker.write_service_worker(site, "0.27.7", CDN)
    (site / "index.html").write_text("<p>page, revised</p>")
    assert serviceworker.write_service_worker(site, "0.27.7", CDN) == before


def test_a_worker_source_without_its_build_block_fails_clearly(site, tmp_path, monkeypatch):
    broken = tmp_path / "sw.js.src"
    broken.write_text("const BUILD = {};\n")
    monkeypatch.setattr(serviceworker, "SOURCE", broken)
    with pytest.raises(serviceworker.ServiceWorkerError, match="no `const BUILD"):
        serviceworker.write_service_worker(site, "0.27.7", CDN)


def test_the_built_site_serves_sw_js_from_its_root_and_every_page_registers_it(built_site):
    build = build_of(built_site / "sw.js")
    assert build["pyodideVersion"] == "0.27.7"
    assert build["pyodideCDN"] == ""  # the test build self-hosts Pyodide
    assert build["version"] == serviceworker.build_version(built_site, "0.27.7", "")
    root = "https://example.org/gdcore/"
    for rel in ("index.html", "momentum/index.html", "404.html"):
        text = (built_site / rel).read_text(encoding="utf-8")
        urls = re.findall(r'sw\.register\(new URL\("([^"]+)", document\.baseURI\)\)', text)
        assert len(urls) == 1, rel
        # 404.html is served at any depth: its URL starts at the site's root path
        page_url = root + ("deep/missing/" if rel == "404.html" else rel.removesuffix("index.html"))
        assert urljoin(page_url, urls[0]) == root + "sw.js", (rel, urls[0])


def test_mkdocs_yml_lists_the_hook_after_the_ones_whose_files_it_hashes():
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    hooks = re.findall(r"^\s*- overrides/hooks/(\w+)\.py", text, flags=re.M)
    assert hooks.index("serviceworker") > max(hooks.index("assets"), hooks.index("frontend"))
