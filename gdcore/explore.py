"""The numbers behind the site's explorer: optimizers racing on a 2-D landscape.

The explorer on the momentum, adaptive-methods and playground pages draws in the page,
but every number it draws comes from here, computed with :func:`gdcore.minimize` on a
landscape from :data:`gdcore.landscapes`, the same code a reader runs in a cell. The
functions return plain dicts of lists, numbers, strings and ``None`` (never NaN or
infinity), ready for :func:`json.dumps`::

    >>> import gdcore as gd
    >>> out = gd.race("rosenbrock", [{"optimizer": "Adam", "lr": 0.05}], x0=[-1.5, 2], steps=200)
    >>> out["runs"][0]["status"] in {"converged", "max_steps"}
    True

- :func:`race` runs several optimizers from one start point and reports, per run, the path,
  the losses, the gradient norms, the status and where it diverged.
- :func:`landscape_grid` evaluates a landscape on a grid with contour levels for a map.
- :func:`explorer_catalog` lists the landscapes and the optimizers with their tunable
  hyperparameters (defaults and slider ranges), for the explorer's menus.
- :func:`race_code` writes the gdcore cell that reproduces a race, for "show code".
"""

from __future__ import annotations

import base64
import functools
import inspect
import json
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from gdcore._checks import as_point, check_int

__all__ = [
    "explorer_catalog",
    "landscape_grid",
    "explorer_update",
    "make_optimizer",
    "race",
    "race_code",
    "race_json",
]

# Slider descriptions of the hyperparameters a reader may tune in the explorer.
# "log": a log-scaled slider (learning rates); "linear": a plain slider.
HYPERPARAMETERS: dict[str, dict[str, Any]] = {
    "lr": {"label": "learning rate", "scale": "log", "min": 1e-4, "max": 10.0},
    "momentum": {"label": "momentum", "scale": "linear", "min": 0.0, "max": 0.99, "step": 0.01},
    "alpha": {"label": "alpha (decay)", "scale": "linear", "min": 0.0, "max": 0.999,
              "step": 0.001},
    "rho": {"label": "rho (decay)", "scale": "linear", "min": 0.0, "max": 0.999, "step": 0.001},
    "beta1": {"label": "beta1", "scale": "linear", "min": 0.0, "max": 0.999, "step": 0.001},
    "beta2": {"label": "beta2", "scale": "linear", "min": 0.0, "max": 0.9999, "step": 0.0001},
    "weight_decay": {"label": "weight decay", "scale": "linear", "min": 0.0, "max": 0.5,
                     "step": 0.01},
}
# Learning rate shown for optimizers whose constructor has no default for it.
DEFAULT_LR = 0.01
# Colour-blind-safe palette (Okabe & Ito, 2008), in the order runs are coloured.
OKABE_ITO = ["#E69F00", "#56B4E9", "#009E73", "#D55E00", "#0072B2", "#CC79A7", "#F0E442",
             "#000000"]


def _gd():
    # gdcore's top-level namespace, imported late so that this module can be imported by
    # gdcore/__init__.py itself without a cycle.
    import gdcore

    return gdcore


def _resolve_landscape(landscape: Any) -> tuple[str, Any]:
    """A landscape name or object -> (registry name, object)."""
    registry = _gd().landscapes
    if isinstance(landscape, str):
        if landscape not in registry:
            raise ValueError(
                f"landscape must be one of {sorted(registry)}, got {landscape!r}"
            )
        return landscape, registry[landscape]
    if not callable(landscape) or not hasattr(landscape, "grad") or not hasattr(
        landscape, "domain"
    ):
        raise TypeError(
            "landscape must be a name from gd.landscapes or a 2-D landscape object "
            f"(callable with .grad and .domain), got {landscape!r}"
        )
    name = getattr(landscape, "name", type(landscape).__name__)
    return str(name), landscape


