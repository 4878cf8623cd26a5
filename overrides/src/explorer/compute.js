// The explorer's one call into Python: gdcore.explore.explorer_update in the worker, through
// the page's Runtime (protocol.js), with keyword arguments named as in explore.py; and the
// unpacking of its answer (each run's float64 blocks, laid out as the run's `layout` says).
import { unpack } from "./draw.js";
import { callPython } from "./pycall.js";

export const UPDATE_FN = "gdcore.explore.explorer_update";

/** One redraw's numbers: resolves {out (the parsed answer), ms (time in Python)}. */
export async function explorerUpdate(runtime, kwargs) {
  const { value, ms } = await callPython(runtime, UPDATE_FN, kwargs);
  return { out: JSON.parse(value), ms };
}

const toF64 = (list) => Float64Array.from(list, (v) => (v == null ? NaN : v));

/**
 * A run from Python -> {..., n, xs, losses, gnorms, lrs, blocks}: typed arrays of n + 1 rows
 * (xs interleaved x, y). From the worker the run is packed (`packed` + `layout`); the build's
 * pre-computed runs carry plain lists (`path`, `losses`, `grad_norms`).
 */
export function normalizeRun(run) {
  const n = run.n_steps;
  const blocks = {};
  if (run.packed != null) {
    const all = unpack(run.packed);
    let at = 0;
    for (const [key, width] of run.layout) {
      blocks[key] = all.subarray(at, at + width * (n + 1));
      at += width * (n + 1);
    }
  } else {
    blocks.xs = toF64(run.path.flatMap((p) => (p == null ? [NaN, NaN] : p)));
    blocks.losses = toF64(run.losses);
    blocks.grad_norms = toF64(run.grad_norms);
  }
  return {
    ...run,
    n,
    xs: blocks.xs,
    losses: blocks.losses,
    gnorms: blocks.grad_norms,
    lrs: blocks.lrs ?? null,
    blocks,
    path: undefined,
    packed: undefined,
  };
}

/** Vector `key` of a run at step k as [x, y], or null when the run has no such vector there. */
export function vectorAt(run, key, k) {
  const b = run.blocks[key];
  if (!b || k > run.n) return null;
  const v = [b[2 * k], b[2 * k + 1]];
  return Number.isFinite(v[0]) && Number.isFinite(v[1]) ? v : null;
}
