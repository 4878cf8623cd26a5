"""Gradient clipping: tame a gradient before the optimizer sees it.

``clip_by_value`` caps every coordinate; ``clip_by_norm`` shrinks the whole vector (keeping
its direction) when it is longer than ``max_norm``. Both return a new array and leave the
input alone. For a batch of gradients of shape ``(m, d)`` each row is clipped separately.

    >>> import numpy as np
    >>> g = np.array([3.0, -4.0])           # length 5
    >>> clip_by_value(g, 1.0)
    array([ 1., -1.])
    >>> clip_by_norm(g, 1.0)                # same direction, length 1
    array([ 0.6, -0.8])
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from gdcore._checks import check_positive
from gdcore.search import _real

__all__ = ["clip_by_value", "clip_by_norm"]


def clip_by_value(grad: Any, limit: float) -> np.ndarray:
    r"""Clip every coordinate into ``[-limit, limit]``: :math:`g_i \mapsto
    \min(\max(g_i, -c), c)`.

    The direction of the gradient can change (coordinates are capped independently).

    Example:
        >>> clip_by_value([0.5, -7.0, 2.0], limit=1.0)
        array([ 0.5, -1. ,  1. ])
    """
    limit = check_positive("limit", limit)
    return _clip_value(_real(grad, "grad must be"), limit)


def clip_by_norm(grad: Any, max_norm: float) -> np.ndarray:
    r"""Rescale the gradient to length ``max_norm`` if it is longer; keep its direction.

    .. math:: g \mapsto g \cdot \min\!\left(1, \frac{c}{\lVert g \rVert_2}\right)

    A 1-D gradient (or a scalar) is one vector; for an array with two or more axes each
    vector along the last axis (each row of an ``(m, d)`` batch) is clipped on its own.

    Example:
        >>> clip_by_norm([[3.0, 4.0], [0.3, 0.4]], max_norm=1.0)
        array([[0.6, 0.8],
               [0.3, 0.4]])
    """
    max_norm = check_positive("max_norm", max_norm)
    return _clip_norm(_real(grad, "grad must be"), max_norm)


def _clip_value(grad: np.ndarray, limit: float) -> np.ndarray:
    return np.clip(grad, -limit, limit)


def _clip_norm(grad: np.ndarray, max_norm: float) -> np.ndarray:
    """``clip_by_norm`` without the argument checks (used inside the loops).

    Norms are computed without overflow (an exploding gradient of size 1e200 still gets
    clipped to the right direction).
    """
    if grad.ndim <= 1:
        norm = math.hypot(*grad.ravel().tolist())
        if norm > max_norm:
            return grad * (max_norm / norm)
        return grad.copy()
    with np.errstate(all="ignore"):
        peak = np.max(np.abs(grad), axis=-1, keepdims=True)
        safe = np.where(peak > 0, peak, 1.0)
        norms = peak * np.sqrt(np.sum((grad / safe) ** 2, axis=-1, keepdims=True))
        scale = np.where(norms > max_norm, max_norm / norms, 1.0)
        return grad * scale
