"""The notebooks hook: each page with cells as a valid .ipynb beside it, holding the page's
cells in order with the build's pre-rendered outputs, prose Jupyter can render, absolute
links; on a small fixture project and on the real site."""

from __future__ import annotations

import html
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest

from overrides.sitebuild.notebooks import INSTALL_MARK, SETUP_MARK

ROOT = Path(__file__).resolve().parents[2]
SITE_URL = "https://teach.example.org/course/"

FIXTURE = {
    "index.md": "# Home\n\nNo cells here.\n",
    "other.md": "# Other\n\n## A heading\n\nText.\n",
    "lesson.md": '''# Lesson

Some prose with math $a^2 + b^2$ and a [link to another page](other.md#a-heading), one to
[this page's cell](#lesson-print) and a footnote.[^src]

```pycell id="lesson-setup" setup="true"
import numpy as np
SECRET = 41
```

!!! note "A titled note"
    Inside the note, with [`code` in a link](other.md).

```pycell id="lesson-print"
print("hello", SECRET + 1)
```

??? success "Solution"
    The answer is 42.

=== "First tab"

    In the first tab.

=== "Second tab"

    In the second tab.

```pycell id="lesson-figure"
import matplotlib.pyplot as plt
plt.plot([0, 1], [1, 0])
3 * 7
```

```python
# an ordinary code block stays a code block
x = 1
```

```explorer id="lesson-explorer"
landscape: himmelblau
start: [-1.0, -1.0]
steps: 20
optimizers:
  - {optimizer: GradientDescent, lr: 0.01}
```

```pycell id="lesson-error" error="ZeroDivisionError"
1 / 0
```

```pycell id="lesson-later" prerender="false"
print("not run at build time")
```

[^src]: A. Author, *A book*, 2020, section 1.
''',
}


class _Cells(HTMLParser):
    """Per ``div.gd-cell`` of a built page: id, code, setup, and the texts of its outputs."""

    def __init__(self) -> None:
        super().__init__()
        self.cells: list[dict] = []
        self.kind: str | None = None

    def handle_starttag(self, tag, attrs):  # noqa: ANN001
        a = dict(attrs)
        classes = (a.get("class") or "").split()
        if tag == "div" and "gd-cell" in classes:
            self.cells.append({"id": a["id"], "code": a["data-code"],
                               "setup": a.get("data-setup") == "true", "figures": 0,
                               "stdout": "", "stderr": "", "result": "", "error": ""})
        elif tag == "pre" and "gd-out" in classes:
            self.kind = next(c[len("gd-out-"):] for c in classes if c.startswith("gd-out-"))
        elif tag == "figure" and "gd-out-figure" in classes:
            self.cells[-1]["figures"] += 1

    def handle_endtag(self, tag):  # noqa: ANN001
        if tag == "pre":
            self.kind = None

    def handle_data(self, data):  # noqa: ANN001
        if self.kind:
            self.cells[-1][self.kind] += data


def page_cells(page_html: str) -> list[dict]:
    parser = _Cells()
    parser.feed(page_html)
    return parser.cells


def notebook_of(site: Path, page_dir: str) -> nbformat.NotebookNode:
    name = page_dir.rstrip("/").rsplit("/", 1)[-1] or "index"
    return nbformat.read(site / page_dir / f"{name}.ipynb", as_version=nbformat.NO_CONVERT)


def code_cells(nb: nbformat.NotebookNode) -> list:
    return [c for c in nb.cells
            if c.cell_type == "code" and not c.metadata["gdcore"].get("install")]


def stream(cell, name: str) -> str:  # noqa: ANN001
    return "".join(o.text for o in cell.outputs if o.output_type == "stream" and o.name == name)


def shown(text: str) -> str:
    """An output's text as the page's <pre> holds it (a leading newline is doubled there:
    HTML drops the first one)."""
    return "\n" + text if text.startswith("\n") else text


def check_against_page(nb: nbformat.NotebookNode, page_html: str, where: str) -> int:
    """The notebook's code cells are the page's cells, in order, with its outputs; returns
    the number of cells compared."""
    cells = page_cells(page_html)
    got = code_cells(nb)
    assert [c.metadata["gdcore"]["id"] for c in got] == [c["id"] for c in cells], where
    for c, page in zip(got, cells, strict=True):
        code = html.unescape(page["code"])
        assert c.source == (f"{SETUP_MARK}\n{code}" if page["setup"] else code), (where, page["id"])
        assert shown(stream(c, "stdout")) == page["stdout"], (where, page["id"])
        assert shown(stream(c, "stderr")) == page["stderr"], (where, page["id"])
        results = [o.data["text/plain"] for o in c.outputs if o.output_type == "execute_result"]
        assert shown("".join(results)) == page["result"], (where, page["id"])
        figures = [o for o in c.outputs if o.output_type == "display_data"
                   and o.data.get("image/png")]
        assert len(figures) == page["figures"], (where, page["id"])
        errors = [o for o in c.outputs if o.output_type == "error"]
        assert bool(errors) == bool(page["error"]), (where, page["id"])
    return len(got)


