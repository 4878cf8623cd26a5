"""The repository's whole site, built once (``built_site``): strict, every cell run, links."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
FENCE_RE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>.*)$")
OPTION_RE = re.compile(r'(\w[-\w]*)="([^"]*)"')
SITE_URL = re.search(r"^site_url:.*?(https?://[^\s\"\]]+)", (ROOT / "mkdocs.yml").read_text(),
                     re.M).group(1)
SITE_PATH = urlsplit(SITE_URL).path  # "/gdcore/"


def markdown_cells(text: str) -> list[dict[str, str]]:
    """The pycell fences of a Markdown page (their header options), skipping fences that are
    only quoted inside another fence (e.g. the examples on the authoring page)."""
    cells, open_fence = [], None
    for line in text.splitlines():
        m = FENCE_RE.match(line)
        if open_fence is not None:
            fence = m and m.group("fence")
            if fence and fence[0] == open_fence[0] and len(fence) >= len(open_fence) \
                    and not m.group("info").strip():
                open_fence = None
            continue
        if m:
            open_fence = m.group("fence")
            info = m.group("info").strip()
            if info.split(" ")[0] == "pycell":
                cells.append(dict(OPTION_RE.findall(info)))
    return cells


def page_html_path(site: Path, md: Path) -> Path:
    rel = md.relative_to(DOCS).with_suffix("")
    if rel.name == "index":
        return site / rel.parent / "index.html"
    return site / rel / "index.html"


def test_strict_build_has_no_warnings(site_build):
    assert site_build.returncode == 0
    assert "WARNING" not in site_build.output, site_build.output[-4000:]


def test_every_cell_on_every_page_is_executed(site_build):
    """Each cell of each page ran in CPython in this build, or its output came from the cache
    (keyed by the page's code up to the cell, gdcore's source and cellrun.py)."""
    logged = {(page, cid) for _, page, cid in site_build.cell_log}
    pages = sorted(DOCS.rglob("*.md"))
    assert pages
    total = 0
    for md in pages:
        cells = markdown_cells(md.read_text(encoding="utf-8"))
        html = page_html_path(site_build.site, md).read_text(encoding="utf-8")
        assert html.count('<div class="gd-cell" ') == len(cells), md.name
        for options in cells:
            cid = options["id"]
            assert f'<div class="gd-cell" id="{cid}" ' in html, (md.name, cid)
            if options.get("prerender") == "false":
                assert (md.relative_to(DOCS).as_posix(), cid) not in logged
            else:
                assert (md.relative_to(DOCS).as_posix(), cid) in logged, (md.name, cid)
                total += 1
    assert total == len(site_build.cell_log) > 0


def test_the_authoring_page_shows_an_expected_error(built_site):
    html = (built_site / "authoring" / "index.html").read_text(encoding="utf-8")
    cell = html[html.index('<div class="gd-cell" id="bad-learning-rate"'):]
    cell = cell[: cell.index('<div class="gd-cell" ', 10)]
    assert 'data-expect-error="ValueError"' in cell
    assert '<pre class="gd-out gd-out-error">Traceback (most recent call last):' in cell
    assert "File &quot;&lt;cell bad-learning-rate&gt;&quot;, line 1" in cell
    assert "ValueError: " in cell


def test_assets_are_in_place(built_site):
    gd = built_site / "assets" / "gdcore"
    wheels = list((gd / "wheels").glob("gdcore-*-py3-none-any.whl"))
    assert len(wheels) == 1
    assert (gd / "cellrun.py").read_text() == (ROOT / "overrides/runtime/cellrun.py").read_text()
    for name in ("katex.min.js", "katex.min.css", "contrib/auto-render.min.js",
                 "fonts/KaTeX_Main-Regular.woff2"):
        assert (built_site / "assets" / "katex" / name).is_file(), name
    # build-time sources stay out of the site
    assert not (built_site / "src").exists() and not (built_site / "hooks").exists()


def test_no_cdn_or_external_font_in_pages(built_site):
    for html in built_site.rglob("*.html"):
        text = html.read_text(encoding="utf-8")
        assert "fonts.googleapis.com" not in text, html
        assert re.search(r'<script[^>]+src="(https?:)?//', text) is None, html
        for link in re.findall(r"<link[^>]*>", text):
            if 'rel="canonical"' not in link:
                assert re.search(r'href="(https?:)?//', link) is None, (html, link)


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        for key in ("id", "name") if tag == "a" else ("id",):
            if a.get(key):
                self.ids.add(a[key])
        for key in ("href", "src"):
            if a.get(key):
                self.links.append(a[key])


def test_no_broken_internal_links(built_site):
    parsed: dict[Path, _Links] = {}

    def parse(path: Path) -> _Links:
        if path not in parsed:
            p = _Links()
            p.feed(path.read_text(encoding="utf-8"))
            parsed[path] = p
        return parsed[path]

    broken = []
    pages = sorted(built_site.rglob("*.html"))
    for page in pages:
        for link in parse(page).links:
            url = urlsplit(link)
            if url.scheme or url.netloc or link.startswith(("data:", "javascript:", "mailto:")):
                continue
            path = unquote(url.path)
            if path.startswith(SITE_PATH):  # e.g. 404.html links from the site's root path
                target = built_site / path[len(SITE_PATH):]
            elif path.startswith("/"):
                broken.append(f"{page.relative_to(built_site)}: {link} (outside the site)")
                continue
            else:
                target = (page.parent / path) if path else page
            if target.is_dir():
                target = target / "index.html"
            if not target.exists():
                broken.append(f"{page.relative_to(built_site)}: {link}")
                continue
            frag = unquote(url.fragment)
            if frag and target.suffix == ".html" and frag not in parse(target).ids:
                broken.append(f"{page.relative_to(built_site)}: {link} (no #{frag})")
    assert not broken, "\n".join(broken[:50])
    assert len(pages) > 2


def test_no_typed_inline_script_in_page_content(built_site):
    """Material's instant navigation re-creates every inline <script> of the new page's content
    without its attributes, so data in ``<script type="application/json">`` would run as
    JavaScript (a SyntaxError) after navigation. Page content carries data in attributes."""
    bad = []
    for page in built_site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        start = text.find('data-md-component="container"')
        if start < 0:
            continue
        end = text.find('id="__config"', start)
        for tag in re.findall(r"<script\b[^>]*>", text[start : end if end > 0 else None]):
            if "src=" not in tag and "type=" in tag:
                bad.append(f"{page.relative_to(built_site)}: {tag}")
    assert not bad, "\n".join(bad)
