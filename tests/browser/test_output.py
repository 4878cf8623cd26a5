"""Output that feels live and belongs to its code (issue 14, items 6 and 7).

A small fixture site, built once per module with the repository's theme and hooks and
self-hosted Pyodide: lines printed between ``time.sleep`` calls reach the page as they are
printed, a long run says how long it has been running, ``input()`` says that cells cannot
read input, a capped output keeps its first and its last lines, Reset brings back the
build-time output, and an edited cell's build-time output is marked as the original code's.
"""

from __future__ import annotations

import re
import time

import pytest
from gdlive import cell, editor_set, output_text, run, runs, served_fixture_page, wait_live

pytestmark = pytest.mark.browser

PAGE = '''# Output

```pycell id="sleepy" prerender="false"
import time
for i in range(4):
    print('step', i)
    time.sleep(0.4)
```

```pycell id="slow" prerender="false"
import time
time.sleep(2.6)
print("slept")
```

```pycell id="ask" error="EOFError"
name = input("Your name? ")
```

```pycell id="flood" prerender="false"
for i in range(100000):
    print(i)
```

```pycell id="fig"
import matplotlib.pyplot as plt
plt.plot([0, 1, 2], [0, 1, 4])
plt.title("squares")
```

```pycell id="value"
value = 1
print("value is", value)
```

```pycell id="uses-value"
print("twice:", 2 * value)
```
'''

ORIGINAL_NOTE = "Output of the original code. Run to see yours."
INPUT_SENTENCE = ("EOFError: Cells cannot read input: assign the value in the code instead, "
                  "e.g. name = 'Ada' in place of name = input()")


@pytest.fixture(scope="module")
def output_url(tmp_path_factory):
    with served_fixture_page(tmp_path_factory, "output", PAGE) as url:
        yield url


@pytest.fixture
def live(page, output_url):
    def open_page(**options):
        p = page(**options)
        p.goto(output_url)
        wait_live(p)
        return p

    return open_page


def click(p, cell_id: str, name: str) -> None:
    cell(p, cell_id).get_by_role("button", name=name, exact=True).click()


def notes(p, cell_id: str, kind: str) -> list[str]:
    return p.eval_on_selector_all(f"#{cell_id} .gd-cell-output .gd-note-{kind}",
                                  "ns => ns.filter((n) => !n.hidden).map((n) => n.textContent)")


def test_each_line_printed_between_sleeps_appears_complete_when_it_is_printed(live):
    p = live()
    run(p, "value", timeout_s=180)  # Python loaded: the timing below is the cell's own
    # Every change of the cell's stdout, with its time: what the reader sees, and when.
    p.evaluate(
        """() => { window.__seen = [];
          const region = document.querySelector('#sleepy .gd-cell-output');
          const record = () => {
            const text = [...region.querySelectorAll('.gd-out-stdout')]
              .map((e) => e.textContent).join('');
            const seen = window.__seen;
            if (!seen.length || seen[seen.length - 1].text !== text)
              seen.push({ t: performance.now(), text });
          };
          new MutationObserver(record).observe(region,
            { childList: true, subtree: true, characterData: true }); }"""
    )
    final, _ = run(p, "sleepy")
    assert final == "done"
    seen = [s for s in p.evaluate("window.__seen") if s["text"]]
    # never a half line: every state of the output is whole "step k" lines
    assert all(re.fullmatch(r"(step \d\n)+", s["text"]) for s in seen), seen
    first = {}
    for s in seen:
        for k in range(s["text"].count("\n")):
            first.setdefault(k, s["t"])
    assert sorted(first) == [0, 1, 2, 3]
    delays = [(first[k] - first[0]) / 1000 - 0.4 * k for k in range(4)]
    print("step k on the page, after step 0, minus 0.4 k s: "
          + ", ".join(f"{d * 1000:.0f} ms" for d in delays))
    # line k is printed 0.4 k s after line 0 and must be on the page well before line k + 1
    assert all(d < 0.25 for d in delays), delays
    assert p.locator("#sleepy .gd-out-stdout").inner_text() == "step 0\nstep 1\nstep 2\nstep 3\n"
    assert not p.gd_errors