def markdown_of(nb: nbformat.NotebookNode) -> str:
    return "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")


def relative_links(md: str) -> list[str]:
    targets = re.findall(r"\]\(([^)\s]+)", md) + re.findall(r"^\s*\[[^\]]+\]:\s*(\S+)", md, re.M)
    return [t for t in targets if not re.match(r"(https?:|mailto:)", t)]


def admonition_syntax(md: str) -> list[str]:
    return [line for line in md.splitlines()
            if re.match(r"^[\s>]*(!!!|\?\?\?|===\+? \")", line)]


@pytest.fixture(scope="module")
def fixture_site(tmp_path_factory):
    from sitekit import make_project_config, run_mkdocs_build

    project = tmp_path_factory.mktemp("nb")
    (project / "docs").mkdir()
    for name, text in FIXTURE.items():
        (project / "docs" / name).write_text(text, encoding="utf-8")
    config = make_project_config(project, nav=["index.md", "lesson.md", "other.md"],
                                 site_url=SITE_URL)
    result = run_mkdocs_build(config, project / "site",
                              {"GDCORE_CELL_CACHE": str(project / "cache")})
    assert result.returncode == 0, result.output[-4000:]
    return result


def test_a_page_with_cells_gets_a_valid_notebook_and_one_without_none(fixture_site):
    site = fixture_site.site
    nb = notebook_of(site, "lesson/")
    nbformat.validate(nb)
    assert nb.nbformat == 4 and nb.nbformat_minor == 5
    assert nb.metadata.kernelspec.name == "python3"
    assert nb.metadata.language_info.name == "python"
    assert not list(site.rglob("index.ipynb")) and not (site / "other" / "other.ipynb").exists()
    # the run ran each cell once: the notebook read the cache, it did not run them again
    runs = [line for line in fixture_site.cell_log if line[0] == "run"]
    assert sorted(line[2] for line in runs) == ["lesson-error", "lesson-figure",
                                                "lesson-print", "lesson-setup"]


def test_code_cells_are_the_pages_cells_with_its_outputs(fixture_site):
    site = fixture_site.site
    nb = notebook_of(site, "lesson/")
    page_html = (site / "lesson" / "index.html").read_text(encoding="utf-8")
    assert check_against_page(nb, page_html, "lesson.md") == 5
    cells = {c.metadata["gdcore"]["id"]: c for c in code_cells(nb)}
    assert stream(cells["lesson-print"], "stdout") == "hello 42\n"
    assert cells["lesson-setup"].source.splitlines()[0] == SETUP_MARK
    figure = cells["lesson-figure"]
    assert [o.output_type for o in figure.outputs] == ["execute_result", "display_data"]
    assert figure.outputs[0].data["text/plain"] == "21"
    assert figure.outputs[1].data["image/png"].startswith("iVBORw0KGgo")  # a PNG
    error = cells["lesson-error"].outputs
    assert [(o.output_type, o.ename) for o in error] == [("error", "ZeroDivisionError")]
    assert error[0].evalue == "division by zero"
    assert error[0].traceback[-1] == "ZeroDivisionError: division by zero"
    later = cells["lesson-later"]
    assert later.outputs == [] and later.execution_count is None
    assert [c.execution_count for c in code_cells(nb)][:4] == [1, 2, 3, 4]


def test_the_first_code_cell_installs_the_sites_wheel(fixture_site):
    nb = notebook_of(fixture_site.site, "lesson/")
    assert nb.cells[0].cell_type == "markdown"  # the page's H1, then where it comes from
    assert nb.cells[0].source.startswith(
        f"# Lesson\n\n*This notebook is the page [Lesson]({SITE_URL}lesson/) of the gdcore")
    assert nb.cells[2].source.startswith("Some prose with math")  # the H1 is not repeated
    first = nb.cells[1]
    assert first.metadata["gdcore"]["install"] is True
    assert first.source.startswith(INSTALL_MARK)
    wheel = next((fixture_site.site / "assets" / "gdcore" / "wheels").glob("*.whl")).name
    url = f"{SITE_URL}assets/gdcore/wheels/{wheel}"
    assert f'%pip install --quiet "gdcore[plot] @ {url}"' in first.source  # Jupyter, Colab
    assert f'await piplite.install(["matplotlib", "{url}"])' in first.source  # JupyterLite