def _optimizer_classes() -> dict[str, type]:
    return dict(_gd().optimizers)


def _class_name(cls: type) -> str:
    return cls.__name__


def _lookup_optimizer(name: str) -> type:
    classes = _optimizer_classes()
    if name in classes:
        return classes[name]
    for key, cls in classes.items():  # accept "adam" for "Adam" and the class name
        if name.lower() in (key.lower(), cls.__name__.lower()):
            return cls
    raise ValueError(f"optimizer must be one of {sorted(classes)}, got {name!r}")


def _tunable(cls: type) -> dict[str, float]:
    """Tunable hyperparameters of an optimizer class with their defaults (betas split)."""
    return dict(_tunable_cached(cls))


@functools.cache
def _tunable_cached(cls: type) -> dict[str, float]:
    params: dict[str, float] = {}
    for pname, p in inspect.signature(cls).parameters.items():
        default = None if p.default is inspect.Parameter.empty else p.default
        if pname == "betas":
            b1, b2 = default if default is not None else (0.9, 0.999)
            params["beta1"], params["beta2"] = float(b1), float(b2)
        elif pname in HYPERPARAMETERS:
            if default is None:
                default = DEFAULT_LR if pname == "lr" else 0.0
            params[pname] = float(default)
    return params


def make_optimizer(spec: Mapping[str, Any] | Any) -> Any:
    """Build an optimizer from a spec such as ``{"optimizer": "Adam", "lr": 0.01}``.

    Keys other than ``optimizer`` (and ``label``) are constructor arguments; ``beta1`` and
    ``beta2`` may be given separately and become ``betas``. An optimizer object is returned
    as is (after ``reset()``).

        >>> import gdcore as gd
        >>> gd.make_optimizer({"optimizer": "Adam", "lr": 0.1, "beta1": 0.8}).lr
        0.1
    """
    if not isinstance(spec, Mapping):
        if hasattr(spec, "step") and hasattr(spec, "reset"):
            spec.reset()
            return spec
        raise TypeError(
            f"each run must be a dict like {{'optimizer': 'Adam', 'lr': 0.01}} or an "
            f"optimizer object, got {spec!r}"
        )
    if "optimizer" not in spec:
        raise ValueError(f"a run spec needs an 'optimizer' key, got keys {sorted(spec)}")
    cls = _lookup_optimizer(str(spec["optimizer"]))
    kwargs = {k: v for k, v in spec.items() if k not in ("optimizer", "label")}
    if "beta1" in kwargs or "beta2" in kwargs:
        defaults = _tunable(cls)
        kwargs["betas"] = (
            float(kwargs.pop("beta1", defaults.get("beta1", 0.9))),
            float(kwargs.pop("beta2", defaults.get("beta2", 0.999))),
        )
    if "lr" not in kwargs and _lr_required(cls):
        kwargs["lr"] = DEFAULT_LR
    return cls(**kwargs)


def _finite_list(values: np.ndarray) -> list:
    """A float array -> nested lists with NaN/inf replaced by None (valid JSON)."""
    arr = np.asarray(values, dtype=float)
    out = arr.tolist()
    if np.all(np.isfinite(arr)):
        return out
    mask = ~np.isfinite(arr)
    flat = out if arr.ndim == 1 else [v for row in out for v in row]
    flat_mask = mask.ravel()
    for i in np.flatnonzero(flat_mask):
        flat[i] = None
    if arr.ndim == 1:
        return flat
    width = arr.shape[1]
    return [flat[i:i + width] for i in range(0, len(flat), width)]


def _finite_or_none(value: float) -> float | None:
    value = float(value)
    return value if math.isfinite(value) else None


