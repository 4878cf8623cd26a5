// @ts-check
// The browser's localStorage for the cells' saved state (edits, their originals, exercise
// progress), never throwing: with storage full or disabled (private modes, policies) the
// page works the same, it just does not remember.
export const storage = {
  /** @param {string} key */
  get(key) {
    try {
      return localStorage.getItem(key);
    } catch {
      return null;
    }
  },
  /** @param {string} key @param {string | null} value null removes the key */
  set(key, value) {
    try {
      if (value == null) localStorage.removeItem(key);
      else localStorage.setItem(key, value);
    } catch {
      /* storage full or disabled: nothing is kept */
    }
  },
};
