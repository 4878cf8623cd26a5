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
    label: r.label, optimizer: r.optimizer, status: r.status, n: r.n, message: r.message,
    params: r.params, first: [r.xs[0], r.xs[1]], last: [r.xs[2 * r.n], r.xs[2 * r.n + 1]],
    firstLoss: r.losses[0], lastLoss: r.losses[r.n],
  }));
  return {start: ex.state.start, steps: ex.state.steps, landscape: ex.race.landscape, runs,
          domain: ex.grid.domain, revision: Number(root.dataset.revision || 0),
          step: ex.currentStep(), note: ex.noteEl.textContent};
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


def wait_idle(p) -> None:
    p.wait_for_function("!document.querySelector('#race').dataset.busy", timeout=60_000)


def plot_box(p) -> dict:
    """The map's plot area (inside the axes) in page coordinates."""
    box = p.locator(f"{SEL} .gd-x-map").bounding_box()
    plot = p.locator(SEL).get_attribute("data-plot")
    left, top, width, height = (float(v) for v in plot.split(","))
    return {"x": box["x"] + left, "y": box["y"] + top, "width": width, "height": height}


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
    assert p.locator(f"{SEL} .gd-x-readout tbody tr").count() == 6
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
    slider = p.locator("#race--opt-adam-lr")
    slider.focus()
    for _ in range(40):
        p.keyboard.press("ArrowRight")
    wait_revision(p, rev)
    wait_idle(p)
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
    p.locator(f"{SEL} .gd-x-map").scroll_into_view_if_needed()
    box = plot_box(p)
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
    for word in ("Landscape", "Steps", "Play", "Step back", "Step forward", "Timeline", "Reset",
                 "Show code", "Speed", "Copy link", "Noise", "Seed", "Step inspector"):
        assert word in names


def test_diverging_settings_say_diverged_at_step_n(explorer_url, page):
    p = open_explorer(page, explorer_url)
    rev = revision(p)
    slider = p.locator("#race--opt-gradient_descent-lr")
    slider.focus()
    p.keyboard.press("End")  # learning rate 10 on Rosenbrock
    wait_revision(p, rev)
    gd_run = next(r for r in p.evaluate(STATE_JS)["runs"] if r["label"] == "GradientDescent")
    assert gd_run["status"] == "diverged"
    legend = p.locator(f"{SEL} .gd-x-readout").inner_text()
    assert re.search(rf"diverged at step {gd_run['n']}\b", legend)
    assert not p.gd_errors


def test_show_code_cell_reproduces_the_drawn_final_points(explorer_url, page):
    p = open_explorer(page, explorer_url)
    p.locator(f"{SEL} .gd-x-map").scroll_into_view_if_needed()
    box = plot_box(p)
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
    p.select_option("#race--landscape", "himmelblau")
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
    for sel in ("#race--landscape", "#race--steps", "#race--opt-gradient_descent-lr"):
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
    box = plot_box(p)
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
    p.select_option("#race--landscape", "himmelblau")
    wait_revision(p, rev)
    assert surface.is_visible()
    assert p.evaluate("document.querySelector('#race .gd-x-surface').toDataURL()") != dragged
    assert p.evaluate(DISTINCT_COLOURS_JS, f"{SEL} .gd-x-surface") > 100
    assert not p.gd_errors


# --- explorer v2 --------------------------------------------------------------------------

EXPLORER_JS = """() => [...window.__gdcore.explorers.values()]
    .find((e) => e.root === document.querySelector('#race'))"""


def ex_eval(p, body: str, arg=None):
    """Evaluate `body` (a function of the explorer `ex` and `arg`) in the page."""
    return p.evaluate(f"([arg]) => {{ const ex = ({EXPLORER_JS})(); return ({body})(ex, arg); }}",
                      [arg])


def tick(p, name: str, on: bool = True) -> None:
    box = p.locator(f"#race--opt-{name}")
    if box.is_checked() != on:
        rev = revision(p)
        box.click()
        wait_revision(p, rev)
        wait_idle(p)


