// Small DOM and number helpers shared by the explorer's modules.

/** document.createElement with attributes ("class", "text", "on<event>", others) and children. */
export const el = (tag, attrs = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v == null || v === false) continue;
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? "" : v);
  }
  node.append(...children.filter((c) => c != null));
  return node;
};

/** A number for reading: `digits` significant digits, exponent form when very large or small. */
export const fmt = (v, digits = 4) => {
  if (v == null || !Number.isFinite(v)) return String(v);
  if (v !== 0 && (Math.abs(v) >= 1e5 || Math.abs(v) < 1e-3)) return v.toExponential(digits - 1);
  return String(Number(v.toPrecision(digits)));
};

/** A pair of numbers "(x, y)". */
export const fmtPair = (x, y, digits = 4) => `(${fmt(x, digits)}, ${fmt(y, digits)})`;

/** Three significant digits (the log-scaled sliders' values). */
export const nice = (v) => Number(Number(v).toPrecision(3));
