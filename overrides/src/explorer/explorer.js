// One explorer: controls, views and the loop "control changed -> gdcore in the worker ->
// draw". The page draws; Python (gdcore.explore.explorer_update) computes. Before Python is
// ready the explorer draws the race the build pre-computed and says Python is loading.
import { createEditor } from "../editor.js";
import { OutputView } from "../output.js";
import { drawLoss, drawMap, prepareGrid, runColor, runDash, unpack } from "./draw.js";
import { callPython } from "./pycall.js";
import { drawSurface, ELEVATION_LIMITS } from "./surface.js";

const GRID_RESOLUTION = 96;
const SPEEDS = [1, 2, 5, 10, 25];
const STEP_CHOICES = { min: 10, max: 2000, step: 10 };
const SURFACE_VIEW = { azimuth: 30, elevation: 45 }; // the 3-D view's first angles (degrees)

const el = (tag, attrs = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v == null || v === false) continue;
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? "" : v);
  }
  node.append(...children.filter((c) => c != null));
  return node;
};

const fmt = (v, digits = 4) => {
  if (v == null || !Number.isFinite(v)) return String(v);
  if (v !== 0 && (Math.abs(v) >= 1e5 || Math.abs(v) < 1e-3)) return v.toExponential(digits - 1);
  return String(Number(v.toPrecision(digits)));
};

const nice = (v) => Number(Number(v).toPrecision(3));

/** base64 of little-endian float64 -> Float64Array. */
const toF64 = (list) => Float64Array.from(list, (v) => (v == null ? NaN : v));

function normalizeRun(run) {
  const n = run.n_steps;
  let xs;
  let losses;
  let gnorms;
  if (run.packed != null) {
    const all = unpack(run.packed);
    xs = all.subarray(0, 2 * (n + 1));
    losses = all.subarray(2 * (n + 1), 3 * (n + 1));
    gnorms = all.subarray(3 * (n + 1), 4 * (n + 1));
  } else {
    xs = toF64(run.path.flatMap((p) => (p == null ? [NaN, NaN] : p)));
    losses = toF64(run.losses);
    gnorms = toF64(run.grad_norms);
  }
  return { ...run, n, xs, losses, gnorms, path: undefined, packed: undefined };
}

let explorerCount = 0;

export class Explorer {
  constructor(root, runtime) {
    this.root = root;
    this.runtime = runtime;
    this.data = JSON.parse(root.dataset.payload);
    this.id = root.id || `explorer-${++explorerCount}`;
    this.catalog = this.data.catalog;
    this.defaults = this.data.options;
    this.grids = new Map();
    this.upto = Infinity;
    this.playing = false;
    this.speed = 5;
    this.seq = 0;
    this.inFlight = false;
    this.dirty = false;
    this.changeT0 = null;
    this.hover = null;
    this.crosshair = null;
    this.view = "map"; // or "surface" (the 3-D view)
    this.azimuth = SURFACE_VIEW.azimuth;
    this.elevation = SURFACE_VIEW.elevation;
    this.disposers = [];
    this.optimizers = this.catalog.optimizers.map((o, index) => ({
      ...o,
      index,
      color: runColor(index),
      dash: runDash(index),
      enabled: false,
      values: Object.fromEntries(Object.entries(o.params).map(([k, p]) => [k, p.default])),
    }));
    this.applyOptions(this.defaults);
    this.grids.set(this.data.grid.name, prepareGrid(this.data.grid));
    this.cache = new Map(); // run key -> normalized run (only runs computed in this browser)
    this.setRace(this.data.race, this.data.race.runs.map(normalizeRun), this.data.code);
    this.build();
    this.resize();
    this.note("Showing the pre-computed run: loading Python… (changes are drawn when it is ready)", "loading");
    this.watchRuntime();
  }

  // --- state --------------------------------------------------------------------------

  findOptimizer(name) {
    const key = String(name).toLowerCase();
    return this.optimizers.find((o) => o.name.toLowerCase() === key || o.class.toLowerCase() === key);
  }

