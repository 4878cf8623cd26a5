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
* streaming: standard output and error go to the page as they are written, in batches of
  complete lines (every ``flushMs`` milliseconds, at once for a line printed now and then,
  and always before ``time.sleep``); a long output keeps its head (the first ``lines`` lines)
  and each stream's tail (its last ``tailLines`` lines, sent with the count of lines between
  them), so the last line of a training log is shown; the totals are reported in ``done``;
* ``call``: a function under ``gdcore`` called with keyword arguments (a JSON object), whose
  return value (JSON-able) is answered in ``value``.

>>> sent = []
>>> w = Worker(lambda text: sent.append(json.loads(text)), {"lines": 100, "chars": 1000,
...            "tailLines": 5, "tailChars": 100, "flushChars": 10, "flushMs": 50})
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
from collections import deque
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

import cellrun

__all__ = ["ANSWERS", "REQUESTS", "ProtocolError", "Verdict", "Worker", "check_exercise",
           "message", "vital_signs", "warm_figure", "warm_matplotlib"]

#: Requests from the page that reach Python: type -> (required fields, optional fields).
REQUESTS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "run": (("id", "cell_id", "code"), ("namespace", "figures")),
    "call": (("id", "fn", "kwargs"), ()),
    "reset-namespace": ((), ()),
}

#: Answers Python posts: type -> (required fields, optional fields).
ANSWERS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "stdout": (("id", "text"), ("omitted_lines", "omitted_chars")),
    "stderr": (("id", "text"), ("omitted_lines", "omitted_chars")),
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


#: Lines posted at once (a newline write), before batching by time sets in, and the rate
#: at which that allowance comes back: lines printed now and then reach the page at once,
#: a flood is batched every ``flush_ms``.
_BURST_LINES = 10
_BURST_PER_S = 10.0


class _Tail:
    """The last lines of one stream once the head is full: a ring of at most ``lines``
    lines and ``chars`` characters, counting what fell out of it."""

    def __init__(self, lines: int, chars: int) -> None:
        self.max_lines, self.max_chars = lines, chars
        self.lines: deque[str] = deque()  # complete lines, each ending in "\n"
        self.partial = ""  # the line being written
        self.chars = 0  # characters in lines and partial
        self.omitted_lines = self.omitted_chars = 0
        self.changed = False

    def add(self, text: str) -> None:
        self.changed = True
        self.chars += len(text)
        *complete, rest = text.split("\n")
        if complete:
            complete[0] = self.partial + complete[0]
            self.lines.extend(line + "\n" for line in complete)
            self.partial = rest
        else:
            self.partial += rest
        while self.lines and (len(self.lines) > self.max_lines or (
                self.chars > self.max_chars and (len(self.lines) > 1 or self.partial))):
            self._drop(self.lines.popleft(), line=True)
        if self.chars > self.max_chars:  # one line longer than the whole tail: keep its end
            cut = self.chars - self.max_chars
            if self.lines:
                self.lines[0] = self.lines[0][cut:]
            else:
                self.partial = self.partial[cut:]
            self.chars -= cut
            self.omitted_chars += cut

    def _drop(self, text: str, line: bool) -> None:
        self.chars -= len(text)
        self.omitted_chars += len(text)
        self.omitted_lines += line

    def text(self, partial: bool) -> str:
        return "".join(self.lines) + (self.partial if partial else "")


