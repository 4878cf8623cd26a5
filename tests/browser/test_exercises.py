"""Exercises that check themselves (overrides/src/exercise.js), on a small fixture site built
with the real hooks: Check's feedback for a wrong and a right answer, the solution locked
until a first attempt, hints, and progress kept across a reload and shown in the TOC."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from gdlive import editor_set, wait_live

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import sitekit  # noqa: E402

pytestmark = pytest.mark.browser

PAGE = """# Exercise fixture

## Setting up

```pycell id="base"
base = 10
```

## Doubling

```pycell id="double" exercise="true"
def double(x):
    return x  # change this line
```

```pycheck for="double"
assert double(3) == 6, f"double(3) should be 6, your function gave {double(3)!r}"
assert double(-1) == -2, "double(-1) should be -2"
```

```pyhint for="double"
Multiply x by a number.
```

```pyhint for="double"
By two.
```

```pysolution for="double"
def double(x):
    return 2 * x
```

## The rate

```pycell id="rate" exercise="true"
lr = None  # a learning rate that converges on f(x) = x**2 from x = base
```

```pycheck for="rate"
def check(ns):
    lr = ns.get("lr")
    if not isinstance(lr, (int, float)):
        return "set lr to a number"
    if not 0 < lr < 1:
        return f"lr = {lr} diverges or stalls: for f(x) = x**2 it must lie in (0, 1)"
    return None
```

```pysolution for="rate"
lr = 0.1
```

## Last

```pycell id="third" exercise="true"
answer = 0
```

```pycheck for="third"
assert answer == 42, "answer should be 42"
```

```pysolution for="third"
answer = 42
```
"""


@pytest.fixture(scope="module")
def exercise_url(tmp_path_factory):
    project = tmp_path_factory.mktemp("exercise-site")
    docs = project / "docs"
    docs.mkdir()
    (docs / "index.md").write_text(PAGE, encoding="utf-8")
    config = sitekit.make_project_config(project)
    result = sitekit.run_mkdocs_build(config, project / "site", {
        "GDCORE_PYODIDE_SOURCE": "self", "GDCORE_CELL_CACHE": str(project / "cell-cache")})
    assert result.returncode == 0, result.output[-4000:]
    with sitekit.serve_site(result.site, project / "www") as url:
        yield url


def check(p, cell_id: str, timeout_s: float = 120) -> str:
    """Press Check and wait for its verdict; returns the feedback's text."""
    before = int(p.eval_on_selector(f"#{cell_id}", "c => c.dataset.checks || '0'"))
    p.locator(f"#{cell_id} button.gd-check").click()
    p.wait_for_function(
        "([id, n]) => Number(document.getElementById(id).dataset.checks || 0) > n",
        arg=[cell_id, before], timeout=timeout_s * 1000)
    return p.locator(f"#{cell_id} .gd-feedback").inner_text()


def verdict(p, cell_id: str) -> str:
    return p.eval_on_selector(f"#{cell_id} .gd-feedback", "e => e.dataset.verdict")


def progress(p) -> str:
    return p.locator("nav.md-nav--secondary .gd-ex-progress").inner_text()


def toc_marked(p) -> list[str]:
    return p.eval_on_selector_all(
        "nav.md-nav--secondary a.md-nav__link:has(.gd-toc-pass)",
        "links => [...new Set(links.map(a => a.hash))]")


def test_check_fails_then_passes_with_the_checks_own_words(page, exercise_url):
    p = page()
    p.goto(exercise_url)
    wait_live(p)
    assert progress(p) == "0 of 3 exercises passed"
    text = check(p, "double")
    assert text == "Not yet: double(3) should be 6, your function gave 3"
    assert verdict(p, "double") == "fail"
    # the earlier cell ran first (Check runs like Run), and the check's code was never shown
    assert p.eval_on_selector("#base", "c => c.dataset.state") == "done"
    assert "assert double" not in p.locator("article").inner_text()
    editor_set(p, "double", "def double(x):\n    return x + x")
    assert check(p, "double") == "Passed: Correct!"
    assert verdict(p, "double") == "pass"
    assert p.eval_on_selector("#double", "c => c.dataset.exerciseState") == "passed"
    assert progress(p) == "1 of 3 exercises passed"
    assert toc_marked(p) == ["#doubling"]


def test_a_check_function_gives_its_feedback_and_a_broken_answer_is_said_plainly(
        page, exercise_url):
    p = page()
    p.goto(exercise_url)
    wait_live(p)
    assert check(p, "rate") == "Not yet: set lr to a number"
    editor_set(p, "rate", "lr = 1.5")
    assert check(p, "rate") == ("Not yet: lr = 1.5 diverges or stalls: for f(x) = x**2 it "
                                "must lie in (0, 1)")
    editor_set(p, "rate", "lr = 0.5")
    assert check(p, "rate") == "Passed: Correct!"
    # code that raises is not checked: the reader is told to fix it
    editor_set(p, "third", "answer = 1 / 0")
    text = check(p, "third")
    assert text.startswith("Not yet: your code raised an error")
    assert "ZeroDivisionError" in p.locator("#third .gd-cell-output").inner_text()


def test_the_solution_unlocks_after_a_first_attempt_and_hints_come_one_by_one(
        page, exercise_url):
    p = page()
    p.goto(exercise_url)
    wait_live(p)
    solution_btn = p.locator("#third button.gd-solution-btn")
    assert solution_btn.is_disabled()
    assert "answer = 42" not in p.locator("#third").inner_text()
    assert p.locator("#third .gd-hint-btn").is_hidden()  # no hints for this one
    hint = p.locator("#double button.gd-hint-btn")
    assert hint.inner_text() == "Hint (1 of 2)"
    hint.click()
    assert p.locator("#double .gd-hints li").all_inner_texts() == ["Multiply x by a number."]
    hint.click()
    assert p.locator("#double .gd-hints li").all_inner_texts() == [
        "Multiply x by a number.", "By two."]
    assert hint.is_disabled()
    assert check(p, "third") == "Not yet: answer should be 42"
    assert solution_btn.is_enabled()
    solution_btn.click()
    assert p.locator("#third .gd-solution pre").inner_text().strip() == "answer = 42"
    p.locator("#third button.gd-use-solution").click()
    assert check(p, "third") == "Passed: Correct!"


def test_progress_survives_a_reload_and_shows_in_the_toc(page, exercise_url):
    p = page()
    p.goto(exercise_url)
    wait_live(p)
    editor_set(p, "third", "answer = 42")
    assert check(p, "third") == "Passed: Correct!"
    assert check(p, "double").startswith("Not yet")  # tried, not passed
    p.reload()
    wait_live(p)
    assert progress(p) == "1 of 3 exercises passed"
    assert toc_marked(p) == ["#last"]
    assert p.eval_on_selector("#third", "c => c.dataset.exerciseState") == "passed"
    assert p.eval_on_selector("#double", "c => c.dataset.exerciseState") == "tried"
    assert p.locator("#double button.gd-solution-btn").is_enabled()  # tried: unlocked
    assert p.locator("#rate button.gd-solution-btn").is_disabled()
