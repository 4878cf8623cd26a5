"""Search without gradients: the naive baselines that gradient descent improves on.

*Random search* samples points uniformly in a box and keeps the best; *random local
search* perturbs the best point so far and keeps the perturbation only if it lowers the
loss. Both count loss evaluations against a budget, so they can be compared fairly.

>>> import gdcore as gd
>>> result = gd.random_search(gd.landscapes["bowl"], budget=1000, seed=0)
>>> result.evaluations, result.loss < 0.01
(1000, True)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from gdcore._checks import as_point, check_int, check_positive

__all__ = ["SearchResult", "random_search", "random_local_search"]

#: The most numbers a search may keep (every point it evaluates, ``budget x d``): 160 MB.
MAX_NUMBERS = 20_000_000


@dataclass(repr=False)
class SearchResult:
    """What a search returns: the best point found and the whole history.

    Attributes:
        x: the best point found, shape ``(d,)``.
        loss: its loss.
        evaluations: number of loss evaluations used.
        history: best loss so far after each evaluation, shape ``(evaluations,)``
            (non-increasing).
        points: every point evaluated, in order, shape ``(evaluations, d)``.
        losses: the loss of each point evaluated, shape ``(evaluations,)``.
        method: ``"random search"`` or ``"random local search"``.

    Example:
        >>> import gdcore as gd
        >>> r = gd.random_search(gd.landscapes["booth"], budget=50, seed=1)
        >>> r.points.shape, r.history.shape, bool(r.history[-1] == r.loss)
        ((50, 2), (50,), True)
    """

    x: np.ndarray
    loss: float
    evaluations: int
    history: np.ndarray
    points: np.ndarray
    losses: np.ndarray
    method: str = "search"

    @property
    def accepted(self) -> np.ndarray:
        """Indices of the evaluations that improved on the best loss so far."""
        best = np.concatenate([[np.inf], self.history[:-1]])
        return np.flatnonzero(self.losses < best)

    def summary(self) -> str:
        """Two readable lines: the best point and loss, and the budget used."""
        x = np.array2string(self.x, precision=6, separator=", ")
        return (
            f"{self.method}: best loss {self.loss:.6g} at x = {x}\n"
            f"  {self.evaluations} evaluations, {len(self.accepted)} improvements"
        )

    def __repr__(self) -> str:
        return (
            f"SearchResult(method={self.method!r}, loss={self.loss:.6g}, "
            f"x={np.round(self.x, 6).tolist()}, evaluations={self.evaluations})"
        )


def _box(f: Any, domain: Any) -> np.ndarray:
    """``domain`` (or ``f.domain``) as an array ``(d, 2)`` of ``[low, high]`` rows."""
    if domain is None:
        domain = getattr(f, "domain", None)
        if domain is None:
            raise ValueError(
                "domain must be given (as ((xmin, xmax), (ymin, ymax)) or (low, high)) when f "
                "has no .domain attribute"
            )
    try:
        box = np.array(domain, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"domain must be a box of numbers, got {domain!r}") from None
    if box.shape == (2,):
        box = box.reshape(1, 2)
    if box.ndim != 2 or box.shape[1] != 2 or box.shape[0] == 0:
        raise ValueError(
            "domain must be (low, high) for one parameter or ((low, high), ...) with one pair "
            f"per coordinate, got shape {box.shape}"
        )
    if not np.all(np.isfinite(box)) or np.any(box[:, 0] >= box[:, 1]):
        raise ValueError(f"domain must be finite with low < high for every coordinate: {domain!r}")
    with np.errstate(over="ignore"):
        if not np.all(np.isfinite(box[:, 1] - box[:, 0])):
            raise ValueError(f"domain is too wide: high - low overflows a float in {domain!r}")
    return box


def _check_budget(budget: Any, d: int) -> int:
    """``budget >= 1`` evaluations, few enough that every point fits in memory."""
    budget = check_int("budget", budget, minimum=1)
    if budget * d > MAX_NUMBERS:
        raise ValueError(
            f"budget must be <= {MAX_NUMBERS // d:,} for {d} parameter(s) (the search keeps "
            f"every point it evaluates), got {budget:,}"
        )
    return budget


def _real(value: Any, what: str) -> np.ndarray:
    """``value`` as a float array; a string, ``None``, a bool or a complex number is a
    ``TypeError`` starting with ``what`` (``"f(x) must return"``, ``"grad must be"``)."""
    arr = np.asarray(value)
    if arr.dtype.kind not in "iuf":
        raise TypeError(f"{what} a real number, got {value!r} ({type(value).__name__})")
    return arr.astype(float)


def _loss(f: Any, x: np.ndarray) -> float:
    value = _real(f(x), "f(x) must return")
    if value.size != 1:
        raise ValueError(f"f(x) must return a single number, got an array of shape {value.shape}")
    value = float(value.reshape(()))
    return value if value == value else np.inf  # NaN never counts as best


def _result(points: np.ndarray, losses: np.ndarray, method: str) -> SearchResult:
    history = np.minimum.accumulate(losses)
    best = int(np.argmin(losses))
    return SearchResult(
        x=points[best].copy(), loss=float(losses[best]), evaluations=len(losses),
        history=history, points=points, losses=losses, method=method,
    )


def random_search(f: Any, budget: int, domain: Any = None, seed: int = 0) -> SearchResult:
    """Evaluate ``f`` at ``budget`` uniformly random points of a box; keep the best.

    Args:
        f: objective, ``f(x) -> float``.
        budget: number of loss evaluations, ``>= 1``.
        domain: the box: ``((xmin, xmax), (ymin, ymax))`` (one pair per coordinate) or
            ``(low, high)`` for a single parameter; default ``f.domain``.
        seed: seed of the random generator (same seed, same points).

    Landscapes and the dart loss are evaluated on all points in one vectorized call.

    Example:
        >>> import gdcore as gd
        >>> r = gd.random_search(gd.DartLoss(), budget=200, seed=0)
        >>> r.loss < 1e-3, round(float(gd.rad2deg(r.x[0])), 0) in (39.0, 51.0)
        (True, True)
    """
    seed = check_int("seed", seed)
    box = _box(f, domain)
    budget = _check_budget(budget, box.shape[0])
    rng = np.random.default_rng(seed)
    points = rng.uniform(box[:, 0], box[:, 1], size=(budget, box.shape[0]))
    with np.errstate(all="ignore"):
        if getattr(f, "vectorized", False):
            losses = _real(f(points), "f(points) must return").reshape(budget)
            losses = np.where(np.isnan(losses), np.inf, losses)
        else:
            losses = np.array([_loss(f, p) for p in points])
    return _result(points, losses, "random search")


def random_local_search(
    f: Any,
    x0: Any,
    budget: int,
    step_size: float = 0.1,
    seed: int = 0,
    *,
    domain: Any = None,
) -> SearchResult:
    """Perturb the best point by ``step_size * N(0, I)``; keep the move if the loss drops.

    The first evaluation is ``f(x0)``; each of the other ``budget - 1`` evaluations tries
    one random neighbour of the best point so far (like a blindfolded hiker feeling the
    ground with one foot).

    Args:
        f: objective, ``f(x) -> float``.
        x0: start point.
        budget: number of loss evaluations, ``>= 1`` (the start counts as one).
        step_size: standard deviation of the random step, ``> 0``.
        seed: seed of the random generator.
        domain: optional box (as in :func:`random_search`) to clip candidates into.

    Example:
        >>> import gdcore as gd
        >>> r = gd.random_local_search(gd.landscapes["bowl"], [1.5, -1.0], budget=500,
        ...                            step_size=0.1, seed=0)
        >>> r.loss < 1e-3, bool(r.history[0] > r.history[-1])
        (True, True)
    """
    x = as_point("x0", x0)
    budget = _check_budget(budget, x.size)
    step_size = check_positive("step_size", step_size)
    seed = check_int("seed", seed)
    box = None if domain is None else _box(f, domain)
    if box is not None:
        if box.shape[0] != x.size:
            raise ValueError(f"domain must have {x.size} (low, high) pairs, got {box.shape[0]}")
        x = np.clip(x, box[:, 0], box[:, 1])
    rng = np.random.default_rng(seed)
    noise = rng.standard_normal((budget - 1, x.size)) * step_size
    points = np.empty((budget, x.size))
    losses = np.empty(budget)
    with np.errstate(all="ignore"):
        best_loss = _loss(f, x)
        points[0], losses[0] = x, best_loss
        for i in range(1, budget):
            candidate = x + noise[i - 1]
            if box is not None:
                candidate = np.clip(candidate, box[:, 0], box[:, 1])
            loss = _loss(f, candidate)
            points[i], losses[i] = candidate, loss
            if loss < best_loss:
                x, best_loss = candidate, loss
    return _result(points, losses, "random local search")

