// The phase picture of the momentum optimizer (Distill's "Why Momentum Really Works", Goh
// 2017): on a quadratic landscape, the heavy ball's rate per step over (learning rate η,
// momentum β), with the stable region, the tuned optimum (α*, β*) and the optimizer's current
// setting. Its toggle is in the Momentum row of the controls; the picture goes under the
// legend on wide screens and in that row on a phone (Controls.layoutRows). A click or the
// arrow keys set Momentum's lr and momentum. Every number comes from gdcore (explore.momentum_rate_grid for the
// grid, the Momentum run's `rate` for the current setting); this file only draws.
import { el, fmt, nice } from "./dom.js";
import { fitCanvas, isDark, star, unpack } from "./draw.js";

/** The grid resolution asked of gdcore (explorer_update's rate_grid). */
export const PHASE_RESOLUTION = 64;
const PAD = { l: 34, t: 6, r: 8, b: 32 };
// viridis, reversed as in the momentum page's heat map (fast: yellow, slow: dark purple)
const VIRIDIS = ["#440154", "#482878", "#3e4989", "#31688e", "#26828e", "#1f9e89", "#35b779", "#6ece58", "#b5de2b", "#fde725"];
const UNSTABLE = { light: "#c4c4c4", dark: "#5a5a5a" }; // rate >= 1: the run does not converge
const KEY_STEPS = { lr: 1 / 40, lrFine: 1 / 200, momentum: 0.05, momentumFine: 0.01 }; // arrows (Shift: finer)

const hex = (h) => [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16));
const STOPS = VIRIDIS.map(hex);

/** The colour of rate r on a scale from `lo` (fastest on the map) to 1. */
function rateColor(r, lo) {
  const t = Math.min(1, Math.max(0, (r - lo) / Math.max(1e-9, 1 - lo))); // 0 fast .. 1 slow
  const x = (1 - t) * (STOPS.length - 1);
  const i = Math.min(Math.floor(x), STOPS.length - 2);
  const f = x - i;
  return STOPS[i].map((c, k) => Math.round(c + (STOPS[i + 1][k] - c) * f));
}

/** A rate grid from gdcore (packed from the worker, plain lists from the build) for drawing. */
export function preparePhaseGrid(g) {
  const rates = g.rates_packed != null ? unpack(g.rates_packed) : Float64Array.from(g.rates);
  let lo = Infinity;
  for (const r of rates) if (r < lo) lo = r;
  return { ...g, rates, rates_packed: undefined, n: g.resolution, lo: Math.min(lo, g.optimum.rate), image: null, imageScheme: null };
}

/** The key of a rate grid: the landscape and the curvature the weight decay adds. */
export const phaseKey = (landscape, weightDecay) => `${landscape}|${weightDecay}`;

export class PhaseView {
  constructor(ex, o) {
    this.ex = ex;
    this.o = o;
    const id = `${ex.id}--phase`;
    this.box = el("input", {
      type: "checkbox", id: `${id}-on`,
      onchange: () => ex.change(() => (ex.state.phase = this.box.checked), o),
    });
    this.toggleRow = el("div", { class: "gd-x-check gd-x-phase-toggle" }, this.box,
      el("label", { for: `${id}-on`, text: "rate map over (η, β)" }));
    this.canvas = el("canvas", {
      class: "gd-x-phase-map", tabindex: "0", role: "img", "aria-describedby": `${id}-help`,
      "aria-label": `${o.class}'s rate per step over learning rate η and momentum β on this quadratic. Click a point, or use the arrow keys, to set ${o.class}'s learning rate and momentum.`,
    });
    this.help = el("p", { class: "gd-x-phase-help", id: `${id}-help`, "aria-live": "polite" });
    this.legend = el("div", { class: "gd-x-phase-legend" });
    this.scale = el("canvas", { class: "gd-x-phase-scale", "aria-hidden": "true" });
    this.scaleLo = el("span", { class: "gd-x-num" });
    this.root = el("figure", { class: "gd-x-phase", id, hidden: true },
      el("div", { class: "gd-x-phase-title", text: `${o.class}: rate per step over learning rate η and momentum β` }),
      this.canvas,
      el("figcaption", {},
        el("div", { class: "gd-x-phase-scalerow" }, el("span", { text: "rate per step (error factor):" }),
          this.scaleLo, this.scale, el("span", { class: "gd-x-num", text: "1" })),
        this.legend),
      this.help);
    this.drawn = null;
    this.bind();
  }

  /** The rate grid for the current landscape and weight decay, or null (not a quadratic, or
   *  not computed yet). */
  grid() {
    const key = this.ex.phaseGridKey();
    return key ? this.ex.rateGrids.get(key) ?? null : null;
  }

