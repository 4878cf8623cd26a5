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


# --------------------------------------------------------------------------- non-linear sets


def _linear_accuracy(X, y):
    """Training accuracy of the least-squares linear classifier sign(w . [x, 1])."""
    A = np.column_stack([X, np.ones(len(X))])
    w = np.linalg.lstsq(A, 2.0 * y - 1.0, rcond=None)[0]
    return float(np.mean((A @ w > 0) == (y == 1)))


@pytest.mark.parametrize("make", [gd.make_moons, gd.make_circles, gd.make_spirals])
def test_nonlinear_sets_are_seeded_balanced_and_shuffled(make):
    X, y = make(n_samples=201, seed=3)
    assert X.shape == (201, 2) and X.dtype == float and y.dtype == np.int64
    assert np.bincount(y).tolist() == [101, 100]
    X2, y2 = make(n_samples=201, seed=3)
    assert np.array_equal(X, X2) and np.array_equal(y, y2)
    X3, _ = make(n_samples=201, seed=4)
    assert not np.array_equal(X, X3)
    assert 40 < int(np.sum(y[:100] == 0)) < 60  # shuffled: not all class 0 first


def test_moons_lie_on_two_half_circles():
    X, y = gd.make_moons(n_samples=100, noise=0.0)
    upper, lower = X[y == 0], X[y == 1]
    np.testing.assert_allclose(np.hypot(*upper.T), 1.0, rtol=1e-12)
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1.0, lower[:, 1] - 0.5), 1.0, rtol=1e-12)
    assert upper[:, 1].min() >= -1e-12 and lower[:, 1].max() <= 0.5 + 1e-12
    noisy, _ = gd.make_moons(n_samples=100, noise=0.1)
    assert 0.07 < float(np.std(noisy - X)) < 0.13  # X and noisy share the shuffle


def test_no_straight_line_separates_them():
    moons = _linear_accuracy(*gd.make_moons(n_samples=400, noise=0.1))
    circles = _linear_accuracy(*gd.make_circles(n_samples=400, noise=0.05))
    spirals = _linear_accuracy(*gd.make_spirals(n_samples=400))
    assert moons < 0.92 and circles < 0.6 and spirals < 0.65
    X, y = gd.make_circles(n_samples=400, noise=0.05)
    radial = np.column_stack([X, (X**2).sum(axis=1)])  # one quadratic feature is enough
    assert _linear_accuracy(radial, y) > 0.99


def test_spirals_have_one_arm_per_class():
    X, y = gd.make_spirals(n_samples=300, n_classes=3, noise=0.0, turns=1.0)
    assert np.bincount(y).tolist() == [100, 100, 100]
    r = np.hypot(*X.T)
    for c in range(3):
        arm = np.sort(r[y == c])
        np.testing.assert_allclose(arm, np.linspace(0.05, 1.0, 100), rtol=1e-12)


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: gd.make_moons(n_samples=1), ValueError, "n_samples must be >= 2"),
        (lambda: gd.make_moons(noise=-0.1), ValueError, "noise must be >= 0"),
        (lambda: gd.make_moons(seed=1.5), TypeError, "seed must be a whole number"),
        (lambda: gd.make_circles(factor=1.0), ValueError, r"factor must be in \(0, 1\)"),
        (lambda: gd.make_circles(factor=0), ValueError, "factor must be in"),
        (lambda: gd.make_spirals(turns=0), ValueError, "turns must be > 0"),
        (lambda: gd.make_spirals(n_samples=2, n_classes=3), ValueError, "n_samples must be >="),
        (lambda: gd.make_spirals(n_classes=1), ValueError, "n_classes must be >= 2"),
    ],
)
def test_nonlinear_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()


@pytest.mark.parametrize("make", [
    lambda n: gd.make_regression(n_samples=n),
    lambda n: gd.make_classification(n_samples=n),
    lambda n: gd.make_moons(n_samples=n),
    lambda n: gd.make_circles(n_samples=n),
    lambda n: gd.make_spirals(n_samples=n),
])
def test_a_huge_data_set_is_a_value_error_not_a_memory_error(make):
    with pytest.raises(ValueError, match=r"n_samples must be <= [\d,]+ for \d feature"):
        make(10**12)


def test_the_size_limit_counts_the_features():
    with pytest.raises(ValueError, match=r"n_samples must be <= 200,000 for 100 feature"):
        gd.make_regression(n_samples=300_000, n_features=100)


def test_too_many_features_names_n_features():
    with pytest.raises(ValueError, match="n_features must be <= 20,000,000"):
        gd.make_classification(n_samples=10, n_features=10**8)


def test_standardize_refuses_columns_whose_spread_overflows():
    with pytest.raises(ValueError, match="X is too large to standardize"):
        gd.standardize([[1e308, 1.0], [-1e308, 2.0]])
