// Page side of the Python runtime: one worker for the whole visit (a module-level singleton
// in main.js), surviving material's instant navigation. Runs are serialized; Stop interrupts
// (cross-origin isolated pages) or terminates and restarts the worker; a dead worker is
// detected and restarted; a load that hangs fails with a readable reason; an interpreter that
// a cell damaged is replaced on the next page. Messages follow protocol.js: this is the one
// module of the page that reads their fields; listeners get a RuntimeStatus (below).
import { MSG, PHASE, SIGINT, message, parse } from "./protocol.js";
import { packagesFor } from "./packages.js";

const STOP_GRACE_MS = 1000; // after an interrupt, terminate if Python has not stopped by then
// While Python loads, a worker that says nothing for this long has failed (a synchronous
// download that never ends blocks it: importScripts of pyodide.asm.js). The worker abandons a
// download that receives no data for 30 s itself and posts progress while data arrives; its
// silent steps (compiling the wasm, starting the interpreter) take ~2 s here, far less than 45.
export const LOAD_SILENCE_MS = 45000;

/**
 * What listeners of Runtime.onStatus receive (never a protocol message).
 * @typedef {object} RuntimeStatus
 * @property {"deferred" | "loading" | "ready" | "damaged" | "failed"} state  deferred: Python
 *   loads on the first Run or edit (the reader saves data); damaged: loaded, but a cell broke
 *   it for later cells, so it restarts on the next page
 * @property {string} label  one sentence for the reader
 * @property {number | null} fraction  loading progress in [0, 1], or null (unknown, or not loading)
 * @property {boolean} restartable  Python is loaded: Runtime.restartPython() gives a fresh one
 */

/**
 * The callbacks of one Runtime.run (all optional); plain values, never protocol messages.
 * @typedef {object} RunHandlers
 * @property {() => void} [waiting]  the run waits for Python to load
 * @property {() => void} [started]  the run started in Python
 * @property {(kind: "stdout" | "stderr", text: string, omitted: {lines: number, chars: number} | null) => void} [stream]
 *   a batch of output; omitted is null for the head (the first LIMITS.lines lines / LIMITS.chars
 *   characters of a run), else the text is the stream's tail (its last lines, replacing its
 *   previous tail) and omitted says how many lines / characters lie between head and tail
 * @property {(cell: import("./protocol.js").CellResult) => void} [cell]  the reader's code ran
 * @property {(text: string) => void} [error]  a failure outside the reader's code
 */

/**
 * What Runtime.run resolves to.
 * @typedef {object} RunResult
 * @property {"ok" | "error" | "interrupted" | "restarted" | "failed" | "cancelled"} status
 * @property {import("./protocol.js").CellResult | null} [cell]  the cell's result, once it ran
 * @property {{stdout: number, stderr: number} | null} [chars]  characters each stream wrote,
 *   including those not shown, once the run ended in Python
 * @property {string} [text]  why it failed (status "failed")
 * @property {string} [reason]  why Python restarted (status "restarted")
 * @property {"stop" | "crash" | "restart" | "damage"} [cause]  what restarted it
 * @property {number} [wallMs]  time from start to end
 */

/** True if the reader asked to save data (data saver) or is on a cellular or 2G connection:
 *  then Python loads only on the first Run or edit, not as soon as the page opens (issue 14, item 5). */
export function savesData(nav = globalThis.navigator) {
  const c = nav?.connection;
  if (!c) return false;
  return c.saveData === true || c.type === "cellular" || c.effectiveType === "2g" || c.effectiveType === "slow-2g";
}

const megabytes = (bytes) => (bytes >= 1e7 ? Math.round(bytes / 1e6) : Math.round(bytes / 1e5) / 10);

/** What a reader sees when Python cannot be loaded: the reason in one line, and what to do. */
export function loadFailure(text) {
  let reason = String(text || "unknown error").split("\n")[0].replace(/^(Uncaught )?\w*Error: /, "");
  if (reason.length > 160) reason = `${reason.slice(0, 157)}…`;
  return (
    `Python could not be loaded (${reason}). Check your connection and press Run to try again; ` +
    "the outputs on this page were computed when the site was built."
  );
}

