// @ts-check
// The page <-> worker protocol of gdcore's in-browser runtime, on the JavaScript side: every
// message type and its fields, defined here once (the Python side is overrides/runtime/
// pyworker.py). Imported by the page (runtime.js) and the worker (worker.js); esbuild bundles
// a copy into each. A message is a plain object `{type, ...fields}` sent with postMessage and
// built with message(), which rejects unknown types, missing, unknown or mistyped fields;
// every message received goes through parse(), on both sides. Field names are snake_case,
// like the cell result that the build stores, the worker posts and the page renders.
//
// Page -> worker: init, then any number of run / call / reset-namespace, handled one at a
// time in order. The explorer's call goes through Runtime.call like every other request.
// Worker -> page: status (loading progress), then per run stdout/stderr batches and one done;
// per call one value or one error; once per worker, a damage message after a run or call that
// broke the interpreter.

/**
 * What running one cell produced: cellrun.py's CellResult, unchanged (dataclasses.asdict).
 * In the worker stdout and stderr are "" (they were streamed as stdout/stderr messages).
 * @typedef {object} CellResult
 * @property {string} stdout
 * @property {string} stderr
 * @property {string | null} result  repr of the final expression
 * @property {string | null} error  the reader's traceback
 * @property {string | null} error_type  e.g. "ValueError"; "KeyboardInterrupt" after Stop
 * @property {{png_base64: string, alt: string}[]} figures
 * @property {string | null} figure_error
 */

/**
 * Load Pyodide from index_url, install gdcore's wheel, fetch cellrun.py and pyworker.py, and
 * matplotlib's font cache (fontlist_url, written into matplotlib before its first import).
 * interrupt_buffer: an Int32Array on a SharedArrayBuffer, only when the page is
 * crossOriginIsolated; the page writes SIGINT into it to raise KeyboardInterrupt.
 * Answered by status messages, the last with phase "ready" (or an error with fatal: true).
 * @typedef {{type: "init", index_url: string, wheel_url: string, cellrun_url: string,
 *   pyworker_url: string, fontlist_url: string, interrupt_buffer?: Int32Array | null}} InitMessage
 */
/**
 * Run one cell in the page's namespace or, with namespace (a name), in a separate one (the
 * explorer's code runs in "explorer:<id>"). id: a page-chosen run number that every answer
 * repeats. The packages the code imports are loaded first. Answered by stdout/stderr
 * batches and always one done (after an error if the run failed outside the reader's code).
 * figures: false for a cell run only for its variables (an earlier cell of another cell): its
 * figures are closed, not drawn (done.cell.figures is empty).
 * @typedef {{type: "run", id: number, cell_id: string, code: string,
 *   namespace?: string | null, figures?: boolean | null}} RunMessage
 */
/**
 * Load, in the background, the packages that code (all the cells of a page) imports, plus
 * numpy and matplotlib where it uses gdcore or plots, and import them once (pyplot with Agg),
 * so that the first Run finds them ready. Handled by worker.js alone, never queued behind a
 * run: a run that needs a package being loaded waits for that package only. No answer.
 * @typedef {{type: "preload", code: string}} PreloadMessage
 */
/**
 * Forget all variables (a new page): fresh namespaces, figures closed; interpreter and
 * loaded packages kept. No answer.
 * @typedef {{type: "reset-namespace"}} ResetNamespaceMessage
 */
/**
 * Call gdcore function fn (a dotted name, e.g. "gdcore.explore.explorer_update") as
 * fn(**kwargs), outside any cell namespace. id: a string (never a run number). Answered by
 * one value or one error with that id.
 * @typedef {{type: "call", id: string, fn: string, kwargs: object}} CallMessage
 */
/**
 * Loading progress; progress in [0, 1] or null (unknown). The first "ready" carries timings
 * {load_pyodide, wheel, setup} in ms.
 * @typedef {{type: "status", phase: string, text: string, progress?: number | null,
 *   timings?: object}} StatusMessage
 */
/**
 * A batch of standard output / error of run id, complete lines where possible. The worker
 * streams the first LIMITS.lines lines / LIMITS.chars characters of a run (both streams); after
 * that, a stream's *tail*: a message with omitted_lines / omitted_chars (what lies between the
 * head and this text) whose text, the stream's last LIMITS.tailLines lines, replaces its
 * previous tail. done has the totals.
 * @typedef {{type: "stdout" | "stderr", id: number, text: string, omitted_lines?: number | null,
 *   omitted_chars?: number | null}} StreamMessage
 */
/**
 * Run id is over. cell: its result (null when it failed outside the reader's code, after an
 * error message); *_chars: the characters written, including those not sent.
 * @typedef {{type: "done", id: number, cell: CellResult | null,
 *   stdout_chars: number, stderr_chars: number}} DoneMessage
 */
/**
 * The answer to call id: what the function returned (JSON-able), ms: time in Python.
 * @typedef {{type: "value", id: string, value: any, ms: number}} ValueMessage
 */
/**
 * The reader's code damaged the interpreter for every later cell: it replaced or removed
 * what text names (e.g. "builtins.print, time.sleep"), found by worker.js's health check
 * after a run or call. Posted once per worker, before that request's done; the page restarts
 * Python on the next page (or at once, Restart Python). Worker.js alone sends it.
 * @typedef {{type: "damage", text: string}} DamageMessage
 */
