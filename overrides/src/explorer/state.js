// The explorer's settings: landscape, start, steps, noise, view, current step, the step
// inspector and the momentum rate map (on or off) and, per
// optimizer, whether it races, its hyperparameters and its schedule. Knows the suggested
// values gdcore sends in the catalog (explore.suggested_hyperparameters) and which values
// the reader set on this landscape; reads and writes the settings as a URL fragment.

export const CUSTOM = "custom"; // the landscape name of the reader's own f(x, y)
export const DEFAULT_FUNCTION = Object.freeze({
  expression: "x**2 + 3*y**2 + sin(3*x)",
  gradient: null,
  domain: [[-3, 3], [-3, 3]],
});
// A custom function has no suggestions of its own: the bowl's (a plain quadratic) stand in.
const CUSTOM_SUGGESTIONS_FROM = "bowl";
const VIEWS = ["map", "surface"];

export class ExplorerState {
  constructor(catalog, options) {
    this.catalog = catalog;
    this.controls = catalog.controls;
    this.schedules = catalog.schedules.map((s) => s.name);
    this.optimizers = catalog.optimizers.map((o, index) => ({
      ...o,
      index,
      enabled: false,
      values: {},
      own: new Set(), // hyperparameters the reader (or the page) set on this landscape
      schedule: "constant",
    }));
    this.applyOptions(options);
  }

  landscapeEntry(name = this.landscape) {
    return this.catalog.landscapes.find((l) => l.name === name);
  }

  find(name) {
    const key = String(name).toLowerCase();
    return this.optimizers.find((o) => o.name === key || o.class.toLowerCase() === key);
  }

  enabled() {
    return this.optimizers.filter((o) => o.enabled);
  }

  /** The suggested hyperparameters of optimizer `o` on the current landscape (from gdcore). */
  suggested(o) {
    const entry = this.landscapeEntry(this.landscape === CUSTOM ? CUSTOM_SUGGESTIONS_FROM : this.landscape);
    return { ...entry.suggested[o.name] };
  }

  isSuggested(o, key) {
    return o.values[key] === this.suggested(o)[key];
  }

  get domain() {
    return this.landscape === CUSTOM ? this.fn.domain : this.landscapeEntry().domain;
  }

  /** Settings from a page's explorer block or a link (validated by the build / by parse). */
  applyOptions(opts) {
    this.landscape = opts.landscape;
    this.fn = opts.function ? { ...opts.function } : { ...DEFAULT_FUNCTION };
    this.start = [...(opts.start ?? this.defaultStart())];
    this.steps = opts.steps;
    this.noise = opts.noise ?? 0;
    this.seed = opts.seed ?? 0;
    this.view = opts.view ?? "map";
    this.step = opts.step ?? null; // the current step (null: the end of the race)
    this.inspect = Boolean(opts.inspect);
    this.phase = Boolean(opts.phase); // the momentum row's rate map over (lr, momentum)
    for (const o of this.optimizers) {
      o.enabled = false;
      o.own.clear();
      o.values = this.suggested(o);
      o.schedule = "constant";
    }
    for (const spec of opts.optimizers) {
      const o = this.find(spec.optimizer);
      if (!o || o.enabled) continue;
      o.enabled = true;
      for (const [k, v] of Object.entries(spec)) {
        if (k === "schedule") {
          o.schedule = v;
        } else if (k === "betas" && Array.isArray(v)) {
          [o.values.beta1, o.values.beta2] = v;
          o.own.add("beta1").add("beta2");
        } else if (k in o.values) {
          o.values[k] = v;
          o.own.add(k);
        }
      }
    }
  }

  defaultStart() {
    if (this.landscape !== CUSTOM) return this.landscapeEntry().start;
    const [[xmin, xmax], [ymin, ymax]] = this.fn.domain;
    const r = (v) => Number(v.toPrecision(3));
    return [r(xmin + 0.15 * (xmax - xmin)), r(ymin + 0.85 * (ymax - ymin))];
  }

