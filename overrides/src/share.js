// Share an edit: "Copy link with my code" on an edited cell puts the cell's code into the
// URL fragment, `#gd-code=<cell id>:<payload>`, the payload being the UTF-8 code, deflated
// (fflate) and written in base64url. No server is involved. Opening such a link shows the
// shared code in that cell under a banner ("Shared code, not the page's"), never runs it by
// itself, and offers "Back to the original". A fragment that does not decode is ignored.
import { deflateSync, inflateSync, strFromU8, strToU8 } from "fflate";
import "./share.css";
import { copyLinkOrShow } from "./clipboard.js";
import { storage } from "./storage.js";
import { button } from "./button.js";

const PREFIX = "#gd-code=";
const MAX_CODE = 200_000; // characters: a longer decoded payload is refused as malformed

function toBase64Url(bytes) {
  let bin = "";
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64Url(text) {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new Error("not base64url");
  const bin = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes;
}

/** The fragment (with its "#") that carries `code` for cell `cellId`. */
export function encodeShare(cellId, code) {
  return `${PREFIX}${cellId}:${toBase64Url(deflateSync(strToU8(code), { level: 9 }))}`;
}

/** {cellId, code} from a fragment, or null when it is not a share link or is malformed. */
export function decodeShare(hash) {
  if (typeof hash !== "string" || !hash.startsWith(PREFIX)) return null;
  try {
    const rest = hash.slice(PREFIX.length);
    const colon = rest.indexOf(":");
    const cellId = rest.slice(0, colon);
    if (colon < 1 || !/^[a-z0-9][a-z0-9-]*$/.test(cellId)) return null;
    const code = strFromU8(inflateSync(fromBase64Url(rest.slice(colon + 1))));
    if (code.length > MAX_CODE) return null;
    return { cellId, code };
  } catch {
    return null; // bad base64, bad deflate data, bad UTF-8: not a link we made
  }
}

async function copyShareLink(cell, btn) {
  const url = `${location.href.split("#")[0]}${encodeShare(cell.id, cell.code())}`;
  btn.dataset.url = url;
  await copyLinkOrShow(cell, btn, url, {
    fieldClass: "gd-share-field", label: "Link with your code", copied: "Link with your code copied",
  });
}

function addShareButton(cell) {
  const bar = cell.root.querySelector(":scope > .gd-cell-bar");
  if (!bar || bar.querySelector(".gd-share")) return;
  const btn = button("Copy link with my code", "gd-share", () => copyShareLink(cell, btn));
  btn.title = "A link that opens this page with your code in this cell";
  const link = bar.querySelector(".gd-link");
  if (link) link.after(btn);
  else bar.appendChild(btn);
  const sync = () => (btn.hidden = !cell.root.classList.contains("gd-cell-edited"));
  sync();
  new MutationObserver(sync).observe(cell.root, { attributes: true, attributeFilter: ["class"] });
}

/** Show the shared code in its cell, under a banner; nothing runs. */
function openShared(page, shared) {
  const cell = page.cell(shared.cellId);
  if (!cell?.editor) return;
  // The shared code is shown, not saved over the reader's own edit: restore what was stored.
  const kept = storage.get(cell.key);
  cell.editor.setCode(shared.code);
  storage.set(cell.key, kept);
  cell.root.querySelector(":scope > .gd-share-banner")?.remove();
  const banner = document.createElement("div");
  banner.className = "gd-share-banner";
  banner.setAttribute("role", "note");
  const text = document.createElement("span");
  text.textContent = "Shared code, not the page's. It has not run: press Run to run it; the output below is the original's.";
  const back = button("Back to the original", "gd-share-back", () => {
    cell.reset();
    banner.remove();
    cell.root.classList.remove("gd-cell-shared");
    history.replaceState(null, "", `${location.pathname}${location.search}#${cell.id}`);
  });
  banner.append(text, back);
  cell.root.prepend(banner);
  cell.root.classList.add("gd-cell-shared");
  cell.root.scrollIntoView({ block: "center" });
}

/** Mount sharing on a page (cells.js Page); main.js calls this for every page. */
export function mountShare(page) {
  for (const cell of page.cells) if (cell.editor) addShareButton(cell);
  const shared = decodeShare(location.hash);
  if (shared) openShared(page, shared);
}
