// @ts-check
// A cell's output region. Everything the reader's code produces is inserted with
// textContent / text nodes, or as an <img> we build ourselves: never as HTML.
// Streamed text is buffered and written once per animation frame. A long output shows its
// head, "… N lines not shown …" and each stream's tail (Runtime hands a tail's text with what
// was omitted before it); the page caps the head too. This module reads no protocol message:
// it gets plain values from Runtime's run handlers (runtime.js) and cell results
// (protocol.js CellResult).
import { LIMITS } from "./protocol.js";

const ORIGINAL_NOTE = "Output of the original code. Run to see yours.";

/** The exception's class name of a cell result (protocol.js CellResult), or null. */
export const errorTypeOf = (cell) => cell?.error_type ?? null;

const count = (n, word) => `${n.toLocaleString("en")} ${word}${n === 1 ? "" : "s"}`;

/** The note between a head and a tail. */
function omittedText({ lines, chars }) {
  return lines ? `… ${count(lines, "line")} not shown …` : `… ${count(chars, "character")} not shown …`;
}

const el = (tag, className, text) => {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text != null) node.textContent = text;
  return node;
};

// An output that scrolls (a wide table, a long log) must be reachable by keyboard to scroll
// it (WCAG 2.1.1; axe's scrollable-region-focusable), as material does for code blocks.
const focusableIfScrolls = (node) => {
  if (node.tabIndex >= 0 || !node.isConnected) return;
  if (node.scrollWidth > node.clientWidth + 1 || node.scrollHeight > node.clientHeight + 1) node.tabIndex = 0;
};

// Streamed output must not read layout per message (a forced layout of a long log per frame
// blocked the page for > 100 ms under load): a ResizeObserver tells when a <pre> changed size,
// after the browser's own layout, so the check reads clean geometry. Its callbacks run in the
// frame's rendering step, never in the middle of a write.
const scrollWatch =
  typeof ResizeObserver === "function"
    ? new ResizeObserver((entries) => {
        for (const e of entries) {
          focusableIfScrolls(e.target);
          if (e.target.tabIndex >= 0) scrollWatch.unobserve(e.target);
        }
      })
    : null;
const watchScroll = (node) => (scrollWatch ? scrollWatch.observe(node) : focusableIfScrolls(node));

// At most this many characters are inserted per animation frame: a 2,000-line head arrives in
// a few frames of a few ms each instead of one long one (the rest waits for the next frame).
const FRAME_CHARS = 24000;

export class OutputView {
  constructor(region) {
    this.region = region; // .gd-cell-output (role=log)
    this.pending = [];
    this.frame = 0;
    // Keep the build-time (pre-rendered) output until the reader runs the cell, and the nodes
    // themselves (clear() detaches them) to show a copy again if Python cannot be loaded.
    this.prerendered = [...region.childNodes];
    region.querySelectorAll("pre.gd-out").forEach(focusableIfScrolls);
    this.shownChars = 0;
    this.shownLines = 0;
    this.truncated = null;
    this.tails = new Map(); // stream kind -> {note, pre}: the tail after the head
    this.showingPrerendered = true; // the region holds the build-time output
    this.codeEdited = false; // the cell's code differs from the code that output is of
    this.originalNote = null;
  }

  clear() {
    cancelAnimationFrame(this.frame);
    this.frame = 0;
    this.pending = [];
    this.shownChars = 0;
    this.shownLines = 0;
    this.truncated = null;
    this.tails = new Map();
    this.showingPrerendered = false;
    this.originalNote = null;
    this.region.replaceChildren();
  }

  /** Text of a stream (kind "stdout" | "stderr"). omitted: null for the head; for a tail
   *  (its text replaces that stream's previous tail), what lies between head and tail:
   *  {lines, chars} (runtime.js, RunHandlers.stream). */
  stream(kind, text, omitted = null) {
    const tail = omitted;
    if (this.truncated && !tail) return;
    this.pending.push([kind, text, tail]);
    if (!this.frame) this.frame = requestAnimationFrame(() => this.flush(false));
  }

  /** Write the pending text; all of it (whole = true: before a block, a note, the end of a
   *  run) or, in an animation frame, up to FRAME_CHARS characters of head (the rest in the
   *  next frame). Tails wait for the head before them. */
  flush(whole = true) {
    cancelAnimationFrame(this.frame);
    this.frame = 0;
    let budget = whole ? Infinity : FRAME_CHARS;
    const lastTail = new Map(); // only the last tail of each stream still pending is shown
    this.pending.forEach(([kind, , tail], j) => tail && lastTail.set(kind, j));
    let i = 0;
    for (; i < this.pending.length && budget > 0; i++) {
      const [kind, text, tail] = this.pending[i];
      if (tail) {
        if (lastTail.get(kind) === i) this.showTail(kind, text, tail);
      } else if (!this.truncated && !this.tails.size) {
        // the head comes first
        if (text.length > budget) {
          this.appendText(kind, text.slice(0, budget));
          this.pending[i] = [kind, text.slice(budget), null];
          break;
        }
        this.appendText(kind, text);
        budget -= text.length;
      }
    }
    this.pending = this.pending.slice(i);
    if (this.pending.length) this.frame = requestAnimationFrame(() => this.flush(false));
  }

