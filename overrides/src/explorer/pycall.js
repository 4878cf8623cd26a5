// @ts-check
// Calling gdcore in the Pyodide worker from the explorer: a thin wrapper of Runtime.call
// (protocol.js: the `call` / `value` messages), kept so that the explorer imports one name.
import { PythonCallError } from "../runtime.js";

export { PythonCallError };

/**
 * Call gdcore function `fn` (a dotted name) with keyword arguments `kwargs` (the Python
 * parameter names); resolves {value, ms}, rejects with a PythonCallError.
 * @param {import("../runtime.js").Runtime} runtime
 * @param {string} fn
 * @param {object} kwargs
 */
export function callPython(runtime, fn, kwargs) {
  return runtime.call(fn, kwargs);
}
