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
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from gdcore._checks import as_point, check_int, check_nonnegative, check_number, check_positive
from gdcore.clip import _clip_norm, _clip_value
from gdcore.schedules import _check_schedule_value

__all__ = ["Trajectory", "TrajectoryBatch", "minimize", "minimize_many"]

_F64 = np.dtype(float)


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
        if self.status not in ("converged", "max_steps", "diverged"):
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
        return {s: int(np.sum(self.status == s)) for s in ("converged", "max_steps", "diverged")}

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


def _check_options(
    steps: Any, loss_threshold: Any, grad_tol: Any, schedule: Any, clip_norm: Any,
    clip_value: Any, diverge_at: Any,
) -> tuple[int, float | None, float | None, float | None, float | None, float]:
    steps = check_int("steps", steps)
    thr = None if loss_threshold is None else check_number("loss_threshold", loss_threshold)
    tol = None if grad_tol is None else check_nonnegative("grad_tol", grad_tol)
    cn = None if clip_norm is None else check_positive("clip_norm", clip_norm)
    cv = None if clip_value is None else check_positive("clip_value", clip_value)
    div = check_positive("diverge_at", diverge_at)
    if schedule is not None and not callable(schedule):
        raise TypeError(f"schedule must be a callable t -> lr (like gd.StepLR), got {schedule!r}")
    return steps, thr, tol, cn, cv, div


# Points with at most this many coordinates are read out as Python floats in `minimize`.
_SMALL = 32


def _finite(values: Any) -> bool:
    """True if every entry of a list of floats (or of an array) is finite."""
    if isinstance(values, np.ndarray):
        return bool(np.isfinite(values).all())
    return all(map(math.isfinite, values))


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


def _as_step_result(x: Any, d: int) -> np.ndarray:
    """What ``optimizer.step`` returned, as a float point of shape ``(d,)``."""
    x = np.asarray(x, dtype=float)
    if x.shape != (d,):
        raise ValueError(
            f"optimizer.step(x, grad) must return a point of shape ({d},), got {x.shape}"
        )
    return x


def _as_loss(value: Any) -> float:
    arr = np.asarray(value, dtype=float)
    if arr.size != 1:
        raise ValueError(f"f(x) must return a single number, got an array of shape {arr.shape}")
    return float(arr.reshape(()))


def _names(f: Any, optimizer: Any) -> tuple[str, str, str]:
    label = str(getattr(optimizer, "name", type(optimizer).__name__))
    objective = getattr(f, "name", None)
    return label, repr(optimizer), "" if objective is None else str(objective)


# --------------------------------------------------------------------------- minimize