  /** A new landscape: the default start, and every optimizer's suggested values. */
  setLandscape(name) {
    this.landscape = name;
    this.start = [...this.defaultStart()];
    this.step = null;
    for (const o of this.optimizers) {
      o.own.clear(); // values set on the previous landscape do not carry over
      o.values = this.suggested(o);
    }
  }

  /** Tick or untick an optimizer; a newly ticked one gets the suggested values, except the
   *  ones the reader set on this landscape. */
  tick(o, on) {
    o.enabled = on;
    if (!on) return;
    const s = this.suggested(o);
    for (const k of Object.keys(o.values)) if (!o.own.has(k)) o.values[k] = s[k];
  }

  setValue(o, key, value) {
    o.values[key] = value;
    o.own.add(key);
  }

  /** The run specs for Python: lr always, other hyperparameters when not the default. */
  specs() {
    return this.enabled().map((o) => {
      const spec = { optimizer: o.name };
      for (const [k, v] of Object.entries(o.values)) {
        if (k === "lr" || v !== o.params[k].default) spec[k] = v;
      }
      if (o.schedule !== "constant") spec.schedule = o.schedule;
      return spec;
    });
  }

  /** What makes a run: its spec, every shared setting and whether it carries the optimizer's
   *  state for the inspector (a key of the page's run cache). */
  runKey(spec, inspected) {
    const fn = this.landscape === CUSTOM ? this.fn : null;
    return JSON.stringify([this.landscape, fn, this.start, this.steps, this.noise, this.seed, inspected, spec]);
  }

  /** The keyword arguments of gdcore.explore.explorer_update for these settings; `inspect`:
   *  the indices of the runs whose optimizer state the inspector needs; `rateGrid`: the
   *  resolution of the momentum rate map to compute (0: none). */
  updateKwargs(gridResolution, compute, inspect, rateGrid = 0) {
    const kwargs = {
      landscape: this.landscape,
      runs: this.specs(),
      x0: this.start,
      steps: this.steps,
      grid_resolution: gridResolution,
      compute,
      inspect,
      noise: this.noise,
      seed: this.seed,
    };
    if (this.landscape === CUSTOM) kwargs.function = this.fn;
    if (rateGrid) kwargs.rate_grid = rateGrid;
    return kwargs;
  }

  // --- the URL fragment: #<explorer id>?landscape=...&start=...&opt=adam:lr=0.05,... -------

  toFragment(id) {
    const p = new URLSearchParams();
    p.set("landscape", this.landscape);
    p.set("start", this.start.join(","));
    p.set("steps", String(this.steps));
    p.set("opt", this.enabled().map((o) => {
      const kv = Object.entries(o.values).map(([k, v]) => `${k}=${v}`);
      if (o.schedule !== "constant") kv.push(`schedule=${o.schedule}`);
      return `${o.name}:${kv.join(",")}`;
    }).join(";"));
    if (this.noise) p.set("noise", String(this.noise));
    if (this.seed) p.set("seed", String(this.seed));
    if (this.view !== "map") p.set("view", this.view);
    if (this.step != null) p.set("step", String(this.step));
    if (this.inspect) p.set("inspect", "1");
    if (this.phase) p.set("phase", "1");
    if (this.landscape === CUSTOM) {
      p.set("f", this.fn.expression);
      if (this.fn.gradient) p.set("grad", this.fn.gradient.join(";"));
      p.set("domain", this.fn.domain.flat().join(","));
    }
    // readable: keep the separators of the values (: , ; =) as they are
    const enc = (v) => encodeURIComponent(v).replace(/%3A/g, ":").replace(/%2C/g, ",").replace(/%3B/g, ";").replace(/%3D/g, "=");
    return `${id}?${[...p].map(([k, v]) => `${k}=${enc(v)}`).join("&")}`;
  }

