"""MkDocs hook: ``pycell`` code cells, pre-rendered at build time, plus the site's static assets.

What it does, in build order:

``on_config``
    Registers the ``pycell`` custom fence of ``pymdownx.superfences`` (validator + formatter
    below; ``mkdocs.yml`` lists the fence, this hook supplies the functions), works out the
    gdcore wheel's name and a hash of gdcore's source.
``on_files``
    Keeps our build-only sources (``overrides/hooks``, ``overrides/runtime``, ``overrides/src``)
    out of the site.
formatter (during Markdown conversion)
    Turns each cell into the HTML of the cell contract (``div.gd-cell`` with the JSON source,
    the highlighted static code and an output placeholder). Option problems are recorded and
    reported per page.
``on_page_content``
    Runs the page's cells in document order, in CPython, in one namespace, through
    ``overrides/runtime/cellrun.py`` (the module the browser runs too), and fills the outputs
    in, HTML-escaped. Outputs are cached on disk; an unexpected exception, or an expected one
    that did not happen, fails the build naming the page, the cell and the traceback.
``on_post_build``
    Copies into ``site/assets/``: ``gdcore/cellrun.py``, ``gdcore/wheels/gdcore-*.whl`` (built
    in-process with hatchling, cached by source hash) and KaTeX (``katex/``, from
    ``node_modules``).

Cache: ``.cache/cells/`` at the repository root (``GDCORE_CELL_CACHE`` overrides), one JSON
file per cell, keyed by the hash of every executed cell of the page up to and including it
(ids and code), gdcore's source, ``cellrun.py`` and the Python/numpy/matplotlib versions. A
page is one namespace, so a miss anywhere re-runs that page from its first cell.

Environment: ``GDCORE_CELL_LOG=/path`` appends one line ``run|cached <TAB> page <TAB> id`` per
cell (the tests use it to prove that every cell executes and that a warm build runs none).
"""

from __future__ import annotations

import base64
import hashlib
import html
import importlib.util
import json
import logging
import os
import re
import shutil
import struct
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from mkdocs.exceptions import PluginError

log = logging.getLogger("mkdocs.hooks.gdcore.cells")

ROOT = Path(__file__).resolve().parents[2]
CELLRUN_PATH = ROOT / "overrides" / "runtime" / "cellrun.py"
PYWORKER_PATH = ROOT / "overrides" / "runtime" / "pyworker.py"
KATEX_DIR = ROOT / "node_modules" / "katex" / "dist"
CACHE_VERSION = "gdcore-cells-1"
FENCE = "pycell"
OPTIONS = ("id", "setup", "prerender", "error", "height")
ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
ERROR_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
PLACEHOLDER_RE = re.compile(r"<!--gd-cell-output:(\d+)-->")
MAX_OUTPUT_CHARS = 100_000  # per stream, per cell, in the pre-rendered HTML


# --------------------------------------------------------------------------- cellrun


def _load_cellrun():
    """Import overrides/runtime/cellrun.py as module ``gdcore_cellrun`` (reloaded if edited)."""
    digest = hashlib.sha256(CELLRUN_PATH.read_bytes()).hexdigest()
    module = sys.modules.get("gdcore_cellrun")
    if module is not None and getattr(module, "_gd_digest", None) == digest:
        return module
    spec = importlib.util.spec_from_file_location("gdcore_cellrun", CELLRUN_PATH)
    module = importlib.util.module_from_spec(spec)
    sys.modules["gdcore_cellrun"] = module
    spec.loader.exec_module(module)
    module._gd_digest = digest
    return module


cellrun = _load_cellrun()


# --------------------------------------------------------------------------- state


@dataclass
class Cell:
    serial: int
    code: str
    id: str | None
    setup: bool = False
    prerender: bool = True
    error: str | None = None
    height: int | None = None
    problems: list[str] = field(default_factory=list)


@dataclass
class Build:
    """Per-build state (the hook module is re-imported when `mkdocs serve` reloads config)."""

    env_hash: str = ""
    wheel_name: str = ""
    wheel_path: Path | None = None
    cache_dir: Path = ROOT / ".cache" / "cells"
    workdir: Path | None = None
    cells: dict[int, Cell] = field(default_factory=dict)
    serial: int = 0
    ran: int = 0
    cached: int = 0
    pages: int = 0
    seconds: float = 0.0


