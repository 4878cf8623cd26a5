"""Each page with code cells as a Jupyter notebook (``.ipynb``), built with nbformat.

The notebook holds the page's prose as Markdown cells and its ``pycell`` cells as code
cells, in page order, with the outputs the build pre-rendered (read from the cell cache of
:mod:`~overrides.sitebuild.execution`: no cell runs a second time). Its first code cell
installs gdcore from the site's own wheel (gdcore is not on PyPI), in Jupyter, Colab and
JupyterLite alike.

Where the cells are: the page's Markdown goes through the site's own Markdown
preprocessors (snippets, whitespace, ``pymdownx.superfences``) with the ``pycell`` fence
handled by :class:`~overrides.sitebuild.fence.CellFence` (the same options, ids and code as
the page's cells). Superfences leaves one placeholder line per fenced block; a ``pycell``
placeholder splits the prose, any other code fence gets its original text back, another
custom fence (the explorer) becomes a link to the page.

What Jupyter cannot render is rewritten (:func:`jupyter_markdown`): admonitions and
collapsible blocks become a bold title over a quoted block, content tabs a bold title
over their content, footnotes superscript numbers and a numbered list, attribute lists
are dropped, and relative links point at the deployed site. Math (``$..$``, ``$$..$$``)
is left as it is.

>>> jupyter_markdown('!!! note "Why"\\n    Because.', lambda url: url)
'> **Why**\\n>\\n> Because.'
"""

from __future__ import annotations

import copy
import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import markdown as markdown_lib
import nbformat
from markdown.util import HTML_PLACEHOLDER_RE

from . import exercises, fence

NBFORMAT_MINOR = 5
#: The first line of a code cell that is hidden on the page (a ``setup="true"`` cell).
SETUP_MARK = "# Setup cell (hidden on the page): it runs before the others."
INSTALL_MARK = "# Install gdcore"
#: Preprocessors run to find the fences: includes first, then fences (md_in_html's and
#: the other HTML stashes are left out, so raw HTML stays as written).
PREPROCESSORS = ("snippets", "normalize_whitespace", "fenced_code_block")


class NotebookError(Exception):
    """A page whose notebook cannot be made (names the page and says why)."""


@dataclass
class Piece:
    """A stretch of a page: prose (``markdown``) or one ``cell``."""

    markdown: str | None = None
    cell: fence.Cell | None = None


# --------------------------------------------------------------------------- splitting


def _fence_config(mdx_configs: dict, cells: fence.CellFence, fences_seen: dict) -> dict:
    """The site's Markdown extension settings, with our formatters for the custom fences."""
    configs = copy.copy(mdx_configs)
    sf = dict(configs.get("pymdownx.superfences") or {})
    custom = []
    for entry in sf.get("custom_fences", []):
        entry = dict(entry)
        if entry.get("name") == fence.NAME:
            entry["validator"] = cells.validate
            entry["format"] = cells.format
        else:
            name = entry.get("name")

            def validate(language, inputs, options, attrs, md):  # noqa: ANN001, ANN202
                options["gd_inputs"] = dict(inputs)
                return True

            def format_other(src, language, class_name, options, md, _name=name, **kw):  # noqa: ANN001, ANN202
                key = f"gd-nb-fence-{len(fences_seen)}"
                fences_seen[key] = (_name, options.get("gd_inputs") or {})
                return f"<!--{key}-->"

            entry["validator"], entry["format"] = validate, format_other
        custom.append(entry)
    sf["custom_fences"] = custom
    configs["pymdownx.superfences"] = sf
    return configs


def split_page(text: str, extensions: list, mdx_configs: dict) -> tuple[list[Piece], dict]:
    """The page's Markdown as prose pieces and cells, in order; and the other custom fences
    met (``<!--key-->`` -> (fence name, options)), whose markers the prose still holds."""
    cells = fence.CellFence()
    others: dict[str, tuple[str, dict]] = {}
    md = markdown_lib.Markdown(extensions=extensions,
                               extension_configs=_fence_config(mdx_configs, cells, others))
    lines = text.split("\n")
    for name in PREPROCESSORS:
        if name in md.preprocessors:
            lines = md.preprocessors[name].run(lines)
    fenced = md.preprocessors["fenced_code_block"]
    pieces: list[Piece] = []
    prose: list[str] = []
    dedent = 0  # a cell inside an indented block: the prose after it continues that block
    for line in lines:
        m = HTML_PLACEHOLDER_RE.search(line)
        if not m:
            prose.append(line[dedent:] if line[:dedent].isspace() else line)
            continue
        stored = md.htmlStash.rawHtmlBlocks[int(m.group(1))]
        serials = fence.serials(stored) if isinstance(stored, str) else []
        prefix = line[: m.start()]
        if serials:
            pieces.append(Piece(markdown="\n".join(prose)))
            prose = []
            pieces.append(Piece(cell=cells.cells[serials[0]]))
            dedent = len(prefix) if prefix.isspace() else 0
            continue
        if isinstance(stored, str) and stored[4:-3] in others:  # another custom fence
            prose.append(prefix + stored)
            continue
        original, pos = fenced.extension.stash.get(m.group(0)[1:-1], (None, None))
        if original is not None:  # an ordinary code fence: its text as written
            prose.extend(prefix + part for part in fenced.reindent(original, pos, 0))
        else:  # raw HTML
            prose.append(prefix + (stored if isinstance(stored, str) else ""))
    pieces.append(Piece(markdown="\n".join(prose)))
    return pieces, others


