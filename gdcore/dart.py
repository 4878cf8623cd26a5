r"""The dart thrower: a one-parameter loss with two exact solutions.

A machine throws a dart from height :math:`h_0` at speed :math:`v` toward a board at
distance :math:`d`; with gravity :math:`g` (9.8 m/s²) and no air resistance the dart
reaches the board after :math:`d / (v\cos\theta)` seconds, at height

.. math::
    \hat y(\theta) = h_0 + d\tan\theta - \frac{g}{2}\left(\frac{d}{v\cos\theta}\right)^2 .

The loss of the launch angle :math:`\theta` (radians) is
:math:`f(\theta) = \tfrac12\,(\hat y(\theta) - y)^2` for a bullseye at height :math:`y`
(the course's symbols: :math:`\hat y` the prediction, :math:`y` the target).

>>> import gdcore as gd
>>> dart = gd.DartLoss()
>>> gd.rad2deg(dart.solutions()).round(3).tolist()
[39.261, 50.739]
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from gdcore._checks import check_in_range, check_number
from gdcore.landscape import CriticalPoints, _critical

__all__ = ["DartLoss", "deg2rad", "rad2deg"]

_F64 = np.dtype(float)

#: Physical range of the lengths, speeds and accelerations (SI units): wide enough for any
#: throw, narrow enough that the formulas never overflow or divide by zero.
_LOW, _HIGH = 1e-6, 1e6


def _check_size(name: str, value: Any, unit: str) -> float:
    """A number in ``[1e-6, 1e6]`` (a speed, a distance, gravity), with a clear message."""
    value = check_number(name, value)
    if value <= 0:
        raise ValueError(f"{name} must be > 0, got {value!r}")
    if not _LOW <= value <= _HIGH:
        raise ValueError(
            f"{name} must be between {_LOW:g} and {_HIGH:g} {unit} (a physical throw), "
            f"got {value!r}"
        )
    return value


def _as_angles(name: str, value: Any) -> np.ndarray:
    try:
        if value is None:
            raise TypeError
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a number or an array of numbers, got {value!r}") from None
    return arr


def deg2rad(degrees: Any) -> Any:
    """Degrees to radians: a float for a number, an array for an array.

    Example:
        >>> import gdcore as gd
        >>> round(gd.deg2rad(180), 6)
        3.141593
    """
    out = np.deg2rad(_as_angles("degrees", degrees))
    return float(out) if out.ndim == 0 else out


def rad2deg(radians: Any) -> Any:
    """Radians to degrees: a float for a number, an array for an array.

    Example:
        >>> import gdcore as gd
        >>> gd.rad2deg(gd.deg2rad(45.0))
        45.0
    """
    out = np.rad2deg(_as_angles("radians", radians))
    return float(out) if out.ndim == 0 else out


class DartLoss:
    r"""Loss of the launch angle: :math:`f(\theta) = \tfrac12 (\hat y(\theta) - y)^2`.

    With :math:`u = \tan\theta` and :math:`k = g d^2 / (2 v^2)` the height at the board is
    :math:`\hat y = h_0 + d\,u - k\,(1 + u^2)`, so

    * :math:`f'(\theta) = (\hat y - y)\, \hat y'`, with
      :math:`\hat y' = \sec^2\theta\,(d - 2ku)`;
    * :math:`f''(\theta) = \hat y'^2 + (\hat y - y)\, \hat y''`, with
      :math:`\hat y'' = 2\sec^2\theta\,\left(u\,(d - 2ku) - k\sec^2\theta\right)`;
    * the loss is zero where :math:`k u^2 - d u + (y - h_0 + k) = 0`, a quadratic in
      :math:`u` whose two roots are the two exact angles (:meth:`solutions`).

    The formula repeats itself every :math:`\pi` radians (:math:`\tan` does), but only
    angles in :math:`(-\pi/2, \pi/2)` are throws toward the board: an optimizer that
    leaves that interval is not exploring new throws, so keep it inside (``domain``).

    The object follows gdcore's objective protocol in one dimension, so ``gd.minimize``
    and every optimizer work on it. Shapes:

    * a number ``theta`` gives floats for the loss, ``grad`` and ``hessian``;
    * a point of shape ``(1,)`` gives a float loss, a ``(1,)`` gradient and a ``(1, 1)``
      Hessian (the protocol);
    * stacked points ``(..., 1)`` give ``(...)``, ``(..., 1)`` and ``(..., 1, 1)``;
    * any other array (say 500 angles of shape ``(500,)`` for a plot) is taken
      elementwise: loss, derivative and second derivative all have its shape.

    Args:
        speed: launch speed in m/s, in ``[1e-6, 1e6]`` (default 10).
        distance: horizontal distance to the board in m, in ``[1e-6, 1e6]`` (default 10).
        launch_height: height of the launcher in m, ``|h0| <= 1e6`` (default 1).
        target_height: height of the bullseye in m, ``|y*| <= 1e6`` (default 1).
        g: gravitational acceleration in m/s², in ``[1e-6, 1e6]`` (default 9.8).

    The ranges keep every formula inside the float range; a bullseye that no angle reaches
    is allowed (the loss is still defined), and :meth:`solutions` says so.

    Attributes:
        domain: ``(-pi/2, pi/2)``, the angles that reach the board.
        minima: the exact solutions as an array of shape ``(k, 1)``.

    Example:
        >>> import gdcore as gd
        >>> dart = gd.DartLoss()
        >>> theta = dart.solutions()[0]
        >>> round(dart.height(theta), 12), round(dart.flight_time(theta), 4)
        (1.0, 1.2915)
    """

    name = "dart"
    formula = (
        r"f(\theta) = \tfrac{1}{2}\left(h_0 + d\tan\theta"
        r" - \tfrac{g}{2}\left(\tfrac{d}{v\cos\theta}\right)^2 - y\right)^2"
    )
    domain = (-math.pi / 2, math.pi / 2)
    #: Default angles for plots (15° to 65°): the loss explodes toward ±90°.
    plot_domain = (math.radians(15.0), math.radians(65.0))
    log_levels = False
    vectorized = True

    def __init__(
        self,
        speed: float = 10.0,
        distance: float = 10.0,
        launch_height: float = 1.0,
        target_height: float = 1.0,
        g: float = 9.8,
    ) -> None:
        self.speed = _check_size("speed", speed, "m/s")
        self.distance = _check_size("distance", distance, "m")
        self.launch_height = check_in_range("launch_height", launch_height, -_HIGH, _HIGH,
                                            high_open=False)
        self.target_height = check_in_range("target_height", target_height, -_HIGH, _HIGH,
                                            high_open=False)
        self.g = _check_size("g", g, "m/s²")
        #: k = g d^2 / (2 v^2): the drop at the board for a horizontal throw, in metres.
        self.k = self.g * self.distance**2 / (2.0 * self.speed**2)

    def __repr__(self) -> str:
        return (
            f"DartLoss(speed={self.speed:g}, distance={self.distance:g}, "
            f"launch_height={self.launch_height:g}, target_height={self.target_height:g}, "
            f"g={self.g:g})"
        )

    # -- physics ------------------------------------------------------------------------------
    def height(self, theta: Any) -> Any:
        """Height of the dart when it reaches the board (m), for angle(s) ``theta`` (rad).

        Example:
            >>> import gdcore as gd
            >>> round(gd.DartLoss().height(0.0), 6)   # a flat throw drops k = 4.9 m
            -3.9
        """
        t = _as_angles("theta", theta)
        with np.errstate(all="ignore"):
            tan = np.tan(t)
            out = self.launch_height + self.distance * tan - self.k * (1.0 + tan * tan)
        return float(out) if out.ndim == 0 else out

    def flight_time(self, theta: Any) -> Any:
        """Seconds until the dart reaches the board: ``d / (v cos theta)``.

        Example:
            >>> import gdcore as gd
            >>> round(gd.DartLoss().flight_time(0.0), 6)
            1.0
        """
        t = _as_angles("theta", theta)
        with np.errstate(all="ignore"):
            out = self.distance / (self.speed * np.cos(t))
        return float(out) if out.ndim == 0 else out

    def max_height(self) -> float:
        """The highest point on the board any angle can reach: ``h0 + d^2/(4k) - k``.

        Example:
            >>> import gdcore as gd
            >>> round(gd.DartLoss().max_height(), 6)
            1.202041
        """
        return self.launch_height + self.distance**2 / (4.0 * self.k) - self.k

    def _discriminant(self) -> tuple[float, float]:
        """``(c, d^2 - 4kc)`` of the quadratic ``k u^2 - d u + c = 0`` for ``u = tan(theta)``."""
        c = self.target_height - self.launch_height + self.k
        return c, self.distance * self.distance - 4.0 * self.k * c

    @property
    def reachable(self) -> bool:
        """Whether some angle hits the bullseye exactly (the bullseye is at most
        :meth:`max_height`; decided by the same discriminant as :meth:`solutions`)."""
        return self._discriminant()[1] >= 0

    def solutions(self) -> np.ndarray:
        r"""Both exact angles (radians, increasing) that hit the bullseye.

        Solves :math:`k u^2 - d u + (y - h_0 + k) = 0` for :math:`u = \tan\theta` with
        the cancellation-free form of the quadratic formula, then takes ``arctan``. Returns
        one angle when the bullseye is exactly the highest reachable point; raises
        ``ValueError`` when it is out of reach.

        Example:
            >>> import gdcore as gd
            >>> a, b = gd.rad2deg(gd.DartLoss().solutions())
            >>> round(float(a + b), 9)    # complementary angles when launcher and target align
            90.0
        """
        k, d = self.k, self.distance
        c, disc = self._discriminant()
        if disc < 0:
            raise ValueError(
                f"target_height={self.target_height:g} m is unreachable: at speed "
                f"{self.speed:g} m/s the dart reaches at most {self.max_height():.6g} m on a "
                f"board {self.distance:g} m away (increase speed or lower target_height)"
            )
        q = 0.5 * (d + math.sqrt(disc))
        roots = sorted({q / k, c / q})
        return np.arctan(np.array(roots, dtype=float))

    def apex(self) -> float:
        r"""The angle of the highest hit on the board, :math:`\arctan(d / 2k)` (radians).

        There :math:`y'(\theta) = 0`; it lies between the two solutions.

        Example:
            >>> import gdcore as gd
            >>> round(gd.rad2deg(gd.DartLoss().apex()), 4)
            45.5787
        """
        return math.atan(self.distance / (2.0 * self.k))

    def stationary_points(self) -> CriticalPoints:
        r"""Every angle in :math:`(-\pi/2, \pi/2)` where :math:`f'(\theta) = 0`, by kind.

        :math:`f' = (\hat y - y)\, \hat y'` vanishes where the dart hits the bullseye
        (:math:`\hat y = y`: the two exact solutions, minima with :math:`f = 0`) and where
        it hits highest (:math:`\hat y' = 0`, at :meth:`apex`, between them). The apex is a
        local maximum of the loss while the bullseye is below the highest reachable point;
        when the bullseye is out of reach it is the only stationary point, a minimum with
        :math:`f > 0` (the closest miss); when the bullseye is exactly the highest point
        the three merge into one minimum. Angles are exact (closed form) and in radians,
        as arrays of shape ``(k, 1)``; ``saddles`` is always empty in one dimension.

        Example:
            >>> import gdcore as gd
            >>> sp = gd.DartLoss().stationary_points()
            >>> gd.rad2deg(sp.minima.ravel()).round(3).tolist(), gd.rad2deg(sp.maxima).round(3)
            ([39.261, 50.739], array([[45.579]]))
            >>> gd.DartLoss(speed=5.0).stationary_points().maxima.shape   # out of reach
            (0, 1)
        """
        apex = self.apex()
        if not self.reachable:
            return _critical(1, minima=[apex])
        solutions = self.solutions()
        if len(solutions) == 1 or not solutions[0] < apex < solutions[1]:
            return _critical(1, minima=solutions[:1])
        return _critical(1, minima=solutions, maxima=[apex])

    def critical_points(self) -> CriticalPoints:
        """The same as :meth:`stationary_points` (the name the 2-D landscapes use).

        Example:
            >>> import gdcore as gd
            >>> len(gd.DartLoss().critical_points().minima)
            2
        """
        return self.stationary_points()

    @property
    def minima(self) -> np.ndarray:
        """The exact solutions as points, shape ``(k, 1)`` (empty when unreachable)."""
        if not self.reachable:
            return np.empty((0, 1))
        return self.solutions().reshape(-1, 1)

    # -- the objective protocol ----------------------------------------------------------
    def _split(self, theta: Any) -> tuple[np.ndarray, str]:
        t = _as_angles("theta", theta)
        if t.ndim == 0:
            return t, "scalar"
        if t.shape[-1] == 1:
            return t[..., 0], "points"
        return t, "elementwise"

    def _parts(self, tan: Any) -> tuple[Any, Any, Any]:
        """``sec^2``, ``y_hat - y`` and ``y_hat'`` from ``tan(theta)`` (floats or arrays)."""
        sec2 = 1.0 + tan * tan
        r = self.launch_height + self.distance * tan - self.k * sec2 - self.target_height
        dy = sec2 * (self.distance - 2.0 * self.k * tan)
        return sec2, r, dy

    @staticmethod
    def _one_tan(theta: Any) -> float | None:
        """``tan(theta)`` as a Python float when ``theta`` is one finite angle, else ``None``.

        Speed plumbing for ``gd.minimize``, which calls the loss and the gradient on a
        ``(1,)`` point at every step: ``math.tan`` on a float costs far less than numpy on a
        tiny array and gives the same number (both use the C library's ``tan``), and the
        rest of the formula is the same float arithmetic in the same order.
        """
        if isinstance(theta, float):
            t = float(theta)
        elif type(theta) is np.ndarray and theta.shape == (1,) and theta.dtype == _F64:
            t = theta.item()
        else:
            return None
        return math.tan(t) if math.isfinite(t) else None

    def __call__(self, theta: Any) -> Any:
        """The loss; a float for a number or a ``(1,)`` point (see the class for shapes)."""
        tan = self._one_tan(theta)
        if tan is not None:
            r = self._parts(tan)[1]
            return 0.5 * r * r
        t, kind = self._split(theta)
        with np.errstate(all="ignore"):
            _, r, _ = self._parts(np.tan(t))
            out = 0.5 * r * r
        return float(out) if np.ndim(out) == 0 else out

    def grad(self, theta: Any) -> Any:
        """Exact derivative ``f'(theta) = (y_hat - y) y_hat'(theta)``, shaped like ``theta``."""
        tan = self._one_tan(theta)
        if tan is not None:
            _, r, dy = self._parts(tan)
            return r * dy if isinstance(theta, float) else np.array([r * dy])
        t, kind = self._split(theta)
        with np.errstate(all="ignore"):
            _, r, dy = self._parts(np.tan(t))
            out = r * dy
        if kind == "scalar":
            return float(out)
        if kind == "points":
            return np.asarray(out, dtype=float)[..., None]
        return out

    def _loss_and_grad(self, theta: Any) -> tuple[float, np.ndarray] | None:
        """``(self(theta), self.grad(theta))`` for one ``(1,)`` point, else ``None``.

        Speed plumbing for ``gd.minimize``: one ``tan`` and one call per step.
        """
        tan = None if isinstance(theta, float) else self._one_tan(theta)
        if tan is None:
            return None
        _, r, dy = self._parts(tan)
        return 0.5 * r * r, np.array([r * dy])

    def hessian(self, theta: Any) -> Any:
        """Exact second derivative ``f'' = y_hat'^2 + (y_hat - y) y_hat''``.

        Shape ``(1, 1)`` for a ``(1,)`` point, ``(..., 1, 1)`` for stacked points, a float
        for a number and elementwise otherwise.
        """
        t, kind = self._split(theta)
        with np.errstate(all="ignore"):
            tan = np.tan(t)
            sec2, r, dy = self._parts(tan)
            d2y = 2.0 * sec2 * (tan * (self.distance - 2.0 * self.k * tan) - self.k * sec2)
            out = dy * dy + r * d2y
        if kind == "scalar":
            return float(out)
        if kind == "points":
            return np.asarray(out, dtype=float)[..., None, None]
        return out
