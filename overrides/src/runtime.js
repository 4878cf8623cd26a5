// Page side of the Python runtime: one worker for the whole visit (a module-level singleton
// in main.js), surviving material's instant navigation. Runs are serialized; Stop interrupts
// (cross-origin isolated pages) or terminates and restarts the worker; a dead worker is
// detected and restarted. Messages follow protocol.js.
import { MSG, PHASE, SIGINT, message } from "./protocol.js";

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

export class Runtime {
  constructor(config) {
    this.config = config; // {pyodideIndexURL, wheelURL, cellrunURL, workerURL} (absolute URLs)
    this.worker = null;
    this.state = "idle"; // idle | loading | ready | failed
    this.generation = 0; // bumped whenever the namespace is reset (new page, restart)
    this.seq = 0;
    this.current = null; // {id, handlers, resolve, result}
    this.chain = Promise.resolve();
    this.listeners = new Set();
    this.interrupt = null;
    this.readyWaiters = [];
    this.failure = null;
    this.loadStarted = 0;
    this.readyAt = 0;
  }

  onStatus(fn) {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  emitStatus(s) {
    this.lastStatus = s;
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
        indexURL: this.config.pyodideIndexURL,
        wheelURL: this.config.wheelURL,
        cellrunURL: this.config.cellrunURL,
        interruptBuffer,
      }),
    );
  }

  /** Resolves true once Python is ready, false if it failed to load. */
  ready() {
    if (this.state === "ready") return Promise.resolve(true);
    if (this.state === "failed") this.worker = null; // try again on explicit use
    this.start();
    return new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  settleWaiters(ok) {
    const waiters = this.readyWaiters;
    this.readyWaiters = [];
    for (const w of waiters) w(ok);
  }

  receive(worker, msg) {
    if (worker !== this.worker) return; // a terminated worker's last words
    if (msg.type === MSG.STATUS) {
      if (msg.phase === PHASE.READY && this.state !== "ready") {
        this.state = "ready";
        this.readyAt = performance.now();
        this.timings = { ...msg.timings, page: this.readyAt - this.loadStarted, startedAt: this.loadStarted };
        this.settleWaiters(true);
      }
      this.emitStatus(msg);
      return;
    }
    if (msg.type === MSG.ERROR && msg.fatal) {
      this.crashed(worker, msg.text);
      return;
    }
    const run = this.current;
    if (!run || msg.id !== run.id) return;
    const h = run.handlers;
    switch (msg.type) {
      case MSG.STDOUT:
        h.stdout?.(msg.text);
        break;
      case MSG.STDERR:
        h.stderr?.(msg.text);
        break;
      case MSG.RESULT:
        h.result?.(msg.text);
        break;
      case MSG.FIGURE:
        h.figure?.(msg.png, msg.alt);
        break;
      case MSG.ERROR:
        run.result.status = "error";
        run.result.errorType = msg.errorType;
        h.error?.(msg.text, msg.errorType);
        break;
      case MSG.INTERRUPTED:
        run.result.status = "interrupted";
        break;
      case MSG.DONE:
        Object.assign(run.result, { ms: msg.ms, stdoutChars: msg.stdoutChars, stderrChars: msg.stderrChars });
        this.finish(run);
        break;
    }
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
   *  options.namespace: run in that named namespace instead of the page's (protocol.js). */
  run(cellId, code, handlers = {}, options = {}) {
    const p = this.chain.then(() => this.runNow(cellId, code, handlers, options));
    this.chain = p.catch(() => {});
    return p;
  }

  async runNow(cellId, code, handlers, { namespace = null } = {}) {
    const generation = this.generation;
    if (this.state !== "ready") handlers.waiting?.();
    const ok = await this.ready();
    if (!ok) return { status: "failed", text: this.failure };
    if (generation !== this.generation) return { status: "restarted" };
    const id = ++this.seq;
    if (this.interrupt) this.interrupt[0] = 0;
    return new Promise((resolve) => {
      this.current = { id, handlers, resolve, result: { status: "ok" }, started: performance.now() };
      handlers.started?.();
      this.worker.postMessage(message(MSG.RUN, { id, cellId, code, namespace }));
    });
  }

  get busy() {
    return this.current !== null;
  }

  /** Stop the running cell: KeyboardInterrupt if possible, else restart the worker. */
  stop() {
    const run = this.current;
    if (!run) return;
    if (this.interrupt && !run.interruptSent) {
      run.interruptSent = true;
      this.interrupt[0] = SIGINT;
      run.killTimer = setTimeout(() => {
        if (this.current === run) this.restart("Python did not stop within a second, so it was restarted.");
      }, STOP_GRACE_MS);
      return;
    }
    this.restart("Python was restarted to stop the cell.");
  }

  /** Terminate the worker and start a fresh one (namespace lost). */
  restart(reason) {
    const run = this.current;
    this.worker?.terminate();
    this.worker = null;
    this.state = "idle";
    this.generation += 1;
    if (run) this.finish(run, { status: "restarted", reason });
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
      this.emitStatus({ phase: "failed", text: this.failure, progress: null });
      const run = this.current;
      if (run) this.finish(run, { status: "failed", text: this.failure });
      this.settleWaiters(false);
      return;
    }
    this.restart(`Python stopped unexpectedly (${text}) and was restarted.`);
  }

  /** A new page: fresh namespace, same interpreter. Stops a running cell first. */
  resetNamespace() {
    if (this.current) this.stop();
    this.generation += 1;
    if (this.worker) this.worker.postMessage(message(MSG.RESET_NAMESPACE));
  }
}
