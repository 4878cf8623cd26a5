// The explorer's controls: landscape (or the reader's own f(x, y)), start, steps, gradient
// noise, the step inspector, Reset and Copy link, and one collapsible row per optimizer
// (tick, sliders with a "suggested" marker, schedule with its curve drawn small, and on
// quadratics the optimal values as buttons). Every id is the explorer's id + "--" + a name.
import { el, fmt, nice } from "./dom.js";
import { fitCanvas, isDark } from "./draw.js";
import { PhaseView } from "./phase.js";
import { CUSTOM } from "./state.js";

const PHONE = "(max-width: 760px)";

const sliderValue = (p, raw) =>
  p.scale === "log" ? nice(10 ** (Math.log10(p.min) + (raw / 1000) * (Math.log10(p.max) - Math.log10(p.min)))) : raw;
const sliderPosition = (p, v) =>
  p.scale === "log" ? Math.round(((Math.log10(v) - Math.log10(p.min)) / (Math.log10(p.max) - Math.log10(p.min))) * 1000) : v;

export class Controls {
  constructor(ex) {
    this.ex = ex;
    this.id = ex.id;
    const field = (label, forId, ...controls) => el("div", { class: "gd-x-field" }, el("label", { for: forId, text: label }), ...controls);
    this.buildSettings();
    this.buildFunctionPanel();
    this.optBox = el("fieldset", { class: "gd-x-opts" }, el("legend", { text: "Optimizers" }));
    this.rows = ex.state.optimizers.map((o) => this.buildOptimizer(o));
    this.optBox.append(...this.rows.map((r) => r.row));
    this.root = el(
      "div", { class: "gd-x-controls" },
      el("div", { class: "gd-x-settings" },
        field("Landscape", `${this.id}--landscape`, this.landscapeSel),
        this.fnPanel,
        el("div", { class: "gd-x-field" }, el("span", { text: "Start" }), this.startOut),
        field("Steps", `${this.id}--steps`, this.stepsIn, this.stepsOut),
        field("Noise", `${this.id}--noise`, this.noiseIn, this.noiseOut),
        field("Seed", `${this.id}--seed`, this.seedIn),
        el("div", { class: "gd-x-check" }, this.inspectBox, el("label", { for: `${this.id}--inspect`, text: "Step inspector (arrows and numbers at the current step)" })),
        el("div", { class: "gd-x-buttons" }, this.resetBtn, this.linkBtn, this.linkOut)),
      this.optBox,
    );
  }

  buildSettings() {
    const ex = this.ex;
    const id = this.id;
    this.landscapeSel = el("select", { id: `${id}--landscape`, onchange: () => ex.setLandscape(this.landscapeSel.value) });
    for (const l of ex.catalog.landscapes) this.landscapeSel.append(el("option", { value: l.name, text: l.name }));
    this.landscapeSel.append(el("option", { value: CUSTOM, text: "your own f(x, y)…" }));
    this.startOut = el("output", { class: "gd-x-start", id: `${id}--start` });
    const c = ex.catalog.controls;
    this.stepsIn = el("input", {
      type: "range", id: `${id}--steps`, min: c.steps.min, max: c.steps.max, step: c.steps.step,
      oninput: () => ex.change(() => (ex.state.steps = Number(this.stepsIn.value))),
    });
    this.stepsOut = el("output", { for: `${id}--steps` });
    this.noiseIn = el("input", {
      type: "range", id: `${id}--noise`, min: c.noise.min, max: c.noise.max, step: c.noise.step,
      title: "Gaussian noise added to every gradient, in units of the landscape's median gradient norm",
      oninput: () => ex.change(() => (ex.state.noise = Number(this.noiseIn.value))),
    });
    this.noiseOut = el("output", { for: `${id}--noise` });
    this.seedIn = el("input", {
      type: "number", id: `${id}--seed`, min: c.seed.min, max: c.seed.max, step: "1", class: "gd-x-seed",
      onchange: () => {
        const v = Math.round(Number(this.seedIn.value));
        if (Number.isFinite(v) && v >= c.seed.min && v <= c.seed.max) ex.change(() => (ex.state.seed = v));
        else this.seedIn.value = String(ex.state.seed);
      },
    });
    this.inspectBox = el("input", { type: "checkbox", id: `${id}--inspect`, onchange: () => ex.change(() => (ex.state.inspect = this.inspectBox.checked)) });
    this.resetBtn = el("button", { type: "button", class: "gd-btn", text: "Reset", title: "Back to this explorer's settings", onclick: () => ex.reset() });
    this.linkBtn = el("button", { type: "button", class: "gd-btn", text: "Copy link", title: "A link to this explorer with these settings", onclick: () => ex.copyLink() });
    this.linkOut = el("output", { class: "gd-x-linkout", "aria-live": "polite" });
  }