  applyOptions(opts) {
    this.landscape = opts.landscape;
    this.start = [...opts.start];
    this.steps = opts.steps;
    for (const o of this.optimizers) {
      o.enabled = false;
      o.values = Object.fromEntries(Object.entries(o.params).map(([k, p]) => [k, p.default]));
    }
    for (const spec of opts.optimizers) {
      const o = this.findOptimizer(spec.optimizer);
      if (!o || o.enabled) continue;
      o.enabled = true;
      for (const [k, v] of Object.entries(spec)) {
        if (k === "betas" && Array.isArray(v)) [o.values.beta1, o.values.beta2] = v;
        else if (k in o.values) o.values[k] = v;
      }
    }
  }

  enabled() {
    return this.optimizers.filter((o) => o.enabled);
  }

  /** The run specs for Python: lr always, other hyperparameters when not the default. */
  specs() {
    return this.enabled().map((o) => {
      const spec = { optimizer: o.name };
      for (const [k, v] of Object.entries(o.values)) {
        if (k === "lr" || v !== o.params[k].default) spec[k] = v;
      }
      return spec;
    });
  }

  /** Show a race: `runs` already normalized (typed arrays); colours from the catalog. */
  setRace(race, runs, code) {
    this.race = {
      ...race,
      runs: runs.map((r, i) => {
        const o = this.findOptimizer(r.optimizer);
        return { ...r, color: o ? o.color : runColor(i), dash: o ? o.dash : [] };
      }),
    };
    this.code = code;
  }

  runKey(spec) {
    return JSON.stringify([this.landscape, this.start, this.steps, spec]);
  }

  get grid() {
    return this.grids.get(this.race?.landscape ?? this.landscape);
  }

  maxSteps() {
    return this.race.runs.reduce((m, r) => Math.max(m, r.n), 0);
  }

  // --- building the DOM ---------------------------------------------------------------

