r"""Second-order methods and line searches (Nocedal & Wright, *Numerical Optimization*, ch. 3).

Newton's method models ``f`` near ``x`` by its second-order Taylor expansion and jumps to
the model's minimum: it solves :math:`H(x)\,p = -\nabla f(x)` and sets :math:`x \leftarrow x
+ p`. On a quadratic with positive-definite Hessian that is the exact minimizer, in one
step. A line search picks how far to go along a direction: exactly, for a quadratic, or by
backtracking until the Armijo sufficient-decrease condition holds.

>>> import gdcore as gd
>>> f = gd.IllConditionedQuadratic(condition_number=100)
>>> run = gd.newton(f, [3.0, -2.0], steps=5)
>>> run.n_steps, run.loss
(1, 0.0)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from gdcore._checks import (
    as_point,
    check_in_range,
    check_int,
    check_nonnegative,
    check_positive,
)
from gdcore.loop import StoppingRules, Trajectory, _as_loss, _as_numbers

__all__ = [
    "newton_step",
    "newton",
    "backtracking_line_search",
    "exact_line_search_quadratic",
]

#: Hessians with a larger condition number count as singular.
_MAX_CONDITION = 1e14


def _check_objective(f: Any, *, hessian: bool) -> None:
    needed = ("grad", "hessian") if hessian else ("grad",)
    missing = [m for m in needed if not callable(getattr(f, m, None))]
    if not callable(f) or missing:
        raise TypeError(
            f"f must be an objective callable as f(x) with methods {', '.join(needed)} "
            f"(like gd.landscapes['rosenbrock']), got {f!r}"
        )


def _grad(f: Any, x: np.ndarray) -> np.ndarray:
    g = _as_numbers(f.grad(x), None, "f.grad(x)", f"the shape of x {x.shape}")
    if g.size != x.size:
        raise ValueError(f"f.grad(x) must return the shape of x {x.shape}, got {g.shape}")
    return g.reshape(x.shape)


def _hessian(f: Any, x: np.ndarray, damping: float) -> np.ndarray:
    n = x.size
    H = _as_numbers(f.hessian(x), None, "f.hessian(x)", f"shape ({n}, {n})")
    if H.size != n * n:
        raise ValueError(f"f.hessian(x) must return shape ({n}, {n}), got {H.shape}")
    H = H.reshape(n, n)
    if damping:
        H = H + damping * np.eye(n)
    return H


def _newton_direction(H: np.ndarray, g: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Solve ``H p = -g`` (never forms the inverse); ``ValueError`` if ``H`` is singular."""
    singular = not np.all(np.isfinite(H))
    if not singular:
        singular = not np.linalg.cond(H) < _MAX_CONDITION
    if not singular:
        try:
            p = np.linalg.solve(H, -g)
        except np.linalg.LinAlgError:
            singular = True
        else:
            singular = not np.all(np.isfinite(p))
    if singular:
        if np.all(np.isfinite(H)):
            eig = np.linalg.eigvalsh(0.5 * (H + H.T))
            detail = f"eigenvalues {np.round(eig, 6).tolist()}"
        else:
            detail = "entries not finite"
        raise ValueError(
            f"the Hessian is singular at x = {x.tolist()} ({detail}), so the Newton step is "
            "undefined; pass damping > 0 (solves (H + damping*I) p = -grad) or use "
            "line_search=True (falls back to the gradient direction)"
        )
    return p


def _newton_move(
    f: Any, x: np.ndarray, g: np.ndarray, damping: float, line_search: bool
) -> tuple[np.ndarray, float]:
    """The direction ``p`` and the step length ``alpha`` of one step of :func:`newton`."""
    H = _hessian(f, x, damping)
    if not line_search:
        return _newton_direction(H, g, x), 1.0
    try:
        p = _newton_direction(H, g, x)
    except ValueError:
        p = -g
    if not float(g @ p) < 0:
        p = -g
    return p, backtracking_line_search(f, x, p, g)


