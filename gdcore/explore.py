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
- :func:`explorer_update` is one redraw of the explorer (the race packed as float64, with
  the optimizers' own state per step for the step inspector when asked).
- :func:`landscape_grid` evaluates a landscape on a grid with contour levels for a map.
- :func:`explorer_catalog` lists the landscapes (with suggested hyperparameters per
  optimizer, see :func:`suggested_hyperparameters`) and the optimizers with their tunable
  hyperparameters (defaults and slider ranges), for the explorer's menus.
- :func:`race_code` writes the gdcore cell that reproduces a race, for "show code".
- :func:`heavy_ball_rate` is the heavy ball's rate per step on a quadratic, and
  :func:`momentum_rate_grid` maps it over (learning rate, momentum) for the explorer's
  picture of Momentum's settings (Goh 2017).
- :func:`expression_landscape` turns a reader's ``f(x, y)`` typed as text into an objective,
  and :class:`NoisyGradient` adds seeded noise to a landscape's gradient.
"""

from __future__ import annotations

import ast
import base64
import functools
import inspect
import json
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from gdcore import schedules as _schedules
from gdcore._checks import as_point, check_int, check_nonnegative
from gdcore.derivatives import central_difference, check_gradient
from gdcore.landscape import Quadratic, get_landscape, landscapes
from gdcore.loop import minimize
from gdcore.optim import (
    AdaDelta,
    AdaGrad,
    Adam,
    Momentum,
    Nesterov,
    RMSProp,
    join_betas,
    optimizers,
    split_betas,
)

__all__ = [
    "ExpressionLandscape",
    "NoisyGradient",
    "explorer_catalog",
    "explorer_update",
    "expression_landscape",
    "heavy_ball_rate",
    "landscape_grid",
    "make_optimizer",
    "momentum_rate_grid",
    "make_schedule",
    "race",
    "race_code",
    "suggested_hyperparameters",
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
# The explorer's other controls: the steps slider, the noise slider and the seed field.
CONTROLS: dict[str, dict[str, Any]] = {
    "steps": {"min": 10, "max": 2000, "step": 10},
    "noise": {"min": 0.0, "max": 2.0, "step": 0.05},
    "seed": {"min": 0, "max": 9999, "step": 1},
}
# Learning rate shown for optimizers whose constructor has no default for it.
DEFAULT_LR = 0.01
# Colour-blind-safe palette (Okabe & Ito, 2008), in the order runs are coloured.
OKABE_ITO = ["#E69F00", "#56B4E9", "#009E73", "#D55E00", "#0072B2", "#CC79A7", "#F0E442",
             "#000000"]

#: Suggested learning rates per landscape and optimizer (other hyperparameters: the
#: constructor's defaults, except where a landscape names them). Found with gdcore: for
#: each pair, a log grid of rates from 1e-4 to 5 run for 500 steps from the explorer's
#: start and from nine points spread over the domain; kept were the rates that never
#: diverge there and whose next larger rate (2 to 2.5 times as large) does not either (a
#: margin of safety); of those that end within ten times the best loss gap, the middle
#: one. ``tests/gdcore/test_explore.py`` checks every pair again: no divergence within 500
#: steps and a final loss below the start.
SUGGESTED: dict[str, dict[str, dict[str, float]]] = {
    "bowl": {"sign_descent": {"lr": 0.02}, "gradient_descent": {"lr": 0.05},
             "momentum": {"lr": 0.02}, "nesterov": {"lr": 0.01}, "adagrad": {"lr": 0.5},
             "rmsprop": {"lr": 0.02}, "adadelta": {"lr": 1.0}, "adam": {"lr": 0.1},
             "adamw": {"lr": 0.1}},
    "ill-conditioned": {"sign_descent": {"lr": 0.05}, "gradient_descent": {"lr": 0.05},
                        "momentum": {"lr": 0.01}, "nesterov": {"lr": 0.01},
                        "adagrad": {"lr": 1.0}, "rmsprop": {"lr": 0.05},
                        "adadelta": {"lr": 2.0}, "adam": {"lr": 0.2}, "adamw": {"lr": 0.2}},
    "rosenbrock": {"sign_descent": {"lr": 0.002}, "gradient_descent": {"lr": 0.001},
                   "momentum": {"lr": 0.0005}, "nesterov": {"lr": 0.0001},
                   "adagrad": {"lr": 0.01}, "rmsprop": {"lr": 0.01}, "adadelta": {"lr": 1.0},
                   "adam": {"lr": 0.5}, "adamw": {"lr": 0.2}},
    "beale": {"sign_descent": {"lr": 0.05}, "gradient_descent": {"lr": 0.0001},
              "momentum": {"lr": 0.0001, "momentum": 0.7},
              "nesterov": {"lr": 0.0001, "momentum": 0.7}, "adagrad": {"lr": 0.5},
              "rmsprop": {"lr": 0.5}, "adadelta": {"lr": 2.0}, "adam": {"lr": 0.2},
              "adamw": {"lr": 0.2}},
    "himmelblau": {"sign_descent": {"lr": 0.002}, "gradient_descent": {"lr": 0.002},
                   "momentum": {"lr": 0.0005}, "nesterov": {"lr": 0.0005},
                   "adagrad": {"lr": 0.5}, "rmsprop": {"lr": 0.02}, "adadelta": {"lr": 0.5},
                   "adam": {"lr": 0.1}, "adamw": {"lr": 0.1}},
    "booth": {"sign_descent": {"lr": 0.1}, "gradient_descent": {"lr": 0.02},
              "momentum": {"lr": 0.01}, "nesterov": {"lr": 0.005}, "adagrad": {"lr": 1.0},
              "rmsprop": {"lr": 0.05}, "adadelta": {"lr": 1.0}, "adam": {"lr": 0.5},
              "adamw": {"lr": 0.2}},
    "saddle": {"sign_descent": {"lr": 0.01}, "gradient_descent": {"lr": 0.0005},
               "momentum": {"lr": 0.0002}, "nesterov": {"lr": 0.0002}, "adagrad": {"lr": 0.01},
               "rmsprop": {"lr": 0.01}, "adadelta": {"lr": 0.01}, "adam": {"lr": 0.01},
               "adamw": {"lr": 0.01}},
    "rastrigin": {"sign_descent": {"lr": 0.002}, "gradient_descent": {"lr": 0.0005},
                  "momentum": {"lr": 0.001}, "nesterov": {"lr": 0.0005},
                  "adagrad": {"lr": 0.005}, "rmsprop": {"lr": 0.005},
                  "adadelta": {"lr": 0.01}, "adam": {"lr": 0.005}, "adamw": {"lr": 0.01}},
    "ackley": {"sign_descent": {"lr": 0.5}, "gradient_descent": {"lr": 0.1},
               "momentum": {"lr": 0.01}, "nesterov": {"lr": 0.001}, "adagrad": {"lr": 1.0},
               "rmsprop": {"lr": 0.1}, "adadelta": {"lr": 0.01}, "adam": {"lr": 0.5},
               "adamw": {"lr": 0.5}},
    "styblinski-tang": {"sign_descent": {"lr": 0.005}, "gradient_descent": {"lr": 0.001},
                        "momentum": {"lr": 0.001}, "nesterov": {"lr": 0.001},
                        "adagrad": {"lr": 0.01}, "rmsprop": {"lr": 0.01},
                        "adadelta": {"lr": 0.01}, "adam": {"lr": 0.01}, "adamw": {"lr": 0.01}},
    "six-hump-camel": {"sign_descent": {"lr": 0.002}, "gradient_descent": {"lr": 0.002},
                       "momentum": {"lr": 0.001}, "nesterov": {"lr": 0.001},
                       "adagrad": {"lr": 0.01}, "rmsprop": {"lr": 0.01},
                       "adadelta": {"lr": 0.01}, "adam": {"lr": 0.01}, "adamw": {"lr": 0.01}},
}

#: The explorer's learning-rate schedules: name -> (label, how its parameters follow from
#: the run's ``lr`` and ``steps``). See :func:`make_schedule`.
SCHEDULES: dict[str, str] = {
    "constant": "constant",
    "step": "step: ×0.3 every third of the run",
    "exponential": "exponential: to 1% at the end",
    "cosine": "cosine: to 0 at the end",
    "warmup": "warm-up: linear from 10% over the first tenth",
}


# --- landscapes and optimizers by name ---------------------------------------------------

def _landscape_key(landscape: Any) -> str:
    """The registry key of a landscape object from ``gd.landscapes``, or its name."""
    for key, f in landscapes.items():
        if f is landscape:
            return key
    return str(getattr(landscape, "name", type(landscape).__name__))


def _resolve_landscape(landscape: Any) -> tuple[str, Any]:
    """A landscape name (as ``gd.get_landscape`` takes it) or object -> (name, object)."""
    if isinstance(landscape, str):
        try:
            f = get_landscape(landscape)  # case-insensitive; "_" or " " for "-"
        except ValueError:
            raise ValueError(
                f"landscape must be one of {sorted(landscapes)}, got {landscape!r}"
            ) from None
        return _landscape_key(f), f
    if not callable(landscape) or not hasattr(landscape, "grad") or not hasattr(
        landscape, "domain"
    ):
        raise TypeError(
            "landscape must be a name from gd.landscapes or a 2-D landscape object "
            f"(callable with .grad and .domain), got {landscape!r}"
        )
    return _landscape_key(landscape), landscape


def _lookup_optimizer(name: str) -> tuple[str, type]:
    """An optimizer's registry key and class from its key or class name (any case)."""
    for key, cls in optimizers.items():  # accept "adam" for "Adam" and the class name
        if name.lower() in (key.lower(), cls.__name__.lower()):
            return key, cls
    raise ValueError(f"optimizer must be one of {sorted(optimizers)}, got {name!r}")


@functools.cache
def _tunable_cached(cls: type) -> dict[str, float]:
    defaults = {name: p.default for name, p in inspect.signature(cls).parameters.items()}
    if defaults.get("betas") is inspect.Parameter.empty:
        defaults["betas"] = (0.9, 0.999)
    params: dict[str, float] = {}
    for pname, default in split_betas(defaults).items():  # beta1 / beta2 for betas
        if pname in HYPERPARAMETERS:
            if default is inspect.Parameter.empty:
                default = DEFAULT_LR if pname == "lr" else 0.0
            params[pname] = float(default)
    return params


def _tunable(cls: type) -> dict[str, float]:
    """Tunable hyperparameters of an optimizer class with their defaults (betas split)."""
    return dict(_tunable_cached(cls))


@functools.cache
def _lr_required(cls: type) -> bool:
    p = inspect.signature(cls).parameters.get("lr")
    return p is not None and p.default is inspect.Parameter.empty


# Keys of a run spec that are not constructor arguments.
_SPEC_KEYS = ("optimizer", "label", "schedule")


def _constructor_kwargs(cls: type, spec: Mapping[str, Any]) -> dict[str, Any]:
    """A run spec's constructor arguments: ``beta1``/``beta2`` joined into ``betas``."""
    defaults = _tunable(cls)
    kwargs = join_betas({k: v for k, v in spec.items() if k not in _SPEC_KEYS},
                        default=(defaults.get("beta1", 0.9), defaults.get("beta2", 0.999)))
    if "lr" not in kwargs and _lr_required(cls):
        kwargs["lr"] = DEFAULT_LR
    return kwargs


def make_optimizer(spec: Mapping[str, Any] | Any) -> Any:
    """Build an optimizer from a spec such as ``{"optimizer": "Adam", "lr": 0.01}``.

    Keys other than ``optimizer``, ``label`` and ``schedule`` are constructor arguments;
    ``beta1`` and ``beta2`` may be given separately and become ``betas``. An optimizer
    object is returned as is (after ``reset()``).

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
    _, cls = _lookup_optimizer(str(spec["optimizer"]))
    return cls(**_constructor_kwargs(cls, spec))


def suggested_hyperparameters(landscape: str, optimizer: str) -> dict[str, float]:
    """Hyperparameters that suit ``optimizer`` on ``landscape``: stable and instructive.

    Every tunable hyperparameter of the optimizer (``beta1``/``beta2`` for ``betas``), its
    constructor default unless :data:`SUGGESTED` names a value for this landscape. The
    explorer applies them when the reader switches landscape or ticks an optimizer.

        >>> import gdcore as gd
        >>> gd.suggested_hyperparameters("rosenbrock", "Adam")
        {'lr': 0.5, 'beta1': 0.9, 'beta2': 0.999, 'weight_decay': 0.0}
    """
    name, _ = _resolve_landscape(landscape)
    key, cls = _lookup_optimizer(str(optimizer))
    params = _tunable(cls)
    params.update(SUGGESTED.get(name, {}).get(key, {}))
    return params


# --- schedules and noise -------------------------------------------------------------------

def make_schedule(name: str, lr: float, steps: int) -> Any:
    """The explorer's schedule ``name`` (a key of :data:`SCHEDULES`) for a run of ``steps``.

    ``"constant"`` gives ``None`` (no schedule); the others are gdcore schedules whose
    parameters follow from ``steps``: ``"step"`` is ``StepLR(lr, step_size=steps // 3,
    gamma=0.3)``, ``"exponential"`` is ``ExponentialLR`` falling to 1% of ``lr`` at the end,
    ``"cosine"`` is ``CosineLR(lr, total_steps=steps)`` and ``"warmup"`` is ``LinearLR``
    from 10% of ``lr`` over the first tenth of the run.

        >>> import gdcore as gd
        >>> gd.make_schedule("step", 0.1, 300)
        StepLR(lr=0.1, step_size=100, gamma=0.3)
    """
    if name not in SCHEDULES:
        raise ValueError(f"schedule must be one of {sorted(SCHEDULES)}, got {name!r}")
    steps = check_int("steps", steps)
    span = max(1, steps)
    if name == "constant":
        return None
    if name == "step":
        return _schedules.StepLR(lr, step_size=max(1, span // 3), gamma=0.3)
    if name == "exponential":
        return _schedules.ExponentialLR(lr, gamma=float(0.01 ** (1.0 / span)))
    if name == "cosine":
        return _schedules.CosineLR(lr, total_steps=span)
    return _schedules.LinearLR(lr, start_factor=0.1, total_iters=max(1, span // 10))


class NoisyGradient:
    r"""A landscape whose gradient carries seeded Gaussian noise, like a mini-batch gradient.

    ``grad(x)`` is ``f.grad(x) + sigma * z`` with ``z`` a fresh standard normal vector per
    call, from ``numpy.random.default_rng(seed)``; the loss ``f(x)`` stays exact, so the
    curves show the true loss of the noisy path. Build a new one per run to repeat a run.

    Example:
        >>> import gdcore as gd
        >>> f = gd.NoisyGradient(gd.landscapes["bowl"], sigma=0.5, seed=1)
        >>> run = gd.minimize(f, gd.GradientDescent(lr=0.1), [1.0, 1.0], steps=200)
        >>> bool(0 < run.loss < 0.1)   # a noise floor: it never settles at 0
        True
    """

    def __init__(self, f: Any, sigma: float, seed: int = 0) -> None:
        self.f = f
        self.sigma = check_nonnegative("sigma", sigma)
        self.seed = check_int("seed", seed)
        self.rng = np.random.default_rng(self.seed)
        self.name = f"{getattr(f, 'name', 'f')} (noisy gradient)"
        self.domain = getattr(f, "domain", None)
        self.minima = getattr(f, "minima", np.zeros((0, 2)))

    def __call__(self, x: Any) -> Any:
        return self.f(x)

    def grad(self, x: Any) -> np.ndarray:
        g = np.asarray(self.f.grad(x), dtype=float)
        return g + self.sigma * self.rng.standard_normal(g.shape)

    def __repr__(self) -> str:
        return f"NoisyGradient({self.f!r}, sigma={self.sigma!r}, seed={self.seed})"


@functools.cache
def _gradient_scale_cached(name: str) -> float:
    return _gradient_scale(landscapes[name])


def _gradient_scale(f: Any) -> float:
    """The median gradient norm over a 33 x 33 grid of the domain: the unit of noise."""
    (xmin, xmax), (ymin, ymax) = f.domain
    gx, gy = np.meshgrid(np.linspace(xmin, xmax, 33), np.linspace(ymin, ymax, 33))
    with np.errstate(all="ignore"):
        g = np.asarray(f.grad(np.stack([gx, gy], axis=-1)), dtype=float)
    norms = np.sqrt(np.sum(g * g, axis=-1))
    norms = norms[np.isfinite(norms)]
    return float(np.median(norms)) if norms.size else 1.0


def _noise_sigma(name: str, f: Any, noise: float) -> float:
    """Noise level (a fraction of the landscape's median gradient norm) -> sigma."""
    noise = check_nonnegative("noise", noise)
    if not noise:
        return 0.0
    scale = _gradient_scale_cached(name) if landscapes.get(name) is f else _gradient_scale(f)
    return float(f"{noise * scale:.3g}")


# --- your own function ---------------------------------------------------------------------

# Names an expression may use: x and y, numbers, and these functions and constants.
_FUNCTIONS = ("sin", "cos", "tan", "arcsin", "arccos", "arctan", "arctan2", "sinh", "cosh",
              "tanh", "exp", "expm1", "log", "log1p", "log10", "log2", "sqrt", "abs",
              "maximum", "minimum", "hypot", "sign", "square")
_CONSTANTS = {"pi": math.pi, "e": math.e}
_NODES = (ast.Expression, ast.BinOp, ast.UnaryOp, ast.Call, ast.Name, ast.Load,
          ast.Constant, ast.Attribute, ast.operator, ast.unaryop)


def _compile_expression(what: str, text: Any) -> Any:
    """Check ``text`` (an expression in x, y) and compile it; ValueError says what is wrong."""
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"{what} must be an expression in x and y, like 'x**2 + 3*y**2'")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        where = f" at column {exc.offset}" if exc.offset else ""
        raise ValueError(f"{what} is not a valid expression{where}: {exc.msg}") from None
    allowed = {"x", "y", "np", *_FUNCTIONS, *_CONSTANTS}
    for node in ast.walk(tree):
        if not isinstance(node, _NODES):
            raise ValueError(
                f"{what} may use only numbers, x, y, + - * / ** and functions such as "
                f"sin, exp, sqrt (or np.sin, ...); {type(node).__name__} is not allowed"
            )
        if isinstance(node, ast.Name) and node.id not in allowed:
            raise ValueError(
                f"{what}: unknown name {node.id!r}; use x, y, pi, e and "
                f"{', '.join(_FUNCTIONS)}"
            )
        if isinstance(node, ast.Attribute) and not (
            isinstance(node.value, ast.Name) and node.value.id == "np"
            and node.attr in _FUNCTIONS + tuple(_CONSTANTS)
        ):
            raise ValueError(f"{what}: only np.<function> is allowed, e.g. np.sin(x)")
        if isinstance(node, ast.Constant) and not isinstance(node.value, (int, float)):
            raise ValueError(f"{what}: only numbers are allowed as constants")
        if isinstance(node, ast.Call) and node.keywords:
            raise ValueError(f"{what}: functions take positional arguments only")
    return compile(tree, f"<{what}>", "eval")


class ExpressionLandscape:
    """A 2-D objective from text: ``f(x, y)`` as a numpy expression, gradient optional.

    Without ``gradient`` the gradient is computed by central differences
    (:func:`gdcore.central_difference`); with it (a pair of expressions for df/dx and
    df/dy) that analytic gradient is used, and :meth:`gradient_check` compares it with
    central differences. Build one with :func:`expression_landscape`.

    Example:
        >>> import gdcore as gd
        >>> f = gd.expression_landscape("x**2 + 3*y**2", gradient=("2*x", "6*y"))
        >>> f([1.0, 1.0]), f.grad([1.0, 1.0]).tolist()
        (4.0, [2.0, 6.0])
    """

    vectorized = True
    log_levels = False
    minima = np.zeros((0, 2))

    def __init__(self, expression: str, gradient: Sequence[str] | None = None,
                 domain: Any = ((-3.0, 3.0), (-3.0, 3.0))) -> None:
        self.expression = str(expression).strip()
        self._code = _compile_expression("f(x, y)", self.expression)
        self.gradient = None
        self._grad_code = None
        if gradient is not None:
            if isinstance(gradient, str) or len(gradient) != 2:
                raise ValueError("gradient must be a pair of expressions (df/dx, df/dy)")
            self.gradient = (str(gradient[0]).strip(), str(gradient[1]).strip())
            self._grad_code = (_compile_expression("df/dx", self.gradient[0]),
                               _compile_expression("df/dy", self.gradient[1]))
        try:
            (xmin, xmax), (ymin, ymax) = (tuple(map(float, r)) for r in domain)
        except (TypeError, ValueError):
            raise ValueError(
                f"domain must be ((xmin, xmax), (ymin, ymax)), got {domain!r}"
            ) from None
        if not (xmin < xmax and ymin < ymax and all(map(math.isfinite, (xmin, xmax, ymin, ymax)))):
            raise ValueError(f"domain must have finite xmin < xmax and ymin < ymax, got {domain!r}")
        self.domain = ((xmin, xmax), (ymin, ymax))
        self.name = f"f(x, y) = {self.expression}"
        # check it once at the centre, so that a runtime error is reported now
        centre = np.array([(xmin + xmax) / 2, (ymin + ymax) / 2])
        for what, value in [("f(x, y)", lambda: self(centre))] + (
            [("gradient", lambda: self.grad(centre))] if self._grad_code else []
        ):
            try:
                with np.errstate(all="ignore"):
                    value()
            except Exception as exc:  # the reader's expression: report any error plainly
                raise ValueError(f"{what} fails at {centre.tolist()}: "
                                 f"{type(exc).__name__}: {exc}") from None

    def _eval(self, code: Any, p: np.ndarray) -> Any:
        env = {"x": p[..., 0], "y": p[..., 1], "np": np, **_CONSTANTS,
               **{name: getattr(np, name) for name in _FUNCTIONS}}
        return eval(code, {"__builtins__": {}}, env)  # checked by _compile_expression

    def __call__(self, x: Any) -> Any:
        p = np.asarray(x, dtype=float)
        value = np.asarray(self._eval(self._code, p), dtype=float)
        value = np.broadcast_to(value, p.shape[:-1])
        return float(value) if p.ndim == 1 else np.array(value)

    def _numeric_grad(self, x: Any) -> np.ndarray:
        p = np.asarray(x, dtype=float)
        if p.ndim == 1:
            return np.asarray(central_difference(self, p, 1e-5, vectorized=True), dtype=float)
        h = 1e-5
        ex, ey = np.array([h, 0.0]), np.array([0.0, h])
        return np.stack([(self(p + ex) - self(p - ex)) / (2 * h),
                         (self(p + ey) - self(p - ey)) / (2 * h)], axis=-1)

    def grad(self, x: Any) -> np.ndarray:
        """The reader's gradient if given, else central differences."""
        if self._grad_code is None:
            return self._numeric_grad(x)
        p = np.asarray(x, dtype=float)
        parts = [np.broadcast_to(np.asarray(self._eval(c, p), dtype=float), p.shape[:-1])
                 for c in self._grad_code]
        return np.stack(parts, axis=-1)

    def gradient_check(self, points: int = 7, tol: float = 1e-4) -> dict[str, Any]:
        """Compare the given gradient with central differences on a ``points``² grid.

        Uses :func:`gdcore.check_gradient` at each grid point; returns ``ok``,
        ``max_error``, ``n_checked``, ``n_bad`` (points with an error above ``tol``) and
        ``worst`` (``at``, ``yours``, ``numerical``, ``error``) or ``None``.
        """
        if self._grad_code is None:
            raise ValueError("gradient_check needs an analytic gradient (gradient=...)")
        (xmin, xmax), (ymin, ymax) = self.domain
        worst, n_bad, n = None, 0, 0
        with np.errstate(all="ignore"):
            for px in np.linspace(xmin, xmax, points + 2)[1:-1]:
                for py in np.linspace(ymin, ymax, points + 2)[1:-1]:
                    p = np.array([px, py])
                    err = check_gradient(self, p, self.grad)
                    if not math.isfinite(err):
                        continue
                    n += 1
                    if err > tol:
                        n_bad += 1
                    if worst is None or err > worst["error"]:
                        worst = {"at": p.tolist(), "error": err,
                                 "yours": self.grad(p).tolist(),
                                 "numerical": self._numeric_grad(p).tolist()}
        max_error = worst["error"] if worst else 0.0
        return {"ok": n_bad == 0, "max_error": max_error, "n_checked": n, "n_bad": n_bad,
                "tol": tol, "worst": worst if n_bad else None}

    def __repr__(self) -> str:
        grad = "" if self.gradient is None else f", gradient={self.gradient!r}"
        return f"expression_landscape({self.expression!r}{grad}, domain={self.domain!r})"


def expression_landscape(expression: str, gradient: Sequence[str] | None = None,
                         domain: Any = ((-3.0, 3.0), (-3.0, 3.0))) -> ExpressionLandscape:
    """Your own function ``f(x, y)``, typed as a numpy expression, as a gdcore objective.

    ``expression`` may use ``x``, ``y``, numbers, ``+ - * / **``, ``pi``, ``e`` and numpy
    functions (``sin``, ``exp``, ``sqrt``, ... or ``np.sin``, ...); nothing else is
    evaluated, so a typo gives a ``ValueError`` naming the problem. ``gradient`` is an
    optional pair of expressions for the partial derivatives (default: central
    differences). ``domain`` is the plot box.

        >>> import gdcore as gd
        >>> f = gd.expression_landscape("(x - 1)**2 + 10*(y + x**2)**2")
        >>> run = gd.minimize(f, gd.Adam(lr=0.1), [-1.0, 1.0], steps=400)
        >>> run.loss < 1e-3
        True
    """
    return ExpressionLandscape(expression, gradient, domain)


# --- races ---------------------------------------------------------------------------------

def _finite_list(values: np.ndarray) -> list:
    """A float array -> nested lists with NaN/inf replaced by None (valid JSON)."""
    arr = np.asarray(values, dtype=float)
    out = arr.tolist()
    if np.all(np.isfinite(arr)):
        return out
    if arr.ndim == 1:
        return [v if math.isfinite(v) else None for v in out]
    return [[v if math.isfinite(v) else None for v in row] for row in out]


def _finite_or_none(value: float) -> float | None:
    value = float(value)
    return value if math.isfinite(value) else None


def _prepare(runs: Any) -> list[tuple[Any, Any, str]]:
    """Run specs -> [(spec, optimizer, label)] with labels unique ("Adam", "Adam 2", ...)."""
    if isinstance(runs, str):
        runs = json.loads(runs)
    if isinstance(runs, Mapping) or not isinstance(runs, Sequence):
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


def _spec_schedule(spec: Any, opt: Any, steps: int) -> tuple[str, Any]:
    """A run's schedule: (its name in SCHEDULES, the gdcore schedule or None)."""
    name = str(spec.get("schedule") or "constant") if isinstance(spec, Mapping) else "constant"
    return name, make_schedule(name, opt.lr, steps)


def _spec_params(spec: Any, opt: Any) -> dict[str, float]:
    """The hyperparameters a run used, in the explorer's flat form (beta1/beta2)."""
    params = _tunable(type(opt))
    used = opt.hyperparameters(flat=True) if hasattr(opt, "hyperparameters") else {}
    for key in params:
        value = used.get(key, getattr(opt, key, None))
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            params[key] = float(value)
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


def _objective(name: str, f: Any, noise: float, seed: int) -> tuple[Any, float]:
    """The objective one run sees: ``f``, or a fresh :class:`NoisyGradient` of it."""
    sigma = _noise_sigma(name, f, noise)
    return (NoisyGradient(f, sigma, seed) if sigma else f), sigma


def race(
    landscape: Any,
    runs: Sequence[Mapping[str, Any] | Any],
    x0: Sequence[float],
    steps: int,
    *,
    noise: float = 0.0,
    seed: int = 0,
) -> dict[str, Any]:
    """Run each optimizer in ``runs`` from ``x0`` on ``landscape`` for ``steps`` steps.

    ``landscape`` is a name as :func:`gdcore.get_landscape` takes it (or a landscape
    object); each run is a spec like ``{"optimizer": "Momentum", "lr": 0.001,
    "momentum": 0.9}`` (see :func:`make_optimizer`; ``"schedule"`` may name one of
    :data:`SCHEDULES`) or an optimizer object. ``noise`` adds Gaussian noise of that many
    times the landscape's median gradient norm to every gradient (a
    :class:`NoisyGradient` seeded with ``seed``, the same for every run). Every run is one
    call of :func:`gdcore.minimize`. The result is JSON-ready: per run ``label``,
    ``optimizer`` (class name), ``params``, ``path`` (list of ``[x, y]``), ``losses``,
    ``grad_norms``, ``n_steps``, ``status``, ``diverged_at`` (step number or ``None``),
    ``message`` (e.g. ``"diverged at step 12"``), ``final`` and ``final_loss``. Values
    that are not finite become ``None``.

        >>> import gdcore as gd
        >>> out = gd.race("Rosenbrock", [{"optimizer": "GradientDescent", "lr": 0.5}],
        ...               [-1.5, 2.0], 100)
        >>> out["landscape"], out["runs"][0]["message"]
        ('rosenbrock', 'diverged at step 2')

    """
    name, f = _resolve_landscape(landscape)
    start = as_point("x0", x0, dim=2)
    steps = check_int("steps", steps, minimum=0)
    seed = check_int("seed", seed)
    prepared = _prepare(runs)
    results = []
    with np.errstate(all="ignore"):
        for spec, opt, label in prepared:
            objective, _ = _objective(name, f, noise, seed)
            _, schedule = _spec_schedule(spec, opt, steps)
            rate = _rate_of_run(f, opt)  # before the run: a schedule changes opt.lr
            traj = minimize(objective, opt, start, steps, schedule=schedule)
            grads = np.asarray(traj.grads, dtype=float)
            grad_norms = np.sqrt(np.sum(grads * grads, axis=-1)) if grads.size else grads
            results.append(_run_record(
                label, spec, opt, traj, **rate,
                path=_finite_list(traj.xs),
                losses=_finite_list(traj.losses),
                grad_norms=_finite_list(grad_norms),
            ))
    return {"landscape": name, "x0": start.tolist(), "steps": steps, "runs": results}


# --- the step inspector: what each optimizer's own state says at each step ---------------

class _Recorder:
    """An optimizer for :func:`gdcore.minimize` that keeps, per step, the inner one's state.

    After each ``step`` it keeps the wrapped optimizer's buffers (every step of gdcore's
    optimizers makes new arrays, so keeping references is enough and costs nothing);
    :meth:`vectors` then turns them into the 2-D vectors the inspector shows:
    ``gradient_step`` (``-lr * g``), ``velocity`` (the momentum part of the update),
    ``state`` (the buffer or running average), ``second`` (Adam's second moment), ``scale``
    (the per-coordinate learning rate of the adaptive methods) and ``scaled_gradient``.
    """

    def __init__(self, opt: Any) -> None:
        self.opt = opt
        self.name = getattr(opt, "name", type(opt).__name__)
        self.kind = _state_kind(opt)
        self.reset_records()

    def reset_records(self) -> None:
        self.lrs: list[float] = []
        self.grads: list[np.ndarray] = []
        self.kept: list[tuple[Any, ...]] = []

    @property
    def lr(self) -> float:
        return self.opt.lr

    @lr.setter
    def lr(self, value: float) -> None:
        self.opt.lr = value

    def reset(self) -> None:
        self.opt.reset()
        self.reset_records()

    def __repr__(self) -> str:
        return repr(self.opt)

    def step(self, x: np.ndarray, grad: np.ndarray) -> np.ndarray:
        opt = self.opt
        x_new = opt.step(x, grad)
        self.lrs.append(opt.lr)
        self.grads.append(grad)
        self.kept.append(tuple(getattr(opt, name) for name in _KEPT[self.kind]))
        return x_new

    def vectors(self) -> dict[str, np.ndarray]:
        """The recorded vectors, each of shape ``(steps, 2)``: row ``k`` is step ``k``."""
        opt, kind, n = self.opt, self.kind, len(self.lrs)
        lr = np.array(self.lrs, dtype=float).reshape(n, 1)
        g = np.array(self.grads, dtype=float).reshape(n, 2)
        t = np.arange(1, n + 1, dtype=float).reshape(n, 1)

        def kept(i: int) -> np.ndarray:  # buffer i after each step (zeros where there is none)
            return np.array([np.zeros(2) if row[i] is None else row[i] for row in self.kept],
                            dtype=float).reshape(n, 2)

        def before(a: np.ndarray) -> np.ndarray:  # the same buffer before each step
            return np.vstack([np.zeros((1, 2)), a[:-1]])

        out = {"gradient_step": -lr * g}
        if kind in ("momentum", "nesterov"):
            b = kept(0)  # x_next = x - lr (mu b_{t-1} + g), resp. x - lr (g + mu b_t)
            out["velocity"] = -lr * opt.momentum * (before(b) if kind == "momentum" else b)
            out["state"] = b
        elif kind == "adagrad":
            s = kept(0)
            out["state"] = s
            out["scale"] = lr / (1 + (t - 1) * opt.lr_decay) / (np.sqrt(s) + opt.eps)
        elif kind == "rmsprop":
            v, mean, b = kept(0), kept(1), kept(2)
            out["velocity"] = -lr * opt.momentum * before(b)
            out["state"] = v
            var = np.maximum(v - mean * mean, 0.0) if opt.centered else v  # as RMSProp clamps
            out["scale"] = lr / (np.sqrt(var) + opt.eps)
        elif kind == "adadelta":
            v, u = kept(0), kept(1)
            out["state"] = v
            out["scale"] = lr * np.sqrt(before(u) + opt.eps) / np.sqrt(v + opt.eps)
        elif kind == "adam":
            beta1, beta2 = opt.betas
            m, v, vmax = kept(0), kept(1), kept(2)
            denom = np.sqrt(vmax if opt.amsgrad else v) / np.sqrt(1 - beta2**t) + opt.eps
            out["state"], out["second"] = m, v
            out["scale"] = lr / (1 - beta1**t) / denom
        if "scale" in out:
            out["scaled_gradient"] = -out["scale"] * g
        return out


# The optimizer attributes the recorder keeps after each step, per kind of optimizer.
_KEPT: dict[str, tuple[str, ...]] = {
    "plain": (), "momentum": ("buf",), "nesterov": ("buf",), "adagrad": ("sum",),
    "rmsprop": ("square_avg", "grad_avg", "buf"), "adadelta": ("square_avg", "acc_delta"),
    "adam": ("exp_avg", "exp_avg_sq", "max_exp_avg_sq"),
}


def _state_kind(opt: Any) -> str:
    """Which of the recorder's recipes reads this optimizer's state."""
    for cls, kind in ((Nesterov, "nesterov"), (Momentum, "momentum"), (AdaGrad, "adagrad"),
                      (RMSProp, "rmsprop"), (AdaDelta, "adadelta"), (Adam, "adam")):
        if isinstance(opt, cls):
            return kind
    return "plain"


_STATE_LABELS: dict[str, dict[str, str]] = {
    "momentum": {"state": "buffer b", "velocity": "velocity −η·μ·b(t−1)"},
    "nesterov": {"state": "buffer b", "velocity": "look-ahead −η·μ·b"},
    "adagrad": {"state": "sum of g² s", "scale": "per-coordinate rate η/(√s+ε)"},
    "rmsprop": {"state": "mean of g² v", "scale": "per-coordinate rate η/(√v+ε)",
                "velocity": "velocity −η·μ·b(t−1)"},
    "adadelta": {"state": "mean of g² v", "scale": "per-coordinate rate η√(u+ε)/√(v+ε)"},
    "adam": {"state": "first moment m", "second": "second moment v",
             "scale": "per-coordinate rate η̂/(√v̂+ε)"},
}
_COMMON_LABELS = {"gradient_step": "gradient step −η·∇f", "update": "update taken",
                  "grads": "gradient ∇f", "scaled_gradient": "scaled gradient −rate·∇f"}
# Which recorded vectors the inspector draws as arrows from the current point.
_ARROWS = ("gradient_step", "update", "velocity", "scaled_gradient")


def _inspect_blocks(rec: _Recorder, xs: np.ndarray, grads: np.ndarray,
                    n: int) -> tuple[list[tuple[str, int]], list[np.ndarray], list[dict]]:
    """Per-step vectors of one run as (layout, arrays, field descriptions), n + 1 rows each."""
    update = np.full((n + 1, 2), np.nan)
    if n:
        update[:n] = xs[1:] - xs[:-1]
    vectors = {"grads": grads, "update": update}
    for key, rows in rec.vectors().items():
        block = np.full((n + 1, 2), np.nan)
        block[: min(n, len(rows))] = rows[:n]
        vectors[key] = block
    labels = {**_COMMON_LABELS, **_STATE_LABELS.get(rec.kind, {})}
    layout = [(key, 2) for key in vectors]
    fields = [{"key": key, "label": labels[key], "arrow": key in _ARROWS} for key in vectors]
    return layout, list(vectors.values()), fields


def _packed(arrays: Sequence[np.ndarray]) -> str:
    """Float arrays -> one base64 string of little-endian float64 (NaN/inf kept)."""
    flat = np.concatenate([np.asarray(a, dtype="<f8").ravel() for a in arrays])
    return base64.b64encode(flat.tobytes()).decode("ascii")


def _run_update(name: str, f: Any, spec: Any, opt: Any, label: str, start: np.ndarray,
                steps: int, inspect_steps: bool, noise: float, seed: int) -> dict[str, Any]:
    """One run of :func:`explorer_update`: the record with its arrays packed."""
    objective, _ = _objective(name, f, noise, seed)
    schedule_name, schedule = _spec_schedule(spec, opt, steps)
    rec = _Recorder(opt) if inspect_steps else None
    rate = _rate_of_run(f, opt)  # before the run: a schedule changes opt.lr
    traj = minimize(objective, rec or opt, start, steps, schedule=schedule)
    n = int(traj.n_steps)
    xs = np.asarray(traj.xs, dtype=float)
    grads = np.asarray(traj.grads, dtype=float)
    lrs = np.full(n + 1, np.nan)
    lrs[: len(traj.lrs)] = traj.lrs
    layout = [("xs", 2), ("losses", 1), ("grad_norms", 1), ("lrs", 1)]
    arrays = [xs, traj.losses, np.sqrt(np.sum(grads * grads, axis=-1)), lrs]
    fields = None
    if rec is not None:
        more, more_arrays, fields = _inspect_blocks(rec, xs, grads, n)
        layout += more
        arrays += more_arrays
    record = _run_record(label, spec, opt, traj, **rate, packed=_packed(arrays),
                         layout=[list(item) for item in layout])
    record["schedule"] = schedule_name
    if fields is not None:
        record["inspect"] = fields
    return record


def _indices(name: str, value: bool | Sequence[int], n: int) -> set[int]:
    """``True``: every run index; ``False``: none; else a list of run indices, checked."""
    if isinstance(value, bool):
        return set(range(n)) if value else set()
    out = {check_int(f"{name}[i]", i) for i in value}
    if out and max(out) >= n:
        raise ValueError(f"{name} must hold run indices in [0, {n - 1}], got {list(value)}")
    return out


def explorer_update(
    landscape: str,
    runs: Any,
    x0: Sequence[float],
    steps: int,
    grid_resolution: int = 0,
    compute: Sequence[int] | None = None,
    *,
    inspect: bool | Sequence[int] = False,
    noise: float = 0.0,
    seed: int = 0,
    function: Mapping[str, Any] | None = None,
    rate_grid: int = 0,
) -> str:
    """One explorer redraw, as JSON text: the race (packed), its code, and maybe the grid.

    What the browser worker computes on each change of a control: :func:`race` with each
    run's ``path``, ``losses`` and ``grad_norms`` replaced by ``packed``, a base64 string
    of float64 values laid out as the run's ``layout`` says: a list of ``[name, width]``
    blocks of ``n + 1`` rows each, in order (``xs`` the points, ``losses``, ``grad_norms``,
    ``lrs`` the learning rate of each step, NaN after the last; NaN and infinity survive).
    With ``inspect=True`` (every run) or ``inspect=[i, ...]`` (those runs) more blocks
    follow, read from the optimizer's own state at each step (see the run's ``inspect``
    list: key, label, drawn as an arrow or not):
    ``grads``, ``update`` (``x[k+1] - x[k]``), ``gradient_step`` (``-lr * g``) and, as the
    optimizer has them, ``velocity``, ``state``, ``second``, ``scale`` and
    ``scaled_gradient``. Also :func:`race_code` as ``code`` and, when ``grid_resolution >
    0``, :func:`landscape_grid` as ``grid`` (``packed=True``). ``runs`` may be a JSON
    string. ``compute`` lists the indices of the runs to compute (the page keeps the others
    from earlier answers); the rest are ``None``. ``noise`` and ``seed`` are as in
    :func:`race`. With ``landscape="custom"``, ``function`` holds the reader's
    ``expression``, optional ``gradient`` (two expressions) and ``domain`` (see
    :func:`expression_landscape`); a given gradient is checked (``gradient_check``).
    A Momentum run on a quadratic landscape carries its ``rate`` (:func:`heavy_ball_rate`);
    with ``rate_grid > 0`` on such a landscape, :func:`momentum_rate_grid` of that
    resolution (``packed=True``, with the weight decay of the race's Momentum run) comes as
    ``rate_grid`` (``None`` on other landscapes).

        >>> import gdcore as gd, json
        >>> out = json.loads(gd.explorer_update(landscape="rosenbrock", x0=[0.0, 0.0],
        ...                  runs=[{"optimizer": "Adam"}], steps=10, inspect=True))
        >>> sorted(out), [key for key, width in out["race"]["runs"][0]["layout"]][:5]
        (['code', 'race'], ['xs', 'losses', 'grad_norms', 'lrs', 'grads'])
    """
    grid_resolution = check_int("grid_resolution", grid_resolution, minimum=0)
    rate_grid = check_int("rate_grid", rate_grid, minimum=0)
    extra: dict[str, Any] = {}
    if landscape == "custom":
        if not isinstance(function, Mapping) or "expression" not in function:
            raise ValueError("landscape 'custom' needs function={'expression': 'x**2 + y**2'}")
        f = expression_landscape(function["expression"], function.get("gradient"),
                                 function.get("domain", ((-3.0, 3.0), (-3.0, 3.0))))
        name = "custom"
        if f.gradient is not None:
            extra["gradient_check"] = f.gradient_check()
    else:
        name, f = _resolve_landscape(landscape)
    start = as_point("x0", x0, dim=2)
    steps = check_int("steps", steps, minimum=0)
    seed = check_int("seed", seed)
    prepared = _prepare(runs)
    wanted = _indices("compute", True if compute is None else compute, len(prepared))
    inspected = _indices("inspect", inspect, len(prepared))
    results: list[dict[str, Any] | None] = []
    with np.errstate(all="ignore"):
        for i, (spec, opt, label) in enumerate(prepared):
            results.append(_run_update(name, f, spec, opt, label, start, steps, i in inspected,
                                       noise, seed) if i in wanted else None)
    out: dict[str, Any] = {
        "race": {"landscape": name, "x0": start.tolist(), "steps": steps, "runs": results,
                 "noise": float(noise), "sigma": _noise_sigma(name, f, noise), "seed": seed},
        "code": race_code(f if name == "custom" else name, [s for s, _, _ in prepared],
                          start, steps, noise=noise, seed=seed),
        **extra,
    }
    if grid_resolution:
        out["grid"] = landscape_grid(f, resolution=grid_resolution, packed=True)
        out["grid"]["name"] = name
    if rate_grid:
        heavy = [opt for _, opt, _ in prepared if type(opt) is Momentum]
        wd = float(heavy[0].weight_decay) if heavy else 0.0
        out["rate_grid"] = (momentum_rate_grid(f, rate_grid, weight_decay=wd, packed=True)
                            if _curvatures(f) is not None else None)
    return json.dumps(out, separators=(",", ":"), allow_nan=False)


# --- the map -------------------------------------------------------------------------------

def _levels(z: np.ndarray, n: int, log: bool) -> list[float]:
    finite = z[np.isfinite(z)]
    if not finite.size:
        return [float(v) for v in np.linspace(0.0, 1.0, n + 1)[1:]]
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


def _curvatures(f: Any) -> tuple[float, float] | None:
    """(mu, L) of a 2-D quadratic landscape with a positive-definite Hessian, else None."""
    if not isinstance(f, Quadratic) or f.A.shape != (2, 2):
        return None
    eig = np.linalg.eigvalsh(f.A)
    mu, L = float(eig[0]), float(eig[-1])
    return (mu, L) if mu > 0 else None


def _heavy_ball_optimum(mu: float, L: float) -> dict[str, float]:
    """Polyak's tuned heavy ball for curvatures in [mu, L]: lr, momentum (Polyak 1964)."""
    sl, sm = math.sqrt(L), math.sqrt(mu)
    return {"lr": 4 / (sl + sm) ** 2, "momentum": ((sl - sm) / (sl + sm)) ** 2}


def _optimal_values(f: Any) -> list[dict[str, Any]]:
    """On a quadratic: the rates 2/(L+mu) and 1/L, and the heavy-ball optimum (Polyak 1964)."""
    curv = _curvatures(f)
    if curv is None:
        return []
    mu, L = curv
    return [
        {"label": "2/(L+μ)", "optimizer": "gradient_descent", "params": {"lr": 2 / (L + mu)},
         "title": "the best fixed rate for gradient descent"},
        {"label": "1/L", "optimizer": "gradient_descent", "params": {"lr": 1 / L},
         "title": "the safe rate 1/L"},
        {"label": "α*, β* (heavy ball)", "optimizer": "momentum",
         "params": _heavy_ball_optimum(mu, L),
         "title": "Polyak's optimal heavy-ball rate and momentum"},
    ]


def heavy_ball_rate(curvatures: Sequence[float], lr: Any, momentum: Any) -> Any:
    r"""The heavy ball's rate on a quadratic: the error factor per step of its slowest direction.

    Along an eigen-direction of curvature :math:`a` the heavy ball (:class:`gdcore.Momentum`
    without dampening, learning rate :math:`\eta`, momentum :math:`\beta`) maps the last two
    positions by

    .. math::
        T(a) = \begin{pmatrix} 1 + \beta - \eta a & -\beta \\ 1 & 0 \end{pmatrix},

    so that direction shrinks like :math:`\rho(T(a))^t`, the spectral radius (the larger
    modulus of the roots of :math:`z^2 - (1 + \beta - \eta a) z + \beta`). The rate is the
    largest :math:`\rho(T(a))` over ``curvatures`` (for a quadratic: its smallest and largest
    Hessian eigenvalues :math:`\mu, L` suffice); below 1 the run converges, from 1 on it does
    not. ``lr`` and ``momentum`` may be arrays (they broadcast); a float comes back for
    numbers. Polyak (1964); Goh (2017), *Why Momentum Really Works*, Distill, section "The
    Dynamics of Momentum".

        >>> import gdcore as gd
        >>> round(gd.heavy_ball_rate([1.0, 10.0], lr=0.18, momentum=0.4), 4)  # = sqrt(0.4)
        0.6325
        >>> gd.heavy_ball_rate([1.0, 10.0], lr=0.5, momentum=0.0)  # |1 - 0.5 * 10|
        4.0
    """
    a = np.asarray(curvatures, dtype=float).ravel()
    if not a.size or not np.all(np.isfinite(a)):
        raise ValueError("curvatures must be a non-empty list of finite numbers, "
                         f"got {curvatures!r}")
    eta, beta = np.broadcast_arrays(np.asarray(lr, dtype=float), np.asarray(momentum, dtype=float))
    if not np.all(np.isfinite(eta)) or np.any(eta < 0):
        raise ValueError(f"lr must be finite and >= 0, got {lr!r}")
    if not np.all(np.isfinite(beta)) or np.any(beta < 0):
        raise ValueError(f"momentum must be finite and >= 0, got {momentum!r}")
    out = np.zeros(eta.shape)
    for curvature in a:
        trace = 1 + beta - eta * curvature  # the determinant of T is beta
        root = np.sqrt(np.asarray(trace**2 - 4 * beta, dtype=complex))
        out = np.maximum(out, np.maximum(abs((trace + root) / 2), abs((trace - root) / 2)))
    return float(out) if out.ndim == 0 else out


#: The momentum rate map's learning rates: log-spaced up to this many times 1/L (the
#: stability edge is at most 4/L, reached as the momentum goes to 1) ...
RATE_GRID_LR_TOP = 5.0
#: ... over this many decades; and its momenta, linearly from 0 to the momentum slider's top.
RATE_GRID_LR_DECADES = 2.7


def momentum_rate_grid(
    landscape: Any, resolution: int = 64, *, weight_decay: float = 0.0, packed: bool = False
) -> dict[str, Any]:
    r"""The heavy ball's rate over (learning rate, momentum) on a quadratic landscape.

    Distill's phase picture (Goh 2017): :func:`heavy_ball_rate` on a ``resolution`` x
    ``resolution`` grid of learning rates ``lrs`` (log-spaced, from
    ``RATE_GRID_LR_TOP / L`` down over ``RATE_GRID_LR_DECADES`` decades, within the
    explorer's learning-rate slider) and momenta ``momenta`` (0 to the momentum slider's
    0.99). ``rates`` is row-major: ``rates[j * resolution + i]`` is the rate at
    ``(lrs[i], momenta[j])``; with ``packed=True``, ``rates_packed`` (base64 float64, as in
    :func:`landscape_grid`) replaces it. Also ``mu`` and ``L`` (the Hessian's extreme
    eigenvalues, plus ``weight_decay``, which adds to every curvature), ``edge`` (per
    momentum, the learning rate :math:`2(1 + \beta)/L` from which the run diverges),
    ``optimum`` (Polyak's tuned ``lr`` and ``momentum`` with its ``rate``, the lowest on the
    whole plane) and ``landscape``. Raises ``ValueError`` for a landscape that is not a 2-D
    quadratic with a positive-definite Hessian (``bowl``, ``ill-conditioned``).

        >>> import gdcore as gd
        >>> g = gd.momentum_rate_grid("ill-conditioned", resolution=8)
        >>> g["mu"], g["L"], len(g["rates"]), round(g["optimum"]["rate"], 3)
        (1.0, 10.0, 64, 0.519)
    """
    name, f = _resolve_landscape(landscape)
    resolution = check_int("resolution", resolution, minimum=2)
    weight_decay = check_nonnegative("weight_decay", weight_decay)
    curv = _curvatures(f)
    if curv is None:
        quadratic = sorted(k for k, g in landscapes.items() if _curvatures(g) is not None)
        raise ValueError(f"momentum_rate_grid needs a 2-D quadratic landscape with a "
                         f"positive-definite Hessian ({', '.join(quadratic)}), got {name!r}")
    mu, L = (c + weight_decay for c in curv)
    lr_slider, m_slider = HYPERPARAMETERS["lr"], HYPERPARAMETERS["momentum"]
    top = min(lr_slider["max"], RATE_GRID_LR_TOP / L)
    bottom = max(lr_slider["min"], top / 10**RATE_GRID_LR_DECADES)
    lrs = np.geomspace(bottom, top, resolution)
    momenta = np.linspace(m_slider["min"], m_slider["max"], resolution)
    eta, beta = np.meshgrid(lrs, momenta)  # row j: momentum momenta[j]
    rates = heavy_ball_rate([mu, L], eta, beta)
    best = _heavy_ball_optimum(mu, L)
    return {
        "landscape": name,
        "mu": mu,
        "L": L,
        "weight_decay": weight_decay,
        "resolution": resolution,
        "lrs": lrs.tolist(),
        "momenta": momenta.tolist(),
        **({"rates_packed": _packed([rates])} if packed else {"rates": rates.ravel().tolist()}),
        "edge": (2 * (1 + momenta) / L).tolist(),
        "optimum": {**best, "rate": heavy_ball_rate([mu, L], best["lr"], best["momentum"])},
    }


def _rate_of_run(f: Any, opt: Any) -> dict[str, float]:
    """``{"rate": ...}`` for a heavy-ball run on a quadratic (see :func:`heavy_ball_rate`)."""
    curv = _curvatures(f)
    if curv is None or type(opt) is not Momentum or getattr(opt, "dampening", 0.0):
        return {}
    wd = float(getattr(opt, "weight_decay", 0.0))
    return {"rate": heavy_ball_rate([c + wd for c in curv], opt.lr, opt.momentum)}


def explorer_catalog() -> dict[str, Any]:
    """The explorer's menus: landscapes (domain, minima) and optimizers (hyperparameters).

    Each landscape entry has ``name``, ``start``, ``domain``, ``minima``, ``log``,
    ``suggested`` (optimizer name -> :func:`suggested_hyperparameters`) and
    ``optimal`` (on quadratics: buttons for 2/(L+μ), 1/L and the heavy-ball optimum).
    Each optimizer entry has ``name`` (the key in ``gd.optimizers``), ``class``, ``color``
    (``{"light", "dark"}``) and ``params``: a dict of hyperparameter -> ``{"default",
    "label", "scale", "min", "max"}``. ``schedules`` lists :data:`SCHEDULES` and
    ``controls`` the ranges of the steps, noise and seed controls.

        >>> import gdcore as gd
        >>> cat = gd.explorer_catalog()
        >>> "lr" in cat["optimizers"][0]["params"]
        True
    """
    out_landscapes = []
    for name, f in landscapes.items():
        (xmin, xmax), (ymin, ymax) = f.domain
        out_landscapes.append({
            "name": name,
            "start": [_nice(xmin + 0.15 * (xmax - xmin)), _nice(ymin + 0.85 * (ymax - ymin))],
            "domain": [[float(a), float(b)] for a, b in f.domain],
            "minima": np.asarray(f.minima, dtype=float).reshape(-1, 2).tolist(),
            "log": bool(getattr(f, "log_levels", False)),
            "suggested": {key: suggested_hyperparameters(name, key) for key in optimizers},
            "optimal": _optimal_values(f),
        })
    colors = _optimizer_colors()
    out_optimizers = []
    for name, cls in optimizers.items():
        params = {}
        for pname, default in _tunable(cls).items():
            params[pname] = {"default": default, **HYPERPARAMETERS[pname]}
        out_optimizers.append({"name": name, "class": cls.__name__, "params": params,
                               "color": colors[name]})
    return {"landscapes": out_landscapes, "optimizers": out_optimizers,
            "schedules": [{"name": k, "label": v} for k, v in SCHEDULES.items()],
            "controls": CONTROLS,
            "colors": list(OKABE_ITO)}


def _optimizer_colors() -> dict[str, dict[str, str]]:
    """Optimizer name -> its colour in ``gd.plot`` (one colour everywhere), light and dark."""
    # gdcore.plot imports matplotlib, so it is imported only here: the catalog is made when
    # the site is built, never in the browser's worker.
    from gdcore.plot import optimizer_color

    out = {}
    for i, (name, cls) in enumerate(optimizers.items()):
        light = optimizer_color(cls) or OKABE_ITO[i % len(OKABE_ITO)]
        out[name] = {"light": light, "dark": "#ffffff" if light == "#000000" else light}
    return out


# --- "show code" ---------------------------------------------------------------------------

def _fmt(value: float) -> str:
    """A float literal that reads back exactly (repr round-trips)."""
    return repr(float(value))


def _literal(value: Any) -> str:
    if isinstance(value, (tuple, list)):
        return "(" + ", ".join(_literal(v) for v in value) + ")"
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        return repr(value)
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    return _fmt(value)


def _schedule_code(schedule: Any) -> str:
    args = ", ".join(f"{k}={_literal(getattr(schedule, k))}" for k in schedule._hyper)
    return f"gd.{type(schedule).__name__}({args})"


def race_code(
    landscape: Any,
    runs: Sequence[Mapping[str, Any]],
    x0: Sequence[float],
    steps: int,
    *,
    noise: float = 0.0,
    seed: int = 0,
) -> str:
    """The gdcore cell that reproduces :func:`race` for these settings ("show code").

    Running the returned code prints one line per run with its status and final point.
    ``landscape`` is a name or an :class:`ExpressionLandscape`.

        >>> import gdcore as gd
        >>> code = gd.race_code("rosenbrock", [{"optimizer": "Adam", "lr": 0.02}], [-1.5, 2], 500)
        >>> print(code.splitlines()[2])
        f = gd.landscapes["rosenbrock"]
    """
    if isinstance(landscape, ExpressionLandscape):
        f_line = f"f = gd.{landscape!r}"
        name, f = "custom", landscape
    elif isinstance(landscape, str):
        name, f = _resolve_landscape(landscape)
        f_line = f"f = gd.landscapes[{json.dumps(name)}]"
    else:
        raise TypeError(f"landscape must be a name from gd.landscapes, got {landscape!r}")
    start = as_point("x0", x0, dim=2)
    steps = check_int("steps", steps, minimum=0)
    sigma = _noise_sigma(name, f, noise)
    objective = f"gd.NoisyGradient(f, sigma={_fmt(sigma)}, seed={int(seed)})" if sigma else "f"
    lines = [
        "import gdcore as gd",
        "",
        f_line,
        f"x0 = [{_fmt(start[0])}, {_fmt(start[1])}]",
        "runs = {",
    ]
    for spec, opt, label in _prepare(runs):
        if not isinstance(spec, Mapping):
            raise TypeError(f"race_code needs run specs (dicts), got {spec!r}")
        cls = type(opt)
        kw = _constructor_kwargs(cls, spec)
        args = ", ".join(f"{key}={_literal(value)}" for key, value in kw.items())
        _, schedule = _spec_schedule(spec, opt, steps)
        sched = "" if schedule is None else f",\n        schedule={_schedule_code(schedule)}"
        lines.append(
            f"    {json.dumps(label)}: "
            f"gd.minimize({objective}, gd.{cls.__name__}({args}), x0, steps={steps}{sched}),"
        )
    lines += [
        "}",
        "for name, run in runs.items():",
        "    print(f\"{name}: {run.status} after {run.n_steps} steps, \"",
        "          f\"x = {run.x.tolist()}, loss = {run.loss:.6g}\")",
    ]
    return "\n".join(lines) + "\n"
