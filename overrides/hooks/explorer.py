"""MkDocs hook: the ```explorer fence (optimizers racing on a landscape).

A page embeds an explorer with one fenced block whose body is YAML (or JSON)::

    ```explorer id="race-momentum"
    landscape: rosenbrock
    start: [-1.5, 2.0]
    steps: 500
    optimizers:
      - {optimizer: GradientDescent, lr: 0.001}
      - {optimizer: Momentum, lr: 0.001, momentum: 0.9}
      - {optimizer: Adam, lr: 0.05}
    ```

Keys: ``landscape`` (a name in ``gd.landscapes``; default ``rosenbrock``), ``start``
(``[x, y]``; default: a point of the domain), ``steps`` (1 to 5000, default 500),
``optimizers`` (run specs for :func:`gdcore.explore.race`: ``optimizer`` (a key of
``gd.optimizers`` or the class name) plus constructor arguments, ``beta1`` / ``beta2`` for
``betas``; each optimizer at most once: the explorer has one row of sliders per optimizer).
The fence header may set ``id`` (default ``explorer-N``).

At build time (CPython) the hook computes the default race and the contour grid with
gdcore, and writes::

    <div class="gd-explorer" id="..." data-explorer="..." data-payload="{options, catalog,
        grid, race, code} as JSON, HTML-escaped">
      <figure class="gd-explorer-static"><img src="data:image/png;base64,..." alt="..."></figure>
      <p class="gd-explorer-note">Interactive explorer: loading Python…</p>
    </div>

The data travels in an attribute, not in an inline ``<script type="application/json">``:
material's instant navigation re-creates the inline scripts of a new page without their type,
so JSON would run as JavaScript. The front end (``overrides/src/explorer/``) draws from the
embedded data at once and runs new settings through gdcore in the Pyodide worker; without
JavaScript the figure remains.
"""

from __future__ import annotations

import base64
import html
import io
import json
import re
from typing import Any

import yaml

FENCE = "explorer"
ID_RE = re.compile(r"^[a-z][a-z0-9-]*$")
DEFAULTS: dict[str, Any] = {
    "landscape": "rosenbrock",
    "steps": 500,
    "optimizers": [
        {"optimizer": "GradientDescent", "lr": 0.001},
        {"optimizer": "Momentum", "lr": 0.001, "momentum": 0.9},
        {"optimizer": "Adam", "lr": 0.05},
    ],
}
PRERENDER_GRID = 64  # grid resolution embedded in the page (the worker computes finer ones)
_state: dict[str, Any] = {"count": 0, "page": "?", "problems": []}


class ExplorerError(ValueError):
    """A bad ```explorer block (names the page and the problem)."""


def _gd():
    import gdcore

    return gdcore


def _round(values: Any, digits: int) -> Any:
    """Round floats (recursively) to ``digits`` significant digits for compact embedding."""
    if isinstance(values, float):
        return float(f"{values:.{digits}g}")
    if isinstance(values, list):
        return [_round(v, digits) for v in values]
    return values


