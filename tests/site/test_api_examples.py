"""Docstring examples on the API page copy as code that runs as written (overrides/sitebuild/
examples.py, overrides/hooks/examples.py, overrides/hooks/griffe_docstrings.py)."""

from __future__ import annotations

import contextlib
import html
import importlib.util
import io
import re
import types
from pathlib import Path

import matplotlib
import pytest

from overrides.sitebuild.examples import add_copy_text, block_text, copy_text

ROOT = Path(__file__).resolve().parents[2]
# the griffe extension is a file mkdocstrings loads by path (not a module of a package)
_spec = importlib.util.spec_from_file_location(
    "gd_griffe_docstrings", ROOT / "overrides" / "hooks" / "griffe_docstrings.py")
griffe_docstrings = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(griffe_docstrings)
self_contained_examples = griffe_docstrings.self_contained_examples
convert = griffe_docstrings.convert

matplotlib.use("Agg")

# material's copy button (its bundle, `hs`): the code element's closest [data-copy]
# attribute, else the code's innerText; then trimEnd()
_CODE = re.compile(r'<div class="(?:language-\w+ )?highlight"(?P<attrs>[^>]*)><pre>'
                   r"(?:<span></span>)?<code>(?P<code>.*?)</code></pre></div>", re.S)
_DATA_COPY = re.compile(r'\sdata-copy="([^"]*)"')


def copied(page_html: str) -> list[str]:
    """What the copy button of each code block of the page puts on the clipboard."""
    out = []
    for m in _CODE.finditer(page_html):
        attr = _DATA_COPY.search(m.group("attrs"))
        text = html.unescape(attr.group(1)) if attr else block_text(m.group("code"))
        out.append(text.rstrip())
    return out


def test_copy_text_drops_prompts_and_keeps_outputs_as_comments():
    session = (">>> x = [1, 2]\n>>> for v in x:\n...     print(v)\n1\n2\n>>> len(x)\n2\n")
    code = copy_text(session)
    assert code == "x = [1, 2]\nfor v in x:\n    print(v)\n# -> 1\n#    2\n\nlen(x)\n# -> 2\n"
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(code, {})
    assert out.getvalue() == "1\n2\n"


def test_an_example_expecting_an_exception_is_refused_with_the_way_out():
    with pytest.raises(ValueError, match="try/except"):
        copy_text(">>> 1 / 0\nTraceback (most recent call last):\nZeroDivisionError: x\n")


def test_only_sessions_get_a_copy_text():
    page = ('<div class="highlight"><pre><span></span><code>plain = 1\n</code></pre></div>'
            '<div class="highlight"><pre><span></span><code><span class="gp">&gt;&gt;&gt; </span>'
            '<span class="n">a</span> = 1 &lt; 2\n<span class="gp">&gt;&gt;&gt; </span>a\n'
            '<span class="go">True</span>\n</code></pre></div>')
    out, n = add_copy_text(page)
    assert n == 1
    assert copied(out) == ["plain = 1", "a = 1 < 2\na\n# -> True"]
    assert add_copy_text(out) == (out, 0)  # idempotent


def test_examples_start_with_the_imports_they_need():
    module = types.ModuleType("gdcore.fake")
    module.np = __import__("numpy")
    module.Thing = object
    text = ("Intro::\n\n    >>> import gdcore as gd\n    >>> t = Thing()\n\n"
            "More:\n\n    >>> gd.__name__, np.pi > 3, len([t])\n    ('gdcore', True, 1)\n")
    out = self_contained_examples(text, module)
    assert out == ("Intro::\n\n    >>> from gdcore.fake import Thing\n    >>> import gdcore as gd\n"
                   "    >>> t = Thing()\n\n"
                   "More:\n\n    >>> import gdcore as gd\n    >>> import numpy as np\n"
                   "    >>> gd.__name__, np.pi > 3, len([t])\n    ('gdcore', True, 1)\n")
    assert self_contained_examples(out, module) == out  # idempotent
    plain = "Nothing to import:\n\n    >>> len([1, 2])\n    2\n"
    assert self_contained_examples(plain, module) == plain


def test_every_example_on_the_api_page_copies_as_code_that_runs(built_site):
    page = (built_site / "api" / "index.html").read_text(encoding="utf-8")
    texts = copied(page)
    assert not [t for t in texts if re.search(r"^\s*>>>", t, re.M)], "a copy with >>> is left"
    sessions = [html.unescape(c) for c in _DATA_COPY.findall(page)]
    assert len(sessions) > 50
    failures = []
    for code in sessions:
        if re.search(r"\bgd\.", code):
            assert "import gdcore as gd" in code, code
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                exec(compile(code, "<copied example>", "exec"), {"__name__": "__main__"})
        except Exception as e:  # noqa: BLE001 - collect them all, then fail once
            failures.append(f"{type(e).__name__}: {e}\n{code}")
    assert not failures, "\n\n".join(failures[:5])


@pytest.mark.browser
def test_copy_button_copies_the_runnable_code(site_server, page):
    p = page(javascript=True, service_workers="block",
             permissions=["clipboard-read", "clipboard-write"])
    p.goto(site_server + "api/", wait_until="load")
    blocks = p.locator("article div.highlight[data-copy]")
    n = blocks.count()
    assert n > 50
    for i in sorted({0, 1, n // 2, n - 1}):
        block = blocks.nth(i)
        block.scroll_into_view_if_needed()
        block.hover()
        block.locator("button[data-clipboard-target]").first.click()
        text = p.evaluate("() => navigator.clipboard.readText()")
        assert text == block.get_attribute("data-copy").rstrip(), i
        assert ">>>" not in text


def test_literal_blocks_become_fenced_code_and_lose_their_double_colon():
    text = ("Intro, the loop::\n\n    x = step(x)\n\nAnd a session::\n\n    >>> 1 + 1\n    2\n\n"
            "Done.")
    out = convert(text)
    assert out == ("Intro, the loop:\n\n```python\nx = step(x)\n```\n\nAnd a session:\n\n"
                   "```pycon\n>>> 1 + 1\n2\n```\n\nDone.")
    assert convert(out) == out