  build() {
    const root = this.root;
    root.classList.add("gd-explorer-live");
    const id = this.id;
    this.mapCanvas = el("canvas", {
      class: "gd-x-map",
      tabindex: "0",
      role: "img",
      "aria-label": "Contour map with the optimizers' paths. Click, or use the arrow keys and Enter, to set the start point.",
      "aria-describedby": `${id}-maphelp`,
    });
    this.tip = el("div", { class: "gd-x-tip", role: "tooltip", hidden: true });
    this.mapHelp = el("p", { class: "gd-x-maphelp", id: `${id}-maphelp`, "aria-live": "polite" });
    this.legend = el("ul", { class: "gd-x-legend", "aria-label": "Legend" });
    this.lossCanvas = el("canvas", { class: "gd-x-loss", role: "img", "aria-label": "Loss versus step on a log scale" });
    this.surfaceCanvas = el("canvas", {
      class: "gd-x-surface",
      tabindex: "0",
      role: "img",
      hidden: true,
      "aria-label": "3-D view of the landscape with the optimizers' paths. Drag to rotate it, or use Left and Right arrows to turn it and Up and Down arrows to tilt it.",
      "aria-describedby": `${id}-maphelp`,
    });
    this.viewBtns = {
      map: el("button", { type: "button", class: "gd-btn", text: "Map", "aria-pressed": "true", onclick: () => this.setView("map") }),
      surface: el("button", { type: "button", class: "gd-btn", text: "3-D", "aria-pressed": "false", onclick: () => this.setView("surface") }),
    };
    this.viewBar = el("div", { class: "gd-x-viewbar", role: "group", "aria-label": "View" }, this.viewBtns.map, this.viewBtns.surface);
    this.mapWrap = el("div", { class: "gd-x-mapwrap" }, this.mapCanvas, this.surfaceCanvas, this.tip);
    this.views = el("div", { class: "gd-x-views" }, this.viewBar, this.mapWrap, this.mapHelp, this.legend, this.lossCanvas);

    // controls
    this.landscapeSel = el("select", { id: `${id}-landscape`, onchange: () => this.setLandscape(this.landscapeSel.value) });
    for (const l of this.catalog.landscapes) this.landscapeSel.append(el("option", { value: l.name, text: l.name }));
    this.landscapeSel.value = this.landscape;
    this.startOut = el("output", { class: "gd-x-start", id: `${id}-start` });
    this.stepsIn = el("input", {
      type: "range", id: `${id}-steps`, min: STEP_CHOICES.min, max: STEP_CHOICES.max, step: STEP_CHOICES.step,
      oninput: () => {
        this.steps = Number(this.stepsIn.value);
        this.stepsOut.textContent = String(this.steps);
        this.changed();
      },
    });
    this.stepsOut = el("output", { for: `${id}-steps` });
    this.playBtn = el("button", { type: "button", class: "gd-btn gd-x-play", onclick: () => this.togglePlay() });
    this.stepBtn = el("button", { type: "button", class: "gd-btn", text: "Step", title: "Advance one step", onclick: () => this.stepOnce() });
    this.speedSel = el("select", { id: `${id}-speed`, onchange: () => (this.speed = Number(this.speedSel.value)) });
    for (const s of SPEEDS) this.speedSel.append(el("option", { value: String(s), text: `${s} step${s > 1 ? "s" : ""}/frame` }));
    this.speedSel.value = String(this.speed);
    this.resetBtn = el("button", { type: "button", class: "gd-btn", text: "Reset", title: "Back to this explorer's settings", onclick: () => this.reset() });
    this.frameOut = el("output", { class: "gd-x-frame" });
    this.optBox = el("fieldset", { class: "gd-x-opts" }, el("legend", { text: "Optimizers" }));
    this.optRows = this.optimizers.map((o) => this.buildOptimizer(o));
    this.optBox.append(...this.optRows.map((r) => r.row));

    const field = (label, forId, ...controls) =>
      el("div", { class: "gd-x-field" }, el("label", { for: forId, text: label }), ...controls);
    this.controls = el(
      "div",
      { class: "gd-x-controls" },
      field("Landscape", `${id}-landscape`, this.landscapeSel),
      el("div", { class: "gd-x-field" }, el("span", { text: "Start" }), this.startOut),
      field("Steps", `${id}-steps`, this.stepsIn, this.stepsOut),
      el("div", { class: "gd-x-play-row", role: "group", "aria-label": "Playback" }, this.playBtn, this.stepBtn, this.resetBtn),
      field("Speed", `${id}-speed`, this.speedSel),
      this.frameOut,
      this.optBox,
    );
    this.noteEl = el("p", { class: "gd-x-note", role: "status", "aria-live": "polite" });

    // show code
    this.codeBtn = el("button", {
      type: "button", class: "gd-btn gd-x-codebtn", "aria-expanded": "false", "aria-controls": `${id}-code`,
      text: "Show code", onclick: () => this.toggleCode(),
    });
    this.codePanel = el("div", { class: "gd-x-code", id: `${id}-code`, hidden: true });

    const staticFig = root.querySelector(":scope > .gd-explorer-static");
    if (staticFig) staticFig.hidden = true;
    root.querySelector(":scope > .gd-explorer-note")?.remove();
    root.append(this.noteEl, el("div", { class: "gd-x-main" }, this.views, this.controls), el("div", { class: "gd-x-codebar" }, this.codeBtn), this.codePanel);

    this.syncControls();
    this.renderLegend();
    this.bindMap();
    this.bindSurface();
    this.bindLoss();
    const ro = new ResizeObserver(() => this.resize());
    ro.observe(this.views);
    this.disposers.push(() => ro.disconnect());
    const mo = new MutationObserver(() => this.draw());
    mo.observe(document.body, { attributes: true, attributeFilter: ["data-md-color-scheme"] });
    this.disposers.push(() => mo.disconnect());
  }