class _Output:
    """Standard output and error of one run, posted to the page as they are written.

    * Batches: a line is posted when its newline is written if ``flush_ms`` passed since the
      last post (or within a small burst allowance, so a line printed before a long
      computation is not held back); the text after the last newline waits for its newline,
      so the page never shows half a line whose end comes later. :meth:`flush` posts
      everything (before ``time.sleep``, and at the end of the run).
    * Head and tail: the first ``lines`` lines / ``chars`` characters of both streams
      together (protocol.js ``LIMITS``) are streamed; after that each stream keeps its last
      ``tailLines`` lines (``tailChars`` characters) and posts them as a *tail*: a stream
      message with ``omitted_lines`` / ``omitted_chars`` (what lies between head and tail),
      whose text replaces the stream's previous tail on the page.
    * Totals: :attr:`totals` counts every character written, per stream.
    """

    def __init__(self, post: Callable[[dict], None], run_id: int, limits: dict) -> None:
        self.post, self.run_id = post, run_id
        self.room_lines, self.room_chars = limits["lines"], limits["chars"]
        self.batch, self.every = limits["flushChars"], limits["flushMs"] / 1000
        self.tails = {kind: _Tail(limits["tailLines"], limits["tailChars"])
                      for kind in ("stdout", "stderr")}
        self.totals = {"stdout": 0, "stderr": 0}
        self.pending: list[tuple[str, list[str]]] = []  # (kind, parts) not posted yet
        self.pending_chars = 0
        self.head_full = False
        self.last = self.refilled = self.last_tail = time.monotonic()
        self.tokens = float(_BURST_LINES)

    def writer(self, kind: str) -> Callable[[str], None]:
        return lambda text: self.write(kind, text)

    def write(self, kind: str, text: str) -> None:
        self.totals[kind] += len(text)
        rest = text if self.head_full else self._head(kind, text)
        if rest:
            self.tails[kind].add(rest)
        if "\n" in text or self.pending_chars >= self.batch:
            self._maybe_post("\n" in text)

    def _head(self, kind: str, text: str) -> str:
        """Queue what fits in the head; return the rest (for the tail)."""
        cut = min(len(text), self.room_chars)
        lines = text.count("\n", 0, cut)
        if lines >= self.room_lines:  # cut after the last line that fits
            end = -1
            for _ in range(self.room_lines):
                end = text.index("\n", end + 1)
            cut, lines = end + 1, self.room_lines
        self.room_chars -= cut
        self.room_lines -= lines
        if cut:
            if self.pending and self.pending[-1][0] == kind:
                self.pending[-1][1].append(text[:cut])
            else:
                self.pending.append((kind, [text[:cut]]))
            self.pending_chars += cut
        if cut < len(text) or not self.room_lines or not self.room_chars:
            self.head_full = True
        return text[cut:]

    def _maybe_post(self, newline: bool) -> None:
        now = time.monotonic()
        tails_due = self.head_full and now - self.last_tail >= self.every
        if self.pending:
            self.tokens = min(_BURST_LINES, self.tokens + (now - self.refilled) * _BURST_PER_S)
            self.refilled = now
            due = tails_due or self.pending_chars >= self.batch or now - self.last >= self.every
            if not due and newline and self.tokens >= 1:
                self.tokens -= 1
                due = True
            if due:  # a full head goes out whole, before any tail
                self._post_head(whole=self.head_full)
                self.last = now
        if tails_due:
            self._post_tails(partial=False)
            self.last_tail = now

    def _post_head(self, whole: bool) -> None:
        """Post the queued head text: all of it, or up to its last newline."""
        groups = [(kind, "".join(parts)) for kind, parts in self.pending]
        self.pending, self.pending_chars = [], 0
        if not whole and groups:
            kind, last = groups[-1]
            end = last.rfind("\n") + 1
            if end < len(last):  # hold back the line being written
                self.pending = [(kind, [last[end:]])]
                self.pending_chars = len(last) - end
                groups[-1] = (kind, last[:end])
        for kind, text in groups:
            if text:
                self.post(message(kind, id=self.run_id, text=text))

    def _post_tails(self, partial: bool) -> None:
        for kind, tail in self.tails.items():
            if tail.changed:
                tail.changed = partial is False and bool(tail.partial)  # its end is still due
                self.post(message(kind, id=self.run_id, text=tail.text(partial),
                                  omitted_lines=tail.omitted_lines,
                                  omitted_chars=tail.omitted_chars))

    def flush(self) -> None:
        """Post everything written so far, half lines included (before a ``time.sleep`` of
        at least ``flush_ms``, and at the end of the run)."""
        self._post_head(whole=True)
        self._post_tails(partial=True)
        self.last = self.last_tail = time.monotonic()

    def soon(self) -> None:
        """:meth:`flush`, unless it posted less than ``flush_ms`` ago (beyond the burst
        allowance): for a flush the code asks for (``print(..., flush=True)``) and a short
        ``time.sleep``, which a loop may call thousands of times."""
        now = time.monotonic()
        self.tokens = min(_BURST_LINES, self.tokens + (now - self.refilled) * _BURST_PER_S)
        self.refilled = now
        if now - self.last < self.every:
            if self.tokens < 1:
                return
            self.tokens -= 1
        self.flush()


_real_sleep = time.sleep
_running: _Output | None = None  # the output of the run in progress


def _sleep(seconds: float) -> None:
    """``time.sleep`` during a run: first post the output written so far (the worker's
    JavaScript cannot run a timer to post it while Python sleeps)."""
    output = _running
    if output is not None:
        if seconds >= output.every:
            output.flush()
        else:
            output.soon()
    _real_sleep(seconds)