def test_every_landscape_with_every_optimizer_is_sensible_by_default(explorer_url, page):
    """Suggested values on a landscape switch: no divergence, every loss below its start."""
    import gdcore as gd

    cat = gd.explorer_catalog()
    p = open_explorer(page, explorer_url)
    for o in cat["optimizers"]:
        tick(p, o["name"])
    for entry in cat["landscapes"]:
        if entry["name"] != p.evaluate(STATE_JS)["landscape"]:
            rev = revision(p)
            p.select_option("#race--landscape", entry["name"])
            wait_revision(p, rev)
            wait_idle(p)
        st = p.evaluate(STATE_JS)
        assert st["landscape"] == entry["name"] and st["steps"] == 500
        assert len(st["runs"]) == len(cat["optimizers"])
        for run in st["runs"]:
            key = next(o["name"] for o in cat["optimizers"] if o["class"] == run["optimizer"])
            assert run["params"] == entry["suggested"][key], (entry["name"], key)
            assert run["status"] != "diverged", (entry["name"], run["label"], run["message"])
            assert run["lastLoss"] < run["firstLoss"], (entry["name"], run["label"])
        # every slider shows the "suggested" check mark
        marks = p.locator(f"{SEL} .gd-x-opt-on .gd-x-suggested:not([hidden])").count()
        assert marks == p.locator(f"{SEL} .gd-x-opt-on .gd-x-param input[type=range]").count()
    assert not p.gd_errors


def test_own_values_are_kept_on_this_landscape_only(explorer_url, page):
    import gdcore as gd

    p = open_explorer(page, explorer_url)
    slider = p.locator("#race--opt-adam-lr")
    slider.focus()
    rev = revision(p)
    for _ in range(30):
        p.keyboard.press("ArrowLeft")
    wait_revision(p, rev)
    wait_idle(p)
    mine = ex_eval(p, "(ex) => ex.state.find('adam').values.lr")
    suggested = gd.suggested_hyperparameters("rosenbrock", "adam")["lr"]
    assert mine != suggested
    assert p.locator("#race--opt-adam-lr ~ .gd-x-suggested").is_hidden()
    tick(p, "adam", False)
    tick(p, "adam", True)  # ticked again on the same landscape: the reader's value is kept
    assert ex_eval(p, "(ex) => ex.state.find('adam').values.lr") == mine
    # a newly ticked optimizer starts at the suggested values (Adam is no longer at 0.001)
    tick(p, "adamw", True)
    assert ex_eval(p, "(ex) => ex.state.find('adamw').values.lr") == (
        gd.suggested_hyperparameters("rosenbrock", "adamw")["lr"])
    rev = revision(p)
    p.select_option("#race--landscape", "booth")
    wait_revision(p, rev)
    assert ex_eval(p, "(ex) => ex.state.find('adam').values.lr") == (
        gd.suggested_hyperparameters("booth", "adam")["lr"])


def readout_row(p, label: str) -> list[str]:
    return p.evaluate(
        """(label) => [...document.querySelectorAll('#race .gd-x-readout tbody tr')]
             .map((tr) => [...tr.children].map((c) => c.firstChild?.textContent ?? ''))
             .find((cells) => cells[1] === label)""", label)


