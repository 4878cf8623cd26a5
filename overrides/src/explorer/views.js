// The explorer's views: the map (or the 3-D view) with the paths and the step inspector's
// arrows, the transport bar (play, step back and forward, speed, timeline), the readout that
// is also the legend (each run at the current step), the loss plot and the inspector panel
// (and, on wide screens, the place of Momentum's rate map: phase.js).
// Drawing only: the numbers come from gdcore (see compute.js).
import { el, fmt, fmtPair } from "./dom.js";
import { drawLoss, drawMap, isDark } from "./draw.js";
import { vectorAt } from "./compute.js";
import { drawSurface, ELEVATION_LIMITS } from "./surface.js";

// Steps per second of the Play button (the slowest lets a reader follow each step).
export const SPEEDS = [2, 5, 10, 25, 50, 100, 250];
export const DEFAULT_SPEED = 50;
// How the inspector draws each vector it has (arrows from the current point).
const ARROW_STYLES = {
  gradient_step: { dash: [5, 3], width: 2, color: (dark) => (dark ? "#f0f0f0" : "#111111") },
  update: { width: 3, color: null }, // the run's own colour
  velocity: { dash: [2, 3], width: 2.5, color: () => "#AA3377" },
  scaled_gradient: { dash: [7, 3], width: 2, color: () => "#117733" },
};
// The inspector draws the update taken at this fraction of the map's diagonal (and every
// other arrow at the same magnification); an arrow longer than MAX_ARROW is shortened.
const UPDATE_ARROW = 0.12;
const MAX_ARROW = 0.45;

export class Views {
  constructor(ex) {
    this.ex = ex;
    const id = ex.id;
    this.mapCanvas = el("canvas", {
      class: "gd-x-map", tabindex: "0", role: "img", "aria-describedby": `${id}--maphelp`,
      "aria-label": "Contour map with the optimizers' paths. Click, or use the arrow keys and Enter, to set the start point.",
    });
    this.surfaceCanvas = el("canvas", {
      class: "gd-x-surface", tabindex: "0", role: "img", hidden: true, "aria-describedby": `${id}--maphelp`,
      "aria-label": "3-D view of the landscape with the optimizers' paths. Drag to rotate it, or use Left and Right arrows to turn it and Up and Down arrows to tilt it.",
    });
    this.tip = el("div", { class: "gd-x-tip", role: "tooltip", hidden: true });
    this.mapHelp = el("p", { class: "gd-x-maphelp", id: `${id}--maphelp`, "aria-live": "polite" });
    this.viewBtns = {
      map: el("button", { type: "button", class: "gd-btn", text: "Map", "aria-pressed": "true", onclick: () => ex.setView("map") }),
      surface: el("button", { type: "button", class: "gd-btn", text: "3-D", "aria-pressed": "false", onclick: () => ex.setView("surface") }),
    };
    this.viewBar = el("div", { class: "gd-x-viewbar", role: "group", "aria-label": "View" }, this.viewBtns.map, this.viewBtns.surface);
    this.mapWrap = el("div", { class: "gd-x-mapwrap" }, this.mapCanvas, this.surfaceCanvas, this.tip);
    this.buildTransport();
    this.readout = el("table", { class: "gd-x-readout", "aria-label": "Legend: each optimizer at the current step" });
    this.readoutWrap = el("div", { class: "gd-x-readout-wrap" }, this.readout);
    this.inspector = el("div", { class: "gd-x-inspector", id: `${id}--inspector`, "aria-live": "polite", hidden: true });
    this.lossCanvas = el("canvas", { class: "gd-x-loss", role: "img", "aria-label": "Loss versus step on a log scale" });
    this.mapBlock = el("div", { class: "gd-x-mapblock" }, this.viewBar, this.mapWrap, this.transport, this.mapHelp);
    this.phaseSlot = el("div", { class: "gd-x-phase-slot" }); // Momentum's rate map on wide screens
    this.belowBlock = el("div", { class: "gd-x-below" }, this.readoutWrap, this.phaseSlot, this.inspector, this.lossCanvas);
  }

  buildTransport() {
    const ex = this.ex;
    const id = ex.id;
    this.playBtn = el("button", { type: "button", class: "gd-btn gd-x-play", onclick: () => ex.togglePlay() });
    this.backBtn = el("button", { type: "button", class: "gd-btn", text: "◀", title: "One step back", "aria-label": "Step back", onclick: () => ex.stepBy(-1) });
    this.fwdBtn = el("button", { type: "button", class: "gd-btn", text: "▶", title: "One step forward", "aria-label": "Step forward", onclick: () => ex.stepBy(1) });
    this.scrub = el("input", {
      type: "range", id: `${id}--timeline`, class: "gd-x-timeline", min: "0", max: "1", step: "1",
      "aria-label": "Timeline: the current step", oninput: () => ex.setStep(Number(this.scrub.value)),
    });
    this.speedSel = el("select", { id: `${id}--speed`, "aria-label": "Speed", onchange: () => (ex.speed = Number(this.speedSel.value)) });
    for (const s of SPEEDS) this.speedSel.append(el("option", { value: String(s), text: `${s} steps/s` }));
    this.speedSel.value = String(ex.speed);
    this.frameOut = el("output", { class: "gd-x-frame", for: `${id}--timeline` });
    this.transport = el(
      "div", { class: "gd-x-transport", role: "group", "aria-label": "Playback" },
      this.playBtn, this.backBtn, this.fwdBtn, this.scrub, this.frameOut, this.speedSel,
    );
  }

