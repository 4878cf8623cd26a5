"""The built site in headless Chromium, served under a sub-path (/gdcore/) on 127.0.0.1."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.browser


def page_urls(site: Path, base: str) -> list[str]:
    urls = []
    for html in sorted(site.rglob("index.html")):
        rel = html.parent.relative_to(site).as_posix()
        if rel.startswith("assets"):
            continue
        urls.append(base + ("" if rel == "." else rel + "/"))
    return urls


def test_every_page_reads_without_javascript(built_site, site_server, page):
    p = page(javascript=False)
    urls = page_urls(built_site, site_server)
    assert len(urls) >= 2
    for url in urls:
        response = p.goto(url)
        assert response is not None and response.ok, url
        text = p.locator("article").inner_text()
        assert len(text) > 200, url
        assert p.locator("article h1").count() == 1, url
        cells = p.locator("div.gd-cell:not([hidden])")
        for i in range(cells.count()):
            cell = cells.nth(i)
            assert cell.locator(".gd-cell-code").is_visible(), url
            assert cell.locator(".gd-cell-code").inner_text().strip(), url
        # every pre-rendered output is on screen: text, tracebacks, figures with alt text
        outputs = p.locator("div.gd-cell:not([hidden]) .gd-out")
        for i in range(outputs.count()):
            out = outputs.nth(i)
            assert out.is_visible(), (url, i)
            img = out.locator("img")
            if img.count():
                assert img.get_attribute("alt"), url
                assert img.evaluate("el => el.complete && el.naturalWidth > 0"), url
    # the site has pre-rendered output somewhere (outputs of the authoring examples at least)
    p.goto(site_server + "authoring/")
    assert p.locator(".gd-out-stdout").first.inner_text().startswith("exact angles")
    assert p.locator(".gd-out-error").first.is_visible()
    assert p.locator(".gd-out-figure img").count() >= 1


def test_no_console_errors_with_javascript(built_site, site_server, page):
    p = page(javascript=True)
    failed: list[str] = []
    p.on("requestfailed", lambda r: "ERR_ABORTED" not in (r.failure or "")
         and failed.append(f"{r.url} {r.failure}"))
    p.on("response", lambda r: r.status >= 400 and failed.append(f"{r.url} HTTP {r.status}"))
    for url in page_urls(built_site, site_server):
        p.goto(url, wait_until="load")
        p.wait_for_timeout(300)
        # math is typeset by the self-hosted KaTeX
        if p.locator(".arithmatex").count():
            p.wait_for_selector(".arithmatex .katex", timeout=5000)
    assert p.gd_errors == []
    assert [f for f in failed if "/gdcore/" in f] == []


def test_prerendered_outputs_stay_until_the_reader_runs_a_cell(built_site, site_server, page):
    """With JavaScript on, the live editor takes over the code, but the build's outputs stay
    on screen (the page reads at once, before Python has loaded)."""
    p = page(javascript=True)
    html = (built_site / "authoring" / "index.html").read_text(encoding="utf-8")
    expected = html.count('<pre class="gd-out ') + html.count('<figure class="gd-out ')
    assert expected >= 4
    p.goto(site_server + "authoring/")
    p.wait_for_timeout(500)
    shown = p.locator("div.gd-cell:not([hidden]) .gd-out")
    assert shown.count() == expected
    for i in range(shown.count()):
        assert shown.nth(i).is_visible()
    assert p.locator("#hello .gd-out-stdout").inner_text().startswith("exact angles")


# Elements of the page content that stick out to the right of the viewport, unless a
# scrolling (or clipping) box that itself fits holds them: wide formulas, tables and
# outputs scroll inside their own box, the page never scrolls sideways.
OVERFLOW_JS = """
() => {
  const W = document.documentElement.clientWidth;
  const bad = [];
  for (const el of document.querySelectorAll('.md-content *')) {
    const r = el.getBoundingClientRect();
    // its box, or the text that spills out of it (a box that does not clip)
    const visible = getComputedStyle(el).overflowX === 'visible';
    const right = visible ? Math.max(r.right, r.left + el.scrollWidth) : r.right;
    if (r.width === 0 || right <= W + 1) continue;
    let held = false;
    for (let a = el.parentElement; a && !a.classList.contains('md-content'); a = a.parentElement) {
      if (getComputedStyle(a).overflowX !== 'visible' && a.getBoundingClientRect().right <= W + 1) {
        held = true;
        break;
      }
    }
    if (!held) bad.push(`${el.tagName.toLowerCase()}.${el.className} right=${Math.round(right)}`);
  }
  return {width: W, scroll: document.documentElement.scrollWidth, bad: bad.slice(0, 8)};
}
"""


def test_every_page_fits_a_390px_phone(built_site, site_server, page):
    p = page(viewport={"width": 390, "height": 844})
    problems = []
    for url in page_urls(built_site, site_server):
        p.goto(url, wait_until="load")
        if p.locator(".arithmatex").count():
            p.wait_for_selector(".arithmatex .katex", timeout=5000)
        p.wait_for_timeout(200)
        found = p.evaluate(OVERFLOW_JS)
        assert found["width"] <= 390
        if found["bad"] or found["scroll"] > found["width"]:
            problems.append(f"{url}: {found}")
        # figures (pre-rendered outputs and the explorer's) are at most the column's width
        column = p.locator("article").evaluate("e => e.getBoundingClientRect().width")
        widths = p.locator("article img").evaluate_all(
            "imgs => imgs.map((i) => i.getBoundingClientRect().width)"
        )
        problems += [f"{url}: image {w:.0f} px > column {column:.0f} px"
                     for w in widths if w > column + 1]
    assert not problems, "\n".join(problems)