def parse_options(source: str) -> dict[str, Any]:
    """The fence body (YAML or JSON) -> validated options with defaults filled in."""
    gd = _gd()
    try:
        raw = yaml.safe_load(source) if source.strip() else {}
    except yaml.YAMLError as exc:
        raise ExplorerError(f"explorer options are not valid YAML: {exc}") from None
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise ExplorerError(f"explorer options must be a mapping, got {type(raw).__name__}")
    unknown = set(raw) - {"landscape", "start", "steps", "optimizers"}
    if unknown:
        raise ExplorerError(
            f"unknown explorer option(s) {sorted(unknown)}; allowed: landscape, start, steps, "
            "optimizers"
        )
    opts = {**DEFAULTS, **raw}
    if opts["landscape"] not in gd.landscapes:
        raise ExplorerError(
            f"explorer landscape must be one of {sorted(gd.landscapes)}, got {opts['landscape']!r}"
        )
    if "start" not in raw:
        from gdcore.explore import explorer_catalog

        entry = next(e for e in explorer_catalog()["landscapes"] if e["name"] == opts["landscape"])
        opts["start"] = entry["start"]
    start = opts["start"]
    if not isinstance(start, list) or len(start) != 2 or not all(
        isinstance(v, (int, float)) and not isinstance(v, bool) for v in start
    ):
        raise ExplorerError(f"explorer start must be a list [x, y] of two numbers, got {start!r}")
    opts["start"] = [float(v) for v in start]
    steps = opts["steps"]
    if isinstance(steps, bool) or not isinstance(steps, int) or not 1 <= steps <= 5000:
        raise ExplorerError(f"explorer steps must be a whole number in [1, 5000], got {steps!r}")
    if not isinstance(opts["optimizers"], list) or not opts["optimizers"]:
        raise ExplorerError("explorer optimizers must be a non-empty list of run specs")
    from gdcore.explore import make_optimizer

    seen = set()
    for spec in opts["optimizers"]:
        if not isinstance(spec, dict) or "optimizer" not in spec:
            raise ExplorerError(f"each explorer optimizer needs an 'optimizer' key, got {spec!r}")
        cls = type(make_optimizer(spec))
        if cls in seen:
            raise ExplorerError(
                f"explorer optimizers: {cls.__name__} appears twice; the explorer has one "
                "row (one set of sliders) per optimizer"
            )
        seen.add(cls)
    return opts


def build_payload(opts: dict[str, Any]) -> dict[str, Any]:
    """Everything the front end needs to draw before Python is ready."""
    gd = _gd()
    from gdcore import explore

    race = explore.race(opts["landscape"], opts["optimizers"], opts["start"], opts["steps"])
    grid = explore.landscape_grid(opts["landscape"], resolution=PRERENDER_GRID)
    grid["z"] = _round(grid["z"], 4)
    for run in race["runs"]:
        run["path"] = _round(run["path"], 6)
        for key in ("losses", "grad_norms"):
            run[key] = _round(run[key], 4)
    return {
        "options": opts,
        "catalog": explore.explorer_catalog(),
        "grid": grid,
        "race": race,
        "code": explore.race_code(opts["landscape"], opts["optimizers"], opts["start"],
                                  opts["steps"]),
        "gdcore_version": getattr(gd, "__version__", "?"),
    }


def alt_text(payload: dict[str, Any]) -> str:
    race = payload["race"]
    parts = [f"{r['label']} {r['message']}" for r in race["runs"]]
    x0 = ", ".join(f"{v:g}" for v in race["x0"])
    return (
        f"Contour map of the {race['landscape']} landscape with the paths of "
        f"{len(race['runs'])} optimizers from ({x0}): " + "; ".join(parts) + "."
    )


