// Entry point of gdcore's live cells (bundled to assets/gdcore/gdcore.js).
// One Runtime (one Python worker) per visit, kept across material's instant navigation:
// material's `document$` observable announces every new page; we then mount that page's
// cells and reset the namespace (not the interpreter). Python starts loading as soon as the
// first page with cells (or an explorer) is mounted, with a progress indicator: the worker is
// another thread, its downloads compete only for bandwidth, and a Run at once waits less. A
// reader who saves data (data saver, cellular) gets it on the first Run or edit only.
import "./gdcore.css";
import { Page } from "./cells.js";
import { mountDownloads } from "./downloads.js";
import { mountExercises } from "./exercise.js";
import { mountExplorers } from "./explorer/index.js";
import { mountShare } from "./share.js";
import { mountUpdates } from "./updates.js";
import { Runtime } from "./runtime.js";

const SCRIPT_URL = document.currentScript?.src || document.baseURI;

let runtime = null;
let page = null;
let pagePathname = null;
let pill = null;

function readConfig() {
  const node = document.getElementById("gd-config");
  if (!node) return null;
  const raw = JSON.parse(node.textContent);
  const abs = (u) => new URL(u, document.baseURI).href;
  let indexURL = abs(raw.pyodideIndexURL);
  if (!indexURL.endsWith("/")) indexURL += "/";
  return {
    pyodideIndexURL: indexURL,
    wheelURL: abs(raw.wheelURL),
    cellrunURL: abs(raw.cellrunURL),
    pyworkerURL: new URL("pyworker.py", abs(raw.cellrunURL)).href, // beside cellrun.py
    fontlistURL: new URL("matplotlib-fontlist.json", abs(raw.cellrunURL)).href, // beside it too
    workerURL: raw.workerURL ? abs(raw.workerURL) : new URL("worker.js", SCRIPT_URL).href,
  };
}

// The runtime's status (runtime.js, RuntimeStatus), bottom right: while Python loads, a line
// and a progress bar; once it is loaded, a "Restart Python" button (always one click away:
// a fresh interpreter, e.g. after a cell broke this one), with the line for 1.5 s; a failure,
// a damaged interpreter or a deferred load (saving data) keep their line. Once only the button
// is left, the pill is compact (gd-status-compact: on a phone an icon-sized button, named
// "Restart Python", whose label shows on hover or focus). The page keeps room for the pill
// below its footer (--gd-status-space, the pill's height), so it never covers the last line.
function statusPill() {
  if (pill) return pill;
  pill = document.createElement("div");
  pill.className = "gd-status";
  pill.setAttribute("role", "region"); // a landmark: the button is not outside every region
  pill.setAttribute("aria-label", "Python");
  const text = document.createElement("span");
  text.className = "gd-status-text";
  text.setAttribute("role", "status");
  const bar = document.createElement("progress");
  bar.max = 1;
  const restart = document.createElement("button");
  restart.type = "button";
  restart.className = "gd-btn gd-status-restart";
  restart.innerHTML =
    '<svg class="gd-status-icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">' +
    '<path d="M17.65 6.35A7.96 7.96 0 0 0 12 4a8 8 0 1 0 7.73 10h-2.08A6 6 0 1 1 12 6c1.66 0 3.14.69 4.22 1.78L13 11h7V4z"/></svg>' +
    '<span class="gd-status-restart-label">Restart Python</span>';
  restart.title = "A fresh Python: every variable is forgotten; running a cell runs the cells above it again";
  restart.addEventListener("click", () => runtime?.restartPython());
  pill.append(text, bar, restart);
  document.body.appendChild(pill);
  const root = document.documentElement;
  new ResizeObserver(() => {
    const shown = pill.isConnected && !pill.hidden;
    root.style.setProperty("--gd-status-space", shown ? `${Math.ceil(pill.offsetHeight)}px` : "0px");
  }).observe(pill);
  return pill;
}

