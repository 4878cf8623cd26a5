"""Helpers for the browser tests of the live cells (not collected by pytest).

They drive the front end through its public surface only: buttons by accessible name,
the output region's ``.gd-out-*`` elements, and the cell's ``data-state`` attribute
(``queued | running | done | error | stopped | failed``) that the runtime sets.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sitekit import free_port, make_project_config, run_mkdocs_build, serve_site

FIXTURES = Path(__file__).resolve().parent / "fixtures"
FINAL_STATES = ("done", "error", "stopped", "failed")

# One row per cell: its options, state and the text of each kind of output (as the build
# writes it: .gd-out-stdout/-stderr/-result/-error, and figures as <img> with alt text).
SNAPSHOT_JS = """
() => [...document.querySelectorAll('.gd-cell')].map((c) => {
  const region = c.querySelector('.gd-cell-output');
  const text = (k) => region ? [...region.querySelectorAll('.gd-out-' + k)]
      .map((e) => e.textContent).join('') : '';
  const imgs = region ? [...region.querySelectorAll('.gd-out-figure img')] : [];
  return {
    id: c.id, setup: c.dataset.setup === 'true', prerender: c.dataset.prerender !== 'false',
    expect: c.dataset.expectError || null, state: c.dataset.state || null,
    stdout: text('stdout'), stderr: text('stderr'), result: text('result'),
    error: text('error'), figures: imgs.length,
    figuresLoaded: imgs.filter((i) => i.complete && i.naturalWidth > 0).length,
    alts: imgs.map((i) => i.alt),
    notes: region ? [...region.querySelectorAll('.gd-note')].map((e) => e.textContent) : [],
  };
})
"""


def cell(page, cell_id: str):
    return page.locator(f"#{cell_id}")


def state(page, cell_id: str) -> str | None:
    return page.eval_on_selector(f"#{cell_id}", "c => c.dataset.state || null")


def wait_final(page, cell_id: str, timeout_s: float = 120) -> str:
    """Wait until the cell's run is over; return its final data-state."""
    page.wait_for_function(
        "([id, states]) => states.includes(document.getElementById(id)?.dataset.state)",
        arg=[cell_id, list(FINAL_STATES)],
        timeout=timeout_s * 1000,
    )
    return state(page, cell_id)


def runs(page, cell_id: str) -> int:
    """How many runs of this cell have finished (the runtime's data-runs counter)."""
    return int(page.eval_on_selector(f"#{cell_id}", "c => c.dataset.runs || '0'"))


def wait_runs(page, cell_id: str, count: int, timeout_s: float = 120) -> str:
    """Wait until at least ``count`` runs of the cell finished; return its data-state."""
    page.wait_for_function(
        "([id, n]) => Number(document.getElementById(id)?.dataset.runs || 0) >= n",
        arg=[cell_id, count],
        timeout=timeout_s * 1000,
    )
    return state(page, cell_id)


def run(page, cell_id: str, timeout_s: float = 120) -> tuple[str, float]:
    """Click Run and wait for the end; returns (final state, seconds)."""
    before = runs(page, cell_id)
    t0 = time.perf_counter()
    cell(page, cell_id).get_by_role("button", name="Run", exact=True).click()
    final = wait_runs(page, cell_id, before + 1, timeout_s)
    return final, time.perf_counter() - t0


def stop_and_time(page, cell_id: str, timeout_s: float = 5) -> float:
    """Press the cell's Stop and return the seconds, timed in the page, from the click
    event to the end of the run (the cell's ``data-runs`` counter moves).

    What a reader waits for; the driver's own latency (actionability checks before the
    click, polling for the end), which a loaded machine stretches by tenths of a second,
    is not part of it.
    """
    page.evaluate(
        """(id) => { const c = document.getElementById(id); const runs = c.dataset.runs;
          window.__stopTimes = { click: null, end: null };
          c.addEventListener('click', (e) => {
            if (e.target.closest('button')?.textContent.trim() === 'Stop'
                && window.__stopTimes.click === null) window.__stopTimes.click = performance.now();
          }, { capture: true });
          new MutationObserver((_, obs) => {
            if (c.dataset.runs === runs) return;
            window.__stopTimes.end = performance.now();
            obs.disconnect();
          }).observe(c, { attributes: true, attributeFilter: ['data-runs'] }); }""",
        cell_id,
    )
    before = runs(page, cell_id)
    cell(page, cell_id).get_by_role("button", name="Stop", exact=True).click()
    wait_runs(page, cell_id, before + 1, timeout_s)
    times = page.evaluate("window.__stopTimes")
    assert times["click"] is not None and times["end"] is not None, times
    return (times["end"] - times["click"]) / 1000


def output_text(page, cell_id: str) -> str:
    return page.eval_on_selector(f"#{cell_id} .gd-cell-output", "e => e.textContent")


