"""Benchmark of the in-browser runtime (issue 4, Performance). Not a test.

    .venv/bin/python tests/benchmarks/bench_runtime.py [--repeat 5]

Builds a tiny site with the real theme and hooks (self-hosted Pyodide 0.27.7, so no network),
serves it on 127.0.0.1 under /gdcore/ and measures in headless Chromium, each cold number in
a fresh browser context (empty HTTP cache):

1. bare ``loadPyodide`` in a worker (page open -> interpreter ready), and bare
   ``loadPackage(numpy, matplotlib)`` + one PNG figure on top of it: the baselines;
2. page open -> first output after clicking Run on a trivial cell (cold);
3. page open -> first figure of a matplotlib cell (cold);
4. after instant navigation to a second page: trivial cell, then matplotlib cell;
5. warm trivial cell and warm matplotlib figure (median of --repeat runs; the runtime's
   own "Done in N ms", i.e. click handler to last message, plus the round trip seen here).

Goals: cold overhead over the bare baseline (+ packages the cell needs) under 20 %; warm
trivial under 100 ms; warm figure under 500 ms.

With ``--course`` it builds the real site instead (docs/, self-hosted Pyodide) and measures
preload and run-above (issue 14, items 1 and 2) on real course pages, each in a fresh context
(cold HTTP cache; service workers blocked, so the first visit is not reloaded once):

a. learning-rate page open, the reader reads 15 s, then Run on its first figure cell: Run ->
   figure (goal <= 0.5 s);
b. the same cell, Run at once on open: open -> figure, against bare loadPyodide +
   loadPackage(numpy, matplotlib) + one figure measured in the same run;
c. a link to the last cell of the practical page, Run at once: open -> done.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(TESTS), str(TESTS / "browser")]

import sitekit  # noqa: E402
from gdlive import instant_navigate, wait_live, wait_runs  # noqa: E402

PAGES = {
    "index.md": "# Bench\n\n[trivial](trivial.md) [figure](figure.md) [second](second.md)\n",
    "trivial.md": '# A trivial cell\n\n```pycell id="trivial"\nprint("hi")\n```\n',
    "figure.md": (
        "# A figure\n\n"
        '```pycell id="fig"\n'
        "import matplotlib.pyplot as plt\n"
        "fig, ax = plt.subplots(figsize=(5, 3))\n"
        "ax.plot([0, 1, 2, 3], [3, 1, 2, 0])\n"
        'ax.set(title="bench", xlabel="x", ylabel="y");\n'
        "```\n"
    ),
    "second.md": (
        "# Second page\n\n"
        '```pycell id="trivial2"\nprint("hi")\n```\n\n'
        '```pycell id="fig2"\n'
        "import matplotlib.pyplot as plt\n"
        "fig, ax = plt.subplots(figsize=(5, 3))\n"
        "ax.plot([0, 1, 2, 3], [3, 1, 2, 0])\n"
        'ax.set(title="bench", xlabel="x", ylabel="y");\n'
        "```\n"
    ),
}

BARE_HTML = """<!doctype html><meta charset="utf-8"><title>bare</title><script>
const src = `
  self.onmessage = async (e) => {
    const t0 = performance.now();
    importScripts(e.data + "pyodide.js");
    const py = await loadPyodide({ indexURL: e.data });
    const ready = performance.now();
    await py.loadPackage(["numpy", "matplotlib"], { messageCallback: () => {} });
    const packages = performance.now();
    py.runPython(\\`
import io, matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
fig, ax = plt.subplots(figsize=(5, 3))
ax.plot([0, 1, 2, 3], [3, 1, 2, 0])
ax.set(title="bench", xlabel="x", ylabel="y")
fig.savefig(io.BytesIO(), format="png", dpi=100, bbox_inches="tight")
\\`);
    const figure = performance.now();
    postMessage({ ready: ready - t0, packages: packages - ready, figure: figure - packages });
  };`;