def test_a_long_run_says_how_long_it_has_been_running(live):
    p = live()
    run(p, "value", timeout_s=180)
    # Every text of the status line, with its time (in the page: no polling delay).
    p.evaluate(
        """() => { window.__status = [];
          const s = document.querySelector('#slow .gd-cell-status');
          new MutationObserver(() => window.__status.push([performance.now(), s.textContent]))
            .observe(s, { childList: true, subtree: true, characterData: true }); }"""
    )
    final, _ = run(p, "slow")
    assert final == "done"
    texts = p.evaluate("window.__status")
    when = {}
    for t, text in texts:
        when.setdefault(text, t)
    print("status texts:", {k: round((v - when["Running…"]) / 1000, 2) for k, v in when.items()})
    seconds = [text for _, text in texts if text.startswith("Running… ")]
    assert seconds[:2] == ["Running… 1 s", "Running… 2 s"], texts  # counted, once a second
    after = {k: (when[k] - when["Running…"]) / 1000 for k in seconds[:2]}
    assert 0.95 <= after["Running… 1 s"] < 1.6 and 1.95 <= after["Running… 2 s"] < 2.6, after
    status = cell(p, "slow").locator(".gd-cell-status").inner_text()
    assert int(re.fullmatch(r"Done in (\d+) ms", status).group(1)) >= 2600
    assert p.locator("#slow .gd-out-stdout").inner_text().strip() == "slept"


def test_input_says_in_one_sentence_that_cells_cannot_read_input(live):
    p = live()
    # at build time (CPython) the same sentence, pre-rendered
    assert output_text(p, "ask").strip().splitlines()[-1] == INPUT_SENTENCE
    final, _ = run(p, "ask", timeout_s=180)
    assert final == "done"  # error="EOFError": the cell is meant to show it
    error = p.locator("#ask .gd-out-error").inner_text()
    assert error.strip().splitlines()[-1] == INPUT_SENTENCE
    assert 'File "<cell ask>", line 1' in error
    assert "OSError" not in error and "pyodide" not in error.lower()
    assert p.locator("#ask .gd-out-stdout").inner_text() == "Your name? "
    assert not p.gd_errors


def test_a_capped_output_keeps_its_first_and_its_last_lines(live):
    p = live()
    run(p, "value", timeout_s=180)
    p.evaluate(
        """() => { window.__gap = 0; let last = performance.now();
                   window.__tick = setInterval(() => { const now = performance.now();
                     window.__gap = Math.max(window.__gap, now - last); last = now; }, 50);
                   window.__noteWhileRunning = null;
                   const c = document.getElementById('flood');
                   new MutationObserver(() => {
                     const n = c.querySelector('.gd-note-truncated:not([hidden])');
                     if (n && c.dataset.state === 'running' && !window.__noteWhileRunning)
                       window.__noteWhileRunning = n.textContent;
                   }).observe(c, { childList: true, subtree: true, characterData: true }); }"""
    )
    final, wall = run(p, "flood")
    gap = p.evaluate("clearInterval(window.__tick), window.__gap")
    live_note = p.evaluate("window.__noteWhileRunning")
    print(f"100000 lines: {wall:.2f} s, longest timer gap {gap:.0f} ms, "
          f"note while running: {live_note!r}")
    assert final == "done"
    region = "#flood .gd-cell-output"
    pres = p.eval_on_selector_all(f"{region} > *", "es => es.map((e) => [e.className, "
                                  "e.hidden, e.textContent])")
    kinds = [(cls, hidden) for cls, hidden, _ in pres]
    assert kinds == [("gd-out gd-out-stdout", False), ("gd-note gd-note-truncated", False),
                     ("gd-out gd-out-stdout gd-out-tail", False)], kinds
    head, note, tail = (text for _, _, text in pres)
    assert head == "".join(f"{i}\n" for i in range(2000))  # LIMITS.lines
    assert note == "… 97,980 lines not shown …"
    assert tail == "".join(f"{i}\n" for i in range(99980, 100000))  # LIMITS.tailLines
    # the tail is shown whole: its last line is in view without scrolling the box
    assert p.eval_on_selector("#flood .gd-out-tail", "e => e.scrollHeight <= e.clientHeight + 1")
    assert gap < 500
    assert not p.gd_errors


