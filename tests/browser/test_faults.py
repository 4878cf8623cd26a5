"""Never stuck, and careful with the reader's data (issue 14, items 8 and 5).

Each test injects its fault itself: a damaged or silent download (Playwright's routes), a
cell that fakes the protocol or breaks the interpreter, a flood of output, a connection that
saves data (``navigator.connection`` replaced before the page loads). The fixture site is
the one of test_runtime.py (tests/browser/fixtures/docs), built once per module. Service
workers are blocked: Playwright's routes do not see requests a service worker answers.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from gdlive import (
    FIXTURES,
    cell,
    connection_script,
    editor_set,
    instant_navigate,
    output_text,
    run,
    runs,
    state,
    wait_live,
    wait_runs,
)
from sitekit import free_port, make_project_config, run_mkdocs_build, serve_site

pytestmark = pytest.mark.browser

STALL_S = 30  # worker.js: a download with no data for this long is abandoned
SILENCE_S = 45  # runtime.js LOAD_SILENCE_MS: a loading worker that says nothing has failed
FAILURE = re.compile(r"^Python could not be loaded \((.+)\)\. Check your connection and press "
                     r"Run to try again; the outputs on this page were computed when the site "
                     r"was built\.$")


@pytest.fixture(scope="module")
def fixture_site(tmp_path_factory):
    project = tmp_path_factory.mktemp("faults-site")
    (project / "docs").mkdir()
    for md in (FIXTURES / "docs").glob("*.md"):
        (project / "docs" / md.name).write_text(md.read_text(encoding="utf-8"), encoding="utf-8")
    port = free_port()  # instant navigation needs site_url on the test server's port
    config = make_project_config(project, nav=["index.md", "cells.md", "other.md"],
                                 site_url=f"http://127.0.0.1:{port}/gdcore/")
    result = run_mkdocs_build(config, project / "site", {
        "GDCORE_PYODIDE_SOURCE": "self", "GDCORE_CELL_CACHE": str(project / "cell-cache")})
    assert result.returncode == 0, result.output[-4000:]
    return project / "site", port


@pytest.fixture(scope="module")
def site_url(fixture_site, tmp_path_factory):
    site, port = fixture_site
    with serve_site(site, tmp_path_factory.mktemp("www"), port) as url:
        yield url


@pytest.fixture
def live(page, site_url):
    """open(path, init_script=None, routes=()) -> a page with the front end mounted."""

    def open_page(path="cells/", init_script=None, routes=(), **options):
        p = page(service_workers="block", **options)
        if init_script:
            p.add_init_script(init_script)
        for pattern, handler in routes:
            p.context.route(pattern, handler)
        p.goto(site_url + path)
        wait_live(p)
        return p

    return open_page


def pill_text(p) -> str:
    return p.locator(".gd-status .gd-status-text").inner_text()


def failure_note(p, cell_id: str) -> str:
    return cell(p, cell_id).locator(".gd-note-error").first.inner_text()


# --- 8a: every load has a deadline and a readable failure; Run retries ---------------------

def truncated(route):
    body = route.fetch().body()
    route.fulfill(status=200, body=body[: len(body) // 2],
                  headers={"content-type": "application/wasm"})


def corrupted(route):
    body = bytearray(route.fetch().body())
    for i in range(0, 65536):  # the sections after the header: types, imports, functions
        body[8 + i] ^= 0x5A
    route.fulfill(status=200, body=bytes(body), headers={"content-type": "application/wasm"})


def wrong_type(route):
    route.fulfill(status=200, body=route.fetch().body(), headers={"content-type": "text/plain"})


def truncated_script(route):
    body = route.fetch().body()
    route.fulfill(status=200, body=body[: len(body) // 3],
                  headers={"content-type": "text/javascript"})


def silent(route):
    pass  # never answered


def damaged_wheel(route):
    body = bytearray(route.fetch().body())
    body[len(body) // 2] ^= 0xFF
    route.fulfill(status=200, body=bytes(body), headers={"content-type": "application/zip"})


DAMAGED_WASM = "(pyodide.asm.wasm arrived damaged or incomplete)"
CORE_FAULTS = {
    "truncated-wasm": ("**/pyodide.asm.wasm", truncated, DAMAGED_WASM),
    "corrupt-wasm": ("**/pyodide.asm.wasm", corrupted, DAMAGED_WASM),
    "truncated-asm-js": ("**/pyodide.asm.js", truncated_script, ""),
}


@pytest.mark.parametrize("fault", CORE_FAULTS)
def test_a_damaged_pyodide_fails_readably_and_run_retries_with_a_fresh_worker(live, fault):
    pattern, handler, reason = CORE_FAULTS[fault]
    p = live(routes=[(pattern, handler)])
    t0 = time.perf_counter()
    final, _ = run(p, "hello", timeout_s=STALL_S + 30)
    seconds = time.perf_counter() - t0
    print(f"{fault}: readable failure after {seconds:.1f} s")
    assert final == "failed"
    note = failure_note(p, "hello")
    assert FAILURE.match(note), note
    assert reason in note
    assert pill_text(p) == note  # the page status says the same
    assert seconds < STALL_S  # detected at once, not by a deadline (1-7 s here, loaded)
    assert "hello from Python" in output_text(p, "hello")  # the build's output stays
    first = p.evaluate("window.__gdcore.runtime.worker")
    assert first is None  # the broken worker is gone
    p.context.unroute(pattern)
    final, _ = run(p, "hello")
    assert final == "done"
    assert p.locator("#hello .gd-out-stdout").inner_text().strip() == "hello from Python"


def test_a_wasm_served_with_the_wrong_mime_type_still_loads(live):
    # A misconfigured host (application/octet-stream, text/plain): WebAssembly's streaming
    # compile refuses it and Pyodide 0.27 would wait forever; the worker corrects the type.
    p = live(routes=[("**/pyodide.asm.wasm", wrong_type)])
    final, _ = run(p, "hello")
    assert final == "done"
    assert p.locator("#hello .gd-out-stdout").inner_text().strip() == "hello from Python"


def test_a_pyodide_file_that_never_arrives_fails_after_the_deadline(live):
    # importScripts(pyodide.asm.js) blocks the worker: only the page's watchdog can tell.
    p = live(routes=[("**/pyodide.asm.js", silent)])
    t0 = time.perf_counter()
    final, _ = run(p, "hello", timeout_s=SILENCE_S + 30)
    seconds = time.perf_counter() - t0
    print(f"pyodide.asm.js never answers: readable failure after {seconds:.1f} s")
    assert final == "failed"
    note = failure_note(p, "hello")
    assert FAILURE.match(note) and f"no answer from the Python worker for {SILENCE_S} s" in note
    assert SILENCE_S - 1 < seconds < SILENCE_S + 15
    assert pill_text(p) == note
    p.context.unroute("**/pyodide.asm.js")
    final, _ = run(p, "hello")
    assert final == "done"


def test_a_font_cache_that_cannot_be_downloaded_costs_only_time(live):
    # matplotlib-fontlist.json is a speed-up: without it matplotlib builds its font list
    p = live(routes=[("**/matplotlib-fontlist.json", lambda route: route.abort())])
    editor_set(p, "edit-me", "import matplotlib.pyplot as plt\nplt.plot([1, 2])\nprint('drawn')")
    final, _ = run(p, "edit-me", timeout_s=180)
    assert final == "done"
    assert p.locator("#edit-me .gd-out-stdout").inner_text().strip() == "drawn"
    assert p.locator("#edit-me figure.gd-out-figure img").count() == 1


NUMPY_CELL = "import numpy\nprint(numpy.arange(3).sum())"


@pytest.mark.parametrize("fault", ["never-answers", "damaged"])
def test_a_package_that_cannot_be_downloaded_fails_readably_and_run_retries(live, fault):
    handler = silent if fault == "never-answers" else damaged_wheel
    p = live(routes=[("**/numpy-*.whl", handler)])
    run(p, "hello")  # Python is up
    editor_set(p, "edit-me", NUMPY_CELL)
    t0 = time.perf_counter()
    final, _ = run(p, "edit-me", timeout_s=STALL_S + 30)
    seconds = time.perf_counter() - t0
    print(f"numpy wheel {fault}: readable failure after {seconds:.1f} s")
    assert final == "failed"
    note = failure_note(p, "edit-me")
    assert FAILURE.match(note), note
    assert "cannot download numpy-" in note
    if fault == "never-answers":
        assert f"no data arrived for {STALL_S} s" in note
        assert STALL_S - 1 < seconds < STALL_S + 15
    else:
        assert "it failed or arrived damaged" in note
        assert seconds < STALL_S  # detected at once (sha256 of the lock file)
    assert pill_text(p) == note
    p.context.unroute("**/numpy-*.whl")
    final, _ = run(p, "edit-me")
    assert final == "done"
    assert p.locator("#edit-me .gd-out-stdout").inner_text().strip() == "3"


# --- 8c: Python cannot fake the protocol ---------------------------------------------------

FAKE_CELL = """\
import gc, json, time, js
import pyworker
run_id, call_id = {run_id}, "call-{call_id}"
fake = {{"type": "done", "id": run_id, "stdout_chars": 0, "stderr_chars": 0,
        "cell": {{"stdout": "", "stderr": "", "result": "'faked'", "error": None,
                 "error_type": None, "figures": [], "figure_error": None}}}}