/**
 * A failure that is not the reader's traceback: a call that raised (id: its id), a run that
 * could not start (id: the run; error_type "DownloadError" when a package it needs could not
 * be downloaded: text names the file and why), or with fatal: true a broken runtime (failed
 * to load, crashed): the page then replaces the worker.
 * @typedef {{type: "error", id?: number | string | null, text: string,
 *   error_type?: string | null, fatal: boolean}} ErrorMessage
 */
/** @typedef {InitMessage | RunMessage | ResetNamespaceMessage | CallMessage | PreloadMessage} Request */
/** @typedef {StatusMessage | StreamMessage | DoneMessage | ValueMessage | DamageMessage | ErrorMessage} Answer */

export const PHASE = Object.freeze({
  LOADING: "loading",
  PACKAGES: "packages",
  READY: "ready",
  FAILED: "failed",
});

// type -> {field: kind}. A kind is "string", "number", "boolean", "object", "int32array",
// "any", or an array of allowed values; a trailing "?" makes the field optional (absent or
// null). This table is the protocol; the typedefs above document it.
export const SCHEMA = Object.freeze({
  init: {
    index_url: "string",
    wheel_url: "string",
    cellrun_url: "string",
    pyworker_url: "string",
    fontlist_url: "string",
    interrupt_buffer: "int32array?",
  },
  run: { id: "number", cell_id: "string", code: "string", namespace: "string?", figures: "boolean?" },
  preload: { code: "string" },
  "reset-namespace": {},
  call: { id: "string", fn: "string", kwargs: "object" },
  status: { phase: Object.values(PHASE), text: "string", progress: "number?", timings: "object?" },
  stdout: { id: "number", text: "string", omitted_lines: "number?", omitted_chars: "number?" },
  stderr: { id: "number", text: "string", omitted_lines: "number?", omitted_chars: "number?" },
  done: { id: "number", cell: "object?", stdout_chars: "number", stderr_chars: "number" },
  value: { id: "string", value: "any", ms: "number" },
  damage: { text: "string" },
  error: { id: "any?", text: "string", error_type: "string?", fatal: "boolean" },
});

/** The message types by name, for switch statements: MSG.RUN === "run". */
export const MSG = Object.freeze({
  INIT: "init",
  RUN: "run",
  RESET_NAMESPACE: "reset-namespace",
  CALL: "call",
  PRELOAD: "preload",
  STATUS: "status",
  STDOUT: "stdout",
  STDERR: "stderr",
  DONE: "done",
  VALUE: "value",
  DAMAGE: "damage",
  ERROR: "error",
});

// Output limits. A run's output shows its first `lines` lines / `chars` characters (the head),
// then "… N lines not shown …" and each stream's last `tailLines` lines / `tailChars`
// characters (its tail). Stream batches are flushed every `flushMs` ms or `flushChars`
// characters. (pyworker.py receives these numbers from worker.js: they are defined here only.)
export const LIMITS = Object.freeze({
  lines: 2000,
  chars: 200000,
  tailLines: 20,
  tailChars: 8000,
  flushMs: 50,
  flushChars: 16384,
});

/** Value written into the interrupt buffer to raise KeyboardInterrupt (SIGINT). */
export const SIGINT = 2;

export class ProtocolError extends Error {}

/** @param {unknown} value @param {string | string[]} kind */
function fits(value, kind) {
  if (Array.isArray(kind)) return kind.includes(/** @type {string} */ (value));
  if (kind === "any") return value !== undefined;
  if (kind === "object") return typeof value === "object" && value !== null && !Array.isArray(value);
  if (kind === "int32array") return value instanceof Int32Array;
  return typeof value === kind;
}

/**
 * Check one message against the protocol; returns it, or throws a ProtocolError saying why.
 * @param {unknown} msg
 * @returns {Request | Answer}
 */
export function parse(msg) {
  if (typeof msg !== "object" || msg === null) throw new ProtocolError(`not a message: ${String(msg)}`);
  const type = /** @type {{type?: unknown}} */ (msg).type;
  const fields = typeof type === "string" && Object.hasOwn(SCHEMA, type) ? SCHEMA[type] : null;
  if (!fields) throw new ProtocolError(`unknown gdcore message type ${String(type)}`);
  for (const [name, spec] of Object.entries(fields)) {
    const optional = typeof spec === "string" && spec.endsWith("?");
    const kind = optional ? spec.slice(0, -1) : spec;
    const value = msg[name];
    if (optional && value == null) continue;
    if (!fits(value, kind)) {
      const got = value === undefined ? "missing" : `${typeof value} ${String(value).slice(0, 40)}`;
      throw new ProtocolError(`${type}.${name}: expected ${Array.isArray(kind) ? kind.join(" | ") : kind}, got ${got}`);
    }
  }
  const unknown = Object.keys(msg).filter((k) => k !== "type" && !Object.hasOwn(fields, k));
  if (unknown.length) throw new ProtocolError(`${type}: unknown field(s) ${unknown.join(", ")}`);
  return /** @type {Request | Answer} */ (msg);
}

/**
 * Build a protocol message, checked by parse(): a typo in a type or a field fails loudly.
 * @param {string} type
 * @param {object} [fields]
 */
export function message(type, fields = {}) {
  return parse({ type, ...fields });
}
