"""Math typeset at build time by KaTeX (overrides/sitebuild/katex.py, overrides/hooks/katex.py):
the built HTML holds KaTeX's markup and MathML, a bad formula fails the build naming it, and a
page's math reads in a browser without JavaScript."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from overrides.sitebuild.katex import MathError, MathRenderer, split_delimiters

# an arithmatex element and its whole content (KaTeX's markup nests spans: up to the next one)
ARITHMATEX = re.compile(
    r'<(span|div) class="arithmatex">(.*?)(?=<(?:span|div) class="arithmatex">|$)', re.S)
PAGE = ('<p>Inline <span class="arithmatex">\\(x^2 &lt; \\theta\\)</span> and</p>\n'
        '<div class="arithmatex">\\[\\frac{\\partial L}{\\partial \\theta}\\]</div>')


def site_pages(site: Path) -> list[Path]:
    return [p for p in sorted(site.rglob("index.html")) if "assets" not in p.parts]


def test_split_delimiters_unescapes_and_tells_inline_from_display():
    assert split_delimiters("\\(a &lt; b\\)") == ("a < b", False)
    assert split_delimiters("\\[ x \\]") == ("x", True)
    assert split_delimiters("\\begin{align}x\\end{align}") == ("\\begin{align}x\\end{align}", True)


def test_page_rendered_with_mathml_by_one_node_process_then_from_cache(tmp_path):
    r = MathRenderer(tmp_path)
    out = r.render_page(PAGE, "page.md")
    assert "\\(" not in out and "\\[" not in out
    assert out.count('class="katex"') == 2 and out.count("<math") == 2
    assert 'class="katex-display"' in out  # the \[ \] one is display math
    assert "<annotation encoding=\"application/x-tex\">x^2 &lt; \\theta</annotation>" in out
    pid = r._proc.pid
    r.render_page(PAGE.replace("x^2", "y^3"), "other.md")
    assert r._proc.pid == pid and r.rendered == 3  # one process; the repeated formula cached
    r.close()
    r.save()
    again = MathRenderer(tmp_path)  # a later build: everything from the disk cache, no node
    assert again.render_page(PAGE, "page.md") == out
    assert again._proc is None and again.rendered == 0 and again.cached == 2


def test_bad_formula_names_page_and_formula(tmp_path):
    r = MathRenderer(tmp_path)
    with pytest.raises(MathError, match=r"(?s)bad\.md.*\\\\frac\{1\}\{.*\\\\nosuchmacro"):
        r.render_page('<span class="arithmatex">\\(\\frac{1}{\\)</span> '
                      '<span class="arithmatex">\\(\\nosuchmacro x\\)</span> '
                      '<span class="arithmatex">\\(ok\\)</span>', "bad.md")
    r.close()


def test_fixture_build_fails_on_a_formula_katex_cannot_parse(mkdocs_project, tmp_path):
    build = mkdocs_project({
        "index.md": "# Home\n\nFine: $x^2$.\n",
        "broken.md": "# Broken\n\nA typo: $\\nabla L(\\theta$ and $\\notamacro{\\theta}$.\n",
    })
    result = build(GDCORE_MATH_CACHE=str(tmp_path / "math-cache"))
    assert result.returncode != 0
    out = result.output
    assert "broken.md" in out and "\\\\notamacro{\\\\theta}" in out, out[-3000:]
    assert "Undefined control sequence" in out, out[-3000:]


def test_built_pages_hold_katex_markup_not_tex(built_site):
    total = 0
    for page in site_pages(built_site):
        text = page.read_text(encoding="utf-8")
        # no element left with arithmatex's raw \( \) or \[ \] for the browser to typeset
        assert not re.search(r'class="arithmatex">\s*\\[(\[]', text), page
        for tag, body in ARITHMATEX.findall(text):
            total += 1
            assert body.startswith('<span class="katex'), (page, body[:120])
            assert "<math" in body, (page, body[:120])
            if tag == "div":
                assert body.startswith('<span class="katex-display">'), (page, body[:120])
    assert total > 300  # the course is full of math: the regex did find the elements


@pytest.mark.browser
def test_math_reads_without_javascript(built_site, site_server, page, tmp_path):
    p = page(javascript=False, viewport={"width": 1000, "height": 900})
    p.goto(site_server + "momentum/")
    math = p.locator("article .arithmatex .katex-html")
    assert math.count() > 20
    first = math.first
    assert first.is_visible()
    # katex.min.css styles it: KaTeX's fonts, and the MathML (for screen readers) is clipped
    # to nothing on screen instead of printed a second time
    assert "KaTeX_Main" in first.evaluate("e => getComputedStyle(e).fontFamily")
    box = p.locator("article .arithmatex .katex-mathml").first.bounding_box()
    assert box is not None and box["width"] <= 1 and box["height"] <= 1
    display = p.locator("article div.arithmatex .katex-display").first
    display.scroll_into_view_if_needed()
    assert display.bounding_box()["height"] > 20
    # a fraction is typeset (stacked), not printed as TeX
    assert p.locator("article .arithmatex .mfrac").count() > 0
    assert "\\frac" not in p.locator("article").inner_text()
    p.locator("article div.arithmatex").first.screenshot(path=str(tmp_path / "math-light.png"))
    p.locator("article p:has(span.arithmatex)").first.screenshot(
        path=str(tmp_path / "math-inline.png"))


SINGLE = """() => [...document.querySelectorAll('article .arithmatex')].map(
    el => el.querySelectorAll('.katex').length)"""


@pytest.mark.browser
def test_client_fallback_only_types_what_the_build_did_not(site_server, page, tmp_path):
    """With JavaScript (dark scheme): the build's math is left as it is (one .katex per
    formula, the text colour of the dark page), and a formula that arrives untypeset after an
    instant navigation is typeset by the fallback in main.html."""
    p = page(javascript=True, color_scheme="dark", service_workers="block",
             viewport={"width": 1000, "height": 900})
    raw = "\\(\\sqrt{\\mathrm{fallback}}\\)"

    def untypeset_one(route):  # the next page arrives with one formula left to the browser
        body = route.fetch().text()
        article = '<article class="md-content__inner md-typeset">'
        assert article in body
        body = body.replace(
            article, f'{article}<p><span class="arithmatex" id="gd-fallback">{raw}</span></p>', 1)
        route.fulfill(body=body, content_type="text/html")

    p.goto(site_server + "momentum/", wait_until="load")
    assert p.locator("body[data-md-color-scheme=slate]").count() == 1
    p.wait_for_timeout(300)  # document$ has emitted: the fallback had its chance
    counts = p.evaluate(SINGLE)
    assert len(counts) > 20 and set(counts) == {1}
    colors = p.locator("article").evaluate(
        "a => [getComputedStyle(a).color, getComputedStyle(a.querySelector('.katex')).color]")
    assert colors[0] == colors[1]
    p.locator("article div.arithmatex").first.screenshot(path=str(tmp_path / "math-dark.png"))

    p.route("**/adaptive/", untypeset_one)
    # follow a link the way a reader does: material's instant navigation (no page load)
    p.evaluate("""url => { window.__gdSamePage = true; const a = document.createElement('a');
                   a.href = url; document.querySelector('.md-content').appendChild(a);
                   a.click(); }""", site_server + "adaptive/")
    p.wait_for_function("() => location.pathname.endsWith('/adaptive/')", timeout=30000)
    assert p.evaluate("() => window.__gdSamePage === true"), "full page load: not instant"
    p.wait_for_function("() => document.querySelector('#gd-fallback .katex')", timeout=30000)
    assert p.locator("#gd-fallback .katex").is_visible()
    assert "\\sqrt" not in p.locator("#gd-fallback").inner_text()
    assert set(p.evaluate(SINGLE)) == {1}
    assert not p.gd_errors, p.gd_errors
