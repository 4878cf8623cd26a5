// @ts-check
// The Web Worker that owns the Python interpreter (Pyodide): the JavaScript half. It loads
// Pyodide, gdcore's wheel, cellrun.py and pyworker.py (the Python half, which runs cells and
// calls and writes their answers), loads the packages a request needs, and hands each request
// to pyworker as JSON. Every message in and out is checked against protocol.js. Bundled by
// esbuild as a classic worker (IIFE): pyodide.js is loaded with importScripts.
/* global loadPyodide */
import { LIMITS, MSG, PHASE, message, parse } from "./protocol.js";
import { extraPackages, withDependencies } from "./packages.js";

const RUNTIME_DIR = "/tmp/gdcore_runtime";
// A download that receives no data for this long is abandoned with a readable error (a host
// that stops answering, a wheel that never arrives). Generous: on a slow connection data still
// trickles; no byte for 30 s means the connection is gone. Cold load here: ~2.5 s on localhost.
const STALL_MS = 30000;

/** @type {any} */ let pyodide = null;
/** @type {any} */ let py = null; // pyworker.Worker
/** @type {any} */ let vitalSigns = null; // pyworker.vital_signs
let queue = Promise.resolve();
let warmedMatplotlib = false;
let purelib = ""; // site-packages (installWheel)
let fontList = null; // the text of matplotlib's font cache, until it is written (installFontList)
let drewFigure = false;
let waiting = 0; // runs and calls received and not finished: the background gives way to them
let booted = () => {};
const bootDone = new Promise((resolve) => (booted = resolve)); // init finished (never rejects)
const loading = new Map(); // package name -> its loadPackage promise, while being loaded

// Python code reaches this worker's globals (`import js`): the postMessage it can call is a
// harmless one, and the real one lives only in this closure. So a cell cannot end a run,
// answer a call or change the page's status by posting a message of its own (issue 14, 8c).
const realPost = self.postMessage.bind(self);
function postMessage() {
  console.warn("gdcore: a postMessage from the reader's code was ignored");
}
self.postMessage = postMessage;
Object.getPrototypeOf(self).postMessage = postMessage; // DedicatedWorkerGlobalScope.prototype

const post = (type, fields) => realPost(message(type, fields));
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

const fileName = (url) => String(url).split("?")[0].split("/").pop();
const downloadError = (url, why) => new Error(`cannot download ${fileName(url)}: ${why}`);

// Every download of the worker (Pyodide's own, packages, our files) goes through watchedFetch:
// no data for STALL_MS aborts it; a failure is recorded (`failures`) and reported to `onFailure`
// (failFast, while Pyodide loads); bytes received are reported as loading progress; a wasm
// served with the wrong MIME type (a misconfigured host) is given the right one.
const realFetch = self.fetch.bind(self);
const failures = []; // texts of failed downloads Pyodide asked for, in order
let onFailure = (_err) => {};
let received = 0; // bytes received while Pyodide loads (progress)
let wasmSize = 0;
let lastProgress = 0;

function progressed(file, bytes, size) {
  if (pyodide) return;
  received += bytes;
  if (file === "pyodide.asm.wasm") wasmSize = size;
  const now = performance.now();
  if (now - lastProgress < 500) return;
  lastProgress = now;
  const mb = (received / 1e6).toFixed(1);
  const fraction = wasmSize ? Math.min(0.75, 0.05 + (0.7 * received) / (wasmSize * 1.4)) : null;
  status(PHASE.LOADING, `Loading Python… (${mb} MB)`, fraction);
}

async function watchedFetch(input, options = {}, record = true) {
  const url = String(input?.url ?? input);
  const file = fileName(url);
  const controller = new AbortController();
  let timer = 0;
  const stall = () => {
    clearTimeout(timer);
    const armed = performance.now();
    timer = setTimeout(() => {
      // a timer this late means this worker was busy (a synchronous step), not the network
      if (performance.now() - armed > 1.5 * STALL_MS) stall();
      else controller.abort(new Error(`no data arrived for ${STALL_MS / 1000} s`));
    }, STALL_MS);
  };
  const failed = (err) => {
    clearTimeout(timer);
    let why = controller.signal.aborted ? errorText(controller.signal.reason) : errorText(err);
    // a download checked against its sha256 (Pyodide's packages) fails as "Failed to fetch"
    if (options.integrity && !controller.signal.aborted) why = "it failed or arrived damaged";
    const error = downloadError(url, why);
    if (record) {
      failures.push(error.message);
      onFailure(error);
    }
    return error;
  };
  stall();
  let response;
  try {
    response = await realFetch(input, { ...options, signal: controller.signal });
  } catch (err) {
    throw failed(err);
  }
  if (!response.ok || !response.body) {
    clearTimeout(timer);
    if (!response.ok) failed(`HTTP ${response.status}`);
    return response;
  }
  const headers = new Headers(response.headers);
  if (file.endsWith(".wasm") && !/^application\/wasm\b/.test(headers.get("content-type") || "")) {
    headers.set("content-type", "application/wasm");
  }
  const size = Number(headers.get("content-length")) || 0;
  const reader = response.body.getReader();
  const body = new ReadableStream({
    async pull(ctl) {
      try {
        const { done, value } = await reader.read();
        if (done) {
          clearTimeout(timer);
          ctl.close();
          return;
        }
        stall();
        progressed(file, value.byteLength, size);
        ctl.enqueue(value);
      } catch (err) {
        ctl.error(failed(err));
      }
    },
    cancel(reason) {
      clearTimeout(timer);
      return reader.cancel(reason);
    },
  });
  return new Response(body, { status: response.status, statusText: response.statusText, headers });
}
self.fetch = (input, options) => watchedFetch(input, options);

