"""Losses, models and the fit loop."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gdcore as gd

seeds = st.integers(0, 10_000)


def test_mse():
    assert gd.mse_loss([1.0, 3.0], [1.0, 1.0]) == 2.0
    pred, y = np.array([0.5, -1.0, 2.0]), np.array([0.0, 1.0, 1.0])
    numeric = gd.central_difference(lambda p: gd.mse_loss(p, y), pred)
    assert np.allclose(gd.mse_grad(pred, y), numeric, atol=1e-9)


def test_stable_primitives():
    assert gd.sigmoid(0.0) == 0.5
    assert gd.sigmoid(np.array([-800.0, 800.0])).tolist() == [0.0, 1.0]
    assert gd.logsumexp([1000.0, 1000.0]) == pytest.approx(1000.0 + np.log(2.0))
    assert gd.logsumexp([-1000.0, -1000.0]) == pytest.approx(-1000.0 + np.log(2.0))
    assert gd.logsumexp([[0.0, 0.0], [1.0, 1.0]]).tolist() == pytest.approx(
        [np.log(2.0), 1 + np.log(2.0)])
    p = gd.softmax([[1000.0, 1000.0, -1000.0]])
    assert np.allclose(p, [[0.5, 0.5, 0.0]])
    assert np.allclose(gd.softmax(np.random.default_rng(0).normal(size=(4, 5))).sum(axis=1), 1)


def test_cross_entropy_values_and_stability():
    assert gd.cross_entropy_loss([0.0, 0.0], [0, 1]) == pytest.approx(np.log(2.0))
    # huge logits: exact, finite values (a naive log(sigmoid) gives inf or nan)
    assert gd.cross_entropy_loss([1000.0], [0]) == pytest.approx(1000.0)
    assert gd.cross_entropy_loss([1000.0], [1]) == 0.0
    assert gd.cross_entropy_loss([[1000.0, 0.0]], [1]) == pytest.approx(1000.0)
    assert gd.cross_entropy_loss([[0.0, 0.0, 0.0]], [2]) == pytest.approx(np.log(3.0))


@settings(max_examples=30, deadline=None)
@given(seed=seeds)
def test_cross_entropy_grads_match_finite_differences(seed):
    rng = np.random.default_rng(seed)
    z = rng.normal(0, 3, 6)
    y = rng.integers(0, 2, 6)
    numeric = gd.central_difference(lambda v: gd.cross_entropy_loss(v, y), z)
    assert np.allclose(gd.cross_entropy_grad(z, y), numeric, atol=1e-8)
    Z = rng.normal(0, 3, (5, 4))
    labels = rng.integers(0, 4, 5)
    numeric = gd.central_difference(
        lambda v: gd.cross_entropy_loss(v.reshape(5, 4), labels), Z.ravel()
    ).reshape(5, 4)
    assert np.allclose(gd.cross_entropy_grad(Z, labels), numeric, atol=1e-8)


def test_least_squares_matches_numpy():
    X, y, true_w, true_b = gd.make_regression(n_samples=200, n_features=4, noise=0.3, seed=2)
    w, b = gd.least_squares(X, y)
    A = np.hstack([X, np.ones((200, 1))])
    ref = np.linalg.solve(A.T @ A, A.T @ y)
    assert np.allclose(w, ref[:-1], atol=1e-12) and b == pytest.approx(ref[-1], abs=1e-12)
    assert np.allclose(w, true_w, atol=0.1)
    w0, b0 = gd.least_squares(X, y, fit_intercept=False)
    assert b0 == 0.0 and np.allclose(w0, np.linalg.lstsq(X, y, rcond=None)[0])
    # 1-D inputs are one feature
    assert gd.least_squares(X[:, 0], y)[0].shape == (1,)


def _models(rng):
    Xr, yr, _, _ = gd.make_regression(n_samples=30, n_features=3, seed=1)
    Xb, yb = gd.make_classification(n_samples=30, n_features=3, seed=1)
    Xs, ys = gd.make_classification(n_samples=30, n_classes=4, n_features=3, seed=1)
    return [
        (gd.LinearRegression(n_features=3, params=rng.normal(size=4)), Xr, yr),
        (gd.LogisticRegression(n_features=3, params=rng.normal(size=4)), Xb, yb),
        (gd.SoftmaxRegression(n_features=3, n_classes=4, params=rng.normal(size=16)), Xs, ys),
    ]


@settings(max_examples=15, deadline=None)
@given(seed=seeds)
def test_model_gradients_match_finite_differences(seed):
    for model, X, y in _models(np.random.default_rng(seed)):
        loss, grad = model.loss_and_grad(X, y)
        assert grad.shape == model.params.shape
        assert loss == pytest.approx(model.loss(X, y))
        def loss_at(p, m=model, X=X, y=y):
            return m.loss(X, y, params=p)

        numeric = gd.central_difference(loss_at, model.params)
        assert np.allclose(grad, numeric, rtol=1e-6, atol=1e-7)


def test_model_predictions():
    lin = gd.LinearRegression(n_features=2, params=[1.0, 2.0, 3.0])
    assert lin.predict([[1.0, 1.0]]).tolist() == [6.0]
    assert lin.w.tolist() == [1.0, 2.0] and lin.b == 3.0
    log = gd.LogisticRegression(n_features=1, params=[1.0, 0.0])
    assert log.predict([[-2.0], [3.0]]).tolist() == [0, 1]
    assert log.predict_proba([[0.0]]).tolist() == [0.5]
    soft = gd.SoftmaxRegression(n_features=1, n_classes=3, params=[0, 1, 2, 0, 0, 0])
    assert soft.W.shape == (1, 3) and soft.b.shape == (3,)
    assert soft.predict([[1.0], [-1.0]]).tolist() == [2, 0]
    assert np.allclose(soft.predict_proba([[1.0]]).sum(), 1.0)
    assert soft.n_params == 6 and "n_classes=3" in repr(soft)


@pytest.mark.parametrize("batch_size", [None, 1, 16])
def test_fit_decreases_loss(batch_size):
    X, y, _, _ = gd.make_regression(n_samples=100, n_features=2, noise=0.1, seed=0)
    model = gd.LinearRegression(n_features=2)
    h = gd.fit(model, X, y, gd.GradientDescent(lr=0.05), epochs=20, batch_size=batch_size)
    steps_per_epoch = {None: 1, 1: 100, 16: 7}[batch_size]
    assert h.n_steps == 20 * steps_per_epoch and h.losses.shape == (21,)
    assert h.losses[-1] < h.losses[0] / 20
    assert np.array_equal(model.params, h.params)
    assert h.status == "max_steps" and h.epochs == 20
    assert h.loss == pytest.approx(model.loss(X, y))


def test_batch_gd_reaches_least_squares():
    X, y, _, _ = gd.make_regression(n_samples=100, n_features=2, noise=0.5, seed=3)
    model = gd.LinearRegression(n_features=2)
    gd.fit(model, X, y, gd.GradientDescent(lr=0.1), epochs=500)
    w, b = gd.least_squares(X, y)
    assert np.allclose(model.w, w, atol=1e-8) and model.b == pytest.approx(b, abs=1e-8)


def test_fit_classifiers():
    X, y = gd.make_classification(n_samples=200, seed=0)
    model = gd.LogisticRegression(n_features=2)
    h = gd.fit(model, X, y, gd.Adam(lr=0.05), epochs=30, batch_size=20)
    assert h.losses[-1] < h.losses[0] / 2 and model.accuracy(X, y) > 0.9
    X3, y3 = gd.make_classification(n_samples=300, n_classes=3, seed=0)
    soft = gd.SoftmaxRegression(n_features=2, n_classes=3)
    h3 = gd.fit(soft, X3, y3, gd.Momentum(lr=0.1), epochs=30, batch_size=32)
    assert h3.losses[-1] < h3.losses[0] / 2 and soft.accuracy(X3, y3) > 0.85


def test_fit_schedule_clipping_seed_and_divergence():
    X, y, _, _ = gd.make_regression(n_samples=40, seed=0)
    opt = gd.GradientDescent(lr=0.1)
    sched = gd.StepLR(0.1, step_size=5, gamma=0.5)
    h = gd.fit(gd.LinearRegression(), X, y, opt, epochs=3, batch_size=10, schedule=sched)
    assert h.lrs.tolist() == [sched(t) for t in range(12)]
    assert opt.lr == 0.1  # restored
    clipped = gd.fit(gd.LinearRegression(), X, y, gd.SignDescent(lr=1.0), epochs=1,
                     clip_norm=1e-3)
    assert clipped.n_steps == 1
    a = gd.fit(gd.LinearRegression(), X, y, gd.GradientDescent(lr=0.1), 3, batch_size=4, seed=5)
    b = gd.fit(gd.LinearRegression(), X, y, gd.GradientDescent(lr=0.1), 3, batch_size=4, seed=5)
    c = gd.fit(gd.LinearRegression(), X, y, gd.GradientDescent(lr=0.1), 3, batch_size=4, seed=6)
    assert np.array_equal(a.step_losses, b.step_losses)
    assert not np.array_equal(a.step_losses, c.step_losses)
    fixed = gd.fit(gd.LinearRegression(), X, y, gd.GradientDescent(lr=0.1), 2, batch_size=4,
                   shuffle=False)
    fixed2 = gd.fit(gd.LinearRegression(), X, y, gd.GradientDescent(lr=0.1), 2, batch_size=4,
                    shuffle=False, seed=99)
    assert np.array_equal(fixed.step_losses, fixed2.step_losses)
    # the gradient-norm clip limits each step's length
    model = gd.LinearRegression()
    gd.fit(model, X, y, gd.GradientDescent(lr=1.0), epochs=1, clip_norm=0.5)
    assert np.linalg.norm(model.params) <= 0.5 + 1e-12
    model = gd.LinearRegression()
    start = model.params.copy()
    boom = gd.fit(model, X * 1e3, y, gd.GradientDescent(lr=10.0), epochs=200)
    assert boom.status == "diverged" and boom.epochs < 200
    assert len(boom.lrs) == boom.n_steps
    assert np.all(np.isfinite(model.params)) or np.array_equal(model.params, start)
    assert "diverged" in boom.summary() and "History" in repr(boom)
    zero = gd.fit(gd.LinearRegression(), X, y, gd.Adam(), epochs=0)
    assert zero.n_steps == 0 and zero.losses.shape == (1,)


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: gd.mse_loss([1.0], [1.0, 2.0]), ValueError, "same non-empty shape"),
        (lambda: gd.mse_grad([], []), ValueError, "non-empty"),
        (lambda: gd.mse_loss(["a"], [1.0]), TypeError, "pred and y"),
        (lambda: gd.cross_entropy_loss([0.0], [2]), ValueError, "0/1"),
        (lambda: gd.cross_entropy_loss([0.0, 1.0], [1]), ValueError, "shape of the logits"),
        (lambda: gd.cross_entropy_loss([[0.0, 1.0]], [2]), ValueError, r"labels in 0 \.\. 1"),
        (lambda: gd.cross_entropy_grad([[0.0, 1.0]], [0.5]), ValueError, "integer class labels"),
        (lambda: gd.cross_entropy_loss(np.zeros((1, 1, 1)), [0]), ValueError, "logits"),
        (lambda: gd.cross_entropy_loss("z", [0]), TypeError, "logits"),
        (lambda: gd.least_squares(np.ones((3, 2)), np.ones(2)), ValueError, "y must have shape"),
        (lambda: gd.LinearRegression(n_features=0), ValueError, "n_features"),
        (lambda: gd.LinearRegression(params=[1.0]), ValueError, "params"),
        (lambda: gd.SoftmaxRegression(n_classes=1), ValueError, "n_classes"),
        (lambda: gd.LinearRegression().predict(np.ones((2, 3))), ValueError, "1 feature"),
        (lambda: gd.LinearRegression().loss(np.ones((2, 1)), np.ones(3)), ValueError, "y must"),
        (lambda: gd.LinearRegression().loss(np.ones((2, 1)), [1, 2], [0.0]), ValueError, "params"),
        (lambda: gd.LogisticRegression(1).loss(np.ones((2, 1)), [0, 3]), ValueError, "0/1"),
        (lambda: gd.SoftmaxRegression(1, 3).loss(np.ones((2, 1)), [0, 3]), ValueError, "labels"),
        (lambda: gd.fit("model", [[1.0]], [1.0], gd.Adam(), 1), TypeError, "model must"),
        (lambda: gd.fit(gd.LinearRegression(), [[1.0]], [1.0], "sgd", 1), TypeError, "optimizer"),
        (
            lambda: gd.fit(gd.LinearRegression(), [[1.0]], [1.0], gd.Adam(), -1),
            ValueError, "epochs",
        ),
        (
            lambda: gd.fit(gd.LinearRegression(), [[1.0]], [1.0], gd.Adam(), 1, batch_size=0),
            ValueError, "batch_size",
        ),
        (
            lambda: gd.fit(gd.LinearRegression(), [[1.0]], [1.0], gd.Adam(), 1, schedule=0.1),
            TypeError, "schedule",
        ),
        (
            lambda: gd.fit(gd.LinearRegression(), [[1.0]], [1.0], gd.Adam(), 1, clip_norm=0),
            ValueError, "clip_norm",
        ),
        (
            lambda: gd.fit(gd.LinearRegression(), [[1.0]], [1.0], gd.Adam(), 1, shuffle="yes"),
            TypeError, "shuffle",
        ),
        (
            lambda: gd.fit(gd.LinearRegression(), [[1.0]], [1.0], gd.Adam(), 1, seed=-2),
            ValueError, "seed",
        ),
        (
            lambda: gd.fit(gd.LinearRegression(), [[1.0]], [1.0], gd.Adam(), 1,
                           schedule=lambda t: -1.0),
            ValueError, "schedule",
        ),
    ],
)
def test_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()


# ----------------------------------------------------------------- the public model contract


class TinyMLP:
    """A one-hidden-layer tanh network written by hand, as a student would: fit's contract
    is only ``params`` and ``loss_and_grad(X, y, params)``."""

    def __init__(self, n_in=1, n_hidden=8, seed=0):
        self.shapes = [(n_in, n_hidden), (n_hidden,), (n_hidden,), ()]
        rng = np.random.default_rng(seed)
        sizes = [int(np.prod(s)) for s in self.shapes]
        self.params = rng.normal(0, 0.5, sum(sizes))
        self.sizes = sizes

    def unpack(self, params):
        out, start = [], 0
        for shape, size in zip(self.shapes, self.sizes, strict=True):
            out.append(params[start : start + size].reshape(shape))
            start += size
        return out

    def loss_and_grad(self, X, y, params):
        W1, b1, w2, b2 = self.unpack(params)
        h = np.tanh(X @ W1 + b1)
        r = h @ w2 + b2 - y
        n = len(y)
        dpred = 2 * r / n
        dh = np.outer(dpred, w2) * (1 - h * h)
        grad = np.concatenate([(X.T @ dh).ravel(), dh.sum(0), h.T @ dpred, [dpred.sum()]])
        return np.mean(r * r), grad


def _wave(n, seed):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-2, 2, (n, 1))
    return X, np.sin(2 * X[:, 0]) + rng.normal(0, 0.1, n)


def test_hand_written_model_trains_with_fit():
    model = TinyMLP()
    X, y = _wave(64, 0)
    numeric = gd.central_difference(lambda p: model.loss_and_grad(X, y, p)[0], model.params)
    assert np.allclose(model.loss_and_grad(X, y, model.params)[1], numeric, atol=1e-7)
    start = model.params.copy()
    for batch_size in (None, 1, 16):
        model.params = start.copy()
        h = gd.fit(model, X, y, gd.Adam(lr=0.02), epochs=60, batch_size=batch_size, seed=3)
        assert h.status == "max_steps" and h.losses[-1] < h.losses[0] / 3
        assert np.array_equal(model.params, h.params)
        assert h.loss == model.loss_and_grad(X, y, model.params)[0]
        assert h.val_losses.shape == (0,) and h.best_epoch is None
    # a numpy-float loss and a list gradient are accepted (converted), results identical
    class Loose(TinyMLP):
        def loss_and_grad(self, X, y, params):
            loss, grad = super().loss_and_grad(X, y, params)
            return np.float64(loss), grad.tolist()

    a = gd.fit(TinyMLP(), X, y, gd.Adam(lr=0.02), epochs=3, batch_size=8)
    b = gd.fit(Loose(), X, y, gd.Adam(lr=0.02), epochs=3, batch_size=8)
    assert np.array_equal(a.step_losses, b.step_losses) and np.array_equal(a.params, b.params)


class Slope:
    """y = p x with one parameter: trained towards p = 2 while the validation data says p = 1."""

    def __init__(self):
        self.params = np.zeros(1)

    def loss_and_grad(self, X, y, params):
        r = params[0] * X - y
        return float(np.mean(r * r)), np.array([2 * np.mean(r * X)])


def test_validation_and_early_stopping_restore_the_best_epoch():
    X = np.linspace(0.5, 1.5, 20)
    train, val = (X, 2 * X), (X, 1 * X)
    opt = gd.GradientDescent(lr=0.02)
    full = gd.fit(Slope(), *train, opt, epochs=200, validation=val)
    assert full.status == "max_steps" and full.val_losses.shape == (201,)
    best = int(np.argmin(full.val_losses))
    assert full.best_epoch == best and 0 < best < 200
    assert full.val_losses[best + 1] > full.val_losses[best]  # it really got worse
    assert full.params[0] == pytest.approx(2.0, abs=1e-3)  # no patience: no restore
    # the same run with patience stops `patience` epochs after the best one
    model = Slope()
    h = gd.fit(model, *train, opt, epochs=200, validation=val, patience=4)
    assert h.status == "early_stopped" and h.epochs == best + 4 and h.best_epoch == best
    assert np.array_equal(h.val_losses, full.val_losses[: best + 5])
    assert np.array_equal(h.losses, full.losses[: best + 5])
    again = gd.fit(Slope(), *train, opt, epochs=best)  # the best epoch's parameters
    assert np.array_equal(model.params, again.params) and np.array_equal(h.params, again.params)
    assert "did not improve for 4 epochs" in h.message and "validation loss" in h.summary()
    kept = gd.fit(model := Slope(), *train, opt, epochs=200, validation=val, patience=4,
                  restore_best=False)
    assert np.array_equal(model.params, gd.fit(Slope(), *train, opt, epochs=best + 4).params)
    assert kept.status == "early_stopped"
    # the built-in models take a validation set too
    Xr, yr, _, _ = gd.make_regression(n_samples=80, noise=0.5, seed=2)
    lin = gd.fit(gd.LinearRegression(), Xr[:60], yr[:60], gd.Adam(lr=0.1), epochs=20,
                 validation=(Xr[60:], yr[60:]))
    assert lin.val_losses[-1] < lin.val_losses[0] and lin.message == "ran all 20 epochs"


@pytest.mark.parametrize(
    "model, error, match",
    [
        (object(), TypeError, "loss_and_grad"),
        (type("NoParams", (), {"loss_and_grad": lambda self, X, y, p: (0.0, p)})(), TypeError,
         "params"),
    ],
)
def test_fit_names_the_model_contract(model, error, match):
    with pytest.raises(error, match=match):
        gd.fit(model, [[1.0]], [1.0], gd.Adam(), 1)


class Returns(Slope):
    def __init__(self, value):
        super().__init__()
        self.value = value

    def loss_and_grad(self, X, y, params):
        return self.value


@pytest.mark.parametrize(
    "value, error, match",
    [
        (1.0, TypeError, "pair"),
        (("a", np.zeros(1)), TypeError, "loss as a real number"),
        (("1.5", np.zeros(1)), TypeError, "loss as a real number"),
        ((True, np.zeros(1)), TypeError, "loss as a real number"),
        ((1 + 2j, np.zeros(1)), TypeError, "complex"),
        ((None, np.zeros(1)), TypeError, "loss as a real number"),
        ((np.zeros(3), np.zeros(1)), ValueError, "single number"),
        ((1.0, np.zeros(2)), ValueError, "shape of params"),
    ],
)
def test_fit_checks_what_loss_and_grad_returns(value, error, match):
    with pytest.raises(error, match=match):
        gd.fit(Returns(value), [1.0, 2.0], [1.0, 2.0], gd.Adam(), 1)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(patience=3), ValueError, "patience needs a validation set"),
        (dict(validation=([1.0], [1.0]), patience=0), ValueError, "patience"),
        (dict(validation="val"), TypeError, "validation must be a pair"),
        (dict(validation=([1.0, 2.0], [1.0])), ValueError, "validation X_val and y_val"),
        (dict(validation=([1.0], [1.0]), restore_best="yes"), TypeError, "restore_best"),
    ],
)
def test_fit_checks_validation_options(kwargs, error, match):
    with pytest.raises(error, match=match):
        gd.fit(Slope(), [1.0, 2.0], [1.0, 2.0], gd.Adam(), 1, **kwargs)


def test_fit_checks_data_rows_and_params():
    with pytest.raises(ValueError, match="same non-zero number of rows"):
        gd.fit(Slope(), [1.0, 2.0], [1.0], gd.Adam(), 1)
    bad = Slope()
    bad.params = np.array([np.nan])
    with pytest.raises(ValueError, match="finite 1-D"):
        gd.fit(bad, [1.0], [1.0], gd.Adam(), 1)
    bad.params = "ab"
    with pytest.raises(TypeError, match="1-D array of numbers"):
        gd.fit(bad, [1.0], [1.0], gd.Adam(), 1)