# --------------------------------------------------------------------------- Markdown

ADMONITION_RE = re.compile(r'^(\s*)(?:!!!|\?\?\?\+?)\s+([\w-]+(?:\s+[\w-]+)*)\s*(?:"(.*)")?\s*$')
TAB_RE = re.compile(r'^(\s*)===\+?\s+"(.*)"\s*$')
FOOTNOTE_DEF_RE = re.compile(r"^\[\^([^\]\s]+)\]:\s?(.*)$")
FOOTNOTE_REF_RE = re.compile(r"\[\^([^\]\s]+)\](?!:)")
LINK_RE = re.compile(r"(!?\[(?:[^\]\[]|\[[^\]]*\])*\])\(\s*<?([^)\s>]+)>?(\s+\"[^\"]*\")?\s*\)")
REF_DEF_RE = re.compile(r"^(\s*\[[^\]^][^\]]*\]:\s*)(\S+)(.*)$")
ATTR_LIST_RE = re.compile(r"\s*\{:?\s*[.#][^}\n]*\}")
CODE_SPAN_RE = re.compile(r"(`+)(?:.+?)\1")


def _outside_code(line: str, fn: Callable[[str], str]) -> str:
    """Apply ``fn`` to a line with its inline code spans set aside (a link's text may hold
    code: the spans become tokens while ``fn`` runs, then come back as they were)."""
    spans: list[str] = []

    def hide(m: re.Match) -> str:
        spans.append(m.group(0))
        return f"\x00{len(spans) - 1}\x00"

    done = fn(CODE_SPAN_RE.sub(hide, line))
    return re.sub("\x00(\\d+)\x00", lambda m: spans[int(m.group(1))], done)


def _block(lines: list[str], start: int, indent: int) -> tuple[list[str], int]:
    """The lines of an indented block after ``lines[start]`` (dedented), and where it ends."""
    body, i = [], start + 1
    while i < len(lines):
        line = lines[i]
        if line.strip() and len(line) - len(line.lstrip()) < indent + 4:
            break
        body.append(line[indent + 4:])
        i += 1
    while body and not body[-1].strip():
        body.pop()
        i -= 1
    return body, i


def _blocks(lines: list[str]) -> list[str]:
    """Admonitions and content tabs as plain Markdown (nested ones too)."""
    out: list[str] = []
    i = 0
    fenced = False
    while i < len(lines):
        line = lines[i]
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        m = None if fenced else ADMONITION_RE.match(line)
        t = None if fenced or m else TAB_RE.match(line)
        if m:
            ws, kind, title = m.group(1), m.group(2), m.group(3)
            body, i = _block(lines, i, len(ws))
            if title is None:
                title = kind.split()[0].capitalize()
            quoted = ([f"**{title}**", ""] if title else []) + _blocks(body)
            out += [ws + (f"> {q}" if q else ">") for q in quoted]
            continue
        if t:
            ws, title = t.group(1), t.group(2)
            body, i = _block(lines, i, len(ws))
            out += [f"{ws}**{title}**", ""] + [ws + b if b else b for b in _blocks(body)]
            continue
        out.append(line)
        i += 1
    return out


