// The explorer's 3-D view: the landscape grid gdcore computed, drawn as a shaded surface
// with the optimizers' paths lifted onto it. Plain canvas 2-D, no WebGL:
//
// - world coordinates: the domain becomes the base u in [-1, 1] (x) by v in [-a, a] (y),
//   a = the map's aspect ratio; the height h in [0, HEIGHT] is the loss, log-scaled when the
//   landscape asks for it and (softly) clipped at the 95th percentile of the grid;
// - orthographic projection: turn by the azimuth about the vertical axis, then tilt by the
//   elevation (90 degrees = straight down, like the map). Screen x is the turned u; screen y
//   and the depth mix the turned v and the height;
// - painter's algorithm: the (at most 48 x 48) quads are drawn from the farthest to the
//   nearest, then the walls of the two edges facing the viewer. The paths, minima and start
//   point come last; the parts the surface hides (found by marching from each point towards
//   the viewer over the height field) are drawn faintly.
import { drawMinimum, drawRunEnd, drawStart, fitCanvas, isDark, RAMPS, rampColor, strokeRunPath } from "./draw.js";

const MAX_QUADS = 48; // per side
const HEIGHT = 0.9; // the surface's height, in units of the base's half-width
const CLIP_QUANTILE = 0.95; // heights are clipped (softly, above KNEE) at this quantile of the grid
const KNEE = 0.8;
const LIGHT = (() => {
  const l = [-0.45, -0.55, 1];
  const n = Math.hypot(...l);
  return l.map((c) => c / n);
})();

export const ELEVATION_LIMITS = [10, 90];

/** Grid indices to sample: every `step`-th, always with the last one. */
function sampleIndices(n, max) {
  const step = Math.max(1, Math.ceil((n - 1) / max));
  const idx = [];
  for (let i = 0; i < n - 1; i += step) idx.push(i);
  idx.push(n - 1);
  return idx;
}

/** z -> height fraction in [0, 1]: log(z - zmin + eps) when `log`, clipped at a quantile. */
function heightScale(grid) {
  const vals = Array.from(grid.z).filter(Number.isFinite).sort((p, q) => p - q);
  if (!vals.length) return () => 0;
  const zmin = vals[0];
  const ztop = vals[Math.min(vals.length - 1, Math.floor(CLIP_QUANTILE * (vals.length - 1)))];
  const eps = Math.max((ztop - zmin) * 1e-3, 1e-12);
  const f = grid.log ? (z) => Math.log(Math.max(z - zmin, 0) + eps) : (z) => z;
  const lo = f(zmin);
  let hi = f(ztop);
  if (!(hi > lo)) hi = lo + 1;
  // A soft clip: linear up to KNEE, then easing into 1 (a hard clip on the coarse grid would
  // cut saw teeth where the clipping level crosses the quads diagonally).
  const knee = (t) => (t <= KNEE ? Math.max(0, t) : KNEE + (1 - KNEE) * Math.tanh((t - KNEE) / (1 - KNEE)));
  return (z) => (Number.isNaN(z) || z === Infinity ? 1 : knee((f(z) - lo) / (hi - lo)));
}

/** Bilinear interpolation of the full grid at data point (x, y); NaN outside the domain. */
function gridValue(grid, x, y) {
  const [[xmin, xmax], [ymin, ymax]] = grid.domain;
  const gx = ((x - xmin) / (xmax - xmin)) * (grid.nx - 1);
  const gy = ((y - ymin) / (ymax - ymin)) * (grid.ny - 1);
  if (!(gx >= 0 && gx <= grid.nx - 1 && gy >= 0 && gy <= grid.ny - 1)) return NaN;
  const i = Math.min(Math.floor(gx), grid.nx - 2);
  const j = Math.min(Math.floor(gy), grid.ny - 2);
  const fx = gx - i;
  const fy = gy - j;
  const z = (ii, jj) => grid.z[jj * grid.nx + ii];
  return (z(i, j) * (1 - fx) + z(i + 1, j) * fx) * (1 - fy) + (z(i, j + 1) * (1 - fx) + z(i + 1, j + 1) * fx) * fy;
}

