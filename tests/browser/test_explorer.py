"""The explorer in headless Chromium: pre-rendered view, controls, clicks, keyboard, code.

Runs against a small fixture site (tests/browser/explorer_site.py: one explorer with six
optimizers x 500 steps, built with the real hooks and a self-hosted Pyodide).
"""

from __future__ import annotations

import json
import re

import pytest
from explorer_site import build_explorer_site
from gdlive import editor_set, output_text
from gdlive import run as run_cell
from sitekit import serve_site

pytestmark = pytest.mark.browser

READY_TIMEOUT_MS = 180_000
SEL = "#race"

STATE_JS = """
() => {
  const root = document.querySelector('#race');
  const ex = [...window.__gdcore.explorers.values()].find((e) => e.root === root);
  const runs = ex.race.runs.map((r) => ({
    label: r.label, status: r.status, n: r.n, message: r.message,
    first: [r.xs[0], r.xs[1]], last: [r.xs[2 * r.n], r.xs[2 * r.n + 1]],
  }));
  return {start: ex.start, steps: ex.steps, landscape: ex.race.landscape, runs,
          domain: ex.grid.domain, revision: Number(root.dataset.revision || 0)};
}
"""


@pytest.fixture(scope="module")
def explorer_url(tmp_path_factory):
    project = tmp_path_factory.mktemp("explorer-site")
    site = build_explorer_site(project)
    with serve_site(site, project / "www") as url:
        yield url


def open_explorer(page, url, warm=True, **options):
    p = page(**options)
    p.goto(url)
    p.wait_for_selector(f"{SEL}.gd-explorer-live", timeout=30_000)
    if warm:  # Python ready and the shown settings recomputed in the worker once
        p.wait_for_function(
            "Number(document.querySelector('#race').dataset.revision || 0) >= 1",
            timeout=READY_TIMEOUT_MS,
        )
    return p


def revision(p) -> int:
    return int(p.locator(SEL).get_attribute("data-revision") or 0)


def wait_revision(p, after: int) -> None:
    p.wait_for_function(
        f"Number(document.querySelector('#race').dataset.revision || 0) > {after}",
        timeout=60_000,
    )


def map_pixels(p) -> str:
    return p.evaluate("document.querySelector('#race .gd-x-map').toDataURL()")


def test_static_figure_without_javascript(explorer_url, page):
    p = page(javascript=False)
    p.goto(explorer_url)
    img = p.locator(f"{SEL} .gd-explorer-static img")
    assert img.count() == 1
    alt = img.get_attribute("alt")
    assert "rosenbrock" in alt and "Adam" in alt
    assert "loading Python" in p.locator(f"{SEL} .gd-explorer-note").inner_text()
    data = json.loads(p.locator(SEL).get_attribute("data-payload"))
    assert len(data["race"]["runs"]) == 6 and data["race"]["steps"] == 500


def test_prerendered_run_is_drawn_before_python(explorer_url, page):
    p = open_explorer(page, explorer_url, warm=False)
    # the worker has not answered yet: the drawing comes from the build's numbers
    st = p.evaluate(STATE_JS)
    assert st["revision"] == 0
    assert len(st["runs"]) == 6 and all(r["n"] == 500 for r in st["runs"])
    assert p.locator(f"{SEL} .gd-x-legend li").count() == 6
    assert p.locator(f"{SEL} .gd-explorer-static").is_hidden()
    note = p.locator(f"{SEL} .gd-x-note")
    assert "pre-computed" in note.inner_text() or "Loading" in note.inner_text()
    # the map is painted (not blank): sample a few pixels
    painted = p.evaluate("""() => {
      const c = document.querySelector('#race .gd-x-map');
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let n = 0; for (let i = 3; i < d.length; i += 4 * 97) if (d[i] > 0) n++;
      return n; }""")
    assert painted > 100
    assert not p.gd_errors