def test_time_steps_back_and_forth_and_the_readout_follows(explorer_url, page):
    p = open_explorer(page, explorer_url)
    speeds = p.locator("#race--speed option").all_inner_texts()
    assert speeds[0] == "2 steps/s" and "50 steps/s" in speeds
    st = p.evaluate(STATE_JS)
    assert st["step"] == 500 and p.locator("#race--timeline").input_value() == "500"
    p.locator("#race--timeline").fill("120")
    assert p.evaluate(STATE_JS)["step"] == 120
    p.get_by_role("button", name="Step forward").click()
    p.get_by_role("button", name="Step forward").click()
    p.get_by_role("button", name="Step back").click()
    assert p.evaluate(STATE_JS)["step"] == 121
    assert "step 121 of 500" in p.locator(f"{SEL} .gd-x-frame").inner_text()
    # the readout shows each run at step 121: position, loss, gradient norm, step length
    adam = ex_eval(p, """(ex) => { const r = ex.race.runs.find((x) => x.label === 'Adam');
        return {x: r.xs[242], y: r.xs[243], loss: r.losses[121], g: r.gnorms[121],
                len: Math.hypot(r.xs[244] - r.xs[242], r.xs[245] - r.xs[243])}; }""")
    row = readout_row(p, "Adam")
    x, y = (float(v) for v in row[2].strip("()").split(","))
    assert x == pytest.approx(adam["x"], rel=1e-3) and y == pytest.approx(adam["y"], rel=1e-3)
    assert float(row[3]) == pytest.approx(adam["loss"], rel=1e-3)
    assert float(row[4]) == pytest.approx(adam["g"], rel=1e-3)
    assert float(row[5]) == pytest.approx(adam["len"], rel=1e-3)
    # slow play: 2 steps per second moves a step or two in a second, not hundreds
    p.select_option("#race--speed", "2")
    p.get_by_role("button", name="Play").click()
    p.wait_for_timeout(1200)
    p.get_by_role("button", name="Pause").click()
    assert 121 < p.evaluate(STATE_JS)["step"] <= 125
    assert not p.gd_errors


def test_step_inspector_shows_gdcore_state_at_the_current_step(explorer_url, page):
    import base64

    import numpy as np

    from gdcore import explore

    p = open_explorer(page, explorer_url)
    rev = revision(p)
    p.locator("#race--inspect").check()
    wait_revision(p, rev)
    wait_idle(p)
    p.locator("#race--timeline").fill("7")
    for name, keys in [("momentum", {"state", "velocity", "gradient_step", "update"}),
                       ("adam", {"state", "second", "scale", "scaled_gradient", "update"})]:
        p.locator(f"#race--opt-{name}-lr").focus()  # the inspector follows the active row
        label = {"momentum": "Momentum", "adam": "Adam"}[name]
        p.wait_for_function(
            """(label) => { const i = document.querySelector('#race .gd-x-inspector');
                return i.dataset.run === label && i.querySelector('.gd-x-insp-row'); }""",
            arg=label, timeout=60_000)
        wait_idle(p)
        rows = p.evaluate("""() => Object.fromEntries([...document.querySelectorAll(
            '#race .gd-x-inspector .gd-x-insp-row')].map((r) => [r.dataset.key,
            r.dataset.value.split(',').map(Number)]))""")
        assert keys <= set(rows), (name, sorted(rows))
        # the same numbers from gdcore in CPython: the optimizer's own state at step 7
        specs = ex_eval(p, "(ex) => ex.state.specs()")
        start = p.evaluate(STATE_JS)["start"]
        out = json.loads(explore.explorer_update("rosenbrock", specs, start, 500, inspect=True))
        cls = {"momentum": "Momentum", "adam": "Adam"}[name]
        run = next(r for r in out["race"]["runs"] if r["optimizer"] == cls)
        flat = np.frombuffer(base64.b64decode(run["packed"]), dtype="<f8")
        at, n = 0, run["n_steps"] + 1
        for key, width in run["layout"]:
            block = flat[at: at + width * n].reshape(n, width)
            at += width * n
            if key in rows:
                assert rows[key] == block[7].tolist(), (name, key)
    # arrows are drawn: the map differs with the inspector off
    with_arrows = map_pixels(p)
    rev = revision(p)
    p.locator("#race--inspect").uncheck()
    wait_revision(p, rev)
    assert map_pixels(p) != with_arrows
    assert not p.gd_errors