  /** Show the toggle on quadratics, the picture when it is on (and say why when it has no grid). */
  sync() {
    const ex = this.ex;
    const quadratic = ex.phaseAvailable();
    this.toggleRow.hidden = !quadratic;
    this.box.checked = ex.state.phase;
    this.root.hidden = !(quadratic && ex.state.phase && this.o.enabled);
    this.draw();
  }

  /** The current setting of the optimizer, and its rate from gdcore when the race has it. */
  current() {
    const v = this.o.values;
    const run = this.ex.race.runs.find((r) => r.optimizer === this.o.class);
    const same = run && run.params?.lr === v.lr && run.params?.momentum === v.momentum && run.params?.weight_decay === v.weight_decay;
    return { lr: v.lr, momentum: v.momentum, rate: same && run.rate != null ? run.rate : null };
  }

  /** The plot transform: log η across, β up. */
  transform(g, width, height) {
    const lo = Math.log10(g.lrs[0]);
    const hi = Math.log10(g.lrs[g.lrs.length - 1]);
    const bTop = g.momenta[g.momenta.length - 1];
    const w = width - PAD.l - PAD.r;
    const h = height - PAD.t - PAD.b;
    return {
      w, h,
      toPx: (lr, b) => [PAD.l + ((Math.log10(lr) - lo) / (hi - lo)) * w, PAD.t + (1 - b / bTop) * h],
      toData: (px, py) => [10 ** (lo + ((px - PAD.l) / w) * (hi - lo)), (1 - (py - PAD.t) / h) * bTop],
      inPlot: (px, py) => px >= PAD.l && px <= PAD.l + w && py >= PAD.t && py <= PAD.t + h,
    };
  }

  draw() {
    const g = this.grid();
    if (this.root.hidden || !g) {
      if (!this.root.hidden) this.legend.textContent = "Computing the rate map…";
      this.drawn = null;
      return;
    }
    const width = Math.floor(this.root.clientWidth || 0);
    if (width < 100) return; // not laid out (a collapsed row)
    const height = Math.round((width - PAD.l - PAD.r) * 0.62) + PAD.t + PAD.b;
    const dark = isDark();
    const cur = this.current();
    const sig = JSON.stringify([g.landscape, g.weight_decay, width, dark, cur, this.o.schedule]);
    if (sig === this.drawn) return;
    this.drawn = sig;
    const ctx = fitCanvas(this.canvas, width, height);
    const T = this.transform(g, width, height);
    this.T = T;
    this.T.grid = g;
    ctx.clearRect(0, 0, width, height);
    this.drawHeat(ctx, g, T, dark);
    this.axes(ctx, g, T, width, height, dark);
    // the tuned optimum: a white star
    const [ox, oy] = T.toPx(g.optimum.lr, g.optimum.momentum);
    star(ctx, ox, oy, 7);
    ctx.fillStyle = "#ffffff";
    ctx.fill();
    ctx.lineWidth = 1.5;
    ctx.strokeStyle = "#111111";
    ctx.stroke();
    // the current setting: a disc in the optimizer's colour (kept inside the plot)
    const [cx0, cy0] = T.toPx(cur.lr, cur.momentum);
    const cx = Math.min(PAD.l + T.w, Math.max(PAD.l, cx0));
    const cy = Math.min(PAD.t + T.h, Math.max(PAD.t, cy0));
    const outside = cx !== cx0 || cy !== cy0;
    ctx.beginPath();
    ctx.arc(cx, cy, 6, 0, 2 * Math.PI);
    ctx.fillStyle = outside ? "rgba(255,255,255,0.4)" : this.o.color[dark ? "dark" : "light"];
    ctx.fill();
    ctx.lineWidth = 2;
    ctx.strokeStyle = "#ffffff";
    ctx.stroke();
    ctx.beginPath();
    ctx.arc(cx, cy, 7.5, 0, 2 * Math.PI);
    ctx.lineWidth = 1.2;
    ctx.strokeStyle = "#111111";
    ctx.stroke();
    this.marker = [cx, cy];
    this.drawScale(g, dark);
    this.renderLegend(g, cur, outside);
    const root = this.ex.root;
    root.dataset.phasePoint = `${cur.lr},${cur.momentum}`;
    root.dataset.phaseMarker = `${cx},${cy}`;
    root.dataset.phaseRate = cur.rate == null ? "" : String(cur.rate);
  }

