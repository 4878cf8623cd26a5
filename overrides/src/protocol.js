// The page <-> worker protocol of gdcore's in-browser runtime: the ONE place it is defined.
// Imported by the page side (runtime.js) and by the worker (worker.js); esbuild bundles a
// copy into each. Every message is a plain object `{type, ...fields}` sent with postMessage.
//
// Page -> worker
//   init            {indexURL, wheelURL, cellrunURL, interruptBuffer?}
//                   Load Pyodide from indexURL, install gdcore's wheel (wheelURL), fetch
//                   cellrun.py (cellrunURL) into the FS. interruptBuffer is an Int32Array on a
//                   SharedArrayBuffer, only when the page is crossOriginIsolated; the page
//                   writes 2 (SIGINT) into it to raise KeyboardInterrupt in the running code.
//                   Answered by `status` messages and finally `status` with phase "ready"
//                   (or `error` with fatal: true).
//   run             {id, cellId, code, namespace?}
//                   Run one cell in the page namespace, or, if namespace (a name) is given,
//                   in a separate namespace of that name (the explorer's code runs in
//                   "explorer:<id>", so it cannot rebind the page's variables); both kinds
//                   are forgotten by reset-namespace. id is a page-chosen run number that
//                   every answer repeats. Packages the code imports (numpy, matplotlib, ...)
//                   are loaded first. Answered by stdout/stderr (streamed, batched), then
//                   result / figure / error / interrupted as they apply, and always `done` last.
//   reset-namespace {}
//                   Forget all variables (a new page): fresh namespaces, figures closed,
//                   interpreter and loaded packages kept. No answer.
//   call            {id, fn, args}
//                   Call a gdcore function outside any cell namespace (the explorer uses it):
//                   fn is a dotted name under gdcore (e.g. "gdcore.explore.race_json"), args a
//                   JSON string of the positional arguments. id is a string chosen by the
//                   caller (never a number, so it cannot collide with run ids). Answered by
//                   exactly one `value`, or one `error` (fatal: false) with that id.
//
// Worker -> page
//   status          {phase, text, progress}  phase: "loading" | "packages" | "ready";
//                   progress in [0, 1] or null (unknown). For the progress indicator. The
//                   first "ready" also carries timings {loadPyodide, wheel, setup} in ms.
//   stdout          {id, text}   a batch of standard output (the worker stops sending after
//                                LIMITS.workerBytes per run and reports the rest in `done`).
//   stderr          {id, text}   same for standard error.
//   result          {id, text}   repr of the cell's final expression.
//   figure          {id, png, alt}  one matplotlib figure: base64 PNG and its alt text.
//   error           {id, text, errorType, fatal}  a traceback of the reader's code (id set),
//                   or with fatal: true a broken runtime (failed to load, crashed): the page
//                   terminates this worker and, if it had been ready, starts a new one.
//   interrupted     {id}         the run was stopped by KeyboardInterrupt (namespace kept).
//   done            {id, ms, stdoutChars, stderrChars}  the run is over; ms = time in Python.
//   value           {id, value, ms}  the answer to `call`: value is what the function returned
//                   (a string: the explorer's functions return JSON text), ms = time in Python.

export const MSG = Object.freeze({
  INIT: "init",
  RUN: "run",
  RESET_NAMESPACE: "reset-namespace",
  CALL: "call",
  STATUS: "status",
  STDOUT: "stdout",
  STDERR: "stderr",
  RESULT: "result",
  FIGURE: "figure",
  ERROR: "error",
  INTERRUPTED: "interrupted",
  DONE: "done",
  VALUE: "value",
});

export const PHASE = Object.freeze({ LOADING: "loading", PACKAGES: "packages", READY: "ready" });

// Output limits. The page shows at most `lines` lines / `chars` characters per cell and then a
// "… output truncated" note; the worker stops posting after `workerBytes` characters per run.
// Stream batches are flushed every `flushMs` milliseconds or `flushChars` characters.
export const LIMITS = Object.freeze({
  lines: 2000,
  chars: 200000,
  workerBytes: 256000,
  flushMs: 50,
  flushChars: 16384,
});

// Value written into the interrupt buffer to raise KeyboardInterrupt (SIGINT).
export const SIGINT = 2;

/** Build a protocol message; throws on unknown types so typos fail loudly. */
export function message(type, fields = {}) {
  if (!Object.values(MSG).includes(type)) throw new Error(`unknown gdcore message type ${type}`);
  return { type, ...fields };
}
