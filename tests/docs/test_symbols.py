"""The table of symbols (docs/symbols.md), the course order and the page footer.

Ledger (claim -> test):
- "one symbol, one meaning": every symbol row of the table is unique
  -> test_every_symbol_has_one_row
- the table publishes the notation the pages use (theta, eta, beta, ...)
  -> test_the_table_has_the_course_symbols
- the course order of issue 10 (batch/SGD before momentum and the adaptive methods)
  -> test_nav_order
- previous/next links at the bottom of every page -> test_footer_links_are_on
- the home page links the table -> test_home_page_links_the_symbols
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SYMBOLS = (ROOT / "docs" / "symbols.md").read_text(encoding="utf-8")
CONFIG = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")

ORDER = ["loss-and-search", "gradients", "minima", "learning-rate", "newton",
         "stochastic", "momentum", "adaptive", "neural-network", "practical"]


def table_rows(text: str) -> list[list[str]]:
    rows = []
    for line in text.splitlines():
        if line.startswith("| ") and not line.startswith("| ---") and "meaning" not in line:
            rows.append([c.strip() for c in line.strip().strip("|").split("|")])
    return rows


def test_every_symbol_has_one_row():
    symbols = [row[0] for row in table_rows(SYMBOLS)]
    assert len(symbols) >= 20
    dupes = {s for s in symbols if symbols.count(s) > 1}
    assert not dupes, f"symbols.md: a symbol with two rows (two meanings?): {dupes}"


def test_the_table_has_the_course_symbols():
    first = " ".join(row[0] for row in table_rows(SYMBOLS))
    for tex in [r"\theta", r"\eta", r"\beta", r"\beta_1", r"\rho", r"\varepsilon",
                r"\lambda", r"\kappa", "$B$", "$n$", r"\nabla f", "$H$"]:
        assert tex in first, f"symbols.md has no row for {tex}"
    assert "never uses" in SYMBOLS, "symbols.md: the list of avoided symbols is missing"


def test_nav_order():
    nav = CONFIG.split("\nnav:\n", 1)[1]
    learn = re.search(r"^  - Learn:\n((?:      - .+\n)+)", nav, re.M)[1]
    pages = [line.split("- ", 1)[1].removesuffix(".md") for line in learn.splitlines()]
    expected = [p for p in ORDER if p in pages]
    assert pages == expected, f"Learn nav out of the course order: {pages}"
    assert set(ORDER) - {"neural-network"} <= set(pages)
    top = re.findall(r"^  - ([^:\n]+):", nav, re.M)
    assert top == ["Home", "Learn", "Playground", "Symbols", "API reference",
                   "For teachers"], top
    assert "  - Symbols: symbols.md" in nav


def test_footer_links_are_on():
    features = CONFIG.split("  features:\n", 1)[1].split("\n  palette:", 1)[0]
    assert "- navigation.footer" in features, "previous/next page links are off"


def test_home_page_links_the_symbols():
    home = (ROOT / "docs" / "index.md").read_text(encoding="utf-8")
    assert "(symbols.md)" in home, "the home page does not link the table of symbols"
