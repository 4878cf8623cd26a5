"""Every cell of every page runs in the browser (Pyodide 0.27.7, self-hosted, gdcore from the
site's wheel) and prints what the build (CPython) pre-rendered.

One browser page visits all pages with material's instant navigation, so the worker stays
warm and only the namespace is reset between pages (that is also what a reader does). On
each page the test clicks Run on every visible cell in order, so every cell runs once and
renders its own output (run-above would keep earlier cells' pre-rendered outputs, and only
hidden setup cells run that way here).

Comparison: stdout, stderr, the final expression's repr and the error traceback must be
equal after ``gdlive.same_output``: trailing spaces at line ends and surrounding newlines
are ignored, and numbers may differ by round-off only (absolute 1e-9 plus relative 1e-6:
values that should be zero, like ``-8.8e-15`` vs ``-0.0e+00``, and finite-difference error
estimates differ in the last bits between CPython's and Pyodide's numpy). The text between
numbers must be identical. Figures: the same number as pre-rendered, each a loaded PNG with alt
text. Cells with ``prerender="false"`` have nothing to compare; they must run without an
unexpected error (the test runs them one by one after the others).
"""

from __future__ import annotations

import pytest
from gdlive import SNAPSHOT_JS, instant_navigate, run, same_output, wait_live
from playwright.sync_api import TimeoutError as PlaywrightTimeout

pytestmark = pytest.mark.browser

TEXT_KINDS = ("stdout", "stderr", "result", "error")


def _pages_with_cells(site) -> list[str]:
    pages = []
    for html in sorted(site.rglob("index.html")):
        rel = html.parent.relative_to(site).as_posix()
        if rel.startswith("assets") or 'class="gd-cell"' not in html.read_text(encoding="utf-8"):
            continue
        pages.append("" if rel == "." else rel + "/")
    return pages


STUCK_JS = """(id) => { const c = document.getElementById(id), rt = window.__gdcore.runtime;
  return {state: c.dataset.state, runs: c.dataset.runs, notes: c.querySelector('.gd-cell-output')
    ?.innerText.slice(-300), runtime: rt.state, status: rt.last, queued: rt.queued?.size,
    current: rt.current && [rt.current.cellId, performance.now() - rt.current.started]}; }"""


def run_or_say(p, rel: str, cid: str) -> float:
    """Run a cell; a run that does not end says where the page and the runtime stand."""
    try:
        return run(p, cid, timeout_s=300)[1]
    except PlaywrightTimeout:
        pytest.fail(f"{rel or 'index'}#{cid} did not end in 300 s: {p.evaluate(STUCK_JS, cid)}")


def test_every_cell_matches_prerendered_output(built_site, site_server, page):
    pages = _pages_with_cells(built_site)
    assert len(pages) >= 5, pages
    p = page()
    p.goto(site_server + pages[0])
    problems: list[str] = []
    ran = 0
    for i, rel in enumerate(pages):
        if i:
            # wait for the new page's cells: the old ones may linger after the URL changed
            p.evaluate("() => document.querySelectorAll('.gd-cell')"
                       ".forEach((c) => (c.dataset.gdOld = '1'))")
            instant_navigate(p, site_server + rel)
            p.wait_for_function("() => !document.querySelector('.gd-cell[data-gd-old]')")
        wait_live(p)
        before = {c["id"]: c for c in p.evaluate(SNAPSHOT_JS)}
        visible = [cid for cid, c in before.items() if not c["setup"]]
        seconds = 0.0
        for cid in visible:
            if before[cid]["prerender"]:
                seconds += run_or_say(p, rel, cid)
        # Cells the build skips (prerender="false") are skipped by run-above too: run them.
        for cid, c in before.items():
            if not c["prerender"] and not c["setup"]:
                run_or_say(p, rel, cid)
        after = {c["id"]: c for c in p.evaluate(SNAPSHOT_JS)}
        for cid, old in before.items():
            new = after[cid]
            where = f"{rel or 'index'}#{cid}"
            if new["state"] not in ("done",):
                problems.append(f"{where}: state {new['state']}: {new['error'] or new['notes']}")
                continue
            ran += 1
            if not old["prerender"]:
                continue
            for kind in TEXT_KINDS:
                if not same_output(old[kind], new[kind]):
                    problems.append(
                        f"{where}: {kind} differs\n--- build\n{old[kind]}\n--- browser\n{new[kind]}"
                    )
            if new["figures"] != old["figures"]:
                problems.append(f"{where}: {new['figures']} figures, build had {old['figures']}")
            if new["figuresLoaded"] != new["figures"] or not all(new["alts"]):
                problems.append(f"{where}: a figure did not load or has no alt text")
        print(f"{rel or 'index'}: {len(before)} cells in {seconds:.1f} s")
    assert not problems, "\n\n".join(problems)
    assert ran >= 20
    assert not p.gd_errors, p.gd_errors