  /** The heat map (one image pixel per grid point, centred on it), the diverging side in
   *  grey and the stability edge lr = 2(1 + β)/L between them. */
  drawHeat(ctx, g, T, dark) {
    const img = this.image(g, dark);
    const dx = T.w / (g.n - 1);
    const dy = T.h / (g.n - 1);
    ctx.save();
    ctx.beginPath();
    ctx.rect(PAD.l, PAD.t, T.w, T.h);
    ctx.clip();
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(img, PAD.l - dx / 2, PAD.t - dy / 2, T.w + dx, T.h + dy);
    // the stability edge lr = 2(1 + β)/L: beyond it (rate >= 1) the run diverges, grey
    const edge = new Path2D();
    g.edge.forEach((lr, j) => {
      const [x, y] = T.toPx(lr, g.momenta[j]);
      if (j) edge.lineTo(x, y);
      else edge.moveTo(x, y);
    });
    const beyond = new Path2D(edge);
    beyond.lineTo(PAD.l + T.w + dx, PAD.t - dy);
    beyond.lineTo(PAD.l + T.w + dx, PAD.t + T.h + dy);
    beyond.closePath();
    ctx.fillStyle = UNSTABLE[dark ? "dark" : "light"];
    ctx.fill(beyond);
    ctx.beginPath();
    ctx.lineWidth = 4;
    ctx.strokeStyle = dark ? "#000000" : "#ffffff";
    ctx.stroke(edge);
    ctx.lineWidth = 1.8;
    ctx.strokeStyle = dark ? "#ffffff" : "#000000";
    ctx.stroke(edge);
    ctx.restore();
  }

  image(g, dark) {
    if (g.image && g.imageScheme === dark) return g.image;
    const c = document.createElement("canvas");
    c.width = g.n;
    c.height = g.n;
    const ctx = c.getContext("2d");
    const img = ctx.createImageData(g.n, g.n);
    const slowest = rateColor(1, g.lo); // under the grey of the diverging side (drawn over it)
    for (let j = 0; j < g.n; j++) {
      const row = g.n - 1 - j; // image rows go down, β goes up
      for (let i = 0; i < g.n; i++) {
        const r = g.rates[j * g.n + i];
        const col = r < 1 ? rateColor(r, g.lo) : slowest;
        const k = 4 * (row * g.n + i);
        img.data.set([col[0], col[1], col[2], 255], k);
      }
    }
    ctx.putImageData(img, 0, 0);
    g.image = c;
    g.imageScheme = dark;
    return c;
  }

