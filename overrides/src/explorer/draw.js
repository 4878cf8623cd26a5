// Drawing for the explorer: the contour map (filled bands + contour lines from the grid that
// gdcore computed), the optimizers' paths, minima, start point and keyboard crosshair, and
// the loss-versus-iteration plot on a log axis. Pure drawing: every number comes from Python
// (gdcore.explore); marching squares here only traces the level lines through grid values.


export const RAMPS = {
  light: ["#fbfcfe", "#e4ebf4", "#c8d6e9", "#a6bedb", "#86a5cb", "#6a8cb8"],
  dark: ["#151922", "#1d2431", "#273246", "#33425e", "#415479", "#506896"],
};

export const isDark = () => document.body?.getAttribute("data-md-color-scheme") === "slate";

function hexToRgb(hex) {
  const n = parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

export function rampColor(ramp, t) {
  const stops = ramp.map(hexToRgb);
  const x = Math.min(Math.max(t, 0), 1) * (stops.length - 1);
  const i = Math.min(Math.floor(x), stops.length - 2);
  const f = x - i;
  return stops[i].map((c, k) => Math.round(c + (stops[i + 1][k] - c) * f));
}

/** Index of the band of value z among increasing levels (0 .. levels.length). */
function band(levels, z) {
  let lo = 0;
  let hi = levels.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (levels[mid] < z) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Marching squares: level-line segments in grid coordinates (gx in [0, nx-1]). */
function traceLevel(z, nx, ny, level) {
  const segs = [];
  const lerp = (a, b) => (level - a) / (b - a);
  for (let j = 0; j < ny - 1; j++) {
    for (let i = 0; i < nx - 1; i++) {
      const a = z[j * nx + i]; // (i, j)
      const b = z[j * nx + i + 1]; // (i+1, j)
      const c = z[(j + 1) * nx + i + 1]; // (i+1, j+1)
      const d = z[(j + 1) * nx + i]; // (i, j+1)
      if (!(Number.isFinite(a) && Number.isFinite(b) && Number.isFinite(c) && Number.isFinite(d))) continue;
      const A = a > level;
      const B = b > level;
      const C = c > level;
      const D = d > level;
      if (A === B && B === C && C === D) continue;
      const pts = [];
      if (A !== B) pts.push(i + lerp(a, b), j); // bottom edge
      if (B !== C) pts.push(i + 1, j + lerp(b, c)); // right edge
      if (C !== D) pts.push(i + lerp(d, c), j + 1); // top edge
      if (D !== A) pts.push(i, j + lerp(a, d)); // left edge
      if (pts.length === 4) {
        segs.push(pts[0], pts[1], pts[2], pts[3]);
      } else if (pts.length === 8) {
        // saddle (A === C !== B === D): pair the edges around the corners unlike the centre
        const centre = (a + b + c + d) / 4 > level;
        if (centre === A) segs.push(pts[0], pts[1], pts[2], pts[3], pts[4], pts[5], pts[6], pts[7]);
        else segs.push(pts[0], pts[1], pts[6], pts[7], pts[2], pts[3], pts[4], pts[5]);
      }
    }
  }
  return new Float32Array(segs);
}

/** Grid from Python (lists with null for non-finite) -> typed, with traced level lines. */
/** base64 of little-endian float64 values (gdcore.explore's packed arrays) -> Float64Array. */
export function unpack(b64) {
  const bin = atob(b64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return new Float64Array(bytes.buffer);
}

export function prepareGrid(grid) {
  // z_packed: from the worker (explorer_update); z: a JSON list, from the build
  const z = grid.z_packed != null ? unpack(grid.z_packed) : Float64Array.from(grid.z, (v) => (v == null ? NaN : v));
  const lines = grid.levels.map((level) => traceLevel(z, grid.nx, grid.ny, level));
  return { ...grid, z, lines, image: null, imageScheme: null };
}

function gridImage(grid, dark) {
  if (grid.image && grid.imageScheme === dark) return grid.image;
  const { nx, ny, z, levels } = grid;
  const canvas = document.createElement("canvas");
  canvas.width = nx;
  canvas.height = ny;
  const ctx = canvas.getContext("2d");
  const img = ctx.createImageData(nx, ny);
  const ramp = dark ? RAMPS.dark : RAMPS.light;
  const colors = [];
  for (let b = 0; b <= levels.length; b++) colors.push(rampColor(ramp, b / levels.length));
  for (let j = 0; j < ny; j++) {
    const row = ny - 1 - j; // image rows go down, y goes up
    for (let i = 0; i < nx; i++) {
      const v = z[j * nx + i];
      const col = Number.isFinite(v) ? colors[band(levels, v)] : colors[levels.length];
      const k = 4 * (row * nx + i);
      img.data[k] = col[0];
      img.data[k + 1] = col[1];
      img.data[k + 2] = col[2];
      img.data[k + 3] = 255;
    }
  }
  ctx.putImageData(img, 0, 0);
  grid.image = canvas;
  grid.imageScheme = dark;
  return canvas;
}

/** Size a canvas's backing store to its CSS box times devicePixelRatio; returns the 2-D context. */
export function fitCanvas(canvas, cssWidth, cssHeight) {
  const dpr = window.devicePixelRatio || 1;
  const w = Math.max(1, Math.round(cssWidth * dpr));
  const h = Math.max(1, Math.round(cssHeight * dpr));
  if (canvas.width !== w || canvas.height !== h) {
    canvas.width = w;
    canvas.height = h;
  }
  canvas.style.width = `${cssWidth}px`;
  canvas.style.height = `${cssHeight}px`;
  const ctx = canvas.getContext("2d");
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  return ctx;
}

/** Map from data coordinates to CSS pixels of the map canvas and back; `pad` is the margin
 *  around the plot area (for the axes' ticks). */
export function mapTransform(domain, width, height, pad = { l: 0, t: 0, r: 0, b: 0 }) {
  const [[xmin, xmax], [ymin, ymax]] = domain;
  const pw = Math.max(1, width - pad.l - pad.r);
  const ph = Math.max(1, height - pad.t - pad.b);
  return {
    width,
    height,
    plot: { left: pad.l, top: pad.t, width: pw, height: ph },
    toPx: (x, y) => [pad.l + ((x - xmin) / (xmax - xmin)) * pw, pad.t + ((ymax - y) / (ymax - ymin)) * ph],
    toData: (px, py) => [xmin + ((px - pad.l) / pw) * (xmax - xmin), ymax - ((py - pad.t) / ph) * (ymax - ymin)],
    inPlot: (px, py) => px >= pad.l && px <= pad.l + pw && py >= pad.t && py <= pad.t + ph,
    pixel: [(xmax - xmin) / pw, (ymax - ymin) / ph],
  };
}

/** The map's margins: room for the y tick labels on the left and the x labels below. */
export const MAP_PAD = { l: 38, t: 6, r: 8, b: 22 };

/** About `count` round tick values in [lo, hi] (1, 2 or 5 times a power of ten apart). */
export function niceTicks(lo, hi, count = 5) {
  const raw = (hi - lo) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out = [];
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + 1e-9 * step; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

// Every optimizer's colour comes from gdcore (explorer_catalog, the same as gd.plot's); a run
// of an optimizer gdcore does not know gets this grey.
export const FALLBACK_COLOR = "#777777";

/** Relative luminance of "#rrggbb" (0 black .. 1 white). */
export function luminance(hex) {
  const [r, g, b] = hexToRgb(hex).map((c) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/**
 * The visible part of a path, in CSS pixels, up to step `upto`: for a diverged run the path
 * stops where it leaves the view (the exit point on the border); others are drawn in full,
 * clamped far outside so that huge coordinates never reach the canvas.
 */
export function visiblePath(run, T, upto, stopAtExit) {
  const xs = run.xs;
  const n = Math.min(upto, run.n);
  const pts = [];
  let exit = null;
  const W = T.width;
  const H = T.height;
  const inside = (p) => p[0] >= -1 && p[0] <= W + 1 && p[1] >= -1 && p[1] <= H + 1;
  const clamp = (p) => [Math.min(Math.max(p[0], -10 * W), 11 * W), Math.min(Math.max(p[1], -10 * H), 11 * H)];
  for (let k = 0; k <= n; k++) {
    const x = xs[2 * k];
    const y = xs[2 * k + 1];
    if (!Number.isFinite(x) || !Number.isFinite(y)) {
      if (pts.length) exit = pts[pts.length - 1];
      break;
    }
    const p = T.toPx(x, y);
    if (stopAtExit && !inside(p)) {
      if (pts.length) {
        const a = pts[pts.length - 1];
        exit = borderPoint(a, p, W, H);
        pts.push(exit);
      }
      break;
    }
    pts.push(clamp(p));
  }
  return { pts, exit };
}

/** Where the segment from a (inside) towards b (outside) crosses the view's border. */
function borderPoint(a, b, W, H) {
  let t = 1;
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  if (dx > 0) t = Math.min(t, (W - a[0]) / dx);
  if (dx < 0) t = Math.min(t, (0 - a[0]) / dx);
  if (dy > 0) t = Math.min(t, (H - a[1]) / dy);
  if (dy < 0) t = Math.min(t, (0 - a[1]) / dy);
  t = Math.max(0, t);
  return [a[0] + t * dx, a[1] + t * dy];
}

/** A five-pointed star path (not filled or stroked) centred at (x, y), outer radius r. */
export function star(ctx, x, y, r) {
  ctx.beginPath();
  for (let k = 0; k < 10; k++) {
    const rr = k % 2 ? r * 0.45 : r;
    const ang = -Math.PI / 2 + (k * Math.PI) / 5;
    ctx.lineTo(x + rr * Math.cos(ang), y + rr * Math.sin(ang));
  }
  ctx.closePath();
}

// Markers and path strokes shared by the map and the 3-D view (screen coordinates).

/** A known minimum: a white star. */
export function drawMinimum(ctx, x, y) {
  star(ctx, x, y, 8);
  ctx.fillStyle = "#ffffff";
  ctx.fill();
  ctx.lineWidth = 1.5;
  ctx.strokeStyle = "#111111";
  ctx.stroke();
}

/** The start point: a white disc. */
export function drawStart(ctx, x, y) {
  ctx.beginPath();
  ctx.arc(x, y, 6, 0, 2 * Math.PI);
  ctx.fillStyle = "#ffffff";
  ctx.fill();
  ctx.lineWidth = 2;
  ctx.strokeStyle = "#111111";
  ctx.stroke();
}

/** A run's path (a Path2D): a dark (or, for dark colours, light) halo under its colour. */
export function strokeRunPath(ctx, path, run) {
  ctx.setLineDash([]);
  ctx.lineWidth = 4.5;
  ctx.strokeStyle = luminance(run.color) < 0.08 ? "rgba(255,255,255,0.85)" : "rgba(0,0,0,0.55)";
  ctx.stroke(path);
  ctx.setLineDash(run.dash);
  ctx.lineWidth = 2.4;
  ctx.strokeStyle = run.color;
  ctx.stroke(path);
  ctx.setLineDash([]);
}

/** Where a run's drawn path ends: a dot, or a cross where a diverging path leaves the view. */
export function drawRunEnd(ctx, x, y, run, exit) {
  ctx.beginPath();
  if (exit) {
    ctx.lineWidth = 2.5;
    ctx.strokeStyle = run.color;
    ctx.moveTo(x - 6, y - 6);
    ctx.lineTo(x + 6, y + 6);
    ctx.moveTo(x + 6, y - 6);
    ctx.lineTo(x - 6, y + 6);
    ctx.stroke();
    return;
  }
  ctx.arc(x, y, 4, 0, 2 * Math.PI);
  ctx.fillStyle = run.color;
  ctx.fill();
  ctx.lineWidth = 1.2;
  ctx.strokeStyle = "#111";
  ctx.stroke();
}

/** The axes around the plot area: ticks and their labels, x below and y on the left. */
function drawAxes(ctx, T, domain, dark) {
  const [[xmin, xmax], [ymin, ymax]] = domain;
  const { left, top, width, height } = T.plot;
  ctx.save();
  ctx.fillStyle = dark ? "#d8d8d8" : "#333333";
  ctx.strokeStyle = dark ? "rgba(255,255,255,0.45)" : "rgba(0,0,0,0.45)";
  ctx.lineWidth = 1;
  ctx.font = "10px system-ui, sans-serif";
  ctx.strokeRect(left + 0.5, top + 0.5, width - 1, height - 1);
  ctx.textAlign = "center";
  ctx.textBaseline = "top";
  for (const x of niceTicks(xmin, xmax, Math.max(2, Math.floor(width / 70)))) {
    const [px] = T.toPx(x, ymin);
    ctx.beginPath();
    ctx.moveTo(px, top + height);
    ctx.lineTo(px, top + height + 4);
    ctx.stroke();
    ctx.fillText(String(x), px, top + height + 6);
  }
  ctx.textAlign = "right";
  ctx.textBaseline = "middle";
  for (const y of niceTicks(ymin, ymax, Math.max(2, Math.floor(height / 50)))) {
    const [, py] = T.toPx(xmin, y);
    ctx.beginPath();
    ctx.moveTo(left - 4, py);
    ctx.lineTo(left, py);
    ctx.stroke();
    ctx.fillText(String(y), left - 6, py);
  }
  ctx.restore();
}

/** An arrow from (x0, y0) to (x1, y1) in CSS pixels, with its head. */
export function arrow(ctx, x0, y0, x1, y1, style) {
  const len = Math.hypot(x1 - x0, y1 - y0);
  if (!(len > 0.5)) return;
  const head = Math.min(9, len * 0.45);
  const ang = Math.atan2(y1 - y0, x1 - x0);
  ctx.save();
  ctx.strokeStyle = style.color;
  ctx.fillStyle = style.color;
  ctx.lineWidth = style.width ?? 2;
  ctx.setLineDash(style.dash ?? []);
  ctx.beginPath();
  ctx.moveTo(x0, y0);
  ctx.lineTo(x1 - Math.cos(ang) * head * 0.6, y1 - Math.sin(ang) * head * 0.6);
  ctx.stroke();
  ctx.setLineDash([]);
  ctx.beginPath();
  ctx.moveTo(x1, y1);
  ctx.lineTo(x1 - head * Math.cos(ang - 0.45), y1 - head * Math.sin(ang - 0.45));
  ctx.lineTo(x1 - head * Math.cos(ang + 0.45), y1 - head * Math.sin(ang + 0.45));
  ctx.closePath();
  ctx.fill();
  ctx.restore();
}

function drawContours(ctx, grid, T, dark) {
  const { left, top, width, height } = T.plot;
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(gridImage(grid, dark), left, top, width, height);
  ctx.lineWidth = 0.8;
  ctx.strokeStyle = dark ? "rgba(255,255,255,0.16)" : "rgba(20,30,60,0.2)";
  ctx.beginPath();
  const sx = width / (grid.nx - 1);
  const sy = height / (grid.ny - 1);
  for (const segs of grid.lines) {
    for (let k = 0; k < segs.length; k += 4) {
      ctx.moveTo(left + segs[k] * sx, top + height - segs[k + 1] * sy);
      ctx.lineTo(left + segs[k + 2] * sx, top + height - segs[k + 3] * sy);
    }
  }
  ctx.stroke();
}

function drawPaths(ctx, state, T) {
  const drawn = [];
  state.runs.forEach((run, r) => {
    const { pts, exit } = visiblePath(run, T, state.upto, run.status === "diverged");
    drawn.push(pts);
    if (!pts.length) return;
    ctx.save();
    if (state.isolate != null && state.isolate !== r) ctx.globalAlpha = 0.15;
    ctx.lineJoin = "round";
    ctx.lineCap = "round";
    const path = new Path2D();
    pts.forEach(([x, y], k) => (k ? path.lineTo(x, y) : path.moveTo(x, y)));
    strokeRunPath(ctx, path, run);
    drawRunEnd(ctx, ...pts[pts.length - 1], run, exit);
    ctx.restore();
  });
  return drawn;
}

function drawCrosshair(ctx, T, [x, y], dark) {
  const [cx, cy] = T.toPx(x, y);
  const { left, top, width, height } = T.plot;
  ctx.save();
  ctx.strokeStyle = dark ? "#ffffff" : "#000000";
  ctx.lineWidth = 1.5;
  ctx.setLineDash([4, 3]);
  ctx.beginPath();
  ctx.moveTo(cx, top);
  ctx.lineTo(cx, top + height);
  ctx.moveTo(left, cy);
  ctx.lineTo(left + width, cy);
  ctx.stroke();
  ctx.setLineDash([]);
  ctx.beginPath();
  ctx.arc(cx, cy, 9, 0, 2 * Math.PI);
  ctx.stroke();
  ctx.restore();
}

/**
 * Draw the whole map. state: {grid, runs, start, upto, crosshair, hover, isolate (a run index
 * or null), arrows ([{from: [x, y], vec: [dx, dy], style}] in data units)}.
 */
export function drawMap(canvas, width, height, state) {
  const ctx = fitCanvas(canvas, width, height);
  const dark = isDark();
  const { grid } = state;
  const T = mapTransform(grid.domain, width, height, MAP_PAD);
  ctx.clearRect(0, 0, width, height);
  drawContours(ctx, grid, T, dark);
  drawAxes(ctx, T, grid.domain, dark);
  ctx.save();
  ctx.beginPath();
  ctx.rect(T.plot.left, T.plot.top, T.plot.width, T.plot.height);
  ctx.clip();
  for (const [mx, my] of grid.minima) drawMinimum(ctx, ...T.toPx(mx, my));
  const drawn = drawPaths(ctx, state, T);
  drawStart(ctx, ...T.toPx(state.start[0], state.start[1]));
  for (const a of state.arrows ?? []) {
    const [x0, y0] = T.toPx(a.from[0], a.from[1]);
    const [x1, y1] = T.toPx(a.from[0] + a.vec[0], a.from[1] + a.vec[1]);
    arrow(ctx, x0, y0, x1, y1, a.style);
  }
  if (state.hover) {
    ctx.beginPath();
    ctx.arc(state.hover.px, state.hover.py, 6, 0, 2 * Math.PI);
    ctx.lineWidth = 2;
    ctx.strokeStyle = dark ? "#fff" : "#000";
    ctx.stroke();
  }
  ctx.restore();
  if (state.crosshair) drawCrosshair(ctx, T, state.crosshair, dark);
  return { T, drawn };
}

function fmtTick(e) {
  return e === 0 ? "1" : `1e${e}`;
}

/** The values the loss plot shows for a run: loss − f* when f* is known, else the loss. */
export function plotted(run, fmin) {
  const out = new Float64Array(run.n + 1);
  for (let k = 0; k <= run.n; k++) out[k] = fmin == null ? run.losses[k] : run.losses[k] - fmin;
  return out;
}

/** The decades the loss plot spans: [e0, e1] with 10^e0 <= every positive value <= 10^e1. */
function lossDecades(series, runs) {
  let lo = Infinity;
  let hi = -Infinity;
  series.forEach((v, r) => {
    const diverged = runs[r].status === "diverged";
    for (let k = 0; k < v.length; k++) {
      const y = v[k];
      if (!(y > 0) || !Number.isFinite(y)) continue;
      lo = Math.min(lo, y);
      if (!diverged || k === 0) hi = Math.max(hi, y);
    }
  });
  if (!Number.isFinite(lo)) {
    lo = 1e-3;
    hi = 1;
  }
  let e0 = Math.floor(Math.log10(Math.max(lo, 1e-300)));
  let e1 = Math.ceil(Math.log10(Math.max(hi, lo)));
  e0 = Math.max(e0, e1 - 40);
  if (e1 <= e0) e1 = e0 + 1;
  return [e0, e1];
}

/** The loss plot's axes: decade grid and labels, step ticks, the axis titles. */
function drawLossAxes(ctx, g, decades, fmin, fg, faint) {
  const { pad, pw, ph, X, Y, steps } = g;
  ctx.fillStyle = fg;
  ctx.strokeStyle = faint;
  ctx.lineWidth = 1;
  ctx.textAlign = "right";
  ctx.textBaseline = "middle";
  for (const e of decades) {
    const y = Y(10 ** e);
    ctx.beginPath();
    ctx.moveTo(pad.l, y);
    ctx.lineTo(pad.l + pw, y);
    ctx.stroke();
    ctx.fillText(fmtTick(e), pad.l - 4, y);
  }
  ctx.textAlign = "center";
  ctx.textBaseline = "top";
  const xticks = 5;
  for (let i = 0; i <= xticks; i++) {
    const k = Math.round((i / xticks) * steps);
    ctx.fillText(String(k), X(k), pad.t + ph + 4);
  }
  ctx.fillText("step", pad.l + pw / 2, pad.t + ph + 16);
  ctx.save();
  ctx.translate(9, pad.t + ph / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.textBaseline = "middle";
  ctx.fillText(fmin == null ? "loss (log)" : "loss − min (log)", 0, 0);
  ctx.restore();
  ctx.strokeStyle = fg;
  ctx.strokeRect(pad.l, pad.t, pw, ph);
}

/** One run's loss curve up to step `upto` (off the top where it stops being finite). */
function drawLossSeries(ctx, g, v, run, upto) {
  const { pad, X, Y, e0 } = g;
  const n = Math.min(upto, run.n);
  ctx.beginPath();
  let started = false;
  for (let k = 0; k <= n; k++) {
    const y = v[k];
    if (!Number.isFinite(y)) {
      if (started) ctx.lineTo(X(k), pad.t - 5);
      break;
    }
    const py = y > 0 ? Math.max(Y(y), pad.t - 5) : Y(10 ** (e0 - 1));
    if (started) ctx.lineTo(X(k), py);
    else ctx.moveTo(X(k), py);
    started = true;
  }
  ctx.setLineDash(run.dash);
  ctx.lineWidth = 2;
  ctx.strokeStyle = run.color;
  ctx.stroke();
  ctx.setLineDash([]);
}

function stepLine(ctx, g, k, color) {
  ctx.strokeStyle = color;
  ctx.beginPath();
  ctx.moveTo(g.X(k), g.pad.t);
  ctx.lineTo(g.X(k), g.pad.t + g.ph);
  ctx.stroke();
}

/**
 * Loss-versus-iteration plot, log y axis. state: {runs, steps, fmin, upto, hoverStep,
 * isolate, current}. Returns the plot geometry for hover lookups.
 */
export function drawLoss(canvas, width, height, state) {
  const ctx = fitCanvas(canvas, width, height);
  const dark = isDark();
  const fg = dark ? "#e6e6e6" : "#222222";
  const faint = dark ? "rgba(255,255,255,0.12)" : "rgba(0,0,0,0.1)";
  ctx.clearRect(0, 0, width, height);
  const pad = { l: 46, r: 10, t: 10, b: 30 };
  const ph = Math.max(10, height - pad.t - pad.b);
  const steps = Math.max(1, state.steps);
  const series = state.runs.map((run) => plotted(run, state.fmin));
  const [e0, e1] = lossDecades(series, state.runs);
  // Decade labels, every `every` decades; the left margin fits the widest one plus the
  // rotated axis label (so they never overlap).
  ctx.font = "11px system-ui, sans-serif";
  const every = Math.max(1, Math.ceil((e1 - e0) / Math.max(2, Math.floor(ph / 22))));
  const decades = [];
  for (let e = e0; e <= e1; e += every) decades.push(e);
  pad.l = Math.ceil(22 + Math.max(...decades.map((e) => ctx.measureText(fmtTick(e)).width)) + 4);
  const pw = Math.max(10, width - pad.l - pad.r);
  const g = {
    pad, pw, ph, steps, e0,
    X: (k) => pad.l + (k / steps) * pw,
    Y: (v) => pad.t + ((e1 - Math.log10(Math.max(v, 10 ** (e0 - 1)))) / (e1 - e0)) * ph,
  };
  drawLossAxes(ctx, g, decades, state.fmin, fg, faint);
  ctx.save();
  ctx.beginPath();
  ctx.rect(pad.l, pad.t, pw, ph);
  ctx.clip();
  series.forEach((v, r) => {
    ctx.globalAlpha = state.isolate != null && state.isolate !== r ? 0.15 : 1;
    drawLossSeries(ctx, g, v, state.runs[r], state.upto);
  });
  ctx.globalAlpha = 1;
  if (state.current != null) stepLine(ctx, g, state.current, dark ? "rgba(255,255,255,0.5)" : "rgba(0,0,0,0.45)");
  if (state.hoverStep != null) stepLine(ctx, g, state.hoverStep, fg);
  ctx.restore();
  return {
    stepAt: (px) => Math.round(((px - pad.l) / pw) * steps),
    inPlot: (px, py) => px >= pad.l && px <= pad.l + pw && py >= pad.t && py <= pad.t + ph,
  };
}
