// @ts-check
// The Web Worker that owns the Python interpreter (Pyodide): the JavaScript half. It loads
// Pyodide, gdcore's wheel, cellrun.py and pyworker.py (the Python half, which runs cells and
// calls and writes their answers), loads the packages a request needs, and hands each request
// to pyworker as JSON. Every message in and out is checked against protocol.js. Bundled by
// esbuild as a classic worker (IIFE): pyodide.js is loaded with importScripts.
/* global loadPyodide */
import { LIMITS, MSG, PHASE, message, parse } from "./protocol.js";

const RUNTIME_DIR = "/tmp/gdcore_runtime";

/** @type {any} */ let pyodide = null;
/** @type {any} */ let py = null; // pyworker.Worker
let queue = Promise.resolve();
let warmedMatplotlib = false;
let drewFigure = false;
let waiting = 0; // runs and calls received and not finished: the background gives way to them
let booted = () => {};
const bootDone = new Promise((resolve) => (booted = resolve)); // init finished (never rejects)
const loading = new Map(); // package name -> its loadPackage promise, while being loaded

const post = (type, fields) => self.postMessage(message(type, fields));
const status = (phase, text, progress = null) => post(MSG.STATUS, { phase, text, progress });
const errorText = (err) => String(err?.message ?? err);

// A fatal error leaves the interpreter unusable (a wasm trap such as "memory access out of
// bounds", out of memory, an abort): the page must replace this worker.
function isFatal(err) {
  if (err?.pyodide_fatal_error) return true;
  const text = String(err);
  if (text.includes("fatally failed") || text.includes("suffered a fatal error")) return true;
  if (!pyodide || err?.type) return false; // err.type: a PythonError, the interpreter is fine
  try {
    pyodide.runPython("None");
    return false;
  } catch {
    return true;
  }
}

const downloadError = (url, why) => new Error(`cannot download ${String(url).split("/").pop()}: ${why}`);

// loadPyodide never settles when a file it downloads fails (Pyodide 0.27 logs "wasm
// instantiation failed!" and waits forever). So while it runs, a failed download (network
// error or HTTP error status) rejects at once with the file's name, and Run can retry.
async function failFast(load) {
  const realFetch = self.fetch;
  let fail = (_err) => {};
  const failed = new Promise((_, reject) => (fail = reject));
  self.fetch = async (input, options) => {
    const url = input?.url ?? input;
    try {
      const response = await realFetch(input, options);
      if (!response.ok) fail(downloadError(url, `HTTP ${response.status}`));
      return response;
    } catch (err) {
      fail(downloadError(url, errorText(err)));
      throw err;
    }
  };
  try {
    return await Promise.race([load(), failed]);
  } finally {
    self.fetch = realFetch;
  }
}

/** Start a download at once; the promise is awaited later (and never reported unhandled). */
function download(url, read) {
  const p = fetch(url).then(
    (r) => {
      if (!r.ok) throw downloadError(url, `HTTP ${r.status}`);
      return read(r);
    },
    (err) => {
      throw downloadError(url, errorText(err));
    },
  );
  p.catch(() => {});
  return p;
}

// A pure-Python wheel needs no dependency resolution: unpack it into site-packages (numpy is
// loaded on demand). Pyodide's loadPackage takes ~0.4 s more, mostly in
// importlib.invalidate_caches(): only the site-packages finder needs to forget its listing.
function installWheel(bytes) {
  const purelib = pyodide.runPython("import site; site.getsitepackages()[0]");
  pyodide.unpackArchive(new Uint8Array(bytes), "wheel", { extractDir: purelib });
  const sys = pyodide.pyimport("sys");
  sys.path_importer_cache.get(purelib)?.invalidate_caches();
  if (!pyodide.pyimport("importlib.util").find_spec("gdcore")) throw new Error("gdcore's wheel did not install");
}

