"""overrides/runtime/pyworker.py, the worker's Python side, driven under CPython.

The browser test (tests/browser/test_runtime.py) runs it in Pyodide; here every answer it
posts is checked against the protocol's field lists, which must match protocol.js's.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RUNTIME = ROOT / "overrides" / "runtime"
PROTOCOL_JS = ROOT / "overrides" / "src" / "protocol.js"
LIMITS = {"lines": 50, "chars": 2000, "tailLines": 5, "tailChars": 200, "flushChars": 100,
          "flushMs": 50}


@pytest.fixture(scope="module")
def pyworker():
    sys.path.insert(0, str(RUNTIME))
    try:
        import pyworker

        yield pyworker
    finally:
        sys.path.remove(str(RUNTIME))


@pytest.fixture
def worker(pyworker):
    sent: list[dict] = []
    w = pyworker.Worker(lambda text: sent.append(json.loads(text)), LIMITS)
    w.sent = sent
    return w


def request(worker, **msg) -> list[dict]:
    worker.sent.clear()
    worker.handle(json.dumps(msg))
    return list(worker.sent)


def js_schema() -> dict:
    """protocol.js's SCHEMA, read by Node (the same file esbuild bundles)."""
    script = ("import(process.argv[1]).then((m) => "
              "process.stdout.write(JSON.stringify(m.SCHEMA)))")
    out = subprocess.run(
        ["node", "--input-type=module", "-e", script, str(PROTOCOL_JS)],
        capture_output=True, text=True, check=True, env={**os.environ, "NODE_NO_WARNINGS": "1"},
    )
    return json.loads(out.stdout)


def test_python_and_javascript_protocols_name_the_same_fields(pyworker):
    """pyworker's REQUESTS/ANSWERS and protocol.js's SCHEMA: same types, same fields, and a
    field Python always sends is one JavaScript requires (done.cell may be null from JS)."""
    schema = js_schema()
    for kind, (required, optional) in {**pyworker.REQUESTS, **pyworker.ANSWERS}.items():
        assert kind in schema, kind
        assert set(schema[kind]) == set(required) | set(optional), kind
        js_optional = {f for f, spec in schema[kind].items()
                       if isinstance(spec, str) and spec.endswith("?")}
        assert js_optional <= set(optional) | {"cell", "id", "error_type"}, kind


def test_a_run_streams_output_then_posts_done_with_the_cell_result(worker):
    sent = request(worker, type="run", id=7, cell_id="a", code="print('hi')\nx = 6\nx * 7")
    assert [m["type"] for m in sent] == ["stdout", "done"]
    assert sent[0] == {"type": "stdout", "id": 7, "text": "hi\n"}
    done = sent[1]
    assert done["id"] == 7 and done["stdout_chars"] == 3 and done["stderr_chars"] == 0
    # the cell result is cellrun's CellResult as it is (the shape the build stores)
    assert done["cell"] == {"stdout": "", "stderr": "", "result": "42", "error": None,
                            "error_type": None, "figures": [], "figure_error": None}
    # the namespace is kept between runs, and reset-namespace forgets it
    assert request(worker, type="run", id=8, cell_id="b", code="x")[-1]["cell"]["result"] == "6"
    assert request(worker, type="reset-namespace") == []
    again = request(worker, type="run", id=9, cell_id="c", code="x")[-1]["cell"]
    assert again["error_type"] == "NameError"


def test_named_namespaces_are_separate(worker):
    request(worker, type="run", id=1, cell_id="page", code="v = 'page'")
    request(worker, type="run", id=2, cell_id="ex", code="v = 'ex'", namespace="explorer:e")
    assert request(worker, type="run", id=3, cell_id="p", code="v")[-1]["cell"]["result"] \
        == "'page'"
    named = request(worker, type="run", id=4, cell_id="q", code="v", namespace="explorer:e")
    assert named[-1]["cell"]["result"] == "'ex'"


def streamed(sent, kind="stdout") -> str:
    """The head: the text of the stream messages that are not tails."""
    return "".join(m["text"] for m in sent if m["type"] == kind and "omitted_lines" not in m)


def tails(sent, kind="stdout") -> list[dict]:
    return [m for m in sent if m["type"] == kind and "omitted_lines" in m]