def newton_step(f: Any, x: Any, *, damping: float = 0.0) -> np.ndarray:
    r"""One Newton step: :math:`x - (H + \lambda I)^{-1}\nabla f(x)`, computed with a solve.

    The linear system :math:`(H + \lambda I)\,p = -\nabla f(x)` is solved with
    ``np.linalg.solve`` (cheaper and more accurate than inverting ``H``). A singular (or
    numerically singular, condition number above 1e14) matrix raises ``ValueError``;
    ``damping`` :math:`\lambda > 0` makes it regular and shortens the step
    (Levenberg–Marquardt style).

    Args:
        f: objective with ``grad`` and ``hessian``.
        x: current point.
        damping: :math:`\lambda \ge 0` added to the Hessian's diagonal (default 0).

    Returns:
        The new point (a fresh array).

    Example:
        >>> import gdcore as gd
        >>> gd.newton_step(gd.landscapes["booth"], [0.0, 0.0]).round(12).tolist()
        [1.0, 3.0]
    """
    _check_objective(f, hessian=True)
    p = as_point("x", x)
    damping = check_nonnegative("damping", damping)
    g = _grad(f, p)
    return p + _newton_direction(_hessian(f, p, damping), g, p)


def backtracking_line_search(
    f: Any,
    x: Any,
    direction: Any,
    grad: Any = None,
    lr0: float = 1.0,
    shrink: float = 0.5,
    c: float = 1e-4,
    *,
    max_iter: int = 60,
) -> float:
    r"""Armijo backtracking: the first step :math:`\alpha_0 \rho^j` with sufficient decrease.

    Tries :math:`\alpha = \text{lr0}, \text{lr0}\cdot\text{shrink}, \dots` until

    .. math::
        f(x + \alpha d) \le f(x) + c\,\alpha\,\nabla f(x)^\top d

    (Nocedal & Wright, Algorithm 3.1). ``d`` must be a descent direction
    (:math:`\nabla f(x)^\top d < 0`). If no step passes within ``max_iter`` tries, the last
    (tiny) step is returned.

    Args:
        f: objective, ``f(x) -> float``.
        x: current point.
        direction: search direction ``d`` (same shape as ``x``).
        grad: the gradient at ``x`` (default ``f.grad(x)``).
        lr0: first step tried, ``> 0`` (default 1, the natural Newton step).
        shrink: factor ``rho`` in (0, 1) (default 0.5).
        c: sufficient-decrease constant in (0, 1) (default 1e-4).
        max_iter: most step sizes to try, ``>= 1``.

    Example:
        >>> import gdcore as gd
        >>> f = gd.landscapes["rosenbrock"]
        >>> x = [-1.0, 1.0]
        >>> gd.backtracking_line_search(f, x, -f.grad(x))
        0.5
    """
    if not callable(f):
        raise TypeError(f"f must be callable as f(x), got {f!r}")
    p = as_point("x", x)
    d = as_point("direction", direction, dim=p.size)
    if grad is None:
        _check_objective(f, hessian=False)
        g = _grad(f, p)
    else:
        g = as_point("grad", grad, dim=p.size)
    lr0 = check_positive("lr0", lr0)
    shrink = check_in_range("shrink", shrink, 0.0, 1.0, low_open=True, high_open=True)
    c = check_in_range("c", c, 0.0, 1.0, low_open=True, high_open=True)
    max_iter = check_int("max_iter", max_iter, minimum=1)
    slope = float(g @ d)
    if not slope < 0:
        raise ValueError(
            f"direction must be a descent direction (grad . direction < 0), got "
            f"grad . direction = {slope:g}"
        )
    f0 = _as_loss(f(p))
    alpha = lr0
    with np.errstate(all="ignore"):
        for _ in range(max_iter):
            value = _as_loss(f(p + alpha * d))
            if value <= f0 + c * alpha * slope:
                return alpha
            alpha *= shrink
    return alpha / shrink


def exact_line_search_quadratic(A: Any, g: Any, d: Any) -> float:
    r"""The exact minimizing step along ``d`` for a quadratic with Hessian ``A``.

    For :math:`f(x) = \tfrac12 x^\top A x - b^\top x` with gradient ``g`` at ``x``,
    :math:`\varphi(\alpha) = f(x + \alpha d)` is minimized at

    .. math::
        \alpha^\ast = -\frac{g^\top d}{d^\top A d},

    the step after which the new gradient :math:`g + \alpha^\ast A d` is orthogonal to ``d``.

    Example:
        >>> import gdcore as gd
        >>> f = gd.IllConditionedQuadratic(condition_number=10)
        >>> x = [1.0, 1.0]
        >>> g = f.grad(x)
        >>> alpha = gd.exact_line_search_quadratic(f.A, g, -g)
        >>> abs(float(f.grad(x - alpha * g) @ g)) < 1e-12
        True
    """
    g = as_point("g", g)
    d = as_point("d", d, dim=g.size)
    try:
        A = np.asarray(A, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"A must be a square matrix of numbers, got {A!r}") from None
    if A.shape != (g.size, g.size):
        raise ValueError(f"A must have shape ({g.size}, {g.size}), got {A.shape}")
    curvature = float(d @ A @ d)
    if not curvature > 0:
        raise ValueError(
            f"d must point along positive curvature (d . A d > 0), got d . A d = {curvature:g}:"
            " the quadratic has no minimum along d"
        )
    return float(-(g @ d) / curvature)