/**
 * The rotation-independent part, cached on the grid per colour scheme: sampled vertices in
 * world coordinates and each quad's fill (ramp colour by height, Lambert-shaded by a light
 * fixed in the world).
 */
function surfaceMesh(grid, dark) {
  if (grid.surface && grid.surface.dark === dark) return grid.surface;
  const [[xmin, xmax], [ymin, ymax]] = grid.domain;
  const a = Math.min(1.1, Math.max(0.6, (ymax - ymin) / (xmax - xmin)));
  const height = grid.surface?.height ?? heightScale(grid);
  const ix = sampleIndices(grid.nx, MAX_QUADS);
  const iy = sampleIndices(grid.ny, MAX_QUADS);
  const mx = ix.length;
  const my = iy.length;
  const U = new Float64Array(mx * my);
  const V = new Float64Array(mx * my);
  const H = new Float64Array(mx * my);
  for (let q = 0; q < my; q++) {
    for (let p = 0; p < mx; p++) {
      const k = q * mx + p;
      U[k] = (2 * ix[p]) / (grid.nx - 1) - 1;
      V[k] = ((2 * iy[q]) / (grid.ny - 1) - 1) * a;
      H[k] = height(grid.z[iy[q] * grid.nx + ix[p]]) * HEIGHT;
    }
  }
  const ramp = dark ? RAMPS.dark : RAMPS.light;
  const fills = [];
  for (let q = 0; q < my - 1; q++) {
    for (let p = 0; p < mx - 1; p++) {
      const k00 = q * mx + p;
      const k10 = k00 + 1;
      const k01 = k00 + mx;
      const k11 = k01 + 1;
      // surface normal from the two diagonals' directions
      const du = [(U[k10] + U[k11] - U[k00] - U[k01]) / 2, 0, (H[k10] + H[k11] - H[k00] - H[k01]) / 2];
      const dv = [0, (V[k01] + V[k11] - V[k00] - V[k10]) / 2, (H[k01] + H[k11] - H[k00] - H[k10]) / 2];
      const n = [-du[2] * dv[1], -du[0] * dv[2], du[0] * dv[1]];
      const len = Math.hypot(...n) || 1;
      const lambert = Math.max(0, (n[0] * LIGHT[0] + n[1] * LIGHT[1] + n[2] * LIGHT[2]) / len);
      const t = (H[k00] + H[k10] + H[k01] + H[k11]) / (4 * HEIGHT);
      const shade = dark ? 0.7 + 0.55 * lambert : 0.62 + 0.4 * lambert;
      const rgb = rampColor(ramp, dark ? 0.15 + 0.85 * t : t).map((c) => Math.min(255, Math.round(c * shade)));
      fills.push(`rgb(${rgb[0]},${rgb[1]},${rgb[2]})`);
    }
  }
  grid.surface = { dark, height, a, mx, my, ix, iy, U, V, H, fills };
  return grid.surface;
}

/** The mesh's height at world (u, v) (bilinear in the sampled quad); NaN off the base. */
function meshHeight(grid, mesh, u, v) {
  const gx = ((u + 1) / 2) * (grid.nx - 1);
  const gy = ((v / mesh.a + 1) / 2) * (grid.ny - 1);
  if (!(gx >= 0 && gx <= grid.nx - 1 && gy >= 0 && gy <= grid.ny - 1)) return NaN;
  const { ix, iy, mx, H } = mesh;
  const step = ix[1] - ix[0] || 1;
  const stepy = iy[1] - iy[0] || 1;
  const p = Math.min(Math.floor(gx / step), ix.length - 2);
  const q = Math.min(Math.floor(gy / stepy), iy.length - 2);
  const fx = (gx - ix[p]) / (ix[p + 1] - ix[p]);
  const fy = (gy - iy[q]) / (iy[q + 1] - iy[q]);
  const k = q * mx + p;
  return (H[k] * (1 - fx) + H[k + 1] * fx) * (1 - fy) + (H[k + mx] * (1 - fx) + H[k + mx + 1] * fx) * fy;
}

/**
 * Is world point (u, v, h) hidden by the surface? March from it towards the viewer (along
 * `toViewer`, a unit vector) until the ray is above the whole surface or off the base.
 */
