"""The ``pycell`` fence: its options, the cell's HTML and its pre-rendered output's HTML.

``pymdownx.superfences`` calls :meth:`CellFence.validate` and :meth:`CellFence.format` for
every ``pycell`` block; the cell's output is a placeholder comment until the page's cells have
run (:func:`fill_outputs`). The HTML follows the contract in ``overrides/README.md``.

>>> fence = CellFence()
>>> opts = {}
>>> fence.validate("pycell", {"id": "demo"}, opts, {}, None)
True
>>> fence.format("print(1)\\n", "pycell", "gd-cell", opts, None)[:60]
'<div class="gd-cell" id="demo" data-cell="demo" data-code="p'
>>> fill_outputs("<!--gd-cell-output:1-->", {1: {"stdout": "1\\n", "figures": []}})
'<pre class="gd-out gd-out-stdout">1\\n</pre>'
"""

from __future__ import annotations

import base64
import html
import re
import struct
from dataclasses import dataclass, field

NAME = "pycell"
OPTIONS = ("id", "setup", "prerender", "error", "height", "exercise")
ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
ERROR_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
PLACEHOLDER_RE = re.compile(r"<!--gd-cell-output:(\d+)-->")
MAX_OUTPUT_CHARS = 100_000  # per stream, per cell, in the pre-rendered HTML
# A longer stream keeps its head (the first HEAD_LINES lines, at most MAX_OUTPUT_CHARS
# characters) and its tail (the last TAIL_LINES lines, at most TAIL_CHARS characters), with
# the page's note between them: the numbers of protocol.js LIMITS (lines, tailLines, tailChars).
HEAD_LINES = 2000
TAIL_LINES = 20
TAIL_CHARS = 8000


@dataclass
class Cell:
    """One ``pycell`` block of a page, numbered in the order the formatter saw it."""

    serial: int
    code: str
    id: str | None
    setup: bool = False
    prerender: bool = True
    error: str | None = None
    height: int | None = None
    exercise: bool = False  # the starter of an exercise (sitebuild/exercises.py)
    problems: list[str] = field(default_factory=list)
    check: str | None = None  # an exercise's pycheck, pysolution and pyhint blocks
    solution: str | None = None
    hints: list[str] = field(default_factory=list)


def parse_options(inputs: dict[str, str]) -> tuple[dict, list[str]]:
    """The fence header's options, and what is wrong with them (one sentence each)."""
    opts: dict = {"id": None, "setup": False, "prerender": True, "error": None, "height": None,
                  "exercise": False}
    problems = []
    for key, value in inputs.items():
        if key not in OPTIONS:
            problems.append(f"unknown option {key}={value!r} (allowed: {', '.join(OPTIONS)})")
        elif key == "id":
            if not ID_RE.match(value):
                problems.append(
                    f"invalid id={value!r}: use lowercase letters, digits and hyphens, "
                    "starting with a letter or digit"
                )
            opts["id"] = value
        elif key in ("setup", "prerender", "exercise"):
            if value not in ("true", "false"):
                problems.append(f'{key}={value!r} must be "true" or "false"')
            else:
                opts[key] = value == "true"
        elif key == "error":
            if not ERROR_RE.match(value):
                problems.append(
                    f"error={value!r} must be an exception class name such as \"ValueError\""
                )
            opts["error"] = value
        elif key == "height":
            if not value.isdigit() or not 1 <= int(value) <= 200:
                problems.append(f"height={value!r} must be a whole number of lines in [1, 200]")
            else:
                opts["height"] = int(value)
    return opts, problems


def _highlight(code: str, md) -> str:  # noqa: ANN001
    """Highlight like every other ```python block (pymdownx.highlight + pygments)."""
    try:
        fenced = md.preprocessors["fenced_code_block"]
        return fenced.highlight(
            src=code, language="python", options={}, md=md, classes=[], id_value="", attrs={}
        )
    except Exception:  # only without superfences' highlighter (and in the doctest)
        return f'<pre><code class="language-python">{html.escape(code)}</code></pre>'


def cell_html(cell: Cell, code_html: str) -> str:
    """A cell's element (README: "Cells"), its output a placeholder for :func:`fill_outputs`."""
    cid = html.escape(cell.id or f"cell-{cell.serial}")
    attrs = [f'class="gd-cell" id="{cid}" data-cell="{cid}"']
    if cell.exercise:  # exercises.fill_exercises adds data-check, data-solution, data-hints
        attrs.append('data-exercise="true"')
    if cell.error:
        attrs.append(f'data-expect-error="{html.escape(cell.error)}"')
    if cell.height:
        attrs.append(f'data-height="{cell.height}"')
    if not cell.prerender:
        attrs.append('data-prerender="false"')
    if cell.setup:
        attrs.append('data-setup="true" hidden')
    # The code travels in an attribute, not an inline <script>: material's instant navigation
    # re-creates every <script> of the new page without its type, so JSON would run as JS.
    attrs.append(f'data-code="{html.escape(cell.code, quote=True)}"')
    return (
        f"<div {' '.join(attrs)}>"
        f'<div class="gd-cell-code">{code_html}</div>'
        f'<div class="gd-cell-output" role="log" aria-live="polite" '
        f'aria-label="Output of cell {cid}"><!--gd-cell-output:{cell.serial}--></div>'
        f"</div>"
    )


