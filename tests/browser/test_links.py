"""Links to an explorer or a hidden setup cell land on something visible and highlight it."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

TARGET_JS = """() => {
  const t = document.querySelector('.gd-cell-target');
  if (!t) return null;
  const r = t.getBoundingClientRect(), top = document.querySelector('.md-top');
  const shown = top && top.getClientRects().length && getComputedStyle(top).visibility !== 'hidden';
  const tr = shown ? top.getBoundingClientRect() : null;
  const covered = !!tr && tr.bottom > r.top && tr.top < r.bottom && tr.right > r.left
    && tr.left < r.right;
  return {id: t.id, cls: t.className, top: r.top, bottom: r.bottom, h: innerHeight, covered};
}"""


def landed(p, url: str) -> dict:
    p.goto(url, timeout=90_000)
    p.wait_for_function("() => document.querySelector('.gd-cell-target')")
    return p.evaluate(TARGET_JS)


def test_a_link_to_an_explorer_highlights_it_on_screen(page, site_server):
    p = page(viewport={"width": 1280, "height": 800})
    t = landed(p, f"{site_server}momentum/#momentum-race")
    assert t["id"] == "momentum-race" and "gd-explorer" in t["cls"]
    assert t["top"] < t["h"] and t["bottom"] > 0, "scrolled into view"
    assert not t["covered"]


def test_a_link_to_a_hidden_setup_cell_highlights_what_follows(page, site_server):
    p = page(viewport={"width": 1280, "height": 800})
    t = landed(p, f"{site_server}authoring/#authoring-setup")
    assert t["id"] != "authoring-setup" and t["top"] < t["h"] and t["bottom"] > 0
    assert p.eval_on_selector("#authoring-setup", "c => !c.getClientRects().length")