  /** A stream's tail: "… N lines not shown …" and its last lines, after the head. */
  showTail(kind, text, omitted) {
    let tail = this.tails.get(kind);
    if (!tail) {
      tail = { note: el("p", "gd-note gd-note-truncated"), pre: el("pre", `gd-out gd-out-${kind} gd-out-tail`) };
      this.region.append(tail.note, tail.pre);
      watchScroll(tail.pre);
      this.tails.set(kind, tail);
    }
    tail.note.hidden = !(omitted.lines || omitted.chars);
    tail.note.textContent = omittedText(omitted);
    tail.pre.hidden = !text;
    tail.pre.textContent = text;
  }

  appendText(kind, text) {
    let cut = text.length;
    const charRoom = LIMITS.chars - this.shownChars;
    if (cut > charRoom) cut = charRoom;
    if (this.shownLines >= LIMITS.lines) cut = 0;
    let lines = 0;
    for (let i = text.indexOf("\n"); i !== -1 && i < cut; i = text.indexOf("\n", i + 1)) {
      lines += 1;
      if (this.shownLines + lines >= LIMITS.lines) {
        cut = i + 1;
        break;
      }
    }
    const part = cut < text.length ? text.slice(0, cut) : text;
    this.shownChars += part.length;
    this.shownLines += lines;
    if (part) {
      const cls = `gd-out gd-out-${kind}`;
      let pre = this.region.lastElementChild;
      if (!pre || pre.className !== cls) watchScroll((pre = this.region.appendChild(el("pre", cls))));
      pre.appendChild(document.createTextNode(part));
    }
    if (cut < text.length) {
      this.truncated = this.region.appendChild(
        el("p", "gd-note gd-note-truncated", `… output truncated (showing the first ${this.shownLines.toLocaleString("en")} lines)`),
      );
    }
  }

  /** A run's final sizes, chars = {stdout, stderr}: the characters each stream wrote,
   *  including those not shown (a run's result, runtime.js); say how much was left out. */
  totals(chars) {
    this.flush();
    // the one layout read of a run: a pre whose size did not change may scroll now (a line
    // that grew wider)
    this.region.querySelectorAll("pre.gd-out:not([tabindex])").forEach(focusableIfScrolls);
    if (!this.truncated || !chars) return;
    const total = chars.stdout + chars.stderr;
    if (total > this.shownChars) {
      const kb = (n) => `${Math.round(n / 1000).toLocaleString("en")} kB`;
      this.truncated.textContent = `… output truncated: showing ${kb(this.shownChars)} of ${kb(total)} (${this.shownLines.toLocaleString("en")} lines).`;
    }
  }

  /**
   * A cell's result (protocol.js CellResult), in the order and with the classes the build
   * writes (overrides/README.md): stdout, stderr, result, error, figures.
   * @param {import("./protocol.js").CellResult} cell
   */
  render(cell) {
    if (cell.stdout) this.stream("stdout", cell.stdout);
    if (cell.stderr) this.stream("stderr", cell.stderr);
    if (cell.result != null) this.block("result", cell.result);
    if (cell.error != null) this.block("error", cell.error);
    for (const fig of cell.figures) this.figure(fig.png_base64, fig.alt);
  }

  block(kind, text) {
    this.flush();
    focusableIfScrolls(this.region.appendChild(el("pre", `gd-out gd-out-${kind}`, text)));
  }

  figure(png, alt) {
    this.flush();
    const fig = el("figure", "gd-out gd-out-figure");
    const img = el("img");
    img.alt = alt || "Figure";
    img.src = `data:image/png;base64,${png}`;
    fig.appendChild(img);
    this.region.appendChild(fig);
  }

  /** Show the build-time (pre-rendered) output again, as it was. */
  restore() {
    this.clear();
    this.region.append(...this.prerendered.map((n) => n.cloneNode(true)));
    this.showingPrerendered = true;
    this.syncOriginalNote();
  }

  /** The cell's code differs (edited = true) or not from the code its build-time output is
   *  of: while that output is shown, a note above it says so. */
  markEdited(edited) {
    this.codeEdited = edited;
    this.syncOriginalNote();
  }

  syncOriginalNote() {
    const hasOutput = this.prerendered.some((n) => n.nodeType === Node.ELEMENT_NODE);
    const show = this.codeEdited && this.showingPrerendered && hasOutput;
    if (show && !this.originalNote) {
      this.originalNote = el("p", "gd-note gd-note-original", ORIGINAL_NOTE);
      this.region.prepend(this.originalNote);
    } else if (!show && this.originalNote) {
      this.originalNote.remove();
      this.originalNote = null;
    }
  }

  /** Python could not be loaded: say so, and show the build-time output again. */
  failed(text) {
    this.clear();
    this.note(text, "error");
    if (this.prerendered.some((n) => n.nodeType === Node.ELEMENT_NODE)) {
      this.note("Output computed when the site was built:");
      this.region.append(...this.prerendered.map((n) => n.cloneNode(true)));
    }
  }

  note(text, kind = "info") {
    this.flush();
    return this.region.appendChild(el("p", `gd-note gd-note-${kind}`, text));
  }
}
