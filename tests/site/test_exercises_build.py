"""Exercise cells at build time (overrides/sitebuild/exercises.py): the hidden parts travel in
attributes, and the build proves each exercise honest (starter fails, solution passes)."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path


def page(check: str = "assert double(3) == 6, 'double(3) should be 6'",
         starter: str = "def double(x):\n    return x",
         solution: str = "def double(x):\n    return 2 * x",
         extra: str = "") -> str:
    return f"""# Exercises

## Doubling

```pycell id="warm-up"
base = 1
```

```pycell id="double" exercise="true"
{starter}
```

```pycheck for="double"
{check}
```

```pyhint for="double"
Multiply by two.
```

```pysolution for="double"
{solution}
```

```pycell id="after"
print(double(base))
```
{extra}
"""


def element(site, cell_id: str) -> str:
    text = (site / "index.html").read_text(encoding="utf-8")
    start = text.index(f'<div class="gd-cell" id="{cell_id}"')
    return text[start: text.index(">", start) + 1]


def test_honest_exercise_builds_with_its_parts_hidden_in_attributes(mkdocs_project):
    result = mkdocs_project({"index.md": page()})()
    assert result.returncode == 0, result.output[-3000:]
    tag = element(result.site, "double")
    attrs = dict(re.findall(r' (data-[a-z-]+)="([^"]*)"', tag))
    assert attrs["data-exercise"] == "true"
    assert html.unescape(attrs["data-check"]).startswith("assert double(3) == 6")
    assert html.unescape(attrs["data-solution"]) == "def double(x):\n    return 2 * x"
    assert json.loads(html.unescape(attrs["data-hints"])) == ["Multiply by two."]
    body = (result.site / "index.html").read_text(encoding="utf-8")
    # nothing of the check or the solution is readable text of the page
    assert "return 2 * x" not in re.sub(r'data-[a-z-]+="[^"]*"', "", body)
    assert "Multiply by two" not in re.sub(r'data-[a-z-]+="[^"]*"', "", body)
    # the later cell saw the starter's namespace, not the solution's
    after = body[body.index('id="after"'):]
    assert '<pre class="gd-out gd-out-stdout">1\n</pre>' in after


def test_a_starter_that_already_passes_fails_the_build(mkdocs_project):
    result = mkdocs_project({"index.md": page(starter="def double(x):\n    return x + x")})()
    assert result.returncode != 0
    assert "index.md: cell 'double' is not an honest exercise: its starter code already passes" \
        in result.output


def test_a_solution_that_fails_its_check_fails_the_build_with_the_feedback(mkdocs_project):
    result = mkdocs_project({"index.md": page(solution="def double(x):\n    return 3 * x")})()
    assert result.returncode != 0
    assert ("index.md: cell 'double' is not an honest exercise: its solution fails the check: "
            "double(3) should be 6") in result.output


def test_a_check_function_gives_feedback_and_can_pass(mkdocs_project):
    check = ("def check(ns):\n    if ns['double'](2) != 4:\n"
             "        return 'double(2) gave ' + repr(ns['double'](2))")
    ok = mkdocs_project({"index.md": page(check=check)})()
    assert ok.returncode == 0, ok.output[-3000:]


def test_a_solution_that_raises_fails_the_build(mkdocs_project):
    result = mkdocs_project({"index.md": page(solution="def double(x):\n    return 1 / 0\n1/0")})()
    assert result.returncode != 0
    assert "its solution raised ZeroDivisionError" in result.output


def test_an_exercise_without_check_or_solution_is_refused(mkdocs_project):
    text = "# P\n\n```pycell id=\"lonely\" exercise=\"true\"\nx = 1\n```\n"
    result = mkdocs_project({"index.md": text})()
    assert result.returncode != 0
    assert "cell 'lonely': is an exercise without a check" in result.output
    assert "cell 'lonely': is an exercise without a solution" in result.output


def test_a_check_for_an_unknown_cell_is_refused(mkdocs_project):
    text = "# P\n\n```pycheck for=\"nowhere\"\nassert True\n```\n"
    result = mkdocs_project({"index.md": text})()
    assert result.returncode != 0
    assert 'index.md: pycheck for="nowhere": no pycell with that id above it' in result.output


def test_a_check_for_a_cell_that_is_not_an_exercise_is_refused(mkdocs_project):
    text = ("# P\n\n```pycell id=\"plain\"\nx = 1\n```\n\n"
            "```pysolution for=\"plain\"\nx = 2\n```\n")
    result = mkdocs_project({"index.md": text})()
    assert result.returncode != 0
    assert "cell 'plain': has a pysolution block but no exercise=\"true\"" in result.output


def test_changing_only_the_check_reruns_the_exercise(mkdocs_project):
    build = mkdocs_project({"index.md": page()})
    first = build()
    assert first.returncode == 0, first.output[-3000:]
    (build.docs / "index.md").write_text(
        page(check="assert double(5) == 10, 'double(5) should be 10'"), encoding="utf-8")
    second = build()
    assert second.returncode == 0, second.output[-3000:]
    assert ("run", "index.md", "double") in second.cell_log
    third = build()
    assert third.returncode == 0, third.output[-3000:]
    assert ("cached", "index.md", "double") in third.cell_log
    assert ("run", "index.md", "double") not in third.cell_log


def test_exercise_attributes_are_those_the_readme_lists(mkdocs_project):
    readme = (Path(__file__).resolve().parents[2] / "overrides" / "README.md").read_text(
        encoding="utf-8")
    section = readme[readme.index("### Exercises"):]
    section = section[: section.index("\n\n", section.index("| Attribute |"))]
    documented = set(re.findall(r"^\| `(data-[a-z-]+)` \|", section, re.M))
    result = mkdocs_project({"index.md": page()})()
    assert result.returncode == 0, result.output[-3000:]
    attrs = set(re.findall(r' (data-[a-z-]+)="', element(result.site, "double")))
    plain = set(re.findall(r' (data-[a-z-]+)="', element(result.site, "after")))
    assert attrs - plain == documented
