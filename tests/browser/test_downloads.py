"""Take it home: a page's "Download notebook" link and "Download my code (.py)" button."""

from __future__ import annotations

import re

import nbformat
import pytest
from gdlive import editor_set, instant_navigate, wait_live

pytestmark = pytest.mark.browser


def page_cell_ids(p) -> list[str]:  # noqa: ANN001
    return p.eval_on_selector_all(".gd-cell", "cs => cs.map(c => c.id)")


def test_the_notebook_link_downloads_a_valid_notebook_of_the_page(page, site_server):
    p = page()
    p.goto(f"{site_server}gradients/")
    link = p.locator("a.gd-download-notebook")
    assert link.get_attribute("download") == "gradients.ipynb"
    link.focus()  # reachable by keyboard: a real link, focused and followed with Enter
    assert p.evaluate("() => document.activeElement.classList.contains('gd-download-notebook')")
    with p.expect_download() as info:
        p.keyboard.press("Enter")
    download = info.value
    assert download.suggested_filename == "gradients.ipynb"
    nb = nbformat.read(download.path(), as_version=nbformat.NO_CONVERT)
    nbformat.validate(nb)
    ids = [c.metadata["gdcore"]["id"] for c in nb.cells
           if c.cell_type == "code" and not c.metadata["gdcore"].get("install")]
    assert ids == page_cell_ids(p)


def test_the_py_download_holds_every_cell_and_the_readers_edit(page, site_server):
    p = page()
    p.goto(f"{site_server}gradients/")
    wait_live(p)
    ids = page_cell_ids(p)
    first = p.eval_on_selector(".gd-cell:not([hidden])", "c => c.id")
    edit = "# the reader's edit\nanswer = 6 * 7\nprint(answer)"
    editor_set(p, first, edit)
    button = p.locator("button.gd-download-py")
    button.focus()
    with p.expect_download() as info:
        p.keyboard.press("Enter")
    download = info.value
    assert download.suggested_filename == "gradients.py"
    text = open(download.path(), encoding="utf-8").read()
    assert re.findall(r"^# %% \[([a-z0-9-]+)\]$", text, re.M) == ids
    first_cell = text.split(f"# %% [{first}]\n", 1)[1].split("\n# %% [", 1)[0]
    assert first_cell.strip() == edit
    # an unedited cell is there as the page has it
    last = ids[-1]
    last_code = p.eval_on_selector(f"#{last}", "c => c.dataset.code")
    assert text.rstrip().endswith(last_code.rstrip())
    compile(text, "gradients.py", "exec")  # a Python file, not just text


def test_downloads_follow_instant_navigation_and_are_not_printed(page, site_server):
    p = page()
    p.goto(f"{site_server}gradients/")
    wait_live(p)
    instant_navigate(p, f"{site_server}learning-rate/")
    wait_live(p)
    assert p.locator("button.gd-download-py").count() == 1
    # material's instant navigation makes the new page's links absolute
    href = p.eval_on_selector("a.gd-download-notebook", "a => a.href")
    assert href == f"{site_server}learning-rate/learning-rate.ipynb"
    with p.expect_download() as info:
        p.locator("button.gd-download-py").click()
    text = open(info.value.path(), encoding="utf-8").read()
    assert info.value.suggested_filename == "learning-rate.py"
    assert re.findall(r"^# %% \[([a-z0-9-]+)\]$", text, re.M) == page_cell_ids(p)
    assert p.locator(".gd-downloads").is_visible()
    p.emulate_media(media="print")
    assert not p.locator(".gd-downloads").is_visible()
