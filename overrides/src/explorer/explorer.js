// One explorer: the loop "a control changed -> gdcore in the worker -> draw", and time
// (play, step, scrub). The settings live in state.js, the controls in controls.js, the views
// in views.js (drawing in draw.js and surface.js), the worker call in compute.js and "show
// code" in codepanel.js. The page draws; Python (gdcore.explore.explorer_update) computes.
// Before Python is ready the explorer draws the race the build pre-computed and says so.
import { CodePanel } from "./codepanel.js";
import { explorerUpdate, normalizeRun } from "./compute.js";
import { Controls } from "./controls.js";
import { el } from "./dom.js";
import { FALLBACK_COLOR, isDark, MAP_PAD, prepareGrid } from "./draw.js";
import { bindLoss, bindMap, bindSurface } from "./interact.js";
import { PHASE_RESOLUTION, phaseKey, preparePhaseGrid } from "./phase.js";
import { CUSTOM, ExplorerState } from "./state.js";
import { DEFAULT_SPEED, Views } from "./views.js";

const GRID_RESOLUTION = 96;
const SURFACE_VIEW = { azimuth: 30, elevation: 45 }; // the 3-D view's first angles (degrees)
const RUN_CACHE_LIMIT = 300;

let explorerCount = 0;

export class Explorer {
  constructor(root, runtime) {
    this.root = root;
    this.runtime = runtime;
    this.data = JSON.parse(root.dataset.payload);
    this.id = root.id || `explorer-${++explorerCount}`;
    this.catalog = this.data.catalog;
    this.defaults = this.data.options;
    this.state = new ExplorerState(this.catalog, this.defaults);
    this.grids = new Map(); // grid key (landscape, or the custom function) -> prepared grid
    this.cache = new Map(); // run key -> normalized run (only runs computed in this browser)
    this.rateGrids = new Map(); // phaseKey -> the momentum rate map (from the build or gdcore)
    this.speed = DEFAULT_SPEED;
    this.playing = false;
    this.seq = 0;
    this.inFlight = false;
    this.dirty = false;
    this.changeT0 = null;
    this.hover = null;
    this.hoverStep = null;
    this.crosshair = null;
    this.isolate = null;
    this.azimuth = SURFACE_VIEW.azimuth;
    this.elevation = SURFACE_VIEW.elevation;
    this.disposers = [];
    this.shownGrid = this.data.grid.name;
    this.grids.set(this.shownGrid, prepareGrid(this.data.grid));
    this.setRace(this.data.race, this.data.race.runs.map(normalizeRun), this.data.code);
    if (this.data.rate_grid) this.addRateGrid(this.data.rate_grid);
    const linked = this.readLink();
    this.active = this.defaultActive();
    this.build();
    this.resize();
    if (this.linkProblem) this.note(this.linkProblem, "error");
    else this.note("Showing the pre-computed run: loading Python… (changes are drawn when it is ready)", "loading");
    this.watchRuntime();
    if (linked) this.changed();
  }

  // --- state ----------------------------------------------------------------------------

  gridKey() {
    const st = this.state;
    return st.landscape === CUSTOM ? `custom:${JSON.stringify(st.fn)}` : st.landscape;
  }

  get grid() {
    return this.grids.get(this.shownGrid);
  }

  get code() {
    return this.race.code;
  }

  /** Show a race: `runs` already normalized (typed arrays), coloured as gdcore says. */
  setRace(race, runs, code) {
    const dark = isDark();
    this.race = {
      ...race,
      code,
      runs: runs.map((r) => {
        const o = this.state.find(r.optimizer);
        return { ...r, color: o ? o.color[dark ? "dark" : "light"] : FALLBACK_COLOR, dash: [] };
      }),
    };
  }

  /** The optimizer whose row is open on a phone: Momentum when its rate map is shown, else
   *  the first that races. */
  defaultActive() {
    const enabled = this.state.enabled();
    const momentum = this.state.phase && this.phaseAvailable() ? enabled.find((o) => o.name === "momentum") : null;
    return momentum ?? enabled[0] ?? null;
  }

