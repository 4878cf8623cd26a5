// @ts-check
// Which Pyodide packages a page's code needs, defined once for the worker (what to preload)
// and the page (how much a deferred load will download, runtime.js).

/**
 * Packages a cell needs beyond what Pyodide's loadPackagesFromImports sees: gdcore needs
 * numpy, and gdcore.plot (gd.plot, imported lazily) needs matplotlib.
 * @param {string} code
 * @returns {string[]}
 */
export function extraPackages(code) {
  const extra = [];
  if (/\b(gdcore|gd)\b/.test(code)) extra.push("numpy");
  if (/\b(plot|plt|pyplot|matplotlib|gplot)\b/.test(code)) extra.push("matplotlib");
  return extra;
}

/**
 * Every package of pyodide-lock.json that `code` needs (extraPackages, the top-level modules
 * it imports, and their dependencies).
 * @param {string} code
 * @param {{packages: Record<string, {depends?: string[], imports?: string[], file_name: string}>}} lock
 * @returns {string[]}
 */
export function packagesFor(code, lock) {
  const byImport = new Map();
  for (const [name, pkg] of Object.entries(lock.packages)) {
    for (const mod of pkg.imports ?? []) byImport.set(mod, name);
  }
  const wanted = extraPackages(code);
  for (const m of code.matchAll(/^[ \t]*(?:import|from)[ \t]+([A-Za-z_]\w*)/gm)) {
    if (byImport.has(m[1])) wanted.push(byImport.get(m[1]));
  }
  return withDependencies(wanted, lock);
}

/**
 * `names` and every package they depend on, as pyodide-lock.json lists them (names it does
 * not know are left out).
 * @param {string[]} names
 * @param {{packages: Record<string, {depends?: string[]}>}} lock
 * @returns {string[]}
 */
export function withDependencies(names, lock) {
  const seen = new Set();
  const visit = (name) => {
    const pkg = lock.packages[name];
    if (!pkg || seen.has(name)) return;
    seen.add(name);
    for (const dep of pkg.depends ?? []) visit(dep);
  };
  names.forEach(visit);
  return [...seen];
}
