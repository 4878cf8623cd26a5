// Exercises that check themselves (the build side: overrides/sitebuild/exercises.py).
// An exercise cell (data-exercise="true") carries its hidden check, solution and hints in
// data-check, data-solution and data-hints. Check runs the reader's code (with the earlier
// cells it needs, like Run), then the check in the same namespace, through an ordinary run
// whose last expression is pyworker.check_exercise(...): its result is the verdict's JSON.
// Progress per page (which exercises passed, which were tried) lives in localStorage and
// shows in the page's table of contents: a check mark beside each heading whose exercises
// all passed, and "N of M exercises passed" above the contents.
import "./exercise.css";
import { button } from "./button.js";

const STORE = "gdcore:v1:exercises:";

function progressKey() {
  return STORE + location.pathname.replace(/index\.html$/, "");
}

/** {cellId: "passed" | "tried"} of this page; {} when storage is off or holds garbage. */
export function loadProgress() {
  try {
    const value = JSON.parse(localStorage.getItem(progressKey()) || "{}");
    return value && typeof value === "object" && !Array.isArray(value) ? value : {};
  } catch {
    return {};
  }
}

function saveProgress(progress) {
  try {
    localStorage.setItem(progressKey(), JSON.stringify(progress));
  } catch {
    /* storage full or disabled: progress is just not kept */
  }
}

/** The Python that runs `check` against the page's namespace. The modules the check imports
 *  appear in a never-run `if False:` block, so that the worker loads them first. */
export function checkCode(check) {
  const modules = new Set();
  for (const line of check.split("\n")) {
    const m = /^\s*(?:from|import)\s+([A-Za-z_][\w]*)/.exec(line);
    if (m) modules.add(m[1]);
  }
  const imports = [...modules].map((name) => `    import ${name}\n`).join("");
  const preload = imports ? `if False:  # the modules the check imports, loaded first\n${imports}` : "";
  return `${preload}__import__("pyworker").check_exercise(${JSON.stringify(check)}, globals())`;
}

class Exercise {
  constructor(cell, board) {
    this.cell = cell;
    this.board = board;
    const data = cell.root.dataset;
    this.check = data.check ?? "";
    this.solution = data.solution ?? "";
    try {
      this.hints = JSON.parse(data.hints || "[]");
    } catch {
      this.hints = [];
    }
    this.hintsShown = 0;
    this.mount();
  }

  get state() {
    return this.board.progress[this.cell.id] ?? null;
  }

  mount() {
    const panel = document.createElement("div");
    panel.className = "gd-exercise";
    const label = document.createElement("span");
    label.className = "gd-exercise-label";
    label.textContent = "Exercise";
    this.checkBtn = button("Check", "gd-check", () => this.runCheck());
    this.checkBtn.title = "Run your code, then check it";
    this.hintBtn = button("Hint", "gd-hint-btn", () => this.nextHint());
    this.hintBtn.hidden = this.hints.length === 0;
    this.solutionBtn = button("Show solution", "gd-solution-btn", () => this.showSolution());
    const bar = document.createElement("div");
    bar.className = "gd-exercise-bar";
    bar.append(label, this.checkBtn, this.hintBtn, this.solutionBtn);
    this.feedback = document.createElement("p");
    this.feedback.className = "gd-feedback";
    this.feedback.setAttribute("role", "status");
    this.feedback.hidden = true;
    this.hintList = document.createElement("ol");
    this.hintList.className = "gd-hints";
    this.hintList.hidden = true;
    this.solutionBox = document.createElement("div");
    this.solutionBox.className = "gd-solution";
    this.solutionBox.hidden = true;
    panel.append(bar, this.feedback, this.hintList, this.solutionBox);
    const cellBar = this.cell.root.querySelector(":scope > .gd-cell-bar");
    if (cellBar) cellBar.after(panel);
    else this.cell.root.insertBefore(panel, this.cell.output.region);
    this.panel = panel;
    this.refresh();
  }

  refresh() {
    const state = this.state;
    this.cell.root.dataset.exerciseState = state ?? "new";
    this.solutionBtn.disabled = state == null;
    this.solutionBtn.title = state == null ? "Press Check once first" : "Show a solution";
    this.hintBtn.textContent = this.hints.length > 1
      ? `Hint (${Math.min(this.hintsShown + 1, this.hints.length)} of ${this.hints.length})`
      : "Hint";
    this.hintBtn.disabled = this.hintsShown >= this.hints.length;
  }

  say(text, kind) {
    this.feedback.hidden = false;
    this.feedback.dataset.verdict = kind; // pass | fail | info
    this.feedback.textContent = text;
  }

  async runCheck() {
    if (this.checking) return;
    this.checking = true;
    this.checkBtn.disabled = true;
    this.say("Running your code…", "info");
    try {
      const verdict = await this.verdict();
      this.board.record(this.cell.id, verdict.passed);
      this.say(verdict.passed ? `Passed: ${verdict.feedback}` : `Not yet: ${verdict.feedback}`,
        verdict.passed ? "pass" : "fail");
    } finally {
      this.checking = false;
      this.checkBtn.disabled = false;
      this.refresh();
      this.cell.root.dataset.checks = String(Number(this.cell.root.dataset.checks || 0) + 1);
    }
  }