  /** On a quadratic landscape (the only ones with optimal values) the rate map can be shown. */
  phaseAvailable() {
    const st = this.state;
    return st.landscape !== CUSTOM && Boolean(st.landscapeEntry()?.optimal?.length);
  }

  /** The key of the rate map the Momentum row would show now, or null (not a quadratic). */
  phaseGridKey() {
    if (!this.phaseAvailable()) return null;
    return phaseKey(this.state.landscape, this.state.find("momentum")?.values.weight_decay ?? 0);
  }

  addRateGrid(g) {
    this.rateGrids.set(phaseKey(g.landscape, g.weight_decay), preparePhaseGrid(g));
  }

  maxSteps() {
    return this.race.runs.reduce((m, r) => Math.max(m, r.n), 0);
  }

  currentStep() {
    const max = this.maxSteps();
    return this.state.step == null ? max : Math.min(this.state.step, max);
  }

  /** Settings from the page's URL fragment (#<id>?...), if it names this explorer. */
  readLink() {
    let opts;
    try {
      opts = this.state.parseFragment(window.location.hash, this.id);
    } catch (err) {
      this.linkProblem = `The link's explorer settings could not be read (${err.message}); showing this page's settings.`;
      return false;
    }
    if (!opts) return false;
    this.state.applyOptions(opts);
    return true;
  }

  // --- building the DOM -----------------------------------------------------------------

  build() {
    const root = this.root;
    root.classList.add("gd-explorer-live");
    this.views = new Views(this);
    this.controls = new Controls(this);
    this.codePanel = new CodePanel(this);
    this.noteEl = el("p", { class: "gd-x-note", role: "status", "aria-live": "polite" });
    const staticFig = root.querySelector(":scope > .gd-explorer-static");
    if (staticFig) staticFig.hidden = true;
    root.querySelector(":scope > .gd-explorer-note")?.remove();
    const v = this.views;
    root.append(
      this.noteEl,
      el("div", { class: "gd-x-main" }, v.mapBlock, this.controls.root, v.belowBlock),
      this.codePanel.bar,
      this.codePanel.panel,
    );
    this.controls.layoutRows();
    this.sync();
    this.views.setView(this.state.view);
    bindMap(this);
    bindSurface(this);
    bindLoss(this);
    const ro = new ResizeObserver(() => this.resize());
    ro.observe(v.mapBlock);
    this.disposers.push(() => ro.disconnect());
    const mo = new MutationObserver(() => this.themeChanged());
    mo.observe(document.body, { attributes: true, attributeFilter: ["data-md-color-scheme"] });
    this.disposers.push(() => mo.disconnect());
  }

  sync() {
    this.controls.sync();
    this.views.updatePlay(this.playing);
    this.root.dataset.start = this.state.start.join(",");
  }

  themeChanged() {
    this.setRace(this.race, this.race.runs, this.race.code);
    this.sync();
    this.draw();
    this.controls.drawSchedules(this.race.runs);
  }

  resize() {
    const width = Math.floor(this.views.mapBlock.clientWidth || 320);
    const [[xmin, xmax], [ymin, ymax]] = this.grid.domain;
    const aspect = Math.min(1.1, Math.max(0.6, (ymax - ymin) / (xmax - xmin)));
    const plotWidth = width - MAP_PAD.l - MAP_PAD.r;
    this.size = {
      width,
      height: Math.round(plotWidth * aspect) + MAP_PAD.t + MAP_PAD.b,
      lossHeight: Math.round(Math.min(220, Math.max(140, width * 0.36))),
    };
    this.draw();
  }

  draw() {
    this.views?.draw();
    this.controls?.drawPhase();
  }

  note(text, kind) {
    this.noteEl.textContent = text;
    this.noteEl.dataset.kind = kind;
    this.noteEl.hidden = !text;
    this.root.dataset.python = kind;
  }

  // --- what the controls call -----------------------------------------------------------

