"""Author updates never hide (overrides/src/updates.js): a saved edit remembers the
fingerprint of the original it was made from; after the author changed that cell, the
reader is told, sees a diff, and takes the new version in one click; "Reset all cells on
this page". On a small fixture site built with the real hooks, rebuilt with a changed cell."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from gdlive import editor_set, wait_live

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import sitekit  # noqa: E402

pytestmark = pytest.mark.browser


def page_text(rate: str) -> str:
    return f"""# Updates fixture

```pycell id="rate"
lr = {rate}
print("learning rate", lr)
```

```pycell id="steady"
print("this cell never changes")
```
"""


@pytest.fixture
def project(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    config = sitekit.make_project_config(tmp_path)

    def build(rate: str) -> Path:
        (docs / "index.md").write_text(page_text(rate), encoding="utf-8")
        result = sitekit.run_mkdocs_build(config, tmp_path / "site", {
            "GDCORE_PYODIDE_SOURCE": "self", "GDCORE_CELL_CACHE": str(tmp_path / "cache")})
        assert result.returncode == 0, result.output[-4000:]
        return result.site

    site = build("0.1")
    with sitekit.serve_site(site, tmp_path / "www") as url:
        yield url, build


def code_of(p, cell_id: str) -> str:
    return p.evaluate("id => window.__gdcore.page.cell(id).code()", cell_id)


def test_an_updated_original_is_announced_with_its_diff_and_can_be_taken(page, project):
    url, build = project
    p = page()
    p.goto(url)
    wait_live(p)
    mine = 'lr = 0.5  # my value\nprint("learning rate", lr)'
    editor_set(p, "rate", mine)
    editor_set(p, "steady", 'print("my steady edit")')
    p.reload()
    wait_live(p)
    assert code_of(p, "rate") == mine
    assert p.locator(".gd-updated").count() == 0  # nothing changed yet
    build("0.05")  # the author changes the first cell only
    p.reload()
    wait_live(p)
    notice = p.locator("#rate .gd-updated")
    assert notice.locator("p").inner_text() == (
        "This cell was updated since you edited it. Your code (−) against the new version (+):")
    rows = notice.locator(".gd-diff > span").all_inner_texts()
    assert [r.rstrip("\n") for r in rows] == [
        "− lr = 0.5  # my value", "+ lr = 0.05", '  print("learning rate", lr)']
    assert p.locator("#steady .gd-updated").count() == 0  # its original did not change
    assert code_of(p, "rate") == mine  # the edit is still there until the reader decides
    notice.locator("button.gd-take-new").click()
    assert notice.count() == 0
    assert code_of(p, "rate") == 'lr = 0.05\nprint("learning rate", lr)'
    p.reload()
    wait_live(p)
    assert p.locator(".gd-updated").count() == 0
    assert code_of(p, "rate") == 'lr = 0.05\nprint("learning rate", lr)'
    assert code_of(p, "steady") == 'print("my steady edit")'


def test_keep_my_version_silences_the_notice_until_the_next_update(page, project):
    url, build = project
    p = page()
    p.goto(url)
    wait_live(p)
    editor_set(p, "rate", "lr = 0.3")
    build("0.05")
    p.reload()
    wait_live(p)
    p.locator("#rate button.gd-keep-mine").click()
    p.reload()
    wait_live(p)
    assert p.locator(".gd-updated").count() == 0
    assert code_of(p, "rate") == "lr = 0.3"
    build("0.01")
    p.reload()
    wait_live(p)
    assert p.locator("#rate .gd-updated").count() == 1


def test_reset_all_cells_on_this_page(page, project):
    url, _ = project
    p = page()
    p.goto(url)
    wait_live(p)
    editor_set(p, "rate", "lr = 9")
    editor_set(p, "steady", "print(2)")
    p.get_by_role("button", name="Reset all cells on this page").click()
    assert p.locator(".gd-reset-all-status").inner_text() == "2 cells reset to the page's code"
    for cid in ("rate", "steady"):
        assert code_of(p, cid) == p.eval_on_selector(f"#{cid}", "c => c.dataset.code")
    p.reload()
    wait_live(p)
    assert p.locator(".gd-cell-edited").count() == 0