_build = Build()


# --------------------------------------------------------------------------- fence


def _parse_options(inputs: dict[str, str]) -> tuple[dict, list[str]]:
    opts: dict = {"id": None, "setup": False, "prerender": True, "error": None, "height": None}
    problems = []
    for key, value in inputs.items():
        if key not in OPTIONS:
            problems.append(
                f"unknown option {key}={value!r} (allowed: {', '.join(OPTIONS)})"
            )
        elif key == "id":
            if not ID_RE.match(value):
                problems.append(
                    f"invalid id={value!r}: use lowercase letters, digits and hyphens, "
                    "starting with a letter or digit"
                )
            opts["id"] = value
        elif key in ("setup", "prerender"):
            if value not in ("true", "false"):
                problems.append(f'{key}={value!r} must be "true" or "false"')
            else:
                opts[key] = value == "true"
        elif key == "error":
            if not ERROR_RE.match(value):
                problems.append(
                    f"error={value!r} must be an exception class name such as \"ValueError\""
                )
            opts["error"] = value
        elif key == "height":
            if not value.isdigit() or not 1 <= int(value) <= 200:
                problems.append(f"height={value!r} must be a whole number of lines in [1, 200]")
            else:
                opts["height"] = int(value)
    return opts, problems


def validate(language, inputs, options, attrs, md) -> bool:  # noqa: ANN001 (superfences API)
    """superfences validator: accept every ``pycell`` header, keeping problems for the report."""
    opts, problems = _parse_options(inputs)
    options["gd"] = opts
    options["gd_problems"] = problems
    return True


def _highlight(code: str, md) -> str:  # noqa: ANN001
    """Highlight like every other ```python block (pymdownx.highlight + pygments)."""
    try:
        fenced = md.preprocessors["fenced_code_block"]
        return fenced.highlight(
            src=code, language="python", options={}, md=md, classes=[], id_value="", attrs={}
        )
    except Exception:  # pragma: no cover - only without superfences' highlighter
        return f'<pre><code class="language-python">{html.escape(code)}</code></pre>'


def _json_script(value: object) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def format_cell(src, language, class_name, options, md, **kwargs) -> str:  # noqa: ANN001
    """superfences formatter: the cell's HTML (outputs are filled in by ``on_page_content``)."""
    opts = dict(options.get("gd") or _parse_options({})[0])
    problems = list(options.get("gd_problems") or [])
    if opts["id"] is None and kwargs.get("id_value"):
        opts["id"] = kwargs["id_value"]
    if opts["id"] is None:
        problems.append('missing id: every pycell needs id="some-name" (unique on the page)')
    if opts["setup"] and not opts["prerender"]:
        problems.append('setup="true" cells always run: drop prerender="false"')
    code = src.rstrip("\n")  # the editor's text; the build runs exactly this
    _build.serial += 1
    cell = Cell(
        serial=_build.serial,
        code=code,
        id=opts["id"],
        setup=opts["setup"],
        prerender=opts["prerender"],
        error=opts["error"],
        height=opts["height"],
        problems=problems,
    )
    _build.cells[cell.serial] = cell
    cid = html.escape(cell.id or f"cell-{cell.serial}")
    attrs = [f'class="gd-cell" id="{cid}" data-cell="{cid}"']
    if cell.error:
        attrs.append(f'data-expect-error="{html.escape(cell.error)}"')
    if cell.height:
        attrs.append(f'data-height="{cell.height}"')
    if not cell.prerender:
        attrs.append('data-prerender="false"')
    if cell.setup:
        attrs.append('data-setup="true" hidden')
    # The code travels in an attribute, not an inline <script>: material's instant navigation
    # re-creates every <script> of the new page without its type, so JSON would run as JS.
    attrs.append(f'data-code="{html.escape(cell.code, quote=True)}"')
    return (
        f"<div {' '.join(attrs)}>"
        f'<div class="gd-cell-code">{_highlight(cell.code, md)}</div>'
        f'<div class="gd-cell-output" role="log" aria-live="polite" '
        f'aria-label="Output of cell {cid}"><!--gd-cell-output:{cell.serial}--></div>'
        f"</div>"
    )