/** @param {import("./runtime.js").RuntimeStatus} s */
function showStatus(s) {
  const [text, bar, restart] = statusPill().children;
  text.textContent = s.label;
  text.hidden = false;
  if (s.fraction == null) bar.removeAttribute("value");
  else bar.value = s.fraction;
  bar.hidden = s.state !== "loading";
  restart.hidden = !s.restartable;
  pill.dataset.state = s.state;
  pill.hidden = false;
  pill.classList.remove("gd-status-compact");
  clearTimeout(pill.timer);
  if (s.state === "ready") {
    pill.timer = setTimeout(() => {
      text.hidden = true;
      pill.classList.add("gd-status-compact");
    }, 1500);
  }
}

/** The cell id a URL fragment names, or "" (a malformed %-escape names nothing). */
function fragmentId(hash) {
  try {
    return decodeURIComponent(hash.slice(1));
  } catch {
    return "";
  }
}

/**
 * A link to a cell or an explorer (page/#id) scrolls it to the middle of the screen (clear
 * of the header and of material's "back to top" button) and highlights it. A hidden setup
 * cell has nothing to show: its link highlights the first visible element after it.
 */
function highlightFromHash() {
  const id = fragmentId(location.hash);
  if (!id) return;
  let target = document.getElementById(id);
  if (!target?.matches(".gd-cell, .gd-explorer")) return;
  while (target && !target.getClientRects().length) target = target.nextElementSibling;
  if (!target) return;
  for (const old of document.querySelectorAll(".gd-cell-target")) old.classList.remove("gd-cell-target");
  target.classList.add("gd-cell-target");
  target.scrollIntoView({ block: "center" });
  // Centering scrolls up a little, which makes material show "back to top" over the linked
  // element: hide that button until the reader scrolls or types themselves.
  const root = document.documentElement;
  root.classList.add("gd-linked");
  const release = () => root.classList.remove("gd-linked");
  for (const type of ["wheel", "touchmove", "keydown", "pointerdown"]) {
    window.addEventListener(type, release, { once: true, passive: true });
  }
}

function onPage() {
  if (!runtime) {
    const config = readConfig();
    if (!config) return;
    runtime = new Runtime(config);
    runtime.onStatus(showStatus);
    window.__gdcore.runtime = runtime;
  }
  mountExplorers(runtime); // the explorers of this page (idempotent; see explorer/index.js)
  mountDownloads(() => page); // the page's .py download (idempotent; see downloads.js)
  const roots = [...document.querySelectorAll(".gd-cell")];
  // Python starts loading now, before the cells' editors are mounted (which takes a while on a
  // long page), except while the reader saves data (then a Run, an edit or focus starts it)
  if (roots.length && !runtime.deferred) runtime.start();
  if (pill && !document.body.contains(pill)) document.body.appendChild(pill);
  if (location.pathname !== pagePathname) {
    if (page) {
      page.destroy();
      runtime.resetNamespace();
    }
    pagePathname = location.pathname;
    page = null;
  }
  if (page && roots.every((r) => page.cells.some((c) => c.root === r))) return; // same document
  page?.destroy();
  page = new Page(roots, runtime);
  window.__gdcore.page = page;
  mountExercises(page); // Check, hints, solution, progress in the TOC (see exercise.js)
  mountUpdates(page); // "this cell was updated since you edited it", Reset all (updates.js)
  mountShare(page); // "Copy link with my code", and opening such a link (see share.js)
  if (roots.length) {
    const code = page.cells.map((c) => c.code()).join("\n");
    runtime.preload(code); // its packages, once Python is up
    const deferred = runtime.deferred;
    if (deferred) runtime.announceDeferred(code);
    // focus in a cell starts loading; when saving data, only focus in an editor (the reader is
    // about to edit), not a Tab through the buttons
    const onFocus = (event) => {
      if (deferred && !event.target.closest?.(".cm-editor")) return;
      for (const root of roots) root.removeEventListener("focusin", onFocus);
      runtime.start();
    };
    for (const root of roots) root.addEventListener("focusin", onFocus);
  }
  highlightFromHash();
}

function boot() {
  if (window.__gdcore) return; // the bundle was evaluated twice: keep the first runtime
  window.__gdcore = { runtime: null, page: null };
  window.addEventListener("hashchange", highlightFromHash);
  const subscribe = () => {
    if (window.document$?.subscribe) window.document$.subscribe(() => onPage());
    else onPage();
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", subscribe, { once: true });
  else subscribe();
}

boot();