def newton(
    f: Any,
    x0: Any,
    steps: int = 20,
    *,
    damping: float = 0.0,
    line_search: bool = False,
    grad_tol: float | None = 1e-10,
    loss_threshold: float | None = None,
    diverge_at: float = 1e12,
) -> Trajectory:
    r"""Newton's method: repeat :math:`x \leftarrow x + \alpha p`, :math:`(H + \lambda I)p = -g`.

    Pure Newton (``alpha = 1``) by default: one step on a quadratic, fast (quadratic)
    convergence near a minimum, but it heads for *any* critical point, a saddle or a
    maximum included. With ``line_search=True`` the step length comes from
    :func:`backtracking_line_search`, and where the Newton direction is not a descent
    direction (indefinite Hessian) or the Hessian is singular the method falls back to
    steepest descent :math:`p = -\nabla f`. Stops when the gradient norm is at most
    ``grad_tol``, when the loss is at most ``loss_threshold``, on divergence, or after
    ``steps`` steps: the rules and messages of :func:`gdcore.minimize`
    (:class:`~gdcore.loop.StoppingRules`). ``lrs`` in the result holds the step lengths
    ``alpha``.

    Args:
        f: objective with ``grad`` and ``hessian`` (``(n, n)``).
        x0: start point.
        steps: maximum number of steps, ``>= 0`` (default 20).
        damping: :math:`\lambda \ge 0` added to the Hessian's diagonal.
        line_search: use Armijo backtracking (and steepest-descent fallback).
        grad_tol: stop when ``|grad| <= grad_tol`` (``None``: never).
        loss_threshold: stop when ``loss <= loss_threshold`` (``None``: never).
        diverge_at: stop as ``"diverged"`` when ``|loss|`` exceeds it.

    Returns:
        A :class:`~gdcore.loop.Trajectory`, like :func:`gdcore.minimize`.

    Example:
        >>> import gdcore as gd
        >>> run = gd.newton(gd.landscapes["rosenbrock"], [-1.2, 1.0], line_search=True,
        ...                 steps=100)
        >>> run.status, run.x.round(6).tolist()
        ('converged', [1.0, 1.0])
    """
    _check_objective(f, hessian=True)
    x = as_point("x0", x0)
    rules = StoppingRules(steps, loss_threshold, grad_tol, diverge_at, f=f)
    damping = check_nonnegative("damping", damping)
    if not isinstance(line_search, bool):
        raise TypeError(f"line_search must be True or False, got {line_search!r}")
    xs, losses, grads, lrs = [], [], [], []
    k = 0
    with np.errstate(all="ignore"):
        while True:
            xs.append(x)  # 1. evaluate (and record) the loss and the gradient
            loss = _as_loss(f(x))
            losses.append(loss)
            stop = rules.check_point(k, loss, x)  # 2. check: stop here?
            if stop is None:
                g = _grad(f, x)
                grads.append(g)
                stop = rules.check_grad(k, loss, g, g.tolist())
            if stop is not None:
                break
            p, alpha = _newton_move(f, x, g, damping, line_search)  # 3. step
            lrs.append(alpha)
            x = x + alpha * p
            k += 1
    n = x.size
    if len(grads) < len(xs):  # stopped before the last point's gradient was known
        grads.append(np.full(n, np.nan))
    label = "Newton" + (" + line search" if line_search else "")
    if damping:
        label = "damped " + label
    objective = getattr(f, "name", "")
    return Trajectory(
        xs=np.array(xs, dtype=float).reshape(-1, n), losses=np.array(losses, dtype=float),
        grads=np.array(grads, dtype=float).reshape(-1, n), lrs=np.array(lrs, dtype=float),
        status=stop[0], message=stop[1], label=label,
        optimizer=f"newton(damping={damping:g}, line_search={line_search})",
        objective="" if objective is None else str(objective),
    )