# --------------------------------------------------------------------------- hashing, wheel


def _tree_hash(paths: list[Path]) -> str:
    h = hashlib.sha256()
    for path in sorted(paths):
        h.update(str(path.relative_to(ROOT)).encode() + b"\0")
        h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


def _gdcore_files() -> list[Path]:
    files = [p for p in (ROOT / "gdcore").rglob("*.py") if "__pycache__" not in p.parts]
    return files + [p for p in (ROOT / "pyproject.toml", ROOT / "README.md") if p.exists()]


def _version(dist: str) -> str:
    try:
        from importlib.metadata import version

        return version(dist)
    except Exception:
        return "-"


def _project_version() -> str:
    import tomllib

    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return data["project"]["version"]


def _build_wheel(source_hash: str) -> Path:
    """gdcore's wheel, built in-process with hatchling once per source hash."""
    out = ROOT / ".cache" / "wheels" / source_hash[:16]
    name = f"gdcore-{_project_version()}-py3-none-any.whl"
    wheel = out / name
    if wheel.exists():
        return wheel
    from hatchling.builders.wheel import WheelBuilder

    (ROOT / ".cache").mkdir(parents=True, exist_ok=True)  # a fresh clone has none yet
    tmp = Path(tempfile.mkdtemp(prefix="wheel-", dir=ROOT / ".cache"))
    try:
        os.environ.setdefault("SOURCE_DATE_EPOCH", "315532800")  # reproducible zip times
        built = [Path(p) for p in WheelBuilder(str(ROOT)).build(
            directory=str(tmp), versions=["standard"])]
        out.mkdir(parents=True, exist_ok=True)
        shutil.move(str(built[0]), wheel)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    log.info(f"gdcore: built {name}")
    return wheel


# --------------------------------------------------------------------------- running


def _cache_dir() -> Path:
    return Path(os.environ.get("GDCORE_CELL_CACHE") or ROOT / ".cache" / "cells")


def _cache_get(key: str) -> dict | None:
    path = _build.cache_dir / key[:2] / f"{key}.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _cache_put(key: str, result: dict) -> None:
    path = _build.cache_dir / key[:2] / f"{key}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps(result), encoding="utf-8")
    os.replace(tmp, path)


def _log_cells(kind: str, page: str, cells: list[Cell]) -> None:
    target = os.environ.get("GDCORE_CELL_LOG")
    if target:
        with open(target, "a", encoding="utf-8") as fh:
            fh.writelines(f"{kind}\t{page}\t{c.id}\n" for c in cells)


def _fresh_process_state() -> None:
    """Before running a page: a freshly imported gdcore (it may have been edited under
    `mkdocs serve`), no open figures and default matplotlib settings."""
    for name in [n for n in sys.modules if n == "gdcore" or n.startswith("gdcore.")]:
        del sys.modules[name]
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    mpl = sys.modules.get("matplotlib")
    if mpl is not None:
        try:
            mpl.rcdefaults()
            plt = sys.modules.get("matplotlib.pyplot")
            if plt is not None:
                plt.close("all")
        except Exception:
            pass


def _run_page(page: str, cells: list[Cell]) -> dict[int, dict]:
    """Results of the page's executed cells (serial -> result dict), from cache or by running."""
    runnable = [c for c in cells if c.prerender]
    keys: dict[int, str] = {}
    h = hashlib.sha256(f"{CACHE_VERSION}\0{_build.env_hash}".encode())
    for c in runnable:
        for part in (c.id or "", c.code):
            data = part.encode()
            h.update(struct.pack(">Q", len(data)) + data)
        keys[c.serial] = h.hexdigest()
    results = {c.serial: _cache_get(keys[c.serial]) for c in runnable}
    if all(r is not None for r in results.values()):
        _build.cached += len(runnable)
        _log_cells("cached", page, runnable)
        return results

    _fresh_process_state()
    namespace = cellrun.new_namespace()
    old_cwd = os.getcwd()
    os.chdir(_build.workdir)
    t0 = time.perf_counter()
    try:
        for c in runnable:
            res = cellrun.run_cell(c.code, namespace, c.id)
            result = {
                "stdout": res.stdout,
                "stderr": res.stderr,
                "result": res.result,
                "error": res.error,
                "error_type": res.error_type,
                "figures": res.figures,
                "figure_error": res.figure_error,
            }
            results[c.serial] = result
            _build.ran += 1
            _log_cells("run", page, [c])
            problem = _expectation_problem(c, result)
            if problem:
                raise PluginError(f"{page}: cell '{c.id}' {problem}")
            _cache_put(keys[c.serial], result)
    finally:
        os.chdir(old_cwd)
        _build.seconds += time.perf_counter() - t0
        plt = sys.modules.get("matplotlib.pyplot")
        if plt is not None:
            plt.close("all")
    return results