def test_waiting_for_a_running_cell_then_recomputing_after_a_restart(explorer_url, page):
    p = open_explorer(page, explorer_url)
    slow = p.locator("#slow")
    slow.get_by_role("button", name="Run", exact=True).click()
    p.wait_for_function("document.getElementById('slow').dataset.state === 'running'",
                        timeout=60_000)
    rev = revision(p)
    slider = p.locator("#race--opt-adam-lr")
    slider.focus()
    p.keyboard.press("ArrowRight")
    p.wait_for_function(
        "document.querySelector('#race .gd-x-note').textContent"
        ".includes('Waiting for the running cell')",
        timeout=5_000)
    # Stop restarts Python (this page is not cross-origin isolated): the explorer computes
    # what its controls show once the new worker is ready
    slow.get_by_role("button", name="Stop", exact=True).click()
    wait_revision(p, rev)
    wait_idle(p)
    st = p.evaluate(STATE_JS)
    lr = ex_eval(p, "(ex) => ex.state.find('adam').values.lr")
    assert next(r for r in st["runs"] if r["label"] == "Adam")["params"]["lr"] == lr
    assert "Waiting" not in st["note"]
    assert p.locator(SEL).get_attribute("data-python") != "error"


def test_phone_shows_the_map_and_the_active_slider_in_one_screen(explorer_url, page):
    p = open_explorer(page, explorer_url, warm=False, viewport={"width": 390, "height": 844})
    header = p.locator(".md-header").bounding_box()["height"]
    canvas = p.locator(f"{SEL} .gd-x-map")
    canvas.evaluate("(c) => c.scrollIntoView({block: 'start'})")
    p.evaluate(f"window.scrollBy(0, -{header + 4})")
    top = canvas.bounding_box()["y"]
    slider = p.locator("#race--opt-gradient_descent-lr").bounding_box()
    assert top >= header - 1
    assert slider["y"] + slider["height"] <= 844, (top, slider)
    assert p.evaluate("document.documentElement.scrollWidth") <= 390


def test_ids_are_unique_and_prefixed_with_the_explorers_id(explorer_url, page):
    p = open_explorer(page, explorer_url, warm=False)
    ids = p.evaluate("[...document.querySelectorAll('[id]')].map((e) => e.id)")
    assert len(ids) == len(set(ids)), [i for i in ids if ids.count(i) > 1]
    inner = p.evaluate("[...document.querySelectorAll('#race [id]')].map((e) => e.id)")
    assert inner and all(i.startswith("race--") for i in inner), inner


def test_hovering_a_legend_entry_isolates_its_path(explorer_url, page):
    p = open_explorer(page, explorer_url)
    before = map_pixels(p)
    p.locator(f"{SEL} .gd-x-readout tbody tr").nth(4).hover()
    assert ex_eval(p, "(ex) => ex.isolate") == 4
    assert map_pixels(p) != before
    p.mouse.move(1, 1)
    assert ex_eval(p, "(ex) => ex.isolate") is None


def test_a_link_reproduces_the_drawn_final_points_exactly(explorer_url, page):
    p = open_explorer(page, explorer_url)
    p.locator(f"{SEL} .gd-x-map").scroll_into_view_if_needed()
    box = plot_box(p)
    rev = revision(p)
    p.mouse.click(box["x"] + 0.31 * box["width"], box["y"] + 0.57 * box["height"])
    wait_revision(p, rev)
    rev = revision(p)
    p.select_option("#race--opt-adam-schedule", "cosine")
    wait_revision(p, rev)
    rev = revision(p)
    p.locator("#race--noise").fill("0.3")
    wait_revision(p, rev)
    wait_idle(p)
    p.locator("#race--timeline").fill("77")
    p.locator(SEL).get_by_role("button", name="Copy link").click()
    link = p.locator(SEL).get_attribute("data-link")
    assert "#race?" in link and "schedule=cosine" in link and "noise=0.3" in link
    want = p.evaluate(STATE_JS)
    q = open_explorer(page, link)
    got = q.evaluate(STATE_JS)
    assert got["start"] == want["start"] and got["step"] == 77
    assert [r["label"] for r in got["runs"]] == [r["label"] for r in want["runs"]]
    for a, b in zip(got["runs"], want["runs"], strict=True):
        assert a["last"] == b["last"] and a["n"] == b["n"], a["label"]
    assert q.locator("#race--opt-adam-schedule").input_value() == "cosine"
    assert not q.gd_errors


