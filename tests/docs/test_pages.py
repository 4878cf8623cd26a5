"""What every teaching page (the "Learn" section of mkdocs.yml) must have and do.

Structure (tests/docs/conftest.py ``structure_problems``): at least three cells with stable
ids, key takeaways and exercises with collapsed solutions, footnotes that match. Cells: run
top to bottom in one namespace, like the build, without an error, a stray final value, more
than 30 lines of output, or a figure without alt text. The per-page test files check the
numbers each page states.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def learn_pages() -> list[str]:
    nav = (ROOT / "mkdocs.yml").read_text(encoding="utf-8").split("\nnav:\n", 1)[1]
    section = re.search(r"^  - Learn:\n((?:      - .+\n)+)", nav, re.M)
    assert section, "mkdocs.yml has no Learn section in its nav"
    return [line.split("- ", 1)[1].removesuffix(".md") for line in section[1].splitlines()]


PAGES = learn_pages()


def test_the_course_has_all_its_pages():
    assert len(PAGES) >= 9
    assert PAGES[0] == "loss-and-search" and "learning-rate" in PAGES


@pytest.mark.parametrize("page", PAGES)
def test_page_structure(page_structure, page):
    assert page_structure(page) == []


@pytest.mark.parametrize("page", PAGES)
def test_every_cell_runs_with_alt_text_and_short_output(run_page, page):
    results = run_page(page)
    assert len(results) >= 3
    for cell_id, r in results.items():
        assert r.error is None, f"{cell_id}: {r.error}"
        assert r.result is None, f"{cell_id} shows a stray value: {r.result}"
        assert r.stdout.count("\n") <= 30, cell_id
        for fig in r.figures:
            assert fig["alt"].strip(), cell_id
