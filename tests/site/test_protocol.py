"""overrides/src/protocol.js under Node: message() and parse() refuse what is not the protocol."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

PROTOCOL_JS = Path(__file__).resolve().parents[2] / "overrides" / "src" / "protocol.js"

SCRIPT = """
const m = await import(process.argv[1]);
const out = [];
for (const [type, fields] of JSON.parse(process.argv[2])) {
  try { out.push({ ok: m.message(type, fields) }); }
  catch (e) { out.push({ error: e.message, protocol: e instanceof m.ProtocolError }); }
}
try { m.parse(null); }
catch (e) { out.push({ error: e.message, protocol: e instanceof m.ProtocolError }); }
process.stdout.write(JSON.stringify(out));
"""


def check(*cases: tuple[str, dict]) -> list[dict]:
    proc = subprocess.run(
        ["node", "--input-type=module", "-e", SCRIPT, str(PROTOCOL_JS), json.dumps(cases)],
        capture_output=True, text=True, check=True, env={**os.environ, "NODE_NO_WARNINGS": "1"},
    )
    return json.loads(proc.stdout)


def test_valid_messages_are_returned_as_they_are():
    run = {"id": 1, "cell_id": "a", "code": "1"}
    done = {"id": 1, "cell": None, "stdout_chars": 0, "stderr_chars": 0}
    out = check(("run", run), ("reset-namespace", {}), ("done", done),
                ("status", {"phase": "failed", "text": "x", "progress": None}))
    assert out[0] == {"ok": {"type": "run", **run}}
    assert out[1] == {"ok": {"type": "reset-namespace"}}
    assert out[2]["ok"]["cell"] is None
    assert out[3]["ok"]["phase"] == "failed"  # a phase of PHASE


@pytest.mark.parametrize(
    ("type_", "fields", "problem"),
    [
        ("result", {"id": 1, "text": "42"}, "unknown gdcore message type result"),
        ("run", {"id": 1, "code": "1"}, "run.cell_id: expected string, got missing"),
        ("run", {"id": "1", "cell_id": "a", "code": "1"}, "run.id: expected number, got string"),
        ("call", {"id": "c", "fn": "gdcore.f", "kwargs": [1, 2]}, "call.kwargs: expected object"),
        ("status", {"phase": "done", "text": "x"}, "status.phase: expected loading | packages"),
        ("stdout", {"id": 1, "text": "x", "extra": 1}, "stdout: unknown field(s) extra"),
    ],
)
def test_messages_outside_the_protocol_are_refused(type_, fields, problem):
    out = check((type_, fields))
    assert out[0]["protocol"] is True
    assert out[0]["error"].startswith(problem), out[0]["error"]


def test_null_is_not_a_message():
    assert check()[-1] == {"error": "not a message: null", "protocol": True}
