// Author updates never hide. A saved edit (cells.js keeps it in localStorage under the
// cell's key) gets a companion record, `<key>:base`, holding the fingerprint of the original
// it was made from, and that original's text. When the page's original has changed since,
// the cell says "This cell was updated since you edited it", shows a line diff of the
// reader's code against the new original, and offers "Take the new version" (or "Keep my
// version", which makes the new original the edit's base). Also "Reset all cells on this
// page", beside the page's downloads.
import "./updates.css";
import { storage } from "./storage.js";
import { button } from "./button.js";

/** A 53-bit fingerprint of a text (cyrb53), as hex: equal texts, equal fingerprints. */
export function fingerprint(text) {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(16);
}

/** A line diff of a -> b: [{op: " " | "-" | "+", text}], by longest common subsequence. */
export function lineDiff(a, b) {
  const x = a.split("\n");
  const y = b.split("\n");
  const n = x.length;
  const m = y.length;
  const lcs = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i][j] = x[i] === y[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  const out = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && x[i] === y[j]) {
      out.push({ op: " ", text: x[i++] });
      j++;
    } else if (i < n && (j === m || lcs[i + 1][j] >= lcs[i][j + 1])) {
      out.push({ op: "-", text: x[i++] }); // deletions first, as in a unified diff
    } else {
      out.push({ op: "+", text: y[j++] });
    }
  }
  return out;
}

function readBase(cell) {
  try {
    const base = JSON.parse(storage.get(`${cell.key}:base`) || "null");
    return base && typeof base.hash === "string" ? base : null;
  } catch {
    return null;
  }
}

function writeBase(cell) {
  storage.set(`${cell.key}:base`, JSON.stringify({ hash: fingerprint(cell.original), text: cell.original }));
}

function diffView(mine, theirs) {
  const pre = document.createElement("pre");
  pre.className = "gd-diff";
  pre.setAttribute("aria-label", "Your code (−) against the updated original (+)");
  for (const line of lineDiff(mine, theirs)) {
    const row = document.createElement("span");
    row.className = { " ": "gd-diff-same", "-": "gd-diff-del", "+": "gd-diff-add" }[line.op];
    row.textContent = `${line.op === " " ? " " : line.op === "-" ? "−" : "+"} ${line.text}\n`;
    pre.appendChild(row);
  }
  return pre;
}

function announce(cell) {
  cell.root.querySelector(":scope > .gd-updated")?.remove();
  const box = document.createElement("div");
  box.className = "gd-updated";
  box.setAttribute("role", "note");
  const text = document.createElement("p");
  text.textContent = "This cell was updated since you edited it. Your code (−) against the new version (+):";
  const take = button("Take the new version", "gd-take-new", () => {
    cell.reset();
    storage.set(`${cell.key}:base`, null);
    box.remove();
  });
  const keep = button("Keep my version", "gd-keep-mine", () => {
    writeBase(cell);
    box.remove();
  });
  const bar = document.createElement("div");
  bar.className = "gd-updated-bar";
  bar.append(take, keep);
  box.append(text, diffView(cell.code(), cell.original), bar);
  cell.root.prepend(box);
}

function watch(cell) {
  const saved = storage.get(cell.key);
  const base = readBase(cell);
  if (saved != null && base && base.hash !== fingerprint(cell.original)) announce(cell);
  else if (saved != null && !base) writeBase(cell); // an edit older than fingerprints
  else if (saved == null && base) storage.set(`${cell.key}:base`, null);
  // cells.js toggles gd-cell-edited as the reader edits or resets: keep the base in step
  new MutationObserver(() => {
    const edited = cell.root.classList.contains("gd-cell-edited");
    if (edited && !readBase(cell)) writeBase(cell);
    if (!edited && storage.get(cell.key) == null) {
      storage.set(`${cell.key}:base`, null);
      cell.root.querySelector(":scope > .gd-updated")?.remove();
    }
  }).observe(cell.root, { attributes: true, attributeFilter: ["class"] });
}

function resetAllButton(page) {
  document.querySelector(".gd-reset-all")?.remove();
  const cells = page.cells.filter((c) => c.editor);
  if (!cells.length) return;
  const status = document.createElement("span");
  status.className = "gd-reset-all-status";
  status.setAttribute("role", "status");
  const btn = button("Reset all cells on this page", "gd-reset-all-btn", () => {
    const edited = cells.filter((c) => c.root.classList.contains("gd-cell-edited"));
    for (const c of cells) {
      c.reset();
      storage.set(`${c.key}:base`, null);
      c.root.querySelector(":scope > .gd-updated")?.remove();
    }
    status.textContent = edited.length
      ? `${edited.length} cell${edited.length === 1 ? "" : "s"} reset to the page's code`
      : "No cell was edited";
  });
  btn.title = "Forget your edits of every cell on this page";
  const wrap = document.createElement("div");
  wrap.className = "gd-reset-all";
  wrap.append(btn, status);
  const downloads = document.querySelector(".gd-downloads");
  if (downloads) downloads.after(wrap);
  else cells[0].root.before(wrap);
}

/** Mount update notices and "Reset all" on a page (cells.js Page); main.js calls this. */
export function mountUpdates(page) {
  for (const cell of page.cells) if (cell.editor) watch(cell);
  resetAllButton(page);
}