  /** Apply a change of the settings (`apply()`), then recompute; `o`: the optimizer touched. */
  change(apply, o = null) {
    apply();
    if (o) this.active = o;
    this.sync();
    this.changed();
  }

  setLandscape(name) {
    if (name === this.state.landscape) return;
    this.crosshair = null;
    this.change(() => this.state.setLandscape(name));
  }

  /** The reader's own f(x, y) (from the function panel). */
  setFunction(fn) {
    const d = fn.domain.flat();
    const status = this.controls.fnStatus;
    if (!fn.expression || d.some((v) => !Number.isFinite(v)) || !(d[0] < d[1] && d[2] < d[3])) {
      status.textContent = "Type f(x, y), and a domain with x from < to and y from < to.";
      status.dataset.kind = "error";
      return;
    }
    if (fn.gradient && fn.gradient.some((g) => !g)) {
      status.textContent = "Type both partial derivatives, or untick “use my gradient”.";
      status.dataset.kind = "error";
      return;
    }
    status.textContent = "Computing…";
    status.dataset.kind = "loading";
    this.change(() => {
      this.state.fn = fn;
      this.state.start = [...this.state.defaultStart()];
    });
  }

  tick(o, on) {
    this.change(() => this.state.tick(o, on), on ? o : null);
    if (on) this.controls.layoutRows();
    this.sync();
  }

  /** A button with an optimal value (on quadratics): set it and race that optimizer. */
  applyOptimal(o, params) {
    this.change(() => {
      for (const [k, v] of Object.entries(params)) this.state.setValue(o, k, v);
      o.enabled = true;
    }, o);
  }

  /** A point of the rate map: the heavy ball's learning rate and momentum. */
  setPhasePoint(o, lr, momentum) {
    this.change(() => {
      this.state.setValue(o, "lr", lr);
      this.state.setValue(o, "momentum", momentum);
    }, o);
  }

  /** Every hyperparameter of `o` back to gdcore's suggestion for this landscape. */
  useSuggested(o) {
    this.change(() => {
      o.values = this.state.suggested(o);
      o.own.clear();
    }, o);
  }

  /** The optimizer the inspector shows: the active one if it races, else the first. */
  inspectedName() {
    const enabled = this.state.enabled();
    return (enabled.includes(this.active) ? this.active : enabled[0])?.name ?? null;
  }

  setActive(o) {
    if (this.active === o) return;
    this.active = o;
    if (!this.state.inspect) return;
    const run = this.race.runs.find((r) => r.optimizer === o.class);
    if (run && !run.inspect) this.changed(); // its optimizer state is not here yet
    else this.draw();
  }

  setIsolate(r) {
    if (this.isolate === r) return;
    this.isolate = r;
    this.draw();
  }

  setStart([x, y]) {
    const [pxw, pxh] = this.T.pixel;
    const round = (v, p) => Number(v.toFixed(Math.max(0, -Math.floor(Math.log10(p)))));
    const start = [round(x, pxw), round(y, pxh)];
    if (this.crosshair) this.crosshair = [...start];
    this.views.mapHelp.textContent = `Start set to (${start[0]}, ${start[1]}).`;
    this.change(() => (this.state.start = start));
  }

  setView(view) {
    if (view === this.state.view) return;
    this.state.view = view;
    this.hover = null;
    this.crosshair = null;
    this.views.setView(view);
    this.draw();
  }

  reset() {
    this.pause();
    this.state.applyOptions(this.defaults);
    this.active = this.defaultActive();
    this.controls.layoutRows();
    this.views.setView(this.state.view);
    this.sync();
    this.changed();
  }

  /** A link to this explorer with its settings: into the address bar and the clipboard. */
  async copyLink() {
    const url = `${window.location.href.split("#")[0]}#${this.state.toFragment(this.id)}`;
    this.root.dataset.link = url;
    history.replaceState(history.state, "", url);
    const out = this.controls.linkOut;
    try {
      await navigator.clipboard.writeText(url);
      out.textContent = "Link copied.";
    } catch {
      out.textContent = "The address bar now holds the link: copy it from there.";
    }
  }

