// The cells of one page (the HTML contract: overrides/README.md): editor, buttons, output,
// persistence of edits, Copy link, and "run the earlier cells first" (notebook order).
import { createEditor } from "./editor.js";
import { OutputView, errorTypeOf } from "./output.js";
import { copyLinkOrShow } from "./clipboard.js";
import { storage } from "./storage.js";
import { button } from "./button.js";

const STORE = "gdcore:v1:";

function pagePath() {
  return location.pathname.replace(/index\.html$/, "");
}

/** The Python exception's class name of a finished run, if it raised. */
const errorType = (res) => errorTypeOf(res.cell);

const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;

class Cell {
  constructor(root, page) {
    this.root = root;
    this.page = page;
    this.id = root.dataset.cell || root.id;
    this.setup = root.dataset.setup === "true";
    this.expectError = root.dataset.expectError || null;
    // Cells the build does not run are not needed by later cells: run-above skips them too.
    this.prerender = root.dataset.prerender !== "false";
    // data-code, an attribute (material's instant navigation would re-create an inline
    // <script> holding it without its type, and run it as JavaScript)
    this.original = root.dataset.code ?? "";
    this.key = `${STORE}${pagePath()}:${this.id}`;
    this.ranGeneration = -1;
    this.stopped = false; // stopped by the reader (or it crashed Python): not re-run as an earlier cell
    this.stopPressed = false; // the reader pressed this cell's Stop during its current run
    this.ranCode = null; // the code of its last run
    this.ticker = 0; // the timer of "Running… 3 s"
    let region = root.querySelector(":scope > .gd-cell-output");
    if (!region) {
      region = document.createElement("div");
      region.className = "gd-cell-output";
      region.setAttribute("role", "log");
      region.setAttribute("aria-live", "polite");
      region.setAttribute("aria-label", `Output of cell ${this.id}`);
      root.appendChild(region);
    }
    this.output = new OutputView(region);
    this.editor = null;
    if (!this.setup) this.mount();
  }

  mount() {
    const saved = storage.get(this.key);
    const code = saved ?? this.original;
    const host = document.createElement("div");
    host.className = "gd-cell-editor";
    const staticCode = this.root.querySelector(":scope > .gd-cell-code");
    if (staticCode) staticCode.replaceWith(host);
    else this.root.insertBefore(host, this.output.region);
    this.editor = createEditor({
      parent: host,
      doc: code,
      label: `Code of cell ${this.id}`,
      heightLines: Number(this.root.dataset.height) || 0,
      onChange: (text) => this.changed(text),
      onRun: () => this.page.run(this),
      onFocus: () => this.page.runtime.start(),
    });
    const bar = document.createElement("div");
    bar.className = "gd-cell-bar";
    this.runBtn = button("Run", "gd-run", () => this.page.run(this));
    this.runBtn.title = "Run (Shift+Enter)";
    this.stopBtn = button("Stop", "gd-stop", () => this.page.stop(this));
    this.stopBtn.disabled = true;
    this.resetBtn = button("Reset", "gd-reset", () => this.reset());
    this.resetBtn.title = "Restore the original code";
    this.linkBtn = button("Copy link", "gd-link", () => this.copyLink());
    this.edited = document.createElement("span");
    this.edited.className = "gd-edited";
    this.edited.textContent = "edited";
    this.edited.title = "This code differs from the original; Reset restores it.";
    this.status = document.createElement("span");
    this.status.className = "gd-cell-status";
    bar.append(this.runBtn, this.stopBtn, this.resetBtn, this.linkBtn, this.edited, this.status);
    host.after(bar);
    this.showEdited(code !== this.original);
    this.root.classList.add("gd-cell-live");
  }

  /** The code to run now (remembered: Reset knows whether the namespace has the edit's names). */
  codeToRun() {
    this.ranCode = this.code();
    return this.ranCode;
  }

  code() {
    return this.editor ? this.editor.getCode() : this.original;
  }

  changed(text) {
    const edited = text !== this.original;
    storage.set(this.key, edited ? text : null);
    this.showEdited(edited);
  }

  showEdited(edited) {
    this.root.classList.toggle("gd-cell-edited", edited);
    if (this.edited) this.edited.hidden = !edited;
    this.output.markEdited(edited); // the build-time output is then the original code's
  }

  /** Reset: the original code, and its build-time output (unless the cell is running). */
  reset() {
    storage.set(this.key, null);
    if (this.editor) this.editor.setCode(this.original);
    this.showEdited(false);
    const state = this.root.dataset.state;
    if (state === "queued" || state === "running") return;
    this.output.restore();
    delete this.root.dataset.state;
    this.say("");
    // Variables the edited code defined are not the original's: later cells run it again.
    if (this.ranCode != null && this.ranCode !== this.original) this.ranGeneration = -1;
    this.stopped = false;
  }

