"""Two-dimensional test functions ("landscapes") with analytic gradients and Hessians.

Every landscape is a callable object that follows gdcore's objective protocol:

* ``f(x)`` returns the loss at a point ``x = [x, y]`` as a float;
* ``f.grad(x)`` returns the gradient, an array of shape ``(2,)``;
* ``f.hessian(x)`` returns the Hessian, an array of shape ``(2, 2)``.

All three are *vectorized*: pass stacked points of shape ``(..., 2)`` (a grid for a contour
plot, or many start points at once) and get back shapes ``(...)``, ``(..., 2)`` and
``(..., 2, 2)``, computed with numpy and no Python loop over the points.

Each landscape also carries what a plot or a menu needs: ``name`` (for titles), ``formula``
(LaTeX), ``domain`` (the plot box ``((xmin, xmax), (ymin, ymax))``), ``minima`` (the known
global minimizers, an array of shape ``(k, 2)``), ``log_levels`` (whether contour lines
look best on a logarithmic scale) and, for most, ``critical_points()`` (every minimum,
saddle and maximum, exact; see :class:`CriticalPoints`).

>>> import gdcore as gd
>>> f = gd.landscapes["rosenbrock"]
>>> f([1.0, 1.0]), f.grad([1.0, 1.0]).tolist()
(0.0, [0.0, 0.0])
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import numpy as np

from gdcore._checks import check_int, check_number, check_positive
from gdcore._names import UnknownName, name_key

__all__ = [
    "CriticalPoints",
    "Landscape",
    "Quadratic",
    "Bowl",
    "IllConditionedQuadratic",
    "Rosenbrock",
    "Beale",
    "Himmelblau",
    "Booth",
    "Saddle",
    "Rastrigin",
    "Ackley",
    "StyblinskiTang",
    "SixHumpCamel",
    "landscapes",
    "get_landscape",
    "grid",
]

Domain = tuple[tuple[float, float], tuple[float, float]]
_F64 = np.dtype(float)


def _as_points(x: Any) -> np.ndarray:
    """``x`` as a float array whose last axis holds the two coordinates."""
    if type(x) is np.ndarray and x.shape == (2,) and x.dtype == _F64:
        return x  # the common case inside an optimization loop
    try:
        arr = np.asarray(x, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"x must be a point [x, y] or an array of points, got {x!r}") from None
    if arr.ndim == 0 or arr.shape[-1] != 2:
        raise ValueError(
            "x must be a 2-D point of shape (2,) or stacked points of shape (..., 2), "
            f"got an array of shape {arr.shape}"
        )
    return arr


#: The largest size of a landscape's parameters: their squares and sums stay finite.
_MAX_PARAMETER = 1e100


def _check_size(name: str, value: float) -> float:
    """A parameter no larger than ``1e100`` in size (its square must not overflow)."""
    if abs(value) > _MAX_PARAMETER:
        raise ValueError(f"{name} must be at most {_MAX_PARAMETER:g} in size, got {value!r}")
    return value


class CriticalPoints(NamedTuple):
    """Every critical point (``grad f = 0``) of a landscape, by kind; each an array ``(k, d)``.

    ``minima`` holds the local minima (the global ones included), ``saddles`` the points
    where the Hessian has eigenvalues of both signs and ``maxima`` the local maxima.

    Example:
        >>> import gdcore as gd
        >>> cp = gd.Himmelblau().critical_points()
        >>> len(cp.minima), len(cp.saddles), len(cp.maxima)
        (4, 4, 1)
        >>> cp.maxima.round(6).tolist()
        [[-0.270845, -0.923039]]
    """

    minima: np.ndarray
    saddles: np.ndarray
    maxima: np.ndarray

    def kinds(self) -> list[tuple[str, np.ndarray]]:
        """``[("minimum", p), ..., ("saddle", p), ..., ("maximum", p), ...]``, one per point.

        Example:
            >>> import gdcore as gd
            >>> [kind for kind, p in gd.Saddle().critical_points().kinds()]
            ['saddle']
        """
        return [(kind, p) for kind, points in
                zip(("minimum", "saddle", "maximum"), self, strict=True) for p in points]


def _critical(d: int = 2, minima: Any = (), saddles: Any = (), maxima: Any = ()) -> CriticalPoints:
    """A :class:`CriticalPoints` of fresh float arrays of shape ``(k, d)``."""
    return CriticalPoints(*(np.array(p, dtype=float).reshape(-1, d)
                            for p in (minima, saddles, maxima)))


class Landscape:
    """Base class of the 2-D test functions: subclasses define the formula once.

    A subclass implements ``_value(x, y)``, ``_grad(x, y) -> (gx, gy)`` and
    ``_hess(x, y) -> (hxx, hxy, hyy)`` on arrays (or numpy scalars) ``x`` and ``y``; this
    class turns them into the public, vectorized ``__call__``, ``grad`` and ``hessian``.

    Attributes:
        name: readable name for titles and legends.
        formula: the formula in LaTeX.
        domain: plot box ``((xmin, xmax), (ymin, ymax))``.
        minima: known global minimizers, array of shape ``(k, 2)`` (``k`` may be 0).
        log_levels: ``True`` if contour levels look best spaced logarithmically.
        equal_aspect: ``True``: both axes are parameters in the same units, so plots
            draw them at the same scale.

    :meth:`critical_points` lists every minimum, saddle and maximum in ``domain`` (for
    the landscapes that know them).

    Example:
        >>> import gdcore as gd
        >>> f = gd.Himmelblau()
        >>> f.minima.shape
        (4, 2)
        >>> round(f([3.0, 2.0]), 12)
        0.0
    """

    name: str = "landscape"
    formula: str = ""
    domain: Domain = ((-5.0, 5.0), (-5.0, 5.0))
    log_levels: bool = False
    minima: np.ndarray = np.empty((0, 2))
    #: Known saddle points (only the saddle landscape lists one; :meth:`critical_points`
    #: lists every saddle of the landscapes that know them).
    saddle_points: np.ndarray = np.empty((0, 2))
    #: Every critical point, for :meth:`critical_points` (``None``: not listed).
    _critical_points: CriticalPoints | None = None
    #: Both axes are in the same units, so plots draw them at the same scale.
    equal_aspect: bool = True
    #: Stacked points in, stacked values out (used by random search and plots).
    vectorized: bool = True

    # -- the three pieces a subclass provides ---------------------------------------------
    def _value(self, x: Any, y: Any) -> Any:
        raise NotImplementedError

    def _grad(self, x: Any, y: Any) -> tuple[Any, Any]:
        raise NotImplementedError

    def _hess(self, x: Any, y: Any) -> tuple[Any, Any, Any]:
        raise NotImplementedError

    #: Speed plumbing: the formulas of ``_value`` / ``_grad`` also work on plain Python
    #: floats (only arithmetic and numpy ufuncs, no array methods). Then a single point is
    #: evaluated on Python floats, which costs far less than numpy's per-call overhead on
    #: tiny arrays (the explorer evaluates thousands of single points per redraw). A
    #: subclass whose formulas need arrays leaves this ``False``.
    _float_formulas: bool = False

    def _as_floats(self, x: Any) -> list[float] | None:
        """``[x, y]`` as Python floats for one float point of shape ``(2,)``, else ``None``.

        Python floats go through the same IEEE operations in the same order as numpy's
        scalars, so ``_value(x, y)`` gives the same number, bit for bit.
        """
        if (
            self._float_formulas and type(x) is np.ndarray and x.shape == (2,)
            and (x.dtype is _F64 or x.dtype == _F64)
        ):
            return x.tolist()
        return None

    # -- the public protocol ------------------------------------------------------------------
    def __call__(self, x: Any) -> Any:
        """Loss at ``x``: a float for one point ``(2,)``, an array ``(...)`` for ``(..., 2)``."""
        xy = self._as_floats(x)
        if xy is not None:
            try:
                return float(self._value(*xy))
            except (OverflowError, ZeroDivisionError):
                pass  # Python raises where numpy returns inf/nan: redo it with numpy below
        p = _as_points(x)
        if p.ndim == 1:
            return float(self._value(p[0], p[1]))
        return np.asarray(self._value(p[..., 0], p[..., 1]), dtype=float)

    def grad(self, x: Any) -> np.ndarray:
        """Analytic gradient: shape ``(2,)`` for one point, ``(..., 2)`` for stacked points."""
        xy = self._as_floats(x)
        if xy is not None:
            try:
                gx, gy = self._grad(*xy)
                return np.array((gx + 0.0, gy + 0.0))  # + 0.0 turns -0.0 into 0.0
            except (OverflowError, ZeroDivisionError):
                pass  # as in __call__
        p = _as_points(x)
        if p.ndim == 1:
            gx, gy = self._grad(p[0], p[1])
            return np.array([gx + 0.0, gy + 0.0], dtype=float)  # + 0.0 turns -0.0 into 0.0
        gx, gy = self._grad(p[..., 0], p[..., 1])
        out = np.empty(p.shape)
        out[..., 0] = gx
        out[..., 1] = gy
        out += 0.0
        return out

    def _loss_and_grad(self, x: Any) -> tuple[float, np.ndarray] | None:
        """``(self(x), self.grad(x))`` for one float point in one call, else ``None``.

        Speed plumbing for ``gd.minimize`` (one call per step instead of two).
        """
        xy = self._as_floats(x)
        if xy is None:
            return None
        try:
            loss = float(self._value(*xy))
            gx, gy = self._grad(*xy)
        except (OverflowError, ZeroDivisionError):
            return None
        return loss, np.array((gx + 0.0, gy + 0.0))

    def hessian(self, x: Any) -> np.ndarray:
        """Analytic Hessian: shape ``(2, 2)`` for one point, ``(..., 2, 2)`` for stacked points."""
        p = _as_points(x)
        hxx, hxy, hyy = self._hess(p[..., 0], p[..., 1])
        out = np.empty(p.shape[:-1] + (2, 2))
        out[..., 0, 0] = hxx
        out[..., 0, 1] = hxy
        out[..., 1, 0] = hxy
        out[..., 1, 1] = hyy
        out += 0.0
        return out

    def critical_points(self) -> CriticalPoints | None:
        """Every point where the gradient vanishes, sorted into minima, saddles and maxima.

        The points are exact to rounding (solved in closed form or polished by Newton's
        method until the gradient is zero to machine precision) and all lie inside
        ``domain``. ``None`` when the landscape does not list them: Rastrigin and Ackley
        have hundreds in their plot box, one in every ripple.

        Example:
            >>> import gdcore as gd
            >>> cp = gd.SixHumpCamel().critical_points()
            >>> len(cp.minima), len(cp.saddles), len(cp.maxima)
            (6, 7, 2)
        """
        cp = self._critical_points
        return None if cp is None else CriticalPoints(*(p.copy() for p in cp))

    @property
    def min_value(self) -> float:
        """The loss at the known global minimizers (``nan`` when there are none)."""
        if len(self.minima) == 0:
            return math.nan
        return float(self(self.minima[0]))

    def _params(self) -> dict[str, float]:
        return {}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v:g}" for k, v in self._params().items())
        return f"{type(self).__name__}({args})"


class Quadratic(Landscape):
    r"""A quadratic :math:`f(x) = \tfrac12 x^\top A x - b^\top x + c` with symmetric ``A``.

    The gradient is :math:`Ax - b` and the Hessian is the constant matrix ``A``; when ``A``
    is positive definite the unique minimizer solves :math:`Ax = b`. ``A`` may be any
    ``n x n`` matrix here (the other landscapes are 2-D); stacked points have shape
    ``(..., n)``.

    Args:
        A: symmetric matrix ``(n, n)``.
        b: linear term ``(n,)`` (default zeros).
        c: constant (default 0).

    Example:
        >>> import gdcore as gd
        >>> f = gd.Quadratic([[2.0, 0.0], [0.0, 4.0]], b=[2.0, 4.0])
        >>> f.minima.tolist(), f([1.0, 1.0])
        ([[1.0, 1.0]], -3.0)
    """

    name = "quadratic"
    formula = r"f(x) = \tfrac{1}{2} x^\top A x - b^\top x + c"
    domain: Domain = ((-3.0, 3.0), (-3.0, 3.0))

    def __init__(self, A: Any, b: Any = None, c: float = 0.0) -> None:
        try:
            A = np.array(A, dtype=float)
        except (TypeError, ValueError):
            raise TypeError(f"A must be a square matrix of numbers, got {A!r}") from None
        if A.ndim != 2 or A.shape[0] != A.shape[1] or A.shape[0] == 0:
            raise ValueError(f"A must be a square matrix of shape (n, n), got shape {A.shape}")
        if not np.all(np.isfinite(A)):
            raise ValueError("A must be finite")
        if not np.allclose(A, A.T, rtol=1e-12, atol=1e-12):
            raise ValueError("A must be symmetric (A == A.T)")
        n = A.shape[0]
        b = np.zeros(n) if b is None else np.array(b, dtype=float)
        if b.shape != (n,) or not np.all(np.isfinite(b)):
            raise ValueError(f"b must be a finite vector of shape ({n},), got shape {b.shape}")
        self.A = A
        self.b = b
        self.c = check_number("c", c)
        self.dim = n
        eig = np.linalg.eigvalsh(A)
        if eig[0] > 0:
            self.minima = np.linalg.solve(A, b).reshape(1, n)
        else:
            self.minima = np.empty((0, n))

    def critical_points(self) -> CriticalPoints | None:
        """The one critical point ``A^{-1} b``, a minimum, saddle or maximum by the signs of
        ``A``'s eigenvalues; ``None`` when ``A`` is singular (a line of them, or none).

        Example:
            >>> import gdcore as gd
            >>> gd.Quadratic([[1.0, 0.0], [0.0, -1.0]], b=[1.0, 1.0]).critical_points().saddles
            array([[ 1., -1.]])
        """
        eig = self.eigenvalues
        if np.min(np.abs(eig)) <= 1e-12 * max(1.0, float(np.max(np.abs(eig)))):
            return None
        p = np.linalg.solve(self.A, self.b)
        kind = "minima" if eig[0] > 0 else "maxima" if eig[-1] < 0 else "saddles"
        return _critical(self.dim, **{kind: p})

    @property
    def eigenvalues(self) -> np.ndarray:
        """Eigenvalues of ``A`` in increasing order (the curvatures along its axes)."""
        return np.linalg.eigvalsh(self.A)

    def _points(self, x: Any) -> np.ndarray:
        try:
            p = np.asarray(x, dtype=float)
        except (TypeError, ValueError):
            raise TypeError(f"x must be a point or an array of points, got {x!r}") from None
        if p.ndim == 0 or p.shape[-1] != self.dim:
            raise ValueError(
                f"x must have shape ({self.dim},) or (..., {self.dim}), got shape {p.shape}"
            )
        return p

    def __call__(self, x: Any) -> Any:
        p = self._points(x)
        value = np.sum(p * (0.5 * (p @ self.A) - self.b), axis=-1) + self.c
        return float(value) if p.ndim == 1 else np.asarray(value, dtype=float)

    def grad(self, x: Any) -> np.ndarray:
        p = self._points(x)
        return p @ self.A - self.b

    def hessian(self, x: Any) -> np.ndarray:
        p = self._points(x)
        return np.broadcast_to(self.A, p.shape[:-1] + self.A.shape).copy()

    def __repr__(self) -> str:
        return f"Quadratic(A={self.A.tolist()}, b={self.b.tolist()}, c={self.c:g})"


class Bowl(Quadratic):
    r"""The isotropic bowl :math:`f(x, y) = s\,(x^2 + y^2)`, minimum 0 at the origin.

    Every direction has the same curvature ``2s``, so gradient descent with learning rate
    ``1/(2s)`` lands on the minimum in one step, and diverges for rates above ``1/s``.

    Args:
        scale: the factor ``s > 0`` (default 1).

    Example:
        >>> import gdcore as gd
        >>> f = gd.Bowl()
        >>> f([1.0, 2.0]), f.grad([1.0, 2.0]).tolist()
        (5.0, [2.0, 4.0])
    """

    name = "bowl"
    formula = r"f(x, y) = x^2 + y^2"
    domain: Domain = ((-2.0, 2.0), (-2.0, 2.0))

    def __init__(self, scale: float = 1.0) -> None:
        self.scale = _check_size("scale", check_positive("scale", scale))
        super().__init__(2.0 * self.scale * np.eye(2))
        if self.scale != 1.0:
            self.formula = rf"f(x, y) = {self.scale:g}\,(x^2 + y^2)"

    def __repr__(self) -> str:
        return f"Bowl(scale={self.scale:g})"


class IllConditionedQuadratic(Quadratic):
    r"""A long, narrow valley :math:`f(x, y) = \tfrac12 (\mu x^2 + \kappa \mu y^2)`.

    The Hessian has eigenvalues ``mu`` and ``L = condition_number * mu``; gradient descent
    with the best fixed rate ``2/(L + mu)`` contracts the error by ``(kappa-1)/(kappa+1)``
    per step, so it crawls when ``kappa`` is large. ``angle`` rotates the valley (radians,
    counter-clockwise) so that the axes of the ellipses are not the coordinate axes.

    Args:
        condition_number: ``kappa = L / mu >= 1`` (default 10).
        mu: the smallest curvature, ``> 0`` (default 1).
        angle: rotation of the valley in radians (default 0).

    Example:
        >>> import gdcore as gd
        >>> f = gd.IllConditionedQuadratic(condition_number=10)
        >>> f.L, f.mu, f([1.0, 1.0])
        (10.0, 1.0, 5.5)
    """

    name = "ill-conditioned quadratic"
    domain: Domain = ((-4.0, 4.0), (-4.0, 4.0))

    def __init__(
        self, condition_number: float = 10.0, mu: float = 1.0, angle: float = 0.0
    ) -> None:
        kappa = check_number("condition_number", condition_number)
        if kappa < 1:
            raise ValueError(f"condition_number must be >= 1, got {kappa!r}")
        self.condition_number = kappa
        self.mu = _check_size("mu", check_positive("mu", mu))
        self.L = _check_size("condition_number * mu", kappa * self.mu)
        self.angle = check_number("angle", angle)
        c, s = math.cos(self.angle), math.sin(self.angle)
        R = np.array([[c, -s], [s, c]])
        A = R @ np.diag([self.mu, self.L]) @ R.T
        super().__init__(0.5 * (A + A.T))
        self.formula = (
            rf"f(x, y) = \tfrac{{1}}{{2}}\left({self.mu:g}\,x^2 + {self.L:g}\,y^2\right)"
            if self.angle == 0
            else rf"f(u) = \tfrac{{1}}{{2}} u^\top R\,\mathrm{{diag}}({self.mu:g}, {self.L:g})"
            r"\,R^\top u"
        )

    def __repr__(self) -> str:
        return (
            f"IllConditionedQuadratic(condition_number={self.condition_number:g}, "
            f"mu={self.mu:g}, angle={self.angle:g})"
        )


class Rosenbrock(Landscape):
    r"""Rosenbrock's banana valley :math:`f(x, y) = (a - x)^2 + b\,(y - x^2)^2`.

    The minimum ``f = 0`` is at ``(a, a^2)``, at the end of a curved, flat-bottomed valley:
    easy to find, slow to follow.

    Example:
        >>> import gdcore as gd
        >>> f = gd.Rosenbrock()
        >>> f.minima.tolist(), f([0.0, 0.0])
        ([[1.0, 1.0]], 1.0)
    """

    _float_formulas = True
    name = "Rosenbrock"
    domain: Domain = ((-2.0, 2.0), (-1.0, 3.0))
    log_levels = True

    def __init__(self, a: float = 1.0, b: float = 100.0) -> None:
        self.a = _check_size("a", check_number("a", a))
        self.b = _check_size("b", check_positive("b", b))
        self.minima = np.array([[self.a, self.a**2]])
        # y = x^2 (second component of the gradient), then x = a: the only critical point.
        self._critical_points = _critical(minima=self.minima)
        self.formula = rf"f(x, y) = ({self.a:g} - x)^2 + {self.b:g}\,(y - x^2)^2"

    def _params(self) -> dict[str, float]:
        return {"a": self.a, "b": self.b}

    def _value(self, x, y):
        u, r = self.a - x, y - x * x
        return u * u + self.b * r * r

    def _grad(self, x, y):
        r = y - x * x
        return -2.0 * (self.a - x) - 4.0 * self.b * x * r, 2.0 * self.b * r

    def _hess(self, x, y):
        return 2.0 - 4.0 * self.b * y + 12.0 * self.b * x * x, -4.0 * self.b * x, 2.0 * self.b


class Beale(Landscape):
    r"""Beale's function :math:`\sum_{i=1}^{3} (c_i - x + x y^i)^2`, ``c = (1.5, 2.25, 2.625)``.

    The minimum ``f = 0`` is at ``(3, 0.5)``; sharp ridges near the corners of the box.

    Example:
        >>> import gdcore as gd
        >>> gd.Beale()([3.0, 0.5])
        0.0
    """

    _float_formulas = True
    name = "Beale"
    formula = (
        r"f(x, y) = (1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2"
    )
    domain: Domain = ((-4.5, 4.5), (-4.5, 4.5))
    log_levels = True
    minima = np.array([[3.0, 0.5]])
    _critical_points = _critical(
        minima=minima, saddles=[[0.0, 1.0], [0.10053793732415837, -2.644513585023125]]
    )
    _c = (1.5, 2.25, 2.625)

    def _value(self, x, y):
        return sum((c - x + x * y ** (i + 1)) ** 2 for i, c in enumerate(self._c))

    def _grad(self, x, y):
        gx = gy = 0.0
        for i, c in enumerate(self._c, start=1):
            u = c - x + x * y**i
            gx = gx + 2.0 * u * (y**i - 1.0)
            gy = gy + 2.0 * u * i * x * y ** (i - 1)
        return gx, gy

    def _hess(self, x, y):
        hxx = hxy = hyy = 0.0
        for i, c in enumerate(self._c, start=1):
            u = c - x + x * y**i
            ux, uy = y**i - 1.0, i * x * y ** (i - 1)
            uxy = i * y ** (i - 1)
            uyy = i * (i - 1) * x * y ** (i - 2) if i >= 2 else 0.0
            hxx = hxx + 2.0 * ux * ux
            hxy = hxy + 2.0 * (ux * uy + u * uxy)
            hyy = hyy + 2.0 * (uy * uy + u * uyy)
        return hxx, hxy, hyy


class Himmelblau(Landscape):
    r"""Himmelblau's function :math:`(x^2 + y - 11)^2 + (x + y^2 - 7)^2`: four minima.

    All four global minima have ``f = 0``; which one gradient descent finds depends on where
    it starts. There is also a local maximum near ``(-0.27, -0.92)`` and four saddles
    between the minima (all nine in :meth:`critical_points`).

    Example:
        >>> import gdcore as gd
        >>> f = gd.Himmelblau()
        >>> [round(f(m), 12) for m in f.minima]
        [0.0, 0.0, 0.0, 0.0]
    """

    _float_formulas = True
    name = "Himmelblau"
    formula = r"f(x, y) = (x^2 + y - 11)^2 + (x + y^2 - 7)^2"
    domain: Domain = ((-5.0, 5.0), (-5.0, 5.0))
    log_levels = True
    minima = np.array(
        [
            [3.0, 2.0],
            [-2.805118086952745, 3.131312518250573],
            [-3.779310253377747, -3.283185991286169],
            [3.5844283403304917, -1.8481265269644034],
        ]
    )
    _critical_points = _critical(
        minima=minima,
        saddles=[
            [3.385154183607021, 0.07385187983774928],
            [0.08667750455539634, 2.884254701174776],
            [-3.0730257507643897, -0.08135304428796751],
            [-0.12796134673068005, -1.9537149802445766],
        ],
        maxima=[[-0.2708445906673476, -0.9230385564799816]],
    )

    def _value(self, x, y):
        return (x * x + y - 11.0) ** 2 + (x + y * y - 7.0) ** 2

    def _grad(self, x, y):
        u, v = x * x + y - 11.0, x + y * y - 7.0
        return 4.0 * x * u + 2.0 * v, 2.0 * u + 4.0 * y * v

    def _hess(self, x, y):
        u, v = x * x + y - 11.0, x + y * y - 7.0
        return 4.0 * u + 8.0 * x * x + 2.0, 4.0 * (x + y), 4.0 * v + 8.0 * y * y + 2.0


class Booth(Landscape):
    r"""Booth's function :math:`(x + 2y - 7)^2 + (2x + y - 5)^2`, a tilted bowl.

    A convex quadratic with minimum ``f = 0`` at ``(1, 3)`` and constant Hessian
    ``[[10, 8], [8, 10]]`` (condition number 9).

    Example:
        >>> import gdcore as gd
        >>> gd.Booth()([1.0, 3.0]), gd.Booth().hessian([0.0, 0.0]).tolist()
        (0.0, [[10.0, 8.0], [8.0, 10.0]])
    """

    _float_formulas = True
    name = "Booth"
    formula = r"f(x, y) = (x + 2y - 7)^2 + (2x + y - 5)^2"
    domain: Domain = ((-10.0, 10.0), (-10.0, 10.0))
    minima = np.array([[1.0, 3.0]])
    _critical_points = _critical(minima=minima)

    def _value(self, x, y):
        return (x + 2.0 * y - 7.0) ** 2 + (2.0 * x + y - 5.0) ** 2

    def _grad(self, x, y):
        u, v = x + 2.0 * y - 7.0, 2.0 * x + y - 5.0
        return 2.0 * u + 4.0 * v, 4.0 * u + 2.0 * v

    def _hess(self, x, y):
        return 10.0, 8.0, 10.0


class Saddle(Landscape):
    r"""The saddle :math:`f(x, y) = x^2 - y^2`: a critical point that is not a minimum.

    The gradient vanishes at the origin, but the Hessian ``diag(2, -2)`` has one positive
    and one negative eigenvalue. There is no minimum (``minima`` is empty; the function is
    unbounded below); ``saddle_points`` holds the origin.

    Example:
        >>> import gdcore as gd
        >>> f = gd.Saddle()
        >>> f.grad([0.0, 0.0]).tolist(), f.minima.shape
        ([0.0, 0.0], (0, 2))
    """

    _float_formulas = True
    name = "saddle"
    formula = r"f(x, y) = x^2 - y^2"
    domain: Domain = ((-2.0, 2.0), (-2.0, 2.0))
    saddle_points = np.array([[0.0, 0.0]])
    _critical_points = _critical(saddles=saddle_points)

    def _value(self, x, y):
        return x * x - y * y

    def _grad(self, x, y):
        return 2.0 * x, -2.0 * y

    def _hess(self, x, y):
        return 2.0, 0.0, -2.0


class Rastrigin(Landscape):
    r"""Rastrigin's function :math:`2A + \sum_i \left(x_i^2 - A\cos(2\pi x_i)\right)`.

    A bowl covered in a regular grid of local minima (one near every integer point); the
    global minimum ``f = 0`` is at the origin.

    Args:
        A: height of the ripples, ``> 0`` (default 10).

    Example:
        >>> import gdcore as gd
        >>> gd.Rastrigin()([0.0, 0.0])
        0.0
    """

    _float_formulas = True
    name = "Rastrigin"
    domain: Domain = ((-5.12, 5.12), (-5.12, 5.12))
    minima = np.array([[0.0, 0.0]])

    def __init__(self, A: float = 10.0) -> None:
        self.A = check_positive("A", A)
        self.formula = (
            rf"f(x, y) = {2 * self.A:g} + x^2 - {self.A:g}\cos(2\pi x) + y^2"
            rf" - {self.A:g}\cos(2\pi y)"
        )

    def _params(self) -> dict[str, float]:
        return {"A": self.A}

    def _value(self, x, y):
        w = 2.0 * np.pi
        return 2.0 * self.A + x * x - self.A * np.cos(w * x) + y * y - self.A * np.cos(w * y)

    def _grad(self, x, y):
        w = 2.0 * np.pi
        return 2.0 * x + self.A * w * np.sin(w * x), 2.0 * y + self.A * w * np.sin(w * y)

    def _hess(self, x, y):
        w = 2.0 * np.pi
        return (
            2.0 + self.A * w * w * np.cos(w * x),
            0.0,
            2.0 + self.A * w * w * np.cos(w * y),
        )


class Ackley(Landscape):
    r"""Ackley's function: a nearly flat, bumpy plateau with a deep hole at the origin.

    .. math::
        f(x, y) = -a\, e^{-b\sqrt{(x^2 + y^2)/2}} - e^{(\cos cx + \cos cy)/2} + a + e

    with ``a = 20``, ``b = 0.2``, ``c = 2 pi``. The global minimum ``f = 0`` is at the
    origin, where ``f`` has a cone tip and is *not differentiable*: there ``grad`` returns
    ``[0, 0]`` (a valid subgradient) and ``hessian`` returns the Hessian of the smooth
    cosine part only (the cone's curvature is infinite).

    Example:
        >>> import gdcore as gd
        >>> abs(gd.Ackley()([0.0, 0.0])) < 1e-12
        True
    """

    _float_formulas = True
    name = "Ackley"
    domain: Domain = ((-5.0, 5.0), (-5.0, 5.0))
    minima = np.array([[0.0, 0.0]])

    def __init__(self, a: float = 20.0, b: float = 0.2, c: float = 2.0 * math.pi) -> None:
        self.a = check_positive("a", a)
        self.b = check_positive("b", b)
        self.c = check_positive("c", c)
        self.formula = (
            rf"f(x, y) = -{self.a:g}\, e^{{-{self.b:g}\sqrt{{(x^2 + y^2)/2}}}}"
            r" - e^{(\cos cx + \cos cy)/2} + " + rf"{self.a:g} + e,\quad c = {self.c:.4g}"
        )

    def _params(self) -> dict[str, float]:
        return {"a": self.a, "b": self.b, "c": self.c}

    def _value(self, x, y):
        r = np.sqrt(0.5 * (x * x + y * y))
        cosine = np.exp(0.5 * (np.cos(self.c * x) + np.cos(self.c * y)))
        return -self.a * np.exp(-self.b * r) - cosine + self.a + math.e

    def _cone_factor(self, x, y):
        # d(cone)/dx = k * x with k = a b exp(-b r) / (2 r); k is infinite at r = 0, where
        # we use 0 (the subgradient 0 of the cone tip).
        r = np.sqrt(0.5 * (x * x + y * y))
        safe = np.where(r > 0, r, 1.0)
        k = np.where(r > 0, self.a * self.b * np.exp(-self.b * safe) / (2.0 * safe), 0.0)
        dk = np.where(
            r > 0,
            -self.a * self.b * np.exp(-self.b * safe) * (self.b * safe + 1.0) / (2.0 * safe**2),
            0.0,
        )
        return k, dk, safe, r > 0

    def _grad(self, x, y):
        k, _, _, _ = self._cone_factor(x, y)
        e = np.exp(0.5 * (np.cos(self.c * x) + np.cos(self.c * y)))
        half_c = 0.5 * self.c
        return k * x + half_c * e * np.sin(self.c * x), k * y + half_c * e * np.sin(self.c * y)

    def _hess(self, x, y):
        k, dk, r, nonzero = self._cone_factor(x, y)
        # cone part: H_ij = k delta_ij + k'(r) x_i x_j / (2 r)
        s = np.where(nonzero, dk / (2.0 * r), 0.0)
        c = self.c
        e = np.exp(0.5 * (np.cos(c * x) + np.cos(c * y)))
        sx, sy = np.sin(c * x), np.sin(c * y)
        hxx = k + s * x * x + 0.5 * c * c * e * (np.cos(c * x) - 0.5 * sx * sx)
        hyy = k + s * y * y + 0.5 * c * c * e * (np.cos(c * y) - 0.5 * sy * sy)
        hxy = s * x * y - 0.25 * c * c * e * sx * sy
        return hxx, hxy, hyy


_ST_ROOT = -2.903534027771177  # the smallest root of 4t^3 - 32t + 5 = 0
_ST_MAX = 0.1567312567803401  # the middle root: a maximum of each coordinate's term
_ST_LOCAL = 2.7468027709908367  # the largest root: the other minimum of each term


class StyblinskiTang(Landscape):
    r"""Styblinski–Tang :math:`\tfrac12 \sum_i (x_i^4 - 16 x_i^2 + 5 x_i)`: four basins.

    The global minimum ``f ≈ -78.332`` is at ``x = y ≈ -2.903534``; the three other basins
    hold local minima that trap gradient descent started on the wrong side.

    Example:
        >>> import gdcore as gd
        >>> f = gd.StyblinskiTang()
        >>> round(f.min_value, 3)
        -78.332
    """

    _float_formulas = True
    name = "Styblinski–Tang"
    formula = r"f(x, y) = \tfrac{1}{2}\left(x^4 - 16x^2 + 5x + y^4 - 16y^2 + 5y\right)"
    domain: Domain = ((-5.0, 5.0), (-5.0, 5.0))
    minima = np.array([[_ST_ROOT, _ST_ROOT]])
    # One quartic per coordinate, whose derivative 2t^3 - 16t + 2.5 has three roots (two
    # minima, one maximum): the critical points pair them up, min x min (minima), min x max
    # (saddles) and max x max (the maximum).
    _critical_points = _critical(
        minima=[[a, b] for a in (_ST_ROOT, _ST_LOCAL) for b in (_ST_ROOT, _ST_LOCAL)],
        saddles=[[_ST_ROOT, _ST_MAX], [_ST_MAX, _ST_ROOT], [_ST_LOCAL, _ST_MAX],
                 [_ST_MAX, _ST_LOCAL]],
        maxima=[[_ST_MAX, _ST_MAX]],
    )

    def _value(self, x, y):
        return 0.5 * (x**4 - 16.0 * x * x + 5.0 * x + y**4 - 16.0 * y * y + 5.0 * y)

    def _grad(self, x, y):
        return 2.0 * x**3 - 16.0 * x + 2.5, 2.0 * y**3 - 16.0 * y + 2.5

    def _hess(self, x, y):
        return 6.0 * x * x - 16.0, 0.0, 6.0 * y * y - 16.0


class SixHumpCamel(Landscape):
    r"""The six-hump camel :math:`(4 - 2.1x^2 + x^4/3)x^2 + xy + (-4 + 4y^2)y^2`.

    Six local minima, two of them global (``f ≈ -1.0316`` at ``≈ (0.0898, -0.7126)`` and
    ``(-0.0898, 0.7126)``), mirror images of each other.

    Example:
        >>> import gdcore as gd
        >>> f = gd.SixHumpCamel()
        >>> f.minima.shape, round(f.min_value, 4)
        ((2, 2), -1.0316)
    """

    _float_formulas = True
    name = "six-hump camel"
    formula = r"f(x, y) = \left(4 - 2.1x^2 + \tfrac{x^4}{3}\right)x^2 + xy + (-4 + 4y^2)\,y^2"
    domain: Domain = ((-2.0, 2.0), (-1.2, 1.2))
    minima = np.array(
        [
            [0.08984201310031807, -0.7126564030207396],
            [-0.08984201310031807, 0.7126564030207396],
        ]
    )
    # f(-x, -y) = f(x, y): the critical points come in mirror pairs, plus the origin.
    _critical_points = _critical(
        minima=[s * np.array(p) for p in ([0.08984201310031807, -0.7126564030207396],
                                          [1.7036067149699812, -0.7960835686726251],
                                          [1.6071047529201976, 0.5686514548841313])
                for s in (1.0, -1.0)],
        saddles=[[0.0, 0.0]] + [s * np.array(p) for p in (
            [1.1092053368047863, -0.7682680925095398],
            [1.2960702671671092, 0.6050843880386585],
            [1.6380679841897785, 0.22867406904439405]) for s in (1.0, -1.0)],
        maxima=[[1.2302298765166526, 0.16233458445899498],
                [-1.2302298765166526, -0.16233458445899498]],
    )

    def _value(self, x, y):
        x2, y2 = x * x, y * y
        return (4.0 - 2.1 * x2 + x2 * x2 / 3.0) * x2 + x * y + (-4.0 + 4.0 * y2) * y2

    def _grad(self, x, y):
        return 8.0 * x - 8.4 * x**3 + 2.0 * x**5 + y, x - 8.0 * y + 16.0 * y**3

    def _hess(self, x, y):
        x2 = x * x
        return 8.0 - 25.2 * x2 + 10.0 * x2 * x2, 1.0, -8.0 + 48.0 * y * y


#: The registry for menus: key -> a landscape with default parameters.
landscapes: dict[str, Landscape] = {
    "bowl": Bowl(),
    "ill-conditioned": IllConditionedQuadratic(),
    "rosenbrock": Rosenbrock(),
    "beale": Beale(),
    "himmelblau": Himmelblau(),
    "booth": Booth(),
    "saddle": Saddle(),
    "rastrigin": Rastrigin(),
    "ackley": Ackley(),
    "styblinski-tang": StyblinskiTang(),
    "six-hump-camel": SixHumpCamel(),
}


def get_landscape(name: str, **kwargs: Any) -> Landscape:
    """The landscape registered under ``name``; keyword arguments build a fresh one.

    ``name`` may be a registry key (``"six-hump-camel"``), the landscape's ``name``
    (``"six-hump camel"``, ``"Styblinski–Tang"``) or its class name (``"SixHumpCamel"``),
    in any case and with spaces, ``-`` or ``_`` anywhere. An unknown name is a
    ``KeyError`` (also a ``ValueError``) listing the registry keys.

    Example:
        >>> import gdcore as gd
        >>> gd.get_landscape("Rosenbrock") is gd.landscapes["rosenbrock"]
        True
        >>> gd.get_landscape("rosenbrock", b=10)
        Rosenbrock(a=1, b=10)
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be a string, got {name!r}")
    key = _LANDSCAPE_KEYS.get(name_key(name))
    if key is None:
        raise UnknownName("landscape", name, list(landscapes))
    if not kwargs:
        return landscapes[key]
    return type(landscapes[key])(**kwargs)


#: Every way to name a registered landscape (key, ``name``, class name) -> its key.
_LANDSCAPE_KEYS: dict[str, str] = {
    name_key(alias): key
    for key, f in landscapes.items()
    for alias in (type(f).__name__, f.name, key)
}


#: The most grid points per axis :func:`grid` evaluates (16 million points).
MAX_GRID = 4000


def grid(
    f: Any, n: int = 200, domain: Any = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Evaluate ``f`` on an ``n x n`` grid over its domain, for contour and surface plots.

    Returns ``X, Y, Z`` of shape ``(n, n)`` (as from ``np.meshgrid``), with
    ``Z[i, j] = f([X[i, j], Y[i, j]])``, computed in one vectorized call when ``f``
    accepts stacked points (every landscape does) and point by point otherwise.

    Args:
        f: a 2-D objective (callable on points ``[x, y]``).
        n: points per axis, ``>= 2`` (default 200).
        domain: ``((xmin, xmax), (ymin, ymax))``; default ``f.domain``.

    Example:
        >>> import gdcore as gd
        >>> X, Y, Z = gd.grid(gd.landscapes["bowl"], n=3)
        >>> Z.tolist()
        [[8.0, 4.0, 8.0], [4.0, 0.0, 4.0], [8.0, 4.0, 8.0]]
    """
    n = check_int("n", n, minimum=2)
    if n > MAX_GRID:
        raise ValueError(f"n must be <= {MAX_GRID:,} points per axis (the grid holds n * n "
                         f"points), got {n:,}")
    if domain is None:
        domain = getattr(f, "domain", None)
        if domain is None:
            raise ValueError("domain must be given when f has no .domain attribute")
    try:
        (x0, x1), (y0, y1) = domain
    except (TypeError, ValueError):
        raise ValueError(
            f"domain must be ((xmin, xmax), (ymin, ymax)), got {domain!r}"
        ) from None
    x0, x1 = check_number("domain xmin", x0), check_number("domain xmax", x1)
    y0, y1 = check_number("domain ymin", y0), check_number("domain ymax", y1)
    if not (x0 < x1 and y0 < y1):
        raise ValueError(f"domain must have xmin < xmax and ymin < ymax, got {domain!r}")
    X, Y = np.meshgrid(np.linspace(x0, x1, n), np.linspace(y0, y1, n))
    points = np.stack([X, Y], axis=-1)
    if getattr(f, "vectorized", False):
        Z = np.asarray(f(points), dtype=float)
    else:
        Z = np.array([float(f(p)) for p in points.reshape(-1, 2)]).reshape(n, n)
    return X, Y, Z