  /** {passed, feedback}: run the reader's code (and the earlier cells), then the check. */
  async verdict() {
    const page = this.cell.page;
    await page.run(this.cell);
    const state = this.cell.root.dataset.state;
    if (state !== "done") {
      const why = {
        error: "your code raised an error (see the output above)",
        failed: "Python could not run your code (see the note above)",
      }[state] ?? "your code did not run to the end";
      return { passed: false, feedback: `${why}. Fix it and press Check again.` };
    }
    this.say("Checking…", "info");
    let result = null;
    const res = await page.runtime.run(`${this.cell.id}--check`, checkCode(this.check), {
      cell: (r) => (result = r),
    });
    if (res.status !== "ok" || !result?.result) {
      return { passed: false, feedback: "the check could not run (Python stopped). Press Check again." };
    }
    try {
      const v = JSON.parse(result.result);
      return { passed: v.passed === true, feedback: String(v.feedback) };
    } catch {
      return { passed: false, feedback: "the check gave no verdict. Press Check again." };
    }
  }

  nextHint() {
    if (this.hintsShown >= this.hints.length) return;
    const item = document.createElement("li");
    item.textContent = this.hints[this.hintsShown++];
    this.hintList.appendChild(item);
    this.hintList.hidden = false;
    this.refresh();
  }

  showSolution() {
    if (this.state == null) return;
    if (!this.solutionBox.hidden) {
      this.solutionBox.hidden = true;
      this.solutionBtn.textContent = "Show solution";
      return;
    }
    if (!this.solutionBox.firstChild) {
      const pre = document.createElement("pre");
      const code = document.createElement("code");
      code.textContent = this.solution;
      pre.appendChild(code);
      const use = button("Put it in the editor", "gd-use-solution", () => {
        this.cell.editor?.setCode(this.solution);
        this.cell.editor?.view?.focus();
      });
      this.solutionBox.append(pre, use);
    }
    this.solutionBox.hidden = false;
    this.solutionBtn.textContent = "Hide solution";
  }
}

/** The page's exercises and its progress, shown in the table of contents. */
class Board {
  constructor(page) {
    this.progress = loadProgress();
    this.exercises = page.cells
      .filter((c) => c.root.dataset.exercise === "true" && c.editor)
      .map((c) => new Exercise(c, this));
    this.showProgress();
  }

  record(id, passed) {
    const before = this.progress[id];
    this.progress[id] = passed || before === "passed" ? "passed" : "tried";
    saveProgress(this.progress);
    this.showProgress();
  }

  /** The id of the last heading (h2–h6 with an id) before `el` in the article. */
  static headingOf(el) {
    const headings = [...document.querySelectorAll("article h2[id], article h3[id], article h4[id], article h5[id], article h6[id]")];
    let found = null;
    for (const h of headings) {
      if (h.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING) found = h;
      else break;
    }
    return found?.id ?? null;
  }

  showProgress() {
    for (const old of document.querySelectorAll(".gd-toc-pass, .gd-ex-progress")) old.remove();
    const total = this.exercises.length;
    if (!total) return;
    const passed = this.exercises.filter((e) => this.progress[e.cell.id] === "passed").length;
    const summary = document.createElement("p");
    summary.className = "gd-ex-progress";
    summary.textContent = `${passed} of ${total} exercise${total === 1 ? "" : "s"} passed`;
    const toc = document.querySelector("nav.md-nav--secondary");
    if (toc) {
      const title = toc.querySelector(":scope > .md-nav__title");
      if (title) title.after(summary);
      else toc.prepend(summary);
    } else {
      this.exercises[0].cell.root.before(summary);
    }
    const byHeading = new Map();
    for (const e of this.exercises) {
      const h = Board.headingOf(e.cell.root);
      if (!h) continue;
      if (!byHeading.has(h)) byHeading.set(h, []);
      byHeading.get(h).push(e);
    }
    for (const [id, list] of byHeading) {
      if (!list.every((e) => this.progress[e.cell.id] === "passed")) continue;
      // material's instant navigation makes the TOC's hrefs absolute: compare their hashes
      const links = [...document.querySelectorAll("nav.md-nav--secondary a.md-nav__link")]
        .filter((a) => a.hash === `#${id}`);
      for (const link of links) {
        const mark = document.createElement("span");
        mark.className = "gd-toc-pass";
        mark.textContent = "✓";
        mark.title = list.length === 1 ? "Exercise passed" : "Exercises passed";
        const hidden = document.createElement("span");
        hidden.className = "gd-visually-hidden";
        hidden.textContent = list.length === 1 ? " (exercise passed)" : " (exercises passed)";
        mark.appendChild(hidden);
        (link.querySelector(".md-ellipsis") ?? link).appendChild(mark);
      }
    }
  }
}

/** Mount the exercises of a page (cells.js Page); main.js calls this for every page. */
export function mountExercises(page) {
  return new Board(page);
}
