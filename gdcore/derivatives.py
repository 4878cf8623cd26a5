r"""Derivatives from function values alone: finite differences and gradient checks.

The forward difference :math:`(f(x + h e_i) - f(x)) / h` has an error of order :math:`h`;
the central difference :math:`(f(x + h e_i) - f(x - h e_i)) / 2h` has an error of order
:math:`h^2`, at the price of two evaluations per coordinate (``2n`` for a gradient). They
are too slow to train with, but perfect for checking an analytic gradient.

>>> import gdcore as gd
>>> f = gd.landscapes["rosenbrock"]
>>> gd.check_gradient(f, [-1.0, 2.0]) < 1e-6
True
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from gdcore._checks import as_point, check_positive
from gdcore.search import _real

__all__ = [
    "central_difference",
    "forward_difference",
    "numerical_hessian",
    "jacobian",
    "check_gradient",
]


#: The most coordinates a finite-difference gradient takes: it evaluates ``f`` at ``2n``
#: points of ``n`` coordinates (256 MB of points for 4,000).
MAX_COORDINATES = 4000


def _point_and_step(x: Any, h: Any) -> tuple[np.ndarray, float]:
    """``x`` as a checked point and ``h`` as a step that changes every coordinate of it."""
    p = as_point("x", x)
    h = check_positive("h", h)
    if p.size > MAX_COORDINATES:
        raise ValueError(
            f"x must have at most {MAX_COORDINATES:,} coordinates for finite differences "
            f"(each one costs two evaluations of f at a point of that size), got {p.size:,}"
        )
    with np.errstate(over="ignore"):
        stuck = np.flatnonzero((p + h == p) | (p - h == p) | ~np.isfinite(p + h))
    if stuck.size:
        i = int(stuck[0])
        raise ValueError(
            f"h={h!r} is too small for x[{i}]={float(p[i])!r}: x + h rounds back to x, so the "
            f"difference would be 0; use h of about 1e-5 * |x| (or rescale x)"
        )
    return p, h


def _scalar(f: Callable[[np.ndarray], Any], x: np.ndarray) -> float:
    value = _real(f(x), "f(x) must return")
    if value.size != 1:
        raise ValueError(
            f"f must return a single number for a point, got an array of shape {value.shape}"
        )
    return float(value.reshape(()))


def _values(f: Callable[[np.ndarray], Any], points: np.ndarray, vectorized: bool) -> np.ndarray:
    """``f`` at each row of ``points``: one stacked call when ``vectorized``, else a loop."""
    if vectorized:
        out = _real(f(points), "f(points) must return")
        if out.shape != points.shape[:1]:
            raise ValueError(
                f"with vectorized=True, f must map points of shape {points.shape} to "
                f"{points.shape[:1]}, got {out.shape}"
            )
        return out
    return np.array([_scalar(f, p) for p in points])


def _shape_like(result: np.ndarray, x: Any) -> Any:
    return float(result[0]) if np.ndim(x) == 0 else result


def central_difference(
    f: Callable[[np.ndarray], Any], x: Any, h: float = 1e-5, *, vectorized: bool = False
) -> Any:
    r"""Gradient by central differences: :math:`\partial_i f \approx (f(x+he_i) - f(x-he_i))/2h`.

    Args:
        f: objective, ``f(x) -> float``.
        x: the point (a number is treated as a 1-D point and gives a float back).
        h: step, ``> 0`` (default ``1e-5``: balances the ``h^2`` truncation error against
            round-off).
        vectorized: evaluate the ``2n`` shifted points in one call ``f(points)`` (for
            objectives such as landscapes that accept stacked points).

    Example:
        >>> import gdcore as gd
        >>> g = gd.central_difference(lambda x: (x ** 2).sum(), [1.0, -2.0])
        >>> g.round(8).tolist()
        [2.0, -4.0]
    """
    p, h = _point_and_step(x, h)
    n = p.size
    shifts = h * np.eye(n)
    points = np.concatenate([p + shifts, p - shifts])
    values = _values(f, points, vectorized)
    return _shape_like((values[:n] - values[n:]) / (2.0 * h), x)


def forward_difference(
    f: Callable[[np.ndarray], Any], x: Any, h: float = 1e-7, *, vectorized: bool = False
) -> Any:
    r"""Gradient by forward differences: :math:`\partial_i f \approx (f(x + he_i) - f(x))/h`.

    Cheaper than :func:`central_difference` (``n + 1`` evaluations) but only first-order
    accurate: the error shrinks like ``h``.

    Example:
        >>> import gdcore as gd
        >>> round(gd.forward_difference(lambda x: float(x[0] ** 3), 2.0), 4)
        12.0
    """
    p, h = _point_and_step(x, h)
    n = p.size
    points = np.concatenate([p[None, :], p + h * np.eye(n)])
    values = _values(f, points, vectorized)
    return _shape_like((values[1:] - values[0]) / h, x)


def jacobian(F: Callable[[np.ndarray], Any], x: Any, h: float = 1e-5) -> np.ndarray:
    r"""Jacobian of a vector function by central differences: :math:`J_{ij} = \partial_j F_i`.

    Returns an array of shape ``F(x).shape + (n,)``: ``(m, n)`` for a function with ``m``
    outputs, ``(n,)`` (the gradient) for a scalar function. The Jacobian of a gradient is
    the Hessian: ``jacobian(f.grad, x)``.

    Example:
        >>> import gdcore as gd
        >>> F = lambda v: [v[0] * v[1], v[0] + 2 * v[1]]
        >>> gd.jacobian(F, [2.0, 3.0]).round(6).tolist()
        [[3.0, 2.0], [1.0, 2.0]]
    """
    p, h = _point_and_step(x, h)
    n = p.size
    out_shape = _real(F(p), "F(x) must return").shape
    columns = []
    for i in range(n):
        e = np.zeros(n)
        e[i] = h
        plus = _real(F(p + e), "F(x) must return")
        minus = _real(F(p - e), "F(x) must return")
        if plus.shape != out_shape or minus.shape != out_shape:
            raise ValueError("F must return outputs of the same shape at every point")
        columns.append((plus - minus) / (2.0 * h))
    return np.stack(columns, axis=-1)


def numerical_hessian(
    f: Callable[[np.ndarray], Any],
    x: Any,
    h: float = 1e-4,
    *,
    grad: Callable[[np.ndarray], Any] | None = None,
) -> np.ndarray:
    r"""Hessian by finite differences, shape ``(n, n)``, symmetric.

    From function values (default), with second differences

    .. math::
        H_{ii} \approx \frac{f(x+he_i) - 2f(x) + f(x-he_i)}{h^2},\quad
        H_{ij} \approx \frac{f(x+he_i+he_j) - f(x+he_i-he_j) - f(x-he_i+he_j)
        + f(x-he_i-he_j)}{4h^2};

    or, when ``grad`` is given, as the central-difference Jacobian of the gradient
    (more accurate: use ``h`` around ``1e-5`` then), symmetrized.

    Example:
        >>> import gdcore as gd
        >>> f = gd.landscapes["booth"]
        >>> gd.numerical_hessian(f, [0.0, 0.0]).round(4).tolist()
        [[10.0, 8.0], [8.0, 10.0]]
    """
    p, h = _point_and_step(x, h)
    n = p.size
    if grad is not None:
        H = jacobian(lambda q: np.asarray(grad(q), dtype=float).reshape(n), p, h)
        return 0.5 * (H + H.T)
    E = h * np.eye(n)
    f0 = _scalar(f, p)
    H = np.empty((n, n))
    for i in range(n):
        H[i, i] = (_scalar(f, p + E[i]) - 2.0 * f0 + _scalar(f, p - E[i])) / (h * h)
        for j in range(i + 1, n):
            value = (
                _scalar(f, p + E[i] + E[j])
                - _scalar(f, p + E[i] - E[j])
                - _scalar(f, p - E[i] + E[j])
                + _scalar(f, p - E[i] - E[j])
            ) / (4.0 * h * h)
            H[i, j] = H[j, i] = value
    return H


def check_gradient(
    f: Callable[[np.ndarray], Any],
    x: Any,
    grad: Callable[[np.ndarray], Any] | None = None,
    *,
    h: float = 1e-5,
    floor: float = 1.0,
) -> float:
    r"""Largest error between an analytic gradient and central differences.

    For each coordinate the error is :math:`|a_i - n_i| / \max(|a_i|, |n_i|, \text{floor})`:
    relative for large entries, absolute for entries below ``floor`` (so a zero gradient at a
    minimum does not divide by zero). Around ``1e-7`` or less means the gradient is right;
    ``1e-2`` or more means it is almost surely wrong.

    Args:
        f: the objective.
        x: the point to check at.
        grad: the analytic gradient to check (default ``f.grad``).
        h: central-difference step, ``> 0``.
        floor: smallest denominator, ``> 0`` (default 1).

    Example:
        >>> import gdcore as gd
        >>> wrong = lambda x: 2.0 * x                      # the true gradient is 3 x^2
        >>> gd.check_gradient(lambda x: float((x ** 3).sum()), [2.0], grad=wrong) > 0.1
        True
    """
    p, h = _point_and_step(x, h)
    floor = check_positive("floor", floor)
    if grad is None:
        grad = getattr(f, "grad", None)
        if grad is None:
            raise ValueError("grad must be given when f has no .grad method")
    analytic = _real(grad(p), "grad(x) must return")
    if analytic.size != p.size:
        raise ValueError(
            f"grad must return {p.size} partial derivatives, got an array of shape "
            f"{analytic.shape}"
        )
    analytic = analytic.reshape(p.shape)
    numeric = central_difference(f, p, h)
    denom = np.maximum(np.maximum(np.abs(analytic), np.abs(numeric)), floor)
    return float(np.max(np.abs(analytic - numeric) / denom))