  buildOptimizer(o) {
    const id = `${this.id}-opt-${o.name}`;
    const box = el("input", {
      type: "checkbox", id,
      onchange: () => {
        o.enabled = box.checked;
        params.hidden = !o.enabled;
        this.changed();
      },
    });
    const swatch = el("span", { class: "gd-x-swatch", "aria-hidden": "true" });
    swatch.style.background = o.color;
    if (o.dash.length) swatch.classList.add("gd-x-swatch-dashed");
    const sliders = {};
    const params = el("div", { class: "gd-x-params" });
    for (const [k, p] of Object.entries(o.params)) {
      const sid = `${id}-${k}`;
      const log = p.scale === "log";
      const input = el("input", {
        type: "range", id: sid,
        min: log ? "0" : String(p.min), max: log ? "1000" : String(p.max), step: log ? "1" : String(p.step ?? 0.001),
      });
      const out = el("output", { for: sid });
      input.addEventListener("input", () => {
        let v = Number(input.value);
        if (log) v = nice(10 ** (Math.log10(p.min) + (v / 1000) * (Math.log10(p.max) - Math.log10(p.min))));
        o.values[k] = v;
        out.textContent = fmt(v, 3);
        this.changed();
      });
      sliders[k] = { input, out, log, p };
      params.append(el("div", { class: "gd-x-param" }, el("label", { for: sid, text: `${p.label}` }), input, out));
      input.setAttribute("aria-label", `${o.class} ${p.label}`);
    }
    const row = el(
      "div",
      { class: "gd-x-opt" },
      el("div", { class: "gd-x-opt-head" }, box, el("label", { for: id }, swatch, o.class)),
      params,
    );
    return { o, row, box, params, sliders };
  }

  syncControls() {
    this.landscapeSel.value = this.landscape;
    this.stepsIn.value = String(this.steps);
    this.stepsOut.textContent = String(this.steps);
    for (const { o, box, params, sliders } of this.optRows) {
      box.checked = o.enabled;
      params.hidden = !o.enabled;
      for (const [k, s] of Object.entries(sliders)) {
        const v = o.values[k];
        if (s.log) {
          const { min, max } = s.p;
          s.input.value = String(Math.round(((Math.log10(v) - Math.log10(min)) / (Math.log10(max) - Math.log10(min))) * 1000));
        } else s.input.value = String(v);
        s.out.textContent = fmt(v, 3);
      }
    }
    this.showStart();
    this.updatePlay();
  }

  showStart() {
    this.startOut.textContent = `(${fmt(this.start[0])}, ${fmt(this.start[1])})`;
    this.root.dataset.start = `${this.start[0]},${this.start[1]}`;
  }

  // --- views --------------------------------------------------------------------------

  resize() {
    const width = Math.floor(this.views.clientWidth || 320);
    const [[xmin, xmax], [ymin, ymax]] = this.grid.domain;
    const aspect = Math.min(1.1, Math.max(0.6, (ymax - ymin) / (xmax - xmin)));
    this.size = { width, height: Math.round(width * aspect), lossHeight: Math.round(Math.min(240, Math.max(150, width * 0.42))) };
    this.draw();
  }

  draw() {
    if (!this.size) return;
    const upto = Math.min(this.upto, this.maxSteps());
    if (this.view === "surface") {
      // only the shown view is drawn: the map is redrawn when it comes back
      drawSurface(this.surfaceCanvas, this.size.width, this.size.height, {
        grid: this.grid,
        runs: this.race.runs,
        start: this.start,
        upto,
        azimuth: this.azimuth,
        elevation: this.elevation,
      });
    } else {
      const { T, drawn } = drawMap(this.mapCanvas, this.size.width, this.size.height, {
        grid: this.grid,
        runs: this.race.runs,
        start: this.start,
        upto,
        crosshair: this.crosshair,
        hover: this.hover,
      });
      this.T = T;
      this.drawn = drawn;
    }
    this.lossGeom = drawLoss(this.lossCanvas, this.size.width, this.size.lossHeight, {
      runs: this.race.runs,
      steps: this.race.steps,
      fmin: this.grid.fmin,
      upto,
      hoverStep: this.hoverStep,
    });
    this.frameOut.textContent = `step ${upto} of ${this.race.steps}`;
    this.root.dataset.domain = JSON.stringify(this.grid.domain);
  }

  renderLegend() {
    this.legend.replaceChildren(
      ...this.race.runs.map((run) => {
        const swatch = el("span", { class: "gd-x-swatch", "aria-hidden": "true" });
        swatch.style.background = run.color;
        if (run.dash.length) swatch.classList.add("gd-x-swatch-dashed");
        const li = el(
          "li",
          { class: `gd-x-run gd-x-${run.status}`, "data-final": run.final ? run.final.join(",") : "", "data-status": run.status },
          swatch,
          el("span", { class: "gd-x-run-name", text: run.label }),
          el("span", { class: "gd-x-run-msg", text: run.status === "diverged" ? run.message : `${run.message}, loss ${fmt(run.final_loss)}` }),
        );
        return li;
      }),
    );
    if (!this.race.runs.length) this.legend.append(el("li", { class: "gd-x-empty", text: "No optimizer selected: tick one." }));
  }

