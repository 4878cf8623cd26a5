"""Embedding a page, a cell or an explorer in an iframe: ``?embed`` and ``?embed=<id>``."""

from __future__ import annotations

import pytest
from gdlive import wait_final

pytestmark = pytest.mark.browser


def visible(p, selector: str) -> bool:
    return p.eval_on_selector_all(
        selector, "els => els.some(e => e.offsetParent !== null || e.getClientRects().length)")


def test_embedded_page_has_no_site_chrome(page, site_server):
    p = page(viewport={"width": 800, "height": 700})
    p.goto(f"{site_server}learning-rate/?embed")
    p.wait_for_selector("article h1")
    assert not visible(p, ".md-header") and not visible(p, ".md-sidebar")
    assert not visible(p, ".md-footer")
    assert p.locator("article .gd-cell").count() >= 3 and visible(p, "article .gd-cell")
    # links leave the frame: a new tab, never the iframe
    targets = p.eval_on_selector_all(
        "article a[href]:not([href^='#'])", "as => [...new Set(as.map(a => a.target))]")
    assert targets == ["_blank"]


def test_embedded_cell_alone_runs_with_its_earlier_cells(page, site_server):
    p = page(viewport={"width": 800, "height": 700})
    ids = None
    p.goto(f"{site_server}learning-rate/")
    ids = p.eval_on_selector_all(".gd-cell:not([data-setup='true'])", "cs => cs.map(c => c.id)")
    target = ids[1]
    p.goto(f"{site_server}learning-rate/?embed={target}")
    p.wait_for_selector(f"#{target} .cm-editor")
    shown = p.eval_on_selector_all(
        "article .gd-cell", "cs => cs.filter(c => c.offsetParent !== null).map(c => c.id)")
    assert shown == [target]
    assert not visible(p, "article h1"), "only the cell is shown"
    link = p.locator(".gd-embed-link a")
    href = link.get_attribute("href")
    assert "embed" not in href and href.endswith(f"/learning-rate/#{target}")
    p.locator(f"#{target}").get_by_role("button", name="Run", exact=True).click()
    assert wait_final(p, target, 180) == "done"
    assert p.locator(f"#{target} .gd-out").count() >= 1


def test_embed_of_an_unknown_id_shows_the_page(page, site_server):
    p = page()
    p.goto(f"{site_server}learning-rate/?embed=no-such-cell")
    p.wait_for_selector("article h1")
    assert visible(p, "article h1") and not visible(p, ".md-header")
