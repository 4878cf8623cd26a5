"""Benchmark: how fast the explorer redraws after a control change (headless Chromium).

Builds the fixture site of tests/browser/explorer_site.py (one explorer, six optimizers x 500
steps on Rosenbrock, self-hosted Pyodide), waits until Python is ready and the explorer has
recomputed once, then times control changes from the control's event to the finished
drawing (the explorer's ``gd-explorer-drawn`` event), measured inside the page with
``performance.now()``:

- ``lr slider``: one optimizer's learning rate (only that run is recomputed: the others
  come from the page's cache of runs);
- ``click start``: a new start point on the map (all six runs recomputed);
- ``steps``: a new step count (all six runs);
- ``landscape``: another landscape (all six runs plus the contour grid);
- ``lr+insp``, ``click+insp``, ``steps+insp``: the first three with the step inspector on
  (each run then also carries its optimizer's state at every step).

Also the time in Python (``data-python-ms``) and, for comparison, ``gd.minimize`` of the same
six runs in CPython here. Usage: ``.venv/bin/python tests/benchmarks/bench_explorer.py [N]``.
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "tests" / "browser")]

from explorer_site import build_explorer_site  # noqa: E402
from sitekit import CHROMIUM, CHROMIUM_ARGS, serve_site  # noqa: E402

# Perform one control change inside the page and resolve with the time until it is drawn.
TIMED_JS = """
async ([kind, i]) => {
  const root = document.querySelector('#race');
  const drawn = new Promise((res) => root.addEventListener('gd-explorer-drawn',
      (e) => res(e.detail), { once: true }));
  const t0 = performance.now();
  // every change goes to settings not seen before, so nothing comes from the run cache
  if (kind === 'lr') {
    const s = document.querySelector('#race--opt-adam-lr');
    s.value = String(Number(s.value) + 7);
    s.dispatchEvent(new Event('input', { bubbles: true }));
  } else if (kind === 'click') {
    const c = document.querySelector('#race .gd-x-map');
    const r = c.getBoundingClientRect();
    const [l, t, w, h] = root.dataset.plot.split(',').map(Number);  // the plot area
    const f = [0.1 + 0.037 * i, 0.15 + 0.029 * i];
    c.dispatchEvent(new MouseEvent('click', { bubbles: true,
        clientX: r.left + l + f[0] * w, clientY: r.top + t + f[1] * h }));
  } else if (kind === 'steps') {
    const s = document.querySelector('#race--steps');
    s.value = String(i % 2 ? 500 + 10 * i : 500 - 10 * i - 10);
    s.dispatchEvent(new Event('input', { bubbles: true }));
  } else if (kind === 'landscape') {
    const s = document.querySelector('#race--landscape');
    const names = [...s.options].map((o) => o.value).filter((n) => n !== 'rosenbrock');
    s.value = names[i % names.length];
    s.dispatchEvent(new Event('change', { bubbles: true }));
  }
  const detail = await drawn;
  return { ms: performance.now() - t0, pythonMs: detail.pythonMs,
           runs: [...window.__gdcore.explorers.values()][0].race.runs.length };
}
"""


def cpython_reference() -> float:
    import gdcore as gd

    f = gd.landscapes["rosenbrock"]
    opts = [gd.GradientDescent(lr=0.001), gd.Momentum(lr=0.001), gd.Nesterov(lr=0.001),
            gd.RMSProp(lr=0.01), gd.Adam(lr=0.05), gd.AdaGrad(lr=0.5)]
    best = float("inf")
    for _ in range(5):
        t0 = time.perf_counter()
        for opt in opts:
            gd.minimize(f, opt, [-1.5, 2.0], 500)
        best = min(best, time.perf_counter() - t0)
    return best * 1000


def main(repeats: int = 5) -> dict:
    from playwright.sync_api import sync_playwright

    results: dict[str, list[dict]] = {}
    with tempfile.TemporaryDirectory(prefix="gd-bench-explorer-") as tmp:
        project = Path(tmp)
        t0 = time.perf_counter()
        site = build_explorer_site(project)
        print(f"fixture site built in {time.perf_counter() - t0:.1f} s")
        with serve_site(site, project / "www") as url, sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
            )
            page = browser.new_page(viewport={"width": 1280, "height": 1000})
            t0 = time.perf_counter()
            page.goto(url)
            page.wait_for_selector("#race.gd-explorer-live", timeout=30_000)
            drawn_static = time.perf_counter() - t0
            page.wait_for_function(
                "Number(document.querySelector('#race').dataset.revision || 0) >= 1",
                timeout=180_000,
            )
            warm = time.perf_counter() - t0
            print(f"pre-computed run drawn {drawn_static * 1000:.0f} ms after navigation; "
                  f"Python ready and first recompute after {warm:.1f} s")
            page.locator("#race .gd-x-map").scroll_into_view_if_needed()
            for kind in ("lr", "click", "steps", "landscape"):
                rows = []
                for i in range(repeats):
                    rows.append(page.evaluate(TIMED_JS, [kind, i]))
                results[kind] = rows
            # the same with the step inspector on (every run also sends its optimizer's state)
            page.locator("#race--inspect").check()
            page.wait_for_function("!document.querySelector('#race').dataset.busy",
                                   timeout=60_000)
            for kind in ("lr", "click", "steps"):
                results[f"{kind}+insp"] = [page.evaluate(TIMED_JS, [kind, repeats + i])
                                           for i in range(repeats)]
            browser.close()
    cpy = cpython_reference()
    summary = {}
    print(f"\n{'change':<12} {'runs':>4} {'median ms':>10} {'max ms':>8} {'python ms':>10}")
    for kind, rows in results.items():
        ms = [r["ms"] for r in rows]
        py = [r["pythonMs"] for r in rows]
        summary[kind] = {"median_ms": statistics.median(ms), "max_ms": max(ms),
                         "python_median_ms": statistics.median(py)}
        print(f"{kind:<12} {rows[0]['runs']:>4} {statistics.median(ms):>10.1f} "
              f"{max(ms):>8.1f} {statistics.median(py):>10.1f}")
    print(f"\nCPython here: gd.minimize of the same 6 runs x 500 steps: {cpy:.1f} ms")
    summary["cpython_six_runs_ms"] = cpy
    return summary


if __name__ == "__main__":
    out = main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
    print(json.dumps(out, indent=1))
