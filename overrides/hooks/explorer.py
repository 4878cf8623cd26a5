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
(``[x, y]`` inside the landscape's map; default: a point of the domain), ``steps`` (on the
steps slider: 10 to 2000 in tens, default 500), ``optimizers`` (run specs for
:func:`gdcore.explore.race`: ``optimizer`` (a key of ``gd.optimizers`` or the class name)
plus hyperparameters the explorer has a slider for, within the slider's range (``beta1`` /
``beta2``, or ``betas: [b1, b2]``), and ``schedule`` (a name of
``gdcore.explore.SCHEDULES``); each optimizer at most once: the explorer has one row of
sliders per optimizer), ``noise`` (0 to 2) and ``seed`` (0 to 9999) of the gradient noise,
``view`` (``map`` or ``surface``), ``phase`` (``true``: the Momentum row opens with its
rate map over (learning rate, momentum), :func:`gdcore.explore.momentum_rate_grid`; only
on a quadratic landscape, with Momentum racing). Anything the live controls could not show
fails the build. The fence header may set ``id`` (default ``explorer-N``); the explorer's own
controls get ids ``<id>--...``, so the id must be unique on the page and no other id may
start with ``<id>--``.

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
PHASE_RESOLUTION = 64  # the momentum rate map's (as src/explorer/phase.js asks the worker)
_state: dict[str, Any] = {"count": 0, "page": "?", "problems": [], "ids": []}


class ExplorerError(ValueError):
    """A bad ```explorer block (names the page and the problem)."""


def _round(values: Any, digits: int) -> Any:
    """Round floats (recursively) to ``digits`` significant digits for compact embedding."""
    if isinstance(values, float):
        return float(f"{values:.{digits}g}")
    if isinstance(values, list):
        return [_round(v, digits) for v in values]
    return values


OPTIONS = ("landscape", "start", "steps", "optimizers", "noise", "seed", "view", "phase")
VIEWS = ("map", "surface")


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _check_range(what: str, value: Any, spec: dict[str, Any]) -> None:
    """``value`` must be a number that the live control ``spec`` (min, max) can show."""
    if not _number(value) or not spec["min"] <= value <= spec["max"]:
        raise ExplorerError(
            f"{what} must be a number in [{spec['min']:g}, {spec['max']:g}] (the range of "
            f"the explorer's control), got {value!r}"
        )


def _check_optimizer(spec: Any, catalog: dict[str, Any]) -> dict[str, Any]:
    """One entry of ``optimizers``: a known optimizer, tunable keys, values the sliders reach."""
    if not isinstance(spec, dict) or "optimizer" not in spec:
        raise ExplorerError(f"each explorer optimizer needs an 'optimizer' key, got {spec!r}")
    key = str(spec["optimizer"]).lower()
    entry = next((o for o in catalog["optimizers"]
                  if key in (o["name"], o["class"].lower())), None)
    if entry is None:
        names = sorted(o["name"] for o in catalog["optimizers"])
        raise ExplorerError(f"explorer optimizer must be one of {names}, got {spec['optimizer']!r}")
    from gdcore.optim import split_betas

    try:  # accept torch's pair as well as beta1 / beta2
        params = split_betas(spec)
    except (TypeError, ValueError) as exc:
        raise ExplorerError(f"explorer {entry['class']}: {exc}") from None
    schedules = [s["name"] for s in catalog["schedules"]]
    for name, value in params.items():
        if name in ("optimizer", "label"):
            continue
        if name == "schedule":
            if value not in schedules:
                raise ExplorerError(f"explorer {entry['class']}: schedule must be one of "
                                    f"{schedules}, got {value!r}")
            continue
        if name not in entry["params"]:
            raise ExplorerError(
                f"explorer {entry['class']}: {name!r} has no control in the explorer; it "
                f"can set {sorted(entry['params'])}, schedule"
            )
        _check_range(f"explorer {entry['class']} {name}", value, entry["params"][name])
    return params