def minimize(
    f: Any,
    optimizer: Any,
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
       finite, or if ``|loss| > diverge_at``;
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
    is called at every point after its loss is known.

    Args:
        f: objective with ``f(x) -> float`` and ``f.grad(x) -> array like x``.
        optimizer: e.g. ``gd.Adam(lr=0.01)``.
        x0: start point (a number or a 1-D sequence).
        steps: maximum number of steps (``>= 0``).

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
    _check_objective(f)
    _check_optimizer(optimizer)
    x = as_point("x0", x0)
    steps, thr, tol, cn, cv, div = _check_options(
        steps, loss_threshold, grad_tol, schedule, clip_norm, clip_value, diverge_at
    )
    if callback is not None and not callable(callback):
        raise TypeError(f"callback must be callable as callback(k, x, loss), got {callback!r}")
    d = x.shape[0]
    box = _check_bounds(bounds, d)
    if box is not None:
        x = np.minimum(np.maximum(x, box[0]), box[1])

    # Speed plumbing: the loop runs up to 10^5 times per cell, in the browser too, where
    # every numpy call on a tiny array costs microseconds. So each point and gradient is
    # read out once per step (`tolist`, as Python floats, for small points), which gives
    # both the record (plain lists, made into arrays once at the end) and a cheap
    # finiteness check: an inf or a NaN always makes the sum non-finite, and `s - s` is
    # 0.0 exactly when `s` is finite, so a finite sum (the usual case) settles it; only a
    # non-finite sum (or an overflow) needs the closer look in `_finite`. Numpy warnings
    # are switched off once, around the whole loop.
    small = d <= _SMALL
    read = np.ndarray.tolist if small else np.ndarray.copy  # a list of floats / an array
    total = sum if small else np.sum
    shape = x.shape
    xs: list[Any] = []  # small points: all coordinates in one flat list (cheap to convert)
    grads: list[Any] = []
    keep_x = xs.extend if small else xs.append
    keep_g = grads.extend if small else grads.append
    # Landscapes and the dart also give the loss and the gradient of one point in a single
    # call (the same numbers): half the per-call overhead of asking twice.
    both = _loss_and_grad(f)
    losses: list[float] = []
    lrs: list[float] = []
    grad_fn = f.grad
    step = optimizer.step
    optimizer.reset()
    lr_start = optimizer.lr
    status, message = "max_steps", f"ran all {steps} steps"
    k = 0
    try:
        with np.errstate(all="ignore"):
            while True:
                x_values = read(x)
                keep_x(x_values)
                pair = None if both is None else both(x)  # (loss, grad) or None
                loss = f(x) if pair is None else pair[0]
                if not isinstance(loss, float):
                    loss = _as_loss(loss)
                losses.append(loss)
                if not abs(loss) <= div:
                    status = "diverged"
                    message = (
                        f"loss is {loss} at step {k}" if not math.isfinite(loss)
                        else f"|loss| = {abs(loss):.3g} > diverge_at = {div:g} at step {k}"
                    )
                    break
                s = total(x_values)
                if not s - s == 0.0 and not _finite(x_values):
                    status, message = "diverged", f"the point is not finite at step {k}"
                    break
                g = grad_fn(x) if pair is None else pair[1]
                if type(g) is not np.ndarray or g.dtype != _F64:
                    g = np.asarray(g, dtype=float)
                if g.shape != shape:
                    raise ValueError(
                        f"f.grad(x) must return the shape of x {shape}, got {g.shape}"
                    )
                g_values = read(g)
                keep_g(g_values)
                s = total(g_values)
                if not s - s == 0.0 and not _finite(g_values):
                    status, message = "diverged", f"the gradient is not finite at step {k}"
                    break
                if callback is not None:
                    callback(k, x.copy(), loss)
                if thr is not None and loss <= thr:
                    status = "converged"
                    message = f"loss {loss:.4g} <= loss_threshold {thr:g} at step {k}"
                    break
                if tol is not None:
                    gnorm = math.hypot(*g.tolist())
                    if gnorm <= tol:
                        status = "converged"
                        message = f"gradient norm {gnorm:.3g} <= grad_tol {tol:g} at step {k}"
                        break
                if k == steps:
                    break
                if schedule is not None:
                    optimizer.lr = _check_schedule_value(schedule(k), k)
                lrs.append(optimizer.lr)
                if cv is not None:
                    g = _clip_value(g, cv)
                if cn is not None:
                    g = _clip_norm(g, cn)
                x = step(x, g)
                if type(x) is not np.ndarray or x.shape != shape:
                    x = _as_step_result(x, d)
                if box is not None:
                    x = np.minimum(np.maximum(x, box[0]), box[1])
                k += 1
    finally:
        if schedule is not None:
            optimizer.lr = lr_start
    xs_array = np.array(xs, dtype=float).reshape(-1, d)
    grads_array = np.array(grads, dtype=float).reshape(-1, d)
    if len(grads_array) < len(xs_array):  # stopped before the last point's gradient was known
        grads_array = np.concatenate([grads_array, np.full((1, d), np.nan)])
    label, opt_repr, objective = _names(f, optimizer)
    return Trajectory(
        xs=xs_array, losses=np.array(losses, dtype=float), grads=grads_array,
        lrs=np.array(lrs, dtype=float),
        status=status, message=message, label=label, optimizer=opt_repr, objective=objective,
    )


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


def minimize_many(
    f: Any,
    optimizer: Any,
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
    :func:`minimize`; a row that stops (converged or diverged) is frozen while the others
    go on, and the loop ends when every row has stopped or after ``steps`` steps.
    ``clip_norm`` clips each row's gradient on its own.

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
    _check_objective(f)
    _check_optimizer(optimizer)
    X = _as_points("x0s", x0s)
    steps, thr, tol, cn, cv, div = _check_options(
        steps, loss_threshold, grad_tol, schedule, clip_norm, clip_value, diverge_at
    )
    m, d = X.shape
    box = _check_bounds(bounds, d)
    if box is not None:
        X = np.minimum(np.maximum(X, box[0]), box[1])

    xs = np.empty((steps + 1, m, d)) if record else None
    losses = np.empty((steps + 1, m)) if record else None
    lrs = np.empty(steps)
    status = np.full(m, "max_steps", dtype="<U9")
    n_steps = np.full(m, steps)
    active = np.ones(m, dtype=bool)
    all_active = True
    optimizer.reset()
    lr_start = optimizer.lr
    k = 0
    try:
        with np.errstate(all="ignore"):
            while True:
                loss = np.asarray(f(X), dtype=float)
                if loss.shape != (m,):
                    raise ValueError(f"f(X) must return shape ({m},) for X of shape {X.shape}, "
                                     f"got {loss.shape}")
                if record:
                    xs[k] = X
                    losses[k] = loss
                G = np.asarray(f.grad(X), dtype=float)
                if G.shape != X.shape:
                    raise ValueError(
                        f"f.grad(X) must return the shape of X {X.shape}, got {G.shape}"
                    )
                bad = ~(np.abs(loss) <= div) | ~np.isfinite(X).all(axis=1) | ~np.isfinite(
                    G).all(axis=1)
                stop = bad
                if thr is not None:
                    stop = stop | (loss <= thr)
                if tol is not None:
                    stop = stop | (np.sqrt(np.sum(G * G, axis=1)) <= tol)
                stop &= active
                if stop.any():
                    status[stop] = np.where(bad[stop], "diverged", "converged")
                    n_steps[stop] = k
                    active &= ~stop
                    all_active = False
                    if not active.any():
                        break
                if k == steps:
                    break
                if schedule is not None:
                    optimizer.lr = _check_schedule_value(schedule(k), k)
                lrs[k] = optimizer.lr
                if cv is not None:
                    G = _clip_value(G, cv)
                if cn is not None:
                    G = _clip_norm(G, cn)
                if not all_active:
                    G = np.where(active[:, None], G, 0.0)
                X_new = optimizer.step(X, G)
                if box is not None:
                    X_new = np.minimum(np.maximum(X_new, box[0]), box[1])
                X = X_new if all_active else np.where(active[:, None], X_new, X)
                k += 1
    finally:
        if schedule is not None:
            optimizer.lr = lr_start
    if record and k < steps:
        xs, losses = xs[: k + 1].copy(), losses[: k + 1].copy()
    label, opt_repr, objective = _names(f, optimizer)
    return TrajectoryBatch(
        x=X, loss=loss, status=status, n_steps=n_steps, lrs=lrs[:k].copy(), xs=xs,
        losses=losses, label=label, optimizer=opt_repr, objective=objective, f=f,
    )