status = {{"type": "status", "phase": "ready", "text": "FAKE STATUS", "progress": 1}}
value = {{"type": "value", "id": call_id, "value": "faked", "ms": 1}}
for msg in (fake, status, value):
    js.postMessage(js.JSON.parse(json.dumps(msg)))
    js.Object.getPrototypeOf(js).postMessage(js.JSON.parse(json.dumps(msg)))
    for w in [o for o in gc.get_objects() if isinstance(o, pyworker.Worker)]:
        w._post_text(json.dumps(msg))
time.sleep(1.5)
print("genuine")
"""


def test_python_cannot_end_a_run_change_the_status_or_answer_a_call(live):
    p = live()
    editor_set(p, "edit-me", "print('warm')")
    assert run(p, "edit-me")[0] == "done"  # the cells above have run: the next run is one run
    seq = p.evaluate("window.__gdcore.runtime.seq")
    editor_set(p, "edit-me", FAKE_CELL.format(run_id=seq + 1, call_id=seq + 2))
    before = runs(p, "edit-me")
    cell(p, "edit-me").get_by_role("button", name="Run", exact=True).click()
    p.wait_for_function("() => document.getElementById('edit-me').dataset.state === 'running'")
    # a call queued behind the run, answered by Python only after the run
    p.evaluate("""() => { window.__call = 'pending';
        window.__gdcore.runtime.call('gdcore.no_such_function', {}).then(
          (v) => { window.__call = 'resolved: ' + JSON.stringify(v.value); },
          (e) => { window.__call = 'rejected: ' + e.message; }); }""")
    time.sleep(0.8)  # the fakes were posted; the cell sleeps
    assert state(p, "edit-me") == "running"  # the fake done did not end the run
    assert "FAKE STATUS" not in p.locator(".gd-status").inner_text()
    assert wait_runs(p, "edit-me", before + 1, timeout_s=60) == "done"
    assert p.locator("#edit-me .gd-out-stdout").inner_text().strip() == "genuine"
    assert p.locator("#edit-me .gd-out-result").count() == 0  # not the fake's 'faked'
    p.wait_for_function("() => window.__call !== 'pending'")
    answer = p.evaluate("window.__call")
    assert answer.startswith("rejected: AttributeError") and "faked" not in answer, answer
    assert "FAKE STATUS" not in p.locator(".gd-status").inner_text()
    assert p.evaluate("window.__gdcore.runtime.state") == "ready"


# --- 8b: a damaged interpreter is replaced on the next page; Restart Python ----------------

ATTACKS = {
    "builtins.print": ("import builtins\nbuiltins.print = lambda *a, **k: None",
                       "print('ok')", "ok"),
    "time.sleep": ("import time\ntime.sleep = lambda s: None",
                   "import time\nt = time.perf_counter()\ntime.sleep(0.2)\n"
                   "print(time.perf_counter() - t >= 0.2)", "True"),
    "gdcore.minimize": ("import gdcore\ngdcore.minimize = lambda *a, **k: 'patched'",
                        "import gdcore\nprint(gdcore.minimize.__module__)", "gdcore.loop"),
}


@pytest.mark.parametrize("attack", ATTACKS)
def test_a_cell_that_breaks_the_interpreter_does_not_break_the_next_page(live, site_url, attack):
    code, probe, expected = ATTACKS[attack]
    p = live()
    run(p, "hello")
    editor_set(p, "edit-me", code)
    assert run(p, "edit-me")[0] == "done"
    p.wait_for_function("() => document.querySelector('.gd-status')?.dataset.state === 'damaged'")
    text = pill_text(p)
    assert f"A cell replaced {attack}" in text and "Python restarts on the next page" in text
    assert p.get_by_role("button", name="Restart Python").is_visible()
    p.evaluate("window.__gdcore.runtime.worker.__gdMark = 'damaged'")
    instant_navigate(p, site_url + "other/")
    p.wait_for_selector("#other-cell.gd-cell-live")  # the new page's cell, mounted
    final, _ = run(p, "other-cell")
    assert final == "done"
    assert p.locator("#other-cell .gd-out-stdout").inner_text().strip() == "False"
    assert p.evaluate("window.__gdcore.runtime.worker.__gdMark") is None  # a new worker
    editor_set(p, "other-cell", probe)
    final, _ = run(p, "other-cell")
    assert final == "done"
    assert p.locator("#other-cell .gd-out-stdout").inner_text().strip() == expected
    assert p.locator(".gd-status").get_attribute("data-state") == "ready"


def test_a_healthy_cell_keeps_the_interpreter_across_pages(live, site_url):
    p = live()
    editor_set(p, "edit-me", "import builtins, time\nx = [print, time.sleep]\nbuiltins.extra = 1")
    assert run(p, "edit-me")[0] == "done"
    p.evaluate("window.__gdcore.runtime.worker.__gdMark = 'kept'")
    instant_navigate(p, site_url + "other/")
    p.wait_for_selector("#other-cell.gd-cell-live")  # the new page's cell, mounted
    assert run(p, "other-cell")[0] == "done"
    assert p.evaluate("window.__gdcore.runtime.worker.__gdMark") == "kept"


def test_restart_python_resets_the_variables_even_while_a_cell_runs(live):
    p = live()
    editor_set(p, "edit-me", "marker = 1\nprint('set')")
    assert run(p, "edit-me")[0] == "done"
    restart = p.get_by_role("button", name="Restart Python")
    assert restart.is_visible()  # one click away while Python is loaded
    # while a cell runs: the loop is stopped and Python restarted
    cell(p, "loop").get_by_role("button", name="Run", exact=True).click()
    p.wait_for_function("() => document.getElementById('loop').dataset.state === 'running'")
    restart.focus()
    p.keyboard.press("Enter")  # keyboard-operable
    p.wait_for_function("() => document.getElementById('loop').dataset.state === 'stopped'",
                        timeout=10_000)
    assert "Python was restarted (Restart Python)." in output_text(p, "loop")
    editor_set(p, "edit-me", "print('marker' in globals())")
    final, _ = run(p, "edit-me")
    assert final == "done"
    assert p.locator("#edit-me .gd-out-stdout").inner_text().strip() == "False"
    assert "earlier cell" in output_text(p, "edit-me")  # the cells above ran again
    assert restart.is_visible()


# --- 8d: floods of output never block the page ---------------------------------------------

PROBE_JS = """() => {
  window.__longest = 0; window.__gap = 0;
  new PerformanceObserver((list) => { for (const e of list.getEntries())
    window.__longest = Math.max(window.__longest, e.duration); }).observe({ type: 'longtask' });
  let last = performance.now();
  const frame = (now) => { window.__gap = Math.max(window.__gap, now - last); last = now;
                           if (!window.__stopProbe) requestAnimationFrame(frame); };
  requestAnimationFrame(frame);
}"""


@pytest.mark.parametrize("flood", ["endless-wide-lines", "200k-short-lines"])
def test_a_flood_of_output_never_blocks_the_page_for_100_ms(live, flood):
    p = live()
    editor_set(p, "edit-me", "print('warm')")
    assert run(p, "edit-me")[0] == "done"
    code = ("while True:\n    print('x' * 100)" if flood == "endless-wide-lines"
            else "for i in range(200_000):\n    print(i)")
    editor_set(p, "edit-me", code)
    p.evaluate(PROBE_JS)
    time.sleep(0.3)
    p.evaluate("window.__longest = 0; window.__gap = 0")
    button = cell(p, "edit-me").get_by_role("button", name="Run", exact=True)
    button.click()
    p.wait_for_function("() => document.getElementById('edit-me').dataset.state === 'running'")
    if flood == "endless-wide-lines":
        time.sleep(3)
        cell(p, "edit-me").get_by_role("button", name="Stop", exact=True).click()
    p.wait_for_function("() => ['done', 'stopped', 'error'].includes("
                        "document.getElementById('edit-me').dataset.state)", timeout=120_000)
    time.sleep(0.3)
    longest, gap = p.evaluate("window.__stopProbe = true, [window.__longest, window.__gap]")
    print(f"{flood}: longest task {longest:.0f} ms, longest frame gap {gap:.0f} ms")
    assert state(p, "edit-me") == ("stopped" if flood == "endless-wide-lines" else "done")
    assert p.locator("#edit-me .gd-out-stdout").count() >= 1
    assert longest < 100, longest
    assert gap < 150, gap


# --- 5: respect the reader's data ----------------------------------------------------------

def download_bytes(site: Path) -> int:
    """What the cells page loads (it imports nothing): Pyodide's core, its lock file, gdcore's
    wheel and the runtime's two Python files."""
    pyodide = site / "assets" / "pyodide"
    core = ["pyodide.js", "pyodide.asm.js", "pyodide.asm.wasm", "python_stdlib.zip",
            "pyodide-lock.json"]
    files = [pyodide / f for f in core] + list((site / "assets").rglob("gdcore-*.whl"))
    for name in ("cellrun.py", "pyworker.py"):
        files += list((site / "assets").rglob(name))
    assert len(files) == 8, files
    return sum(f.stat().st_size for f in files)


