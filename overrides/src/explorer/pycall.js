// Calling gdcore in the Pyodide worker from the explorer: the `call` / `value` messages of
// protocol.js. Listens on the runtime's worker beside the runtime's own handler (which
// ignores ids it did not send). A worker restart while a call is pending rejects it.
import { MSG, message } from "../protocol.js";

let seq = 0;

export class PythonCallError extends Error {
  constructor(text, errorType) {
    super(text);
    this.errorType = errorType;
  }
}

/** Call gdcore function `fn` (dotted name) with JSON-able `args`; resolves {value, ms}. */
export async function callPython(runtime, fn, args) {
  const ok = await runtime.ready();
  if (!ok) throw new PythonCallError(runtime.failure || "Python could not be loaded", null);
  const worker = runtime.worker;
  const id = `explorer-${++seq}`;
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      worker.removeEventListener("message", onMessage);
      off();
    };
    const onMessage = (event) => {
      const msg = event.data;
      if (!msg || msg.id !== id) return;
      if (msg.type === MSG.VALUE) {
        cleanup();
        resolve({ value: msg.value, ms: msg.ms });
      } else if (msg.type === MSG.ERROR) {
        cleanup();
        reject(new PythonCallError(msg.text, msg.errorType));
      }
    };
    const off = runtime.onStatus(() => {
      if (runtime.worker !== worker) {
        cleanup();
        reject(new PythonCallError("Python was restarted", null));
      }
    });
    worker.addEventListener("message", onMessage);
    worker.postMessage(message(MSG.CALL, { id, fn, args: JSON.stringify(args) }));
  });
}