def jupyter_markdown(text: str, link: Callable[[str], str],
                     footnotes: dict[str, int] | None = None) -> str:
    """Page Markdown as Markdown that Jupyter renders (see the module's docstring).

    ``link`` maps a link target as written to the one the notebook uses; ``footnotes``
    numbers footnote labels across a page's pieces (filled in as they are met).

    >>> jupyter_markdown("See [it](a.md)[^x].\\n\\n[^x]: A note.", lambda u: "/" + u)
    'See [it](/a.md)<sup>1</sup>.\\n\\n- <sup>1</sup> A note.'
    """
    notes = {} if footnotes is None else footnotes

    def number(label: str) -> int:
        return notes.setdefault(label, len(notes) + 1)

    def inline(part: str) -> str:
        part = FOOTNOTE_REF_RE.sub(lambda m: f"<sup>{number(m.group(1))}</sup>", part)
        part = LINK_RE.sub(lambda m: f"{m.group(1)}({link(m.group(2))}{m.group(3) or ''})",
                           part)
        return ATTR_LIST_RE.sub("", part)

    out: list[str] = []
    fenced = False
    for line in _blocks(text.split("\n")):
        if line.lstrip("> ").startswith(("```", "~~~")):
            fenced = not fenced
        if fenced or line.lstrip("> ").startswith(("```", "~~~")):
            out.append(line)
            continue
        d = FOOTNOTE_DEF_RE.match(line)
        if d:
            line = f"- <sup>{number(d.group(1))}</sup> " + d.group(2)
        r = REF_DEF_RE.match(line)
        if r:
            out.append(r.group(1) + link(r.group(2)) + r.group(3))
            continue
        out.append(_outside_code(line, inline))
    return "\n".join(out).strip("\n")


def site_link(target: str, page_src: str, page_url: str, site_url: str,
              url_of: Callable[[str], str | None]) -> str:
    """A link as written on a page, as an absolute link to the deployed site.

    >>> site_link("b.md#x", "a.md", "a/", "https://s/", lambda p: p[:-3] + "/")
    'https://s/b/#x'
    >>> site_link("#x", "a.md", "a/", "https://s/", lambda p: None)
    'https://s/a/#x'
    """
    parts = urlsplit(target)
    if parts.scheme or target.startswith("//") or target.startswith("mailto:"):
        return target
    if not parts.path:
        return urljoin(site_url, page_url) + target
    path = posixpath.normpath(posixpath.join(posixpath.dirname(page_src), parts.path))
    url = url_of(path)
    if url is None:  # a file the site copies as it is (an image): same place in the site
        url = path
    anchor = f"#{parts.fragment}" if parts.fragment else ""
    query = f"?{parts.query}" if parts.query else ""
    return urljoin(site_url, url) + query + anchor


# --------------------------------------------------------------------------- notebook


def cell_outputs(result: dict | None, count: int | None) -> list:
    """A cell result (``dataclasses.asdict`` of cellrun's CellResult) as notebook outputs,
    in the page's order: stdout, stderr, result, error, figures."""
    if result is None:
        return []
    v4 = nbformat.v4
    outs = []
    for name in ("stdout", "stderr"):
        if result.get(name):
            outs.append(v4.new_output("stream", name=name, text=result[name]))
    if result.get("result") is not None:
        outs.append(v4.new_output("execute_result", data={"text/plain": result["result"]},
                                  execution_count=count))
    if result.get("error"):
        error = result["error"].rstrip("\n")
        last = error.splitlines()[-1] if error else ""
        ename = result.get("error_type") or "Error"
        evalue = last.split(": ", 1)[1] if last.startswith(f"{ename}: ") else ""
        outs.append(v4.new_output("error", ename=ename, evalue=evalue,
                                  traceback=error.splitlines()))
    for fig in result.get("figures") or ():
        outs.append(v4.new_output("display_data", data={
            "image/png": fig["png_base64"], "text/plain": fig.get("alt") or "Figure"}))
    return outs


def install_code(wheel_url: str) -> str:
    """The first code cell: gdcore from the site's wheel, with matplotlib (its ``plot``
    extra: the pages draw figures), in Jupyter, Colab or JupyterLite."""
    return (
        f"{INSTALL_MARK}, the library of this course, from the course site (it is not on\n"
        "# PyPI), with matplotlib for the figures. In a clone of its repository,\n"
        "# `pip install -e '.[plot]'` does the same.\n"
        "import sys\n\n"
        'if sys.platform == "emscripten":  # JupyterLite (Pyodide): pip is piplite\n'
        "    import piplite\n\n"
        f'    await piplite.install(["matplotlib", "{wheel_url}"])\n'
        "else:  # Jupyter, JupyterLab, Colab, VS Code\n"
        f'    %pip install --quiet "gdcore[plot] @ {wheel_url}"'
    )


def _unique(cid: str, used: set[str]) -> str:
    n, out = 1, cid
    while out in used:
        n += 1
        out = f"{cid}-{n}"
    used.add(out)
    return out


def _other_fence(name: str, opts: dict, page_url: str) -> str:
    """What a notebook shows for a custom fence other than a cell: a link to the page.

    An exercise's check and solution stay hidden on the site (its hints too: they unlock
    there); the notebook gives the starter cell and one line pointing to **Check**.
    """
    if name in exercises.KINDS:
        if name != "pycheck":
            return ""
        target = f"{page_url}#{opts['for']}" if opts.get("for") else page_url
        return f"*Check your answer on the page: [open the exercise there]({target}).*"
    anchor = f"#{opts['id']}" if opts.get("id") else ""
    return f"*The {name} is interactive on the page: [open it there]({page_url}{anchor}).*"