def _prepare(runs: Any) -> list[tuple[Any, Any, str]]:
    """Run specs -> [(spec, optimizer, label)] with labels unique ("Adam", "Adam 2", ...)."""
    if isinstance(runs, (Mapping, str)) or not isinstance(runs, Sequence):
        raise TypeError(f"runs must be a list of run specs, got {runs!r}")
    prepared, seen = [], set()
    for spec in runs:
        opt = make_optimizer(spec)
        if isinstance(spec, Mapping) and spec.get("label"):
            base = str(spec["label"])
        else:
            base = str(getattr(opt, "name", None) or type(opt).__name__)
        label, k = base, 2
        while label in seen:
            label, k = f"{base} {k}", k + 1
        seen.add(label)
        prepared.append((spec, opt, label))
    return prepared


def _spec_params(spec: Any, opt: Any) -> dict[str, float]:
    """The hyperparameters a run used, in the explorer's flat form (beta1/beta2)."""
    params = _tunable(type(opt))
    for key in list(params):
        if key in ("beta1", "beta2"):
            betas = getattr(opt, "betas", None)
            if betas is not None:
                params[key] = float(betas[0 if key == "beta1" else 1])
        elif hasattr(opt, key) and isinstance(getattr(opt, key), (int, float)):
            params[key] = float(getattr(opt, key))
    if isinstance(spec, Mapping):
        for key, value in spec.items():
            if key in params and isinstance(value, (int, float)):
                params[key] = float(value)
    return params


def _run_record(label: str, spec: Any, opt: Any, traj: Any, **data: Any) -> dict[str, Any]:
    """The JSON-ready summary of one run (``data`` adds the arrays in some form)."""
    status = str(traj.status)
    n_steps = int(traj.n_steps)
    if status == "diverged":
        message = f"diverged at step {n_steps}"
    elif status == "converged":
        message = f"converged after {n_steps} steps"
    else:
        message = f"stopped after {n_steps} steps"
    losses = np.asarray(traj.losses, dtype=float)
    return {
        "label": label,
        "optimizer": type(opt).__name__,
        "params": _spec_params(spec, opt),
        **data,
        "n_steps": n_steps,
        "status": status,
        "diverged_at": n_steps if status == "diverged" else None,
        "message": message,
        "final": _finite_list(np.asarray(traj.xs, dtype=float)[-1]),
        "final_loss": _finite_or_none(losses[-1]) if losses.size else None,
    }


def race(
    landscape: Any,
    runs: Sequence[Mapping[str, Any] | Any],
    x0: Sequence[float],
    steps: int,
) -> dict[str, Any]:
    """Run each optimizer in ``runs`` from ``x0`` on ``landscape`` for ``steps`` steps.

    ``landscape`` is a name from ``gd.landscapes`` (or a landscape object); each run is a
    spec like ``{"optimizer": "Momentum", "lr": 0.001, "momentum": 0.9}`` (see
    :func:`make_optimizer`) or an optimizer object. Every run is one call of
    :func:`gdcore.minimize`. The result is JSON-ready: per run ``label``, ``optimizer``
    (class name), ``params``, ``path`` (list of ``[x, y]``), ``losses``, ``grad_norms``,
    ``n_steps``, ``status``, ``diverged_at`` (step number or ``None``), ``message``
    (e.g. ``"diverged at step 12"``), ``final`` and ``final_loss``. Values that are not
    finite become ``None``.

        >>> import gdcore as gd
        >>> out = gd.race("rosenbrock", [{"optimizer": "GradientDescent", "lr": 0.5}],
        ...               [-1.5, 2.0], 100)
        >>> out["runs"][0]["message"]
        'diverged at step 2'

    """
    name, f = _resolve_landscape(landscape)
    start = as_point("x0", x0, dim=2)
    steps = check_int("steps", steps, minimum=0)
    prepared = _prepare(runs)
    gd = _gd()
    results = []
    with np.errstate(all="ignore"):
        for spec, opt, label in prepared:
            traj = gd.minimize(f, opt, start, steps)
            grads = np.asarray(traj.grads, dtype=float)
            grad_norms = np.sqrt(np.sum(grads * grads, axis=-1)) if grads.size else grads
            results.append(_run_record(
                label, spec, opt, traj,
                path=_finite_list(traj.xs),
                losses=_finite_list(traj.losses),
                grad_norms=_finite_list(grad_norms),
            ))
    return {
        "landscape": name,
        "x0": start.tolist(),
        "steps": steps,
        "runs": results,
    }


