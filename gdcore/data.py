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

__all__ = ["make_regression", "make_classification", "train_test_split", "standardize"]


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
        mean = X.mean(axis=0)
        std = X.std(axis=0)
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
