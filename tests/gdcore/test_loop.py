"""Tests for gdcore.loop: minimize, minimize_many, Trajectory."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gdcore as gd


class Bowl:
    """f(x) = 0.5 * sum(a * x^2), for one point (d,) or a batch (m, d)."""

    name = "bowl"

    def __init__(self, a=(1.0, 10.0)):
        self.a = np.asarray(a, dtype=float)
        self.calls = 0

    def __call__(self, x):
        self.calls += 1
        return 0.5 * np.sum(self.a * x * x, axis=-1)

    def grad(self, x):
        return self.a * x


class Rosenbrock:
    name = "rosenbrock"

    def __call__(self, p):
        x, y = p[..., 0], p[..., 1]
        return (1.0 - x) ** 2 + 100.0 * (y - x * x) ** 2

    def grad(self, p):
        x, y = p[..., 0], p[..., 1]
        r = y - x * x
        return np.stack([-2.0 * (1.0 - x) - 400.0 * x * r, 200.0 * r], axis=-1)


class Counting(gd.GradientDescent):
    """GD that counts its steps across resets."""

    steps_taken = 0

    def _update(self, x, grad):
        Counting.steps_taken += 1
        return super()._update(x, grad)


def no_warnings():
    ctx = warnings.catch_warnings()
    ctx.__enter__()
    warnings.simplefilter("error")
    return ctx


# ------------------------------------------------------------------ shapes, records


def test_trajectory_records_everything():
    f = Bowl()
    run = gd.minimize(f, gd.GradientDescent(lr=0.05), [1.0, 1.0], 20)
    assert run.status == "max_steps" and run.n_steps == 20
    assert run.xs.shape == (21, 2) and run.losses.shape == (21,)
    assert run.grads.shape == (21, 2) and run.lrs.shape == (20,)
    np.testing.assert_array_equal(run.xs[0], [1.0, 1.0])
    np.testing.assert_allclose(run.losses, f(run.xs))
    np.testing.assert_allclose(run.grads, f.grad(run.xs))
    np.testing.assert_array_equal(run.lrs, 0.05)
    np.testing.assert_array_equal(run.x, run.xs[-1])
    assert run.loss == run.losses[-1]
    np.testing.assert_allclose(run.grad_norms, np.linalg.norm(run.grads, axis=1))
    # each point is the previous point minus lr * gradient
    np.testing.assert_allclose(run.xs[1:], run.xs[:-1] - 0.05 * run.grads[:-1])
    assert run.label == "GradientDescent" and run.objective == "bowl"
    assert run.optimizer == "GradientDescent(lr=0.05, weight_decay=0.0)"


def test_summary_and_repr_are_short_and_readable():
    run = gd.minimize(Bowl(), gd.Adam(lr=0.1), [1.0, -1.0], 5)
    text = run.summary()
    lines = text.splitlines()
    assert lines[0] == "Adam on bowl: max_steps after 5 steps"
    assert any(line.strip().startswith("start: x = [1, -1]") for line in lines)
    assert "final: x =" in text and "|grad|" in text and "learning rate: 0.1" in text
    assert "optimizer: Adam(lr=0.1" in text
    assert len(text) < 600
    assert repr(run).startswith("Trajectory(label='Adam', status='max_steps', n_steps=5")
    sched = gd.minimize(Bowl(), gd.Adam(lr=0.1), [1.0, -1.0], 5,
                        schedule=gd.ExponentialLR(0.1, 0.5))
    assert "learning rate: 0.1 -> 0.00625" in sched.summary()


def test_scalar_start_point_becomes_1d():
    class Parabola:
        def __call__(self, x):
            return float(x[0] ** 2)

        def grad(self, x):
            return 2 * x

    run = gd.minimize(Parabola(), gd.GradientDescent(lr=0.1), 3.0, 3)
    assert run.xs.shape == (4, 1)
    assert run.objective == ""
    np.testing.assert_allclose(run.xs[:, 0], 3.0 * 0.8 ** np.arange(4))


def test_losses_as_numpy_scalars_and_size_one_arrays_are_fine():
    class ArrayLoss(Bowl):
        def __call__(self, x):
            return np.array([super().__call__(x)])

    run = gd.minimize(ArrayLoss(), gd.GradientDescent(lr=0.1), [1.0, 1.0], 3)
    assert run.losses.shape == (4,)


# ------------------------------------------------------------------ stopping rules


def test_loss_threshold_is_checked_before_stepping():
    Counting.steps_taken = 0
    run = gd.minimize(Bowl(), Counting(lr=0.1), [1e-3, 0.0], 100, loss_threshold=1e-3)
    assert run.status == "converged" and run.n_steps == 0
    assert Counting.steps_taken == 0  # the optimizer never moved
    assert run.lrs.shape == (0,) and run.xs.shape == (1, 2)
    assert "loss_threshold" in run.message


def test_loss_threshold_stops_at_the_first_point_below():
    f = Bowl((1.0, 1.0))
    run = gd.minimize(f, gd.GradientDescent(lr=0.5), [1.0, 1.0], 100, loss_threshold=1e-4)
    # x_k = 0.5^k (1, 1): loss 0.25^k <= 1e-4 first at k = 7
    assert run.status == "converged" and run.n_steps == 7
    assert run.loss <= 1e-4 < run.losses[-2]


def test_criterion_met_at_the_last_point_counts_as_converged():
    f = Bowl((1.0, 1.0))
    run = gd.minimize(f, gd.GradientDescent(lr=0.5), [1.0, 1.0], 7, loss_threshold=1e-4)
    assert run.status == "converged" and run.n_steps == 7
    short = gd.minimize(f, gd.GradientDescent(lr=0.5), [1.0, 1.0], 6, loss_threshold=1e-4)
    assert short.status == "max_steps" and short.n_steps == 6


def test_grad_tol():
    run = gd.minimize(Bowl(), gd.Momentum(lr=0.05), [1.0, 1.0], 5000, grad_tol=1e-6)
    assert run.status == "converged"
    assert np.linalg.norm(run.grads[-1]) <= 1e-6 < np.linalg.norm(run.grads[-2])
    assert "grad_tol" in run.message


def test_divergence_is_a_status_not_a_warning_storm():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        run = gd.minimize(Bowl(), gd.GradientDescent(lr=1.0), [1.0, 1.0], 10_000)
    assert run.status == "diverged"
    assert abs(run.loss) > 1e12 or not np.isfinite(run.loss)
    assert run.n_steps < 50  # stopped as soon as the bound was crossed
    assert "diverge_at" in run.message


def test_divergence_to_overflow_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        run = gd.minimize(Bowl(), gd.GradientDescent(lr=1e3), [1.0, 1.0], 10_000,
                          diverge_at=1e308)
    assert run.status == "diverged"
    assert not np.isfinite(run.loss) or not np.all(np.isfinite(run.x))


def test_nan_loss_and_nan_gradient_diverge():
    class NanLoss(Bowl):
        def __call__(self, x):
            return float("nan") if x[0] < 0.5 else super().__call__(x)

    run = gd.minimize(NanLoss(), gd.GradientDescent(lr=0.1), [1.0, 1.0], 100)
    assert run.status == "diverged" and np.isnan(run.loss)
    assert np.all(np.isnan(run.grads[-1]))  # never evaluated at the diverged point

    class NanGrad(Bowl):
        def grad(self, x):
            return np.array([np.nan, 0.0]) if x[1] < 0.5 else super().grad(x)

    run = gd.minimize(NanGrad(), gd.GradientDescent(lr=0.01), [1.0, 1.0], 100)
    assert run.status == "diverged" and "gradient is not finite" in run.message

    class Squash(Bowl):  # finite loss even at an infinite point
        def __call__(self, x):
            return float(np.tanh(np.nan_to_num(np.sum(x), nan=0.0)))

        def grad(self, x):
            return np.full_like(x, -1e308)

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        run = gd.minimize(Squash(), gd.GradientDescent(lr=10.0), [0.0, 0.0], 5)
    assert run.status == "diverged" and "point is not finite" in run.message


def test_diverge_at_bound():
    run = gd.minimize(Bowl(), gd.GradientDescent(lr=0.3), [1.0, 1.0], 100, diverge_at=100.0)
    assert run.status == "diverged" and 100 < abs(run.loss)


# ------------------------------------------------------------------ options


def test_minimize_resets_the_optimizer_and_is_reproducible():
    opt = gd.Adam(lr=0.05)
    a = gd.minimize(Rosenbrock(), opt, [-1.0, 1.0], 50)
    b = gd.minimize(Rosenbrock(), opt, [-1.0, 1.0], 50)
    np.testing.assert_array_equal(a.xs, b.xs)
    assert opt.t == 50


def test_schedule_sets_lr_each_step_and_lr_is_restored():
    opt = gd.GradientDescent(lr=0.01)
    schedule = gd.StepLR(0.1, step_size=2, gamma=0.5)
    run = gd.minimize(Bowl(), opt, [1.0, 1.0], 6, schedule=schedule)
    np.testing.assert_allclose(run.lrs, [0.1, 0.1, 0.05, 0.05, 0.025, 0.025])
    np.testing.assert_allclose(run.xs[1:], run.xs[:-1] - run.lrs[:, None] * run.grads[:-1])
    assert opt.lr == 0.01
    lam = gd.minimize(Bowl(), opt, [1.0, 1.0], 3, schedule=lambda t: 0.1 / (t + 1))
    np.testing.assert_allclose(lam.lrs, [0.1, 0.05, 0.1 / 3])


def test_schedule_returning_a_bad_rate():
    with pytest.raises(ValueError, match=r"schedule\(2\) must return a finite learning rate"):
        gd.minimize(Bowl(), gd.GradientDescent(lr=0.1), [1.0, 1.0], 5,
                    schedule=lambda t: 0.1 - 0.1 * t)


def test_clipping():
    run = gd.minimize(Bowl((100.0, 100.0)), gd.GradientDescent(lr=1.0), [3.0, 4.0], 5,
                      clip_norm=0.5)
    steps = np.linalg.norm(np.diff(run.xs, axis=0), axis=1)
    assert np.all(steps <= 0.5 + 1e-12)
    np.testing.assert_allclose(steps[0], 0.5)
    np.testing.assert_allclose(run.grads[0], [300.0, 400.0])  # recorded before clipping
    run = gd.minimize(Bowl((100.0, 100.0)), gd.GradientDescent(lr=1.0), [3.0, 4.0], 1,
                      clip_value=0.1)
    np.testing.assert_allclose(run.xs[1], [2.9, 3.9])


def test_bounds_project_every_iterate():
    run = gd.minimize(Bowl(), gd.GradientDescent(lr=0.1), [3.0, 3.0], 50,
                      bounds=(1.0, 5.0))
    assert np.all(run.xs >= 1.0) and np.all(run.xs <= 5.0)
    np.testing.assert_allclose(run.x, [1.0, 1.0])
    per_coord = gd.minimize(Bowl(), gd.Adam(lr=0.5), [3.0, 3.0], 50,
                            bounds=([2.0, -np.inf], [4.0, np.inf]))
    assert np.all(per_coord.xs[:, 0] >= 2.0)
    assert per_coord.x[0] == 2.0 and abs(per_coord.x[1]) < 1.0
    start_outside = gd.minimize(Bowl(), gd.GradientDescent(lr=0.1), [9.0, 0.0], 0,
                                bounds=(-1, 1))
    np.testing.assert_array_equal(start_outside.xs[0], [1.0, 0.0])


def test_callback_sees_every_point():
    seen = []
    gd.minimize(Bowl(), gd.GradientDescent(lr=0.1), [1.0, 1.0], 3,
                callback=lambda k, x, loss: seen.append((k, x.tolist(), loss)))
    assert [k for k, _, _ in seen] == [0, 1, 2, 3]
    assert seen[0][1] == [1.0, 1.0] and seen[0][2] == pytest.approx(5.5)


def test_zero_steps():
    run = gd.minimize(Bowl(), gd.Adam(), [1.0, 2.0], 0)
    assert run.n_steps == 0 and run.status == "max_steps" and run.lrs.shape == (0,)


# ------------------------------------------------------------------ validation


class NoGrad:
    def __call__(self, x):
        return 0.0


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"steps": -1}, ValueError, "steps must be >= 0"),
        ({"steps": 2.5}, TypeError, "steps must be a whole number"),
        ({"x0": [np.nan, 1.0]}, ValueError, "x0 must be finite"),
        ({"x0": [[1.0, 2.0]]}, ValueError, "x0 must be a non-empty 1-D point"),
        ({"x0": "abc"}, TypeError, "x0 must be a number"),
        ({"loss_threshold": np.nan}, ValueError, "loss_threshold must be finite"),
        ({"grad_tol": -1e-3}, ValueError, "grad_tol must be >= 0"),
        ({"clip_norm": 0}, ValueError, "clip_norm must be > 0"),
        ({"clip_value": -1}, ValueError, "clip_value must be > 0"),
        ({"diverge_at": 0}, ValueError, "diverge_at must be > 0"),
        ({"bounds": 3.0}, TypeError, "bounds must be a pair"),
        ({"bounds": (2.0, 1.0)}, ValueError, "low <= high"),
        ({"bounds": ([0, 0, 0], 1.0)}, ValueError, "bounds low must be a number or have 2"),
        ({"bounds": (0.0, np.nan)}, ValueError, "bounds high must not be NaN"),
        ({"schedule": 0.1}, TypeError, "schedule must be a callable"),
        ({"callback": 3}, TypeError, "callback must be callable"),
        ({"f": NoGrad()}, TypeError, "f must be an objective"),
        ({"optimizer": "adam"}, TypeError, "optimizer must be an optimizer object"),
    ],
)
def test_minimize_validation(kwargs, error, match):
    args = {"f": Bowl(), "optimizer": gd.Adam(), "x0": [1.0, 1.0], "steps": 10} | kwargs
    with pytest.raises(error, match=match):
        gd.minimize(**args)


def test_wrong_gradient_shape_and_wrong_loss_shape():
    class BadGrad(Bowl):
        def grad(self, x):
            return np.zeros(3)

    with pytest.raises(ValueError, match=r"f.grad\(x\) must return the shape of x \(2,\)"):
        gd.minimize(BadGrad(), gd.Adam(), [1.0, 1.0], 3)

    class BadLoss(Bowl):
        def __call__(self, x):
            return np.array([1.0, 2.0])

    with pytest.raises(ValueError, match=r"f\(x\) must return a single number"):
        gd.minimize(BadLoss(), gd.Adam(), [1.0, 1.0], 3)



def test_every_step_checks_what_the_objective_returns():
    """The first step's types are not trusted for the rest of the run."""
    class Changing(Bowl):
        def __init__(self, bad_at, bad):
            super().__init__()
            self.calls, self.bad_at, self.bad = 0, bad_at, bad

        def grad(self, x):
            self.calls += 1
            g = super().grad(x)
            return self.bad(g) if self.calls > self.bad_at else g

    plain = gd.minimize(Bowl(), gd.Adam(lr=0.1), [1.0, 1.0], 6)
    as_list = gd.minimize(Changing(3, np.ndarray.tolist), gd.Adam(lr=0.1), [1.0, 1.0], 6)
    assert as_list.xs.tolist() == plain.xs.tolist()
    assert as_list.grads.tolist() == plain.grads.tolist()
    with pytest.raises(ValueError, match=r"f.grad\(x\) must return the shape of x \(2,\)"):
        gd.minimize(Changing(3, lambda g: g[:1]), gd.Adam(), [1.0, 1.0], 6)
    with pytest.raises(TypeError, match=r"f.grad\(x\) must return an array of numbers"):
        gd.minimize(Changing(2, lambda g: "oops"), gd.Adam(), [1.0, 1.0], 6)

    class LateBadLoss(Bowl):
        calls = 0

        def __call__(self, x):
            self.calls += 1
            return super().__call__(x) if self.calls < 4 else None

    with pytest.raises(TypeError, match=r"f\(x\) must return the loss as a real number"):
        gd.minimize(LateBadLoss(), gd.Adam(), [1.0, 1.0], 6)