  buildFunctionPanel() {
    const ex = this.ex;
    const id = this.id;
    const input = (name, label, attrs = {}) => {
      const node = el("input", { type: "text", id: `${id}--${name}`, spellcheck: "false", autocomplete: "off", ...attrs });
      return [node, el("label", { for: `${id}--${name}`, text: label })];
    };
    const [fx, fxLabel] = input("fx", "f(x, y) =", { class: "gd-x-expr" });
    const [gx, gxLabel] = input("gx", "∂f/∂x =", { class: "gd-x-expr" });
    const [gy, gyLabel] = input("gy", "∂f/∂y =", { class: "gd-x-expr" });
    this.fn = { fx, gx, gy };
    this.gradBox = el("input", { type: "checkbox", id: `${id}--mygrad`, onchange: () => (this.gradFields.hidden = !this.gradBox.checked) });
    this.gradFields = el("div", { class: "gd-x-gradfields", hidden: true }, gxLabel, gx, gyLabel, gy);
    this.domainIns = ["xmin", "xmax", "ymin", "ymax"].map((k) => el("input", { type: "number", step: "any", id: `${id}--${k}`, "aria-label": k, class: "gd-x-dom" }));
    this.fnStatus = el("div", { class: "gd-x-fnstatus", role: "status", "aria-live": "polite" });
    const drawBtn = el("button", { type: "button", class: "gd-btn", text: "Draw", onclick: () => ex.setFunction(this.readFunction()) });
    const form = el("form", { class: "gd-x-fnform", onsubmit: (e) => { e.preventDefault(); drawBtn.click(); } },
      fxLabel, fx,
      el("div", { class: "gd-x-check" }, this.gradBox, el("label", { for: `${id}--mygrad`, text: "use my gradient (checked against central differences)" })),
      this.gradFields,
      el("div", { class: "gd-x-domain" }, el("span", { text: "x from" }), this.domainIns[0], el("span", { text: "to" }), this.domainIns[1],
        el("span", { text: "y from" }), this.domainIns[2], el("span", { text: "to" }), this.domainIns[3]),
      drawBtn, this.fnStatus);
    this.fnPanel = el("div", { class: "gd-x-fnpanel", hidden: true }, form,
      el("p", { class: "gd-x-hint", text: "A numpy expression in x and y: + - * / **, sin, cos, exp, log, sqrt, abs, tanh, pi, … Without your gradient, central differences give it." }));
  }

  readFunction() {
    const d = this.domainIns.map((i) => Number(i.value));
    return {
      expression: this.fn.fx.value.trim(),
      gradient: this.gradBox.checked ? [this.fn.gx.value.trim(), this.fn.gy.value.trim()] : null,
      domain: [[d[0], d[1]], [d[2], d[3]]],
    };
  }