def _expectation_problem(cell: Cell, result: dict) -> str | None:
    if result.get("figure_error"):
        return f"made a figure that could not be drawn: {result['figure_error']}"
    got = result.get("error_type")
    if cell.error is None and got is not None:
        return f"raised {got} (mark it error=\"{got}\" if that is intended):\n{result['error']}"
    if cell.error is not None and got is None:
        return f"was expected to raise {cell.error} (error=\"{cell.error}\") but did not"
    if cell.error is not None and got != cell.error:
        return f"was expected to raise {cell.error} but raised {got}:\n{result['error']}"
    return None


# --------------------------------------------------------------------------- HTML output


def _pre(kind: str, text: str | None) -> str:
    if not text:
        return ""
    if len(text) > MAX_OUTPUT_CHARS:
        text = text[:MAX_OUTPUT_CHARS] + f"\n… output truncated ({len(text):,} characters)\n"
    if text.startswith("\n"):  # HTML drops the first newline inside <pre>
        text = "\n" + text
    return f'<pre class="gd-out gd-out-{kind}">{html.escape(text)}</pre>'


def _png_size(png_base64: str) -> tuple[int, int] | None:
    head = base64.b64decode(png_base64[:44])
    if head[:8] != b"\x89PNG\r\n\x1a\n" or len(head) < 24:
        return None
    return struct.unpack(">II", head[16:24])


def _figure(fig: dict) -> str:
    size = _png_size(fig["png_base64"])
    dims = f' width="{size[0]}" height="{size[1]}"' if size else ""
    return (
        f'<figure class="gd-out gd-out-figure"><img src="data:image/png;base64,'
        f'{fig["png_base64"]}" alt="{html.escape(fig.get("alt") or "Figure")}"{dims}></figure>'
    )


def _output_html(result: dict | None) -> str:
    if result is None:
        return ""
    parts = [
        _pre("stdout", result.get("stdout")),
        _pre("stderr", result.get("stderr")),
        _pre("result", result.get("result")),
        _pre("error", result.get("error")),
        *(_figure(f) for f in result.get("figures") or ()),
    ]
    return "".join(parts)


# --------------------------------------------------------------------------- hooks


def on_config(config):  # noqa: ANN001, ANN201
    global _build
    _build = Build(cache_dir=_cache_dir())
    _build.workdir = Path(tempfile.mkdtemp(prefix="gdcore-cells-"))
    os.environ["MPLBACKEND"] = "Agg"

    mdx = config["mdx_configs"].setdefault("pymdownx.superfences", {})
    if "pymdownx.superfences" not in config["markdown_extensions"]:
        config["markdown_extensions"].append("pymdownx.superfences")
    fences = mdx.setdefault("custom_fences", [])
    entry = next((f for f in fences if f.get("name") == FENCE), None)
    if entry is None:
        entry = {"name": FENCE}
        fences.append(entry)
    entry.update({"class": "gd-cell", "format": format_cell, "validator": validate})

    gd_hash = _tree_hash(_gdcore_files())
    cr_hash = hashlib.sha256(CELLRUN_PATH.read_bytes()).hexdigest()
    versions = f"{sys.version_info[:3]}|{_version('numpy')}|{_version('matplotlib')}"
    _build.env_hash = hashlib.sha256(f"{gd_hash}|{cr_hash}|{versions}".encode()).hexdigest()
    _build.wheel_path = _build_wheel(gd_hash)
    _build.wheel_name = _build.wheel_path.name

    gd = config["extra"].setdefault("gdcore", {})
    gd["wheel"] = f"assets/gdcore/wheels/{_build.wheel_name}"
    gd["cellrun"] = "assets/gdcore/cellrun.py"
    return config


