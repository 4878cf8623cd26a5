// The Web Worker that owns the Python interpreter (Pyodide). Speaks the protocol of
// protocol.js; the page never blocks on Python. Bundled by esbuild as a classic worker
// (IIFE), so Pyodide's pyodide.js is loaded with importScripts from the configured indexURL.
import { LIMITS, MSG, PHASE, message } from "./protocol.js";

const RUNTIME_DIR = "/tmp/gdcore_runtime";

// Python side of the worker: stream pumps (batched, capped) around cellrun.run_cell.
const PY_SETUP = `
import os, sys, time
os.environ.setdefault("MPLBACKEND", "Agg")
sys.path.insert(0, ${JSON.stringify(RUNTIME_DIR)})
import cellrun
import _gdcore_bridge as _bridge

class _Pump:
    def __init__(self, kind, run_id):
        self.kind, self.run_id = kind, run_id
        self.buf, self.size, self.sent, self.total = [], 0, 0, 0
        self.last = time.monotonic()

    def write(self, text):
        n = len(text)
        self.total += n
        room = ${LIMITS.workerBytes} - self.sent
        if room <= 0:
            return
        if n > room:
            text, n = text[:room], room
        self.sent += n
        self.buf.append(text)
        self.size += n
        if self.size >= ${LIMITS.flushChars} or time.monotonic() - self.last >= ${LIMITS.flushMs / 1000}:
            self.flush()

    def flush(self):
        if self.buf:
            text = "".join(self.buf)
            self.buf, self.size = [], 0
            _bridge.emit(self.kind, self.run_id, text)
        self.last = time.monotonic()

_gd_ns = cellrun.new_namespace()
_gd_named = {}  # separate namespaces by name (protocol.js: run.namespace)

def _gd_reset():
    global _gd_ns
    _gd_ns = cellrun.new_namespace()
    _gd_named.clear()

def _gd_warm_matplotlib():
    # Import pyplot once, outside any cell, so the one-off "building the font cache"
    # warning never lands in a reader's output (the build does not show it either).
    import contextlib, io
    with contextlib.redirect_stderr(io.StringIO()), contextlib.redirect_stdout(io.StringIO()):
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot  # noqa: F401
    plt = sys.modules.get("matplotlib.pyplot")
    if plt is not None:
        plt.close("all")

def _gd_run(code, cell_id, run_id, name=None):
    out, err = _Pump("stdout", run_id), _Pump("stderr", run_id)
    ns = _gd_ns if name is None else _gd_named.setdefault(name, cellrun.new_namespace())
    t0 = time.perf_counter()
    try:
        res = cellrun.run_cell(code, ns, cell_id, on_stdout=out.write, on_stderr=err.write)
    except KeyboardInterrupt:
        res = None
    finally:
        out.flush()
        err.flush()
    ms = (time.perf_counter() - t0) * 1000
    sizes = {"ms": ms, "stdout_chars": out.total, "stderr_chars": err.total}
    if res is None or res.error_type == "KeyboardInterrupt":
        return {"interrupted": True, **sizes}
    return {
        "interrupted": False,
        "result": res.result,
        "error": res.error,
        "error_type": res.error_type,
        "figures": [dict(f) for f in res.figures],
        **sizes,
    }
`;

let pyodide = null;
let runPy = null;
let resetPy = null;
let queue = Promise.resolve();
let warmedMatplotlib = false;

const post = (type, fields) => self.postMessage(message(type, fields));
const status = (phase, text, progress = null) => post(MSG.STATUS, { phase, text, progress });

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

// loadPyodide never settles when a file it downloads fails (Pyodide 0.27 logs "wasm
// instantiation failed!" and waits forever). So while it runs, a failed download (network
// error or HTTP error status) rejects at once with the file's name, and Run can retry.
async function failFast(load) {
  const realFetch = self.fetch;
  let fail;
  const failed = new Promise((_, reject) => (fail = reject));
  self.fetch = async (input, options) => {
    const url = String(input?.url ?? input);
    const name = url.split("/").pop();
    try {
      const response = await realFetch(input, options);
      if (!response.ok) fail(new Error(`cannot download ${name}: HTTP ${response.status}`));
      return response;
    } catch (err) {
      fail(new Error(`cannot download ${name}: ${err?.message ?? err}`));
      throw err;
    }
  };
  try {
    return await Promise.race([load(), failed]);
  } finally {
    self.fetch = realFetch;
  }
}