def race_json(landscape: Any, runs: Any, x0: Sequence[float], steps: int) -> str:
    """:func:`race` as a compact JSON string (what the browser worker sends to the page).

    ``runs`` may also be a JSON string of the run list.

        >>> import gdcore as gd, json
        >>> text = gd.race_json("rosenbrock", '[{"optimizer": "Adam"}]', [0.1, 0.2], 3)
        >>> json.loads(text)["steps"]
        3
    """
    if isinstance(runs, str):
        runs = json.loads(runs)
    return json.dumps(race(landscape, runs, x0, steps), separators=(",", ":"),
                      allow_nan=False)


def _levels(z: np.ndarray, n: int, log: bool) -> list[float]:
    finite = z[np.isfinite(z)]
    zmin = float(finite.min())
    # The top of the colour scale: a high percentile, so that a few huge corner values
    # (Rosenbrock, Beale) do not flatten the interesting part of the map.
    zmax = float(np.percentile(finite, 98 if log else 95))
    if not zmax > zmin:
        zmax = float(finite.max())
    if not zmax > zmin:
        zmax = zmin + 1.0
    span = zmax - zmin
    if log:
        offsets = np.logspace(np.log10(span * 1e-5), np.log10(span), n)
        levels = zmin + offsets
    else:
        levels = np.linspace(zmin, zmax, n + 1)[1:]
    return [float(v) for v in levels]


def landscape_grid(
    landscape: Any, resolution: int = 96, levels: int = 24, *, packed: bool = False
) -> dict[str, Any]:
    """Evaluate ``landscape`` on a ``resolution`` x ``resolution`` grid over its domain.

    Returns ``name``, ``domain`` ``[[xmin, xmax], [ymin, ymax]]``, ``nx``, ``ny``, ``z``
    (row-major flat list, ``z[j * nx + i]`` is the value at ``(xs[i], ys[j])``, ``None`` if
    not finite), ``xs``, ``ys``, ``levels`` (increasing contour levels: logarithmically
    spaced above the minimum when ``landscape.log_levels``), ``log`` and ``minima``.
    With ``packed=True``, ``z_packed`` replaces ``z``: the same values as one base64 string
    of little-endian float64 (NaN and infinity kept), five times quicker to turn into JSON.

        >>> import gdcore as gd
        >>> g = gd.landscape_grid("rosenbrock", resolution=16, levels=8)
        >>> len(g["z"]) == 16 * 16 and len(g["levels"]) == 8
        True
    """
    name, f = _resolve_landscape(landscape)
    resolution = check_int("resolution", resolution, minimum=2)
    n_levels = check_int("levels", levels, minimum=1)
    (xmin, xmax), (ymin, ymax) = (tuple(map(float, r)) for r in f.domain)
    xs = np.linspace(xmin, xmax, resolution)
    ys = np.linspace(ymin, ymax, resolution)
    grid_x, grid_y = np.meshgrid(xs, ys)  # shape (ny, nx): row j is y = ys[j]
    with np.errstate(all="ignore"):
        z = np.asarray(f(np.stack([grid_x, grid_y], axis=-1)), dtype=float)
    log = bool(getattr(f, "log_levels", False))
    minima = np.asarray(getattr(f, "minima", np.zeros((0, 2))), dtype=float).reshape(-1, 2)
    with np.errstate(all="ignore"):
        fmin = float(np.min(f(minima))) if len(minima) else None
    return {
        "name": name,
        "domain": [[xmin, xmax], [ymin, ymax]],
        "nx": resolution,
        "ny": resolution,
        "xs": xs.tolist(),
        "ys": ys.tolist(),
        **({"z_packed": _packed([z])} if packed else {"z": _finite_list(z.ravel())}),
        "levels": _levels(z, n_levels, log),
        "log": log,
        "minima": minima.tolist(),
        "fmin": fmin if fmin is None or math.isfinite(fmin) else None,
    }