def parse_options(source: str) -> dict[str, Any]:
    """The fence body (YAML or JSON) -> validated options with defaults filled in.

    Every option must be something the live explorer's controls can show: known keys,
    optimizers each once with hyperparameters in their sliders' ranges, a start inside the
    landscape's domain, ``steps`` on the steps slider, ``noise`` and ``seed`` in range.
    """
    from gdcore.explore import explorer_catalog

    catalog = explorer_catalog()
    try:
        raw = yaml.safe_load(source) if source.strip() else {}
    except yaml.YAMLError as exc:
        raise ExplorerError(f"explorer options are not valid YAML: {exc}") from None
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise ExplorerError(f"explorer options must be a mapping, got {type(raw).__name__}")
    unknown = set(raw) - set(OPTIONS)
    if unknown:
        raise ExplorerError(
            f"unknown explorer option(s) {sorted(unknown)}; allowed: {', '.join(OPTIONS)}"
        )
    opts = {**DEFAULTS, **raw}
    entry = next((e for e in catalog["landscapes"] if e["name"] == opts["landscape"]), None)
    if entry is None:
        names = sorted(e["name"] for e in catalog["landscapes"])
        raise ExplorerError(
            f"explorer landscape must be one of {names}, got {opts['landscape']!r}"
        )
    start = opts.get("start", entry["start"])
    if not isinstance(start, list) or len(start) != 2 or not all(map(_number, start)):
        raise ExplorerError(f"explorer start must be a list [x, y] of two numbers, got {start!r}")
    for v, (lo, hi), axis in zip(start, entry["domain"], "xy", strict=True):
        if not lo <= v <= hi:
            raise ExplorerError(f"explorer start: {axis} = {v!r} is outside the map of "
                                f"{entry['name']} ([{lo:g}, {hi:g}]), where no click can put it")
    opts["start"] = [float(v) for v in start]
    controls = catalog["controls"]
    steps = opts["steps"]
    lo, hi, every = (controls["steps"][k] for k in ("min", "max", "step"))
    if isinstance(steps, bool) or not isinstance(steps, int) or not lo <= steps <= hi or (
        steps % every
    ):
        raise ExplorerError(
            f"explorer steps must be a whole number in [{lo}, {hi}] in steps of {every} (the "
            f"steps slider), got {steps!r}"
        )
    for name in ("noise", "seed"):
        if name in opts:
            _check_range(f"explorer {name}", opts[name], controls[name])
    if isinstance(opts.get("seed"), float):
        raise ExplorerError(f"explorer seed must be a whole number, got {opts['seed']!r}")
    if opts.get("view", "map") not in VIEWS:
        raise ExplorerError(f"explorer view must be one of {list(VIEWS)}, got {opts['view']!r}")
    if not isinstance(opts["optimizers"], list) or not opts["optimizers"]:
        raise ExplorerError("explorer optimizers must be a non-empty list of run specs")
    from gdcore.explore import make_optimizer

    seen, checked = set(), []
    for spec in opts["optimizers"]:
        params = _check_optimizer(spec, catalog)
        cls = type(make_optimizer(params))
        if cls in seen:
            raise ExplorerError(
                f"explorer optimizers: {cls.__name__} appears twice; the explorer has one "
                "row (one set of sliders) per optimizer"
            )
        seen.add(cls)
        checked.append(params)
    opts["optimizers"] = checked
    _check_phase(opts, entry)
    return opts


def _check_phase(opts: dict[str, Any], entry: dict[str, Any]) -> None:
    """``phase``: a boolean; the rate map exists on quadratics, in the Momentum row."""
    phase = opts.get("phase", False)
    if not isinstance(phase, bool):
        raise ExplorerError(f"explorer phase must be true or false, got {phase!r}")
    if not phase:
        return
    if not entry["optimal"]:  # the quadratics are the landscapes with optimal values
        raise ExplorerError(
            f"explorer phase: the momentum rate map exists only on a quadratic landscape "
            f"(bowl, ill-conditioned), not on {entry['name']!r}"
        )
    if not any(_is_momentum(spec) for spec in opts["optimizers"]):
        raise ExplorerError("explorer phase: the rate map is Momentum's; add "
                            "{optimizer: Momentum, ...} to optimizers")


def _is_momentum(spec: dict[str, Any]) -> bool:
    return str(spec["optimizer"]).lower() == "momentum"


def build_payload(opts: dict[str, Any]) -> dict[str, Any]:
    """Everything the front end needs to draw before Python is ready."""
    import gdcore as gd
    from gdcore import explore

    noise, seed = opts.get("noise", 0.0), opts.get("seed", 0)
    race = explore.race(opts["landscape"], opts["optimizers"], opts["start"], opts["steps"],
                        noise=noise, seed=seed)
    grid = explore.landscape_grid(opts["landscape"], resolution=PRERENDER_GRID)
    extra = {}
    if opts.get("phase"):  # the rate map too, so that it is drawn before Python is ready
        momentum = next(s for s in opts["optimizers"] if _is_momentum(s))
        rates = explore.momentum_rate_grid(opts["landscape"], PHASE_RESOLUTION,
                                           weight_decay=momentum.get("weight_decay", 0.0))
        rates["rates"] = _round(rates["rates"], 5)
        extra["rate_grid"] = rates
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
                                  opts["steps"], noise=noise, seed=seed),
        "gdcore_version": getattr(gd, "__version__", "?"),
        **extra,
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

    grid, race = payload["grid"], payload["race"]
    colors = {o["class"]: o["color"]["light"] for o in payload["catalog"]["optimizers"]}
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
    for run in race["runs"]:
        pts = np.array([p if p and None not in p else [np.nan, np.nan] for p in run["path"]],
                       dtype=float)
        ax.plot(pts[:, 0], pts[:, 1], "-", color=colors.get(run["optimizer"], "#555555"), lw=1.8,
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
    _state["ids"].append(explorer_id)
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
    _state["ids"] = []
    return markdown


ID_ATTR = re.compile(r'\sid="([^"]+)"')


def _id_problems(html_text: str, explorer_ids: list[str]) -> list[str]:
    """An explorer's id must be unique on its page, and no other id may use its prefix."""
    ids = ID_ATTR.findall(html_text)
    problems = []
    for eid in explorer_ids:
        if ids.count(eid) > 1:
            problems.append(f"explorer id {eid!r} is also the id of another element on this "
                            "page (a heading or a cell?): choose another id")
        clash = sorted({i for i in ids if i.startswith(f"{eid}--")})
        if clash:
            problems.append(f"ids {clash} use the prefix {eid + '--'!r} that explorer {eid!r} "
                            "keeps for its own controls")
    return problems


def on_page_content(html_text, page, **kwargs):
    if not _state["problems"] and _state["ids"]:
        _state["problems"] = _id_problems(html_text, _state["ids"])
    if _state["problems"]:
        from mkdocs.exceptions import PluginError

        problems, _state["problems"] = _state["problems"], []
        raise PluginError(f"{page.file.src_uri}: " + "; ".join(problems))
    return html_text
