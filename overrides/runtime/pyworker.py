"""The Python side of the browser's Web Worker: runs cells and calls for the page.

``overrides/src/worker.js`` loads Pyodide, writes this file and ``cellrun.py`` into Pyodide's
file system, imports this module and creates one :class:`Worker` with a ``post`` function.
From then on, every request of the page (``run``, ``call``, ``reset-namespace``; see
``overrides/src/protocol.js``, the protocol's definition on the JavaScript side) is handed to
:meth:`Worker.handle` as JSON text, after worker.js loaded the packages it needs, and every
answer leaves through ``post`` as JSON text, which worker.js validates against protocol.js
before it posts it to the page.

This module is the protocol's definition on the Python side: :data:`REQUESTS` and
:data:`ANSWERS` list the fields of every message it reads or writes, and :func:`message`
builds (and checks) an answer. It is pure standard library and runs under CPython too (the
tests drive it there with a list's ``append`` as ``post``).

What it adds to ``cellrun.run_cell``:

* one namespace for the page's cells, and separate named ones (the explorer's code runs in
  ``"explorer:<id>"``), all forgotten by ``reset-namespace``;
* streaming: standard output and error go to the page in batches (every ``flush_ms``
  milliseconds or ``flush_chars`` characters) and stop after ``worker_chars`` characters per
  stream and run; the totals are reported in ``done``;
* ``call``: a function under ``gdcore`` called with keyword arguments (a JSON object), whose
  return value (JSON-able) is answered in ``value``.

>>> sent = []
>>> w = Worker(lambda text: sent.append(json.loads(text)), {"workerBytes": 100,
...            "flushChars": 10, "flushMs": 50})
>>> w.handle(json.dumps({"type": "run", "id": 1, "cell_id": "a", "code": "print('hi')\\n6 * 7"}))
>>> [m["type"] for m in sent]
['stdout', 'done']
>>> sent[0]["text"], sent[1]["cell"]["result"]
('hi\\n', '42')
"""

from __future__ import annotations

import importlib
import json
import re
import time
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

import cellrun

__all__ = ["ANSWERS", "REQUESTS", "ProtocolError", "Verdict", "Worker", "check_exercise",
           "message", "warm_figure", "warm_matplotlib"]

#: Requests from the page that reach Python: type -> (required fields, optional fields).
REQUESTS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "run": (("id", "cell_id", "code"), ("namespace", "figures")),
    "call": (("id", "fn", "kwargs"), ()),
    "reset-namespace": ((), ()),
}

#: Answers Python posts: type -> (required fields, optional fields).
ANSWERS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "stdout": (("id", "text"), ()),
    "stderr": (("id", "text"), ()),
    "done": (("id", "cell", "stdout_chars", "stderr_chars"), ()),
    "value": (("id", "value", "ms"), ()),
    "error": (("id", "text", "error_type", "fatal"), ()),
}

_GDCORE_NAME = re.compile(r"^gdcore(\.[A-Za-z_][A-Za-z0-9_]*)+$")


class ProtocolError(ValueError):
    """A message that does not follow the protocol (unknown type, missing or extra fields)."""


def _check(table: dict, msg: dict, what: str) -> dict:
    if not isinstance(msg, dict):
        raise ProtocolError(f"{what} must be an object, got {type(msg).__name__}")
    kind = msg.get("type")
    if kind not in table:
        raise ProtocolError(f"unknown {what} type {kind!r} (known: {', '.join(table)})")
    required, optional = table[kind]
    missing = [f for f in required if f not in msg]
    extra = [f for f in msg if f != "type" and f not in required and f not in optional]
    if missing or extra:
        raise ProtocolError(
            f"{what} {kind!r}: missing {missing or 'nothing'}, unknown {extra or 'nothing'}"
        )
    return msg