def test_changing_a_control_changes_the_drawn_path(explorer_url, page):
    p = open_explorer(page, explorer_url)
    before = p.evaluate(STATE_JS)
    pixels = map_pixels(p)
    rev = revision(p)
    slider = p.locator("#race-opt-adam-lr")
    slider.focus()
    for _ in range(40):
        p.keyboard.press("ArrowRight")
    wait_revision(p, rev)
    p.wait_for_function("!document.querySelector('#race').dataset.busy", timeout=60_000)
    after = p.evaluate(STATE_JS)
    adam_before = next(r for r in before["runs"] if r["label"] == "Adam")
    adam_after = next(r for r in after["runs"] if r["label"] == "Adam")
    assert adam_after["last"] != adam_before["last"]
    assert map_pixels(p) != pixels
    # the other runs are unchanged (they came from the cache, not recomputed)
    for r0, r1 in zip(before["runs"], after["runs"], strict=True):
        if r0["label"] != "Adam":
            assert r0["last"] == r1["last"]
    assert not p.gd_errors


def test_clicking_the_map_sets_the_start_within_one_pixel(explorer_url, page):
    p = open_explorer(page, explorer_url)
    canvas = p.locator(f"{SEL} .gd-x-map")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    (xmin, xmax), (ymin, ymax) = p.evaluate(STATE_JS)["domain"]
    fx, fy = 0.3137, 0.4242
    rev = revision(p)
    p.mouse.click(box["x"] + fx * box["width"], box["y"] + fy * box["height"])
    wait_revision(p, rev)
    st = p.evaluate(STATE_JS)
    want_x = xmin + fx * (xmax - xmin)
    want_y = ymax - fy * (ymax - ymin)
    pixel_x = (xmax - xmin) / box["width"]
    pixel_y = (ymax - ymin) / box["height"]
    assert abs(st["start"][0] - want_x) <= pixel_x
    assert abs(st["start"][1] - want_y) <= pixel_y
    # every path now starts there, and the page says so
    for run in st["runs"]:
        assert run["first"] == st["start"]
    x, y = (float(v) for v in p.locator(SEL).get_attribute("data-start").split(","))
    assert [x, y] == st["start"]


def test_keyboard_moves_the_crosshair_and_enter_sets_the_start(explorer_url, page):
    p = open_explorer(page, explorer_url)
    st0 = p.evaluate(STATE_JS)
    (xmin, xmax), (ymin, ymax) = st0["domain"]
    canvas = p.locator(f"{SEL} .gd-x-map")
    canvas.focus()
    for key in ["ArrowRight"] * 8 + ["ArrowDown"] * 4:
        p.keyboard.press(key)
    assert "Crosshair at" in p.locator(f"{SEL} .gd-x-maphelp").inner_text()
    rev = revision(p)
    p.keyboard.press("Enter")
    wait_revision(p, rev)
    st = p.evaluate(STATE_JS)
    assert st["start"][0] == pytest.approx(st0["start"][0] + 8 * 0.025 * (xmax - xmin), abs=0.01)
    assert st["start"][1] == pytest.approx(st0["start"][1] - 4 * 0.025 * (ymax - ymin), abs=0.01)
    assert "Start set to" in p.locator(f"{SEL} .gd-x-maphelp").inner_text()


def test_every_control_is_reachable_by_keyboard(explorer_url, page):
    p = open_explorer(page, explorer_url, warm=False)
    focusable = p.evaluate("""() => [...document.querySelectorAll(
        '#race select, #race input, #race button, #race canvas[tabindex]')]
        .filter((e) => !e.closest('[hidden]'))
        .map((e) => ({tag: e.tagName, tab: e.tabIndex,
                      name: e.getAttribute('aria-label')
                        || (e.labels && e.labels[0] && e.labels[0].textContent)
                        || e.textContent}))""")
    assert all(f["tab"] >= 0 for f in focusable)
    assert all(f["name"].strip() for f in focusable), focusable
    names = " ".join(f["name"] for f in focusable)
    for word in ("Landscape", "Steps", "Play", "Step", "Reset", "Show code", "Speed"):
        assert word in names