/** A gdcore call (Runtime.call) that raised in Python, or could not be answered. */
export class PythonCallError extends Error {
  constructor(text, errorType) {
    super(text);
    this.name = "PythonCallError";
    this.errorType = errorType; // the Python exception's class name, or null
  }
}

export class Runtime {
  constructor(config) {
    this.config = config; // {pyodideIndexURL, wheelURL, cellrunURL, pyworkerURL, fontlistURL, workerURL} (absolute)
    this.worker = null;
    this.state = "idle"; // idle | loading | ready | failed
    this.generation = 0; // bumped whenever the namespace is reset (new page, restart)
    this.seq = 0;
    this.current = null; // {id, handlers, resolve, result}
    this.calls = new Map(); // call id -> {resolve, reject}
    this.chain = Promise.resolve();
    this.listeners = new Set();
    this.interrupt = null;
    this.readyWaiters = [];
    this.cancelWait = null; // {cellId, cancel} while a run waits for Python (Stop cancels it)
    this.queued = new Set(); // runs waiting for their turn: {cellId, cancelled}
    this.failure = null;
    this.loadStarted = 0;
    this.preloadCode = "";
    this.damage = null; // what a cell damaged (a damage message), until the worker is replaced
    this.silence = 0; // the load watchdog's timer
    this.last = null; // the last RuntimeStatus
    // saving data: Python loads on the first Run, edit or explorer use, not on page open
    this.deferred = savesData();
  }