def message(kind: str, **fields: Any) -> dict:
    """An answer to the page, checked against :data:`ANSWERS`.

    >>> message("stdout", id=3, text="hi")
    {'type': 'stdout', 'id': 3, 'text': 'hi'}
    >>> message("stdout", id=3)
    Traceback (most recent call last):
    ...
    pyworker.ProtocolError: answer 'stdout': missing ['text'], unknown nothing
    """
    return _check(ANSWERS, {"type": kind, **fields}, "answer")


class _Pump:
    """One output stream of one run: batched, capped, counted."""

    def __init__(self, post: Callable[[dict], None], kind: str, run_id: int, limits: dict):
        self.post, self.kind, self.run_id = post, kind, run_id
        self.cap, self.batch = limits["workerBytes"], limits["flushChars"]
        self.every = limits["flushMs"] / 1000
        self.buf: list[str] = []
        self.size = self.sent = self.total = 0
        self.last = time.monotonic()

    def write(self, text: str) -> None:
        self.total += len(text)
        room = self.cap - self.sent
        if room <= 0:
            return
        text = text[:room]
        self.sent += len(text)
        self.buf.append(text)
        self.size += len(text)
        if self.size >= self.batch or time.monotonic() - self.last >= self.every:
            self.flush()

    def flush(self) -> None:
        if self.buf:
            text = "".join(self.buf)
            self.buf, self.size = [], 0
            self.post(message(self.kind, id=self.run_id, text=text))
        self.last = time.monotonic()


class Worker:
    """The page's Python: its namespaces, and the handling of one request at a time.

    ``post(text)`` sends one answer (JSON text) to the page; ``limits`` are protocol.js's
    ``LIMITS`` (``workerBytes``, ``flushChars``, ``flushMs``).
    """

    def __init__(self, post: Callable[[str], object], limits: dict) -> None:
        self._post_text = post
        self.limits = dict(limits)
        self.namespace = cellrun.new_namespace()
        self.named: dict[str, dict] = {}

    def post(self, msg: dict) -> None:
        self._post_text(json.dumps(msg, allow_nan=False))

    def handle(self, text: str) -> None:
        """Handle one request (JSON text); answers go through ``post``.

        A request that breaks the protocol raises :class:`ProtocolError` (worker.js has
        already checked it, so that is a bug of ours, not of the reader's code).
        """
        msg = _check(REQUESTS, json.loads(text), "request")
        if msg["type"] == "run":
            self.run(msg["code"], msg["cell_id"], msg["id"], msg.get("namespace"),
                     figures=msg.get("figures") is not False)
        elif msg["type"] == "call":
            self.call(msg["fn"], msg["kwargs"], msg["id"])
        else:
            self.reset()

    def reset(self) -> None:
        """A new page: fresh namespaces, open figures closed."""
        self.namespace = cellrun.new_namespace()
        self.named.clear()
        cellrun.close_figures()

    def run(self, code: str, cell_id: str, run_id: int, name: str | None = None,
            figures: bool = True) -> None:
        """Run one cell: stream its output, then post ``done`` with its ``CellResult``
        (``figures=False``: figures closed, not drawn; see ``cellrun.run_cell``)."""
        ns = self.namespace if name is None else self.named.setdefault(
            name, cellrun.new_namespace())
        out = _Pump(self.post, "stdout", run_id, self.limits)
        err = _Pump(self.post, "stderr", run_id, self.limits)
        try:
            res = cellrun.run_cell(code, ns, cell_id, on_stdout=out.write, on_stderr=err.write,
                                   figures=figures)
        except KeyboardInterrupt:  # the interrupt arrived outside the reader's code
            res = cellrun.CellResult(error="KeyboardInterrupt", error_type="KeyboardInterrupt")
        finally:
            out.flush()
            err.flush()
        self.post(message(
            "done", id=run_id, cell=asdict(res), stdout_chars=out.total, stderr_chars=err.total,
        ))

    def call(self, fn: str, kwargs: dict, call_id: str) -> None:
        """Call gdcore function ``fn`` (a dotted name) as ``fn(**kwargs)``; answer ``value``
        (or ``error``, naming the exception)."""
        t0 = time.perf_counter()
        try:
            if not isinstance(fn, str) or not _GDCORE_NAME.match(fn):
                raise ValueError(f"call: not a gdcore function: {fn!r}")
            if not isinstance(kwargs, dict):
                raise TypeError(f"call: kwargs must be an object, got {type(kwargs).__name__}")
            module, _, name = fn.rpartition(".")
            value = getattr(importlib.import_module(module), name)(**kwargs)
            answer = message("value", id=call_id, value=value,
                             ms=(time.perf_counter() - t0) * 1000)
            text = json.dumps(answer, allow_nan=False)
        except Exception as exc:
            self.post(message("error", id=call_id, text=f"{type(exc).__name__}: {exc}",
                              error_type=type(exc).__name__, fatal=False))
            return
        self._post_text(text)


