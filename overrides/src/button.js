// @ts-check
// The front end's one button: a <button type="button" class="gd-btn …"> with a label and a
// click handler, used by cells, exercises, shared links and the updates banner.

/**
 * @param {string} label
 * @param {string} className  extra classes after "gd-btn"
 * @param {(event: MouseEvent) => void} onClick
 */
export function button(label, className, onClick) {
  const b = document.createElement("button");
  b.type = "button";
  b.className = `gd-btn ${className}`;
  b.textContent = label;
  b.addEventListener("click", onClick);
  return b;
}