async function init({ indexURL, wheelURL, cellrunURL, interruptBuffer }) {
  const t0 = performance.now();
  status(PHASE.LOADING, "Loading Python…", 0.05);
  // cellrun.py and gdcore's wheel download while Pyodide loads.
  const download = (url, read) =>
    fetch(url).then(
      (r) => {
        if (!r.ok) throw new Error(`cannot download ${url.split("/").pop()}: HTTP ${r.status}`);
        return read(r);
      },
      (err) => {
        throw new Error(`cannot download ${url.split("/").pop()}: ${err?.message ?? err}`);
      },
    );
  const cellrunSource = download(cellrunURL, (r) => r.text());
  const wheelBytes = download(wheelURL, (r) => r.arrayBuffer());
  cellrunSource.catch(() => {}); // awaited below; do not report as unhandled meanwhile
  wheelBytes.catch(() => {});
  try {
    importScripts(new URL("pyodide.js", indexURL).href);
  } catch {
    throw new Error(`cannot download pyodide.js from ${indexURL}`);
  }
  pyodide = await failFast(() => self.loadPyodide({ indexURL }));
  const t1 = performance.now();
  status(PHASE.LOADING, "Installing gdcore…", 0.8);
  if (interruptBuffer) pyodide.setInterruptBuffer(interruptBuffer);
  pyodide.registerJsModule("_gdcore_bridge", {
    emit: (kind, id, text) => post(kind === "stderr" ? MSG.STDERR : MSG.STDOUT, { id, text }),
  });
  // A pure-Python wheel needs no dependency resolution: unpack it into site-packages (numpy
  // is loaded on demand, when a cell imports gdcore).
  // (Pyodide's loadPackage takes ~0.4 s more, mostly in importlib.invalidate_caches(): only
  // the site-packages finder needs to forget its directory listing.)
  const purelib = pyodide.runPython("import site; site.getsitepackages()[0]");
  pyodide.unpackArchive(new Uint8Array(await wheelBytes), "wheel", { extractDir: purelib });
  pyodide.globals.set("_gd_purelib", purelib);
  pyodide.runPython(`
import importlib.util, sys
_finder = sys.path_importer_cache.get(_gd_purelib)
if _finder is not None:
    _finder.invalidate_caches()
if importlib.util.find_spec("gdcore") is None:
    raise ImportError("gdcore's wheel did not install")
del _finder, _gd_purelib
`);
  const t2 = performance.now();
  pyodide.FS.mkdirTree(RUNTIME_DIR);
  pyodide.FS.writeFile(`${RUNTIME_DIR}/cellrun.py`, await cellrunSource);
  pyodide.runPython(PY_SETUP);
  runPy = pyodide.globals.get("_gd_run");
  resetPy = pyodide.globals.get("_gd_reset");
  const t3 = performance.now();
  const timings = { loadPyodide: t1 - t0, wheel: t2 - t1, setup: t3 - t2 };
  post(MSG.STATUS, { phase: PHASE.READY, text: "Python is ready", progress: 1, timings });
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
  const wanted = extraPackages(code).filter((name) => !(name in pyodide.loadedPackages));
  if (wanted.length) await pyodide.loadPackage(wanted, options);
  await pyodide.loadPackagesFromImports(code, options);
  if ("matplotlib" in pyodide.loadedPackages && !warmedMatplotlib) {
    warmedMatplotlib = true;
    pyodide.runPython("_gd_warm_matplotlib()");
  }
  if (announced) status(PHASE.READY, "Python is ready", 1);
}

async function run({ id, cellId, code, namespace = null }) {
  try {
    await loadPackagesFor(code, id);
    const proxy = runPy(code, cellId, id, namespace);
    const res = proxy.toJs({ dict_converter: Object.fromEntries });
    proxy.destroy();
    if (res.interrupted) {
      post(MSG.INTERRUPTED, { id });
    } else {
      if (res.result != null) post(MSG.RESULT, { id, text: res.result });
      if (res.error != null) post(MSG.ERROR, { id, text: res.error, errorType: res.error_type, fatal: false });
      for (const fig of res.figures) post(MSG.FIGURE, { id, png: fig.png_base64, alt: fig.alt });
    }
    post(MSG.DONE, { id, ms: res.ms, stdoutChars: res.stdout_chars, stderrChars: res.stderr_chars });
  } catch (err) {
    const fatal = isFatal(err);
    post(MSG.ERROR, { id, text: String(err?.message ?? err), errorType: null, fatal });
    if (!fatal) post(MSG.DONE, { id, ms: 0, stdoutChars: 0, stderrChars: 0 });
  }
}

// `call` (see protocol.js): a gdcore function on JSON arguments, outside the cell namespace.
let callPy = null;
const CALL_PY = `
def _gd_call(fn, args):
    import importlib, json
    module, _, name = fn.rpartition(".")
    return getattr(importlib.import_module(module), name)(*json.loads(args))
_gd_call
`;

async function call({ id, fn, args }) {
  try {
    if (!/^gdcore(\.[A-Za-z_][A-Za-z0-9_]*)+$/.test(fn)) throw new Error(`call: not a gdcore function: ${fn}`);
    if (!("numpy" in pyodide.loadedPackages)) await pyodide.loadPackage(["numpy"], { messageCallback: () => {} });
    callPy ??= pyodide.runPython(CALL_PY);
    const t0 = performance.now();
    const res = callPy(fn, args);
    const value = res?.toJs ? res.toJs({ dict_converter: Object.fromEntries }) : res;
    res?.destroy?.();
    post(MSG.VALUE, { id, value, ms: performance.now() - t0 });
  } catch (err) {
    post(MSG.ERROR, { id, text: String(err?.message ?? err), errorType: err?.type ?? null, fatal: isFatal(err) });
  }
}

async function handle(msg) {
  switch (msg.type) {
    case MSG.INIT:
      return init(msg);
    case MSG.RUN:
      return run(msg);
    case MSG.RESET_NAMESPACE:
      return resetPy?.();
    case MSG.CALL:
      return call(msg);
    default:
      throw new Error(`worker: unknown message type ${msg.type}`);
  }
}

self.onmessage = (event) => {
  const msg = event.data;
  queue = queue
    .then(() => handle(msg))
    .catch((err) => {
      const fatal = msg.type === MSG.INIT || isFatal(err);
      // The page shows the message to the reader; the stack goes to the worker's console.
      if (fatal) console.warn(err);
      post(MSG.ERROR, { id: msg.id ?? null, text: String(err?.message ?? err), errorType: null, fatal });
    });
};