def test_diverging_settings_say_diverged_at_step_n(explorer_url, page):
    p = open_explorer(page, explorer_url)
    rev = revision(p)
    slider = p.locator("#race-opt-gradient_descent-lr")
    slider.focus()
    p.keyboard.press("End")  # learning rate 10 on Rosenbrock
    wait_revision(p, rev)
    gd_run = next(r for r in p.evaluate(STATE_JS)["runs"] if r["label"] == "GradientDescent")
    assert gd_run["status"] == "diverged"
    legend = p.locator(f"{SEL} .gd-x-legend").inner_text()
    assert re.search(rf"diverged at step {gd_run['n']}\b", legend)
    assert not p.gd_errors


def test_show_code_cell_reproduces_the_drawn_final_points(explorer_url, page):
    p = open_explorer(page, explorer_url)
    canvas = p.locator(f"{SEL} .gd-x-map")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    rev = revision(p)
    p.mouse.click(box["x"] + 0.2 * box["width"], box["y"] + 0.7 * box["height"])
    wait_revision(p, rev)
    st = p.evaluate(STATE_JS)
    button = p.get_by_role("button", name="Show code")
    button.click()
    assert button.get_attribute("aria-expanded") == "true"
    code = p.locator(f"{SEL} .gd-x-code .cm-content").inner_text()
    assert "gd.minimize(" in code and "x0 = [" in code
    p.locator(f"{SEL} .gd-x-code").get_by_role("button", name="Run").click()
    p.wait_for_function(
        "document.querySelector('#race .gd-x-code').dataset.state === 'ok' || "
        "document.querySelector('#race .gd-x-code').dataset.state === 'done'",
        timeout=60_000,
    )
    out = p.locator(f"{SEL} .gd-x-code .gd-cell-output").inner_text()
    lines = [ln for ln in out.splitlines() if " after " in ln]
    assert len(lines) == len(st["runs"]) == 6
    for line, run in zip(lines, st["runs"], strict=True):
        m = re.match(r"(.+): (\w+) after (\d+) steps, x = \[(.+), (.+)\], loss", line)
        assert m, line
        assert m.group(1) == run["label"] and int(m.group(3)) == run["n"]
        assert [float(m.group(4)), float(m.group(5))] == run["last"]
    # The code ran in the explorer's own namespace: the page's cells do not see its x0.
    editor_set(p, "after", 'print("x0" in globals(), "gd" in globals())')
    assert run_cell(p, "after")[0] == "done"
    assert output_text(p, "after").strip() == "False False"


def test_landscape_menu_switches_map_and_runs(explorer_url, page):
    p = open_explorer(page, explorer_url)
    rev = revision(p)
    p.select_option("#race-landscape", "himmelblau")
    wait_revision(p, rev)
    st = p.evaluate(STATE_JS)
    assert st["landscape"] == "himmelblau"
    assert st["domain"] != [[-2, 2], [-1, 3]]
    assert all(r["first"] == st["start"] for r in st["runs"])


def test_usable_on_a_390px_phone(explorer_url, page):
    p = open_explorer(page, explorer_url, warm=False, viewport={"width": 390, "height": 844})
    width = p.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    box = p.locator(f"{SEL} .gd-x-map").bounding_box()
    assert 250 <= box["width"] <= 390
    for sel in ("#race-landscape", "#race-steps", "#race-opt-adam-lr"):
        b = p.locator(sel).bounding_box()
        assert b["x"] >= 0 and b["x"] + b["width"] <= 390, sel


DISTINCT_COLOURS_JS = """(sel) => {
  const c = document.querySelector(sel);
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  const seen = new Set();
  for (let i = 0; i < d.length; i += 4 * 37) {
    if (d[i + 3] > 0) seen.add(`${d[i]},${d[i + 1]},${d[i + 2]}`);
  }
  return seen.size; }"""