  // --- interaction --------------------------------------------------------------------

  bindMap() {
    const c = this.mapCanvas;
    const pos = (e) => {
      const r = c.getBoundingClientRect();
      return [e.clientX - r.left, e.clientY - r.top];
    };
    c.addEventListener("click", (e) => {
      const [px, py] = pos(e);
      this.setStart(this.T.toData(px, py));
    });
    c.addEventListener("mousemove", (e) => this.hoverMap(...pos(e)));
    c.addEventListener("mouseleave", () => this.clearHover());
    c.addEventListener("focus", () => {
      this.crosshair = this.crosshair ?? [...this.start];
      this.announceCrosshair();
      this.draw();
    });
    c.addEventListener("blur", () => {
      this.crosshair = null;
      this.draw();
    });
    c.addEventListener("keydown", (e) => {
      if (!this.crosshair) this.crosshair = [...this.start];
      const [[xmin, xmax], [ymin, ymax]] = this.grid.domain;
      const f = e.shiftKey ? 0.005 : 0.025;
      const dx = (xmax - xmin) * f;
      const dy = (ymax - ymin) * f;
      const moves = { ArrowLeft: [-dx, 0], ArrowRight: [dx, 0], ArrowUp: [0, dy], ArrowDown: [0, -dy] };
      if (e.key in moves) {
        e.preventDefault();
        const [mx, my] = moves[e.key];
        this.crosshair = [
          Math.min(xmax, Math.max(xmin, this.crosshair[0] + mx)),
          Math.min(ymax, Math.max(ymin, this.crosshair[1] + my)),
        ];
        this.announceCrosshair();
        this.draw();
      } else if (e.key === "Enter" || e.key === " ") {
        e.preventDefault();
        this.setStart(this.crosshair);
      } else if (e.key === "Escape") {
        this.crosshair = [...this.start];
        this.draw();
      }
    });
  }

  /** Switch between the contour map ("map") and the 3-D view ("surface"). */
  setView(view) {
    if (view === this.view) return;
    this.view = view;
    const surface = view === "surface";
    this.mapCanvas.hidden = surface;
    this.surfaceCanvas.hidden = !surface;
    this.viewBtns.map.setAttribute("aria-pressed", String(!surface));
    this.viewBtns.surface.setAttribute("aria-pressed", String(surface));
    this.hover = null;
    this.crosshair = null;
    this.tip.hidden = true;
    this.mapHelp.textContent = surface
      ? "3-D view: drag or use the arrow keys to rotate it. The Map view sets the start point."
      : "";
    this.draw();
  }

  /** The 3-D view: drag (mouse, pen or touch) or arrow keys rotate it; clicks do nothing else. */
  bindSurface() {
    const c = this.surfaceCanvas;
    const [elMin, elMax] = ELEVATION_LIMITS;
    const turn = (azimuth, elevation) => {
      this.azimuth = ((azimuth % 360) + 540) % 360 - 180;
      this.elevation = Math.min(elMax, Math.max(elMin, elevation));
      this.draw();
    };
    let drag = null;
    c.addEventListener("pointerdown", (e) => {
      if (e.button !== 0) return;
      drag = { id: e.pointerId, x: e.clientX, y: e.clientY, azimuth: this.azimuth, elevation: this.elevation };
      c.setPointerCapture(e.pointerId);
    });
    c.addEventListener("pointermove", (e) => {
      if (!drag || e.pointerId !== drag.id) return;
      turn(drag.azimuth + (e.clientX - drag.x) * 0.5, drag.elevation + (e.clientY - drag.y) * 0.4);
    });
    const end = (e) => {
      if (drag && e.pointerId === drag.id) drag = null;
    };
    c.addEventListener("pointerup", end);
    c.addEventListener("pointercancel", end);
    c.addEventListener("keydown", (e) => {
      const moves = { ArrowLeft: [-15, 0], ArrowRight: [15, 0], ArrowUp: [0, 5], ArrowDown: [0, -5] };
      if (!(e.key in moves)) return;
      e.preventDefault();
      const [da, de] = moves[e.key];
      turn(this.azimuth + da, this.elevation + de);
      this.mapHelp.textContent = `3-D view turned to ${Math.round(this.azimuth)}°, tilted ${Math.round(this.elevation)}° above the horizon.`;
    });
  }