  buildOptimizer(o) {
    const ex = this.ex;
    const id = `${this.id}--opt-${o.name}`;
    const box = el("input", { type: "checkbox", id, onchange: () => ex.tick(o, box.checked) });
    const swatch = el("span", { class: "gd-x-swatch", "aria-hidden": "true" });
    const params = el("div", { class: "gd-x-params", id: `${id}-params` });
    const toggle = el("button", {
      type: "button", class: "gd-x-toggle", "aria-expanded": "true", "aria-controls": `${id}-params`,
      "aria-label": `Show or hide ${o.class}'s settings`, onclick: () => this.setExpanded(rowRef, toggle.getAttribute("aria-expanded") !== "true"),
    });
    const sliders = {};
    for (const [k, p] of Object.entries(o.params)) {
      const sid = `${id}-${k}`;
      const log = p.scale === "log";
      const input = el("input", {
        type: "range", id: sid, "aria-label": `${o.class} ${p.label}`,
        min: log ? "0" : String(p.min), max: log ? "1000" : String(p.max), step: log ? "1" : String(p.step ?? 0.001),
        oninput: () => ex.change(() => ex.state.setValue(o, k, sliderValue(p, Number(input.value))), o),
      });
      const out = el("output", { for: sid });
      const mark = el("span", { class: "gd-x-suggested", text: "suggested", title: "gdcore's suggested value for this landscape" });
      sliders[k] = { input, out, mark, p };
      params.append(el("div", { class: "gd-x-param" }, el("label", { for: sid, text: p.label }), input, out, mark));
    }
    const suggestNote = el("p", { class: "gd-x-suggest-note" });
    params.prepend(suggestNote);
    const sched = this.buildSchedule(o, id);
    params.append(sched.row);
    const optimal = el("div", { class: "gd-x-optimal", role: "group", "aria-label": `Optimal values for ${o.class}` });
    params.append(optimal);
    // the heavy ball's rate over (lr, momentum) on quadratics (Momentum only)
    const phase = o.name === "momentum" ? new PhaseView(ex, o) : null;
    if (phase) params.append(phase.toggleRow); // its picture: see layoutRows
    const row = el("div", { class: "gd-x-opt", "data-optimizer": o.name },
      el("div", { class: "gd-x-opt-head" }, box, el("label", { for: id }, swatch, o.class), toggle), params);
    row.addEventListener("focusin", () => ex.setActive(o));
    const rowRef = { o, row, box, params, sliders, swatch, toggle, optimal, sched, suggestNote, phase, expanded: true };
    return rowRef;
  }

  buildSchedule(o, id) {
    const ex = this.ex;
    const sel = el("select", { id: `${id}-schedule`, onchange: () => ex.change(() => (o.schedule = sel.value), o) });
    for (const s of ex.catalog.schedules) sel.append(el("option", { value: s.name, text: s.label }));
    const curve = el("canvas", { class: "gd-x-lrcurve", role: "img", hidden: true, "aria-label": `${o.class}'s learning rate per step` });
    const row = el("div", { class: "gd-x-param gd-x-schedule" }, el("label", { for: `${id}-schedule`, text: "schedule" }), sel, curve);
    return { sel, curve, row };
  }

  setExpanded(r, on) {
    r.expanded = on;
    r.toggle.setAttribute("aria-expanded", String(on));
    r.params.hidden = !(r.o.enabled && on);
    r.phase?.draw();
  }

  /** Expanded rows: every ticked one on wide screens; on a phone only the active one. */
  layoutRows() {
    const phone = window.matchMedia?.(PHONE).matches;
    for (const r of this.rows) {
      // the rate map: in its row on a phone (under the sliders), else under the legend
      const host = phone ? r.params : this.ex.views.phaseSlot;
      if (r.phase && r.phase.root.parentNode !== host) host.append(r.phase.root);
      this.setExpanded(r, phone ? r.o === this.ex.active : true);
    }
  }