def build_notebook(*, title: str, page_url: str, pieces: list[Piece],
                   others: dict[str, tuple[str, dict]], results: dict[int, dict],
                   wheel_url: str, link: Callable[[str], str]) -> nbformat.NotebookNode:
    """The notebook of one page (see the module's docstring); ``page_url`` is absolute."""
    v4 = nbformat.v4
    used: set[str] = set()
    footnotes: dict[str, int] = {}
    nb_cells = []
    count = 0
    for piece in pieces:
        if piece.cell is None:
            text = piece.markdown
            for key, (name, opts) in others.items():
                text = text.replace(f"<!--{key}-->", _other_fence(name, opts, page_url))
            text = jupyter_markdown(text, link, footnotes)
            if text.strip():
                nb_cells.append(v4.new_markdown_cell(text, id=_unique("md", used)))
            continue
        c = piece.cell
        code = f"{SETUP_MARK}\n{c.code}" if c.setup else c.code
        result = results.get(c.serial)
        if result is not None:
            count += 1
        nb_cells.append(v4.new_code_cell(
            code, id=_unique(c.id or f"cell-{c.serial}", used),
            execution_count=count if result is not None else None,
            outputs=cell_outputs(result, count if result is not None else None),
            metadata={"gdcore": {"id": c.id, "setup": c.setup, "prerender": c.prerender}},
        ))
    # The page's title first (its own H1, or the title), then where the notebook comes
    # from and the install cell, then the page.
    heading = f"# {title}"
    if nb_cells and nb_cells[0].cell_type == "markdown" and nb_cells[0].source.startswith("# "):
        heading, _, rest = nb_cells[0].source.partition("\n")
        nb_cells[0].source = rest.strip("\n")
        if not nb_cells[0].source:
            del nb_cells[0]
    about = (f"*This notebook is the page [{title}]({page_url}) of the gdcore course. The "
             "outputs shown are those of the site's build. Run the cells from the top: the "
             "first one installs gdcore.*")
    nb_cells[:0] = [
        v4.new_markdown_cell(f"{heading}\n\n{about}", id=_unique("about", used)),
        v4.new_code_cell(install_code(wheel_url), id=_unique("install-gdcore", used),
                         metadata={"gdcore": {"install": True}}),
    ]
    nb = v4.new_notebook(cells=nb_cells, metadata={
        "kernelspec": {"name": "python3", "display_name": "Python 3 (ipykernel)",
                       "language": "python"},
        "language_info": {"name": "python", "file_extension": ".py",
                          "mimetype": "text/x-python", "pygments_lexer": "ipython3",
                          "codemirror_mode": {"name": "ipython", "version": 3},
                          "nbconvert_exporter": "python"},
        "gdcore": {"page": page_url},
    })
    nb.nbformat_minor = NBFORMAT_MINOR
    return nb


def validate(nb: nbformat.NotebookNode, page: str) -> None:
    """``nbformat.validate``, as a :class:`NotebookError` naming the page."""
    try:
        nbformat.validate(nb)
    except nbformat.ValidationError as exc:
        raise NotebookError(f"{page}: its notebook is not valid nbformat: {exc.message}") \
            from exc


def cached_results(runner, cells: list[fence.Cell], page: str) -> dict[int, dict]:  # noqa: ANN001
    """The results the build pre-rendered for a page's cells (serial -> result), read from
    the cell cache of ``runner`` (an :class:`~overrides.sitebuild.execution.CellRunner`) by
    the keys it stored them under. Nothing runs: a result missing from the cache is a
    :class:`NotebookError` (the notebook hook must come after the cells hook)."""
    runnable = [c for c in cells if c.prerender]
    keys = runner._keys(runnable)
    results = {}
    for c in runnable:
        result = runner._get(keys[c.serial])
        if result is None:
            raise NotebookError(
                f"{page}: no pre-rendered result for cell '{c.id}' in the cell cache: list "
                "overrides/hooks/notebooks.py after overrides/hooks/cells.py in mkdocs.yml")
        results[c.serial] = result
    return results


def notebook_name(src_uri: str) -> str:
    """The notebook's file stem: the page's (``index`` pages take their folder's name).

    >>> notebook_name("learn/index.md"), notebook_name("gradients.md"), notebook_name("index.md")
    ('learn', 'gradients', 'index')
    """
    path = posixpath.splitext(src_uri)[0]
    stem = posixpath.basename(path)
    if stem in ("index", "README") and posixpath.dirname(path):
        stem = posixpath.basename(posixpath.dirname(path))
    return stem