  setView(view) {
    const surface = view === "surface";
    this.mapCanvas.hidden = surface;
    this.surfaceCanvas.hidden = !surface;
    this.viewBtns.map.setAttribute("aria-pressed", String(!surface));
    this.viewBtns.surface.setAttribute("aria-pressed", String(surface));
    this.tip.hidden = true;
    this.mapHelp.textContent = surface ? "3-D view: drag or use the arrow keys to rotate it. The Map view sets the start point." : "";
  }

  updatePlay(playing) {
    this.playBtn.textContent = playing ? "Pause" : "Play";
    this.playBtn.setAttribute("aria-pressed", String(playing));
  }

  /** Draw everything for the explorer's current state. */
  draw() {
    const ex = this.ex;
    if (!ex.size || !ex.grid) return;
    const upto = ex.currentStep();
    const { width, height, lossHeight } = ex.size;
    const runs = ex.race.runs;
    if (ex.state.view === "surface") {
      drawSurface(this.surfaceCanvas, width, height, { grid: ex.grid, runs, start: ex.state.start, upto, azimuth: ex.azimuth, elevation: ex.elevation });
    } else {
      const { T, drawn } = drawMap(this.mapCanvas, width, height, {
        grid: ex.grid, runs, start: ex.state.start, upto, crosshair: ex.crosshair, hover: ex.hover,
        isolate: ex.isolate, arrows: ex.state.inspect ? this.arrows(upto) : [],
      });
      ex.T = T;
      ex.drawn = drawn;
      const p = T.plot;
      ex.root.dataset.plot = [p.left, p.top, p.width, p.height].join(",");
    }
    ex.lossGeom = drawLoss(this.lossCanvas, width, lossHeight, {
      runs, steps: ex.race.steps, fmin: ex.grid.fmin, upto, hoverStep: ex.hoverStep,
      isolate: ex.isolate, current: ex.state.step == null ? null : upto,
    });
    this.syncTransport(upto);
    this.renderReadout(upto);
    this.renderInspector(upto);
    ex.root.dataset.domain = JSON.stringify(ex.grid.domain);
    ex.root.dataset.step = String(upto);
  }

  syncTransport(upto) {
    const max = this.ex.maxSteps();
    this.scrub.max = String(max);
    this.scrub.value = String(upto);
    this.frameOut.textContent = `step ${upto} of ${max}`;
    this.backBtn.disabled = upto <= 0;
    this.fwdBtn.disabled = upto >= max;
  }

  /** The legend as a table: each run's colour, name and, at the current step, where it is. */
  renderReadout(upto) {
    const ex = this.ex;
    const runs = ex.race.runs;
    const head = el("tr", {}, ...["", "optimizer", "(x, y)", "loss", "|∇f|", "step"].map((t) => el("th", { scope: "col", text: t })));
    head.lastChild.title = "step length |x(k+1) − x(k)|";
    const rows = runs.map((run, r) => {
      const k = Math.min(upto, run.n);
      const x = run.xs[2 * k];
      const y = run.xs[2 * k + 1];
      const stepLen = k < run.n ? Math.hypot(run.xs[2 * k + 2] - x, run.xs[2 * k + 3] - y) : null;
      const swatch = el("span", { class: "gd-x-swatch", "aria-hidden": "true" });
      swatch.style.background = run.color;
      const done = upto >= run.n;
      const msg = done ? run.message : ""; // its loss is in the loss column
      const tr = el(
        "tr",
        { class: `gd-x-run gd-x-${run.status}`, tabindex: "0", "data-final": run.final ? run.final.join(",") : "", "data-status": run.status, "data-run": String(r) },
        el("td", {}, swatch),
        el("th", { scope: "row", class: "gd-x-run-name" }, run.label, msg ? el("span", { class: "gd-x-run-msg", text: msg }) : null),
        el("td", { class: "gd-x-num", text: fmtPair(x, y) }),
        el("td", { class: "gd-x-num", text: fmt(run.losses[k]) }),
        el("td", { class: "gd-x-num", text: fmt(run.gnorms[k]) }),
        el("td", { class: "gd-x-num", text: stepLen == null ? "–" : fmt(stepLen) }),
      );
      const isolate = (on) => ex.setIsolate(on ? r : null);
      tr.addEventListener("mouseenter", () => isolate(true));
      tr.addEventListener("mouseleave", () => isolate(false));
      tr.addEventListener("focus", () => isolate(true));
      tr.addEventListener("blur", () => isolate(false));
      return tr;
    });
    if (!runs.length) rows.push(el("tr", {}, el("td", { colspan: "6", class: "gd-x-empty", text: "No optimizer selected: tick one." })));
    this.readout.replaceChildren(el("thead", {}, head), el("tbody", {}, ...rows));
  }