class CellFence:
    """The superfences validator and formatter of one build; ``cells`` are those of the page
    being converted (the hook clears them before each page)."""

    def __init__(self) -> None:
        self.cells: dict[int, Cell] = {}
        self.serial = 0

    def validate(self, language, inputs, options, attrs, md) -> bool:  # noqa: ANN001
        """superfences validator: accept every header, keeping its problems for the report."""
        opts, problems = parse_options(inputs)
        options["gd"] = opts
        options["gd_problems"] = problems
        return True

    def format(self, src, language, class_name, options, md, **kwargs) -> str:  # noqa: ANN001
        """superfences formatter: the cell's HTML (outputs are filled in later)."""
        opts = dict(options.get("gd") or parse_options({})[0])
        problems = list(options.get("gd_problems") or [])
        if opts["id"] is None and kwargs.get("id_value"):
            opts["id"] = kwargs["id_value"]
        if opts["id"] is None:
            problems.append('missing id: every pycell needs id="some-name" (unique on the page)')
        if opts["setup"] and not opts["prerender"]:
            problems.append('setup="true" cells always run: drop prerender="false"')
        self.serial += 1
        cell = Cell(serial=self.serial, code=src.rstrip("\n"), problems=problems, **opts)
        self.cells[cell.serial] = cell
        return cell_html(cell, _highlight(cell.code, md))


def page_problems(cells: list[Cell], heading_ids: set[str]) -> list[str]:
    """What is wrong with a page's cells: their options, duplicate ids, ids of headings."""
    problems = [f"cell '{c.id or '?'}': {p}" for c in cells for p in c.problems]
    seen: dict[str, int] = {}
    for c in cells:
        if c.id:
            seen[c.id] = seen.get(c.id, 0) + 1
    problems += [f"duplicate cell id '{i}' ({n} cells)" for i, n in seen.items() if n > 1]
    problems += [f"cell id '{i}' is also a heading's anchor: rename one"
                 for i in heading_ids & set(seen)]
    return problems


# --------------------------------------------------------------------------- output HTML


def _pre(kind: str, text: str | None, extra: str = "") -> str:
    if not text:
        return ""
    if len(text) > MAX_OUTPUT_CHARS:
        text = text[:MAX_OUTPUT_CHARS] + f"\n… output truncated ({len(text):,} characters)\n"
    if text.startswith("\n"):  # HTML drops the first newline inside <pre>
        text = "\n" + text
    return f'<pre class="gd-out gd-out-{kind}{extra}">{html.escape(text)}</pre>'


def _count(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def split_stream(text: str) -> tuple[str, str, str]:
    """A stream's (head, omitted, tail): all of it in head if it is short enough, else its
    first HEAD_LINES lines (at most MAX_OUTPUT_CHARS characters) and its last TAIL_LINES
    lines (at most TAIL_CHARS characters), as the page shows a long output.

    >>> split_stream("a\\nb\\n")
    ('a\\nb\\n', '', '')
    >>> head, omitted, tail = split_stream("".join(f"{i}\\n" for i in range(3000)))
    >>> head.count("\\n"), omitted.count("\\n"), tail.count("\\n"), tail[:5], tail[-5:]
    (2000, 980, 20, '2980\\n', '2999\\n')
    """
    head_end = 0
    for _ in range(HEAD_LINES):
        nl = text.find("\n", head_end)
        if nl == -1:
            head_end = len(text)
            break
        head_end = nl + 1
    head_end = min(head_end, MAX_OUTPUT_CHARS)
    if head_end >= len(text):
        return text, "", ""
    tail_start = len(text)
    for _ in range(TAIL_LINES):
        nl = text.rfind("\n", 0, tail_start - 1) if tail_start > 0 else -1
        tail_start = nl + 1
        if nl == -1:
            break
    tail_start = max(tail_start, len(text) - TAIL_CHARS, head_end)
    return text[:head_end], text[head_end:tail_start], text[tail_start:]


def _stream(kind: str, text: str | None) -> str:
    """A stream's <pre>; a long one as head, "… N lines not shown …" and tail (output.js)."""
    if not text:
        return ""
    head, omitted, tail = split_stream(text)
    if not omitted and not tail:
        return _pre(kind, head)
    lines = omitted.count("\n")
    note = _count(lines, "line") if lines else _count(len(omitted), "character")
    return (
        _pre(kind, head)
        + f'<p class="gd-note gd-note-truncated">… {note} not shown …</p>'
        + _pre(kind, tail, " gd-out-tail")
    )


def _png_size(png_base64: str) -> tuple[int, int] | None:
    head = base64.b64decode(png_base64[:44])
    if head[:8] != b"\x89PNG\r\n\x1a\n" or len(head) < 24:
        return None
    return struct.unpack(">II", head[16:24])


def _figure(fig: dict) -> str:
    size = _png_size(fig["png_base64"])
    dims = f' width="{size[0]}" height="{size[1]}"' if size else ""
    return (
        f'<figure class="gd-out gd-out-figure"><img src="data:image/png;base64,'
        f'{fig["png_base64"]}" alt="{html.escape(fig.get("alt") or "Figure")}"{dims}></figure>'
    )


def output_html(result: dict | None) -> str:
    """A cell result (``dataclasses.asdict`` of cellrun's CellResult) as the page shows it:
    stdout, stderr, result, error, figures (the order output.js renders them in too)."""
    if result is None:
        return ""
    parts = [
        _stream("stdout", result.get("stdout")),
        _stream("stderr", result.get("stderr")),
        _pre("result", result.get("result")),
        _pre("error", result.get("error")),
        *(_figure(f) for f in result.get("figures") or ()),
    ]
    return "".join(parts)


def fill_outputs(page_html: str, results: dict[int, dict]) -> str:
    """Replace each cell's output placeholder by its result's HTML (serial -> result)."""
    return PLACEHOLDER_RE.sub(lambda m: output_html(results.get(int(m.group(1)))), page_html)


def serials(page_html: str) -> list[int]:
    """The serial numbers of the cells on a converted page, in document order."""
    return [int(s) for s in PLACEHOLDER_RE.findall(page_html)]
