// "Take it home": the page's downloads (overrides/partials/actions.html writes the
// `.gd-downloads` group with the build's "Download notebook" link on pages with cells).
// This module adds "Download my code (.py)": the reader's current code of every cell of the
// page, edited or not (setup cells too, marked), in page order, each after a `# %% [cell-id]`
// line (the percent format that VS Code, Spyder, PyCharm and Jupytext read as cells).
// The code comes from cells.js's public side: `Page.cells`, each with `id`, `setup` and
// `code()` (the editor's current text, or the original while the cell has no editor).
import "./downloads.css";

const SETUP_NOTE = "# Setup cell (hidden on the page): it runs before the others.";

/** The site's wheel of gdcore, absolute (from #gd-config, relative to the page), or "". */
function wheelURL() {
  try {
    const raw = JSON.parse(document.getElementById("gd-config").textContent);
    return new URL(raw.wheelURL, document.baseURI).href;
  } catch {
    return "";
  }
}

/**
 * The .py text of a page's cells.
 * @param {{id: string, setup: boolean, code: () => string}[]} cells in page order
 * @param {{title: string, url: string, wheel: string}} about
 */
export function pyText(cells, about) {
  const head = [
    `# Your code from "${about.title}", ${about.url}`,
    `# Saved ${new Date().toISOString().slice(0, 10)}. Cells run top to bottom in one namespace.`,
  ];
  if (about.wheel) head.push(`# It needs gdcore, the course's library: pip install ${about.wheel}`);
  const body = cells.map((c) => {
    const code = c.code().replace(/\s+$/, "");
    return `# %% [${c.id}]\n${c.setup ? `${SETUP_NOTE}\n` : ""}${code}\n`;
  });
  return `${head.join("\n")}\n\n${body.join("\n")}`;
}

function save(text, name) {
  const url = URL.createObjectURL(new Blob([text], { type: "text/x-python" }));
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  a.hidden = true;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

/**
 * Add the .py button to this page's downloads (idempotent: safe on every `document$`).
 * @param {() => ({cells: {id: string, setup: boolean, code: () => string}[]} | null)} getPage
 *   the current cells.js Page, looked up when the reader clicks
 */
export function mountDownloads(getPage) {
  const group = document.querySelector(".gd-downloads");
  if (!group || group.querySelector(".gd-download-py")) return;
  const b = document.createElement("button");
  b.type = "button";
  b.className = "gd-download gd-download-py";
  b.title = "Your code of every cell on this page (edited or not) as one Python file";
  b.textContent = "Download my code (.py)";
  b.addEventListener("click", () => {
    const cells = getPage()?.cells ?? [];
    const title = document.querySelector(".md-content h1")?.textContent.replace(/¶$/, "").trim() || document.title;
    const about = { title, url: location.href.split("#")[0], wheel: wheelURL() };
    save(pyText(cells, about), group.dataset.pyName || "cells.py");
  });
  group.appendChild(b);
}