def render_png(payload: dict[str, Any]) -> str:
    """A static contour + paths figure (matplotlib, Agg), base64 PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    from gdcore.explore import OKABE_ITO

    grid, race = payload["grid"], payload["race"]
    z = np.array([np.nan if v is None else v for v in grid["z"]], dtype=float)
    z = z.reshape(grid["ny"], grid["nx"])
    fig, ax = plt.subplots(figsize=(6.4, 4.8), dpi=80)
    levels = grid["levels"]
    zmin = float(np.nanmin(z))
    ax.contourf(grid["xs"], grid["ys"], np.clip(z, zmin, levels[-1]),
                levels=[zmin] + levels, cmap="viridis", alpha=0.8)
    ax.contour(grid["xs"], grid["ys"], z, levels=levels, colors="white", linewidths=0.4,
               alpha=0.6)
    (xmin, xmax), (ymin, ymax) = grid["domain"]
    for i, run in enumerate(race["runs"]):
        pts = np.array([p if p and None not in p else [np.nan, np.nan] for p in run["path"]],
                       dtype=float)
        ax.plot(pts[:, 0], pts[:, 1], "-", color=OKABE_ITO[i % len(OKABE_ITO)], lw=1.8,
                label=f"{run['label']} ({run['message']})")
    ax.plot(*race["x0"], "o", color="black", mfc="white", ms=7, label="start")
    minima = np.array(grid["minima"]).reshape(-1, 2)
    if len(minima):
        ax.plot(minima[:, 0], minima[:, 1], "*", color="white", mec="black", ms=12,
                label="minimum")
    ax.set_xlim(xmin, xmax)
    ax.set_ylim(ymin, ymax)
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.set_title(f"{race['landscape']}: {race['steps']} steps")
    ax.legend(loc="upper right", fontsize=7, framealpha=0.85)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    try:  # a 64-colour palette PNG is a quarter of the size and looks the same here
        from PIL import Image

        buf.seek(0)
        img = Image.open(buf).convert("RGB").quantize(colors=64, method=Image.Quantize.MEDIANCUT)
        small = io.BytesIO()
        img.save(small, format="PNG", optimize=True)
        buf = small
    except ImportError:  # pragma: no cover - Pillow comes with matplotlib
        pass
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _json_attribute(data: Any) -> str:
    """``data`` as JSON, escaped for a double-quoted HTML attribute."""
    return html.escape(json.dumps(data, separators=(",", ":"), allow_nan=False), quote=True)


def render(source: str, explorer_id: str | None) -> str:
    """The HTML of one explorer block."""
    _state["count"] += 1
    if explorer_id is None:
        explorer_id = f"explorer-{_state['count']}"
    if not ID_RE.match(explorer_id):
        raise ExplorerError(
            f"explorer id must be lowercase letters, digits and hyphens, got {explorer_id!r}"
        )
    try:
        opts = parse_options(source)
        payload = build_payload(opts)
    except (ValueError, TypeError) as exc:
        raise ExplorerError(f"explorer {explorer_id!r} on {_state['page']}: {exc}") from exc
    payload["id"] = explorer_id
    alt = alt_text(payload)
    png = render_png(payload)
    eid = html.escape(explorer_id, quote=True)
    return (
        f'<div class="gd-explorer" id="{eid}" data-explorer="{eid}" '
        f'data-payload="{_json_attribute(payload)}">'
        f'<figure class="gd-explorer-static"><img src="data:image/png;base64,{png}" '
        f'alt="{html.escape(alt, quote=True)}" width="512" height="384"></figure>'
        f'<p class="gd-explorer-note">Interactive explorer: loading Python…</p>'
        f"</div>"
    )


# --- superfences plumbing ---------------------------------------------------------------

def _validator(language, inputs, options, attrs, md) -> bool:
    # Accept every header; problems are reported (and fail the build) after the page renders,
    # because superfences silently turns a failing fence into a plain code block.
    problems = [f"unknown explorer fence option {key!r} (allowed: id)" for key in inputs
                if key != "id"]
    options["id"] = inputs.get("id")
    options["gd_problems"] = problems
    return True


def _format(source, language, class_name, options, md, **kwargs) -> str:
    problems = list(options.get("gd_problems") or [])
    if not problems:
        try:
            return render(source, options.get("id") or kwargs.get("id_value") or None)
        except Exception as exc:  # reported in on_page_content: superfences would hide it
            problems.append(str(exc))
    _state["problems"].extend(problems)
    return '<div class="gd-explorer-error">explorer: ' + html.escape("; ".join(problems)) + "</div>"


def _reset(md) -> None:
    pass


def fence() -> dict[str, Any]:
    """The superfences custom-fence entry for ```explorer."""
    return {"name": FENCE, "class": "gd-explorer", "format": _format, "validator": _validator}


# --- MkDocs events -----------------------------------------------------------------------

def on_config(config, **kwargs):
    exts = config["markdown_extensions"]
    if "pymdownx.superfences" not in exts:
        exts.append("pymdownx.superfences")
    mdx = config.setdefault("mdx_configs", {})
    sf = mdx.setdefault("pymdownx.superfences", {})
    fences = sf.setdefault("custom_fences", [])
    if not any(f.get("name") == FENCE for f in fences):
        fences.append(fence())
    return config


def on_page_markdown(markdown, page, **kwargs):
    _state["count"] = 0
    _state["page"] = page.file.src_uri
    _state["problems"] = []
    return markdown


def on_page_content(html_text, page, **kwargs):
    if _state["problems"]:
        from mkdocs.exceptions import PluginError

        problems, _state["problems"] = _state["problems"], []
        raise PluginError(f"{page.file.src_uri}: " + "; ".join(problems))
    return html_text