  axes(ctx, g, T, width, height, dark) {
    const fg = dark ? "#d8d8d8" : "#333333";
    ctx.save();
    ctx.fillStyle = fg;
    ctx.strokeStyle = dark ? "rgba(255,255,255,0.45)" : "rgba(0,0,0,0.45)";
    ctx.lineWidth = 1;
    ctx.font = "10px system-ui, sans-serif";
    ctx.strokeRect(PAD.l + 0.5, PAD.t + 0.5, T.w - 1, T.h - 1);
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    const bottom = PAD.t + T.h;
    for (const lr of logTicks(g.lrs[0], g.lrs[g.lrs.length - 1], T.w)) {
      const [x] = T.toPx(lr.value, 0);
      ctx.beginPath();
      ctx.moveTo(x, bottom);
      ctx.lineTo(x, bottom + (lr.major ? 4 : 2));
      ctx.stroke();
      if (lr.label) ctx.fillText(lr.label, x, bottom + 5);
    }
    ctx.fillText("learning rate η (log scale)", PAD.l + T.w / 2, bottom + 18);
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    for (const b of [0, 0.2, 0.4, 0.6, 0.8]) {
      const [, y] = T.toPx(g.lrs[0], b);
      ctx.beginPath();
      ctx.moveTo(PAD.l - 3, y);
      ctx.lineTo(PAD.l, y);
      ctx.stroke();
      ctx.fillText(String(b), PAD.l - 5, y);
    }
    ctx.translate(9, PAD.t + T.h / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.textAlign = "center";
    ctx.fillText("momentum β", 0, 0);
    ctx.restore();
  }

  drawScale(g, dark) {
    const w = 90;
    const h = 10;
    const ctx = fitCanvas(this.scale, w, h);
    for (let x = 0; x < w; x++) {
      const c = rateColor(g.lo + (x / (w - 1)) * (1 - g.lo), g.lo);
      ctx.fillStyle = `rgb(${c.join(",")})`;
      ctx.fillRect(x, 0, 1, h);
    }
    ctx.strokeStyle = dark ? "rgba(255,255,255,0.5)" : "rgba(0,0,0,0.4)";
    ctx.strokeRect(0.5, 0.5, w - 1, h - 1);
    this.scaleLo.textContent = fmt(g.lo, 2);
  }

  renderLegend(g, cur, outside) {
    const opt = g.optimum;
    const name = this.o.class;
    const now = `${name} now: η = ${fmt(cur.lr, 3)}, β = ${fmt(cur.momentum, 2)}, rate ${cur.rate == null ? "…" : fmt(cur.rate, 3)}`;
    const notes = [
      cur.rate != null && cur.rate >= 1 ? "it diverges" : null,
      outside ? "off this map (drawn at its edge)" : null,
      this.o.schedule !== "constant" ? "the schedule then changes η during the run" : null,
    ].filter(Boolean);
    this.legend.replaceChildren(
      el("div", { class: "gd-x-phase-item" }, el("span", { class: "gd-x-phase-key gd-x-phase-key-now", "aria-hidden": "true" }),
        el("span", { text: `${now}${notes.length ? `; ${notes.join("; ")}` : ""}` })),
      el("div", { class: "gd-x-phase-item" }, el("span", { class: "gd-x-phase-key gd-x-phase-key-star", "aria-hidden": "true", text: "★" }),
        el("span", { text: `tuned α* = ${fmt(opt.lr, 3)}, β* = ${fmt(opt.momentum, 2)}: rate ${fmt(opt.rate, 3)}, the lowest` })),
      el("div", { class: "gd-x-phase-item" }, el("span", { class: "gd-x-phase-key gd-x-phase-key-edge", "aria-hidden": "true" }),
        el("span", { text: `edge η = 2(1 + β)/L (L = ${fmt(g.L, 4)}); grey beyond it: diverges` })),
    );
    this.legend.querySelector(".gd-x-phase-key-now").style.background = this.o.color[isDark() ? "dark" : "light"];
  }

  /** Set the optimizer's lr and momentum (rounded as its sliders would show them). */
  set(lr, momentum) {
    const ps = this.o.params;
    const l = Math.min(ps.lr.max, Math.max(ps.lr.min, nice(lr)));
    const m = Math.min(ps.momentum.max, Math.max(ps.momentum.min, Math.round(momentum * 100) / 100));
    this.help.textContent = `Set η = ${fmt(l, 3)}, β = ${fmt(m, 2)}.`;
    this.ex.setPhasePoint(this.o, l, m);
  }

  bind() {
    const c = this.canvas;
    const pos = (e) => {
      const r = c.getBoundingClientRect();
      return [e.clientX - r.left, e.clientY - r.top];
    };
    c.addEventListener("click", (e) => {
      const [px, py] = pos(e);
      if (this.T?.inPlot(px, py)) this.set(...this.T.toData(px, py));
    });
    c.addEventListener("mousemove", (e) => {
      const [px, py] = pos(e);
      if (!this.T?.inPlot(px, py)) return;
      const [lr, b] = this.T.toData(px, py);
      const g = this.T.grid;
      const i = Math.round(((Math.log10(lr) - Math.log10(g.lrs[0])) / (Math.log10(g.lrs[g.n - 1]) - Math.log10(g.lrs[0]))) * (g.n - 1));
      const j = Math.round((b / g.momenta[g.n - 1]) * (g.n - 1));
      const r = g.rates[j * g.n + i];
      this.help.textContent = `η ≈ ${fmt(lr, 2)}, β ≈ ${fmt(b, 2)}: rate ${fmt(r, 3)}${r < 1 ? "" : " (diverges)"}. Click to race ${this.o.class} there.`;
    });
    c.addEventListener("keydown", (e) => {
      const g = this.T?.grid;
      if (!g) return;
      const span = Math.log10(g.lrs[g.n - 1] / g.lrs[0]);
      const dl = 10 ** (span * (e.shiftKey ? KEY_STEPS.lrFine : KEY_STEPS.lr));
      const db = e.shiftKey ? KEY_STEPS.momentumFine : KEY_STEPS.momentum;
      const { lr, momentum } = this.o.values;
      const moves = { ArrowLeft: [lr / dl, momentum], ArrowRight: [lr * dl, momentum], ArrowUp: [lr, momentum + db], ArrowDown: [lr, momentum - db] };
      if (!(e.key in moves)) return;
      e.preventDefault();
      this.set(...moves[e.key]);
    });
  }
}

/** Ticks of a log axis from lo to hi: 1, 2 and 5 times the powers of ten, labelled as room allows. */
function logTicks(lo, hi, widthPx) {
  const out = [];
  const decades = Math.log10(hi / lo);
  const mults = widthPx / decades > 160 ? [1, 2, 5] : [1];
  for (let p = Math.floor(Math.log10(lo)); p <= Math.ceil(Math.log10(hi)); p++) {
    for (const m of [1, 2, 3, 4, 5, 6, 7, 8, 9]) {
      const v = m * 10 ** p;
      if (v < lo * (1 - 1e-9) || v > hi * (1 + 1e-9)) continue;
      const labelled = mults.includes(m);
      out.push({ value: v, major: m === 1, label: labelled ? String(Number(v.toPrecision(3))) : null });
    }
  }
  return out;
}