function hidden(grid, mesh, toViewer, u, v, h) {
  const [du, dv, dh] = toViewer;
  const ds = 1 / (mesh.mx - 1); // half a quad
  for (let t = 2 * ds; ; t += ds) {
    const rh = h + t * dh;
    if (rh >= HEIGHT) return false;
    const m = meshHeight(grid, mesh, u + t * du, v + t * dv);
    if (Number.isNaN(m)) return false;
    if (m > rh + 0.01) return true;
  }
}

/** Orthographic camera: world (u, v, h) -> [screen x, screen y, depth (larger = farther)]. */
function camera(width, height, a, azimuthDeg, elevationDeg) {
  const az = (azimuthDeg * Math.PI) / 180;
  const el = (elevationDeg * Math.PI) / 180;
  const ca = Math.cos(az);
  const sa = Math.sin(az);
  const ce = Math.cos(el);
  const se = Math.sin(el);
  // one scale for every azimuth (the base's half-diagonal always fits), so turning does not zoom
  const diag = Math.hypot(1, a);
  const s = 0.86 * Math.min(width / (2 * diag), height / (2 * diag * se + HEIGHT * ce));
  const cx = width / 2;
  const cy = height / 2 + (s * HEIGHT * ce) / 2;
  const project = (u, v, h) => {
    const xr = u * ca - v * sa;
    const yr = u * sa + v * ca;
    return [cx + s * xr, cy - s * (yr * se + h * ce), yr * ce - h * se];
  };
  // towards the viewer: the depth falls, the screen position stays
  project.toViewer = [-ce * sa, -ce * ca, se];
  return project;
}

const fmtEnd = (v) => String(Number(Number(v).toPrecision(3)));

/** The floor of the box, under everything. */
function drawFloor(ctx, project, a, dark) {
  const floor = [[-1, -a], [1, -a], [1, a], [-1, a]].map(([u, v]) => project(u, v, 0));
  ctx.beginPath();
  floor.forEach(([x, y], k) => (k ? ctx.lineTo(x, y) : ctx.moveTo(x, y)));
  ctx.closePath();
  ctx.fillStyle = dark ? "rgba(255,255,255,0.04)" : "rgba(20,30,60,0.05)";
  ctx.fill();
  ctx.lineWidth = 1;
  ctx.strokeStyle = dark ? "rgba(255,255,255,0.25)" : "rgba(20,30,60,0.3)";
  ctx.stroke();
}

/** The surface: project the vertices, then fill the quads far to near. Returns the projected
 *  vertices (x, y, depth per vertex). */
function drawMesh(ctx, mesh, project, dark) {
  const { mx, my, U, V, H, fills } = mesh;
  const P = new Float64Array(3 * mx * my);
  for (let k = 0; k < mx * my; k++) {
    const [x, y, d] = project(U[k], V[k], H[k]);
    P[3 * k] = x;
    P[3 * k + 1] = y;
    P[3 * k + 2] = d;
  }
  const nq = (mx - 1) * (my - 1);
  const depth = new Float64Array(nq);
  const order = new Uint32Array(nq);
  for (let q = 0; q < my - 1; q++) {
    for (let p = 0; p < mx - 1; p++) {
      const k = q * mx + p;
      const i = q * (mx - 1) + p;
      depth[i] = P[3 * k + 2] + P[3 * (k + 1) + 2] + P[3 * (k + mx) + 2] + P[3 * (k + mx + 1) + 2];
      order[i] = i;
    }
  }
  order.sort((i, j) => depth[j] - depth[i]);
  ctx.lineWidth = 0.5;
  ctx.lineJoin = "round";
  ctx.strokeStyle = dark ? "rgba(255,255,255,0.12)" : "rgba(20,30,60,0.18)";
  for (const i of order) {
    const p = i % (mx - 1);
    const q = (i - p) / (mx - 1);
    const k = q * mx + p;
    ctx.beginPath();
    ctx.moveTo(P[3 * k], P[3 * k + 1]);
    ctx.lineTo(P[3 * (k + 1)], P[3 * (k + 1) + 1]);
    ctx.lineTo(P[3 * (k + mx + 1)], P[3 * (k + mx + 1) + 1]);
    ctx.lineTo(P[3 * (k + mx)], P[3 * (k + mx) + 1]);
    ctx.closePath();
    ctx.fillStyle = fills[i];
    ctx.fill();
    ctx.stroke();
  }
  return P;
}