def test_a_malformed_link_is_ignored(explorer_url, page):
    p = open_explorer(page, explorer_url + "#race?landscape=nowhere&steps=abc", warm=False)
    assert "could not be read" in p.locator(f"{SEL} .gd-x-note").inner_text()
    assert p.evaluate(STATE_JS)["landscape"] == "rosenbrock"
    q = open_explorer(page, explorer_url + "#race?opt=adam:lr=1e400", warm=False)
    assert "could not be read" in q.locator(f"{SEL} .gd-x-note").inner_text()
    r = open_explorer(page, explorer_url + "#race", warm=False)  # a plain anchor: no settings
    assert "could not be read" not in r.locator(f"{SEL} .gd-x-note").inner_text()
    assert not p.gd_errors and not q.gd_errors and not r.gd_errors


def test_a_schedule_is_gdcores_and_its_curve_is_drawn(explorer_url, page):
    import gdcore as gd

    p = open_explorer(page, explorer_url)
    rev = revision(p)
    p.select_option("#race--opt-adam-schedule", "step")
    wait_revision(p, rev)
    lrs = ex_eval(p, "(ex) => { const r = ex.race.runs.find((x) => x.label === 'Adam');"
                     " return Array.from(r.lrs.subarray(0, r.n)); }")
    lr = ex_eval(p, "(ex) => ex.state.find('adam').values.lr")
    want = gd.make_schedule("step", lr, 500).values(len(lrs))
    assert lrs == pytest.approx(want.tolist(), rel=1e-12)
    assert p.locator(f"{SEL} [data-optimizer=adam] .gd-x-lrcurve").is_visible()


def test_your_own_function_and_a_wrong_gradient_is_reported(explorer_url, page):
    p = open_explorer(page, explorer_url)
    p.select_option("#race--landscape", "custom")
    assert p.locator("#race--fx").is_visible()
    p.locator("#race--fx").fill("x**2 + 3*x*y + 4*y**2")
    p.locator("#race--mygrad").check()
    p.locator("#race--gx").fill("2*x")  # wrong: should be 2*x + 3*y
    p.locator("#race--gy").fill("3*x + 8*y")
    rev = revision(p)
    p.get_by_role("button", name="Draw").click()
    wait_revision(p, rev)
    wait_idle(p)
    assert p.locator(SEL).get_attribute("data-gradient-check") == "wrong"
    status = p.locator(f"{SEL} .gd-x-fnstatus").inner_text()
    assert "disagrees with central differences" in status and "Worst at (" in status
    assert p.evaluate(STATE_JS)["landscape"] == "custom"
    # an expression that is not Python is reported under the function, without a page error
    p.locator("#race--fx").fill("x**2 +* y")
    p.get_by_role("button", name="Draw").click()
    p.wait_for_function(
        "document.querySelector('#race .gd-x-fnstatus').textContent.includes('not a valid')",
        timeout=60_000)
    assert not p.gd_errors


def test_optimal_values_on_a_quadratic_are_buttons(explorer_url, page):
    p = open_explorer(page, explorer_url)
    rev = revision(p)
    p.select_option("#race--landscape", "ill-conditioned")
    wait_revision(p, rev)
    wait_idle(p)
    row = p.locator(f"{SEL} [data-optimizer=momentum]")
    rev = revision(p)
    row.get_by_role("button", name="α*, β* (heavy ball)").click()
    wait_revision(p, rev)
    values = ex_eval(p, "(ex) => ex.state.find('momentum').values")
    mu, L = 1.0, 10.0
    assert values["lr"] == pytest.approx(4 / (L**0.5 + mu**0.5) ** 2)
    assert values["momentum"] == pytest.approx(((L**0.5 - 1) / (L**0.5 + 1)) ** 2)
    gd_row = p.locator(f"{SEL} [data-optimizer=gradient_descent]")
    rev = revision(p)
    gd_row.get_by_role("button", name="2/(L+μ)").click()
    wait_revision(p, rev)
    gd_lr = ex_eval(p, "(ex) => ex.state.find('gradient_descent').values.lr")
    assert gd_lr == pytest.approx(2 / 11)


