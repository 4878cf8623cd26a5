"""Benchmark of the service worker (issue 14, item 4). Not a test.

    .venv/bin/python tests/benchmarks/bench_serviceworker.py [--site DIR] [--repeat 3]

Serves a built site under /gdcore/ on 127.0.0.1 without COOP/COEP headers (like GitHub Pages;
the server answers ``Cache-Control: no-cache``, so whatever the service worker does not
answer is a request to the server) and measures in headless Chromium, in the same run:

1. cold visit, no service worker (blocked): page open -> Python ready (the runtime's
   ``ready()``, started at once), bytes from the network;
2. cold visit with the service worker: the same, including the first visit's one reload;
3. second visit, service worker warm (a new tab in the same browser profile): page open ->
   Python ready, requests and bytes that reached the network;
4. second visit offline (the server stopped): page open -> Python ready.

``--mbps`` caps each download's speed at the server (localhost is otherwise far faster than
a reader's network, and then only CPU time shows). ``--site`` takes a site built with
``GDCORE_PYODIDE_SOURCE=self``; without it a one-page site is built with the repository's
theme and hooks. Goal (issue 14): warm ready <= 60 % of the cold time; no request for
Pyodide, gdcore's files or KaTeX on the second visit.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(TESTS), str(TESTS / "browser")]

import sitekit  # noqa: E402
from gdlive import wait_live  # noqa: E402
from swkit import counting_server, python_ready, wait_controlled  # noqa: E402

VERSIONED = ("/gdcore/assets/pyodide/", "/gdcore/assets/gdcore/", "/gdcore/assets/katex/")
PAGE = '# Bench\n\n```pycell id="hello"\nprint("hi")\n```\n'


def build_site(work: Path) -> Path:
    (work / "docs").mkdir(parents=True)
    (work / "docs" / "index.md").write_text(PAGE, encoding="utf-8")
    config = sitekit.make_project_config(work)
    result = sitekit.run_mkdocs_build(config, work / "site", {
        "GDCORE_PYODIDE_SOURCE": "self", "GDCORE_CELL_CACHE": str(work / "cell-cache")})
    if result.returncode != 0:
        sys.exit(result.output[-4000:])
    return work / "site"


def visit(context, url: str, controlled: bool) -> tuple[float, float]:
    """Open ``url`` in a new tab of ``context``; (seconds to Python ready, runtime's ms)."""
    page = context.new_page()
    t0 = time.perf_counter()
    page.goto(url)
    if controlled:
        wait_controlled(page)
    wait_live(page)
    runtime_ms = python_ready(page)
    seconds = time.perf_counter() - t0
    page.close()
    return seconds, runtime_ms


def one_round(browser, site: Path, scratch: Path, rate: float | None) -> dict[str, float]:
    out: dict[str, float] = {}
    srv = counting_server(site, scratch / "plain", rate=rate)
    try:
        ctx = browser.new_context(service_workers="block")
        out["cold, no service worker: s"], _ = visit(ctx, srv.url, controlled=False)
        out["cold, no service worker: MB"] = srv.bytes() / 1e6
        ctx.close()
    finally:
        srv.stop()
    srv = counting_server(site, scratch / "sw", rate=rate)
    try:
        ctx = browser.new_context()
        out["cold, service worker: s"], ms = visit(ctx, srv.url, controlled=True)
        out["cold, service worker: worker start -> ready, s"] = ms / 1000
        out["cold, service worker: MB"] = srv.bytes() / 1e6
        srv.hits.clear()
        out["second visit, warm: s"], ms = visit(ctx, srv.url, controlled=True)
        out["second visit: worker start -> ready, s"] = ms / 1000
        out["second visit: requests to the server"] = len(srv.hits)
        out["second visit: requests for versioned assets"] = sum(
            h.path.startswith(VERSIONED) for h in srv.hits)
        out["second visit: kB from the network"] = srv.bytes() / 1e3
        srv.stop()
        out["second visit, offline: s"], _ = visit(ctx, srv.url, controlled=True)
        ctx.close()
    finally:
        srv.stop()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--site", type=Path, help="a built site (self-hosted Pyodide)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--mbps", type=float, default=None,
                        help="cap each download at this many Mbit/s (default: no cap)")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="bench-sw-") as tmp:
        work = Path(tmp)
        site = args.site or build_site(work / "project")
        rounds = []
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=sitekit.CHROMIUM,
                                         args=sitekit.CHROMIUM_ARGS, headless=True)
            try:
                for i in range(args.repeat):
                    rate = args.mbps * 1e6 / 8 if args.mbps else None
                    rounds.append(one_round(browser, site, work / f"round{i}", rate))
            finally:
                browser.close()
    cap = f"each download capped at {args.mbps:g} Mbit/s" if args.mbps else "no bandwidth cap"
    load = os.getloadavg()[0]
    print(f"service worker benchmark, {args.repeat} rounds, {cap}, load average {load:.1f}"
          " (median, then every round)")
    for key in rounds[0]:
        values = [r[key] for r in rounds]
        print(f"  {key:48s} {statistics.median(values):8.2f}   "
              + " ".join(f"{v:.2f}" for v in values))
    cold = statistics.median(r["cold, service worker: s"] for r in rounds)
    warm = statistics.median(r["second visit, warm: s"] for r in rounds)
    print(f"  warm / cold (service worker)                     {warm / cold:8.0%}  (goal <= 60 %)")


if __name__ == "__main__":
    main()