def test_3d_view_draws_rotates_and_leaves_the_start_to_the_map(explorer_url, page):
    p = open_explorer(page, explorer_url)
    surface = p.locator(f"{SEL} .gd-x-surface")
    map_canvas = p.locator(f"{SEL} .gd-x-map")
    assert surface.is_hidden()
    map_box = map_canvas.bounding_box()
    group = p.get_by_role("group", name="View")
    map_btn = group.get_by_role("button", name="Map")
    btn_3d = group.get_by_role("button", name="3-D")
    assert map_btn.get_attribute("aria-pressed") == "true"
    btn_3d.click()
    assert btn_3d.get_attribute("aria-pressed") == "true"
    assert map_btn.get_attribute("aria-pressed") == "false"
    assert map_canvas.is_hidden() and surface.is_visible()
    # same place and size as the map, painted with many colours (shaded surface + paths)
    box = surface.bounding_box()
    assert abs(box["width"] - map_box["width"]) <= 1 and abs(box["height"] - map_box["height"]) <= 1
    assert p.evaluate(DISTINCT_COLOURS_JS, f"{SEL} .gd-x-surface") > 100
    assert surface.get_attribute("tabindex") == "0" and surface.get_attribute("role") == "img"
    label = surface.get_attribute("aria-label")
    assert "3-D" in label and "rotate" in label
    # the arrow keys turn it
    surface.focus()
    before = p.evaluate("document.querySelector('#race .gd-x-surface').toDataURL()")
    p.keyboard.press("ArrowLeft")
    turned = p.evaluate("document.querySelector('#race .gd-x-surface').toDataURL()")
    assert turned != before
    assert "turned" in p.locator(f"{SEL} .gd-x-maphelp").inner_text()
    p.keyboard.press("ArrowUp")
    assert p.evaluate("document.querySelector('#race .gd-x-surface').toDataURL()") != turned
    # a click on the 3-D view does not move the start point
    start = p.locator(SEL).get_attribute("data-start")
    rev = revision(p)
    surface.click(position={"x": box["width"] * 0.3, "y": box["height"] * 0.6})
    p.wait_for_timeout(300)
    assert p.locator(SEL).get_attribute("data-start") == start and revision(p) == rev
    # back to the map: drawn again, and a click there still sets the start
    map_btn.click()
    assert surface.is_hidden() and map_canvas.is_visible()
    assert p.evaluate(DISTINCT_COLOURS_JS, f"{SEL} .gd-x-map") > 20
    box = map_canvas.bounding_box()
    (xmin, xmax), (ymin, ymax) = p.evaluate(STATE_JS)["domain"]
    fx, fy = 0.6, 0.3
    p.mouse.click(box["x"] + fx * box["width"], box["y"] + fy * box["height"])
    wait_revision(p, rev)
    st = p.evaluate(STATE_JS)
    assert abs(st["start"][0] - (xmin + fx * (xmax - xmin))) <= (xmax - xmin) / box["width"]
    assert abs(st["start"][1] - (ymax - fy * (ymax - ymin))) <= (ymax - ymin) / box["height"]
    assert not p.gd_errors


def test_3d_view_fits_a_390px_phone_and_follows_the_race(explorer_url, page):
    p = open_explorer(page, explorer_url, viewport={"width": 390, "height": 844})
    p.get_by_role("button", name="3-D").click()
    surface = p.locator(f"{SEL} .gd-x-surface")
    box = surface.bounding_box()
    assert 250 <= box["width"] <= 390 and box["x"] >= 0 and box["x"] + box["width"] <= 390
    assert p.evaluate("document.documentElement.scrollWidth") <= 390
    # a drag turns it
    before = p.evaluate("document.querySelector('#race .gd-x-surface').toDataURL()")
    surface.scroll_into_view_if_needed()
    box = surface.bounding_box()
    p.mouse.move(box["x"] + 100, box["y"] + 100)
    p.mouse.down()
    p.mouse.move(box["x"] + 160, box["y"] + 120, steps=4)
    p.mouse.up()
    dragged = p.evaluate("document.querySelector('#race .gd-x-surface').toDataURL()")
    assert dragged != before
    # a new race (another landscape) is drawn in the 3-D view, which stays selected
    rev = revision(p)
    p.select_option("#race-landscape", "himmelblau")
    wait_revision(p, rev)
    assert surface.is_visible()
    assert p.evaluate("document.querySelector('#race .gd-x-surface').toDataURL()") != dragged
    assert p.evaluate(DISTINCT_COLOURS_JS, f"{SEL} .gd-x-surface") > 100
    assert not p.gd_errors