/**
 * Walls from the two edges nearest the viewer down to the floor, drawn last: every point of
 * the surface lies behind these two vertical faces, so they hide exactly what a solid block
 * would (without them, steep slopes show the sheet's underside below the near rim). Returns
 * the near edges [uNear, vNear].
 */
function drawWalls(ctx, mesh, P, project, dark) {
  const { a, mx, my, U, V } = mesh;
  const vNear = project(0, -a, 0)[2] < project(0, a, 0)[2] ? -a : a;
  const uNear = project(-1, 0, 0)[2] < project(1, 0, 0)[2] ? -1 : 1;
  const q0 = vNear < 0 ? 0 : my - 1;
  const p0 = uNear < 0 ? 0 : mx - 1;
  const walls = [
    Array.from({ length: mx }, (_, p) => q0 * mx + p),
    Array.from({ length: my }, (_, q) => q * mx + p0),
  ];
  const ramp = dark ? RAMPS.dark : RAMPS.light;
  walls.forEach((edge, w) => {
    const rgb = rampColor(ramp, dark ? 0.45 : 0.6).map((c) => Math.round(c * (w ? 0.78 : 0.88)));
    ctx.beginPath();
    edge.forEach((k, n) => (n ? ctx.lineTo(P[3 * k], P[3 * k + 1]) : ctx.moveTo(P[3 * k], P[3 * k + 1])));
    for (const k of [edge[edge.length - 1], edge[0]]) ctx.lineTo(...project(U[k], V[k], 0));
    ctx.closePath();
    ctx.fillStyle = `rgb(${rgb[0]},${rgb[1]},${rgb[2]})`;
    ctx.fill();
    ctx.lineWidth = 1;
    ctx.stroke();
  });
  return [uNear, vNear];
}

/** Axis names and end values on the floor edges nearest the viewer. */
function drawFloorLabels(ctx, domain, project, a, [uNear, vNear], fg) {
  const [[xmin, xmax], [ymin, ymax]] = domain;
  ctx.font = "11px system-ui, sans-serif";
  ctx.textAlign = "center";
  ctx.textBaseline = "middle";
  ctx.fillStyle = fg;
  const label = (u, v, text) => {
    const [x, y] = project(u, v, 0);
    const [ox, oy] = project(0, 0, 0);
    const d = Math.hypot(x - ox, y - oy) || 1;
    ctx.fillText(text, x + ((x - ox) / d) * 14, y + ((y - oy) / d) * 14);
  };
  label(0, vNear * 1.12, "x");
  label(-0.85, vNear * 1.12, fmtEnd(xmin));
  label(0.85, vNear * 1.12, fmtEnd(xmax));
  label(uNear * 1.12, 0, "y");
  label(uNear * 1.12, -0.85 * a, fmtEnd(ymin));
  label(uNear * 1.12, 0.85 * a, fmtEnd(ymax));
}

/** A run's points on the surface up to step `upto`, stopping where it leaves the domain (the
 *  border crossing on the straight segment from the last point inside); exit: it left. */
function surfacePath(run, upto, domain, point) {
  const [[xmin, xmax], [ymin, ymax]] = domain;
  const n = Math.min(upto, run.n);
  const pts = [];
  let prev = null;
  for (let k = 0; k <= n; k++) {
    const x = run.xs[2 * k];
    const y = run.xs[2 * k + 1];
    const z = run.losses[k];
    if (!Number.isFinite(x) || !Number.isFinite(y)) return { pts, exit: pts.length > 0 };
    if (x < xmin || x > xmax || y < ymin || y > ymax) {
      if (!prev) return { pts, exit: false };
      const [x0, y0, z0] = prev;
      let t = 1;
      if (x > xmax) t = Math.min(t, (xmax - x0) / (x - x0));
      if (x < xmin) t = Math.min(t, (xmin - x0) / (x - x0));
      if (y > ymax) t = Math.min(t, (ymax - y0) / (y - y0));
      if (y < ymin) t = Math.min(t, (ymin - y0) / (y - y0));
      pts.push(point(x0 + t * (x - x0), y0 + t * (y - y0), Number.isFinite(z) ? z0 + t * (z - z0) : Infinity));
      return { pts, exit: true };
    }
    prev = [x, y, z];
    pts.push(point(x, y, z));
  }
  return { pts, exit: false };
}

