"""Numbers stated in the prose of docs/stochastic.md, recomputed with gdcore."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import gdcore as gd

PAGE = Path(__file__).resolve().parents[2] / "docs" / "stochastic.md"
TEXT = PAGE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def regression():
    X, y, _, _ = gd.make_regression(n_samples=200, n_features=3, noise=0.5, seed=0)
    w, b = gd.least_squares(X, y)
    return X, y, np.append(w, b)


@pytest.fixture(scope="module")
def three_ways(regression):
    X, y, _ = regression
    out = {}
    for label, bs, lr in [("batch", None, 0.1), ("SGD", 1, 0.01), ("mini-batch 32", 32, 0.05)]:
        out[label] = gd.fit(gd.LinearRegression(n_features=3), X, y, gd.GradientDescent(lr=lr),
                            epochs=10, batch_size=bs, seed=0)
    return out


def test_page_states_the_numbers_tested_here():
    for s in ["$N = 200$ and $B = 32$, seven steps (six full batches and one of 8 examples)",
              "$0.5^2 = 0.25$", "only 10 steps", "SGD took 2000 steps",
              "mini-batches of 32 took 70 steps", "300 points", "the 100 times it occurs",
              "$\\lceil 200 / 8 \\rceil = 25$", "so 250 steps", "0.999^{2000} \\approx",
              "0.0014", "try `0.5`", "`spread=2.0`"]:
        assert s in TEXT, s


def test_steps_per_epoch(regression):
    X, y, _ = regression
    h = gd.fit(gd.LinearRegression(n_features=3), X, y, gd.GradientDescent(lr=0.05),
               epochs=1, batch_size=32)
    assert h.n_steps == 7 and 200 - 6 * 32 == 8
    h = gd.fit(gd.LinearRegression(n_features=3), X, y, gd.GradientDescent(lr=0.05),
               epochs=10, batch_size=8)
    assert h.n_steps == 250


def test_noise_floor_of_the_closed_form(regression):
    X, y, theta = regression
    best = gd.LinearRegression(n_features=3, params=theta).loss(X, y)
    assert best == pytest.approx(0.25, abs=0.01)


def test_three_ways(regression, three_ways):
    X, y, theta = regression
    best = gd.LinearRegression(n_features=3, params=theta).loss(X, y)
    steps = {k: h.n_steps for k, h in three_ways.items()}
    assert steps == {"batch": 10, "SGD": 2000, "mini-batch 32": 70}
    gap = {k: np.max(np.abs(h.params - theta)) for k, h in three_ways.items()}
    assert gap["batch"] > 5 * gap["SGD"] and gap["batch"] > 5 * gap["mini-batch 32"]
    # SGD hovers slightly above the exact minimum
    assert best < three_ways["SGD"].loss < best + 0.01
    # batch GD tolerates lr = 0.5; SGD with 0.05 ends clearly worse than with 0.01
    big = gd.fit(gd.LinearRegression(n_features=3), X, y, gd.GradientDescent(lr=0.5),
                 epochs=10)
    assert big.status == "max_steps" and big.loss < three_ways["batch"].loss
    noisy = gd.fit(gd.LinearRegression(n_features=3), X, y, gd.GradientDescent(lr=0.05),
                   epochs=10, batch_size=1, seed=0)
    assert noisy.loss > three_ways["SGD"].loss


def test_exercise_2_decaying_sgd(regression, three_ways):
    X, y, theta = regression
    assert f"{0.01 * 0.999**2000:.4f}" == "0.0014"
    h = gd.fit(gd.LinearRegression(n_features=3), X, y, gd.GradientDescent(lr=0.01),
               epochs=10, batch_size=1, seed=0, schedule=gd.ExponentialLR(0.01, gamma=0.999))
    assert np.max(np.abs(h.params - theta)) < np.max(np.abs(three_ways["SGD"].params - theta))


def test_shuffling_a_sorted_data_set():
    Xc, yc = gd.make_classification(n_samples=300, n_classes=3, seed=0)
    assert np.bincount(yc).tolist() == [100, 100, 100]
    order = np.argsort(yc, kind="stable")
    Xs, ys = Xc[order], yc[order]
    res = {}
    for shuffle in (True, False):
        clf = gd.SoftmaxRegression(n_features=2, n_classes=3)
        h = gd.fit(clf, Xs, ys, gd.GradientDescent(lr=0.2), epochs=5, batch_size=4,
                   shuffle=shuffle)
        res[shuffle] = (h.loss, clf.accuracy(Xs, ys), np.bincount(clf.predict(Xs), minlength=3))
    assert res[False][0] > res[True][0] + 0.05
    assert res[False][1] < res[True][1]
    assert res[False][2][2] > 110          # far more often than the 100 times it occurs


def test_softmax_and_exercise_3():
    Xc, yc = gd.make_classification(n_samples=300, n_classes=3, seed=0)
    clf = gd.SoftmaxRegression(n_features=2, n_classes=3)
    gd.fit(clf, Xc, yc, gd.GradientDescent(lr=0.3), epochs=20, batch_size=32, seed=0)
    acc = clf.accuracy(Xc, yc)
    assert 0.8 < acc < 1.0                     # blobs overlap a little
    Xh, yh = gd.make_classification(n_samples=300, n_classes=3, spread=2.0, seed=0)
    hard = gd.SoftmaxRegression(n_features=2, n_classes=3)
    gd.fit(hard, Xh, yh, gd.GradientDescent(lr=0.3), epochs=20, batch_size=32, seed=0)
    assert hard.accuracy(Xh, yh) < acc


def test_optimizers_reach_the_same_minimum():
    Xc, yc = gd.make_classification(n_samples=300, n_classes=3, seed=0)
    finals = []
    for opt in (gd.GradientDescent(lr=0.3), gd.Momentum(lr=0.05, momentum=0.9),
                gd.RMSProp(lr=0.01), gd.Adam(lr=0.05)):
        h = gd.fit(gd.SoftmaxRegression(n_features=2, n_classes=3), Xc, yc, opt, epochs=20,
                   batch_size=32, seed=0)
        finals.append(h.loss)
    assert max(finals) - min(finals) < 0.01
