"""Layout on a phone and a desktop: the page's "Reset all cells on this page" button reads as
a button (overrides/src/updates.css), and the page status (the "Python" region, main.js and
gdcore.css) never covers the page: compact once Python is ready, with its accessible name,
expanded by keyboard focus, and with room kept below the footer, whether Python is ready or
failed to load. On a small fixture site built with the real theme and hooks."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from gdlive import wait_live

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import sitekit  # noqa: E402

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
FILLER = "\n\n".join(f"Paragraph {i}, which a reader reads before the cells." for i in range(12))
PAGE = f"""# Layout fixture

{FILLER}

```pycell id="first"
x = 1
print(x)
```

```pycell id="second"
print(x + 1)
```

The last paragraph of the page, which the reader must be able to read in full.
"""


@pytest.fixture(scope="module")
def site_url(tmp_path_factory):
    project = tmp_path_factory.mktemp("layout-site")
    docs = project / "docs"
    docs.mkdir()
    (docs / "index.md").write_text(PAGE, encoding="utf-8")
    (docs / "other.md").write_text("# Other\n\nThe next page.\n", encoding="utf-8")
    config = sitekit.make_project_config(project, nav=["index.md", "other.md"])
    result = sitekit.run_mkdocs_build(config, project / "site", {
        "GDCORE_PYODIDE_SOURCE": "self", "GDCORE_CELL_CACHE": str(project / "cache")})
    assert result.returncode == 0, result.output[-4000:]
    with sitekit.serve_site(result.site, project / "www") as url:
        yield url


def truncated_wasm(route):
    body = route.fetch().body()
    route.fulfill(status=200, body=body[: len(body) // 2],
                  headers={"content-type": "application/wasm"})


def overlaps(a, b) -> bool:
    return (a["x"] < b["x"] + b["width"] and b["x"] < a["x"] + a["width"]
            and a["y"] < b["y"] + b["height"] and b["y"] < a["y"] + a["height"])


def wait_state(p, state: str, timeout_s: float = 90) -> None:
    p.wait_for_function("s => document.querySelector('.gd-status')?.dataset.state === s",
                        arg=state, timeout=timeout_s * 1000)


def at_bottom_nothing_is_covered(p) -> None:
    p.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    p.wait_for_timeout(300)
    status = p.locator(".gd-status").bounding_box()
    assert status is not None
    last = p.get_by_text("The last paragraph of the page").bounding_box()
    assert not overlaps(status, last), (status, last)
    for selector in (".md-footer__link", ".md-copyright"):
        for box in (el.bounding_box() for el in p.locator(selector).all()):
            assert box and not overlaps(status, box), (selector, status, box)


def test_reset_all_is_a_button_not_a_column_of_words_on_a_phone(page, site_url):
    for scheme in ("light", "dark"):
        p = page(viewport=PHONE, color_scheme=scheme, service_workers="block")
        p.goto(site_url)
        wait_live(p)
        button = p.get_by_role("button", name="Reset all cells on this page")
        box = button.bounding_box()
        line = p.evaluate("b => parseFloat(getComputedStyle(b).lineHeight) || "
                          "1.2 * parseFloat(getComputedStyle(b).fontSize)", button.element_handle())
        assert box["height"] <= 2 * line + 12, (box, line)  # one line (or two), plus padding
        assert box["width"] >= 8 * line, box
        downloads = p.locator(".gd-downloads").bounding_box()
        assert not overlaps(box, downloads), (box, downloads)


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_ready_status_is_compact_named_keyboard_operable_and_covers_nothing(page, site_url,
                                                                           viewport):
    p = page(viewport=viewport, service_workers="block")
    p.goto(site_url)
    wait_live(p)
    wait_state(p, "ready")
    p.wait_for_function("() => document.querySelector('.gd-status-compact') !== null")
    region = p.get_by_role("region", name="Python")
    restart = region.get_by_role("button", name="Restart Python")
    assert restart.is_visible()
    at_bottom_nothing_is_covered(p)
    compact = restart.bounding_box()
    if viewport is PHONE:
        assert compact["width"] <= 48 and compact["height"] <= 48, compact  # icon-sized
        restart.focus()
        p.wait_for_timeout(100)
        assert restart.bounding_box()["width"] > 2 * compact["width"]  # the label shows on focus
    restart.focus()
    p.keyboard.press("Enter")
    wait_state(p, "loading", 10)  # Enter on the focused button restarts Python
    wait_state(p, "ready")


def test_a_load_failure_is_shown_in_full_and_covers_nothing(page, site_url):
    p = page(viewport=PHONE, service_workers="block")
    p.context.route("**/pyodide.asm.wasm", truncated_wasm)
    p.goto(site_url)
    wait_live(p)
    wait_state(p, "failed")
    text = p.locator(".gd-status .gd-status-text")
    assert text.is_visible()
    assert "Python could not be loaded" in text.inner_text()
    p.wait_for_timeout(1800)  # a failure never collapses
    assert text.is_visible()
    assert not p.locator(".gd-status").evaluate("s => s.classList.contains('gd-status-compact')")
    at_bottom_nothing_is_covered(p)