const FAINT = 0.3; // the opacity of what the surface hides

/** All of a path faintly, then the visible pieces (both ends visible) with the map's halo. */
function strokeSurfacePath(ctx, pts, run, exit) {
  const all = new Path2D();
  const seen = new Path2D();
  pts.forEach((p, k) => {
    if (k) all.lineTo(p.px, p.py);
    else all.moveTo(p.px, p.py);
    if (p.hidden) return;
    if (k && !pts[k - 1].hidden) seen.lineTo(p.px, p.py);
    else seen.moveTo(p.px, p.py);
  });
  ctx.save();
  ctx.lineJoin = "round";
  ctx.lineCap = "round";
  ctx.setLineDash(run.dash);
  ctx.lineWidth = 2;
  ctx.strokeStyle = run.color;
  ctx.globalAlpha = FAINT;
  ctx.stroke(all);
  ctx.globalAlpha = 1;
  strokeRunPath(ctx, seen, run);
  const last = pts[pts.length - 1];
  ctx.globalAlpha = last.hidden ? FAINT : 1;
  drawRunEnd(ctx, last.px, last.py, run, exit);
  ctx.restore();
}

/**
 * Draw the 3-D view. state: {grid, runs, start, upto, azimuth, elevation} (angles in degrees).
 */
export function drawSurface(canvas, width, height, state) {
  const ctx = fitCanvas(canvas, width, height);
  const dark = isDark();
  const { grid } = state;
  const mesh = surfaceMesh(grid, dark);
  const project = camera(width, height, mesh.a, state.azimuth, state.elevation);
  ctx.clearRect(0, 0, width, height);
  drawFloor(ctx, project, mesh.a, dark);
  const P = drawMesh(ctx, mesh, project, dark);
  const near = drawWalls(ctx, mesh, P, project, dark);
  drawFloorLabels(ctx, grid.domain, project, mesh.a, near, dark ? "#e6e6e6" : "#222222");
  // Paths, minima and the start point: a point's height is its loss's, or the mesh's where
  // the loss lies under the coarse mesh (in a narrow valley the mesh's vertices miss the
  // bottom). What the surface hides is drawn faintly, the rest in full.
  const [[xmin, xmax], [ymin, ymax]] = grid.domain;
  const a = mesh.a;
  const inDomain = (x, y) => x >= xmin && x <= xmax && y >= ymin && y <= ymax;
  const point = (x, y, z) => {
    const u = (2 * (x - xmin)) / (xmax - xmin) - 1;
    const v = ((2 * (y - ymin)) / (ymax - ymin) - 1) * a;
    const h = Math.max(mesh.height(z) * HEIGHT, meshHeight(grid, mesh, u, v) || 0);
    const [px, py] = project(u, v, h);
    return { px, py, h, hidden: hidden(grid, mesh, project.toViewer, u, v, h) };
  };
  for (const [x, y] of grid.minima) {
    if (!inDomain(x, y)) continue;
    const m = point(x, y, grid.fmin ?? gridValue(grid, x, y));
    ctx.globalAlpha = m.hidden ? FAINT : 1;
    drawMinimum(ctx, m.px, m.py);
  }
  ctx.globalAlpha = 1;
  for (const run of state.runs) {
    const { pts, exit } = surfacePath(run, state.upto, grid.domain, point);
    if (pts.length) strokeSurfacePath(ctx, pts, run, exit);
  }
  // the start point (every run starts there; its height is the first loss)
  const [sx, sy] = state.start;
  if (inDomain(sx, sy)) {
    const s0 = point(sx, sy, state.runs.length ? state.runs[0].losses[0] : gridValue(grid, sx, sy));
    ctx.globalAlpha = s0.hidden ? FAINT : 1;
    drawStart(ctx, s0.px, s0.py);
    ctx.globalAlpha = 1;
  }
}
