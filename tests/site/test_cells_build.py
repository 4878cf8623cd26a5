"""The pycell hook on small fixture projects: outputs, escaping, errors, options, caching."""

from __future__ import annotations

import html
import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def good_build(tmp_path_factory):
    """tests/site/fixtures/good built once (cold cache), for the read-only tests below."""
    from sitekit import make_project_config, run_mkdocs_build

    project = tmp_path_factory.mktemp("good")
    shutil.copytree(FIXTURES / "good", project / "docs")
    config = make_project_config(project)
    result = run_mkdocs_build(
        config, project / "site", {"GDCORE_CELL_CACHE": str(project / "cache")}
    )
    assert result.returncode == 0, result.output[-4000:]
    return result


def cell_html(site: Path, page: str, cell_id: str) -> str:
    text = (site / page).read_text(encoding="utf-8")
    start = text.index(f'<div class="gd-cell" id="{cell_id}"')
    end = text.find('<div class="gd-cell" ', start + 10)
    return text[start : end if end != -1 else len(text)]


def test_good_fixture_builds_without_warnings(good_build):
    assert "WARNING" not in good_build.output
    ran = [(page, cid) for kind, page, cid in good_build.cell_log if kind == "run"]
    assert ran == [
        ("index.md", "setup"),
        ("index.md", "escape"),
        ("index.md", "uses-setup"),
        ("index.md", "expected"),
        ("index.md", "figure"),
        ("index.md", "nested"),
        ("second.md", "counter"),
        ("second.md", "namespace-is-per-page"),
    ]


def test_outputs_are_html_escaped(good_build):
    html = cell_html(good_build.site, "index.html", "escape")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)" not in html
    # the final expression's repr, escaped too
    result = "&#x27;&lt;b&gt;&amp;amp;&lt;/b&gt;&#x27;"
    assert f'<pre class="gd-out gd-out-result">{result}</pre>' in html
    # and the source attribute (data-code) is escaped: it cannot end the attribute or tag
    source = re.search(r'data-code="([^"]*)"', html).group(1)
    assert "<" not in source and "&lt;script&gt;" in source


def test_namespace_is_shared_within_a_page_only(good_build):
    assert '<pre class="gd-out gd-out-result">42</pre>' in cell_html(
        good_build.site, "index.html", "uses-setup"
    )
    assert "nested 41" in cell_html(good_build.site, "index.html", "nested")
    second = cell_html(good_build.site, "second/index.html", "namespace-is-per-page")
    assert '<pre class="gd-out gd-out-stdout">False\n</pre>' in second


def test_expected_error_shows_the_readers_traceback(good_build):
    html = cell_html(good_build.site, "index.html", "expected")
    assert 'data-expect-error="ZeroDivisionError"' in html
    error = re.search(r'<pre class="gd-out gd-out-error">(.*?)</pre>', html, re.S).group(1)
    assert "Traceback (most recent call last):" in error
    assert "File &quot;&lt;cell expected&gt;&quot;, line 4, in &lt;module&gt;" in error
    assert "inverse(0)" in error and "return 1 / x" in error
    assert error.rstrip().endswith("ZeroDivisionError: division by zero")
    assert "cellrun" not in error and "exec(" not in error


def test_cell_attributes_follow_the_contract(good_build):
    site = good_build.site
    setup = cell_html(site, "index.html", "setup")
    assert setup.startswith(
        '<div class="gd-cell" id="setup" data-cell="setup" data-setup="true" hidden data-code="'
    )
    code = re.match(r'[^>]*data-code="([^"]*)"', setup).group(1)
    source = (FIXTURES / "good" / "index.md").read_text(encoding="utf-8")
    assert html.unescape(code) in source and "secret = 4" in html.unescape(code)
    lazy = cell_html(site, "index.html", "not-prerendered")
    assert 'data-prerender="false"' in lazy and "gd-out" not in lazy
    figure = cell_html(site, "index.html", "figure")
    assert 'data-height="6"' in figure
    assert 'role="log"' in figure and 'aria-label="Output of cell figure"' in figure
    img = re.search(r'<figure class="gd-out gd-out-figure"><img src="data:image/png;base64,'
                    r'([A-Za-z0-9+/=]+)" alt="([^"]+)"', figure)
    assert img is not None
    assert len(img.group(1)) > 2000
    assert img.group(2) == "Figure: A line (x axis: step, y axis: loss)"
    assert "gd-out-stderr" not in figure  # plt.show() under Agg does not warn