  clearHover() {
    if (!this.hover && this.hoverStep == null && this.views.tip.hidden) return;
    this.hover = null;
    this.hoverStep = null;
    this.views.tip.hidden = true;
    this.draw();
  }

  // --- time -----------------------------------------------------------------------------

  togglePlay() {
    if (this.playing) this.pause();
    else this.play();
  }

  /** Play from the current step at `speed` steps per second (from the start if at the end). */
  play() {
    const max = this.maxSteps();
    let pos = this.currentStep() >= max ? 0 : this.currentStep();
    this.state.step = pos;
    this.playing = true;
    this.views.updatePlay(true);
    let last = performance.now();
    const tick = (now) => {
      if (!this.playing) return;
      pos = Math.min(pos + (this.speed * (now - last)) / 1000, this.maxSteps());
      last = now;
      this.state.step = Math.floor(pos);
      this.draw();
      if (pos >= this.maxSteps()) this.pause();
      else this.frame = requestAnimationFrame(tick);
    };
    this.frame = requestAnimationFrame(tick);
  }

  pause() {
    this.playing = false;
    cancelAnimationFrame(this.frame);
    this.views?.updatePlay(false);
  }

  stepBy(delta) {
    this.setStep(this.currentStep() + delta);
  }

  setStep(k) {
    this.pause();
    this.state.step = Math.max(0, Math.min(this.maxSteps(), k));
    this.draw();
  }

  // --- computing ------------------------------------------------------------------------

  watchRuntime() {
    const rt = this.runtime;
    if (!rt) {
      this.note("Python is not available on this page: showing the pre-computed run.", "error");
      return;
    }
    this.disposers.push(rt.onStatus((s) => {
      if (s.state === "failed") this.note(s.label, "error");
      else if (!this.live && (s.state === "loading" || s.state === "deferred") && !this.linkProblem) this.note(`Showing the pre-computed run. ${s.label}`, "loading");
    }));
    // As soon as Python is ready, recompute the shown settings in the worker: this loads numpy
    // and gdcore there (so the reader's first change is fast) and replaces the rounded
    // pre-computed numbers with gdcore's exact ones.
    rt.ready().then((ok) => {
      if (ok && !this.destroyed && !this.inFlight) this.compute();
    });
    const start = () => rt.start();
    this.root.addEventListener("focusin", start, { once: true });
    this.root.addEventListener("pointerenter", start, { once: true });
  }

  /** The settings changed: recompute (coalescing changes while a computation is running). */
  changed() {
    if (this.changeT0 == null) this.changeT0 = performance.now();
    this.dirty = true;
    if (this.runtime && this.runtime.state !== "ready") this.note("Loading Python… your change is drawn when it is ready.", "loading");
    if (!this.inFlight) this.compute();
  }

  async compute() {
    if (!this.runtime) return;
    this.dirty = false;
    this.inFlight = true;
    this.root.dataset.busy = "true"; // a computation is running (tests wait for it to go)
    const seq = ++this.seq;
    const generation = this.runtime.generation;
    try {
      await this.computeOnce(seq);
    } catch (err) {
      if (this.destroyed) return;
      if (this.runtime.generation !== generation) {
        // Python was restarted (Stop, a crash): compute again what the controls show.
        this.note("Python was restarted: recomputing what the controls show…", "loading");
        this.dirty = (await this.runtime.ready()) || this.dirty;
      } else this.failed(err);
    } finally {
      this.inFlight = false;
    }
    if (this.dirty && !this.destroyed) this.compute();
    else delete this.root.dataset.busy;
  }

