"""Share an edit (overrides/src/share.js): "Copy link with my code" puts the cell's code into
the URL fragment (deflate + base64url); opening the link shows it under a banner without
running it, "Back to the original" restores the page's code; malformed fragments are
ignored. On a small fixture site built with the real hooks."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from gdlive import editor_set, wait_live

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import sitekit  # noqa: E402

pytestmark = pytest.mark.browser

PAGE = """# Share fixture

```pycell id="greet"
name = "page"
print(f"hello from the {name}")
```

```pycell id="other"
print("another cell")
```
"""

SHARED = 'name = "shared ünïcode ✓"\nprint(f"hello from the {name}")\n' + "# pad\n" * 200


@pytest.fixture(scope="module")
def share_url(tmp_path_factory):
    project = tmp_path_factory.mktemp("share-site")
    docs = project / "docs"
    docs.mkdir()
    (docs / "index.md").write_text(PAGE, encoding="utf-8")
    config = sitekit.make_project_config(project)
    result = sitekit.run_mkdocs_build(config, project / "site", {
        "GDCORE_PYODIDE_SOURCE": "self", "GDCORE_CELL_CACHE": str(project / "cell-cache")})
    assert result.returncode == 0, result.output[-4000:]
    with sitekit.serve_site(result.site, project / "www") as url:
        yield url


def code_of(p, cell_id: str) -> str:
    return p.evaluate("id => window.__gdcore.page.cell(id).code()", cell_id)


def make_link(p, url: str, code: str) -> str:
    p.goto(url)
    wait_live(p)
    share = p.locator("#greet button.gd-share")
    assert share.is_hidden()  # only an edited cell offers it
    editor_set(p, "greet", code)
    assert share.is_visible()
    share.click()
    p.wait_for_function("() => document.querySelector('#greet .gd-share').dataset.url")
    return share.get_attribute("data-url")


def test_a_shared_link_opens_with_the_code_unrun_and_back_restores(page, share_url):
    p = page()
    link = make_link(p, share_url, SHARED)
    assert link.startswith(share_url + "#gd-code=greet:")
    assert len(link) < len(SHARED)  # compressed: 200 repeated lines cost a few bytes
    q = page()  # a reader who never edited this cell
    errors = []
    q.on("pageerror", lambda e: errors.append(str(e)))
    q.goto(link)
    wait_live(q)
    assert code_of(q, "greet") == SHARED
    banner = q.locator("#greet .gd-share-banner")
    assert banner.inner_text().startswith("Shared code, not the page's")
    # never run by itself: Python loads, the cell stays unrun, the original's output shown
    q.wait_for_function("() => window.__gdcore.runtime.state === 'ready'", timeout=120_000)
    q.wait_for_timeout(1000)
    assert q.eval_on_selector("#greet", "c => c.dataset.runs || null") is None
    assert "hello from the page" in q.locator("#greet .gd-cell-output").inner_text()
    q.locator("#greet button.gd-share-back").click()
    assert banner.count() == 0
    original = q.eval_on_selector("#greet", "c => c.dataset.code")
    assert code_of(q, "greet") == original
    assert errors == []


def test_opening_a_shared_link_keeps_the_readers_own_saved_edit(page, share_url):
    p = page()
    link = make_link(p, share_url, "print('shared')")
    editor_set(p, "greet", "print('my own edit')")  # saved in this browser
    p.goto(link)
    p.reload()  # a fresh load of the shared link
    wait_live(p)
    assert code_of(p, "greet") == "print('shared')"
    p.goto(share_url)
    p.reload()
    wait_live(p)
    assert code_of(p, "greet") == "print('my own edit')"


@pytest.mark.parametrize("fragment", [
    "#gd-code=greet:!!notbase64!!", "#gd-code=greet:AAAA", "#gd-code=:eJwrKC0pVgIAB3ICVg",
    "#gd-code=GREET:eJwrKC0pVgIAB3ICVg", "#gd-code=nosuchcell:eJwrKC0pVgIAB3ICVg",
    "#gd-code=greet", "#%E0%A4%A",
])
def test_a_malformed_fragment_is_ignored(page, share_url, fragment):
    p = page()
    errors = []
    p.on("pageerror", lambda e: errors.append(str(e)))
    p.goto(share_url + fragment)
    wait_live(p)
    assert p.locator(".gd-share-banner").count() == 0
    assert code_of(p, "greet") == p.eval_on_selector("#greet", "c => c.dataset.code")
    assert errors == []