  async copyLink() {
    const url = `${location.href.split("#")[0]}#${this.id}`;
    await copyLinkOrShow(this, this.linkBtn, url,
      { fieldClass: "gd-link-field", label: "Link to this cell", copied: "Link copied" });
  }

  say(text) {
    clearInterval(this.ticker);
    this.ticker = 0;
    if (this.status) this.status.textContent = text;
  }

  /** Say `label` ("Running…") and, from one second on, how long it has been running. */
  sayRunning(label) {
    this.say(label);
    const started = performance.now();
    this.ticker = setInterval(() => {
      const s = Math.floor((performance.now() - started) / 1000);
      if (this.status) this.status.textContent = `${label} ${s} s`;
    }, 1000);
  }

  setState(state) {
    this.root.dataset.state = state; // queued | running | done | error | stopped | failed
    const active = state === "queued" || state === "running";
    if (this.stopBtn) this.stopBtn.disabled = !active;
    this.root.classList.toggle("gd-cell-running", active);
  }

  handlers() {
    const out = this.output;
    return {
      waiting: () => this.say("Waiting for Python to load…"),
      started: () => {
        this.setState("running");
        this.sayRunning("Running…");
      },
      stream: (kind, text, omitted) => out.stream(kind, text, omitted),
      cell: (result) => out.render(result),
      error: (text) => out.block("error", text),
    };
  }

  /** Handlers of a run only for this cell's variables (an earlier cell of another cell): its
   *  pre-rendered output stays; only an error replaces it, so the reader sees what failed. */
  quietHandlers() {
    const out = this.output;
    return {
      started: () => {
        this.setState("running");
        this.sayRunning("Running…");
      },
      cell: (result) => {
        const raised = errorTypeOf(result);
        if (!raised || raised === this.expectError) return;
        out.clear();
        out.render(result);
      },
      error: (text) => {
        out.clear();
        out.block("error", text);
      },
    };
  }

  /** Record how a run ended; returns true if later cells may run. A cell stopped because the
   *  reader stopped a later cell it ran for is neither "run" nor "stopped": it runs again. */
  finished(res, generation) {
    this.output.totals(res.chars);
    this.bumpRuns();
    const expected = res.status === "error" && this.expectError;
    if (res.status === "ok" || res.status === "error") this.ranGeneration = generation;
    const halted = res.status === "interrupted" || res.status === "restarted";
    this.stopped = halted && (this.stopPressed || res.cause === "crash");
    this.stopPressed = false;
    switch (res.status) {
      case "ok":
        this.setState("done");
        this.say(`Done in ${Math.round(res.wallMs)} ms`);
        return true;
      case "error":
        this.setState(expected ? "done" : "error");
        this.say(expected ? "Raised as expected" : `Error: ${errorType(res) || "see above"}`);
        return Boolean(expected);
      case "interrupted":
        this.setState("stopped");
        this.output.note("Stopped (KeyboardInterrupt). Variables defined so far are kept.", "warn");
        this.say("Stopped");
        return false;
      case "restarted":
        this.setState("stopped");
        this.output.note(
          `${res.reason || "Python was restarted."} The namespace was reset: variables from earlier cells are gone (running a cell runs the cells above it again).`,
          "warn",
        );
        this.say("Stopped");
        return false;
      case "cancelled":
        this.setState("stopped");
        this.output.restore();
        this.say("Stopped before it ran");
        return false;
      default:
        this.setState("failed");
        this.output.failed(res.text || "Python could not be loaded.");
        this.say("Failed");
        return false;
    }
  }

  bumpRuns() {
    this.root.dataset.runs = String(Number(this.root.dataset.runs || 0) + 1); // tests wait on it
  }

  destroy() {
    clearInterval(this.ticker);
    this.editor?.destroy();
  }
}

export class Page {
  constructor(roots, runtime) {
    this.runtime = runtime;
    this.cells = roots.map((root) => new Cell(root, this));
    this.chain = Promise.resolve();
    this.alive = true;
  }

  cell(id) {
    return this.cells.find((c) => c.id === id);
  }