window.bare = new Promise((resolve) => {
  const w = new Worker(URL.createObjectURL(new Blob([src], { type: "text/javascript" })));
  const start = performance.now();
  w.onmessage = (e) => resolve({ ...e.data, sinceOpen: performance.now() });
  w.postMessage(new URL("assets/pyodide/", location.href).href);
});
</script>"""


def build(tmp: Path) -> tuple[Path, int]:
    project = tmp / "project"
    (project / "docs").mkdir(parents=True)
    for name, text in PAGES.items():
        (project / "docs" / name).write_text(text, encoding="utf-8")
    port = sitekit.free_port()
    config = sitekit.make_project_config(
        project, nav=list(PAGES), site_url=f"http://127.0.0.1:{port}/gdcore/"
    )
    result = sitekit.run_mkdocs_build(config, project / "site", {
        "GDCORE_PYODIDE_SOURCE": "self", "GDCORE_CELL_CACHE": str(project / "cache")})
    if result.returncode:
        sys.exit(f"build failed:\n{result.output[-3000:]}")
    (project / "site" / "bare.html").write_text(BARE_HTML, encoding="utf-8")
    return project / "site", port


def status_ms(page, cell_id: str) -> float:
    text = page.locator(f"#{cell_id} .gd-cell-status").inner_text()
    return float(re.search(r"Done in (\d+) ms", text).group(1))


WATCH_JS = """([id, n, figure]) => {
  const c = document.getElementById(id);
  window.__bench = { click: null, end: null };
  c.addEventListener('click', (e) => {
    if (e.target.closest('button')?.textContent.trim() === 'Run' && window.__bench.click === null)
      window.__bench.click = performance.now();
  }, { capture: true });
  const done = () => {
    if (Number(c.dataset.runs || 0) < n) return false;
    if (!figure) return true;
    const i = c.querySelector('.gd-out-figure img');
    return Boolean(i && i.complete && i.naturalWidth > 0);
  };
  const tick = () => { if (done()) window.__bench.end = performance.now();
                       else requestAnimationFrame(tick); };
  requestAnimationFrame(tick);
}"""


def click_run(page, cell_id: str, n: int, what: str = "done") -> float:
    """Click Run; return seconds until the cell's n-th run finished (and, for figures, the
    image decoded), timed in the page from the click event (to the frame that shows it), so
    the driver's own delays are not counted; ``page.__driver_s`` keeps the driver's view."""
    page.evaluate(WATCH_JS, [cell_id, n, what == "figure"])
    t0 = time.perf_counter()
    page.locator(f"#{cell_id}").get_by_role("button", name="Run", exact=True).click()
    state = wait_runs(page, cell_id, n, timeout_s=300)
    assert state == "done", (cell_id, state, page.locator(f"#{cell_id}").inner_text())
    page.wait_for_function("() => window.__bench.end !== null", timeout=60_000)
    times = page.evaluate("window.__bench")
    DRIVER.append(time.perf_counter() - t0)
    return (times["end"] - times["click"]) / 1000


DRIVER: list[float] = []  # the same runs as seen by the driver (click() to wait_for_function)


def open_and_run(browser, url: str, cell_id: str, what: str) -> float:
    """Fresh context (cold cache): page open -> first output of cell_id (seconds)."""
    ctx = browser.new_context()
    page = ctx.new_page()
    t0 = time.perf_counter()
    page.goto(url)
    wait_live(page)
    click_run(page, cell_id, 1, what)
    elapsed = time.perf_counter() - t0
    timings = page.evaluate(
        "({...window.__gdcore.runtime.timings, domContentLoaded:"
        " performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd})"
    )
    print(f"  {cell_id}: runtime timings (ms): " + ", ".join(
        f"{k} {v:.0f}" for k, v in timings.items()) + f"; cell {status_ms(page, cell_id):.0f}")
    ctx.close()
    return elapsed


def build_course(tmp: Path, keep: str | None = None) -> tuple[Path, int]:
    """The real site (docs/, mkdocs.yml), self-hosted Pyodide, plus bare.html; with ``keep``
    (a directory), built there once and reused by later runs."""
    import os
    import subprocess

    root = TESTS.parent
    port = sitekit.free_port()
    site = Path(keep) if keep else tmp / "site"
    if keep and (site / "bare.html").is_file():
        return site, port
    env = {**os.environ, "GDCORE_PYODIDE_SOURCE": "self",
           "GDCORE_SITE_URL": f"http://127.0.0.1:{port}/gdcore/"}
    done = subprocess.run([str(root / ".venv" / "bin" / "mkdocs"), "build", "-q", "-d", str(site)],
                          cwd=root, env=env, capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"build failed:\n{done.stderr[-3000:]}")
    (site / "bare.html").write_text(BARE_HTML, encoding="utf-8")
    return site, port


FIRST_FIGURE = ("() => [...document.querySelectorAll('.gd-cell:not([hidden])')]"
                ".find((c) => c.querySelector('.gd-out-figure img')).id")
LAST_CELL = ("() => [...document.querySelectorAll('.gd-cell:not([hidden]):not([data-exercise])')]"
             ".pop().id")


def course(browser, base: str) -> None:
    """Items a, b, c of the module docstring, one run, printed with their ratios."""
    def fresh(path: str, live: bool = True):
        ctx = browser.new_context(service_workers="block")
        page = ctx.new_page()
        page.goto(base + path)
        if live:
            wait_live(page)
        return ctx, page

    ctx, page = fresh("bare.html", live=False)
    bare = page.evaluate("window.bare")
    ctx.close()
    bare_sum = bare["ready"] + bare["packages"] + bare["figure"]
    # a. read 15 s, then Run on the first figure cell
    ctx, page = fresh("learning-rate/")
    cell_id = page.evaluate(FIRST_FIGURE)
    time.sleep(15)
    read_run = click_run(page, cell_id, 1, "figure") * 1000
    read_driver = DRIVER[-1] * 1000
    again = [click_run(page, cell_id, 2 + i, "figure") * 1000 for i in range(4)]
    again_cell = status_ms(page, cell_id)
    ctx.close()
    # b. Run at once on that cell
    ctx, page = fresh("learning-rate/")
    click_run(page, cell_id, 1, "figure")
    at_once = page.evaluate("window.__bench.end")  # since the navigation started
    ctx.close()
    # c. a link to the last cell of the practical page, Run at once
    ctx, page = fresh("practical/")
    last = page.evaluate(LAST_CELL)
    ctx.close()
    ctx, page = fresh(f"practical/#{last}")
    click_run(page, last, 1)
    link_run = page.evaluate("window.__bench.end")
    earlier = page.evaluate("() => document.querySelectorAll('.gd-cell[data-runs]').length - 1")
    ctx.close()
    rows = [
        ("bare loadPyodide (in its worker)", bare["ready"]),
        ("bare loadPackage(numpy, matplotlib)", bare["packages"]),
        ("bare first figure", bare["figure"]),
        ("bare sum", bare_sum),
        (f"a. learning-rate: read 15 s, Run {cell_id} -> figure", read_run),
        ("   (the same as the driver saw it: click() -> figure)", read_driver),
        (f"   then Run {cell_id} again: median of 4 (last 'Done in' {again_cell:.0f} ms)",
         statistics.median(again)),
        (f"b. learning-rate: open, Run {cell_id} at once -> figure", at_once),
        (f"c. practical/#{last}: open, Run at once -> done ({earlier} earlier cells)", link_run),
    ]
    width = max(len(name) for name, _ in rows)
    print("\nPyodide 0.27.7, self-hosted, headless Chromium, real course pages, one run")
    for name, ms in rows:
        print(f"  {name:<{width}}  {ms:8.0f} ms")
    print(f"\n  a: {read_run / 1000:.2f} s (goal <= 0.5 s; before: 5-7 s)")
    print(f"  b / bare sum: {at_once / bare_sum:.2f} (goal <= 1)")
    print(f"  c: {link_run / 1000:.1f} s (before: 16-23 s); c / b: {link_run / at_once:.2f} "
          "(goal <= 2)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--course", action="store_true",
                        help="preload and run-above on the real course pages (issue 14)")
    parser.add_argument("--site", help="with --course: build the site into this directory "
                        "once and reuse it (instant navigation is not measured there)")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    if args.course:
        with tempfile.TemporaryDirectory(prefix="r1-") as tmp, sync_playwright() as pw:
            tmp = Path(tmp)
            t0 = time.perf_counter()
            site, port = build_course(tmp, args.site)
            print(f"site built in {time.perf_counter() - t0:.1f} s")
            browser = pw.chromium.launch(executable_path=sitekit.CHROMIUM,
                                         args=sitekit.CHROMIUM_ARGS)
            with sitekit.serve_site(site, tmp / "www", port) as base:
                course(browser, base)
            browser.close()
        return

    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        tmp = Path(tmp)
        t0 = time.perf_counter()
        site, port = build(tmp)
        print(f"site built in {time.perf_counter() - t0:.1f} s")
        browser = pw.chromium.launch(executable_path=sitekit.CHROMIUM, args=sitekit.CHROMIUM_ARGS)
        with sitekit.serve_site(site, tmp / "www", port) as base:
            rows: list[tuple[str, float]] = []
            # 1. bare baseline
            ctx = browser.new_context()
            page = ctx.new_page()
            t = time.perf_counter()
            page.goto(base + "bare.html")
            bare = page.evaluate("window.bare")
            bare_open = time.perf_counter() - t
            ctx.close()
            rows += [
                ("bare loadPyodide in a worker (page open -> ready)", bare_open * 1000
                 - bare["packages"] - bare["figure"]),
                ("  of which loadPyodide itself", bare["ready"]),
                ("bare loadPackage(numpy, matplotlib)", bare["packages"]),
                ("bare first figure (import pyplot, plot, PNG)", bare["figure"]),
            ]
            bare_trivial = rows[0][1]
            bare_fig = bare_trivial + bare["packages"] + bare["figure"]
            # 2./3. cold page open -> first output / first figure
            cold_trivial = open_and_run(browser, base + "trivial/", "trivial", "done") * 1000
            cold_fig = open_and_run(browser, base + "figure/", "fig", "figure") * 1000
            rows += [
                ("cold: page open -> first output, trivial cell", cold_trivial),
                ("cold: page open -> first figure", cold_fig),
            ]
            # 4./5. one visit: warm up, navigate instantly, then warm reruns
            ctx = browser.new_context()
            page = ctx.new_page()
            page.goto(base + "trivial/")
            wait_live(page)
            click_run(page, "trivial", 1)
            instant_navigate(page, base + "second/")
            wait_live(page)
            nav_trivial = click_run(page, "trivial2", 1) * 1000
            nav_fig = click_run(page, "fig2", 1, "figure") * 1000
            rows += [
                ("after instant navigation: trivial cell (Run -> output)", nav_trivial),
                ("after instant navigation: first figure (loads matplotlib)", nav_fig),
            ]
            warm_t, warm_t_rt, warm_f, warm_f_rt = [], [], [], []
            for i in range(args.repeat):
                warm_t_rt.append(click_run(page, "trivial2", 2 + i) * 1000)
                warm_t.append(status_ms(page, "trivial2"))
                warm_f_rt.append(click_run(page, "fig2", 2 + i, "figure") * 1000)
                warm_f.append(status_ms(page, "fig2"))
            ctx.close()
            rows += [
                ("warm trivial cell (in page, median)", statistics.median(warm_t)),
                ("warm trivial cell (round trip seen by Playwright)", statistics.median(warm_t_rt)),
                ("warm matplotlib figure (in page, median)", statistics.median(warm_f)),
                ("warm matplotlib figure (round trip)", statistics.median(warm_f_rt)),
            ]
        browser.close()
    width = max(len(name) for name, _ in rows)
    print("\nPyodide 0.27.7, self-hosted, headless Chromium")
    for name, ms in rows:
        print(f"  {name:<{width}}  {ms:8.0f} ms")
    print(f"\n  cold overhead, trivial cell: {100 * (cold_trivial / bare_trivial - 1):+.0f} % "
          "over bare loadPyodide (goal < 20 %)")
    print(f"  cold overhead, first figure: {100 * (cold_fig / bare_fig - 1):+.0f} % over bare "
          "loadPyodide + numpy/matplotlib + one figure (goal < 20 %)")


if __name__ == "__main__":
    main()
