"""The optimization loop that every page runs: ``minimize`` and its batch twin.

``minimize(f, optimizer, x0, steps)`` repeats three things: evaluate the loss and the
gradient at the current point, decide whether to stop, take one optimizer step. It
returns a :class:`Trajectory` with every point, loss, gradient and learning rate on the
way, and why it stopped::

    >>> import numpy as np
    >>> import gdcore as gd
    >>> class Bowl:                           # f(x) = |x|^2, any object with __call__ + grad
    ...     def __call__(self, x):
    ...         return float(np.sum(x * x))
    ...     def grad(self, x):
    ...         return 2 * x
    >>> run = gd.minimize(Bowl(), gd.GradientDescent(lr=0.25), x0=[4.0, -2.0], steps=100,
    ...                   loss_threshold=1e-6)
    >>> run.status, run.n_steps, run.x.tolist()
    ('converged', 13, [0.00048828125, -0.000244140625])

``minimize_many`` runs the same loop on ``m`` start points at once (one row each), with
the objective evaluated on the whole ``(m, d)`` batch in one vectorized call.

Every loop of gdcore (``minimize``, ``minimize_many``, :func:`~gdcore.second_order.newton`
and :func:`~gdcore.train.fit`) stops for the same reasons, decided in one place,
:class:`StoppingRules`, and ends with one of the statuses in :data:`STATUSES`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from gdcore._checks import as_point, check_int, check_nonnegative, check_number, check_positive
from gdcore.clip import _clip_norm, _clip_value
from gdcore.protocols import Objective, OptimizerLike
from gdcore.schedules import _check_schedule_value

__all__ = [
    "Trajectory", "TrajectoryBatch", "StoppingRules", "STATUSES", "minimize", "minimize_many",
]

_F64 = np.dtype(float)

#: A stopping rule was met (``loss_threshold`` or ``grad_tol``).
CONVERGED = "converged"
#: The loop ran out of steps (or epochs, for ``fit``).
MAX_STEPS = "max_steps"
#: The point, the loss or the gradient blew up, or the point left the objective's domain.
DIVERGED = "diverged"
#: ``fit`` only: the validation loss stopped improving for ``patience`` epochs.
EARLY_STOPPED = "early_stopped"
STATUSES = (CONVERGED, MAX_STEPS, DIVERGED)
"""The statuses a run of ``minimize``, ``minimize_many`` or ``newton`` ends with, in the order
summaries count them (``fit`` adds ``"early_stopped"``).

Example:
    >>> import gdcore as gd
    >>> gd.STATUSES
    ('converged', 'max_steps', 'diverged')
