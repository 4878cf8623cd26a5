// @ts-check
// Copy a link for the reader: to the clipboard, or, without clipboard access (an insecure
// context, a denied permission), into a selected read-only field beside the button.
/**
 * @param {{root: Element, say: (text: string) => void}} cell
 * @param {HTMLElement} btn the button pressed (the field goes beside it)
 * @param {string} url
 * @param {{fieldClass: string, label: string, copied: string}} how
 */
export async function copyLinkOrShow(cell, btn, url, { fieldClass, label, copied }) {
  try {
    await navigator.clipboard.writeText(url);
    cell.say(copied);
  } catch {
    let field = /** @type {HTMLInputElement | null} */ (cell.root.querySelector(`.${fieldClass}`));
    if (!field) {
      field = document.createElement("input");
      field.className = fieldClass;
      field.readOnly = true;
      field.setAttribute("aria-label", label);
      btn.parentElement?.appendChild(field);
    }
    field.value = url;
    field.focus();
    field.select();
    cell.say("Press Ctrl+C to copy the link");
  }
}