def test_warm_rebuild_runs_no_cell_and_an_edit_reruns_its_page(mkdocs_project):
    build = mkdocs_project({
        name: (FIXTURES / "good" / name).read_text() for name in ("index.md", "second.md")
    })
    cold = build()
    assert cold.returncode == 0, cold.output[-3000:]
    assert sum(kind == "run" for kind, _, _ in cold.cell_log) == 8

    warm = build()
    assert warm.returncode == 0, warm.output[-3000:]
    assert [kind for kind, _, _ in warm.cell_log] == ["cached"] * 8

    # editing prose re-runs nothing; editing the last cell of a page re-runs that page only,
    # from its first cell (one namespace per page)
    second = build.docs / "second.md"
    second.write_text(second.read_text().replace("calls += 1", "calls += 2") + "\nMore prose.\n")
    edited = build()
    assert edited.returncode == 0, edited.output[-3000:]
    ran = [(page, cid) for kind, page, cid in edited.cell_log if kind == "run"]
    assert ran == [("second.md", "counter"), ("second.md", "namespace-is-per-page")]
    assert "calls: 2" in (edited.site / "second" / "index.html").read_text()


def test_a_failing_cell_fails_the_build_naming_page_cell_and_traceback(mkdocs_project):
    build = mkdocs_project({"index.md": "# Home\n", "failing.md": (FIXTURES / "failing.md")
                            .read_text()})
    result = build()
    assert result.returncode != 0
    out = result.output
    assert "failing.md: cell 'boom' raised ZeroDivisionError" in out
    assert 'File "<cell boom>", line 2, in <module>' in out
    assert "z = y / 0" in out
    assert "ZeroDivisionError: division by zero" in out


def test_a_figure_that_cannot_be_drawn_fails_the_build(mkdocs_project):
    page = (
        '# P\n\n```pycell id="bad-label"\nimport matplotlib.pyplot as plt\n'
        'fig, ax = plt.subplots()\nax.set_xlabel(r"$\\frac{$")\n```\n'
    )
    result = mkdocs_project({"index.md": page})()
    assert result.returncode != 0
    assert "index.md: cell 'bad-label' made a figure that could not be drawn: ValueError" \
        in result.output


def test_an_expected_error_that_does_not_happen_fails_the_build(mkdocs_project):
    build = mkdocs_project({"index.md": (FIXTURES / "no-raise.md").read_text()})
    result = build()
    assert result.returncode != 0
    assert "index.md: cell 'calm' was expected to raise ValueError" in result.output


def test_the_wrong_exception_fails_the_build(mkdocs_project):
    page = '# P\n\n```pycell id="wrong" error="ValueError"\n[][1]\n```\n'
    result = mkdocs_project({"index.md": page})()
    assert result.returncode != 0
    assert "cell 'wrong' was expected to raise ValueError but raised IndexError" in result.output


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ('id="a" colour="red"', "unknown option colour='red'"),
        ("", "missing id"),
        ('id="Bad_Id"', "invalid id='Bad_Id'"),
        ('id="a" setup="yes"', "setup='yes' must be \"true\" or \"false\""),
        ('id="a" height="0"', "height='0' must be a whole number of lines"),
        ('id="a" error="not an exception!"', "must be an exception class name"),
    ],
)
def test_bad_cell_options_fail_the_build(mkdocs_project, header, message):
    page = f"# P\n\n```pycell {header}\nprint(1)\n```\n"
    result = mkdocs_project({"index.md": page})()
    assert result.returncode != 0
    assert "index.md:" in result.output and message in result.output


def test_duplicate_cell_ids_fail_the_build(mkdocs_project):
    page = '# P\n\n```pycell id="twin"\n1\n```\n\n```pycell id="twin"\n2\n```\n'
    result = mkdocs_project({"index.md": page})()
    assert result.returncode != 0
    assert "index.md: duplicate cell id 'twin' (2 cells)" in result.output


def test_a_cell_id_equal_to_a_heading_anchor_fails_the_build(mkdocs_project):
    page = '# P\n\n## Step size\n\n```pycell id="step-size"\n1\n```\n'
    result = mkdocs_project({"index.md": page})()
    assert result.returncode != 0
    assert "cell id 'step-size' is also a heading's anchor" in result.output


README = Path(__file__).resolve().parents[2] / "overrides" / "README.md"


def contract_table(heading: str) -> dict[str, str]:
    """The first column (backticked names) -> second column of the README table that
    follows the paragraph or heading starting with ``heading``."""
    text = README.read_text(encoding="utf-8")
    start = text.index(heading)
    rows = {}
    for line in text[start:].splitlines()[1:]:
        if rows and not line.startswith("|"):
            break
        m = re.match(r"^\| `([^`]+)` \| (.*?) \|", line)
        if m:
            rows[m.group(1)] = m.group(2)
    assert rows, f"no table after {heading!r} in {README}"
    return rows