def test_trajectory_rejects_unknown_status():
    with pytest.raises(ValueError, match="status must be"):
        gd.Trajectory(xs=[[0.0]], losses=[0.0], grads=[[0.0]], lrs=[], status="done")


# ------------------------------------------------------------------ minimize_many


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), name=st.sampled_from(["adam", "momentum", "rmsprop"]))
def test_minimize_many_rows_match_minimize(seed, name):
    rng = np.random.default_rng(seed)
    starts = rng.uniform(-2, 2, size=(4, 2))
    make = {"adam": lambda: gd.Adam(lr=0.05), "momentum": lambda: gd.Momentum(lr=1e-3),
            "rmsprop": lambda: gd.RMSProp(lr=0.01)}[name]
    batch = gd.minimize_many(Rosenbrock(), make(), starts, 60, loss_threshold=0.5)
    for i, x0 in enumerate(starts):
        single = gd.minimize(Rosenbrock(), make(), x0, 60, loss_threshold=0.5)
        assert batch.status[i] == single.status
        assert batch.n_steps[i] == single.n_steps
        np.testing.assert_allclose(batch.x[i], single.x, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(batch.loss[i], single.loss, rtol=1e-12, atol=1e-15)
        row = batch[i]
        np.testing.assert_allclose(row.xs, single.xs, rtol=1e-12, atol=1e-15)
        known = np.isfinite(single.grads)  # minimize skips the gradient at a blown-up point
        np.testing.assert_allclose(row.grads[known], single.grads[known], rtol=1e-12)


def test_minimize_many_per_row_status_without_warnings():
    starts = np.array([[1e-3, 0.0], [1.0, 1.0], [1e6, 1e6], [0.5, -0.5]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        batch = gd.minimize_many(Bowl(), gd.GradientDescent(lr=0.15), starts, 500,
                                 loss_threshold=1e-8)
    assert batch.status.tolist() == ["converged", "converged", "diverged", "converged"]
    assert batch.n_steps[2] < batch.n_steps[1]
    assert batch.xs.shape[1:] == (4, 2) and batch.losses.shape[1] == 4
    assert batch.n_steps[0] > 0
    # a stopped row is frozen
    frozen = batch.xs[batch.n_steps[1]:, 1]
    assert np.all(frozen == frozen[0])
    assert batch.counts() == {"converged": 3, "max_steps": 0, "diverged": 1}
    assert len(batch) == 4
    assert "3 converged" in batch.summary() and "1 diverged" in batch.summary()
    assert repr(batch) == "TrajectoryBatch(m=4, converged=3, max_steps=0, diverged=1)"
    assert batch[2].status == "diverged" and batch[-1].status == "converged"


def test_minimize_many_options():
    starts = np.array([[3.0, 3.0], [-3.0, 0.5]])
    batch = gd.minimize_many(Bowl(), gd.Adam(lr=0.5), starts, 40, bounds=(-1.0, 1.0),
                             schedule=gd.CosineLR(0.5, 40), clip_norm=1.0, clip_value=5.0,
                             record=False)
    assert batch.xs is None and batch.losses is None
    assert np.all(np.abs(batch.x) <= 1.0)
    assert batch.lrs[0] == 0.5 and batch.lrs[-1] < 0.01
    with pytest.raises(ValueError, match="record=False"):
        batch[0]
    tol = gd.minimize_many(Bowl(), gd.GradientDescent(lr=0.1), starts, 1000, grad_tol=1e-3)
    assert set(tol.status) == {"converged"}


@pytest.mark.parametrize(
    "x0s, match",
    [
        ([1.0, 2.0], r"x0s must have shape \(m, d\)"),
        (np.zeros((0, 2)), r"x0s must have shape \(m, d\)"),
        ([[np.inf, 0.0]], "x0s must be finite"),
    ],
)
def test_minimize_many_validation(x0s, match):
    with pytest.raises(ValueError, match=match):
        gd.minimize_many(Bowl(), gd.Adam(), x0s, 5)


def test_minimize_many_needs_vectorized_objective():
    class Scalar(Bowl):
        def __call__(self, x):
            return float(np.sum(x))

    with pytest.raises(ValueError, match=r"f\(X\) must return shape \(3,\)"):
        gd.minimize_many(Scalar(), gd.Adam(), np.zeros((3, 2)), 5)

    class BadGrad(Bowl):
        def grad(self, x):
            return x[:, :1]

    with pytest.raises(ValueError, match=r"f.grad\(X\) must return the shape of X"):
        gd.minimize_many(BadGrad(), gd.Adam(), np.zeros((3, 2)), 5)


def test_minimize_many_is_fast_enough_for_a_plot():
    import time

    starts = np.random.default_rng(1).uniform(-2, 2, size=(2000, 2))
    t0 = time.perf_counter()
    gd.minimize_many(Rosenbrock(), gd.Adam(lr=0.01), starts, 200, record=False)
    # 2,000 x 200 takes ~0.05 s here; 2 s leaves room for a loaded CI machine
    assert time.perf_counter() - t0 < 2.0


# ------------------------------------------------------------------ the shared stopping rules


def test_every_loop_stops_for_the_same_reasons_in_the_same_words():
    f = gd.IllConditionedQuadratic(condition_number=10)
    start = [3.0, -2.0]
    run = gd.minimize(f, gd.GradientDescent(lr=0.01), start, 5, diverge_at=1.0)
    new = gd.newton(f, start, 5, diverge_at=1.0)
    assert run.status == new.status == "diverged" and run.message == new.message
    assert run.message.startswith("|loss| = ") and "diverge_at = 1 at step 0" in run.message
    run = gd.minimize(f, gd.GradientDescent(lr=0.05), start, 3, grad_tol=None)
    new = gd.newton(f, start, 0, grad_tol=None)
    assert run.message == "ran all 3 steps" and new.message == "ran all 0 steps"
    many = gd.minimize_many(f, gd.GradientDescent(lr=0.05), [start], 3)
    assert many.status.tolist() == [run.status]
    h = gd.fit(gd.LinearRegression(), [[1.0]], [1.0], gd.GradientDescent(lr=0.1), 4)
    assert (h.status, h.message) == ("max_steps", "ran all 4 epochs")
    assert gd.STATUSES == ("converged", "max_steps", "diverged")
    assert set(gd.minimize_many(f, gd.Adam(), [start], 2).counts()) == set(gd.STATUSES)


def test_stopping_rules_on_their_own():
    rules = gd.StoppingRules(10, loss_threshold=0.5, grad_tol=1e-3)
    assert rules.check_point(0, 1.0, [1.0, 2.0]) is None
    assert rules.check_point(1, np.inf, [1.0, 2.0]) == ("diverged", "loss is inf at step 1")
    assert rules.check_point(0, 1.0, [np.nan, 0.0]) == (
        "diverged", "the point is not finite at step 0")
    assert "step from a finite point" in rules.check_point(2, 1.0, [np.nan, 0.0])[1]
    assert rules.check_grad(3, 1.0, None, [np.inf, 0.0])[1] == (
        "the gradient is not finite at step 3")
    assert rules.check_grad(4, 0.25, None, [1.0, 0.0])[0] == "converged"
    assert rules.check_grad(5, 1.0, None, [1e-4, 0.0])[1].startswith("gradient norm")
    assert rules.check_grad(10, 1.0, None, [1.0, 0.0]) == ("max_steps", "ran all 10 steps")
    assert rules.check_grad(9, 1.0, None, np.ones(40)) is None  # large points: arrays
    bad, stop = rules.check_many(np.array([1.0, 0.1, np.nan]), np.zeros((3, 2)),
                                 np.ones((3, 2)))
    assert bad.tolist() == [False, False, True] and stop.tolist() == [False, True, True]
    assert "StoppingRules(steps=10" in repr(rules)
    with pytest.raises(ValueError, match="diverge_at"):
        gd.StoppingRules(10, diverge_at=0.0)