  announceCrosshair() {
    const [x, y] = this.crosshair;
    this.mapHelp.textContent = `Crosshair at (${fmt(x, 3)}, ${fmt(y, 3)}): Enter starts the optimizers here; arrows move it (Shift: finer).`;
  }

  bindLoss() {
    const c = this.lossCanvas;
    c.addEventListener("mousemove", (e) => {
      const r = c.getBoundingClientRect();
      const px = e.clientX - r.left;
      const py = e.clientY - r.top;
      if (!this.lossGeom?.inPlot(px, py)) return this.clearHover();
      const k = Math.max(0, Math.min(this.race.steps, this.lossGeom.stepAt(px)));
      this.hoverStep = k;
      const lines = [`step ${k}`];
      for (const run of this.race.runs) {
        if (k <= run.n) lines.push(`${run.label}: loss ${fmt(run.losses[k])}, |∇f| ${fmt(run.gnorms[k])}`);
        else lines.push(`${run.label}: stopped at step ${run.n}`);
      }
      this.showTip(lines, px, this.size.height + py, true);
      this.draw();
    });
    c.addEventListener("mouseleave", () => this.clearHover());
  }

  hoverMap(px, py) {
    let best = null;
    this.drawn?.forEach((pts, r) => {
      pts.forEach(([x, y], k) => {
        const d = (x - px) ** 2 + (y - py) ** 2;
        if (d <= 100 && (!best || d < best.d)) best = { d, r, k, px: x, py: y };
      });
    });
    if (!best) return this.clearHover();
    const run = this.race.runs[best.r];
    const k = Math.min(best.k, run.n);
    const x = run.xs[2 * k];
    const y = run.xs[2 * k + 1];
    this.hover = { px: best.px, py: best.py };
    this.showTip([`${run.label} · step ${k}`, `(x, y) = (${fmt(x)}, ${fmt(y)})`, `loss = ${fmt(run.losses[k])}`, `|∇f| = ${fmt(run.gnorms[k])}`], best.px, best.py);
    this.draw();
  }

  showTip(lines, px, py) {
    this.tip.replaceChildren(...lines.map((t) => el("div", { text: t })));
    this.tip.hidden = false;
    const w = this.size.width;
    this.tip.style.left = `${Math.min(Math.max(0, px + 12), Math.max(0, w - 220))}px`;
    this.tip.style.top = `${py + 12}px`;
  }

  clearHover() {
    if (!this.hover && this.hoverStep == null && this.tip.hidden) return;
    this.hover = null;
    this.hoverStep = null;
    this.tip.hidden = true;
    this.draw();
  }

  /** A start point from the map, rounded to a tidy number within half a pixel. */
  setStart([x, y]) {
    const [pxw, pxh] = this.T.pixel;
    const round = (v, p) => {
      const d = Math.max(0, -Math.floor(Math.log10(p)));
      return Number(v.toFixed(d));
    };
    this.start = [round(x, pxw), round(y, pxh)];
    if (this.crosshair) this.crosshair = [...this.start];
    this.showStart();
    this.mapHelp.textContent = `Start set to (${fmt(this.start[0])}, ${fmt(this.start[1])}).`;
    this.changed();
  }

  setLandscape(name) {
    if (name === this.landscape) return;
    this.landscape = name;
    const entry = this.catalog.landscapes.find((l) => l.name === name);
    this.start = [...entry.start];
    this.crosshair = null;
    this.showStart();
    this.changed();
  }

  reset() {
    this.pause();
    this.applyOptions(this.defaults);
    this.syncControls();
    this.changed();
  }

  togglePlay() {
    if (this.playing) this.pause();
    else this.play();
  }

