"""HTML ids of a built page: every one unique, so a link `page/#id` lands in one place.

A cell's id, an explorer's id (and its controls' ``<id>--...`` ids), a heading's anchor and
material's own ids share one namespace per page; a clash sends a teacher's link to the wrong
element (before this check, a playground link landed on the explorer's Landscape menu).
"""

from __future__ import annotations

from collections import Counter
from html.parser import HTMLParser


class _Ids(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name == "id" and value is not None:
                self.ids.append(value)


def duplicate_ids(html: str) -> list[str]:
    """The ids that more than one element of ``html`` carries, sorted.

    >>> duplicate_ids('<p id="a"></p><div id="b"><span id="a"></span></div>')
    ['a']
    >>> duplicate_ids('<pre data-code="&lt;p id=&quot;a&quot;&gt;" id="a"></pre>')
    []
    """
    parser = _Ids()
    parser.feed(html)
    parser.close()
    return sorted(i for i, n in Counter(parser.ids).items() if n > 1)