  /** Call fn(status) with every RuntimeStatus from now on; returns a function to stop. */
  onStatus(fn) {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** @param {RuntimeStatus["state"]} state @param {string} label @param {number | null} [fraction] */
  emitStatus(state, label, fraction = null) {
    const restartable = this.state === "ready";
    this.last = Object.freeze({ state, label, fraction, restartable });
    for (const fn of this.listeners) fn(this.last);
  }

  /** The reader saves data: say that Python loads on the first Run or edit, and how much it
   *  downloads (this deployment's files for `code`, the page's cells: Pyodide, the packages,
   *  gdcore's wheel; sizes from the server, HEAD requests). */
  async announceDeferred(code) {
    if (this.worker) return;
    const later = "loads when you run or edit a cell";
    this.emitStatus("deferred", `Python ${later}.`);
    const bytes = await this.downloadSize(code).catch(() => 0);
    if (bytes && !this.worker) this.emitStatus("deferred", `Python (≈ ${megabytes(bytes)} MB) ${later}.`);
  }

  /** Bytes Python needs to download for `code` (0 if the server does not say). */
  async downloadSize(code) {
    const index = this.config.pyodideIndexURL;
    const lockResponse = await fetch(new URL("pyodide-lock.json", index));
    if (!lockResponse.ok) return 0;
    const lock = await lockResponse.json();
    const lockBytes = Number(lockResponse.headers.get("content-length")) || 0;
    const core = ["pyodide.js", "pyodide.asm.js", "pyodide.asm.wasm", "python_stdlib.zip"];
    const files = [...core, ...packagesFor(code, lock).map((n) => lock.packages[n].file_name)].map((f) => new URL(f, index).href);
    files.push(this.config.wheelURL, this.config.cellrunURL, this.config.pyworkerURL, this.config.fontlistURL);
    const size = (url) =>
      fetch(url, { method: "HEAD" })
        .then((r) => (r.ok ? Number(r.headers.get("content-length")) || 0 : 0))
        .catch(() => 0);
    const sizes = await Promise.all(files.map(size));
    return sizes.includes(0) ? 0 : lockBytes + sizes.reduce((a, b) => a + b, 0);
  }

  /** The worker said nothing for LOAD_SILENCE_MS while Python loads: it failed. */
  watchLoad(worker) {
    clearTimeout(this.silence);
    if (this.state !== "loading" || worker !== this.worker) return;
    this.silence = setTimeout(() => {
      if (worker === this.worker && this.state === "loading") {
        this.crashed(worker, `no answer from the Python worker for ${LOAD_SILENCE_MS / 1000} s`);
      }
    }, LOAD_SILENCE_MS);
  }

  /** Start loading Python in the background (idempotent). */
  start() {
    if (this.worker) return;
    this.state = "loading";
    this.failure = null;
    this.loadStarted = performance.now();
    const worker = new Worker(this.config.workerURL);
    this.worker = worker;
    worker.onmessage = (e) => this.receive(worker, e.data);
    worker.onerror = (e) => {
      e.preventDefault?.();
      this.crashed(worker, e.message || "the Python worker failed");
    };
    worker.onmessageerror = () => this.crashed(worker, "a message from the Python worker could not be read");
    let interruptBuffer = null;
    if (globalThis.crossOriginIsolated && typeof SharedArrayBuffer === "function") {
      interruptBuffer = new Int32Array(new SharedArrayBuffer(4));
    }
    this.interrupt = interruptBuffer;
    this.damage = null;
    this.emitStatus("loading", "Loading Python…", 0);
    this.watchLoad(worker);
    worker.postMessage(
      message(MSG.INIT, {
        index_url: this.config.pyodideIndexURL,
        wheel_url: this.config.wheelURL,
        cellrun_url: this.config.cellrunURL,
        pyworker_url: this.config.pyworkerURL,
        fontlist_url: this.config.fontlistURL,
        interrupt_buffer: interruptBuffer,
      }),
    );
    if (this.preloadCode) worker.postMessage(message(MSG.PRELOAD, { code: this.preloadCode }));
  }

  /** The page's code (all its cells): once Python is up, the worker loads the packages it
   *  needs in the background (protocol.js, preload). Kept for a restarted worker. */
  preload(code) {
    this.preloadCode = code;
    if (this.worker) this.worker.postMessage(message(MSG.PRELOAD, { code }));
  }

  /** Resolves true once Python is ready, false if it failed to load. Starts loading it
   *  (again, after a failure), except while the reader saves data and nothing asked for
   *  Python yet: then it only waits. */
  ready() {
    if (this.state === "ready") return Promise.resolve(true);
    if (this.state === "failed") this.worker = null; // try again on explicit use
    if (!this.deferred || this.worker) this.start();
    return new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  /** Like ready(), but Stop can cancel the wait: resolves "ready", "failed" or "cancelled". */
  waitReady(cellId) {
    if (this.state === "ready") return Promise.resolve("ready");
    if (this.state === "failed") this.worker = null; // a Run tries again
    this.start(); // a Run asks for Python, even while saving data
    return new Promise((resolve) => {
      this.cancelWait = { cellId, cancel: () => resolve("cancelled") };
      this.ready().then((ok) => resolve(ok ? "ready" : "failed"));
    });
  }

  settleWaiters(ok) {
    const waiters = this.readyWaiters;
    this.readyWaiters = [];
    for (const w of waiters) w(ok);
  }

  receive(worker, data) {
    if (worker !== this.worker) return; // a terminated worker's last words
    let msg;
    try {
      msg = parse(data);
    } catch (err) {
      console.warn(`gdcore: ignored a message from the worker (${err.message})`);
      return;
    }
    this.watchLoad(worker);
    if (msg.type === MSG.STATUS) this.statusMessage(msg);
    else if (msg.type === MSG.DAMAGE) this.damaged(msg.text);
    else if (msg.type === MSG.ERROR && msg.fatal) this.crashed(worker, msg.text);
    else if (typeof msg.id === "string") this.callAnswer(msg);
    else this.runAnswer(msg);
  }

  statusMessage(msg) {
    if (msg.phase === PHASE.READY && this.state !== "ready") {
      this.state = "ready";
      this.timings = { ...msg.timings, page: performance.now() - this.loadStarted, startedAt: this.loadStarted };
      this.settleWaiters(true);
    }
    if (this.damage && msg.phase === PHASE.READY) return; // keep saying what was damaged
    const state = msg.phase === PHASE.READY ? "ready" : msg.phase === PHASE.FAILED ? "failed" : "loading";
    this.emitStatus(state, msg.text, msg.phase === PHASE.READY ? null : (msg.progress ?? null));
  }

  /** A cell broke the interpreter for later cells (text: what it replaced). */
  damaged(text) {
    this.damage = text;
    this.emitStatus(
      "damaged",
      `A cell replaced ${text}, which later cells rely on: Python restarts on the next page, or press Restart Python now.`,
    );
  }

  /** The Restart Python control: a fresh interpreter now (every variable is lost). */
  restartPython() {
    this.restart("Python was restarted (Restart Python).", "restart");
  }

  runAnswer(msg) {
    const run = this.current;
    if (!run || msg.id !== run.id) return;
    const h = run.handlers;
    if (msg.type === MSG.STDOUT || msg.type === MSG.STDERR) {
      const tail = msg.omitted_lines != null || msg.omitted_chars != null;
      h.stream?.(msg.type, msg.text, tail ? { lines: msg.omitted_lines ?? 0, chars: msg.omitted_chars ?? 0 } : null);
    } else if (msg.type === MSG.ERROR && msg.error_type === "DownloadError") {
      Object.assign(run.result, { status: "failed", text: loadFailure(msg.text) }); // Run retries
      this.emitStatus("failed", run.result.text);
    } else if (msg.type === MSG.ERROR) {
      run.result.status = "error";
      h.error?.(msg.text);
    } else if (msg.type === MSG.DONE) {
      const cell = msg.cell;
      if (cell?.error_type === "KeyboardInterrupt") {
        run.result.status = "interrupted"; // Stop: the traceback is not the reader's error
      } else if (cell) {
        if (cell.error_type) run.result.status = "error";
        h.cell?.(cell);
      }
      this.finish(run, { cell, chars: { stdout: msg.stdout_chars, stderr: msg.stderr_chars } });
    }
  }

  callAnswer(msg) {
    const pending = this.calls.get(msg.id);
    if (!pending) return;
    this.calls.delete(msg.id);
    if (msg.type === MSG.VALUE) pending.resolve({ value: msg.value, ms: msg.ms });
    else if (msg.type === MSG.ERROR && msg.error_type === "DownloadError") pending.reject(new PythonCallError(loadFailure(msg.text), null));
    else if (msg.type === MSG.ERROR) pending.reject(new PythonCallError(msg.text, msg.error_type));
  }

  /** Reject every pending call (the worker that would answer them is gone). */
  dropCalls(reason) {
    const calls = [...this.calls.values()];
    this.calls.clear();
    for (const c of calls) c.reject(new PythonCallError(reason, null));
  }

  /**
   * Call gdcore function `fn` (a dotted name) as fn(**kwargs) in the worker, outside any cell
   * namespace. Resolves {value, ms}; rejects with a PythonCallError if Python raised, could
   * not be loaded, or was restarted meanwhile.
   * @param {string} fn
   * @param {object} kwargs
   * @returns {Promise<{value: any, ms: number}>}
   */
  async call(fn, kwargs = {}) {
    if (this.state === "failed") this.worker = null;
    this.start(); // the reader used an explorer: Python is asked for, even while saving data
    const ok = await this.ready();
    if (!ok) throw new PythonCallError(this.failure || "Python could not be loaded", null);
    const id = `call-${++this.seq}`;
    const answer = new Promise((resolve, reject) => this.calls.set(id, { resolve, reject }));
    this.worker.postMessage(message(MSG.CALL, { id, fn, kwargs }));
    return answer;
  }

  finish(run, patch = {}) {
    if (this.current !== run) return;
    clearTimeout(run.killTimer);
    this.current = null;
    Object.assign(run.result, patch);
    run.result.wallMs = performance.now() - run.started;
    run.resolve(run.result);
  }

  /** Queue one cell run. Resolves a RunResult (above); handlers: RunHandlers.
   *  options.namespace: run in that named namespace instead of the page's (protocol.js);
   *  options.figures: false to close the cell's figures instead of drawing them.
   *  @param {string} cellId @param {string} code @param {RunHandlers} [handlers]
   *  @returns {Promise<RunResult>} */
  run(cellId, code, handlers = {}, options = {}) {
    const ticket = { cellId, cancelled: false };
    this.queued.add(ticket);
    const p = this.chain.then(() => {
      this.queued.delete(ticket);
      return ticket.cancelled ? { status: "cancelled" } : this.runNow(cellId, code, handlers, options);
    });
    this.chain = p.catch(() => {});
    return p;
  }

  async runNow(cellId, code, handlers, { namespace = null, figures = null } = {}) {
    const generation = this.generation;
    if (this.state !== "ready") handlers.waiting?.();
    const ready = await this.waitReady(cellId);
    if (ready === "cancelled") return { status: "cancelled" };
    if (ready === "failed") return { status: "failed", text: this.failure };
    if (generation !== this.generation) return { status: "restarted" };
    const id = ++this.seq;
    if (this.interrupt) this.interrupt[0] = 0;
    return new Promise((resolve) => {
      this.current = { id, cellId, handlers, resolve, result: { status: "ok" }, started: performance.now() };
      handlers.started?.();
      this.worker.postMessage(message(MSG.RUN, { id, cell_id: cellId, code, namespace, figures }));
    });
  }

  /** Stop cell `cellId` (any cell if not given): if it is running, KeyboardInterrupt if
   *  possible, else restart the worker; if it waits for Python to load, cancel the wait
   *  (Python goes on loading); if it is queued, dequeue it. */
  stop(cellId = null) {
    const run = this.current;
    const mine = (c) => cellId == null || c === cellId;
    if (!run || !mine(run.cellId)) {
      if (this.cancelWait && mine(this.cancelWait.cellId)) this.cancelWait.cancel();
      for (const ticket of this.queued) if (mine(ticket.cellId)) ticket.cancelled = true;
      return;
    }
    if (this.interrupt && !run.interruptSent) {
      run.interruptSent = true;
      this.interrupt[0] = SIGINT;
      run.killTimer = setTimeout(() => {
        if (this.current === run) this.restart("Python did not stop within a second, so it was restarted.", "stop");
      }, STOP_GRACE_MS);
      return;
    }
    this.restart("Python was restarted to stop the cell.", "stop");
  }

  /** Terminate the worker and start a fresh one (namespace lost). cause: "stop" (the reader
   *  pressed Stop), "crash" (the interpreter or the worker broke), "restart" (Restart Python)
   *  or "damage" (a cell broke the interpreter; a new page). */
  restart(reason, cause) {
    const run = this.current;
    clearTimeout(this.silence);
    this.worker?.terminate();
    this.worker = null;
    this.state = "idle";
    this.generation += 1;
    if (run) this.finish(run, { status: "restarted", reason, cause });
    this.dropCalls("Python was restarted");
    this.start(); // waiting runs wait for the new worker (and see the new generation)
  }

  crashed(worker, text) {
    if (worker !== this.worker) return;
    if (this.state !== "ready") {
      // Failed to load: do not loop; the next Run tries again.
      worker.terminate();
      this.worker = null;
      this.state = "failed";
      this.failure = loadFailure(text);
      clearTimeout(this.silence);
      this.emitStatus("failed", this.failure);
      const run = this.current;
      if (run) this.finish(run, { status: "failed", text: this.failure });
      this.dropCalls(this.failure);
      this.settleWaiters(false);
      return;
    }
    this.restart(`Python stopped unexpectedly (${text}) and was restarted.`, "crash");
  }

  /** A new page: fresh namespace, same interpreter (a fresh one if a cell damaged it). Stops a
   *  running cell first. */
  resetNamespace() {
    if (this.damage) {
      this.restart(`Python was restarted: a cell replaced ${this.damage}.`, "damage");
      return;
    }
    if (this.current) this.stop();
    this.generation += 1;
    if (this.worker) this.worker.postMessage(message(MSG.RESET_NAMESPACE));
  }
}