  play() {
    if (this.upto >= this.maxSteps()) this.upto = 0;
    this.playing = true;
    this.updatePlay();
    const tick = () => {
      if (!this.playing) return;
      this.upto = Math.min(this.upto + this.speed, this.maxSteps());
      this.draw();
      if (this.upto >= this.maxSteps()) this.pause();
      else this.frame = requestAnimationFrame(tick);
    };
    this.frame = requestAnimationFrame(tick);
  }

  pause() {
    this.playing = false;
    cancelAnimationFrame(this.frame);
    this.updatePlay();
  }

  stepOnce() {
    this.pause();
    const max = this.maxSteps();
    this.upto = this.upto >= max ? 0 : this.upto + 1;
    this.draw();
  }

  updatePlay() {
    this.playBtn.textContent = this.playing ? "Pause" : "Play";
    this.playBtn.setAttribute("aria-pressed", String(this.playing));
  }

  // --- computing ----------------------------------------------------------------------

  watchRuntime() {
    const rt = this.runtime;
    if (!rt) {
      this.note("Python is not available on this page: showing the pre-computed run.", "error");
      return;
    }
    const update = (s) => {
      if (s.phase === "failed") this.note(s.text, "error");
      else if (!this.live && s.phase !== "ready") this.note(`Showing the pre-computed run. ${s.text}`, "loading");
    };
    this.disposers.push(rt.onStatus(update));
    // As soon as Python is ready, recompute the shown settings in the worker: this loads numpy
    // and gdcore there (so the reader's first change is fast) and replaces the rounded
    // pre-computed numbers with gdcore's exact ones.
    rt.ready().then((ok) => {
      if (ok && !this.destroyed && !this.inFlight) this.compute();
    });
    const start = () => rt.start();
    this.root.addEventListener("focusin", start, { once: true });
    this.root.addEventListener("pointerenter", start, { once: true });
  }

  note(text, kind) {
    this.noteEl.textContent = text;
    this.noteEl.dataset.kind = kind;
    this.noteEl.hidden = !text;
    this.root.dataset.python = kind;
  }

  /** A control changed: recompute (coalescing changes while a computation is running). */
  changed() {
    if (this.changeT0 == null) this.changeT0 = performance.now();
    this.dirty = true;
    if (!this.playing) this.upto = Infinity;
    if (this.runtime?.state !== "ready") this.note("Loading Python… your change is drawn when it is ready.", "loading");
    if (!this.inFlight) this.compute();
  }

  async compute() {
    if (!this.runtime) return;
    this.dirty = false;
    this.inFlight = true;
    this.root.dataset.busy = "true"; // a computation is running (tests wait for it to go)
    const seq = ++this.seq;
    const landscape = this.landscape;
    const needGrid = !this.grids.has(landscape);
    if (this.cache.size > 300) this.cache.clear();
    const specs = this.specs();
    const keys = specs.map((spec) => this.runKey(spec));
    const missing = keys.map((k, i) => (this.cache.has(k) ? -1 : i)).filter((i) => i >= 0);
    const kwargs = {
      landscape,
      runs: specs,
      x0: this.start,
      steps: this.steps,
      grid_resolution: needGrid ? GRID_RESOLUTION : 0,
      compute: missing,
    };
    try {
      const { value, ms } = await callPython(this.runtime, "gdcore.explore.explorer_update", kwargs);
      if (this.destroyed) return;
      const out = JSON.parse(value);
      if (out.grid) this.grids.set(out.grid.name, prepareGrid(out.grid));
      const runs = out.race.runs.map((run, i) => {
        if (run == null) return this.cache.get(keys[i]);
        const r = normalizeRun(run);
        this.cache.set(keys[i], r);
        return r;
      });
      if (!this.dirty && seq === this.seq) {
        this.setRace(out.race, runs, out.code);
        this.afterRace(ms);
      }
      this.live = true;
      if (!this.dirty) this.note("", "ready");
    } catch (err) {
      if (this.destroyed) return;
      this.note(`Python error: ${err.message.split("\n").filter(Boolean).slice(-1)[0]}`, "error");
      this.root.dataset.error = err.message;
    } finally {
      this.inFlight = false;
    }
    if (this.dirty && !this.destroyed) this.compute();
    else delete this.root.dataset.busy;
  }

