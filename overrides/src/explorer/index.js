// The explorer's entry point. main.js calls mountExplorers(runtime) on every page (material's
// document$): each `.gd-explorer` block written by overrides/hooks/explorer.py becomes a live
// explorer; explorers of pages left behind are destroyed.
import "./explorer.css";
import { Explorer } from "./explorer.js";

const live = new Map(); // root element -> Explorer

export function mountExplorers(runtime, doc = document) {
  for (const [root, ex] of live) {
    if (!doc.body.contains(root)) {
      ex.destroy();
      live.delete(root);
    }
  }
  for (const root of doc.querySelectorAll(".gd-explorer")) {
    if (live.has(root) || root.dataset.payload == null) continue;
    try {
      live.set(root, new Explorer(root, runtime));
    } catch (err) {
      console.error("gdcore explorer", root.id, err);
    }
  }
  if (window.__gdcore) window.__gdcore.explorers = live; // for tests and the console
  if (live.size && runtime && !runtime.deferred) runtime.start(); // not while the reader saves data
  return live;
}

export function explorers() {
  return [...live.values()];
}
