"""Synthetic data sets and preprocessing helpers."""

from __future__ import annotations

import numpy as np
import pytest

import gdcore as gd


def test_make_regression():
    X, y, w, b = gd.make_regression(n_samples=300, n_features=3, noise=0.2, seed=4)
    assert X.shape == (300, 3) and y.shape == (300,) and w.shape == (3,)
    assert isinstance(b, float)
    residual = y - (X @ w + b)
    assert 0.15 < residual.std() < 0.25
    again = gd.make_regression(n_samples=300, n_features=3, noise=0.2, seed=4)
    assert np.array_equal(X, again[0]) and np.array_equal(y, again[1])
    other = gd.make_regression(n_samples=300, n_features=3, noise=0.2, seed=5)
    assert not np.array_equal(X, other[0])
    X0, y0, w0, b0 = gd.make_regression(n_samples=10, noise=0.0, seed=0)
    assert np.allclose(y0, X0 @ w0 + b0, atol=1e-14)


def test_make_classification():
    X, y = gd.make_classification(n_samples=301, n_classes=3, n_features=4, seed=1)
    assert X.shape == (301, 4) and y.shape == (301,) and y.dtype == np.int64
    counts = np.bincount(y)
    assert counts.tolist() in ([101, 100, 100],)
    # classes are separated: each class mean is closest to its own centre direction
    means = np.array([X[y == k, :2].mean(axis=0) for k in range(3)])
    assert np.linalg.norm(means[0] - means[1]) > 1.5
    X2, y2 = gd.make_classification(n_samples=100, seed=2)
    assert set(y2.tolist()) == {0, 1}
    assert np.array_equal(X2, gd.make_classification(n_samples=100, seed=2)[0])
    far = gd.make_classification(n_samples=400, separation=12.0, seed=0)
    model = gd.LogisticRegression(n_features=2)
    gd.fit(model, *far, gd.GradientDescent(lr=0.5), epochs=50)
    assert model.accuracy(*far) == 1.0


def test_train_test_split():
    X = np.arange(20.0).reshape(10, 2)
    y = np.arange(10)
    X_tr, X_te, y_tr, y_te = gd.train_test_split(X, y, test_size=0.3, seed=0)
    assert X_tr.shape == (7, 2) and X_te.shape == (3, 2)
    assert sorted(y_tr.tolist() + y_te.tolist()) == list(range(10))
    assert np.array_equal(X_tr[:, 0] / 2, y_tr)  # rows stay paired
    tiny = gd.train_test_split(X[:2], y[:2], test_size=0.01)
    assert len(tiny[1]) == 1 and len(tiny[0]) == 1


def test_standardize():
    rng = np.random.default_rng(0)
    X = rng.normal(5.0, 3.0, (100, 3))
    X[:, 2] = 7.0
    Z, mean, std = gd.standardize(X)
    assert np.allclose(Z[:, :2].mean(axis=0), 0) and np.allclose(Z[:, :2].std(axis=0), 1)
    assert np.allclose(Z[:, 2], 0) and std[2] == 1.0
    Z2, _, _ = gd.standardize(X[:10], mean, std)
    assert np.allclose(Z2, Z[:10])


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: gd.make_regression(n_samples=0), ValueError, "n_samples must be >= 1"),
        (lambda: gd.make_regression(n_features=0), ValueError, "n_features"),
        (lambda: gd.make_regression(noise=-1), ValueError, "noise must be >= 0"),
        (lambda: gd.make_regression(seed=1.5), TypeError, "seed"),
        (lambda: gd.make_classification(n_classes=1), ValueError, "n_classes must be >= 2"),
        (lambda: gd.make_classification(n_samples=2, n_classes=3), ValueError, "n_samples"),
        (lambda: gd.make_classification(n_features=1), ValueError, "n_features"),
        (lambda: gd.make_classification(separation=0), ValueError, "separation"),
        (lambda: gd.make_classification(spread=-1), ValueError, "spread"),
        (lambda: gd.train_test_split(np.ones((4, 2)), np.ones(3)), ValueError, "same number"),
        (lambda: gd.train_test_split(np.ones((4, 2)), np.ones(4), 1.0), ValueError, "test_size"),
        (lambda: gd.train_test_split(np.ones((1, 2)), np.ones(1)), ValueError, "at least 2"),
        (lambda: gd.standardize(np.ones(3)), ValueError, "shape"),
        (lambda: gd.standardize([[np.nan]]), ValueError, "finite"),
        (lambda: gd.standardize([["a"]]), TypeError, "X must"),
        (lambda: gd.standardize(np.ones((2, 2)), mean=[0, 0]), ValueError, "together"),
        (lambda: gd.standardize(np.ones((2, 2)), [0, 0], [1, 0]), ValueError, "std must be > 0"),
        (lambda: gd.standardize(np.ones((2, 2)), [0], [1]), ValueError, "shape"),
    ],
)
def test_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()