def _nice(value: float) -> float:
    return float(f"{float(value):.3g}")


def _packed(arrays: Sequence[np.ndarray]) -> str:
    """Float arrays -> one base64 string of little-endian float64 (NaN/inf kept)."""
    flat = np.concatenate([np.asarray(a, dtype="<f8").ravel() for a in arrays])
    return base64.b64encode(flat.tobytes()).decode("ascii")


def explorer_update(
    landscape: str,
    runs: Any,
    x0: Sequence[float],
    steps: int,
    grid_resolution: int = 0,
    compute: Sequence[int] | None = None,
) -> str:
    """One explorer redraw, as JSON text: the race (packed), its code, and maybe the grid.

    What the browser worker computes on each change of a control: :func:`race` with each
    run's ``path``, ``losses`` and ``grad_norms`` replaced by ``packed``, a base64 string
    of float64 values (the ``n + 1`` points as x, y pairs, then the ``n + 1`` losses, then
    the ``n + 1`` gradient norms; NaN and infinity survive), :func:`race_code` as
    ``code``, and, when ``grid_resolution > 0``, :func:`landscape_grid` as ``grid`` (with
    ``packed=True``: ``z_packed`` instead of ``z``).
    ``runs`` may be a JSON string. ``compute`` lists the indices of the runs to compute
    (the page keeps the others from earlier answers); the rest are ``None`` in ``runs``.

        >>> import gdcore as gd, json
        >>> out = json.loads(gd.explorer_update("rosenbrock", '[{"optimizer": "Adam"}]',
        ...                                     [0.0, 0.0], 10))
        >>> sorted(out)
        ['code', 'race']
    """
    if isinstance(runs, str):
        runs = json.loads(runs)
    grid_resolution = check_int("grid_resolution", grid_resolution, minimum=0)
    name, f = _resolve_landscape(landscape)
    start = as_point("x0", x0, dim=2)
    steps = check_int("steps", steps, minimum=0)
    prepared = _prepare(runs)
    wanted = set(range(len(prepared)))
    if compute is not None:
        wanted = {check_int("compute[i]", i) for i in compute}
        if wanted and max(wanted) >= len(prepared):
            raise ValueError(
                f"compute must hold run indices in [0, {len(prepared) - 1}], got {list(compute)}"
            )
    gd = _gd()
    results: list[dict[str, Any] | None] = []
    with np.errstate(all="ignore"):
        for i, (spec, opt, label) in enumerate(prepared):
            if i not in wanted:
                results.append(None)
                continue
            traj = gd.minimize(f, opt, start, steps)
            xs = np.asarray(traj.xs, dtype=float)
            grads = np.asarray(traj.grads, dtype=float)
            results.append(_run_record(label, spec, opt, traj, packed=_packed(
                [xs, traj.losses, np.sqrt(np.sum(grads * grads, axis=-1))])))
    out: dict[str, Any] = {
        "race": {"landscape": name, "x0": start.tolist(), "steps": steps, "runs": results},
        "code": race_code(name, runs, start, steps),
    }
    if grid_resolution:
        out["grid"] = landscape_grid(name, resolution=grid_resolution, packed=True)
    return json.dumps(out, separators=(",", ":"), allow_nan=False)


