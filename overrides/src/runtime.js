// Page side of the Python runtime: one worker for the whole visit (a module-level singleton
// in main.js), surviving material's instant navigation. Runs are serialized; Stop interrupts
// (cross-origin isolated pages) or terminates and restarts the worker; a dead worker is
// detected and restarted. Messages follow protocol.js.
import { MSG, PHASE, SIGINT, message, parse } from "./protocol.js";

const STOP_GRACE_MS = 1000; // after an interrupt, terminate if Python has not stopped by then

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
    this.config = config; // {pyodideIndexURL, wheelURL, cellrunURL, pyworkerURL, workerURL} (absolute)
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
  }

  onStatus(fn) {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  emitStatus(s) {
    for (const fn of this.listeners) fn(s);
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
    this.emitStatus({ phase: PHASE.LOADING, text: "Loading Python…", progress: 0 });
    worker.postMessage(
      message(MSG.INIT, {
        index_url: this.config.pyodideIndexURL,
        wheel_url: this.config.wheelURL,
        cellrun_url: this.config.cellrunURL,
        pyworker_url: this.config.pyworkerURL,
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

  /** Resolves true once Python is ready, false if it failed to load. */
  ready() {
    if (this.state === "ready") return Promise.resolve(true);
    if (this.state === "failed") this.worker = null; // try again on explicit use
    this.start();
    return new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  /** Like ready(), but Stop can cancel the wait: resolves "ready", "failed" or "cancelled". */
  waitReady(cellId) {
    if (this.state === "ready") return Promise.resolve("ready");
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
    if (msg.type === MSG.STATUS) this.statusMessage(msg);
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
    this.emitStatus(msg);
  }

  runAnswer(msg) {
    const run = this.current;
    if (!run || msg.id !== run.id) return;
    const h = run.handlers;
    if (msg.type === MSG.STDOUT || msg.type === MSG.STDERR) {
      h.stream?.(msg.type, msg.text, msg); // output.js reads a tail's counts
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
      this.finish(run, { done: msg });
    }
  }

  callAnswer(msg) {
    const pending = this.calls.get(msg.id);
    if (!pending) return;
    this.calls.delete(msg.id);
    if (msg.type === MSG.VALUE) pending.resolve({ value: msg.value, ms: msg.ms });
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

  /** Queue one cell run. Resolves {status: ok|error|interrupted|restarted|failed, ...}.
   *  options.namespace: run in that named namespace instead of the page's (protocol.js);
   *  options.figures: false to close the cell's figures instead of drawing them. */
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
   *  pressed Stop) or "crash" (the interpreter or the worker broke). */
  restart(reason, cause) {
    const run = this.current;
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
      this.emitStatus({ phase: PHASE.FAILED, text: this.failure, progress: null });
      const run = this.current;
      if (run) this.finish(run, { status: "failed", text: this.failure });
      this.dropCalls(this.failure);
      this.settleWaiters(false);
      return;
    }
    this.restart(`Python stopped unexpectedly (${text}) and was restarted.`, "crash");
  }

  /** A new page: fresh namespace, same interpreter. Stops a running cell first. */
  resetNamespace() {
    if (this.current) this.stop();
    this.generation += 1;
    if (this.worker) this.worker.postMessage(message(MSG.RESET_NAMESPACE));
  }
}