class Worker:
    """The page's Python: its namespaces, and the handling of one request at a time.

    ``post(text)`` sends one answer (JSON text) to the page; ``limits`` are protocol.js's
    ``LIMITS`` (``lines``, ``chars``, ``tailLines``, ``tailChars``, ``flushChars``,
    ``flushMs``).
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
        global _running
        output = _Output(self.post, run_id, self.limits)
        _running = output
        patched = time.sleep is _real_sleep
        if patched:  # also what `from time import sleep` in the cell gets
            time.sleep = _sleep
        try:
            res = cellrun.run_cell(code, ns, cell_id, on_stdout=output.writer("stdout"),
                                   on_stderr=output.writer("stderr"), on_flush=output.soon,
                                   figures=figures)
        except KeyboardInterrupt:  # the interrupt arrived outside the reader's code
            res = cellrun.CellResult(error="KeyboardInterrupt", error_type="KeyboardInterrupt")
        finally:
            _running = None
            if patched and time.sleep is _sleep:
                time.sleep = _real_sleep
            output.flush()
        self.post(message(
            "done", id=run_id, cell=asdict(res), stdout_chars=output.totals["stdout"],
            stderr_chars=output.totals["stderr"],
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
    """Draw one figure to PNG the way a cell's figure is drawn, and throw it away.

    A session's first drawing pays one-off costs (glyphs loaded at each text size, Agg, layout
    and PNG code run for the first time, gdcore's plotting module imported): in Chromium about
    250 ms for a one-panel figure and 150 ms more for the course's usual two panels with a
    suptitle and ``tight_layout``, which the reader's first figure then does not pay. So this
    draws that shape. worker.js calls it in the background only, when no run is waiting.
    Needs :func:`warm_matplotlib` first.

    >>> warm_figure()
    """
    import matplotlib.pyplot as plt
    import numpy as np

    import gdcore.plot  # noqa: F401  (most figures of the course are drawn with it)

    xs = np.linspace(0.0, 2.0, 400)
    fig, axes = plt.subplots(1, 2, figsize=(8, 3.4))
    for ax in axes:
        ax.plot(xs, (xs - 1.0) ** 2, label="loss")
        ax.set(title="θ in °", xlabel="step", ylabel="f(θ)")
        ax.legend()
    axes[1].set_yscale("log")
    fig.suptitle("warm-up")
    fig.tight_layout()
    cellrun._render_figure(fig, 1)
    plt.close(fig)


def vital_signs() -> str:
    """The health check: what a cell must not replace, as JSON text ``{name: identity}``.

    The builtins, the modules the runtime and the course rely on (as found in
    ``sys.modules``), ``time``'s clocks, ``json``'s functions, and every function and method
    defined in ``cellrun``, ``pyworker`` and gdcore's modules. worker.js keeps the first value
    it sees for each name; a name that later changes or disappears means the reader's code
    damaged the interpreter for every cell after it (``builtins.print`` patched, ``gdcore``
    deleted from ``sys.modules``, ``time.sleep`` replaced, ``gd.minimize`` monkeypatched),
    so the page restarts Python on the next page. A public name of ``gdcore`` bound to an
    object from outside gdcore is ``"foreign:…"``, damaged even the first time it is seen.
    Cheap (well under a millisecond): it runs after every run.

    >>> signs = json.loads(vital_signs())
    >>> signs["builtins.print"] == json.loads(vital_signs())["builtins.print"]
    True
    >>> import time
    >>> sleep, time.sleep = time.sleep, lambda s: None
    >>> json.loads(vital_signs())["time.sleep"] == signs["time.sleep"]
    False
    >>> time.sleep = sleep
    """
    import builtins
    import sys

    signs: dict[str, str] = {}
    for name in _VITAL_BUILTINS:
        if name in vars(builtins):
            signs[f"builtins.{name}"] = str(id(vars(builtins)[name]))
    for name in _VITAL_MODULES:
        if name in sys.modules:
            signs[f"sys.modules['{name}']"] = str(id(sys.modules[name]))
    for module, names in _VITAL_FUNCTIONS.items():
        mod = sys.modules.get(module)
        for name in names if mod else ():
            if name in vars(mod):
                signs[f"{module}.{name}"] = str(id(vars(mod)[name]))
    own = [m for m in list(sys.modules) if m in ("cellrun", "pyworker", "gdcore")
           or m.startswith("gdcore.")]
    for module in own:
        for name, obj in list(vars(sys.modules[module]).items()):
            if name.startswith("__") or not callable(obj):
                continue
            origin = getattr(obj, "__module__", None) or ""
            if origin == module:
                signs[f"{module}.{name}"] = str(id(obj))
                for attr, member in vars(obj).items() if isinstance(obj, type) else ():
                    if callable(member) and not attr.startswith("__"):
                        signs[f"{module}.{name}.{attr}"] = str(id(member))
            elif module == "gdcore" and not name.startswith("_") and not origin.startswith(
                    ("gdcore", "typing", "collections", "abc", "dataclasses")):
                signs[f"gdcore.{name}"] = f"foreign:{id(obj)}"
    return json.dumps(signs)


_VITAL_BUILTINS = (
    "print", "__import__", "open", "len", "range", "repr", "str", "int", "float", "bool",
    "list", "dict", "tuple", "set", "isinstance", "issubclass", "getattr", "setattr",
    "hasattr", "type", "object", "super", "iter", "next", "enumerate", "zip", "map",
    "filter", "sorted", "sum", "min", "max", "abs", "round", "exec", "eval", "compile",
    "globals", "id", "hash", "format", "BaseException", "Exception", "KeyboardInterrupt",
    "ValueError", "TypeError", "NameError", "AttributeError", "ImportError",
)
_VITAL_MODULES = (
    "builtins", "sys", "time", "json", "io", "contextlib", "traceback", "importlib",
    "cellrun", "pyworker", "gdcore", "numpy", "matplotlib", "matplotlib.pyplot",
)
_VITAL_FUNCTIONS = {
    "time": ("sleep", "perf_counter", "monotonic", "time"),
    "json": ("dumps", "loads"),
    "numpy": ("array", "asarray", "zeros", "ones", "linspace", "arange", "sqrt", "exp",
              "sum", "mean", "dot", "ndarray"),
}