  /** Queue a Run of `cell` (and of the earlier cells it needs) behind the runs queued before. */
  run(cell) {
    if (cell.root.dataset.state === "queued" || cell.root.dataset.state === "running") return this.chain;
    cell.setState("queued");
    cell.stopPressed = false;
    cell.say(this.runtime.state === "ready" ? "Queued" : "Waiting for Python to load…");
    const job = { cell, cancelled: false };
    cell.job = job;
    this.chain = this.chain.then(() => this.runJob(job)).catch((err) => {
      cell.output.note(`Internal error: ${err?.message ?? err}`, "error");
      cell.setState("failed");
      cell.bumpRuns();
    });
    return this.chain;
  }

  async runJob(job) {
    if (!this.alive || job.cancelled) return; // dequeued by Stop before its turn
    this.active = job.cell;
    try {
      await this.runWithEarlier(job.cell);
    } finally {
      this.active = null;
      this.running = null;
    }
  }

  async runWithEarlier(cell) {
    const generation = this.runtime.generation;
    const index = this.cells.indexOf(cell);
    const notRun = this.cells.slice(0, index).filter((c) => c.ranGeneration !== generation && c.prerender);
    const earlier = notRun.filter((c) => !c.stopped);
    const skipped = notRun.filter((c) => c.stopped).map((c) => c.id);
    cell.output.clear();
    if (earlier.length) {
      const shown = earlier.filter((c) => !c.setup).map((c) => c.id);
      const hidden = earlier.length - shown.length;
      const parts = [];
      if (shown.length) parts.push(`${plural(shown.length, "earlier cell")} (${shown.join(", ")})`);
      if (hidden) parts.push(`${plural(hidden, "hidden setup cell")}`);
      cell.output.note(`Running ${parts.join(" and ")} first.`);
    }
    if (skipped.length) {
      const them = skipped.length === 1 ? "it" : "them";
      cell.output.note(`Skipping ${skipped.join(", ")} above (you stopped ${them}): press Run on ${them} to include ${them}.`);
    }
    for (const [i, c] of earlier.entries()) {
      c.setState("queued");
      this.running = c;
      // for its variables only: figures closed, not drawn; its pre-rendered output stays
      const quiet = c.quietHandlers();
      const progress = `Running ${i + 1} of ${plural(earlier.length, "earlier cell")}…`;
      cell.say(this.runtime.state === "ready" ? progress : "Waiting for Python to load…");
      const handlers = {
        ...quiet,
        started: () => {
          quiet.started();
          cell.sayRunning(progress);
        },
      };
      const res = await this.runtime.run(c.id, c.codeToRun(), handlers, { figures: false });
      if (!this.alive) return;
      if (!c.finished(res, generation)) {
        this.earlierFailed(cell, c, res);
        return;
      }
    }
    this.running = cell;
    const res = await this.runtime.run(cell.id, cell.codeToRun(), cell.handlers());
    if (this.alive) cell.finished(res, generation);
  }

  /** An earlier cell `c` did not finish cleanly, so `cell` is not run: say why. */
  earlierFailed(cell, c, res) {
    const where = c.setup ? `hidden setup cell ${c.id}` : `cell ${c.id}`;
    if (res.status === "failed") {
      cell.setState("failed");
      cell.output.failed(res.text || "Python could not be loaded.");
    } else if (res.status === "cancelled") {
      cell.setState("stopped");
      cell.output.restore();
      const when = this.runtime.state === "ready" ? `before ${where} above ran` : "while Python was loading";
      cell.output.note(`Stopped ${when}. Press Run to start again.`, "warn");
    } else if (res.status === "restarted" || res.status === "interrupted") {
      cell.setState("stopped");
      cell.output.note(`Stopped while running ${where} above. Press Run to start again.`, "warn");
    } else {
      cell.setState("error");
      cell.output.note(`Not run: ${where} above raised ${errorType(res) || "an error"}. Fix it first.`, "error");
      if (c.setup) cell.output.block("error", c.output.region.textContent);
    }
    cell.say("Not run");
    cell.bumpRuns();
  }

  /** Stop: the cell running now (itself, or an earlier cell it runs for) is interrupted, or a
   *  wait for Python is cancelled; a cell still queued behind another's run is dequeued. */
  stop(cell) {
    const state = cell.root.dataset.state;
    if (state !== "queued" && state !== "running") return;
    if (cell === this.active || cell === this.running) {
      cell.stopPressed = true;
      this.runtime.stop((this.running ?? cell).id); // the cell running for it, or itself
      return;
    }
    if (cell.job) cell.job.cancelled = true;
    cell.setState("stopped");
    cell.say("Not run (stopped while queued)");
    cell.bumpRuns();
  }

  destroy() {
    this.alive = false;
    for (const c of this.cells) c.destroy();
  }
}
