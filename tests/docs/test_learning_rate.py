"""docs/learning-rate.md: structure, cells, and every number its prose states."""

from __future__ import annotations

import math

import numpy as np
import pytest

import gdcore as gd

PAGE = "learning-rate"
BOUNDS = (-math.pi / 2, math.pi / 2)
LEARNING_RATES = [1, 0.1, 0.01, 0.001, 1e-4, 1e-5]
BUDGETS = [1, 10, 100, 1000, 10_000, 100_000]


@pytest.fixture(scope="module")
def text(page_text):
    return " ".join(page_text(PAGE).split())  # line breaks in the prose become spaces


@pytest.fixture(scope="module")
def dart():
    return gd.DartLoss()


@pytest.fixture(scope="module")
def sweep(dart):
    return {
        lr: gd.minimize(dart, gd.GradientDescent(lr=lr), x0=0.0, steps=max(BUDGETS),
                        bounds=BOUNDS, loss_threshold=0.001)
        for lr in LEARNING_RATES
    }




def test_required_cells_exist(page_cells):
    ids = {c.id for c in page_cells(PAGE)}
    for cell_id in ["dart-physics", "dart-loss-curve", "dart-sign-descent", "dart-gd-sweep",
                    "dart-gd-sweep-plot", "dart-decay", "bowl-learning-rates"]:
        assert cell_id in ids


def test_physics_constants_match_the_library_defaults(text, dart):
    for s in ["$10\\,\\text{m}$", "$1\\,\\text{m}$", "$v = 10\\,\\text{m/s}$",
              "$g = 9.8\\,\\text{m/s}^2$"]:
        assert s in text, s
    assert (dart.speed, dart.distance, dart.launch_height, dart.target_height, dart.g) == (
        10, 10, 1, 1, 9.8)


def test_two_solutions_add_up_to_90_degrees(text, dart):
    assert "\\theta_1 + \\theta_2 = 90°" in text
    low, high = dart.solutions()
    assert math.tan(low) * math.tan(high) == pytest.approx(1.0, rel=1e-12)
    assert gd.rad2deg(low + high) == pytest.approx(90.0, abs=1e-9)
    assert round(gd.rad2deg(low), 3) == 39.261  # "near 39°" in the prose
    assert dart(low) < 1e-20 and dart(high) < 1e-20


def test_threshold_is_a_miss_of_about_4_5_cm(text):
    assert "a miss of about $4.5\\,\\text{cm}$" in text
    miss = math.sqrt(2 * 0.001)  # L = 0.5 * miss^2
    assert round(miss * 100, 1) == 4.5


def test_sign_descent_behaviours(dart):
    def run(eta, steps=100):
        return gd.minimize(dart, gd.SignDescent(lr=gd.deg2rad(eta)), x0=0.0, steps=steps)

    big, small, tiny = run(10), run(1), run(0.1)
    # large and smaller steps end up bouncing between two angles around the solution
    for r in (big, small):
        a = gd.rad2deg(r.xs[-4:, 0])
        assert a[0] == pytest.approx(a[2]) and a[1] == pytest.approx(a[3])
        assert min(a) < 39.261 < max(a)
    assert np.ptp(gd.rad2deg(small.xs[-4:, 0])) < np.ptp(gd.rad2deg(big.xs[-4:, 0]))
    # the tiny step has not arrived after the same 100 steps
    assert gd.rad2deg(tiny.x[0]) < 20


def test_lr_0_1_first_step_hits_the_90_degree_clip(text, dart):
    assert "Change `lr=0.01` to `lr=0.1`" in text
    run = gd.minimize(dart, gd.GradientDescent(lr=0.1), x0=0.0, steps=1, bounds=BOUNDS)
    assert gd.rad2deg(run.x[0]) == pytest.approx(90.0)
    assert run.loss > 1e60


def test_sweep_lists_the_outline_grid(text, page_cells):
    code = next(c.code for c in page_cells(PAGE) if c.id == "dart-gd-sweep")
    assert "learning_rates = [1, 0.1, 0.01, 0.001, 1e-4, 1e-5]" in code
    assert "budgets = [1, 10, 100, 1000, 10_000, 100_000]" in code
    assert "threshold = 0.001" in code
    assert "$\\{1, 0.1, 0.01, 0.001, 10^{-4}, 10^{-5}\\}$" in text
    assert "$\\{1, 10, 100, 1000, 10^4, 10^5\\}$" in text


def test_sweep_outcomes_stated_in_the_prose(text, sweep):
    # too large: diverged on the first step
    assert "($\\eta = 1$ and $0.1$)" in text
    for lr in (1, 0.1):
        assert sweep[lr].status == "diverged" and sweep[lr].n_steps == 1
    # about right: fewer than 20 steps
    assert "in fewer than 20 steps" in text
    assert sweep[0.01].status == "converged" and sweep[0.01].n_steps < 20
    # each factor of ten less learning rate costs roughly ten times more steps
    steps = [sweep[lr].n_steps for lr in (0.01, 0.001, 1e-4, 1e-5)]
    for a, b in zip(steps, steps[1:], strict=False):
        assert 8 <= b / a <= 13
    # tiny: not there after 10,000 iterations, about 19,000 needed
    assert "about 19,000 steps" in text
    tiny = sweep[1e-5]
    assert tiny.losses[10_000] > 0.001
    assert tiny.status == "converged" and round(tiny.n_steps, -3) == 19_000