  afterRace(pythonMs) {
    if (!this.playing) this.upto = Infinity;
    if (this.size && this.grid) {
      const [[xmin, xmax], [ymin, ymax]] = this.grid.domain;
      const aspect = Math.min(1.1, Math.max(0.6, (ymax - ymin) / (xmax - xmin)));
      this.size.height = Math.round(this.size.width * aspect);
    }
    this.renderLegend();
    this.draw();
    this.syncCode();
    const total = this.changeT0 == null ? null : performance.now() - this.changeT0;
    this.changeT0 = null;
    this.root.dataset.redrawMs = total == null ? "" : total.toFixed(1);
    this.root.dataset.pythonMs = pythonMs.toFixed(1);
    this.root.dataset.revision = String(Number(this.root.dataset.revision || 0) + 1);
    this.root.dispatchEvent(new CustomEvent("gd-explorer-drawn", { detail: { ms: total, pythonMs } }));
  }

  // --- show code ----------------------------------------------------------------------

  toggleCode() {
    const open = this.codePanel.hidden;
    this.codePanel.hidden = !open;
    this.codeBtn.setAttribute("aria-expanded", String(open));
    if (open && !this.editor) this.buildCode();
    if (open) this.syncCode(true);
  }

  buildCode() {
    const cellId = `${this.id}-code`;
    const host = el("div", { class: "gd-cell-editor" });
    const region = el("div", { class: "gd-cell-output", role: "log", "aria-live": "polite", "aria-label": `Output of the explorer's code` });
    this.output = new OutputView(region);
    this.editor = createEditor({
      parent: host,
      doc: this.code,
      label: "Code equivalent to the explorer's settings",
      heightLines: 0,
      onChange: () => {},
      onRun: () => this.runCode(),
      onFocus: () => this.runtime?.start(),
    });
    this.synced = this.code;
    this.runCodeBtn = el("button", { type: "button", class: "gd-btn gd-run", text: "Run", onclick: () => this.runCode() });
    this.stopCodeBtn = el("button", { type: "button", class: "gd-btn gd-stop", text: "Stop", disabled: true, onclick: () => this.runtime?.stop() });
    this.updateCodeBtn = el("button", { type: "button", class: "gd-btn", text: "Update to the explorer's settings", onclick: () => this.syncCode(true) });
    this.codeStatus = el("span", { class: "gd-cell-status" });
    const bar = el("div", { class: "gd-cell-bar" }, this.runCodeBtn, this.stopCodeBtn, this.updateCodeBtn, this.codeStatus);
    this.codePanel.dataset.cell = cellId;
    this.codePanel.append(host, bar, region);
  }

  syncCode(force = false) {
    if (!this.editor) return;
    const current = this.editor.getCode();
    if (force || current === this.synced) {
      if (current !== this.code) this.editor.setCode(this.code);
      this.synced = this.code;
    } else {
      this.codeStatus.textContent = "The explorer changed; your edited code was kept.";
    }
  }

  async runCode() {
    if (!this.runtime || this.codePanel.dataset.state === "running") return;
    const out = this.output;
    out.clear();
    this.codePanel.dataset.state = "running";
    this.stopCodeBtn.disabled = false;
    this.codeStatus.textContent = this.runtime.state === "ready" ? "Running…" : "Waiting for Python to load…";
    const res = await this.runtime.run(`${this.id}-code`, this.editor.getCode(), {
      started: () => (this.codeStatus.textContent = "Running…"),
      stream: (kind, t) => out.stream(kind, t),
      cell: (c) => out.render(c),
      error: (t) => out.block("error", t),
    }, { namespace: `explorer:${this.id}` });
    out.totals(res.done);
    if (res.status === "restarted") out.note(res.reason || "Python was restarted.", "warn");
    if (res.status === "failed") out.note(res.text || "Python could not be loaded.", "error");
    this.codePanel.dataset.state = res.status === "ok" ? "done" : res.status;
    this.stopCodeBtn.disabled = true;
    this.codeStatus.textContent = res.status === "ok" ? `Done in ${Math.round(res.wallMs)} ms` : res.status;
  }

  destroy() {
    this.destroyed = true;
    this.pause();
    for (const d of this.disposers) d();
    this.editor?.destroy();
  }
}
