"""Accessibility and readability of every page, measured in Chromium.

- axe-core (npm, pinned in package.json) on every page, light and dark palette: no
  violation of impact "serious" or "critical" (every rule in light; in dark, which changes
  only colours, the colour rules).
- Readable cells: no editor hides code behind a sideways or an inner vertical scroll (lines
  wrap, the editor grows with its code); at 1280 and 390 px.
- Ids: after the front end has mounted every cell and explorer, no id repeats on a page.
"""

from __future__ import annotations

import pytest
from gdlive import connection_script
from sitekit import ROOT

pytestmark = pytest.mark.browser

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
BAD = ("serious", "critical")
# The dark palette changes colours only: the light sweep runs every rule, the dark one the
# rules that read colours (contrast of text, and links told from text by colour alone).
COLOUR_RULES = ("color-contrast", "link-in-text-block")
# These checks read the page, not Python's answers: the reader "saves data", so Python loads
# only on a Run (runtime.savesData) and its boot does not compete with axe for the CPU
# (a long page's axe run: 11 s with it, 7 s without, here).
NO_PYTHON = connection_script(saveData=True)


def reading_page(page, **options):
    p = page(**options)
    p.add_init_script(NO_PYTHON)
    return p


def page_paths(site) -> list[str]:
    paths = []
    for html in sorted(site.rglob("index.html")):
        rel = html.parent.relative_to(site).as_posix()
        if not rel.startswith("assets"):
            paths.append("" if rel == "." else rel + "/")
    return paths


def mounted(p) -> None:
    p.wait_for_function(
        "() => [...document.querySelectorAll('.gd-cell:not([data-setup=\"true\"])')]"
        ".every(c => c.querySelector('.cm-editor'))")
    p.wait_for_timeout(300)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_serious_violation_on_any_page(page, site_server, built_site, scheme):
    assert AXE.exists(), "npm ci installs axe-core"
    p = reading_page(page, color_scheme=scheme, viewport={"width": 1280, "height": 900})
    options = {"resultTypes": ["violations"]}
    if scheme == "dark":
        options["runOnly"] = list(COLOUR_RULES)
    report = {}
    for path in page_paths(built_site):
        p.goto(site_server + path, timeout=90_000)
        mounted(p)
        assert p.evaluate("() => window.__gdcore?.runtime?.state") in (None, "idle")
        p.add_script_tag(path=str(AXE))
        violations = p.evaluate(
            "async (options) => (await axe.run(document, options)).violations"
            ".map(v => ({id: v.id, impact: v.impact,"
            " nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))", options)
        bad = [v for v in violations if v["impact"] in BAD]
        if bad:
            report[path or "home"] = bad
    assert not report, f"axe ({scheme}): {report}"


@pytest.mark.parametrize("width", [1280, 390])
def test_cells_show_all_their_code(page, site_server, built_site, width):
    p = reading_page(page, viewport={"width": width, "height": 900})
    problems = []
    for path in page_paths(built_site):
        p.goto(site_server + path, timeout=90_000)
        if not p.locator(".gd-cell").count():
            continue
        mounted(p)
        problems += p.eval_on_selector_all(
            ".gd-cell .cm-scroller",
            """(els, path) => els.flatMap(s => {
                 const cell = s.closest('.gd-cell');
                 const lines = (cell.dataset.code || '').split('\\n').length;
                 const out = [];
                 if (s.scrollWidth > s.clientWidth + 1)
                   out.push(`${path}#${cell.id}: sideways scroll`);
                 if (s.scrollHeight > s.clientHeight + 1)
                   out.push(`${path}#${cell.id}: ${lines} lines but an inner scroll`);
                 return out;
               })""", path)
    assert not problems, problems[:10]


def test_no_id_repeats_once_the_page_is_live(page, site_server, built_site):
    p = reading_page(page, viewport={"width": 1280, "height": 900})
    clashes = {}
    for path in page_paths(built_site):
        p.goto(site_server + path, timeout=90_000)
        if p.locator(".gd-cell").count():
            mounted(p)
        if p.locator(".gd-explorer").count():
            p.wait_for_selector(".gd-explorer canvas")
        dup = p.evaluate(
            "() => { const seen = {}; for (const e of document.querySelectorAll('[id]'))"
            " seen[e.id] = (seen[e.id] || 0) + 1;"
            " return Object.keys(seen).filter(k => seen[k] > 1); }")
        if dup:
            clashes[path or "home"] = dup
    assert not clashes, clashes