class Tags(HTMLParser):
    """Every start tag as (tag, {attribute: value})."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):  # noqa: ANN001
        self.tags.append((tag, dict(attrs)))


def tags(page_html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = Tags()
    parser.feed(page_html)
    return parser.tags


def test_cells_follow_the_contract_in_the_readme(good_build):
    """Attributes and output classes of the built cells are exactly those README lists."""
    documented = set(contract_table("Attributes of `div.gd-cell` written by the build"))
    page = (good_build.site / "index.html").read_text(encoding="utf-8")
    all_tags = tags(page)
    cells = [a for t, a in all_tags if t == "div" and "gd-cell" in (a.get("class") or "").split()]
    assert cells
    used = set().union(*(set(a) for a in cells))
    assert used == documented, f"not in README: {used - documented}; unused: {documented - used}"
    for a in cells:
        assert a["class"] == "gd-cell" and a["id"] == a["data-cell"]
    readme = README.read_text(encoding="utf-8")
    children = re.search(r"Children of `div.gd-cell-output`: (.*?)\n\n", readme, re.S).group(1)
    documented_outputs = set(re.findall(r"`\w+\.(gd-out-\w+)`", children))
    outputs = {c for t, a in all_tags for c in (a.get("class") or "").split()
               if c.startswith("gd-out-")}
    assert outputs <= documented_outputs, outputs - documented_outputs
    assert documented_outputs - outputs <= {"gd-out-stderr"}  # the fixture prints no stderr
    # the cell result's fields in the README are cellrun's CellResult's
    import dataclasses
    import importlib.util
    import sys

    spec = importlib.util.spec_from_file_location(
        "cellrun_contract", README.parent / "runtime" / "cellrun.py")
    cellrun = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = cellrun
    spec.loader.exec_module(cellrun)
    fields = {f.name for f in dataclasses.fields(cellrun.CellResult)}
    assert set(contract_table("| Field | Meaning | Rendered as |")) == fields


def test_explorers_follow_the_contract_in_the_readme(mkdocs_project):
    page = ("# E\n\n```explorer id=\"race\"\nlandscape: rosenbrock\nsteps: 20\noptimizers:\n"
            "  - {optimizer: Adam, lr: 0.05}\n```\n")
    result = mkdocs_project({"index.md": page})()
    assert result.returncode == 0, result.output[-3000:]
    all_tags = tags((result.site / "index.html").read_text(encoding="utf-8"))
    roots = [a for t, a in all_tags if "gd-explorer" in (a.get("class") or "").split()]
    assert len(roots) == 1
    documented = set(contract_table("| Attribute | Meaning |\n| --- | --- |\n| `class` | `gd-"
                                    "explorer`"))
    assert set(roots[0]) == documented
    payload = json.loads(roots[0]["data-payload"])
    described = re.search(r"JSON, HTML-escaped: (.*?) \(", contract_table(
        "| Attribute | Meaning |\n| --- | --- |\n| `class` | `gd-explorer`")["data-payload"])
    assert set(re.findall(r"`(\w+)`", described.group(1))) <= set(payload)
    classes = {c for _, a in all_tags for c in (a.get("class") or "").split()}
    assert {"gd-explorer-static", "gd-explorer-note"} <= classes


def test_a_long_output_keeps_its_head_and_its_last_lines_like_the_page(mkdocs_project):
    """A stream longer than the head keeps its first 2,000 lines, the page's note and its
    last 20 lines (output.js does the same live); a wide one-line stream, characters."""
    build = mkdocs_project({"index.md": (
        "# Long\n\n```pycell {id=log}\nfor i in range(3000):\n    print(f'step {i}')\n```\n\n"
        "```pycell {id=wide}\nprint('x' * 150_000, end='')\n```\n"
    )})
    result = build()
    assert result.returncode == 0, result.output[-3000:]
    log = cell_html(result.site, "index.html", "log")
    pres = re.findall(r'<pre class="gd-out gd-out-stdout( gd-out-tail)?">(.*?)</pre>', log, re.S)
    assert [tail for tail, _ in pres] == ["", " gd-out-tail"], pres
    head, tail = (html.unescape(text) for _, text in pres)
    assert head == "".join(f"step {i}\n" for i in range(2000))
    assert tail == "".join(f"step {i}\n" for i in range(2980, 3000))
    assert '<p class="gd-note gd-note-truncated">… 980 lines not shown …</p>' in log
    wide = cell_html(result.site, "index.html", "wide")
    assert "… 42,000 characters not shown …" in wide
    texts = re.findall(r'<pre class="gd-out gd-out-stdout[^"]*">(x*)</pre>', wide)
    assert [len(t) for t in texts] == [100_000, 8000]


def test_the_builds_output_limits_are_the_pages():
    """fence.py's head and tail sizes are protocol.js LIMITS (the page's live output)."""
    from overrides.sitebuild import fence

    protocol = (Path(__file__).parents[2] / "overrides" / "src" / "protocol.js").read_text()
    limits = dict(re.findall(r"^\s+(\w+): (\d+),$", protocol[protocol.index("LIMITS ="):], re.M))
    assert int(limits["lines"]) == fence.HEAD_LINES
    assert int(limits["tailLines"]) == fence.TAIL_LINES
    assert int(limits["tailChars"]) == fence.TAIL_CHARS
