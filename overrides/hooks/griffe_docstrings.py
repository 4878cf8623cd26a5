"""Griffe extension: render gdcore's reST-flavoured docstrings as Markdown on the API page.

gdcore's docstrings are Google style with a few reStructuredText habits that read well in
``help()`` but not on the site. At load time (mkdocstrings, nothing else) this rewrites:

* ``.. math::`` blocks into ``$$ ... $$`` and ``:math:`x``` into ``$x$`` (KaTeX renders them);
* ``:class:`~gdcore.loop.Trajectory``` (also ``:func:``, ``:meth:``, ``:data:``, ``:attr:``)
  into a cross-reference ``[`Trajectory`][gdcore.loop.Trajectory]``;
* an ``Example:`` section title into ``Examples:`` so that the ``>>>`` lines become code;
* ``a, b: text`` lines inside ``Args:`` into one line per parameter.

Enabled in ``mkdocs.yml`` under the python handler's ``options.extensions``.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

_ROLE = re.compile(r":(?:class|func|meth|data|attr|mod|obj|exc):`~?([^`]+)`")
_MATH_ROLE = re.compile(r":math:`([^`]+)`")
_EXAMPLE = re.compile(r"^(\s*)Example:\s*$", re.M)
_MODULES = {
    "clip", "dart", "data", "derivatives", "explore", "landscape", "loop", "optim", "plot",
    "schedules", "search", "second_order", "train",
}


def _math_blocks(text: str) -> str:
    lines = text.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        m = re.match(r"^(\s*)\.\. math::\s*(.*)$", lines[i])
        if not m:
            out.append(lines[i])
            i += 1
            continue
        indent, first = m.group(1), m.group(2).strip()
        body = [first] if first else []
        i += 1
        while i < len(lines) and (
            not lines[i].strip() or len(lines[i]) - len(lines[i].lstrip()) > len(indent)
        ):
            if lines[i].strip():
                body.append(lines[i].strip())
            i += 1
        out += [f"{indent}$$", *[f"{indent}{b}" for b in body], f"{indent}$$", ""]
    return "\n".join(out)


def _ref(m: re.Match) -> str:
    target = m.group(1).strip()
    short = target.rsplit(".", 1)[-1]
    parts = target.split(".")
    # Only link names that live in a gdcore submodule (gdcore.<module>.<name>).
    if parts[0] == "gdcore" and len(parts) >= 3 and parts[1] in _MODULES:
        return f"[`{short}`][{target}]"
    return f"`{short}`"


def _split_args(text: str) -> str:
    lines = text.split("\n")
    out: list[str] = []
    in_args, indent = False, ""
    for line in lines:
        stripped = line.strip()
        if re.match(r"^(Args|Arguments|Parameters):\s*$", stripped):
            in_args, indent = True, line[: len(line) - len(line.lstrip())]
            out.append(line)
            continue
        if in_args and stripped and len(line) - len(line.lstrip()) <= len(indent):
            in_args = False
        m = re.match(r"^(\s+)([A-Za-z_]\w*(?:\s*,\s*[A-Za-z_]\w*)+)\s*:(.*)$", line)
        if in_args and m:
            for name in m.group(2).split(","):
                out.append(f"{m.group(1)}{name.strip()}:{m.group(3)}")
            continue
        out.append(line)
    return "\n".join(out)


def convert(text: str) -> str:
    """The Markdown version of one docstring (idempotent)."""
    text = _math_blocks(text)
    text = _MATH_ROLE.sub(lambda m: f"${m.group(1)}$", text)
    text = _ROLE.sub(_ref, text)
    text = _EXAMPLE.sub(lambda m: f"{m.group(1)}Examples:", text)
    return _split_args(text)


class RstToMarkdown(griffe.Extension):
    """Rewrite every docstring of the loaded package with :func:`convert`."""

    def on_object(self, *, obj: Any, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = convert(obj.docstring.value)
