"""Every HTML id of a built page is unique (overrides/sitebuild/ids.py and hooks/ids.py)."""

from __future__ import annotations

import re
from collections import Counter

from overrides.sitebuild.ids import duplicate_ids


def test_duplicate_ids_found_and_escaped_text_ignored():
    assert duplicate_ids('<a id="x"></a><b id="y"></b><i id="x"></i>') == ["x"]
    assert duplicate_ids('<div data-code="id=&quot;x&quot;" id="x"></div>') == []
    assert duplicate_ids("<p>no ids</p>") == []


def test_build_fails_on_a_duplicate_id_naming_page_and_id(mkdocs_project):
    build = mkdocs_project({
        "index.md": "# Home\n\n<p id=\"twice\">one</p>\n\n<p id=\"twice\">two</p>\n",
    })
    result = build()
    assert result.returncode != 0
    assert "index.md" in result.output and "'twice'" in result.output, result.output[-2000:]


def test_no_page_of_the_site_repeats_an_id(built_site):
    pages = [p for p in built_site.rglob("index.html") if "assets" not in p.parts]
    assert len(pages) >= 10
    for page in pages:
        text = page.read_text(encoding="utf-8")
        ids = Counter(re.findall(r'\sid="([^"]+)"', text))
        assert not [i for i, n in ids.items() if n > 1], page