def test_the_code_panels_stop_leaves_a_running_page_cell_alone(explorer_url, page):
    """Stop in "Show code" stops the panel's own run (here: still queued behind a page cell),
    not the page cell that is running."""
    p = open_explorer(page, explorer_url)
    p.locator(SEL).get_by_role("button", name="Show code").click()
    panel = p.locator(f"{SEL} .gd-x-code")
    slow = p.locator("#slow")
    slow.get_by_role("button", name="Run", exact=True).click()
    p.wait_for_function("document.getElementById('slow').dataset.state === 'running'",
                        timeout=60_000)
    panel.get_by_role("button", name="Run", exact=True).click()
    assert panel.get_attribute("data-state") == "running"
    assert "Waiting for the running cell" in panel.locator(".gd-cell-status").inner_text()
    stop = panel.get_by_role("button", name="Stop", exact=True)
    assert stop.is_enabled()
    generation = p.evaluate("window.__gdcore.runtime.generation")
    stop.click()
    # the panel's run is dequeued (it says so when the queue reaches it) ...
    p.wait_for_function("document.querySelector('#race .gd-x-code').dataset.state === 'cancelled'",
                        timeout=30_000)
    assert panel.locator(".gd-cell-status").inner_text() == "Stopped before it ran"
    assert panel.locator(".gd-cell-output").inner_text().strip() == ""
    # ... and the page cell was not touched: it finished its sleep in the same Python
    p.wait_for_function("document.getElementById('slow').dataset.state === 'done'",
                        timeout=30_000)
    assert output_text(p, "slow").strip().endswith("slept")
    assert p.evaluate("window.__gdcore.runtime.generation") == generation
    assert not p.gd_errors


# --- Momentum's rate map over (lr, momentum) (the phase/ page of the fixture site) ----------

PSEL = "#phase-race"
PAD = {"l": 34, "t": 6, "r": 8, "b": 32}  # phase.js's margins around the plot

PHASE_JS = """() => {
  const root = document.querySelector('#phase-race');
  const ex = [...window.__gdcore.explorers.values()].find((e) => e.root === root);
  const o = ex.state.find('momentum');
  const run = ex.race.runs.find((r) => r.optimizer === 'Momentum');
  return {values: o.values, active: ex.active && ex.active.name,
          point: root.dataset.phasePoint, marker: root.dataset.phaseMarker.split(',').map(Number),
          rate: Number(root.dataset.phaseRate), runParams: run.params, runRate: run.rate,
          lrOut: document.querySelector('#phase-race--opt-momentum-lr ~ output').textContent,
          mOut: document.querySelector('#phase-race--opt-momentum-momentum ~ output').textContent,
          legend: root.querySelector('.gd-x-phase-legend').textContent,
          revision: Number(root.dataset.revision || 0), grids: ex.rateGrids.size};
}"""


def open_phase(page, url, **options):
    p = page(**options)
    p.goto(url + "phase/")
    p.wait_for_selector(f"{PSEL}.gd-explorer-live", timeout=30_000)
    p.wait_for_function(
        f"Number(document.querySelector('{PSEL}').dataset.revision || 0) >= 1",
        timeout=READY_TIMEOUT_MS,
    )
    return p


def phase_change(p, action) -> dict:
    """Do `action`, wait for the explorer to recompute and return PHASE_JS's state."""
    rev = p.evaluate(PHASE_JS)["revision"]
    action()
    p.wait_for_function(
        f"Number(document.querySelector('{PSEL}').dataset.revision || 0) > {rev}"
        f" && !document.querySelector('{PSEL}').dataset.busy", timeout=60_000)
    return p.evaluate(PHASE_JS)


def marker_px(p, grid, lr, momentum) -> tuple[float, float]:
    """Where phase.js must draw (lr, momentum) on the map, from gdcore's grid and the canvas."""
    import math

    box = p.locator(f"{PSEL} .gd-x-phase-map").bounding_box()
    w = box["width"] - PAD["l"] - PAD["r"]
    h = box["height"] - PAD["t"] - PAD["b"]
    lo, hi = math.log10(grid["lrs"][0]), math.log10(grid["lrs"][-1])
    return (PAD["l"] + (math.log10(lr) - lo) / (hi - lo) * w,
            PAD["t"] + (1 - momentum / grid["momenta"][-1]) * h)


