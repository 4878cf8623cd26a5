"""Math rendered at build time: every formula of a page typeset by KaTeX, in Node.

``pymdownx.arithmatex`` (generic mode) writes ``<span class="arithmatex">\\(...\\)</span>``
and ``<div class="arithmatex">\\[...\\]</div>``. :class:`MathRenderer` replaces each one's
content with KaTeX's markup (HTML for the eye, MathML for screen readers), so a page's math
reads without JavaScript; ``assets/katex/katex.min.css`` (and its fonts) style it. The
browser's auto-render in ``overrides/main.html`` stays only as a fallback for an element
that arrives without ``.katex`` inside (none, normally).

One ``node`` process per build (started at the first page with math, closed at the end of
the build) runs ``node_modules/katex``; each page sends it all its formulas at once, as one
JSON line, and reads one JSON line back. Results are cached by formula text, in memory (a
``mkdocs serve`` rebuild) and in ``.cache/math/`` (``GDCORE_MATH_CACHE`` overrides), one
JSON file per KaTeX version and option set. A formula KaTeX cannot parse fails the build,
naming the page and the formula.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from .sources import CACHE, ROOT

KATEX_DIR = ROOT / "node_modules" / "katex"
# KaTeX's options, the same for every formula (part of the cache's name).
OPTIONS = {"throwOnError": True, "output": "htmlAndMathml", "strict": "ignore"}

# arithmatex's generic output: an element whose whole content is escaped TeX in \( \) or \[ \].
_MATH = re.compile(
    r'<(?P<tag>span|div) class="arithmatex">(?P<body>[^<]*)</(?P=tag)>'
)

# Node's side: read JSON lines [[tex, display], ...], answer one JSON line per request:
# [{"html": ...} | {"error": ...}, ...] in the same order.
_NODE_SCRIPT = r"""
const katex = require(process.argv[1]);
const options = JSON.parse(process.argv[2]);
const readline = require("readline");
const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
rl.on("line", (line) => {
  const out = JSON.parse(line).map(([tex, display]) => {
    try {
      return { html: katex.renderToString(tex, { ...options, displayMode: display }) };
    } catch (e) {
      return { error: String(e && e.message || e) };
    }
  });
  process.stdout.write(JSON.stringify(out) + "\n");
});
"""


class MathError(Exception):
    """A formula KaTeX cannot render (the message names it and says why)."""


def katex_version() -> str:
    return json.loads((KATEX_DIR / "package.json").read_text())["version"]


def split_delimiters(body: str) -> tuple[str, bool]:
    """The TeX inside one arithmatex element and whether it is display math."""
    tex = html.unescape(body).strip()
    if tex.startswith("\\(") and tex.endswith("\\)"):
        return tex[2:-2].strip(), False
    if tex.startswith("\\[") and tex.endswith("\\]"):
        return tex[2:-2].strip(), True
    # generic mode writes environments (\begin{align}...) without \[ \]
    return tex, True


class MathRenderer:
    """KaTeX for one build (or one ``mkdocs serve`` session): the Node process and caches."""

    def __init__(self, cache_dir: Path | None = None) -> None:
        self.cache_dir = Path(
            cache_dir or os.environ.get("GDCORE_MATH_CACHE") or CACHE / "math"
        )
        key = hashlib.sha256(
            json.dumps([katex_version(), OPTIONS], sort_keys=True).encode()
        ).hexdigest()[:16]
        self.cache_file = self.cache_dir / f"katex-{katex_version()}-{key}.json"
        self.memory: dict[str, str] = {}
        self._loaded = self._dirty = False
        self._proc: subprocess.Popen[str] | None = None
        self.rendered = self.cached = self.pages = 0
        self.seconds = 0.0

    # -- cache ------------------------------------------------------------------------------
    @staticmethod
    def _key(tex: str, display: bool) -> str:
        return ("D" if display else "I") + tex

    def _load(self) -> None:
        if self._loaded:
            return
        self._loaded = True
        try:
            self.memory.update(json.loads(self.cache_file.read_text()))
        except (OSError, ValueError):
            pass  # no cache yet (or a torn one): render again

    def save(self) -> None:
        """Write the disk cache if this build rendered anything new (atomically)."""
        if not self._dirty:
            return
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.cache_dir, suffix=".tmp")
        with os.fdopen(fd, "w") as f:
            json.dump(self.memory, f, separators=(",", ":"))
        os.replace(tmp, self.cache_file)
        self._dirty = False

    # -- node -------------------------------------------------------------------------------
    def _node(self) -> subprocess.Popen[str]:
        if self._proc is None or self._proc.poll() is not None:
            node = shutil.which("node")
            if node is None:
                raise MathError("KaTeX needs Node.js: install node (and run `npm ci`).")
            if not (KATEX_DIR / "package.json").exists():
                raise MathError(f"{KATEX_DIR} is missing: run `npm ci`.")
            self._proc = subprocess.Popen(
                [node, "-e", _NODE_SCRIPT, str(KATEX_DIR), json.dumps(OPTIONS)],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, encoding="utf-8",
            )
        return self._proc

    def close(self) -> None:
        """End the Node process (the next page starts a new one)."""
        proc, self._proc = self._proc, None
        if proc is not None:
            proc.stdin.close()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    def render_many(self, formulas: list[tuple[str, bool]]) -> list[str | Exception]:
        """KaTeX's HTML for each (tex, display), or a :class:`MathError` for one it rejects."""
        self._load()
        missing = list(dict.fromkeys(
            f for f in formulas if self._key(*f) not in self.memory
        ))
        errors: dict[str, str] = {}
        if missing:
            start = time.perf_counter()
            proc = self._node()
            proc.stdin.write(json.dumps(missing) + "\n")
            proc.stdin.flush()
            line = proc.stdout.readline()
            if not line:
                self.close()
                raise MathError("the KaTeX process (node) ended without answering")
            for f, answer in zip(missing, json.loads(line), strict=True):
                if "html" in answer:
                    self.memory[self._key(*f)] = answer["html"]
                    self._dirty = True
                else:
                    errors[self._key(*f)] = answer["error"]
            self.rendered += len(missing)
            self.seconds += time.perf_counter() - start
        self.cached += len(formulas) - len(missing)
        out: list[str | Exception] = []
        for tex, display in formulas:
            k = self._key(tex, display)
            out.append(MathError(errors[k]) if k in errors else self.memory[k])
        return out

    # -- pages ------------------------------------------------------------------------------
    def render_page(self, output: str, where: str) -> str:
        """The page's HTML with every arithmatex element typeset. Raises :class:`MathError`
        naming ``where`` and each formula KaTeX rejects."""
        matches = list(_MATH.finditer(output))
        if not matches:
            return output
        self.pages += 1
        formulas = [split_delimiters(m.group("body")) for m in matches]
        results = self.render_many(formulas)
        bad = [(f, r) for f, r in zip(formulas, results, strict=True) if isinstance(r, Exception)]
        if bad:
            lines = "\n".join(
                f"  {'display' if d else 'inline'} formula {tex!r}: {err}" for (tex, d), err in bad
            )
            raise MathError(
                f"{where}: KaTeX cannot render {len(bad)} formula(s):\n{lines}\n"
                "Fix the TeX in the page (or docstring); KaTeX's supported functions: "
                "https://katex.org/docs/supported.html"
            )
        parts: list[str] = []
        last = 0
        for m, rendered in zip(matches, results, strict=True):
            parts.append(output[last:m.start()])
            tag = m.group("tag")
            parts.append(f'<{tag} class="arithmatex">{rendered}</{tag}>')
            last = m.end()
        parts.append(output[last:])
        return "".join(parts)

    def summary(self) -> str:
        return (f"gdcore math: {self.rendered} formula(s) typeset by KaTeX "
                f"({self.seconds:.2f} s), {self.cached} from cache, on {self.pages} pages")
