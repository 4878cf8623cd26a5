"""Docstring examples that copy as runnable code.

A doctest session (``>>>`` lines, ``...`` continuations, expected output) reads well on the
API page but does not run when pasted. :func:`add_copy_text` gives each code block of a
page whose text is such a session a ``data-copy`` attribute: material's copy button copies
an element's closest ``[data-copy]`` instead of its text. The copied text is
:func:`copy_text`: the session's statements, without prompts, each expected output below its
statement as ``# -> output`` comments, so the paste runs as written and still says what it
prints (a blank line after each multi-line statement ends it when pasted into a REPL).
"""

from __future__ import annotations

import doctest
import html
import re

# a highlighted (or plain) code block of pymdownx.highlight: the element material's copy
# button belongs to, and its code
_BLOCK = re.compile(
    r'<div class="(?P<cls>(?:language-\w+ )?highlight)"(?P<attrs>[^>]*)>'
    r"(?P<pre><pre>(?:<span></span>)?<code>(?P<code>.*?)</code></pre>)</div>",
    re.S,
)
_TAG = re.compile(r"<[^>]+>")
_PARSER = doctest.DocTestParser()


def block_text(code_html: str) -> str:
    """The text of a code block's HTML (what ``innerText`` gives: tags dropped, unescaped)."""
    return html.unescape(_TAG.sub("", code_html))


def is_session(text: str) -> bool:
    return text.lstrip().startswith(">>>")


def copy_text(session: str) -> str:
    """The runnable Python of one doctest session: statements, outputs as comments."""
    out: list[str] = []
    for example in _PARSER.get_examples(session):
        out.append(example.source.rstrip("\n"))
        want = example.want.rstrip("\n")
        if example.exc_msg is not None:
            raise ValueError(
                f"the example {example.source.strip()!r} expects an exception; pasted, it "
                "would stop the paste there: catch it in the example (try/except) instead"
            )
        if want:
            lines = want.split("\n")
            out.append("# -> " + lines[0])
            out += ["#    " + line for line in lines[1:]]
        if "\n" in example.source.rstrip("\n"):
            out.append("")  # ends a compound statement (def, for, with...) for a REPL paste
    return "\n".join(out).rstrip("\n") + "\n"


def add_copy_text(page_html: str) -> tuple[str, int]:
    """The page with a ``data-copy`` on every doctest session's block; and how many."""
    count = 0

    def fix(m: re.Match) -> str:
        nonlocal count
        text = block_text(m.group("code"))
        if not is_session(text) or "data-copy=" in m.group("attrs"):
            return m.group(0)
        count += 1
        copy = html.escape(copy_text(text), quote=True)
        return (f'<div class="{m.group("cls")}"{m.group("attrs")} data-copy="{copy}">'
                f'{m.group("pre")}</div>')

    return _BLOCK.sub(fix, page_html), count