  sync() {
    const st = this.ex.state;
    this.landscapeSel.value = st.landscape;
    this.fnPanel.hidden = st.landscape !== CUSTOM;
    if (st.landscape === CUSTOM) this.syncFunction(st.fn);
    this.stepsIn.value = String(st.steps);
    this.stepsOut.textContent = String(st.steps);
    this.noiseIn.value = String(st.noise);
    this.noiseOut.textContent = st.noise ? `${fmt(st.noise, 3)}×` : "off";
    this.seedIn.value = String(st.seed);
    this.seedIn.disabled = !st.noise;
    this.inspectBox.checked = st.inspect;
    this.startOut.textContent = `(${fmt(st.start[0])}, ${fmt(st.start[1])})`;
    const entry = st.landscape === CUSTOM ? null : st.landscapeEntry();
    for (const r of this.rows) this.syncRow(r, entry);
  }

  syncRow(r, entry) {
    const { o } = r;
    const st = this.ex.state;
    r.box.checked = o.enabled;
    r.swatch.style.background = o.color[isDark() ? "dark" : "light"];
    r.row.classList.toggle("gd-x-opt-on", o.enabled);
    r.toggle.hidden = !o.enabled;
    r.params.hidden = !(o.enabled && r.expanded);
    let suggested = 0;
    for (const [k, s] of Object.entries(r.sliders)) {
      const v = o.values[k];
      s.input.value = String(sliderPosition(s.p, v));
      s.out.textContent = fmt(v, 3);
      s.mark.hidden = st.landscape === CUSTOM || !st.isSuggested(o, k);
      suggested += s.mark.hidden ? 0 : 1;
    }
    const all = suggested === Object.keys(r.sliders).length;
    r.suggestNote.replaceChildren();
    if (st.landscape !== CUSTOM) {
      r.suggestNote.append(all ? "✓ suggested values for this landscape" : "✓ marks suggested values; ");
      if (!all) r.suggestNote.append(el("button", { type: "button", class: "gd-x-link", text: "use all suggested", onclick: () => this.ex.useSuggested(o) }));
    }
    r.sched.sel.value = o.schedule;
    const buttons = (entry?.optimal ?? []).filter((v) => v.optimizer === o.name);
    r.optimal.hidden = !buttons.length;
    r.optimal.replaceChildren(...buttons.map((v) => el("button", {
      type: "button", class: "gd-btn gd-x-optbtn", text: v.label,
      title: `${v.title}: ${Object.entries(v.params).map(([k, x]) => `${k} = ${fmt(x, 4)}`).join(", ")}`,
      onclick: () => this.ex.applyOptimal(o, v.params),
    })));
    r.phase?.sync();
  }

  /** The phase picture (drawn only when its inputs changed). */
  drawPhase() {
    for (const r of this.rows) r.phase?.draw();
  }

  syncFunction(fn) {
    this.fn.fx.value = fn.expression;
    this.gradBox.checked = Boolean(fn.gradient);
    this.gradFields.hidden = !fn.gradient;
    this.fn.gx.value = fn.gradient?.[0] ?? this.fn.gx.value;
    this.fn.gy.value = fn.gradient?.[1] ?? this.fn.gy.value;
    fn.domain.flat().forEach((v, i) => (this.domainIns[i].value = String(v)));
  }

  /** The schedules' curves, drawn small from the learning rates gdcore used at each step. */
  drawSchedules(runs) {
    for (const r of this.rows) {
      const run = runs.find((x) => x.optimizer === r.o.class);
      const c = r.sched.curve;
      c.hidden = !run?.lrs || r.o.schedule === "constant";
      if (c.hidden) continue;
      const w = 72;
      const h = 22;
      const ctx = fitCanvas(c, w, h);
      ctx.clearRect(0, 0, w, h);
      const n = run.n;
      let hi = 0;
      for (let k = 0; k < n; k++) hi = Math.max(hi, run.lrs[k]);
      ctx.beginPath();
      for (let k = 0; k < n; k++) {
        const x = (k / Math.max(1, n - 1)) * (w - 2) + 1;
        const y = h - 2 - (run.lrs[k] / (hi || 1)) * (h - 4);
        if (k) ctx.lineTo(x, y);
        else ctx.moveTo(x, y);
      }
      ctx.strokeStyle = run.color;
      ctx.lineWidth = 1.5;
      ctx.stroke();
    }
  }
}