@pytest.mark.parametrize("flush_ms", [50, 2, 0])
def test_a_long_output_keeps_its_head_and_its_tail_with_the_count_between(pyworker, flush_ms):
    sent = []
    worker = pyworker.Worker(lambda text: sent.append(json.loads(text)),
                             {**LIMITS, "flushMs": flush_ms})
    code = ("import time\nfor i in range(1000):\n    print(i)\n    t = time.perf_counter()\n"
            "    while time.perf_counter() - t < 1e-4:\n        pass")  # 0.1 ms a line
    worker.handle(json.dumps({"type": "run", "id": 5, "cell_id": "big", "code": code}))
    kinds = ["tail" if "omitted_lines" in m else m["type"] for m in sent]
    assert kinds[-1] == "done" and "tail" in kinds
    assert "stdout" not in kinds[kinds.index("tail"):], kinds  # the head, then tails only
    head = streamed(sent)
    assert head == "".join(f"{i}\n" for i in range(LIMITS["lines"]))
    last = tails(sent)[-1]
    assert last["text"] == "".join(f"{i}\n" for i in range(995, 1000))
    assert last["omitted_lines"] == 1000 - LIMITS["lines"] - LIMITS["tailLines"]
    assert last["omitted_chars"] == len("".join(f"{i}\n" for i in range(50, 995)))
    assert sent[-1]["type"] == "done" and sent[-1]["stdout_chars"] == 3890
    if flush_ms == 50:  # the flood is batched: a handful of messages, not a thousand
        assert len(sent) < 20


def test_a_huge_line_keeps_the_ends_within_the_character_limits(worker):
    sent = request(worker, type="run", id=6, cell_id="wide", code="print('x' * 5000 + 'END')")
    assert streamed(sent) == "x" * LIMITS["chars"]
    last = tails(sent)[-1]
    assert last["text"] == "x" * (LIMITS["tailChars"] - 4) + "END\n"
    assert last["omitted_lines"] == 0 and last["omitted_chars"] == 5004 - 2000 - 200
    assert sent[-1]["stdout_chars"] == 5004


def test_output_that_fits_has_no_tail(worker):
    sent = request(worker, type="run", id=7, cell_id="small", code="for i in range(50): print(i)")
    assert tails(sent) == [] and streamed(sent).count("\n") == 50
    sent = request(worker, type="run", id=8, cell_id="over", code="for i in range(52): print(i)")
    assert tails(sent)[-1] == {"type": "stdout", "id": 8, "text": "50\n51\n",
                               "omitted_lines": 0, "omitted_chars": 0}


def test_half_a_line_waits_for_its_end_unless_the_cell_sleeps(worker, pyworker, monkeypatch):
    code = "import sys\nsys.stdout.write('half')\nsum(range(1000))\nsys.stdout.write(' line\\n')"
    sent = request(worker, type="run", id=9, cell_id="half", code=code)
    assert [m["text"] for m in sent if m["type"] == "stdout"] == ["half line\n"]
    # before time.sleep (also through `from time import sleep`) everything written is posted
    def fake_sleep(seconds):
        worker.sent.append({"type": "slept"})

    monkeypatch.setattr(time, "sleep", fake_sleep)
    monkeypatch.setattr(pyworker, "_real_sleep", fake_sleep)
    code = ("from time import sleep\nprint('loading', end='')\nsleep(1)\nprint(' done')\n"
            "import time\ntime.sleep(1)")
    sent = request(worker, type="run", id=10, cell_id="sleepy", code=code)
    assert [(m["type"], m.get("text")) for m in sent[:-1]] == [
        ("stdout", "loading"), ("slept", None), ("stdout", " done\n"), ("slept", None)]
    assert time.sleep is fake_sleep  # the real one again between runs


def test_a_flush_the_code_asks_for_posts_half_a_line(worker):
    code = ("import time\nprint('loading', end='', flush=True)\nt = time.monotonic()\n"
            "while time.monotonic() - t < 0.1:\n    pass\nprint(' done')")
    sent = request(worker, type="run", id=13, cell_id="flushed", code=code)
    assert [m["text"] for m in sent if m["type"] == "stdout"] == ["loading", " done\n"]


def test_short_sleeps_and_flushes_in_a_loop_do_not_flood_the_page(worker):
    code = ("import time\nfor i in range(300):\n    print(i, end=' ', flush=True)\n"
            "    time.sleep(0)\nprint()")
    sent = request(worker, type="run", id=14, cell_id="busy", code=code)
    assert streamed(sent) == " ".join(str(i) for i in range(300)) + " \n"
    assert len(sent) < 30, len(sent)  # the burst allowance, then one post per flushMs


def test_lines_printed_before_a_long_computation_are_posted_at_once(pyworker):
    posted = []
    w = pyworker.Worker(lambda text: posted.append((time.monotonic(), json.loads(text))),
                        {**LIMITS, "flushMs": 1000})
    code = ("import time\nprint('loading data')\nprint('training')\nt = time.monotonic()\n"
            "while time.monotonic() - t < 0.3:\n    pass\nprint('done')")
    t0 = time.monotonic()
    w.handle(json.dumps({"type": "run", "id": 11, "cell_id": "long", "code": code}))
    lines = [(t - t0, m["text"]) for t, m in posted if m["type"] == "stdout"]
    assert [text for _, text in lines] == ["loading data\n", "training\n", "done\n"]
    assert lines[1][0] < 0.15  # not held back until the computation ends (0.3 s)