def test_phase_picture_marks_the_sliders_setting_and_sets_it(explorer_url, page):
    import math

    import gdcore as gd
    from gdcore import explore

    p = open_phase(page, explorer_url)
    figure = p.locator(f"{PSEL} .gd-x-phase")
    assert figure.is_visible()
    assert figure.evaluate("(f) => f.closest('.gd-x-below') !== null")  # wide: under the legend
    assert p.locator(f"#{'phase-race'}--phase-on").is_checked()
    # count what the explorer asks of the worker: the rate grid came with the page
    p.evaluate("""() => { const ex = [...window.__gdcore.explorers.values()][0];
        const call = ex.runtime.call.bind(ex.runtime); window.__rateGrids = [];
        ex.runtime.call = (fn, kw) => { window.__rateGrids.push(kw.rate_grid || 0);
                                        return call(fn, kw); }; }""")
    grid = explore.momentum_rate_grid("ill-conditioned")
    mu_L = [grid["mu"], grid["L"]]
    st = p.evaluate(PHASE_JS)
    # the marked setting is the sliders' (and the race's), with gdcore's rate
    assert (st["lrOut"], st["mOut"]) == ("0.18", "0.4")
    assert st["point"] == "0.18,0.4" and st["runParams"]["lr"] == 0.18
    assert st["rate"] == pytest.approx(gd.heavy_ball_rate(mu_L, 0.18, 0.4), rel=1e-12)
    assert st["rate"] == pytest.approx(math.sqrt(0.4), rel=1e-12)
    assert "η = 0.18, β = 0.4, rate 0.632" in st["legend"] and "rate 0.519" in st["legend"]
    want = marker_px(p, grid, 0.18, 0.4)
    assert st["marker"] == pytest.approx(want, abs=0.5)
    # the momentum slider moves the mark
    def slide():
        p.locator("#phase-race--opt-momentum-momentum").focus()
        for _ in range(10):
            p.keyboard.press("ArrowRight")
    st = phase_change(p, slide)
    assert st["mOut"] == "0.5" and st["point"] == "0.18,0.5"
    assert st["marker"] == pytest.approx(marker_px(p, grid, 0.18, 0.5), abs=0.5)
    assert st["rate"] == pytest.approx(gd.heavy_ball_rate(mu_L, 0.18, 0.5), rel=1e-12)
    # a click on the map sets Momentum's lr and momentum there (as its sliders round them)
    canvas = p.locator(f"{PSEL} .gd-x-phase-map")
    box = canvas.bounding_box()
    fx, fy = 0.62, 0.3
    w, h = box["width"] - PAD["l"] - PAD["r"], box["height"] - PAD["t"] - PAD["b"]
    lo, hi = math.log10(grid["lrs"][0]), math.log10(grid["lrs"][-1])
    lr = float(f"{10 ** (lo + fx * (hi - lo)):.3g}")
    beta = round((1 - fy) * 0.99, 2)
    st = phase_change(p, lambda: canvas.click(position={"x": PAD["l"] + fx * w,
                                                        "y": PAD["t"] + fy * h}))
    assert st["values"]["lr"] == pytest.approx(lr, rel=0.02)  # within a pixel's rounding
    assert st["values"]["momentum"] == pytest.approx(beta, abs=0.011)
    assert st["runParams"]["lr"] == st["values"]["lr"]
    assert st["runParams"]["momentum"] == st["values"]["momentum"]
    assert st["mOut"] == f"{st['values']['momentum']:g}"
    assert st["rate"] == pytest.approx(
        gd.heavy_ball_rate(mu_L, st["values"]["lr"], st["values"]["momentum"]), rel=1e-12)
    assert st["marker"] == pytest.approx(
        marker_px(p, grid, st["values"]["lr"], st["values"]["momentum"]), abs=0.5)
    # the keyboard: Up raises the momentum by 0.05, Left lowers the learning rate a notch
    before = st["values"]
    st = phase_change(p, lambda: (canvas.focus(), p.keyboard.press("ArrowUp")))
    assert st["values"]["momentum"] == pytest.approx(before["momentum"] + 0.05)
    assert st["values"]["lr"] == before["lr"]
    st = phase_change(p, lambda: p.keyboard.press("ArrowLeft"))
    assert st["values"]["lr"] < before["lr"] and st["values"]["momentum"] == pytest.approx(
        before["momentum"] + 0.05)
    assert "Set η = " in p.locator(f"{PSEL} .gd-x-phase-help").inner_text()
    # every change above reused the build's rate grid; a new weight decay needs a new one
    assert p.evaluate("window.__rateGrids").count(0) >= 4
    assert set(p.evaluate("window.__rateGrids")) == {0}
    def decay():
        p.locator("#phase-race--opt-momentum-weight_decay").focus()
        p.keyboard.press("ArrowRight")
    st = phase_change(p, decay)
    assert p.evaluate("window.__rateGrids").count(64) == 1 and st["grids"] == 2
    wd = st["values"]["weight_decay"]
    assert st["rate"] == pytest.approx(gd.heavy_ball_rate(
        [1 + wd, 10 + wd], st["values"]["lr"], st["values"]["momentum"]), rel=1e-12)
    assert f"L = {10 + wd:g}" in st["legend"]
    # off on a landscape that is not a quadratic (no toggle), back on the valley
    p.select_option("#phase-race--landscape", "rosenbrock")
    p.wait_for_function(f"!document.querySelector('{PSEL}').dataset.busy", timeout=60_000)
    assert figure.is_hidden() and p.locator("#phase-race--phase-on").is_hidden()
    st = phase_change(p, lambda: p.select_option("#phase-race--landscape", "ill-conditioned"))
    assert figure.is_visible()
    # the link keeps the picture on
    p.locator(PSEL).get_by_role("button", name="Copy link").click()
    link = p.locator(PSEL).get_attribute("data-link")
    assert "phase=1" in link
    round_trip = """(link) => { const ex = [...window.__gdcore.explorers.values()][0];
        return ex.state.parseFragment(new URL(link).hash, ex.id).phase; }"""
    assert p.evaluate(round_trip, link) is True
    p.locator("#phase-race--phase-on").uncheck()
    assert figure.is_hidden()
    p.locator(PSEL).get_by_role("button", name="Copy link").click()
    link = p.locator(PSEL).get_attribute("data-link")
    assert "phase=" not in link and p.evaluate(round_trip, link) is False
    assert not p.gd_errors