// loadPyodide never settles when its wasm cannot start (Pyodide 0.27 logs "wasm instantiation
// failed!" and waits forever: truncated or corrupt bytes, a wrong MIME type) or when a file it
// downloads fails. So while it runs, a failed download or a failed instantiation rejects at
// once with the file's name and the reason, and Run can retry.
async function failFast(load) {
  let fail = (_err) => {};
  const failed = new Promise((_, reject) => (fail = reject));
  onFailure = fail;
  const real = { instantiate: WebAssembly.instantiate, instantiateStreaming: WebAssembly.instantiateStreaming };
  const guard = (fn) =>
    async function (...args) {
      try {
        return await fn.apply(WebAssembly, args);
      } catch (err) {
        console.warn(err); // the details, for the console; the page says it in plain words
        fail(new Error("pyodide.asm.wasm arrived damaged or incomplete"));
        throw err;
      }
    };
  WebAssembly.instantiate = guard(real.instantiate);
  if (real.instantiateStreaming) WebAssembly.instantiateStreaming = guard(real.instantiateStreaming);
  try {
    return await Promise.race([load(), failed]);
  } finally {
    onFailure = () => {};
    Object.assign(WebAssembly, real);
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
  purelib = pyodide.runPython("import site; site.getsitepackages()[0]");
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
  // only a speed-up (without it matplotlib builds its font list itself): a failed download is
  // not recorded, so it never fails the load or a run
  watchedFetch(msg.fontlist_url, {}, false)
    .then((r) => (r.ok ? r.text() : null))
    .then((text) => (fontList = text), () => {});
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
  const pyworkerModule = pyodide.pyimport("pyworker");
  py = pyworkerModule.Worker(answer, pyodide.toPy(LIMITS));
  vitalSigns = pyworkerModule.vital_signs;
  checkHealth(); // the interpreter's vital signs as they are before any reader's code
  const timings = { load_pyodide: t1 - t0, wheel: t2 - t1, setup: performance.now() - t2 };
  post(MSG.STATUS, { phase: PHASE.READY, text: "Python is ready", progress: 1, timings });
  booted();
}

// pyworker answers with JSON text through `answer`, checked here. Only the request being
// handled may be answered, and only with output (posted at once) or its one final answer
// (done, value or error), which is posted when py.handle() returns: the last one wins, and
// pyworker writes the genuine one last. So Python code that finds pyworker's Worker and posts
// through it cannot end a run early, answer another request or send a status.
const FINAL = new Set([MSG.DONE, MSG.VALUE, MSG.ERROR]);
/** @type {{id: number | string | null, final: any} | null} */ let handling = null;

function answer(text) {
  let msg;
  try {
    msg = parse(JSON.parse(text));
  } catch (err) {
    console.warn(`gdcore: dropped an answer from Python (${errorText(err)})`);
    return;
  }
  if (!handling || !("id" in msg) || msg.id !== handling.id) return;
  if (msg.type === MSG.STDOUT || msg.type === MSG.STDERR) realPost(msg);
  else if (FINAL.has(msg.type)) handling.final = msg;
}

/** Hand one request to pyworker; returns its final answer (or null). */
function handleInPython(msg) {
  handling = { id: "id" in msg ? msg.id : null, final: null };
  try {
    py.handle(JSON.stringify(msg));
    return handling.final;
  } finally {
    handling = null;
  }
}

// The health check (issue 14, 8b): pyworker.vital_signs() names what a cell must not replace
// (builtins, modules in sys.modules, time's clocks, cellrun's, pyworker's and gdcore's
// functions) with an identity each. The first value seen for a name is its healthy one; a
// name that later changes or disappears means the reader's code damaged the interpreter for
// every later cell, so the page is told (a damage message) and restarts it on the next page.
const healthy = new Map();
let damageReported = false;

function checkHealth() {
  let signs;
  try {
    signs = JSON.parse(vitalSigns());
  } catch (err) {
    const last = errorText(err).trim().split("\n").pop();
    if (last.startsWith("KeyboardInterrupt")) return []; // a Stop that came late: check next time
    return [`the health check itself (${last})`];
  }
  const damaged = [];
  for (const [name, value] of Object.entries(signs)) {
    if (String(value).startsWith("foreign:")) damaged.push(name);
    else if (!healthy.has(name)) healthy.set(name, value);
    else if (healthy.get(name) !== value) damaged.push(name);
  }
  for (const name of healthy.keys()) if (!(name in signs)) damaged.push(name);
  return damaged;
}

function reportDamage() {
  if (damageReported || !vitalSigns) return;
  const damaged = checkHealth();
  if (!damaged.length) return;
  damageReported = true;
  const shown = damaged.slice(0, 3).join(", ") + (damaged.length > 3 ? ` and ${damaged.length - 3} more` : "");
  post(MSG.DAMAGE, { text: shown });
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

// Pyodide 0.27.7's matplotlib ships a font cache (matplotlib/fontlist.json) made by another
// matplotlib version, so its first import rebuilds the font list, parsing every font file:
// 0.3-0.5 s each session. Ours (overrides/runtime/matplotlib-fontlist.json, what this
// matplotlib builds; tests/site/test_fontlist.py) replaces it after the package is installed
// and before anything imports it.
function installFontList() {
  if (fontList === null || !("matplotlib" in pyodide.loadedPackages)) return;
  pyodide.FS.writeFile(`${purelib}/matplotlib/fontlist.json`, fontList);
  fontList = null;
}

function warmMatplotlib() {
  installFontList();
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
// Not recorded as failures: only a head start (loadPackage downloads and reports).
async function prefetch(indexURL, names) {
  const get = (file) => watchedFetch(new URL(file, indexURL).href, {}, false);
  const lock = await (await get("pyodide-lock.json")).json();
  const files = withDependencies(names, lock).map((n) => lock.packages[n].file_name);
  await Promise.all(files.map((file) => get(file).then((r) => r.arrayBuffer())));
}

/** @param {import("./protocol.js").PreloadMessage} msg */
async function preload(msg, indexURL) {
  const extra = extraPackages(msg.code);
  if (indexURL && extra.length) prefetch(indexURL, extra).catch(() => {}); // only a head start
  await bootDone;
  if (!pyodide) return; // init failed
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

/** A package the request needs could not be downloaded: the page reports a load failure. */
class DownloadError extends Error {}

async function loadPackagesFor(code, id) {
  let announced = false;
  const before = failures.length;
  const options = {
    // Pyodide reports "Loading numpy, ..." before fetching anything: show it as progress.
    messageCallback: (text) => {
      if (text.startsWith("Loading ")) {
        announced = true;
        status(PHASE.PACKAGES, `${text}…`, null);
      }
    },
    // Pyodide's own wording of a failed package ("Failed to load ..."): the cell's stderr,
    // unless a download failed, which the page reports in plain words instead
    errorCallback: (text) => failures.length === before && id != null && post(MSG.STDERR, { id, text: `${text}\n` }),
  };
  await loadShared(extraPackages(code), options);
  await pyodide.loadPackagesFromImports(code, options);
  if (failures.length > before) throw new DownloadError(failures[before]);
  warmMatplotlib(); // the font cache first, then pyplot (if matplotlib is loaded)
  if (announced) status(PHASE.READY, "Python is ready", 1);
}

const notRun = (msg, err, fatal) => {
  const errorType = err instanceof DownloadError ? "DownloadError" : null;
  post(MSG.ERROR, { id: msg.id, text: errorText(err), error_type: errorType, fatal });
};

/** @param {import("./protocol.js").RunMessage} msg */
async function run(msg) {
  let final;
  try {
    await loadPackagesFor(msg.code, msg.id);
    final = handleInPython(msg); // posts stdout/stderr; returns done
  } catch (err) {
    const fatal = !(err instanceof DownloadError) && isFatal(err);
    notRun(msg, err, fatal);
    if (fatal) return;
  }
  reportDamage();
  realPost(final ?? message(MSG.DONE, { id: msg.id, cell: null, stdout_chars: 0, stderr_chars: 0 }));
}

/** @param {import("./protocol.js").CallMessage} msg */
async function call(msg) {
  try {
    await loadPackagesFor("import numpy", null);
  } catch (err) {
    notRun(msg, err, false);
    return;
  }
  const final = handleInPython(msg); // value or error
  reportDamage();
  if (final) realPost(final);
  else post(MSG.ERROR, { id: msg.id, text: "the call was not answered", error_type: null, fatal: false });
}

/** @param {import("./protocol.js").Request} msg */
async function handle(msg) {
  if (msg.type === MSG.INIT) return init(msg);
  if (!py) throw new Error(`${msg.type} before init`);
  if (msg.type === MSG.RUN) return run(msg);
  if (msg.type === MSG.CALL) return call(msg);
  if (msg.type === MSG.RESET_NAMESPACE) return handleInPython(msg);
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
