// Pointer and keyboard on the explorer's canvases: the map (click or crosshair + Enter sets
// the start; hovering a path shows that step), the 3-D view (drag or arrows rotate it) and
// the loss plot (hovering shows every run at that step).
import { fmt } from "./dom.js";
import { ELEVATION_LIMITS } from "./surface.js";

const HOVER_RADIUS2 = 100; // squared CSS pixels: how near a path point must be to the pointer

export function bindMap(ex) {
  const c = ex.views.mapCanvas;
  const pos = (e) => {
    const r = c.getBoundingClientRect();
    return [e.clientX - r.left, e.clientY - r.top];
  };
  c.addEventListener("click", (e) => {
    const [px, py] = pos(e);
    if (ex.T?.inPlot(px, py)) ex.setStart(ex.T.toData(px, py));
  });
  c.addEventListener("mousemove", (e) => hoverMap(ex, ...pos(e), e));
  c.addEventListener("mouseleave", () => ex.clearHover());
  c.addEventListener("focus", () => {
    ex.crosshair = ex.crosshair ?? [...ex.state.start];
    announceCrosshair(ex);
    ex.draw();
  });
  c.addEventListener("blur", () => {
    ex.crosshair = null;
    ex.draw();
  });
  c.addEventListener("keydown", (e) => mapKey(ex, e));
}

function mapKey(ex, e) {
  if (!ex.crosshair) ex.crosshair = [...ex.state.start];
  const [[xmin, xmax], [ymin, ymax]] = ex.grid.domain;
  const f = e.shiftKey ? 0.005 : 0.025;
  const dx = (xmax - xmin) * f;
  const dy = (ymax - ymin) * f;
  const moves = { ArrowLeft: [-dx, 0], ArrowRight: [dx, 0], ArrowUp: [0, dy], ArrowDown: [0, -dy] };
  if (e.key in moves) {
    e.preventDefault();
    const [mx, my] = moves[e.key];
    ex.crosshair = [
      Math.min(xmax, Math.max(xmin, ex.crosshair[0] + mx)),
      Math.min(ymax, Math.max(ymin, ex.crosshair[1] + my)),
    ];
    announceCrosshair(ex);
    ex.draw();
  } else if (e.key === "Enter" || e.key === " ") {
    e.preventDefault();
    ex.setStart(ex.crosshair);
  } else if (e.key === "Escape") {
    ex.crosshair = [...ex.state.start];
    ex.draw();
  }
}

function announceCrosshair(ex) {
  const [x, y] = ex.crosshair;
  ex.views.mapHelp.textContent = `Crosshair at (${fmt(x, 3)}, ${fmt(y, 3)}): Enter starts the optimizers here; arrows move it (Shift: finer).`;
}

function hoverMap(ex, px, py, e) {
  let best = null;
  ex.drawn?.forEach((pts, r) => {
    pts.forEach(([x, y], k) => {
      const d = (x - px) ** 2 + (y - py) ** 2;
      if (d <= HOVER_RADIUS2 && (!best || d < best.d)) best = { d, r, k, px: x, py: y };
    });
  });
  if (!best) return ex.clearHover();
  const run = ex.race.runs[best.r];
  const k = Math.min(best.k, run.n);
  ex.hover = { px: best.px, py: best.py };
  ex.views.showTip([
    `${run.label} · step ${k}`,
    `(x, y) = (${fmt(run.xs[2 * k])}, ${fmt(run.xs[2 * k + 1])})`,
    `loss = ${fmt(run.losses[k])}`,
    `|∇f| = ${fmt(run.gnorms[k])}`,
  ], e.clientX, e.clientY);
  ex.draw();
}

/** The 3-D view: drag (mouse, pen or touch) or arrow keys rotate it; clicks do nothing else. */
export function bindSurface(ex) {
  const c = ex.views.surfaceCanvas;
  const [elMin, elMax] = ELEVATION_LIMITS;
  const turn = (azimuth, elevation) => {
    ex.azimuth = ((azimuth % 360) + 540) % 360 - 180;
    ex.elevation = Math.min(elMax, Math.max(elMin, elevation));
    ex.draw();
  };
  let drag = null;
  c.addEventListener("pointerdown", (e) => {
    if (e.button !== 0) return;
    drag = { id: e.pointerId, x: e.clientX, y: e.clientY, azimuth: ex.azimuth, elevation: ex.elevation };
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
    turn(ex.azimuth + da, ex.elevation + de);
    ex.views.mapHelp.textContent = `3-D view turned to ${Math.round(ex.azimuth)}°, tilted ${Math.round(ex.elevation)}° above the horizon.`;
  });
}

export function bindLoss(ex) {
  const c = ex.views.lossCanvas;
  c.addEventListener("mousemove", (e) => {
    const r = c.getBoundingClientRect();
    const px = e.clientX - r.left;
    const py = e.clientY - r.top;
    if (!ex.lossGeom?.inPlot(px, py)) return ex.clearHover();
    const k = Math.max(0, Math.min(ex.race.steps, ex.lossGeom.stepAt(px)));
    ex.hoverStep = k;
    const lines = [`step ${k}`];
    for (const run of ex.race.runs) {
      if (k <= run.n) lines.push(`${run.label}: loss ${fmt(run.losses[k])}, |∇f| ${fmt(run.gnorms[k])}`);
      else lines.push(`${run.label}: stopped at step ${run.n}`);
    }
    ex.views.showTip(lines, e.clientX, e.clientY);
    ex.draw();
  });
  c.addEventListener("mouseleave", () => ex.clearHover());
  c.addEventListener("click", (e) => {
    const r = c.getBoundingClientRect();
    const px = e.clientX - r.left;
    if (ex.lossGeom?.inPlot(px, e.clientY - r.top)) ex.setStep(Math.max(0, Math.min(ex.maxSteps(), ex.lossGeom.stepAt(px))));
  });
}