/** @param {import("./protocol.js").InitMessage} msg */
async function init(msg) {
  const t0 = performance.now();
  status(PHASE.LOADING, "Loading Python…", 0.05);
  // our Python files and gdcore's wheel download while Pyodide loads
  const sources = [msg.cellrun_url, msg.pyworker_url].map((url) => download(url, (r) => r.text()));
  const wheelBytes = download(msg.wheel_url, (r) => r.arrayBuffer());
  try {
    importScripts(new URL("pyodide.js", msg.index_url).href);
  } catch {
    throw new Error(`cannot download pyodide.js from ${msg.index_url}`);
  }
  pyodide = await failFast(() => loadPyodide({ indexURL: msg.index_url }));
  const t1 = performance.now();
  status(PHASE.LOADING, "Installing gdcore…", 0.8);
  if (msg.interrupt_buffer) pyodide.setInterruptBuffer(msg.interrupt_buffer);
  installWheel(await wheelBytes);
  const t2 = performance.now();
  pyodide.FS.mkdirTree(RUNTIME_DIR);
  const [cellrun, pyworker] = await Promise.all(sources);
  pyodide.FS.writeFile(`${RUNTIME_DIR}/cellrun.py`, cellrun);
  pyodide.FS.writeFile(`${RUNTIME_DIR}/pyworker.py`, pyworker);
  pyodide.pyimport("sys").path.insert(0, RUNTIME_DIR);
  // pyworker answers with JSON text: checked here, then posted to the page
  const answer = (text) => self.postMessage(parse(JSON.parse(text)));
  py = pyodide.pyimport("pyworker").Worker(answer, pyodide.toPy(LIMITS));
  const timings = { load_pyodide: t1 - t0, wheel: t2 - t1, setup: performance.now() - t2 };
  post(MSG.STATUS, { phase: PHASE.READY, text: "Python is ready", progress: 1, timings });
  booted();
}

/** Load `names` once: a name already being loaded (by preload) is awaited, not loaded again. */
function loadShared(names, options) {
  const fresh = names.filter((n) => !(n in pyodide.loadedPackages) && !loading.has(n));
  if (fresh.length) {
    const p = pyodide.loadPackage(fresh, options).finally(() => fresh.forEach((n) => loading.delete(n)));
    for (const n of fresh) loading.set(n, p);
  }
  return Promise.all(names.map((n) => loading.get(n)).filter(Boolean));
}

function warmMatplotlib() {
  if (warmedMatplotlib || !("matplotlib" in pyodide.loadedPackages)) return;
  warmedMatplotlib = true;
  pyodide.pyimport("pyworker").warm_matplotlib();
}

// The first figure of a session costs ~250 ms more than the next ones (pyworker.warm_figure):
// paid in the background, unless a run or call is waiting (it would wait for this).
function warmFigure() {
  if (drewFigure || waiting || !warmedMatplotlib) return;
  drewFigure = true;
  pyodide.pyimport("pyworker").warm_figure();
}

// While Pyodide boots, fetch the wheels of numpy and matplotlib (and their dependencies) into
// the HTTP cache, so that loadPackage finds them there instead of downloading them after boot.
async function prefetch(indexURL, names) {
  const lock = await (await fetch(new URL("pyodide-lock.json", indexURL))).json();
  const seen = new Set();
  const visit = (name) => {
    const pkg = lock.packages[name];
    if (!pkg || seen.has(name)) return;
    seen.add(name);
    for (const dep of pkg.depends ?? []) visit(dep);
  };
  names.forEach(visit);
  await Promise.all([...seen].map((n) => fetch(new URL(lock.packages[n].file_name, indexURL)).then((r) => r.arrayBuffer())));
}

/** @param {import("./protocol.js").PreloadMessage} msg */
async function preload(msg, indexURL) {
  const extra = extraPackages(msg.code);
  if (indexURL && extra.length) prefetch(indexURL, extra).catch(() => {}); // only a head start
  await bootDone;
  const quiet = { messageCallback: () => {}, errorCallback: (text) => console.warn(text) };
  try {
    if (extra.includes("numpy")) {
      await loadShared(["numpy"], quiet);
      pyodide.runPython("import gdcore, numpy");
    }
    if (extra.includes("matplotlib")) {
      await loadShared(["matplotlib"], quiet);
      warmMatplotlib();
      warmFigure();
    }
    await pyodide.loadPackagesFromImports(msg.code, quiet);
  } catch (err) {
    console.warn(`gdcore: preload: ${errorText(err)}`); // a Run loads what it needs and reports
  }
}

