"""Input checks shared by every public function of gdcore.

Each helper raises a ``ValueError`` (or ``TypeError``) whose message names the parameter,
says what was wrong and what is allowed, so that a reader who mistypes a hyperparameter in
a cell learns what to change.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)


def check_number(name: str, value: Any) -> float:
    """Return ``value`` as a float, or raise ``TypeError`` naming ``name``."""
    if not _is_number(value):
        raise TypeError(f"{name} must be a real number, got {value!r} ({type(value).__name__})")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return value


def check_positive(name: str, value: Any) -> float:
    """A finite number > 0 (a learning rate, a step size)."""
    value = check_number(name, value)
    if value <= 0:
        raise ValueError(f"{name} must be > 0, got {value!r}")
    return value


def check_nonnegative(name: str, value: Any) -> float:
    """A finite number >= 0 (eps, weight decay, momentum)."""
    value = check_number(name, value)
    if value < 0:
        raise ValueError(f"{name} must be >= 0, got {value!r}")
    return value


def check_in_range(
    name: str, value: Any, low: float, high: float, *, low_open: bool = False,
    high_open: bool = True,
) -> float:
    """A finite number in the interval from ``low`` to ``high`` (open ends as flagged)."""
    value = check_number(name, value)
    too_low = value <= low if low_open else value < low
    too_high = value >= high if high_open else value > high
    if too_low or too_high:
        left = "(" if low_open else "["
        right = ")" if high_open else "]"
        raise ValueError(f"{name} must be in {left}{low:g}, {high:g}{right}, got {value!r}")
    return value


def check_int(name: str, value: Any, *, minimum: int = 0) -> int:
    """A whole number >= ``minimum`` (a step count, a batch size, a seed)."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be a whole number, got {value!r} ({type(value).__name__})")
    value = int(value)
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value!r}")
    return value


def as_point(name: str, value: Any, *, dim: int | None = None) -> np.ndarray:
    """A finite 1-D float array (a scalar becomes shape ``(1,)``), a fresh copy."""
    try:
        arr = np.array(value, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(
            f"{name} must be a number or a sequence of numbers, got {value!r}"
        ) from None
    if arr.ndim == 0:
        arr = arr.reshape(1)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D point, got an array of shape {arr.shape}")
    if dim is not None and arr.shape[0] != dim:
        raise ValueError(f"{name} must have {dim} coordinates, got {arr.shape[0]}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite, got {arr!r}")
    return arr


def check_same_shape(name: str, value: Any, like: np.ndarray) -> np.ndarray:
    """``value`` as a float array of exactly ``like``'s shape (a gradient for a point)."""
    arr = np.asarray(value, dtype=float)
    if arr.shape != like.shape:
        raise ValueError(
            f"{name} must have the shape of the parameters {like.shape}, got {arr.shape}"
        )
    return arr