def test_prose_is_markdown_jupyter_renders(fixture_site):
    nb = notebook_of(fixture_site.site, "lesson/")
    md = markdown_of(nb)
    assert admonition_syntax(md) == []
    assert relative_links(md) == []
    assert "[^" not in md
    assert "> **A titled note**" in md and "> **Solution**" in md and "> The answer is 42." in md
    assert "**First tab**" in md and "In the second tab." in md
    assert "$a^2 + b^2$" in md
    assert f"[link to another page]({SITE_URL}other/#a-heading)" in md
    assert f"[this page's cell]({SITE_URL}lesson/#lesson-print)" in md
    assert f"[`code` in a link]({SITE_URL}other/)" in md
    assert "footnote.<sup>1</sup>" in md and "- <sup>1</sup> A. Author" in md
    assert "```python\n# an ordinary code block stays a code block\nx = 1\n```" in md
    # the explorer lives on the page only: a link to it, not its options as code
    assert "```explorer" not in md
    assert (f"*The explorer is interactive on the page: [open it there]"
            f"({SITE_URL}lesson/#lesson-explorer).*") in md


def test_the_page_links_its_notebook_for_download(fixture_site):
    site = fixture_site.site
    lesson = (site / "lesson" / "index.html").read_text(encoding="utf-8")
    link = re.search(r'<a class="gd-download gd-download-notebook" href="([^"]+)" '
                     r'download="([^"]+)"', lesson)
    assert link and link.groups() == ("lesson.ipynb", "lesson.ipynb")
    assert 'data-py-name="lesson.py"' in lesson
    assert "gd-downloads" not in (site / "other" / "index.html").read_text(encoding="utf-8")


def test_an_invalid_notebook_is_an_error_naming_the_page():
    # the hook turns this error into a PluginError (the build fails with this message)
    from overrides.sitebuild import notebooks

    nb = notebooks.build_notebook(title="T", page_url=SITE_URL, pieces=[], others={},
                                  results={}, wheel_url=SITE_URL + "w.whl", link=str)
    nb.cells[1].execution_count = "one"
    with pytest.raises(notebooks.NotebookError, match=r"^lesson\.md: its notebook is not valid"):
        notebooks.validate(nb, "lesson.md")


# --------------------------------------------------------------------------- the real site


def real_pages(site: Path) -> list[str]:
    """The directories (relative to the site) of the built pages that have cells."""
    return sorted(str(p.parent.relative_to(site)) for p in site.rglob("index.html")
                  if 'class="gd-cell"' in p.read_text(encoding="utf-8")
                  and "404" not in p.parts)


def test_every_page_of_the_site_with_cells_has_its_notebook(built_site):
    pages = real_pages(built_site)
    assert len(pages) >= 10, pages
    total = 0
    for page_dir in pages:
        where = page_dir + "/"
        nb = notebook_of(built_site, "" if page_dir == "." else where)
        nbformat.validate(nb)
        page_html = (built_site / page_dir / "index.html").read_text(encoding="utf-8")
        total += check_against_page(nb, page_html, where)
        md = markdown_of(nb)
        assert admonition_syntax(md) == [], where
        assert relative_links(md) == [], (where, relative_links(md)[:3])
        assert "[^" not in md, where
    assert total >= 100


def test_the_sites_figures_and_prints_reach_the_notebooks(built_site):
    nb = notebook_of(built_site, "gradients/")
    outputs = [o for c in code_cells(nb) for o in c.outputs]
    assert any(o.output_type == "display_data" and o.data["image/png"] for o in outputs)
    assert any(o.output_type == "stream" and o.text.strip() for o in outputs)
    raw = json.loads((built_site / "gradients" / "gradients.ipynb").read_text(encoding="utf-8"))
    assert raw["metadata"]["gdcore"]["page"].endswith("/gradients/")


def test_notebooks_keep_exercise_checks_and_solutions_on_the_site(built_site):
    """A downloaded notebook gives the exercise's starter, not its hidden check or solution."""
    import html as html_lib
    import re

    hidden = 0
    for page_dir in real_pages(built_site):
        page_html = (built_site / page_dir / "index.html").read_text(encoding="utf-8")
        secrets = [html_lib.unescape(v) for v in
                   re.findall(r'data-(?:check|solution)="([^"]*)"', page_html)]
        if not secrets:
            continue
        public = re.sub(r'data-(?:check|solution|hints)="[^"]*"', "", page_html)
        shown = "\n".join(html_lib.unescape(v) for v in
                           re.findall(r'data-code="([^"]*)"', public))
        shown += html_lib.unescape(re.sub(r"<[^>]+>", "", public))  # the page's own text
        nb = notebook_of(built_site, "" if page_dir == "." else page_dir + "/")
        text = markdown_of(nb) + "\n".join(c.source for c in code_cells(nb))
        for fence_open in ("```pycheck", "```pysolution"):  # documented syntax may be shown
            assert text.count(fence_open) <= shown.count(fence_open), (page_dir, fence_open)
        for secret in secrets:
            lines = [ln.strip() for ln in secret.splitlines() if len(ln.strip()) > 12]
            leaked = [ln for ln in lines if ln in text and ln not in shown]
            assert not leaked, (page_dir, leaked[:2])
            hidden += 1
        assert "The pycheck is" not in text and "The pysolution is" not in text, page_dir
    assert hidden >= 10