"""

#: The most steps (or epochs) a loop accepts: step counts are stored as int64.
MAX_STEP_COUNT = 2**62


# --------------------------------------------------------------------------- results


def _fmt_point(x: np.ndarray) -> str:
    values = np.asarray(x, dtype=float).ravel().tolist()
    shown = ", ".join(f"{v:.6g}" for v in values[:8])
    return f"[{shown}{', ...' if len(values) > 8 else ''}]"


@dataclass(repr=False)
class Trajectory:
    """The record of one optimization run (what :func:`minimize` returns).

    Attributes:
        xs: points visited, shape ``(n + 1, d)``: the start, then one point per step.
        losses: the loss at each point, shape ``(n + 1,)``.
        grads: the gradient at each point, shape ``(n + 1, d)`` (``grads[k]`` belongs to
            ``xs[k]``, before any clipping; NaN where it was not evaluated, e.g. at a point
            where the loss had already diverged).
        lrs: the learning rate used by each step, shape ``(n,)``.
        status: ``"converged"`` (a stopping rule was met), ``"max_steps"`` (ran all
            steps) or ``"diverged"`` (the point or loss blew up).
        message: why the run stopped, in words.
        label: a short name for legends (the optimizer's ``name``).
        optimizer: the optimizer's ``repr`` (hyperparameters).
        objective: the objective's ``name`` if it has one.

    ``n_steps`` is the number of steps taken (``len(xs) - 1``); ``x`` and ``loss`` are the
    final point and loss.

    Example:
        >>> t = Trajectory(xs=[[1.0], [0.5]], losses=[1.0, 0.25], grads=[[2.0], [1.0]],
        ...                lrs=[0.25], label="GD")
        >>> t
        Trajectory(label='GD', status='max_steps', n_steps=1, loss=0.25)
        >>> t.x, t.loss
        (array([0.5]), 0.25)
    """

    xs: np.ndarray
    losses: np.ndarray
    grads: np.ndarray
    lrs: np.ndarray
    status: str = "max_steps"
    message: str = ""
    label: str = ""
    optimizer: str = ""
    objective: str = ""

    def __post_init__(self) -> None:
        self.xs = np.asarray(self.xs, dtype=float)
        self.losses = np.asarray(self.losses, dtype=float)
        self.grads = np.asarray(self.grads, dtype=float)
        self.lrs = np.asarray(self.lrs, dtype=float)
        if self.xs.ndim == 1:
            self.xs = self.xs.reshape(-1, 1)
        if self.status not in STATUSES:
            raise ValueError(
                "status must be 'converged', 'max_steps' or 'diverged', "
                f"got {self.status!r}"
            )

    @property
    def n_steps(self) -> int:
        """Number of optimizer steps taken."""
        return len(self.xs) - 1

    @property
    def x(self) -> np.ndarray:
        """The final point."""
        return self.xs[-1]

    @property
    def loss(self) -> float:
        """The loss at the final point."""
        return float(self.losses[-1])

    @property
    def grad_norms(self) -> np.ndarray:
        """Euclidean norm of each recorded gradient, shape ``(len(grads),)``."""
        with np.errstate(all="ignore"):
            return np.sqrt(np.sum(self.grads * self.grads, axis=-1))

    def summary(self) -> str:
        """A few readable lines: what ran, why it stopped, where it started and ended."""
        what = self.label or "run"
        if self.objective:
            what += f" on {self.objective}"
        lines = [f"{what}: {self.status} after {self.n_steps} steps"]
        if self.message:
            lines.append(f"  {self.message}")
        lines.append(f"  start: x = {_fmt_point(self.xs[0])}, loss = {self.losses[0]:.6g}")
        final = f"  final: x = {_fmt_point(self.x)}, loss = {self.loss:.6g}"
        if len(self.grads) == len(self.xs) and np.all(np.isfinite(self.grads[-1])):
            final += f", |grad| = {self.grad_norms[-1]:.3g}"
        lines.append(final)
        if len(self.lrs):
            lo, hi = float(np.min(self.lrs)), float(np.max(self.lrs))
            rate = f"{lo:.4g}" if lo == hi else f"{self.lrs[0]:.4g} -> {self.lrs[-1]:.4g}"
            lines.append(f"  learning rate: {rate}")
        if self.optimizer:
            lines.append(f"  optimizer: {self.optimizer}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (
            f"Trajectory(label={self.label!r}, status={self.status!r}, "
            f"n_steps={self.n_steps}, loss={self.loss:.6g})"
        )


@dataclass(repr=False)
class TrajectoryBatch:
    """The record of :func:`minimize_many`: ``m`` runs side by side, one per start point.

    Attributes:
        x: final points, shape ``(m, d)``.
        loss: final losses, shape ``(m,)``.
        status: per-run status (``"converged"``, ``"max_steps"``, ``"diverged"``), shape
            ``(m,)``.
        n_steps: per-run number of steps, shape ``(m,)`` (a run that stopped is frozen).
        lrs: learning rate of each global step, shape ``(n,)``.
        xs: all points, shape ``(n + 1, m, d)``, or ``None`` when run with ``record=False``;
            rows of a stopped run repeat its last point.
        losses: all losses, shape ``(n + 1, m)``, or ``None`` (``record=False``).
        label, optimizer, objective: as in :class:`Trajectory`.

    ``batch[i]`` is run ``i`` as a :class:`Trajectory` (needs ``record=True``; its
    gradients are evaluated on demand, at every point of the path).

    Example:
        >>> import numpy as np
        >>> b = TrajectoryBatch(x=np.zeros((2, 1)), loss=np.zeros(2),
        ...                     status=np.array(["converged", "diverged"]),
        ...                     n_steps=np.array([3, 5]), lrs=np.full(5, 0.1))
        >>> b, b.counts()
        (TrajectoryBatch(m=2, converged=1, max_steps=0, diverged=1), {'converged': 1, \
'max_steps': 0, 'diverged': 1})
    """

    x: np.ndarray
    loss: np.ndarray
    status: np.ndarray
    n_steps: np.ndarray
    lrs: np.ndarray
    xs: np.ndarray | None = None
    losses: np.ndarray | None = None
    label: str = ""
    optimizer: str = ""
    objective: str = ""
    f: Any = field(default=None, compare=False)

    def __len__(self) -> int:
        return len(self.status)

    def counts(self) -> dict[str, int]:
        """How many runs ended with each status."""
        return {s: int(np.sum(self.status == s)) for s in STATUSES}

    def __getitem__(self, i: int) -> Trajectory:
        if self.xs is None or self.losses is None:
            raise ValueError("this batch was run with record=False: no paths were kept")
        i = check_int("i", int(i) if isinstance(i, np.integer) else i, minimum=-len(self))
        n = int(self.n_steps[i])
        xs = self.xs[: n + 1, i]
        grads = np.full(xs.shape, np.nan)
        if self.f is not None and hasattr(self.f, "grad"):
            with np.errstate(all="ignore"):
                grads = np.asarray(self.f.grad(xs), dtype=float).reshape(xs.shape)
        return Trajectory(
            xs=xs, losses=self.losses[: n + 1, i], grads=grads, lrs=self.lrs[:n],
            status=str(self.status[i]), message=f"run {i} of {len(self)}",
            label=self.label, optimizer=self.optimizer, objective=self.objective,
        )

    def summary(self) -> str:
        """A few readable lines: counts per status and the best run."""
        what = self.label or "runs"
        if self.objective:
            what += f" on {self.objective}"
        c = self.counts()
        lines = [
            f"{what}: {len(self)} start points, {c['converged']} converged, "
            f"{c['max_steps']} max_steps, {c['diverged']} diverged"
        ]
        finite = np.isfinite(self.loss)
        if finite.any():
            best = int(np.argmin(np.where(finite, self.loss, np.inf)))
            lines.append(
                f"  best: run {best}, x = {_fmt_point(self.x[best])}, "
                f"loss = {self.loss[best]:.6g}"
            )
        if self.optimizer:
            lines.append(f"  optimizer: {self.optimizer}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        c = self.counts()
        return (
            f"TrajectoryBatch(m={len(self)}, converged={c['converged']}, "
            f"max_steps={c['max_steps']}, diverged={c['diverged']})"
        )


# --------------------------------------------------------------------------- stopping rules


def _finite(values: Any) -> bool:
    """True if every entry of a list of floats (or of an array) is finite.

    Fast for the usual case: an inf or a NaN always makes the sum non-finite, and ``s - s``
    is 0.0 exactly when ``s`` is finite, so a finite sum settles it; only a non-finite sum
    (or an overflow) needs the closer look.
    """
    if isinstance(values, np.ndarray):
        s = np.sum(values)
        return s - s == 0.0 or bool(np.isfinite(values).all())
    s = sum(values)
    return s - s == 0.0 or all(map(math.isfinite, values))


def _check_count(name: str, value: Any) -> int:
    """A step or epoch count: a whole number from 0 to ``MAX_STEP_COUNT``."""
    value = check_int(name, value)
    if value > MAX_STEP_COUNT:
        raise ValueError(
            f"{name} must be at most 2**62, got {value!r}: no run takes that many; to run "
            "until a stopping rule holds, pass a large count with loss_threshold or grad_tol"
        )
    return value


def _interval(domain: Any) -> tuple[float, float] | None:
    """``(low, high)`` if ``domain`` is a pair of numbers (a 1-D objective's domain), else None."""
    try:
        low, high = (float(v) for v in domain)
    except (TypeError, ValueError):
        return None
    return (low, high) if low < high else None


class StoppingRules:
    r"""When a loop stops and what it says: the one place for every loop in gdcore.

    :func:`minimize`, :func:`minimize_many`, :func:`~gdcore.second_order.newton` and
    :func:`~gdcore.train.fit` all stop for these reasons, checked at each point
    :math:`x_k` in this order:

    1. ``"diverged"``: ``|f(x_k)| > diverge_at`` (or the loss is not finite), the point
       is not finite, or the point left the objective's ``domain``, when the objective
       declares one as a pair of numbers ``(low, high)`` (a 1-D objective such as
       ``gd.DartLoss``, whose loss repeats itself outside it: the run stops at once
       instead of wandering over meaningless angles; pass ``bounds`` to stay inside);
    2. ``"diverged"``: the gradient is not finite;
    3. ``"converged"``: ``loss <= loss_threshold``, or ``|grad| <= grad_tol``;
    4. ``"max_steps"``: ``k == steps``.

    Each check returns ``None`` (go on) or ``(status, message)``.

    Args:
        steps: the most steps, ``0 <= steps <= 2**62``.
        loss_threshold: converge when the loss is at most this (``None``: never).
        grad_tol: converge when the gradient norm is at most this, ``>= 0`` (``None``: never).
        diverge_at: diverge when ``|loss|`` exceeds this, ``> 0``.
        f: the objective, read for its ``domain`` (optional).
        unit: what a step is called in messages (``"steps"``, ``"epochs"`` for ``fit``).

    Example:
        >>> import gdcore as gd
        >>> rules = gd.StoppingRules(steps=100, loss_threshold=1e-3, f=gd.DartLoss())
        >>> status, message = rules.check_point(7, 0.5, [2.0])
        >>> print(status, message)
        diverged the point [2] left the domain [-1.5708, 1.5708] of dart at step 7 (its loss
        repeats itself outside it; pass bounds to keep the point inside)
        >>> rules.check_grad(9, 1e-4, [0.3], [0.3])
        ('converged', 'loss 0.0001 <= loss_threshold 0.001 at step 9')
        >>> rules.check_grad(100, 0.5, [0.3], [0.3])
        ('max_steps', 'ran all 100 steps')
    """

    __slots__ = (
        "steps", "loss_threshold", "grad_tol", "diverge_at", "unit", "domain", "low", "high",
        "name",
    )

    def __init__(
        self, steps: int, loss_threshold: float | None = None, grad_tol: float | None = None,
        diverge_at: float = 1e12, *, f: Any = None, unit: str = "steps",
    ) -> None:
        self.steps = _check_count(unit, steps)
        self.loss_threshold = (
            None if loss_threshold is None else check_number("loss_threshold", loss_threshold)
        )
        self.grad_tol = None if grad_tol is None else check_nonnegative("grad_tol", grad_tol)
        self.diverge_at = check_positive("diverge_at", diverge_at)
        self.unit = unit
        self.domain = _interval(getattr(f, "domain", None))
        self.low, self.high = (-math.inf, math.inf) if self.domain is None else self.domain
        self.name = str(getattr(f, "name", None) or "the objective")

    def ran_all(self) -> tuple[str, str]:
        """``("max_steps", "ran all N steps")``."""
        return MAX_STEPS, f"ran all {self.steps} {self.unit}"

    @staticmethod
    def not_finite(what: str, k: int, when: str = "at step") -> tuple[str, str]:
        """``("diverged", "the <what> is not finite at step k")``."""
        return DIVERGED, f"the {what} is not finite {when} {k}"

    def check_point(self, k: int, loss: float, x: Any) -> tuple[str, str] | None:
        """Rule 1, before the gradient is evaluated: the loss, then the point ``x``."""
        if abs(loss) <= self.diverge_at:  # the usual case, tested fast (see `_finite`)
            s = sum(x) if type(x) is list else np.sum(x)
            if s - s == 0.0 and self.low <= x[0] <= self.high:
                return None
        return self._point_stop(k, loss, x)

    def _point_stop(self, k: int, loss: float, x: Any) -> tuple[str, str] | None:
        """``check_point`` once the fast test failed: which rule stops the run, and why."""
        if not abs(loss) <= self.diverge_at:
            if not math.isfinite(loss):
                return DIVERGED, f"loss is {loss} at step {k}"
            return DIVERGED, (
                f"|loss| = {abs(loss):.3g} > diverge_at = {self.diverge_at:g} at step {k}"
            )
        if not _finite(x):
            status, message = self.not_finite("point", k)
            if k > 0:  # the step before started from a finite point and gradient
                message += (": the optimizer's step from a finite point and gradient "
                            "overflowed or made a NaN (try a smaller lr)")
            return status, message
        if self.domain is not None and len(x) == 1 and not self.low <= x[0] <= self.high:
            return DIVERGED, (
                f"the point [{x[0]:.6g}] left the domain [{self.low:.6g}, {self.high:.6g}] of "
                f"{self.name} at step {k} (its loss repeats itself outside it; pass bounds to "
                "keep the point inside)"
            )
        return None

    def check_grad(self, k: int, loss: float, g: Any, g_values: Any) -> tuple[str, str] | None:
        """Rules 2 to 4, once the gradient ``g`` (read out as ``g_values``) is known."""
        s = sum(g_values) if type(g_values) is list else np.sum(g_values)
        if not s - s == 0.0 and not _finite(g_values):
            return self.not_finite("gradient", k)
        thr, tol = self.loss_threshold, self.grad_tol
        if thr is not None and loss <= thr:
            return CONVERGED, f"loss {loss:.4g} <= loss_threshold {thr:g} at step {k}"
        if tol is not None:
            gnorm = math.hypot(*(g_values if type(g_values) is list else g_values.tolist()))
            if gnorm <= tol:
                return CONVERGED, f"gradient norm {gnorm:.3g} <= grad_tol {tol:g} at step {k}"
        if k == self.steps:
            return self.ran_all()
        return None

    def check_many(
        self, loss: np.ndarray, X: np.ndarray, G: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """The same rules on a batch of rows: masks ``(diverged, stopped)``, shape ``(m,)``."""
        bad = ~(np.abs(loss) <= self.diverge_at) | ~np.isfinite(X).all(axis=1)
        bad |= ~np.isfinite(G).all(axis=1)
        if self.domain is not None and X.shape[1] == 1:
            bad |= ~((self.domain[0] <= X[:, 0]) & (X[:, 0] <= self.domain[1]))
        stop = bad
        if self.loss_threshold is not None:
            stop = stop | (loss <= self.loss_threshold)
        if self.grad_tol is not None:
            stop = stop | (np.sqrt(np.sum(G * G, axis=1)) <= self.grad_tol)
        return bad, stop

    def __repr__(self) -> str:
        return (
            f"StoppingRules(steps={self.steps}, loss_threshold={self.loss_threshold}, "
            f"grad_tol={self.grad_tol}, diverge_at={self.diverge_at:g})"
        )


# --------------------------------------------------------------------------- checks


def _check_objective(f: Any) -> None:
    if not callable(f) or not callable(getattr(f, "grad", None)):
        raise TypeError(
            "f must be an objective: callable as f(x) with a gradient method f.grad(x) "
            f"(like gd.landscapes['rosenbrock']), got {f!r}"
        )


def _check_optimizer(optimizer: Any) -> None:
    has = [callable(getattr(optimizer, "step", None)), callable(getattr(optimizer, "reset", None))]
    if not (all(has) and hasattr(optimizer, "lr")):
        raise TypeError(
            "optimizer must be an optimizer object like gd.Adam(lr=0.01) (with step, reset "
            f"and lr), got {optimizer!r}"
        )


def _check_bounds(bounds: Any, d: int) -> tuple[np.ndarray, np.ndarray] | None:
    if bounds is None:
        return None
    try:
        low, high = bounds
    except (TypeError, ValueError):
        raise TypeError(f"bounds must be a pair (low, high), got {bounds!r}") from None
    out = []
    for name, value in (("bounds low", low), ("bounds high", high)):
        try:
            arr = np.asarray(value, dtype=float)
        except (TypeError, ValueError):
            raise TypeError(f"{name} must be a number or a sequence of numbers") from None
        if arr.ndim > 1 or (arr.ndim == 1 and arr.shape[0] != d):
            raise ValueError(f"{name} must be a number or have {d} coordinates, got {arr.shape}")
        if np.any(np.isnan(arr)):
            raise ValueError(f"{name} must not be NaN")
        out.append(np.broadcast_to(arr, (d,)).copy())
    if np.any(out[0] > out[1]):
        raise ValueError(f"bounds must have low <= high, got low={low!r}, high={high!r}")
    return out[0], out[1]


def _clipper(clip_value: Any, clip_norm: Any) -> Callable[[np.ndarray], np.ndarray] | None:
    """The gradient clipping asked for (by value, then by norm), or ``None``."""
    cv = None if clip_value is None else check_positive("clip_value", clip_value)
    cn = None if clip_norm is None else check_positive("clip_norm", clip_norm)
    if cv is None and cn is None:
        return None

    def clip(g: np.ndarray) -> np.ndarray:
        if cv is not None:
            g = _clip_value(g, cv)
        return g if cn is None else _clip_norm(g, cn)

    return clip


def _check_run(
    f: Any, optimizer: Any, steps: Any, loss_threshold: Any, grad_tol: Any, diverge_at: Any,
    schedule: Any, clip_norm: Any, clip_value: Any,
) -> tuple[StoppingRules, Callable[[np.ndarray], np.ndarray] | None]:
    """The checks ``minimize`` and ``minimize_many`` share: the stopping rules and the clip."""
    _check_objective(f)
    _check_optimizer(optimizer)
    rules = StoppingRules(steps, loss_threshold, grad_tol, diverge_at, f=f)
    if schedule is not None and not callable(schedule):
        raise TypeError(f"schedule must be a callable t -> lr (like gd.StepLR), got {schedule!r}")
    return rules, _clipper(clip_value, clip_norm)


def _try_array(value: Any) -> np.ndarray | None:
    """``np.asarray(value)``, or ``None`` when numpy cannot make an array of it (ragged)."""
    try:
        return np.asarray(value)
    except (TypeError, ValueError):
        return None


def _as_loss(value: Any, what: str = "f(x)") -> float:
    """``value`` as a float, or a clear error when it is not one real number.

    A string, ``None``, a boolean or a complex number is a ``TypeError`` naming what was
    returned; an array of more than one number is a ``ValueError`` with its shape.
    """
    if isinstance(value, (float, int)) and not isinstance(value, bool):
        return float(value)
    arr = None if isinstance(value, (str, bytes)) else _try_array(value)
    if arr is None or arr.dtype.kind not in "iufcO":
        raise TypeError(f"{what} must return the loss as a real number, got {value!r} "
                        f"({type(value).__name__})")
    if arr.dtype.kind == "c":
        raise TypeError(f"{what} returned a complex number {value!r}: the loss must be real "
                        "(return abs(z) or z.real if that is what you mean)")
    if arr.size != 1:
        raise ValueError(f"{what} must return a single number, got an array of shape {arr.shape}")
    try:
        return float(arr.reshape(()))
    except (TypeError, ValueError):
        raise TypeError(f"{what} must return the loss as a real number, got {value!r}") from None


def _as_numbers(value: Any, shape: tuple[int, ...] | None, what: str, like: str) -> np.ndarray:
    """``value`` as a float array of ``shape``, or a clear error naming what was returned.

    ``what`` is the call (``"f.grad(x)"``), ``like`` the shape wanted in words
    (``"the shape of x (2,)"``); ``shape=None`` takes any shape.
    """
    if type(value) is np.ndarray and value.dtype is _F64 and value.shape == shape:
        return value
    arr = None if value is None or isinstance(value, (str, bytes)) else _try_array(value)
    if arr is None or arr.dtype.kind not in "iufcO":
        raise TypeError(f"{what} must return an array of numbers of {like}, got {value!r} "
                        f"({type(value).__name__})")
    if arr.dtype.kind == "c":
        raise TypeError(f"{what} returned complex numbers: a real loss has real values and "
                        "a real gradient (return the real part if that is what you mean)")
    try:
        arr = np.asarray(arr, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{what} must return an array of numbers, got {value!r}") from None
    if shape is not None and arr.shape != shape:
        raise ValueError(f"{what} must return {like}, got {arr.shape}")
    return arr


def _as_step_result(x: Any, d: int) -> np.ndarray:
    """What ``optimizer.step`` returned, as a float point of shape ``(d,)``."""
    x = np.asarray(x, dtype=float)
    if x.shape != (d,):
        raise ValueError(
            f"optimizer.step(x, grad) must return a point of shape ({d},), got {x.shape}"
        )
    return x


def _names(f: Any, optimizer: Any) -> tuple[str, str, str]:
    label = str(getattr(optimizer, "name", type(optimizer).__name__))
    objective = getattr(f, "name", None)
    return label, repr(optimizer), "" if objective is None else str(objective)


# --------------------------------------------------------------------------- the fast path

# Points with at most this many coordinates are read out as Python floats in `minimize`.
_SMALL = 32


def _loss_and_grad(f: Any) -> Callable[[np.ndarray], Any] | None:
    """``f._loss_and_grad`` if ``f`` has one and uses it for both ``f(x)`` and ``f.grad(x)``.

    ``f._loss_and_grad(x)`` returns ``(f(x), f.grad(x))`` for one point, or ``None`` when
    it cannot (then the loop asks ``f`` and ``f.grad``). A subclass that overrides
    ``__call__`` or ``grad`` (to count calls, say) is always asked directly.
    """
    cls = type(f)
    if not callable(getattr(cls, "_loss_and_grad", None)) or "grad" in getattr(f, "__dict__", {}):
        return None
    owner = next(c for c in cls.__mro__ if "_loss_and_grad" in vars(c))
    if cls.__call__ is not owner.__call__ or cls.grad is not owner.grad:
        return None
    return f._loss_and_grad


class _Path:
    """The record of one :func:`minimize` run, and the fast way to evaluate and check ``f``.

    Speed plumbing, kept out of the loop: it runs up to 10^5 times per cell, in the
    browser too, where every numpy call on a tiny array costs microseconds. So each point
    and gradient is read out once (``tolist``, as Python floats, for small points), which
    gives both the record (flat lists, made into arrays once at the end) and a cheap
    finiteness check (see ``_finite``). Landscapes and the dart also give the loss and the
    gradient of one point in a single call (the same numbers): half the per-call overhead.

    ``evaluate(x, k)`` records ``x``, ``f(x)`` and (unless the point already stops the run)
    ``f.grad(x)``, checks them with ``rules`` and returns ``(loss, grad, stop)``: ``stop``
    is ``None`` (go on) or ``(status, message)``, ``grad`` is ``None`` when it was not
    evaluated.
    """

    def __init__(self, f: Any, x: np.ndarray, rules: StoppingRules) -> None:
        d, shape = x.shape[0], x.shape
        small = d <= _SMALL
        read = np.ndarray.tolist if small else np.ndarray.copy
        xs: list[Any] = []  # small points: all coordinates in one flat list
        grads: list[Any] = []
        keep_x = xs.extend if small else xs.append
        keep_g = grads.extend if small else grads.append
        self.d, self.xs, self.grads, self.losses, self.lrs = d, xs, grads, [], []
        keep_loss, both, grad_fn = self.losses.append, _loss_and_grad(f), f.grad
        check_point, check_grad = rules.check_point, rules.check_grad

        def evaluate(x: np.ndarray, k: int) -> tuple[float, np.ndarray | None, Any]:
            values = read(x)
            keep_x(values)
            pair = None if both is None else both(x)  # (loss, grad), or None when it cannot
            loss = f(x) if pair is None else pair[0]
            if not isinstance(loss, float):
                loss = _as_loss(loss)
            keep_loss(loss)
            stop = check_point(k, loss, values)
            if stop is not None:
                return loss, None, stop
            g = grad_fn(x) if pair is None else pair[1]
            if type(g) is not np.ndarray or g.dtype is not _F64 or g.shape != shape:
                g = _as_numbers(g, shape, "f.grad(x)", f"the shape of x {shape}")
            g_values = read(g)
            keep_g(g_values)
            return loss, g, check_grad(k, loss, g, g_values)

        self.evaluate = evaluate

    def trajectory(self, stop: tuple[str, str], f: Any, optimizer: Any) -> Trajectory:
        """The :class:`Trajectory` of the run, stopped for reason ``stop``."""
        d = self.d
        xs = np.array(self.xs, dtype=float).reshape(-1, d)
        grads = np.array(self.grads, dtype=float).reshape(-1, d)
        if len(grads) < len(xs):  # stopped before the last point's gradient was known
            grads = np.concatenate([grads, np.full((1, d), np.nan)])
        label, opt_repr, objective = _names(f, optimizer)
        return Trajectory(
            xs=xs, losses=np.array(self.losses, dtype=float), grads=grads,
            lrs=np.array(self.lrs, dtype=float), status=stop[0], message=stop[1],
            label=label, optimizer=opt_repr, objective=objective,
        )


# --------------------------------------------------------------------------- minimize


def minimize(
    f: Objective,
    optimizer: OptimizerLike,
    x0: Any,
    steps: int,
    *,
    loss_threshold: float | None = None,
    grad_tol: float | None = None,
    bounds: tuple[Any, Any] | None = None,
    schedule: Callable[[int], float] | None = None,
    clip_norm: float | None = None,
    clip_value: float | None = None,
    diverge_at: float = 1e12,
    callback: Callable[[int, np.ndarray, float], Any] | None = None,
) -> Trajectory:
    """Run ``optimizer`` on ``f`` from ``x0`` for at most ``steps`` steps.

    At each point ``x_k`` (``k = 0, 1, ...``) the loop

    1. evaluates the loss ``f(x_k)`` and the gradient ``f.grad(x_k)``;
    2. stops with status ``"diverged"`` if the point, the loss or the gradient is not
       finite, if ``|loss| > diverge_at``, or if the point left the objective's
       ``domain`` (a 1-D objective such as the dart: see :class:`StoppingRules`);
    3. stops with ``"converged"`` if ``loss <= loss_threshold`` or ``|grad| <= grad_tol``
       (checked at the current point, before stepping, so the run ends exactly where the
       criterion first holds; the final point of a full run counts too);
    4. stops with ``"max_steps"`` after ``steps`` steps;
    5. otherwise sets ``optimizer.lr = schedule(k)`` (if a schedule is given), clips the
       gradient (by value with ``clip_value``, then by norm with ``clip_norm``), takes
       ``x_{k+1} = optimizer.step(x_k, grad)`` and projects it into ``bounds``.

    The optimizer is ``reset()`` first, so running the same cell twice gives the same
    trajectory; its ``lr`` is restored at the end when a schedule changed it. ``bounds``
    is ``(low, high)``, each a number or one value per coordinate (``np.inf`` for no
    bound); ``x0`` is projected into them too. Numpy's overflow warnings are silenced:
    divergence shows up as the status, not as warnings. ``callback(k, x, loss)``, if given,
    is called at every point whose loss and gradient are finite. The record grows as the
    run goes, so a huge ``steps`` with a stopping rule is fine.

    Args:
        f: objective with ``f(x) -> float`` and ``f.grad(x) -> array like x`` (see
            :class:`~gdcore.protocols.Objective`).
        optimizer: e.g. ``gd.Adam(lr=0.01)``.
        x0: start point (a number or a 1-D sequence).
        steps: maximum number of steps (``0 <= steps <= 2**62``).

    Returns:
        A :class:`Trajectory` (``xs``, ``losses``, ``grads`` with ``n + 1`` rows, ``lrs``
        with ``n``, ``status``, ``message``).

    Example:
        >>> import gdcore as gd
        >>> class Parabola:
        ...     name = "parabola"
        ...     def __call__(self, x):
        ...         return float((x[0] - 3) ** 2)
        ...     def grad(self, x):
        ...         return 2 * (x - 3)
        >>> run = gd.minimize(Parabola(), gd.Momentum(lr=0.1), x0=0.0, steps=500,
        ...                   grad_tol=1e-8)
        >>> run.status, round(float(run.x[0]), 6)
        ('converged', 3.0)
        >>> print(run.summary().splitlines()[0])
        Momentum on parabola: converged after 324 steps
    """
    rules, clip = _check_run(f, optimizer, steps, loss_threshold, grad_tol, diverge_at,
                             schedule, clip_norm, clip_value)
    if callback is not None and not callable(callback):
        raise TypeError(f"callback must be callable as callback(k, x, loss), got {callback!r}")
    x = as_point("x0", x0)
    box = _check_bounds(bounds, x.shape[0])
    if box is not None:
        x = np.minimum(np.maximum(x, box[0]), box[1])
    path = _Path(f, x, rules)  # the record, and the fast evaluation and check of f and f.grad
    # (bound once: the loop runs up to 10^5 times per cell)
    evaluate, keep_lr, step = path.evaluate, path.lrs.append, optimizer.step
    optimizer.reset()
    lr_start = optimizer.lr
    k = 0
    try:
        with np.errstate(all="ignore"):  # divergence is a status, not a warning
            while True:
                loss, g, stop = evaluate(x, k)  # 1. evaluate, record and check f(x_k), f.grad(x_k)
                if callback is not None and (stop is None or stop[0] != DIVERGED):
                    callback(k, x.copy(), loss)
                if stop is not None:  # 2. stop here?
                    break
                if schedule is not None:  # 3. step
                    optimizer.lr = _check_schedule_value(schedule(k), k)
                keep_lr(optimizer.lr)
                x = step(x, g if clip is None else clip(g))
                if type(x) is not np.ndarray or x.shape != g.shape:
                    x = _as_step_result(x, path.d)
                if box is not None:
                    x = np.minimum(np.maximum(x, box[0]), box[1])
                k += 1
    finally:
        if schedule is not None:
            optimizer.lr = lr_start
    return path.trajectory(stop, f, optimizer)


# --------------------------------------------------------------------------- minimize_many


def _as_points(name: str, value: Any) -> np.ndarray:
    try:
        arr = np.array(value, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be an array of start points, shape (m, d)") from None
    if arr.ndim != 2 or arr.shape[0] == 0 or arr.shape[1] == 0:
        raise ValueError(f"{name} must have shape (m, d) with m, d >= 1, got {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite")
    return arr


class _Rows:
    """An array that grows along its first axis as rows are appended (doubling its room).

    A run records only the steps it takes, so a huge ``steps`` with a stopping rule costs
    nothing up front; up to 1,024 rows are made room for at once.
    """

    def __init__(self, row_shape: tuple[int, ...], rows: int) -> None:
        self.data = np.empty((max(1, min(rows, 1024)), *row_shape))
        self.n = 0

    def append(self, row: Any) -> None:
        if self.n == len(self.data):
            grown = np.empty((2 * len(self.data), *self.data.shape[1:]))
            grown[: self.n] = self.data
            self.data = grown
        self.data[self.n] = row
        self.n += 1

    def array(self) -> np.ndarray:
        """The rows so far (the buffer itself when it is exactly full)."""
        return self.data if self.n == len(self.data) else self.data[: self.n].copy()


def _evaluate_many(f: Any, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``f(X)`` and ``f.grad(X)`` on a batch, checked: shapes ``(m,)`` and ``(m, d)``."""
    m = X.shape[0]
    loss = _as_numbers(f(X), (m,), "f(X)", f"shape ({m},) for X of shape {X.shape}")
    G = _as_numbers(f.grad(X), X.shape, "f.grad(X)", f"the shape of X {X.shape}")
    return loss, G


def _freeze(stop: np.ndarray, bad: np.ndarray, k: int, status: np.ndarray,
            n_steps: np.ndarray, active: np.ndarray) -> bool:
    """Stop the rows ``stop`` at step ``k`` (in place); True while some row is still running."""
    status[stop] = np.where(bad[stop], DIVERGED, CONVERGED)
    n_steps[stop] = k
    active &= ~stop
    return bool(active.any())


def _step_many(optimizer: Any, X: np.ndarray, G: np.ndarray, clip: Any, box: Any,
               active: np.ndarray) -> np.ndarray:
    """One optimizer step on every row; the rows that stopped stay where they are."""
    if clip is not None:
        G = clip(G)
    all_active = bool(active.all())
    if not all_active:
        G = np.where(active[:, None], G, 0.0)
    X_new = optimizer.step(X, G)
    if box is not None:
        X_new = np.minimum(np.maximum(X_new, box[0]), box[1])
    return X_new if all_active else np.where(active[:, None], X_new, X)


def minimize_many(
    f: Objective,
    optimizer: OptimizerLike,
    x0s: Any,
    steps: int,
    *,
    loss_threshold: float | None = None,
    grad_tol: float | None = None,
    bounds: tuple[Any, Any] | None = None,
    schedule: Callable[[int], float] | None = None,
    clip_norm: float | None = None,
    clip_value: float | None = None,
    diverge_at: float = 1e12,
    record: bool = True,
) -> TrajectoryBatch:
    """:func:`minimize` from ``m`` start points at once, vectorized over the rows of ``x0s``.

    ``f`` must accept a batch: ``f(X)`` of shape ``(m,)`` and ``f.grad(X)`` of shape
    ``(m, d)`` for ``X`` of shape ``(m, d)`` (the landscapes do). Each row is an
    independent run of the same optimizer (the optimizer works coordinate by coordinate,
    so one optimizer object holds the state of all rows) with the same stopping rules as
    :func:`minimize` (:class:`StoppingRules`); a row that stops (converged or diverged) is
    frozen while the others go on, and the loop ends when every row has stopped or after
    ``steps`` steps. ``clip_norm`` clips each row's gradient on its own.

    With ``record=True`` (default) every point and loss is kept (``xs`` has shape
    ``(n + 1, m, d)``: 160 MB for 10,000 2-D points and 1,000 steps); pass
    ``record=False`` to keep only the final points.

    Example:
        >>> import numpy as np
        >>> import gdcore as gd
        >>> class Bowl:
        ...     def __call__(self, X):
        ...         return np.sum(X * X, axis=-1)
        ...     def grad(self, X):
        ...         return 2 * X
        >>> starts = np.array([[1.0, 1.0], [2.0, -3.0], [1e7, 0.0]])
        >>> b = gd.minimize_many(Bowl(), gd.GradientDescent(lr=0.1), starts, 200,
        ...                      loss_threshold=1e-10, diverge_at=1e12)
        >>> b.status.tolist()
        ['converged', 'converged', 'diverged']
        >>> b.n_steps.tolist()
        [54, 58, 0]
    """
    rules, clip = _check_run(f, optimizer, steps, loss_threshold, grad_tol, diverge_at,
                             schedule, clip_norm, clip_value)
    X = _as_points("x0s", x0s)
    m, d = X.shape
    box = _check_bounds(bounds, d)
    if box is not None:
        X = np.minimum(np.maximum(X, box[0]), box[1])
    xs = _Rows((m, d), rules.steps + 1) if record else None
    losses = _Rows((m,), rules.steps + 1) if record else None
    lrs = _Rows((), rules.steps)
    status = np.full(m, MAX_STEPS, dtype="<U9")
    n_steps = np.full(m, rules.steps)
    active = np.ones(m, dtype=bool)
    optimizer.reset()
    lr_start = optimizer.lr
    k = 0
    try:
        with np.errstate(all="ignore"):
            while True:
                loss, G = _evaluate_many(f, X)  # 1. evaluate and record
                if record:
                    xs.append(X)
                    losses.append(loss)
                bad, stop = rules.check_many(loss, X, G)  # 2. check: which rows stop?
                stop &= active
                if stop.any() and not _freeze(stop, bad, k, status, n_steps, active):
                    break  # every row has stopped
                if k == rules.steps:
                    break
                if schedule is not None:  # 3. step the rows still running
                    optimizer.lr = _check_schedule_value(schedule(k), k)
                lrs.append(optimizer.lr)
                X = _step_many(optimizer, X, G, clip, box, active)
                k += 1
    finally:
        if schedule is not None:
            optimizer.lr = lr_start
    label, opt_repr, objective = _names(f, optimizer)
    return TrajectoryBatch(
        x=X, loss=loss, status=status, n_steps=n_steps, lrs=lrs.array(),
        xs=xs.array() if record else None, losses=losses.array() if record else None,
        label=label, optimizer=opt_repr, objective=objective, f=f,
    )