def test_reset_restores_the_build_time_output_figures_included(live):
    p = live()
    figure = "#fig .gd-out-figure img"
    built = p.eval_on_selector_all(figure, "imgs => imgs.map((i) => [i.src, i.alt])")
    assert len(built) == 1 and built[0][0].startswith("data:image/png;base64,")
    editor_set(p, "fig", 'print("mine")')
    final, _ = run(p, "fig", timeout_s=180)
    assert final == "done"
    assert p.locator("#fig .gd-out-stdout").inner_text().strip() == "mine"
    assert p.locator(figure).count() == 0
    click(p, "fig", "Reset")
    assert cell(p, "fig").locator(".cm-content").inner_text().startswith("import matplotlib")
    assert p.eval_on_selector_all(figure, "imgs => imgs.map((i) => [i.src, i.alt])") == built
    assert p.locator("#fig .gd-out-stdout").count() == 0
    assert p.eval_on_selector("#fig", "c => c.dataset.state ?? null") is None
    assert cell(p, "fig").locator(".gd-cell-status").inner_text() == ""
    assert notes(p, "fig", "original") == []
    assert not p.gd_errors


def test_after_reset_later_cells_see_the_original_codes_variables(live):
    p = live()
    editor_set(p, "value", "value = 99")
    assert run(p, "value", timeout_s=180)[0] == "done"
    click(p, "value", "Reset")
    assert output_text(p, "value").strip() == "value is 1"  # the build's output again
    before = runs(p, "value")
    assert run(p, "uses-value")[0] == "done"
    # the namespace had the edit's value: the original cell ran again first
    assert runs(p, "value") == before + 1
    assert p.locator("#uses-value .gd-out-stdout").inner_text().strip() == "twice: 2"


def test_an_edited_cells_build_output_is_marked_as_the_original_codes(live):
    p = live()
    assert notes(p, "value", "original") == []
    editor_set(p, "value", 'value = 7\nprint("mine", value)')
    assert notes(p, "value", "original") == [ORIGINAL_NOTE]  # as soon as the code differs
    time.sleep(0.2)
    p.reload()
    wait_live(p)
    # restored from localStorage: the build-time output is still there, marked
    first = p.eval_on_selector("#value .gd-cell-output", "r => r.firstElementChild.className")
    assert first == "gd-note gd-note-original"
    assert notes(p, "value", "original") == [ORIGINAL_NOTE]
    assert p.locator("#value .gd-out-stdout").inner_text().strip() == "value is 1"
    assert notes(p, "uses-value", "original") == []  # not edited: not marked
    final, _ = run(p, "value", timeout_s=180)
    assert final == "done"
    assert notes(p, "value", "original") == []
    assert p.locator("#value .gd-out-stdout").inner_text().strip() == "mine 7"
    p.reload()
    wait_live(p)
    assert notes(p, "value", "original") == [ORIGINAL_NOTE]
    click(p, "value", "Reset")
    assert notes(p, "value", "original") == []
    assert p.locator("#value .gd-out-stdout").inner_text().strip() == "value is 1"
    # typing the original back removes the mark too
    editor_set(p, "uses-value", "print(1)")
    assert notes(p, "uses-value", "original") == [ORIGINAL_NOTE]
    editor_set(p, "uses-value", 'print("twice:", 2 * value)')
    assert notes(p, "uses-value", "original") == []
    assert not p.gd_errors


def test_a_shared_cell_says_once_that_the_output_is_the_originals(live, page, output_url):
    p = live(permissions=["clipboard-read", "clipboard-write"])
    editor_set(p, "value", "value = 5")
    assert notes(p, "value", "original") == [ORIGINAL_NOTE]
    click(p, "value", "Copy link with my code")
    p.wait_for_function("() => navigator.clipboard.readText().then((t) => t.includes('#gd-code='))")
    link = p.evaluate("navigator.clipboard.readText()")
    q = page()
    q.goto(link)
    wait_live(q)
    q.wait_for_selector("#value .gd-share-banner")
    assert "the output below is the original's" in q.locator("#value .gd-share-banner").inner_text()
    # the banner says it: the note is there for the edit, but not shown twice
    assert q.locator("#value .gd-note-original").count() == 1
    assert q.locator("#value .gd-note-original").is_hidden()
    click(q, "value", "Back to the original")
    assert q.locator("#value .gd-note-original").count() == 0