def test_reading_off_prefixes_equals_separate_runs(dart, sweep):
    for lr in (0.001, 1e-4):
        for n in (1, 10, 100):
            alone = gd.minimize(dart, gd.GradientDescent(lr=lr), x0=0.0, steps=n,
                                bounds=BOUNDS, loss_threshold=0.001)
            assert alone.loss == sweep[lr].losses[min(n, sweep[lr].n_steps)]


def test_symmetric_bounce_and_its_decay_cure(dart):
    low = dart.solutions()[0]
    assert 0.2 > 2 / dart.hessian(low)  # lr = 0.2 is above the stability limit
    bounce = gd.minimize(dart, gd.GradientDescent(lr=0.2), x0=gd.deg2rad(38), steps=500,
                         bounds=BOUNDS)
    a = bounce.xs[-4:, 0]
    assert a[0] == pytest.approx(a[2], abs=1e-12) and a[1] == pytest.approx(a[3], abs=1e-12)
    assert min(a) < low < max(a) and min(bounce.losses[-4:]) > 0.001
    decayed = gd.minimize(dart, gd.GradientDescent(lr=0.2), x0=gd.deg2rad(38), steps=500,
                          bounds=BOUNDS, schedule=gd.ExponentialLR(0.2, gamma=0.99))
    assert decayed.loss < 1e-20


def test_sign_descent_decay_and_the_gamma_0_5_warning(text, dart):
    assert "only $2\\eta_0 = 20°$" in text
    def run(gamma):
        return gd.minimize(dart, gd.SignDescent(lr=gd.deg2rad(10)), x0=0.0, steps=200,
                           schedule=gd.ExponentialLR(gd.deg2rad(10), gamma=gamma))
    assert run(0.9).loss < 1e-12
    frozen = run(0.5)
    assert gd.rad2deg(frozen.x[0]) <= 20 + 1e-9 and frozen.loss > 1


def test_two_d_bowl_learning_rates(text):
    bowl = gd.IllConditionedQuadratic(condition_number=4)
    assert list(bowl.eigenvalues) == [1.0, 4.0]  # gradient (x, 4y)
    for s in ["(here $0.05$)", "(here $0.4$)", "($0.6$ and $-0.6$)", "(here $0.52$)"]:
        assert s in text, s
    assert (1 - 0.4, 1 - 4 * 0.4) == pytest.approx((0.6, -0.6))
    assert abs(1 - 4 * 0.52) > 1

    def run(lr):
        return gd.minimize(bowl, gd.GradientDescent(lr=lr), x0=[-3.5, 0.5], steps=20)

    small, good, large = run(0.05), run(0.4), run(0.52)
    assert small.loss > 0.5 and abs(small.x[0]) > 1  # still far from the centre
    assert good.loss < 1e-6
    assert large.loss > large.losses[0] and abs(large.x[0]) < 1e-3  # y diverges, x converges


def test_exercise_1_lr_0_05_diverges(text, dart):
    for s in ["$L'(0) = -49$", "$0.05 \\times 49 = 2.45$", "about 140°"]:
        assert s in text, s
    assert dart.grad(0.0) == pytest.approx(-49.0, rel=1e-12)
    assert round(gd.rad2deg(0.05 * 49)) == 140
    run = gd.minimize(dart, gd.GradientDescent(lr=0.05), x0=0.0, steps=1000, bounds=BOUNDS,
                      loss_threshold=0.001)
    assert run.status == "diverged"


def test_exercise_2_smallest_gamma(text, dart):
    assert "0.7 is the smallest" in text

    def final_loss(gamma):
        return gd.minimize(dart, gd.GradientDescent(lr=0.2), x0=gd.deg2rad(38), steps=500,
                           bounds=BOUNDS, schedule=gd.ExponentialLR(0.2, gamma=gamma)).loss

    losses = {g: final_loss(g) for g in (0.9, 0.8, 0.7, 0.6, 0.5)}
    assert all(losses[g] < 1e-8 for g in (0.9, 0.8, 0.7))
    assert losses[0.6] > 1e-8 and losses[0.5] > 1e-8


def test_exercise_3_lr_0_25_zeroes_y(text):
    assert "$\\eta = 0.25$ sets $y = 0$" in text and "factor $1 - 0.25 = 0.75$" in text
    bowl = gd.IllConditionedQuadratic(condition_number=4)
    run = gd.minimize(bowl, gd.GradientDescent(lr=0.25), x0=[-3.5, 0.5], steps=2)
    assert run.xs[1, 1] == 0.0
    assert run.xs[2, 0] / run.xs[1, 0] == pytest.approx(0.75)