def test_stdout_and_stderr_keep_the_order_they_were_written_in(worker):
    code = "import sys\nprint('a')\nprint('warn', file=sys.stderr)\nprint('b')"
    sent = request(worker, type="run", id=12, cell_id="mixed", code=code)
    assert [(m["type"], m["text"]) for m in sent[:-1]] == [
        ("stdout", "a\n"), ("stderr", "warn\n"), ("stdout", "b\n")]


def test_call_passes_keyword_arguments_and_answers_value(worker):
    pytest.importorskip("numpy")
    sys.path.insert(0, str(ROOT))
    sent = request(worker, type="call", id="c1", fn="gdcore.explore.explorer_update",
                   kwargs={"landscape": "rosenbrock", "runs": [{"optimizer": "Adam"}],
                           "x0": [0.0, 0.0], "steps": 5, "grid_resolution": 0})
    assert [m["type"] for m in sent] == ["value"]
    assert sent[0]["id"] == "c1" and sent[0]["ms"] >= 0
    assert json.loads(sent[0]["value"])["race"]["steps"] == 5


@pytest.mark.parametrize(
    ("fn", "kwargs", "error_type", "text"),
    [
        ("os.system", {}, "ValueError", "not a gdcore function: 'os.system'"),
        ("gdcore.explore.explorer_update", {"nope": 1}, "TypeError", "unexpected keyword"),
        ("gdcore.explore.explorer_update", [1, 2], "TypeError", "kwargs must be an object"),
    ],
)
def test_a_call_that_fails_answers_error_naming_the_exception(worker, fn, kwargs, error_type,
                                                              text):
    sys.path.insert(0, str(ROOT))
    sent = request(worker, type="call", id="c2", fn=fn, kwargs=kwargs)
    assert len(sent) == 1 and sent[0]["type"] == "error" and sent[0]["id"] == "c2"
    assert sent[0]["error_type"] == error_type and text in sent[0]["text"]
    assert sent[0]["fatal"] is False


@pytest.mark.parametrize(
    ("msg", "problem"),
    [
        (None, "request must be an object"),
        ({"type": "nope"}, "unknown request type 'nope'"),
        ({"type": "run", "id": 1, "code": "1"}, "missing ['cell_id']"),
        ({"type": "reset-namespace", "extra": 1}, "unknown ['extra']"),
    ],
)
def test_a_request_outside_the_protocol_is_refused(worker, pyworker, msg, problem):
    with pytest.raises(pyworker.ProtocolError, match=re.escape(problem)):
        worker.handle(json.dumps(msg))
    assert worker.sent == []


def test_answers_are_checked_too(pyworker):
    with pytest.raises(pyworker.ProtocolError, match="unknown answer type 'result'"):
        pyworker.message("result", id=1, text="42")
    with pytest.raises(pyworker.ProtocolError, match=r"unknown \['errorType'\]"):
        pyworker.message("error", id=1, text="x", error_type=None, fatal=False, errorType="x")


def test_an_interrupt_outside_the_readers_code_is_reported_as_interrupted(worker, monkeypatch,
                                                                          pyworker):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(pyworker.cellrun, "run_cell", interrupted)
    sent = request(worker, type="run", id=3, cell_id="k", code="1")
    assert sent[-1]["type"] == "done"
    assert sent[-1]["cell"]["error_type"] == "KeyboardInterrupt"


# The background warm-up (issue 14, item 1): what worker.js runs before any Run.


def test_warm_figure_draws_through_the_cell_renderer_and_leaves_nothing_open(pyworker, monkeypatch):
    import matplotlib.pyplot as plt

    pyworker.warm_matplotlib()
    drawn = []
    real = pyworker.cellrun._render_figure
    monkeypatch.setattr(pyworker.cellrun, "_render_figure",
                        lambda fig, n: drawn.append(real(fig, n)) or drawn[-1])
    pyworker.warm_figure()
    assert len(drawn) == 1 and drawn[0]["png_base64"].startswith("iVBOR")  # a PNG
    assert plt.get_fignums() == []  # the reader's first cell starts with no figure


def test_worker_js_warms_a_figure_only_in_the_background():
    """warm_figure is called from preload only (never on a run's path), and gives way to
    runs and calls that are waiting."""
    js = (RUNTIME.parent / "src" / "worker.js").read_text(encoding="utf-8")
    assert js.count("warm_figure()") == 1
    body = js[js.index("function warmFigure"):]
    body = body[:body.index("\n}\n")]
    assert "waiting" in body
    preload = js[js.index("async function preload"):]
    preload = preload[:preload.index("\n}\n")]
    assert "warmFigure()" in preload
    run_path = js[js.index("async function loadPackagesFor"):]
    run_path = run_path[:run_path.index("\n}\n")]
    assert "warmFigure" not in run_path