// Packages a cell needs beyond what loadPackagesFromImports sees: gdcore needs numpy, and
// gdcore.plot (gd.plot, imported lazily) needs matplotlib.
function extraPackages(code) {
  const extra = [];
  if (/\b(gdcore|gd)\b/.test(code)) extra.push("numpy");
  if (/\b(plot|plt|pyplot|matplotlib|gplot)\b/.test(code)) extra.push("matplotlib");
  return extra;
}

async function loadPackagesFor(code, id) {
  let announced = false;
  const options = {
    // Pyodide reports "Loading numpy, ..." before fetching anything: show it as progress.
    messageCallback: (text) => {
      if (text.startsWith("Loading ")) {
        announced = true;
        status(PHASE.PACKAGES, `${text}…`, null);
      }
    },
    errorCallback: (text) => post(MSG.STDERR, { id, text: `${text}\n` }),
  };
  await loadShared(extraPackages(code), options);
  await pyodide.loadPackagesFromImports(code, options);
  warmMatplotlib();
  if (announced) status(PHASE.READY, "Python is ready", 1);
}

/** @param {import("./protocol.js").RunMessage} msg */
async function run(msg) {
  try {
    await loadPackagesFor(msg.code, msg.id);
    py.handle(JSON.stringify(msg)); // posts stdout/stderr and done
  } catch (err) {
    const fatal = isFatal(err);
    post(MSG.ERROR, { id: msg.id, text: errorText(err), fatal });
    if (!fatal) post(MSG.DONE, { id: msg.id, cell: null, stdout_chars: 0, stderr_chars: 0 });
  }
}

/** @param {import("./protocol.js").CallMessage} msg */
async function call(msg) {
  await loadShared(["numpy"], { messageCallback: () => {} });
  py.handle(JSON.stringify(msg)); // posts value or error
}

/** @param {import("./protocol.js").Request} msg */
async function handle(msg) {
  if (msg.type === MSG.INIT) return init(msg);
  if (!py) throw new Error(`${msg.type} before init`);
  if (msg.type === MSG.RUN) return run(msg);
  if (msg.type === MSG.CALL) return call(msg);
  if (msg.type === MSG.RESET_NAMESPACE) return py.handle(JSON.stringify(msg));
  throw new Error(`the worker does not handle ${msg.type} messages`);
}

// A cell can reach the worker's globals (`import js; js.close()`): closing the worker would
// leave the page waiting for answers forever, so the page is told at once and replaces it.
const realClose = self.close.bind(self);
self.close = () => {
  post(MSG.ERROR, { id: null, text: "the code closed the Python worker (js.close())", fatal: true });
  realClose();
};

let indexURL = "";
self.onmessage = (event) => {
  let msg;
  try {
    msg = /** @type {import("./protocol.js").Request} */ (parse(event.data));
  } catch (err) {
    // Not a message of ours (null, a typo, a stray postMessage): say so and go on.
    post(MSG.ERROR, { id: null, text: `worker: ignored a message: ${errorText(err)}`, fatal: false });
    return;
  }
  if (msg.type === MSG.INIT) indexURL = msg.index_url;
  if (msg.type === MSG.PRELOAD) {
    preload(msg, indexURL); // in the background, beside the queue (never throws)
    return;
  }
  const counted = msg.type === MSG.RUN || msg.type === MSG.CALL;
  if (counted) waiting += 1;
  queue = queue.then(() =>
    handle(msg)
      .catch((err) => {
        const fatal = msg.type === MSG.INIT || isFatal(err);
        if (fatal) console.warn(err); // the page shows the message; the stack goes here
        const id = "id" in msg ? msg.id : null;
        post(MSG.ERROR, { id, text: errorText(err), fatal });
      })
      .finally(() => {
        if (counted) waiting -= 1;
      }),
  );
};