def wait_live(page, timeout_s: float = 30) -> None:
    """Wait until the front end mounted every visible cell of the current page."""
    page.wait_for_function(
        "() => [...document.querySelectorAll('.gd-cell:not([hidden])')]"
        ".every((c) => c.classList.contains('gd-cell-live'))"
        " && document.querySelectorAll('.gd-cell').length > 0",
        timeout=timeout_s * 1000,
    )


def instant_navigate(page, url: str, timeout_s: float = 30) -> None:
    """Follow a same-site link the way a reader does: material's instant navigation
    intercepts the click (no full page load, the worker stays alive).

    Fails if the browser loaded the page in full instead (a marker on ``window`` is gone):
    then the site was not built with ``site_url`` on the server's port (sitekit.free_port).
    """
    page.evaluate(
        """url => { window.__gdSamePage = true;
                   const old = document.querySelector('.md-content'); if (old) old.__gdOld = true;
                   const a = document.createElement('a');
                   a.href = url; document.querySelector('.md-content, body').appendChild(a);
                   a.click(); }""",
        url,
    )
    # Compare paths only: material's navigation.tracking writes the heading in view into the
    # URL's hash as soon as the page scrolls. The URL changes before material swaps the
    # content: wait for a content element that is not the old page's (marked above).
    page.wait_for_function(
        "url => location.pathname === new URL(url).pathname"
        " && document.querySelector('.md-content')"
        " && !document.querySelector('.md-content').__gdOld",
        arg=url,
        timeout=timeout_s * 1000,
    )
    assert page.evaluate("() => window.__gdSamePage === true"), f"full page load of {url}"


def editor_set(page, cell_id: str, code: str) -> None:
    """Replace the editor's text by typing-like input (select all, insert)."""
    content = cell(page, cell_id).locator(".cm-content")
    content.click()
    page.keyboard.press("Control+a")
    page.keyboard.press("Delete")
    page.keyboard.insert_text(code)


def normalise(text: str) -> str:
    """Drop trailing whitespace at line ends and the newlines around the text."""
    return "\n".join(line.rstrip() for line in text.strip("\n").splitlines())


_NUMBER = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?")


def same_output(build: str, browser: str, *, abs_tol: float = 1e-9, rel_tol: float = 1e-6) -> bool:
    """True if two outputs are equal modulo float round-off.

    The text between numbers must be identical (after :func:`normalise`); numbers that
    differ must agree within ``abs_tol + rel_tol * |value|``. This only forgives round-off
    noise: numpy's BLAS and libm differ between CPython and Pyodide in the last bits, which
    shows in values that should be zero (``-8.8e-15`` vs ``-0.0e+00``) or in finite-
    difference error estimates (``2.38e-10`` vs ``2.43e-10``). Anything a reader would read
    as a different number still fails.
    """
    a, b = normalise(build), normalise(browser)
    if a == b:
        return True
    if _NUMBER.split(a) != _NUMBER.split(b):
        return False
    for x, y in zip(_NUMBER.findall(a), _NUMBER.findall(b), strict=True):
        if x != y and abs(float(x) - float(y)) > abs_tol + rel_tol * abs(float(x)):
            return False
    return True


@contextmanager
def served_fixture_page(tmp_path_factory, name: str, markdown: str) -> Iterator[str]:
    """Build a two-page fixture site (an index linking to ``<name>.md`` with ``markdown``;
    self-hosted Pyodide, its own cell cache) and serve it; yields the URL of that page."""
    project = tmp_path_factory.mktemp(f"{name}-site")
    (project / "docs").mkdir()
    (project / "docs" / "index.md").write_text(
        f"# Fixture\n\n[{name.capitalize()}]({name}.md)\n", encoding="utf-8")
    (project / "docs" / f"{name}.md").write_text(markdown, encoding="utf-8")
    port = free_port()
    config = make_project_config(project, nav=["index.md", f"{name}.md"],
                                 site_url=f"http://127.0.0.1:{port}/gdcore/")
    result = run_mkdocs_build(
        config, project / "site",
        {"GDCORE_PYODIDE_SOURCE": "self", "GDCORE_CELL_CACHE": str(project / "cell-cache")},
    )
    assert result.returncode == 0, result.output[-4000:]
    with serve_site(project / "site", tmp_path_factory.mktemp("www"), port) as url:
        yield url + f"{name}/"


def connection_script(**fields) -> str:
    """An init script that makes ``navigator.connection`` report ``fields`` (saveData,
    type, effectiveType): the runtime's savesData() reads it."""
    return ("Object.defineProperty(Navigator.prototype, 'connection', { configurable: true, "
            f"get: () => Object.assign(new EventTarget(), {json.dumps(fields)}) }});")