  async computeOnce(seq) {
    const st = this.state;
    const gridKey = this.gridKey();
    const needGrid = !this.grids.has(gridKey);
    if (this.cache.size > RUN_CACHE_LIMIT) this.cache.clear();
    // the inspector shows one run (the active optimizer's, else the first): only that one
    // carries its optimizer's state
    const specs = st.specs();
    const active = this.inspectedName();
    const inspected = specs.map((spec) => st.inspect && spec.optimizer === active);
    const keys = specs.map((spec, i) => st.runKey(spec, inspected[i]));
    const missing = keys.map((k, i) => (this.cache.has(k) ? -1 : i)).filter((i) => i >= 0);
    // the momentum rate map: once per landscape (and weight decay), while it is shown
    const rateKey = st.phase && st.find("momentum")?.enabled ? this.phaseGridKey() : null;
    const needRates = rateKey != null && !this.rateGrids.has(rateKey);
    const kwargs = st.updateKwargs(needGrid ? GRID_RESOLUTION : 0, missing, inspected.flatMap((on, i) => (on ? [i] : [])),
      needRates ? PHASE_RESOLUTION : 0);
    if (this.runtime.current) this.note("Waiting for the running cell… (the explorer computes right after it)", "waiting");
    const { out, ms } = await explorerUpdate(this.runtime, kwargs);
    if (this.destroyed) return;
    if (out.grid) this.grids.set(gridKey, prepareGrid(out.grid));
    if (out.rate_grid) this.addRateGrid(out.rate_grid);
    const runs = out.race.runs.map((run, i) => {
      if (run == null) return this.cache.get(keys[i]);
      const r = normalizeRun(run);
      this.cache.set(keys[i], r);
      return r;
    });
    if (!this.dirty && seq === this.seq) {
      this.shownGrid = gridKey;
      this.setRace(out.race, runs, out.code);
      this.reportFunction(out);
      this.afterRace(ms);
    }
    this.live = true;
    if (!this.dirty) this.note("", "ready");
  }

  /** Python raised: for the reader's own function say what is wrong there, else here. */
  failed(err) {
    const last = err.message.split("\n").filter(Boolean).slice(-1)[0] ?? err.message;
    this.root.dataset.error = err.message;
    if (this.state.landscape === CUSTOM && err.errorType === "ValueError") {
      const status = this.controls.fnStatus;
      status.textContent = `Your function: ${last.replace(/^ValueError: /, "")}`;
      status.dataset.kind = "error";
      this.note("Your function could not be drawn: see the message under it.", "error");
      return;
    }
    this.note(`Python error: ${last}`, "error");
  }

  /** Under the reader's own function: drawn, and how their gradient compares. */
  reportFunction(out) {
    if (this.state.landscape !== CUSTOM) return;
    const status = this.controls.fnStatus;
    const check = out.gradient_check;
    status.dataset.kind = check && !check.ok ? "error" : "ok";
    if (!check) status.textContent = "Drawn; the gradient comes from central differences.";
    else if (check.ok) status.textContent = `Your gradient agrees with central differences at all ${check.n_checked} points checked (largest error ${check.max_error.toExponential(1)}).`;
    else {
      const w = check.worst;
      const f = (v) => v.map((x) => Number(x.toPrecision(4))).join(", ");
      status.textContent = `Your gradient disagrees with central differences at ${check.n_bad} of ${check.n_checked} points. ` +
        `Worst at (${f(w.at)}): yours (${f(w.yours)}), numerical (${f(w.numerical)}). The explorer uses yours.`;
    }
    this.root.dataset.gradientCheck = check ? (check.ok ? "ok" : "wrong") : "none";
  }

  afterRace(pythonMs) {
    this.resize();
    this.controls.drawSchedules(this.race.runs);
    this.codePanel.sync();
    const total = this.changeT0 == null ? null : performance.now() - this.changeT0;
    this.changeT0 = null;
    this.root.dataset.redrawMs = total == null ? "" : total.toFixed(1);
    this.root.dataset.pythonMs = pythonMs.toFixed(1);
    this.root.dataset.revision = String(Number(this.root.dataset.revision || 0) + 1);
    this.root.dispatchEvent(new CustomEvent("gd-explorer-drawn", { detail: { ms: total, pythonMs } }));
  }

  destroy() {
    this.destroyed = true;
    this.pause();
    for (const d of this.disposers) d();
    this.codePanel?.destroy();
  }
}
