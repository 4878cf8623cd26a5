"""Printing a page (Chromium's page.pdf, read back with poppler's pdftotext): a handout.

No button or control text on paper, every line of every cell's code printed whole (wrapped,
never cut at the margin), the explorer as its picture only, solutions closed unless the
reader opened them. The PDF page counts are printed for the closing note (``-s``).
"""

from __future__ import annotations

import re
import subprocess

import pytest

pytestmark = pytest.mark.browser

PAGES = ["learning-rate", "momentum", "playground"]


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def phrase(text: str) -> str:
    """The longest run of plain words in a text (math and numbers print differently)."""
    runs = re.findall(r"[A-Za-z]{3,}(?:[ ,][A-Za-z]{2,})+", text)
    return squash(max(runs, key=len))


def printed(p, tmp_path, name: str) -> str:
    pdf = tmp_path / f"{name}.pdf"
    p.emulate_media(media="print")
    p.pdf(path=str(pdf), format="A4")
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    pages = re.search(r"^Pages:\s+(\d+)", info.stdout, re.M).group(1)
    print(f"{name}: {pages} PDF pages")
    out = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                         text=True, check=True)
    return out.stdout


def open_page(page, site_server, name: str):
    p = page(viewport={"width": 1280, "height": 900})
    p.goto(f"{site_server}{name}/", timeout=90_000)
    p.wait_for_selector(".gd-cell .cm-editor")
    return p


@pytest.mark.parametrize("name", PAGES)
def test_printed_page_has_no_controls_and_every_code_line(page, site_server, tmp_path, name):
    p = open_page(page, site_server, name)
    codes = p.eval_on_selector_all(
        ".gd-cell:not([data-setup='true'])", "cs => cs.map(c => c.dataset.code || '')")
    buttons = p.eval_on_selector_all(
        ".gd-cell-bar button, .gd-explorer button",
        "bs => [...new Set(bs.map(b => b.textContent.trim()).filter(Boolean))]")
    text = printed(p, tmp_path, name)
    flat = squash(text)
    # every code line of every visible cell is on paper, whole
    missing = [line for code in codes for line in code.splitlines()
               if line.strip() and squash(line) not in flat]
    assert not missing, f"{name}: code lines cut or missing on paper: {missing[:5]}"
    # no button is displayed in print, and the distinctive labels are not on paper
    shown = p.eval_on_selector_all(
        "button", "bs => bs.filter(b => b.offsetParent !== null).map(b => b.textContent.trim())")
    assert shown == [], f"{name}: buttons printed: {shown[:8]}"
    assert buttons, "the page should have cell buttons on screen"
    prose = p.locator("article").inner_text()  # print media: what is displayed
    for label in ("Copy link", "Reset"):
        assert text.count(label) <= prose.count(label), f"{name}: a {label!r} button printed"


def test_solutions_print_closed_unless_opened(page, site_server, tmp_path):
    p = open_page(page, site_server, "learning-rate")
    solutions = p.locator("details.success")
    assert solutions.count() >= 2
    opened = solutions.nth(0)
    opened.locator("summary").click()
    p.wait_for_function("d => d.open", arg=opened.element_handle())
    texts = [phrase(solutions.nth(i).evaluate(
        "d => [...d.children].filter(c => c.tagName !== 'SUMMARY')"
        ".map(c => c.textContent).join(' ')")) for i in range(solutions.count())]
    flat = squash(printed(p, tmp_path, "learning-rate-solutions"))
    assert texts[0] in flat, "the solution the reader opened is printed"
    for t in texts[1:]:
        assert t not in flat, "a solution the reader did not open is printed"


def test_explorer_prints_as_its_picture(page, site_server):
    p = open_page(page, site_server, "momentum")
    p.wait_for_selector(".gd-explorer canvas")
    p.emulate_media(media="print")
    visible = p.eval_on_selector_all(
        ".gd-explorer button, .gd-explorer input, .gd-explorer select, .gd-explorer label",
        "els => els.filter(e => e.offsetParent !== null).length")
    assert visible == 0
    canvases = p.eval_on_selector_all(
        ".gd-explorer canvas", "cs => cs.filter(c => c.offsetParent !== null).length")
    assert canvases >= 1, "the map is printed"