def on_files(files, config):  # noqa: ANN001, ANN201
    """Drop our build-time sources (hooks, runtime, front-end src) from the theme's files."""
    private = [ROOT / "overrides" / d for d in ("hooks", "runtime", "src")]
    for file in list(files):
        src = Path(file.abs_src_path) if file.abs_src_path else None
        if src is not None and any(src.is_relative_to(p) for p in private):
            files.remove(file)
    return files


def on_page_markdown(markdown, page, config, files):  # noqa: ANN001, ANN201
    _build.cells.clear()
    return markdown


def _heading_ids(items) -> set[str]:  # noqa: ANN001
    ids: set[str] = set()
    for item in items:
        ids.add(item.id)
        ids |= _heading_ids(item.children)
    return ids


def on_page_content(html_text, page, config, files):  # noqa: ANN001, ANN201
    serials = [int(s) for s in PLACEHOLDER_RE.findall(html_text)]
    if not serials:
        return html_text
    page_name = page.file.src_uri
    cells = [_build.cells[s] for s in serials]
    problems = [f"cell '{c.id or '?'}': {p}" for c in cells for p in c.problems]
    seen: dict[str, int] = {}
    for c in cells:
        if c.id:
            seen[c.id] = seen.get(c.id, 0) + 1
    problems += [f"duplicate cell id '{i}' ({n} cells)" for i, n in seen.items() if n > 1]
    headings = _heading_ids(page.toc.items) & set(seen)
    problems += [f"cell id '{i}' is also a heading's anchor: rename one" for i in headings]
    if problems:
        raise PluginError(f"{page_name}: " + "; ".join(problems))
    # Cell ids are anchors too: register them so that Markdown links like [x](#cell-id) and
    # page.md#cell-id pass MkDocs' anchor validation (it cannot see ids in stashed raw HTML).
    if getattr(page, "present_anchor_ids", None) is not None:
        page.present_anchor_ids.update(seen)

    results = _run_page(page_name, cells)
    _build.pages += 1
    for c in cells:
        problem = _expectation_problem(c, results[c.serial]) if c.prerender else None
        if problem:  # a cached result that no longer meets the cell's expectation
            raise PluginError(f"{page_name}: cell '{c.id}' {problem}")

    def fill(m: re.Match) -> str:
        return _output_html(results.get(int(m.group(1))))

    return PLACEHOLDER_RE.sub(fill, html_text)


def _copy(src: Path, dest: Path) -> None:
    """Copy unless dest already has src's size and mtime (cheap on rebuilds)."""
    try:
        s, d = src.stat(), dest.stat()
        if s.st_size == d.st_size and int(s.st_mtime) == int(d.st_mtime):
            return
    except FileNotFoundError:
        pass
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(src, dest)


def on_post_build(config):  # noqa: ANN001, ANN201
    site = Path(config["site_dir"])
    assets = site / "assets"
    _copy(CELLRUN_PATH, assets / "gdcore" / "cellrun.py")
    _copy(PYWORKER_PATH, assets / "gdcore" / "pyworker.py")
    wheels = assets / "gdcore" / "wheels"
    if wheels.exists():
        for old in wheels.glob("*.whl"):
            if old.name != _build.wheel_name:
                old.unlink()
    _copy(_build.wheel_path, wheels / _build.wheel_name)
    if not (KATEX_DIR / "katex.min.js").exists():
        raise PluginError(f"KaTeX not found in {KATEX_DIR}: run `npm ci`")
    katex = assets / "katex"
    for name in ("katex.min.js", "katex.min.css", "contrib/auto-render.min.js"):
        _copy(KATEX_DIR / name, katex / name)
    for font in (KATEX_DIR / "fonts").iterdir():
        _copy(font, katex / "fonts" / font.name)
    if _build.workdir is not None:
        shutil.rmtree(_build.workdir, ignore_errors=True)
    log.info(
        f"gdcore cells: {_build.ran} run ({_build.seconds:.1f} s), {_build.cached} from cache, "
        f"on {_build.pages} pages"
    )


def on_build_error(error):  # noqa: ANN001, ANN201
    if _build.workdir is not None:
        shutil.rmtree(_build.workdir, ignore_errors=True)