class Verdict:
    """What an exercise's check said: ``passed``, and ``feedback`` in plain words. Its
    ``repr`` is JSON, so that a cell whose last expression is a verdict hands it to the page
    as the ``result`` of the ordinary cell result (the page's Check runs such a cell)."""

    def __init__(self, passed: bool, feedback: str) -> None:
        self.passed, self.feedback = passed, feedback

    def __repr__(self) -> str:
        return json.dumps({"passed": self.passed, "feedback": self.feedback})


def check_exercise(check: str, namespace: dict) -> Verdict:
    r"""Run an exercise's hidden ``check`` against ``namespace`` (the page's, after the
    reader's code): Python asserts, whose ``AssertionError`` message is the feedback, or a
    function ``check(namespace)`` returning feedback (a string) or ``None`` for a pass. The
    check's own names stay in a copy of the namespace. Never raises.

    >>> check_exercise("assert x == 2, 'x should be 2'", {"x": 3}).feedback
    'x should be 2'
    >>> check_exercise("def check(ns):\n    return None if ns['x'] == 2 else 'no'", {"x": 2})
    {"passed": true, "feedback": "Correct!"}
    >>> check_exercise("assert f(1) == 2", {}).feedback
    "The check could not run your code: NameError: name 'f' is not defined"
    """
    scope = dict(namespace)
    before = scope.get("check")
    try:
        exec(compile(check, "<exercise check>", "exec"), scope)  # noqa: S102
        fn = scope.get("check")
        feedback = fn(namespace) if callable(fn) and fn is not before else None
    except AssertionError as exc:
        text = str(exc).strip()
        return Verdict(False, text or "Not right yet: one of the checks failed.")
    except Exception as exc:  # the reader's code is missing or broke: say so plainly
        return Verdict(False, f"The check could not run your code: {type(exc).__name__}: {exc}")
    if feedback is None or feedback is True:
        return Verdict(True, "Correct!")
    if feedback is False or not str(feedback).strip():
        return Verdict(False, "Not right yet.")
    return Verdict(False, str(feedback))


def warm_matplotlib() -> None:
    """Import pyplot once, outside any cell, so that its one-off "building the font cache"
    note never lands in a reader's output (the build does not show it either)."""
    import contextlib
    import io

    with contextlib.redirect_stderr(io.StringIO()), contextlib.redirect_stdout(io.StringIO()):
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot  # noqa: F401
    cellrun.close_figures()


def warm_figure() -> None:
    """Draw one small figure to PNG the way a cell's figure is drawn, and throw it away.

    A session's first drawing pays one-off costs (glyphs loaded, Agg and PNG code run, and
    in Pyodide compiled, for the first time): about 250 ms in Chromium, which the reader's
    first figure then does not pay. worker.js calls this in the background only, when no run
    is waiting. Needs :func:`warm_matplotlib` first.

    >>> warm_figure()
    """
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(3, 2))
    ax.plot([0.0, 1.0, 2.0], [1.0, 0.25, 0.5], label="loss")
    ax.set(title="θ in °", xlabel="step", ylabel="f(θ)")
    ax.legend()
    cellrun._render_figure(fig, 1)
    plt.close(fig)
