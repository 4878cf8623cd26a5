"""Small, seeded synthetic data sets for the training examples.

Every generator takes a ``seed`` and returns the same numbers for the same seed, in
CPython and in the browser.

>>> import gdcore as gd
>>> X, y, w, b = gd.make_regression(n_samples=50, seed=0)
>>> X.shape, y.shape, w.shape
((50, 1), (50,), (1,))
"""

from __future__ import annotations

from typing import Any

import numpy as np

from gdcore._checks import check_in_range, check_int, check_nonnegative, check_positive

__all__ = [
    "make_regression",
    "make_classification",
    "make_moons",
    "make_circles",
    "make_spirals",
    "train_test_split",
    "standardize",
]

#: The most numbers a generator makes at once (``n_samples x n_features``): 160 MB.
MAX_NUMBERS = 20_000_000


def _check_shape(n: int, p: int) -> None:
    if p > MAX_NUMBERS:
        raise ValueError(f"n_features must be <= {MAX_NUMBERS:,}, got {p:,}")
    if n * p > MAX_NUMBERS:
        raise ValueError(
            f"n_samples must be <= {MAX_NUMBERS // p:,} for {p} feature(s) (the data set "
            f"would hold {n * p:,} numbers), got {n:,}"
        )


def make_regression(
    n_samples: int = 100,
    n_features: int = 1,
    noise: float = 0.5,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    r"""A linear-regression data set :math:`y = Xw + b + \varepsilon`.

    Inputs ``X`` are standard normal, true weights ``w`` and bias ``b`` are drawn uniformly
    from ``[-3, 3]``, and the noise :math:`\varepsilon` is normal with standard deviation
    ``noise``.

    Args:
        n_samples: number of rows, ``>= 1``.
        n_features: number of input features, ``>= 1``.
        noise: noise standard deviation, ``>= 0``.
        seed: random seed.

    Returns:
        ``(X, y, true_w, true_b)`` with shapes ``(n, p)``, ``(n,)``, ``(p,)`` and a float.

    Example:
        >>> import gdcore as gd
        >>> X, y, w, b = gd.make_regression(n_samples=200, n_features=3, noise=0.0, seed=1)
        >>> bool(abs(y - (X @ w + b)).max() < 1e-12)
        True
    """
    n = check_int("n_samples", n_samples, minimum=1)
    p = check_int("n_features", n_features, minimum=1)
    _check_shape(n, p)
    noise = check_nonnegative("noise", noise)
    rng = np.random.default_rng(check_int("seed", seed))
    true_w = rng.uniform(-3.0, 3.0, size=p)
    true_b = float(rng.uniform(-3.0, 3.0))
    X = rng.standard_normal((n, p))
    y = X @ true_w + true_b + noise * rng.standard_normal(n)
    return X, y, true_w, true_b


def make_classification(
    n_samples: int = 200,
    n_classes: int = 2,
    n_features: int = 2,
    separation: float = 3.0,
    spread: float = 1.0,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Gaussian blobs, one per class, for logistic or softmax regression.

    Class centres lie at distance ``separation / 2`` from the origin (on a circle in the
    first two features, evenly spaced), so neighbouring classes are about ``separation``
    apart for two classes; points scatter around them with standard deviation ``spread``.
    Classes are balanced (sizes differ by at most one) and rows are shuffled.

    Args:
        n_samples: number of rows, ``>= n_classes``.
        n_classes: number of classes, ``>= 2``.
        n_features: number of features, ``>= 2``.
        separation: distance scale between class centres, ``> 0``.
        spread: standard deviation around each centre, ``> 0``.
        seed: random seed.

    Returns:
        ``(X, y)``: ``X`` of shape ``(n, p)``, integer labels ``y`` in ``0 .. k-1``.

    Example:
        >>> import gdcore as gd
        >>> X, y = gd.make_classification(n_samples=90, n_classes=3, seed=0)
        >>> X.shape, sorted(set(y.tolist())), int((y == 0).sum())
        ((90, 2), [0, 1, 2], 30)
    """
    n = check_int("n_samples", n_samples, minimum=1)
    k = check_int("n_classes", n_classes, minimum=2)
    if n < k:
        raise ValueError(f"n_samples must be >= n_classes ({k}), got {n}")
    p = check_int("n_features", n_features, minimum=2)
    _check_shape(n, p)
    separation = check_positive("separation", separation)
    spread = check_positive("spread", spread)
    rng = np.random.default_rng(check_int("seed", seed))
    angles = 2.0 * np.pi * np.arange(k) / k
    centres = np.zeros((k, p))
    centres[:, 0] = np.cos(angles)
    centres[:, 1] = np.sin(angles)
    centres *= separation / 2.0
    y = rng.permutation(np.arange(n) % k)
    X = centres[y] + spread * rng.standard_normal((n, p))
    return X, y.astype(np.int64)


def _labels(n: int, k: int) -> np.ndarray:
    """Sorted balanced labels ``0 .. k-1`` (sizes differ by at most one, the first larger)."""
    return np.sort(np.arange(n) % k).astype(np.int64)


def _angles(y: np.ndarray, stop: float, endpoint: bool) -> np.ndarray:
    """Evenly spaced angles in ``[0, stop]`` within each class of the sorted labels ``y``."""
    return np.concatenate([np.linspace(0.0, stop, int(np.sum(y == c)), endpoint=endpoint)
                           for c in range(int(y.max()) + 1)])


def _shuffled(
    rng: np.random.Generator, X: np.ndarray, y: np.ndarray, noise: float
) -> tuple[np.ndarray, np.ndarray]:
    """Add normal noise of standard deviation ``noise`` to ``X`` and shuffle the rows."""
    X = X + noise * rng.standard_normal(X.shape)
    order = rng.permutation(len(y))
    return X[order], y[order]


def make_moons(
    n_samples: int = 200, noise: float = 0.1, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    r"""Two interleaving half circles: a 2-D binary problem no straight line separates.

    Class 0 lies on the upper half circle :math:`(\cos t, \sin t)` and class 1 on the
    lower one :math:`(1 - \cos t, \tfrac12 - \sin t)`, for :math:`t` evenly spaced in
    :math:`[0, \pi]`; normal noise of standard deviation ``noise`` is added to both
    coordinates (the layout of scikit-learn's ``make_moons``). As in
    :func:`make_classification`, classes are balanced (sizes differ by at most one) and
    rows are shuffled.

    Args:
        n_samples: number of rows, ``>= 2``.
        noise: standard deviation of the noise, ``>= 0``.
        seed: random seed.

    Returns:
        ``(X, y)``: ``X`` of shape ``(n, 2)``, integer labels ``y`` in ``{0, 1}``.

    Example:
        >>> import gdcore as gd
        >>> X, y = gd.make_moons(n_samples=200, noise=0.1, seed=0)
        >>> X.shape, sorted(set(y.tolist())), int((y == 1).sum())
        ((200, 2), [0, 1], 100)
    """
    n = check_int("n_samples", n_samples, minimum=2)
    _check_shape(n, 2)
    noise = check_nonnegative("noise", noise)
    rng = np.random.default_rng(check_int("seed", seed))
    y = _labels(n, 2)
    t = _angles(y, np.pi, endpoint=True)
    upper = np.stack([np.cos(t), np.sin(t)], axis=1)
    lower = np.stack([1.0 - np.cos(t), 0.5 - np.sin(t)], axis=1)
    X = np.where(y[:, None] == 0, upper, lower)
    return _shuffled(rng, X, y, noise)


def make_circles(
    n_samples: int = 200, noise: float = 0.1, factor: float = 0.5, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    r"""A small circle inside a large one: class 1 is surrounded by class 0.

    Class 0 lies on the unit circle and class 1 on the circle of radius ``factor``, at
    evenly spaced angles, with normal noise of standard deviation ``noise`` on both
    coordinates; classes are balanced and rows are shuffled. A linear classifier does
    little better than guessing; adding the feature :math:`x_1^2 + x_2^2` (or using a
    small neural network) separates the classes.

    Args:
        n_samples: number of rows, ``>= 2``.
        noise: standard deviation of the noise, ``>= 0``.
        factor: radius of the inner circle, in ``(0, 1)``.
        seed: random seed.

    Returns:
        ``(X, y)``: ``X`` of shape ``(n, 2)``, integer labels ``y`` in ``{0, 1}``.

    Example:
        >>> import gdcore as gd
        >>> import numpy as np
        >>> X, y = gd.make_circles(n_samples=100, noise=0.0, factor=0.5)
        >>> np.hypot(X[y == 1, 0], X[y == 1, 1]).round(6).max()
        np.float64(0.5)
    """
    n = check_int("n_samples", n_samples, minimum=2)
    _check_shape(n, 2)
    noise = check_nonnegative("noise", noise)
    factor = check_in_range("factor", factor, 0.0, 1.0, low_open=True, high_open=True)
    rng = np.random.default_rng(check_int("seed", seed))
    y = _labels(n, 2)
    t = _angles(y, 2.0 * np.pi, endpoint=False)
    radius = np.where(y == 0, 1.0, factor)
    X = radius[:, None] * np.stack([np.cos(t), np.sin(t)], axis=1)
    return _shuffled(rng, X, y, noise)


def make_spirals(
    n_samples: int = 200, noise: float = 0.05, turns: float = 1.0, n_classes: int = 2,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    r"""Interleaved spiral arms, one per class: a hard non-linear 2-D problem.

    Arm :math:`k` holds the points :math:`r\,(\cos\phi, \sin\phi)` with radius :math:`r`
    evenly spaced in :math:`[0.05, 1]` and angle :math:`\phi = 2\pi (k / K + \text{turns}
    \cdot r)` for :math:`K` classes; normal noise of standard deviation ``noise`` is
    added to both coordinates; classes are balanced and rows are shuffled (the data set of
    CS231n's neural-network case study).

    Args:
        n_samples: number of rows, ``>= n_classes``.
        noise: standard deviation of the noise, ``>= 0``.
        turns: how many times each arm winds around the centre, ``> 0``.
        n_classes: number of arms (classes), ``>= 2``.
        seed: random seed.

    Returns:
        ``(X, y)``: ``X`` of shape ``(n, 2)``, integer labels ``y`` in ``0 .. k-1``.

    Example:
        >>> import gdcore as gd
        >>> X, y = gd.make_spirals(n_samples=300, n_classes=3, seed=0)
        >>> X.shape, sorted(set(y.tolist())), int((y == 2).sum())
        ((300, 2), [0, 1, 2], 100)
    """
    n = check_int("n_samples", n_samples, minimum=1)
    _check_shape(n, 2)
    k = check_int("n_classes", n_classes, minimum=2)
    if n < k:
        raise ValueError(f"n_samples must be >= n_classes ({k}), got {n}")
    noise = check_nonnegative("noise", noise)
    turns = check_positive("turns", turns)
    rng = np.random.default_rng(check_int("seed", seed))
    y = _labels(n, k)
    r = 0.05 + 0.95 * _angles(y, 1.0, endpoint=True)
    phi = 2.0 * np.pi * (y / k + turns * r)
    X = r[:, None] * np.stack([np.cos(phi), np.sin(phi)], axis=1)
    return _shuffled(rng, X, y, noise)


def train_test_split(
    X: Any, y: Any, test_size: float = 0.25, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Shuffle rows and split them into a training and a test part.

    Args:
        X: inputs, shape ``(n, ...)``.
        y: targets, shape ``(n, ...)``.
        test_size: fraction of rows for the test part, in (0, 1).
        seed: random seed of the shuffle.

    Returns:
        ``(X_train, X_test, y_train, y_test)`` (at least one row in each part).

    Example:
        >>> import gdcore as gd
        >>> X, y = gd.make_classification(n_samples=100, seed=0)
        >>> X_tr, X_te, y_tr, y_te = gd.train_test_split(X, y, test_size=0.2)
        >>> X_tr.shape, X_te.shape
        ((80, 2), (20, 2))
    """
    X, y = np.asarray(X), np.asarray(y)
    if X.ndim == 0 or y.ndim == 0 or len(X) != len(y):
        raise ValueError(
            f"X and y must have the same number of rows, got shapes {X.shape} and {y.shape}"
        )
    n = len(X)
    if n < 2:
        raise ValueError(f"X must have at least 2 rows to split, got {n}")
    test_size = check_in_range("test_size", test_size, 0.0, 1.0, low_open=True, high_open=True)
    rng = np.random.default_rng(check_int("seed", seed))
    order = rng.permutation(n)
    n_test = min(max(1, int(round(test_size * n))), n - 1)
    test, train = order[:n_test], order[n_test:]
    return X[train], X[test], y[train], y[test]


def standardize(
    X: Any, mean: Any = None, std: Any = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rescale each column to mean 0 and standard deviation 1: ``(X - mean) / std``.

    Pass the ``mean`` and ``std`` returned for the training data to transform test data
    the same way. Constant columns (std 0) are only centred.

    Returns:
        ``(Z, mean, std)``.

    Example:
        >>> import gdcore as gd
        >>> Z, mean, std = gd.standardize([[1.0, 10.0], [3.0, 30.0]])
        >>> Z.tolist(), mean.tolist(), std.tolist()
        ([[-1.0, -1.0], [1.0, 1.0]], [2.0, 20.0], [1.0, 10.0])
    """
    try:
        X = np.asarray(X, dtype=float)
    except (TypeError, ValueError):
        raise TypeError("X must be an array of numbers") from None
    if X.ndim != 2 or X.shape[0] == 0:
        raise ValueError(f"X must have shape (n_samples, n_features), got {X.shape}")
    if not np.all(np.isfinite(X)):
        raise ValueError("X must be finite")
    if (mean is None) != (std is None):
        raise ValueError("mean and std must be given together (or both left out)")
    if mean is None:
        with np.errstate(over="ignore"):
            mean = X.mean(axis=0)
            std = X.std(axis=0)
        if not (np.all(np.isfinite(mean)) and np.all(np.isfinite(std))):
            raise ValueError("X is too large to standardize: its mean or standard deviation "
                             "overflows; rescale it first (e.g. divide by its largest value)")
        std = np.where(std > 0, std, 1.0)
    else:
        mean = np.asarray(mean, dtype=float)
        std = np.asarray(std, dtype=float)
        p = X.shape[1]
        if mean.shape != (p,) or std.shape != (p,):
            raise ValueError(f"mean and std must have shape ({p},), got {mean.shape}, {std.shape}")
        if not np.all(std > 0):
            raise ValueError("std must be > 0 in every column")
    return (X - mean) / std, mean, std