  /** The run the inspector shows: the active optimizer's, else the first. */
  inspectedRun() {
    const name = this.ex.inspectedName();
    const o = name && this.ex.state.find(name);
    return this.ex.race.runs.find((r) => r.optimizer === o?.class) ?? null;
  }

  /**
   * The inspector's arrows at step k (data units). All are drawn at one magnification, the
   * one that makes the update taken UPDATE_ARROW of the map's diagonal (so that their
   * lengths compare truly); an arrow that would then be longer than MAX_ARROW is shortened
   * on its own (the inspector says by how much).
   */
  arrows(k) {
    const run = this.inspectedRun();
    this.zoom = 1;
    this.shortened = {};
    if (!run?.inspect || k >= run.n) return [];
    const dark = isDark();
    const from = [run.xs[2 * k], run.xs[2 * k + 1]];
    const [[xmin, xmax], [ymin, ymax]] = this.ex.grid.domain;
    const diag = Math.hypot(xmax - xmin, ymax - ymin);
    const update = vectorAt(run, "update", k);
    const updateLen = update ? Math.hypot(...update) : 0;
    this.zoom = updateLen > 0 ? (UPDATE_ARROW * diag) / updateLen : 1;
    const out = [];
    for (const field of run.inspect.filter((f) => f.arrow)) {
      const raw = vectorAt(run, field.key, k);
      if (!raw) continue;
      let vec = raw.map((v) => v * this.zoom);
      const len = Math.hypot(...vec);
      if (len > MAX_ARROW * diag) {
        this.shortened[field.key] = len / (MAX_ARROW * diag);
        vec = vec.map((v) => (v * MAX_ARROW * diag) / len);
      }
      const st = ARROW_STYLES[field.key] ?? ARROW_STYLES.update;
      out.push({ from, vec, style: { ...st, color: st.color ? st.color(dark) : run.color } });
    }
    return out;
  }

  /** The inspector's numbers at step k: every vector gdcore recorded for the inspected run. */
  renderInspector(k) {
    const ex = this.ex;
    this.inspector.hidden = !ex.state.inspect;
    if (!ex.state.inspect) return;
    const run = this.inspectedRun();
    if (!run?.inspect) {
      this.inspector.replaceChildren(el("p", { class: "gd-x-note", text: run ? "Computing the optimizer's state…" : "Tick an optimizer to inspect it." }));
      return;
    }
    const rows = [];
    if (k >= run.n) rows.push(el("p", { text: `${run.label} stopped at step ${run.n}: no step from here. Step back to inspect one.` }));
    else {
      const lr = run.lrs ? run.lrs[k] : null;
      const onMap = ex.state.view === "map";
      const zoom = onMap && Math.abs(this.zoom - 1) > 1e-9 ? ` Arrows drawn ${fmt(this.zoom, 3)}× their length.` : "";
      rows.push(el("p", { class: "gd-x-insp-head", text: `${run.label}, step ${k} → ${k + 1}${lr != null ? `, learning rate η = ${fmt(lr)}` : ""}.${zoom}` }));
      const dark = isDark();
      for (const field of run.inspect) {
        const v = vectorAt(run, field.key, k);
        if (!v) continue;
        const st = ARROW_STYLES[field.key];
        const key = el("span", { class: "gd-x-insp-key", "aria-hidden": "true" });
        if (field.arrow && st) {
          key.style.borderTopColor = st.color ? st.color(dark) : run.color;
          key.style.borderTopStyle = st.dash ? "dashed" : "solid";
        } else key.classList.add("gd-x-insp-key-none");
        const short = onMap ? this.shortened?.[field.key] : null;
        rows.push(el(
          "div", { class: "gd-x-insp-row", "data-key": field.key, "data-value": v.join(",") },
          key, el("span", { class: "gd-x-insp-label", text: field.label }),
          el("span", { class: "gd-x-num", text: `${fmtPair(v[0], v[1])}${field.arrow ? `, length ${fmt(Math.hypot(...v))}` : ""}` }),
          short ? el("span", { class: "gd-x-insp-short", text: `(shortened ${fmt(short, 2)}× more to fit)` }) : null,
        ));
      }
    }
    this.inspector.replaceChildren(...rows);
    this.inspector.dataset.run = run.label;
    this.inspector.dataset.step = String(k);
  }

  /** A tooltip next to the pointer (clientX, clientY: viewport coordinates). */
  showTip(lines, clientX, clientY) {
    this.tip.replaceChildren(...lines.map((t) => el("div", { text: t })));
    this.tip.hidden = false;
    const w = this.tip.offsetWidth || 200;
    this.tip.style.left = `${Math.max(4, Math.min(clientX + 14, window.innerWidth - w - 8))}px`;
    this.tip.style.top = `${clientY + 14}px`;
  }
}

export { ELEVATION_LIMITS };
