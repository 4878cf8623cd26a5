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
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RUNTIME = ROOT / "overrides" / "runtime"
PROTOCOL_JS = ROOT / "overrides" / "src" / "protocol.js"
LIMITS = {"workerBytes": 1000, "flushChars": 100, "flushMs": 50}


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


def test_output_is_batched_and_capped_with_the_totals_in_done(worker):
    sent = request(worker, type="run", id=5, cell_id="big", code="print('x' * 5000)")
    streamed = "".join(m["text"] for m in sent if m["type"] == "stdout")
    assert streamed == "x" * LIMITS["workerBytes"]
    assert max(len(m["text"]) for m in sent if m["type"] == "stdout") <= 8192
    assert sent[-1]["stdout_chars"] == 5001


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
