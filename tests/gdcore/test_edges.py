"""Robust at the edges: what an objective, a model or a count can get wrong, and the clear
error (or documented status) each gets from minimize, minimize_many, newton and fit."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import gdcore as gd

ZERO = object()  # "return a zero gradient"


class Returns:
    """An objective whose loss and gradient are whatever it is told to return."""

    def __init__(self, loss=1.0, grad=ZERO, hessian=None):
        self.loss, self.g, self.h = loss, grad, hessian

    def __call__(self, x):
        return self.loss

    def grad(self, x):
        return np.zeros_like(x) if self.g is ZERO else self.g

    def hessian(self, x):
        return np.eye(x.size) if self.h is None else self.h


BAD_LOSSES = [
    ("0.5", TypeError, r"f\(x\) must return the loss as a real number, got '0.5' \(str\)"),
    (None, TypeError, r"f\(x\) must return the loss as a real number, got None"),
    (1 + 2j, TypeError, r"f\(x\) returned a complex number \(1\+2j\)"),
    (np.complex128(3.0), TypeError, r"complex number"),
    (True, TypeError, r"got True \(bool\)"),
    ({"loss": 1.0}, TypeError, "real number"),
    ([[1.0, 2.0], [3.0]], TypeError, "real number"),
    (np.ones(3), ValueError, r"single number, got an array of shape \(3,\)"),
]


@pytest.mark.parametrize("loss, error, match", BAD_LOSSES)
def test_a_loss_that_is_not_a_real_number_is_named(loss, error, match):
    with pytest.raises(error, match=match):
        gd.minimize(Returns(loss), gd.Adam(), [1.0, 2.0], 5)
    with pytest.raises(error, match=match):
        gd.newton(Returns(loss), [1.0, 2.0], 5)


@pytest.mark.parametrize(
    "grad, error, match",
    [
        (None, TypeError, r"f.grad\(x\) must return an array of numbers of the shape of x"),
        ("0, 0", TypeError, r"f.grad\(x\) must return an array of numbers"),
        (np.array([1j, 0.0]), TypeError, r"f.grad\(x\) returned complex numbers"),
        ([[1.0], [1.0, 2.0]], TypeError, r"f.grad\(x\)"),
        (np.array([True, False]), TypeError, r"f.grad\(x\)"),
    ],
)
def test_a_gradient_that_is_not_real_numbers_is_named(grad, error, match):
    with pytest.raises(error, match=match):
        gd.minimize(Returns(1.0, grad), gd.Adam(), [1.0, 2.0], 5)
    with pytest.raises(error, match=match):
        gd.newton(Returns(1.0, grad), [1.0, 2.0], 5, grad_tol=None)


def test_batch_objective_outputs_are_checked():
    class Complex:
        def __call__(self, X):
            return np.sum(X, axis=1) + 0j

        def grad(self, X):
            return np.ones_like(X)

    with pytest.raises(TypeError, match=r"f\(X\) returned complex numbers"):
        gd.minimize_many(Complex(), gd.Adam(), np.zeros((3, 2)), 5)
    with pytest.raises(TypeError, match=r"f.grad\(X\) must return an array of numbers"):
        gd.minimize_many(Returns(np.zeros(3), "g"), gd.Adam(), np.zeros((3, 2)), 5)


def test_a_hessian_that_is_not_real_numbers_is_named():
    with pytest.raises(TypeError, match=r"f.hessian\(x\)"):
        gd.newton(Returns(1.0, np.ones(2), hessian="H"), [1.0, 2.0], 5)


def test_real_looking_values_still_work():
    """Numpy scalars, ints, 1-element arrays and lists: accepted as before."""
    for loss in (np.float32(2.0), 3, np.array(4.0), np.array([5.0]), [6.0]):
        run = gd.minimize(Returns(loss, [0.5, 0.5]), gd.GradientDescent(lr=0.1), [0.0, 0.0], 2)
        assert run.losses.tolist() == [float(np.asarray(loss).ravel()[0])] * 3
        assert run.xs[-1].tolist() == [-0.1, -0.1]


# ------------------------------------------------------------------ huge counts


class Bowl:
    def __call__(self, x):
        return np.sum(x * x, axis=-1)

    def grad(self, x):
        return 2 * x

    def hessian(self, x):
        return 2 * np.eye(x.size)


def test_huge_step_counts_run_until_a_rule_stops_them():
    big = 10**12
    run = gd.minimize(Bowl(), gd.GradientDescent(lr=0.25), [1.0, 1.0], big, loss_threshold=1e-8)
    assert run.status == "converged" and run.n_steps < 20
    for record in (True, False):
        batch = gd.minimize_many(Bowl(), gd.GradientDescent(lr=0.25), [[1.0, 1.0], [2.0, 0.0]],
                                 big, loss_threshold=1e-8, record=record)
        assert set(batch.status) == {"converged"} and batch.n_steps.max() < 20
    assert gd.newton(Bowl(), [1.0, 1.0], big).status == "converged"
    X = np.linspace(0.5, 1.5, 10)
    h = gd.fit(_Slope(), X, X, gd.GradientDescent(lr=0.1), big, validation=(X, X), patience=3)
    assert h.status == "early_stopped" and h.epochs < 1000


class _Slope:
    def __init__(self):
        self.params = np.zeros(1)

    def loss_and_grad(self, X, y, params):
        r = params[0] * X - y
        return float(np.mean(r * r)), np.array([2 * np.mean(r * X)])


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda n: gd.minimize(Bowl(), gd.Adam(), [1.0], n), "steps"),
        (lambda n: gd.minimize_many(Bowl(), gd.Adam(), [[1.0]], n), "steps"),
        (lambda n: gd.newton(Bowl(), [1.0], n), "steps"),
        (lambda n: gd.fit(_Slope(), [1.0], [1.0], gd.Adam(), n), "epochs"),
    ],
)
def test_absurd_step_counts_are_a_value_error_naming_the_argument(call, name):
    with pytest.raises(ValueError, match=rf"{name} must be at most 2\*\*62"):
        call(2**62 + 1)
    with pytest.raises(ValueError, match=rf"{name} must be >= 0"):
        call(-1)
    with pytest.raises(TypeError, match=rf"{name} must be a whole number"):
        call(1e3)


def test_batch_records_grow_past_their_first_allocation():
    starts = np.array([[1.0, -1.0], [0.5, 2.0]])
    batch = gd.minimize_many(Bowl(), gd.Adam(lr=0.001), starts, 2500)
    assert batch.xs.shape == (2501, 2, 2) and batch.losses.shape == (2501, 2)
    assert batch.lrs.shape == (2500,)
    for i, start in enumerate(starts):
        single = gd.minimize(Bowl(), gd.Adam(lr=0.001), start, 2500)
        assert np.array_equal(batch.xs[:, i], single.xs)
        assert np.array_equal(batch.losses[:, i], single.losses)


# ------------------------------------------------------------------ the dart's domain


def test_the_dart_without_bounds_stops_when_it_leaves_its_domain():
    dart = gd.DartLoss()
    run = gd.minimize(dart, gd.GradientDescent(lr=0.01), 1.5, 100_000)
    assert run.status == "diverged" and run.n_steps < 100_000
    assert "left the domain [-1.5708, 1.5708] of dart" in run.message
    assert "pass bounds" in run.message and "repeats" in run.message
    assert np.all(np.abs(run.xs[:-1]) <= math.pi / 2) and abs(run.x[0]) > math.pi / 2
    assert np.isnan(run.grads[-1]).all()  # not evaluated out there
    inside = gd.minimize(dart, gd.GradientDescent(lr=0.01), 1.5, 2000,
                         bounds=(-np.pi / 2, np.pi / 2))
    assert "left the domain" not in inside.message
    batch = gd.minimize_many(dart, gd.GradientDescent(lr=0.01), [[1.5], [0.5]], 500,
                             loss_threshold=1e-3)
    assert batch.status.tolist() == ["diverged", "converged"]
    assert batch.n_steps[0] == run.n_steps


# ------------------------------------------------------------------ fuzzing the public API

anything = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True), st.integers(-10**20, 10**20),
    st.booleans(), st.none(), st.text(max_size=4), st.complex_numbers(),
    st.lists(st.floats(-1e3, 1e3), max_size=3),
    st.lists(st.lists(st.floats(-1e3, 1e3), max_size=2), max_size=2),
    st.dictionaries(st.text(max_size=2), st.integers(), max_size=1),
)
hyper = st.one_of(st.none(), st.floats(allow_nan=True), st.integers(-5, 5), st.text(max_size=2))
fuzz = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _valid(run, d):
    assert run.status in gd.STATUSES and run.message
    assert run.xs.shape == (run.n_steps + 1, d) and run.grads.shape == run.xs.shape
    assert run.losses.shape == (run.n_steps + 1,) and run.lrs.shape == (run.n_steps,)


@fuzz
@given(loss=anything, grad=anything)
def test_fuzz_minimize_objective_outputs(loss, grad):
    """Whatever an objective returns: a valid Trajectory, or a TypeError/ValueError naming
    f(x) or f.grad(x); never another exception, never a warning."""
    f = Returns(loss, grad)
    for call in (
        lambda: gd.minimize(f, gd.Adam(lr=0.1), [1.0, 2.0], 3),
        lambda: gd.newton(f, [1.0, 2.0], 3),
    ):
        try:
            with np.errstate(all="raise"):
                run = call()
        except (TypeError, ValueError) as e:
            assert "f(x)" in str(e) or "f.grad(x)" in str(e) or "Hessian" in str(e), e
        else:
            _valid(run, 2)


@fuzz
@given(steps=st.one_of(hyper, st.integers(-3, 8), st.just(2**70)), threshold=hyper,
       tol=hyper, diverge=hyper, clip=hyper)
def test_fuzz_minimize_hyperparameters(steps, threshold, tol, diverge, clip):
    kwargs = {"loss_threshold": threshold, "grad_tol": tol, "clip_norm": clip}
    if diverge is not None:
        kwargs["diverge_at"] = diverge
    for many in (False, True):
        try:
            if many:
                batch = gd.minimize_many(Bowl(), gd.Adam(lr=0.1), [[1.0, 2.0]], steps, **kwargs)
                run = batch[0]
            else:
                run = gd.minimize(Bowl(), gd.Adam(lr=0.1), [1.0, 2.0], steps, **kwargs)
        except (TypeError, ValueError) as e:
            named = ("steps", "loss_threshold", "grad_tol", "clip_norm", "diverge_at")
            assert any(name in str(e) for name in named), e
        else:
            _valid(run, 2)


@fuzz
@given(loss=anything, grad=anything, epochs=st.one_of(hyper, st.integers(0, 3)),
       patience=st.one_of(st.none(), st.integers(-1, 3), st.text(max_size=1)))
def test_fuzz_fit(loss, grad, epochs, patience):
    class Model:
        params = np.zeros(2)

        def loss_and_grad(self, X, y, params):
            return loss, grad

    X = np.ones((4, 1))
    try:
        h = gd.fit(Model(), X, np.ones(4), gd.Adam(), epochs, batch_size=2,
                   validation=(X, np.ones(4)), patience=patience)
    except (TypeError, ValueError) as e:
        named = ("model.loss_and_grad", "epochs", "patience")
        assert any(name in str(e) for name in named), e
    else:
        assert h.status in ("max_steps", "diverged", "early_stopped") and h.message
        assert h.val_losses.shape == h.losses.shape == (h.epochs + 1,)


@fuzz
@given(x0=anything, bounds=st.one_of(st.none(), anything, st.tuples(anything, anything)))
def test_fuzz_minimize_start_and_bounds(x0, bounds):
    try:
        run = gd.minimize(Bowl(), gd.GradientDescent(lr=0.1), x0, 3, bounds=bounds)
    except (TypeError, ValueError) as e:
        assert "x0" in str(e) or "bounds" in str(e), e
    else:
        _valid(run, run.xs.shape[1])


def test_a_step_that_overflows_says_so():
    class Capped:  # its loss stays finite, so only the point shows the overflow
        def __call__(self, x):
            return min(float(x @ x), 1.0)

        def grad(self, x):
            return 2 * x

    run = gd.minimize(Capped(), gd.GradientDescent(lr=1e308), [1.0, 1.0], 10)
    assert run.status == "diverged" and run.n_steps == 1
    assert run.message.startswith("the point is not finite at step 1: the optimizer's step")
    assert "smaller lr" in run.message