  /**
   * Settings from a fragment written by toFragment, or null if `hash` is not for explorer
   * `id`. Throws an Error saying what is wrong when it is for this explorer but malformed.
   */
  parseFragment(hash, id) {
    const raw = String(hash).replace(/^#/, "");
    const q = raw.indexOf("?");
    if (q < 0 || raw.slice(0, q) !== id) return null; // "#<id>" alone is a plain anchor
    const p = new URLSearchParams(raw.slice(q + 1));
    const num = (name, v) => {
      const x = Number(v);
      if (v == null || v === "" || !Number.isFinite(x)) throw new Error(`${name} is not a number`);
      return x;
    };
    const inRange = (name, v, spec) => {
      if (!(v >= spec.min && v <= spec.max)) throw new Error(`${name} = ${v} is out of range`);
      return v;
    };
    const opts = { landscape: p.get("landscape") };
    if (opts.landscape === CUSTOM) {
      const d = (p.get("domain") || "").split(",").map((v) => num("domain", v));
      if (d.length !== 4 || !(d[0] < d[1] && d[2] < d[3])) throw new Error("bad domain");
      const grad = p.get("grad");
      const gradient = grad ? grad.split(";") : null;
      if (gradient && gradient.length !== 2) throw new Error("bad gradient");
      if (!p.get("f")) throw new Error("no function");
      opts.function = { expression: p.get("f"), gradient, domain: [[d[0], d[1]], [d[2], d[3]]] };
    } else if (!this.landscapeEntry(opts.landscape)) {
      throw new Error(`unknown landscape ${opts.landscape}`);
    }
    const domain = opts.function ? opts.function.domain : this.landscapeEntry(opts.landscape).domain;
    opts.start = (p.get("start") || "").split(",").map((v) => num("start", v));
    if (opts.start.length !== 2) throw new Error("start needs two numbers");
    opts.start.forEach((v, i) => inRange("start", v, { min: domain[i][0], max: domain[i][1] }));
    opts.steps = inRange("steps", num("steps", p.get("steps")), this.controls.steps);
    if (!Number.isInteger(opts.steps)) throw new Error("steps must be whole");
    opts.optimizers = this.parseOptimizers(p.get("opt") || "", num, inRange);
    opts.noise = p.has("noise") ? inRange("noise", num("noise", p.get("noise")), this.controls.noise) : 0;
    opts.seed = p.has("seed") ? inRange("seed", num("seed", p.get("seed")), this.controls.seed) : 0;
    if (!Number.isInteger(opts.seed)) throw new Error("seed must be whole");
    opts.view = p.get("view") || "map";
    if (!VIEWS.includes(opts.view)) throw new Error(`unknown view ${opts.view}`);
    if (p.has("step")) {
      opts.step = num("step", p.get("step"));
      if (!Number.isInteger(opts.step) || opts.step < 0) throw new Error("bad step");
    }
    opts.inspect = p.get("inspect") === "1";
    opts.phase = p.get("phase") === "1";
    return opts;
  }

  parseOptimizers(text, num, inRange) {
    const seen = new Set();
    return text.split(";").filter(Boolean).map((part) => {
      const [name, rest = ""] = part.split(":");
      const o = this.find(name);
      if (!o || seen.has(o.name)) throw new Error(`unknown or repeated optimizer ${name}`);
      seen.add(o.name);
      const spec = { optimizer: o.name };
      for (const kv of rest.split(",").filter(Boolean)) {
        const [k, v] = kv.split("=");
        if (k === "schedule") {
          if (!this.schedules.includes(v)) throw new Error(`unknown schedule ${v}`);
          spec.schedule = v;
        } else if (k in o.params) {
          spec[k] = inRange(k, num(k, v), o.params[k]);
        } else throw new Error(`unknown hyperparameter ${k}`);
      }
      return spec;
    });
  }
}
