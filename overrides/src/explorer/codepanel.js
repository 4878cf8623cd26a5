// "Show code": the gdcore cell that reproduces the explorer's race (gdcore.explore.race_code),
// in an editor the reader can run; it runs in the explorer's own namespace.
import { createEditor } from "../editor.js";
import { OutputView } from "../output.js";
import { el } from "./dom.js";

// What the bar says after a run that did not finish (see Runtime.run's statuses).
const STATUS_TEXT = {
  error: "Error",
  interrupted: "Stopped",
  restarted: "Stopped: Python was restarted",
  cancelled: "Stopped before it ran",
  failed: "Python could not be loaded",
};

export class CodePanel {
  constructor(ex) {
    this.ex = ex;
    const id = ex.id;
    this.cellId = `${id}--code`; // the runtime's name for this panel's runs: Stop stops only them
    this.button = el("button", {
      type: "button", class: "gd-btn gd-x-codebtn", "aria-expanded": "false", "aria-controls": `${id}--code`,
      text: "Show code", onclick: () => this.toggle(),
    });
    this.panel = el("div", { class: "gd-x-code", id: `${id}--code`, hidden: true });
    this.bar = el("div", { class: "gd-x-codebar" }, this.button);
  }

  toggle() {
    const open = this.panel.hidden;
    this.panel.hidden = !open;
    this.button.setAttribute("aria-expanded", String(open));
    if (open && !this.editor) this.build();
    if (open) this.sync(true);
  }

  build() {
    const ex = this.ex;
    const host = el("div", { class: "gd-cell-editor" });
    const region = el("div", { class: "gd-cell-output", role: "log", "aria-live": "polite", "aria-label": "Output of the explorer's code" });
    this.output = new OutputView(region);
    this.editor = createEditor({
      parent: host,
      doc: ex.code,
      label: "Code equivalent to the explorer's settings",
      heightLines: 0,
      onChange: () => {},
      onRun: () => this.run(),
      onFocus: () => ex.runtime?.start(),
    });
    this.synced = ex.code;
    this.runBtn = el("button", { type: "button", class: "gd-btn gd-run", text: "Run", onclick: () => this.run() });
    this.stopBtn = el("button", { type: "button", class: "gd-btn gd-stop", text: "Stop", disabled: true, onclick: () => ex.runtime?.stop(this.cellId) });
    this.updateBtn = el("button", { type: "button", class: "gd-btn", text: "Update to the explorer's settings", onclick: () => this.sync(true) });
    this.status = el("span", { class: "gd-cell-status" });
    this.panel.dataset.cell = this.cellId;
    this.panel.append(host, el("div", { class: "gd-cell-bar" }, this.runBtn, this.stopBtn, this.updateBtn, this.status), region);
  }

  /** The explorer's code changed: show it, unless the reader edited the code (then say so). */
  sync(force = false) {
    if (!this.editor) return;
    const code = this.ex.code;
    const current = this.editor.getCode();
    if (force || current === this.synced) {
      if (current !== code) this.editor.setCode(code);
      this.synced = code;
    } else {
      this.status.textContent = "The explorer changed; your edited code was kept.";
    }
  }

  async run() {
    const rt = this.ex.runtime;
    if (!rt || this.panel.dataset.state === "running") return;
    const out = this.output;
    out.clear();
    this.panel.dataset.state = "running";
    this.stopBtn.disabled = false;
    if (rt.state !== "ready") this.status.textContent = "Waiting for Python to load…";
    else this.status.textContent = rt.current ? "Waiting for the running cell…" : "Running…";
    const res = await rt.run(this.cellId, this.editor.getCode(), {
      started: () => (this.status.textContent = "Running…"),
      stream: (kind, t, omitted) => out.stream(kind, t, omitted),
      cell: (c) => out.render(c),
      error: (t) => out.block("error", t),
    }, { namespace: `explorer:${this.ex.id}` });
    out.totals(res.chars);
    if (res.status === "restarted") out.note(res.reason || "Python was restarted.", "warn");
    if (res.status === "failed") out.note(res.text || "Python could not be loaded.", "error");
    this.panel.dataset.state = res.status === "ok" ? "done" : res.status;
    this.stopBtn.disabled = true;
    this.status.textContent = res.status === "ok" ? `Done in ${Math.round(res.wallMs)} ms` : (STATUS_TEXT[res.status] ?? res.status);
  }

  destroy() {
    this.editor?.destroy();
  }
}