def test_phase_picture_on_a_phone_is_in_momentums_row(explorer_url, page):
    p = open_phase(page, explorer_url, viewport={"width": 390, "height": 844})
    assert p.evaluate("document.documentElement.scrollWidth") <= 390
    assert p.evaluate(PHASE_JS)["active"] == "momentum"
    figure = p.locator(f"{PSEL} .gd-x-phase")
    assert figure.evaluate("(f) => f.closest('[data-optimizer=momentum]') !== null")
    # the map and the open row's learning rate in one screen, the picture right under the row
    header = p.locator(".md-header").bounding_box()["height"]
    canvas = p.locator(f"{PSEL} .gd-x-map")
    canvas.evaluate("(c) => c.scrollIntoView({block: 'start'})")
    p.evaluate(f"window.scrollBy(0, -{header + 4})")
    slider = p.locator("#phase-race--opt-momentum-lr").bounding_box()
    assert canvas.bounding_box()["y"] >= header - 1
    assert slider["y"] + slider["height"] <= 844
    box = p.locator(f"{PSEL} .gd-x-phase-map").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390 and box["width"] >= 250
    # a tap sets the values there
    st = phase_change(p, lambda: p.locator(f"{PSEL} .gd-x-phase-map").click(
        position={"x": PAD["l"] + 20, "y": PAD["t"] + 20}))
    assert st["values"]["lr"] < 0.01 and st["values"]["momentum"] > 0.8
    assert st["runParams"]["lr"] == st["values"]["lr"]
    assert not p.gd_errors