def explorer_catalog() -> dict[str, Any]:
    """The explorer's menus: landscapes (domain, minima) and optimizers (hyperparameters).

    Each optimizer entry has ``name`` (the key in ``gd.optimizers``), ``class`` and
    ``params``: a dict of hyperparameter -> ``{"default", "label", "scale", "min", "max"}``.

        >>> import gdcore as gd
        >>> cat = gd.explorer_catalog()
        >>> "lr" in cat["optimizers"][0]["params"]
        True
    """
    gd = _gd()
    landscapes = []
    for name, f in gd.landscapes.items():
        (xmin, xmax), (ymin, ymax) = f.domain
        landscapes.append({
            "name": name,
            "start": [_nice(xmin + 0.15 * (xmax - xmin)), _nice(ymin + 0.85 * (ymax - ymin))],
            "domain": [[float(a), float(b)] for a, b in f.domain],
            "minima": np.asarray(f.minima, dtype=float).reshape(-1, 2).tolist(),
            "log": bool(getattr(f, "log_levels", False)),
        })
    optimizers = []
    for name, cls in gd.optimizers.items():
        params = {}
        for pname, default in _tunable(cls).items():
            params[pname] = {"default": default, **HYPERPARAMETERS[pname]}
        optimizers.append({"name": name, "class": cls.__name__, "params": params})
    return {"landscapes": landscapes, "optimizers": optimizers, "colors": list(OKABE_ITO)}


def _fmt(value: float) -> str:
    """A float literal that reads back exactly (repr round-trips)."""
    return repr(float(value))


def _literal(value: Any) -> str:
    if isinstance(value, (tuple, list)):
        return "(" + ", ".join(_literal(v) for v in value) + ")"
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        return repr(value)
    return _fmt(value)


@functools.cache
def _lr_required(cls: type) -> bool:
    p = inspect.signature(cls).parameters.get("lr")
    return p is not None and p.default is inspect.Parameter.empty


def race_code(
    landscape: str,
    runs: Sequence[Mapping[str, Any]],
    x0: Sequence[float],
    steps: int,
) -> str:
    """The gdcore cell that reproduces :func:`race` for these settings ("show code").

    Running the returned code prints one line per run with its status and final point.

        >>> import gdcore as gd
        >>> code = gd.race_code("rosenbrock", [{"optimizer": "Adam", "lr": 0.02}], [-1.5, 2], 500)
        >>> print(code.splitlines()[2])
        f = gd.landscapes["rosenbrock"]
    """
    if not isinstance(landscape, str):
        raise TypeError(f"landscape must be a name from gd.landscapes, got {landscape!r}")
    start = as_point("x0", x0, dim=2)
    steps = check_int("steps", steps, minimum=0)
    lines = [
        "import gdcore as gd",
        "",
        f"f = gd.landscapes[{json.dumps(landscape)}]",
        f"x0 = [{_fmt(start[0])}, {_fmt(start[1])}]",
        "runs = {",
    ]
    for spec, opt, label in _prepare(runs):
        if not isinstance(spec, Mapping):
            raise TypeError(f"race_code needs run specs (dicts), got {spec!r}")
        cls = type(opt)
        kw = {k: v for k, v in spec.items() if k not in ("optimizer", "label")}
        if "beta1" in kw or "beta2" in kw:
            defaults = _tunable(cls)
            kw["betas"] = (kw.pop("beta1", defaults.get("beta1", 0.9)),
                           kw.pop("beta2", defaults.get("beta2", 0.999)))
        if "lr" not in kw and _lr_required(cls):
            kw["lr"] = DEFAULT_LR
        args = ", ".join(f"{key}={_literal(value)}" for key, value in kw.items())
        lines.append(
            f"    {json.dumps(label)}: "
            f"gd.minimize(f, gd.{cls.__name__}({args}), x0, steps={steps}),"
        )
    lines += [
        "}",
        "for name, run in runs.items():",
        "    print(f\"{name}: {run.status} after {run.n_steps} steps, \"",
        "          f\"x = {run.x.tolist()}, loss = {run.loss:.6g}\")",
    ]
    return "\n".join(lines) + "\n"