@pytest.mark.parametrize("connection", [
    {"saveData": True, "effectiveType": "4g", "type": "wifi"},
    {"saveData": False, "effectiveType": "4g", "type": "cellular"},
    {"saveData": False, "effectiveType": "2g"},
], ids=["save-data", "cellular", "2g"])
def test_saving_data_python_loads_on_the_first_run_and_says_how_much(live, fixture_site,
                                                                      connection):
    p = live(init_script=connection_script(**connection))
    p.wait_for_function("() => /MB/.test(document.querySelector('.gd-status-text')?.textContent)")
    mb = download_bytes(fixture_site[0]) / 1e6
    expected = f"Python (≈ {round(mb)} MB) loads when you run or edit a cell."
    assert pill_text(p) == expected
    time.sleep(5)  # longer than the idle start's timeout (4 s)
    assert p.evaluate("window.__gdcore.runtime.worker") is None
    cell(p, "hello").get_by_role("button", name="Copy link", exact=True).focus()  # not an edit
    time.sleep(0.3)
    assert p.evaluate("window.__gdcore.runtime.worker") is None
    final, _ = run(p, "hello")
    assert final == "done"


def test_saving_data_focus_in_an_editor_starts_python(live):
    p = live(init_script=connection_script(saveData=True))
    p.wait_for_function("() => document.querySelector('.gd-status')?.dataset.state === 'deferred'")
    assert p.evaluate("window.__gdcore.runtime.worker") is None
    cell(p, "edit-me").locator(".cm-content").click()
    p.wait_for_function("() => window.__gdcore.runtime.state === 'ready'", timeout=120_000)


def test_on_a_fast_connection_python_loads_at_idle(live):
    p = live(init_script=connection_script(saveData=False, effectiveType="4g", type="wifi"))
    p.wait_for_function("() => window.__gdcore.runtime.state === 'ready'", timeout=120_000)
    assert p.locator(".gd-status").get_attribute("data-state") == "ready"
