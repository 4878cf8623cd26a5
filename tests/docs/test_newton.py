"""docs/newton.md: structure, cells, and every number its prose states."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

import gdcore as gd

PAGE = "newton"


@pytest.fixture(scope="module")
def text(page_text):
    return " ".join(page_text(PAGE).split())




def test_jacobian_of_the_throw_has_the_physical_signs():
    def throw(p):
        machine = gd.DartLoss(speed=p[1])
        return [machine.height(p[0]), machine.flight_time(p[0])]

    J = gd.jacobian(throw, [gd.deg2rad(39.261), 10.0])
    assert J.shape == (2, 2)
    assert J[0, 0] > 0 and J[0, 1] > 0  # steeper or faster: the dart hits higher
    assert J[1, 1] < 0  # faster: it arrives sooner


def test_hessian_estimates_and_the_indefinite_point(text):
    f = gd.landscapes["rosenbrock"]
    x = np.array([-1.0, 1.0])
    H = f.hessian(x)
    err_values = np.abs(gd.numerical_hessian(f, x) - H).max()
    err_grad = np.abs(gd.jacobian(f.grad, x) - H).max()
    assert err_grad < err_values < 1e-3  # "the second line is less accurate than the third"
    assert x[1] == x[0] ** 2  # on the valley floor y = x^2
    eig = np.linalg.eigvalsh(H)
    assert eig.min() > 0 and eig.max() / eig.min() > 1000  # steep across, flat along
    assert "`x = np.array([-1.0, 1.5])`" in text
    assert np.linalg.eigvalsh(f.hessian([-1.0, 1.5])).min() < 0


def test_one_newton_step_solves_a_quadratic():
    q = gd.IllConditionedQuadratic(condition_number=100)
    for start in ([3.0, 2.0], [-4.0, 0.5], [0.1, -3.0]):
        assert np.abs(gd.newton_step(q, start)).max() < 1e-12


def test_ill_conditioned_quadratic_numbers(text):
    for s in ["curvatures are $1$ and $100$", "$\\kappa = 100$", "below $2/100$"]:
        assert s in text, s
    q = gd.IllConditionedQuadratic(condition_number=100)
    assert list(q.eigenvalues) == [1.0, 100.0]
    stable = gd.minimize(q, gd.GradientDescent(lr=0.0199), [3.0, 2.0], 300)
    unstable = gd.minimize(q, gd.GradientDescent(lr=0.0201), [3.0, 2.0], 3000)
    assert stable.status == "max_steps" and unstable.status == "diverged"


def steps_to_converge(kappa):
    q = gd.IllConditionedQuadratic(condition_number=kappa)
    run = gd.minimize(q, gd.GradientDescent(lr=2 / (q.L + q.mu)), x0=[3.0, 2.0], steps=50_000,
                      loss_threshold=1e-8)
    assert run.status == "converged"
    return run.n_steps, gd.newton(q, [3.0, 2.0], steps=10, loss_threshold=1e-8).n_steps


def test_condition_number_1000_needs_about_ten_times_more_steps(text):
    assert "`condition_number=100`" in text and "to `1000`" in text
    assert "about ten times more steps; Newton still needs one" in text
    (gd100, n100), (gd1000, n1000) = steps_to_converge(100), steps_to_converge(1000)
    assert 8 <= gd1000 / gd100 <= 13
    assert n100 == n1000 == 1


def test_pure_newton_on_rosenbrock_raises_the_loss_at_the_second_step(text):
    assert "the second step *raises* the loss enormously" in text
    run = gd.newton(gd.landscapes["rosenbrock"], [-1.5, 2.0], steps=50, loss_threshold=1e-8)
    assert run.status == "converged"
    assert run.losses[1] < run.losses[0]
    assert run.losses[2] > 100 * run.losses[1]


def test_cost_of_newton(text):
    assert "a Hessian of terabytes" in text
    assert 8 * (1e6) ** 2 == pytest.approx(8e12)  # 8 TB for a million parameters


def test_saddle_newton_step_raises_the_loss(text):
    f = gd.landscapes["saddle"]
    jump = gd.newton_step(f, [0.5, 1.0])
    assert np.abs(jump).max() < 1e-12 and f(jump) > f([0.5, 1.0])


def test_exact_line_search_makes_successive_gradients_orthogonal():
    f = gd.IllConditionedQuadratic(condition_number=10)
    x = np.array([3.5, 1.5])
    for _ in range(8):
        g = f.grad(x)
        x = x - gd.exact_line_search_quadratic(f.A, g, -g) * g
        assert abs(f.grad(x) @ g) < 1e-10 * max(1.0, g @ g)


def test_backtracking_defaults_match_the_prose(text):
    assert "$c = 10^{-4}$" in text and "$\\rho = 0.5$" in text
    params = inspect.signature(gd.backtracking_line_search).parameters
    assert params["c"].default == 1e-4 and params["shrink"].default == 0.5
    assert params["lr0"].default == 1.0  # "try epsilon = 1"


def test_newton_with_backtracking_never_increases_the_loss():
    run = gd.newton(gd.landscapes["rosenbrock"], [-1.5, 2.0], steps=50, line_search=True,
                    loss_threshold=1e-8)
    assert run.status == "converged"
    assert np.all(np.diff(run.losses) <= 0)


def test_exercise_1_above_the_stability_limit():
    q = gd.IllConditionedQuadratic(condition_number=100)
    run = gd.minimize(q, gd.GradientDescent(lr=2.05 / q.L), x0=[3.0, 2.0], steps=5000,
                      loss_threshold=1e-8)
    assert run.status == "diverged"
    assert gd.newton(q, [3.0, 2.0], steps=10, loss_threshold=1e-8).n_steps == 1


def test_exercise_2_line_search_and_the_saddle():
    f = gd.landscapes["saddle"]
    escape = gd.newton(f, [0.5, 1.0], steps=10, line_search=True)
    assert np.all(np.diff(escape.losses) < 0)  # the loss keeps falling
    trapped = gd.newton(f, [1.0, 0.5], steps=10, line_search=True)
    assert np.abs(trapped.x).max() < 1e-12  # stops on the saddle point anyway


def test_exercise_3_larger_c_gives_a_shorter_step():
    f = gd.landscapes["rosenbrock"]
    x = np.zeros(2)
    d = -f.grad(x)
    assert gd.backtracking_line_search(f, x, d, c=0.9) < gd.backtracking_line_search(f, x, d)
