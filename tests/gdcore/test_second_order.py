"""Newton's method and line searches."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gdcore as gd
from gdcore.loop import Trajectory


def random_spd(seed, n=2, kappa=100.0):
    rng = np.random.default_rng(seed)
    Q, _ = np.linalg.qr(rng.standard_normal((n, n)))
    eig = np.geomspace(1.0, kappa, n)
    A = Q @ np.diag(eig) @ Q.T
    return 0.5 * (A + A.T), rng.standard_normal(n)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(1, 5))
def test_newton_solves_a_quadratic_in_one_step(seed, n):
    A, b = random_spd(seed, n)
    f = gd.Quadratic(A, b)
    x0 = np.random.default_rng(seed + 1).uniform(-5, 5, n)
    x1 = gd.newton_step(f, x0)
    assert np.allclose(x1, np.linalg.solve(A, b), rtol=1e-9, atol=1e-9)
    run = gd.newton(f, x0, steps=10, grad_tol=1e-8)
    assert run.n_steps == 1 and run.status == "converged"


def test_newton_returns_a_trajectory():
    f = gd.IllConditionedQuadratic(condition_number=1000)
    run = gd.newton(f, [3.0, -2.0], steps=5)
    assert isinstance(run, Trajectory)
    assert run.xs.shape == (2, 2) and run.losses.shape == (2,) and run.grads.shape == (2, 2)
    assert run.lrs.tolist() == [1.0]
    assert run.label == "Newton" and "converged" in run.summary()
    # without a stopping rule it runs every step
    full = gd.newton(f, [3.0, -2.0], steps=3, grad_tol=None)
    assert full.n_steps == 3 and full.status == "max_steps"


def test_newton_on_rosenbrock():
    f = gd.landscapes["rosenbrock"]
    pure = gd.newton(f, [-1.2, 1.0], steps=50)
    assert pure.status == "converged" and np.allclose(pure.x, [1.0, 1.0], atol=1e-10)
    searched = gd.newton(f, [-1.2, 1.0], steps=100, line_search=True)
    assert searched.status == "converged" and np.allclose(searched.x, [1.0, 1.0], atol=1e-10)
    assert np.all(np.diff(searched.losses) <= 0)  # Armijo: the loss never goes up
    assert searched.label == "Newton + line search"
    damped = gd.newton(f, [-1.2, 1.0], steps=500, damping=1.0)
    assert damped.label.startswith("damped") and damped.loss < pure.losses[0]


def test_newton_heads_for_saddles_unless_line_search():
    f = gd.landscapes["saddle"]
    pure = gd.newton(f, [0.5, 0.5], steps=5)
    assert np.allclose(pure.x, [0.0, 0.0])  # pure Newton jumps onto the saddle
    safe = gd.newton(f, [0.5, 0.5], steps=5, line_search=True, grad_tol=None)
    assert np.all(np.diff(safe.losses) < 0)  # falls back to descent: moves away
    assert abs(safe.x[1]) > 0.5


def test_singular_hessian():
    class Flat:
        name = "plane"

        def __call__(self, x):
            return float(x[0] + 2 * x[1])

        def grad(self, x):
            return np.array([1.0, 2.0])

        def hessian(self, x):
            return np.zeros((2, 2))

    with pytest.raises(ValueError, match="singular.*damping"):
        gd.newton_step(Flat(), [0.0, 0.0])
    with pytest.raises(ValueError, match="singular"):
        gd.newton(Flat(), [0.0, 0.0], steps=3)
    step = gd.newton_step(Flat(), [0.0, 0.0], damping=2.0)
    assert np.allclose(step, [-0.5, -1.0])
    run = gd.newton(Flat(), [0.0, 0.0], steps=3, line_search=True)
    assert np.all(np.diff(run.losses) < 0)  # the gradient fallback


def test_newton_reports_divergence():
    class Hyperbola:  # Newton iterates x -> -x^3: blows up from |x| > 1
        def __call__(self, x):
            return float(np.sqrt(1 + x[0] ** 2))

        def grad(self, x):
            return x / np.sqrt(1 + x**2)

        def hessian(self, x):
            return np.array([[(1 + x[0] ** 2) ** -1.5]])

    run = gd.newton(Hyperbola(), [2.0], steps=20, diverge_at=1e6)
    assert run.status == "diverged"
    assert run.n_steps < 20


@settings(max_examples=40, deadline=None)
@given(u=st.floats(0.05, 0.95), v=st.floats(0.05, 0.95))
def test_backtracking_satisfies_armijo(u, v):
    f = gd.landscapes["rosenbrock"]
    x = np.array([-2 + 4 * u, -1 + 4 * v])
    g = f.grad(x)
    d = -g
    c, shrink = 1e-4, 0.5
    alpha = gd.backtracking_line_search(f, x, d, g, lr0=1.0, shrink=shrink, c=c)
    assert f(x + alpha * d) <= f(x) + c * alpha * g @ d
    if alpha < 1.0:  # the previous (longer) trial failed the test
        longer = alpha / shrink
        assert f(x + longer * d) > f(x) + c * longer * g @ d


def test_backtracking_defaults_and_full_step():
    f = gd.landscapes["booth"]
    x = np.array([0.0, 0.0])
    p = gd.newton_step(f, x) - x
    assert gd.backtracking_line_search(f, x, p) == 1.0  # the Newton step is accepted


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(1, 5))
def test_exact_line_search_makes_new_gradient_orthogonal(seed, n):
    A, b = random_spd(seed, n)
    f = gd.Quadratic(A, b)
    rng = np.random.default_rng(seed)
    x = rng.uniform(-3, 3, n)
    g = f.grad(x)
    d = -g if seed % 2 else rng.standard_normal(n)
    if abs(g @ d) < 1e-9:
        return
    alpha = gd.exact_line_search_quadratic(A, g, d)
    new_g = f.grad(x + alpha * d)
    assert abs(new_g @ d) <= 1e-8 * (np.linalg.norm(g) * np.linalg.norm(d) + 1)
    # and it is the best step along d
    assert f(x + alpha * d) <= min(f(x + 0.9 * alpha * d), f(x + 1.1 * alpha * d))


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: gd.newton(gd.Bowl(), [1.0, 1.0], steps=-1), ValueError, "steps must be >= 0"),
        (lambda: gd.newton(gd.Bowl(), [1.0, 1.0], damping=-1), ValueError, "damping"),
        (lambda: gd.newton(gd.Bowl(), [1.0, np.inf]), ValueError, "x0 must be finite"),
        (lambda: gd.newton(gd.Bowl(), [1.0, 1.0], line_search=1), TypeError, "line_search"),
        (lambda: gd.newton(gd.Bowl(), [1.0, 1.0], grad_tol=-1), ValueError, "grad_tol"),
        (lambda: gd.newton(gd.Bowl(), [1.0, 1.0], diverge_at=0), ValueError, "diverge_at"),
        (lambda: gd.newton(lambda x: 0.0, [1.0]), TypeError, "hessian"),
        (lambda: gd.newton_step(gd.Bowl(), [1.0, 1.0], damping=-0.1), ValueError, "damping"),
        (lambda: gd.newton_step(gd.Bowl(), [1.0, 1.0, 1.0]), ValueError, "shape"),
        (
            lambda: gd.backtracking_line_search(gd.Bowl(), [1.0, 1.0], [1.0, 1.0]),
            ValueError, "descent direction",
        ),
        (
            lambda: gd.backtracking_line_search(gd.Bowl(), [1.0, 1.0], [-1.0, -1.0], shrink=1),
            ValueError, "shrink",
        ),
        (
            lambda: gd.backtracking_line_search(gd.Bowl(), [1.0, 1.0], [-1.0, -1.0], c=0),
            ValueError, "c must be in",
        ),
        (
            lambda: gd.backtracking_line_search(gd.Bowl(), [1.0, 1.0], [-1.0, -1.0], lr0=0),
            ValueError, "lr0",
        ),
        (
            lambda: gd.backtracking_line_search(gd.Bowl(), [1.0, 1.0], [-1.0]),
            ValueError, "direction",
        ),
        (
            lambda: gd.backtracking_line_search(lambda x: 0.0, [1.0], [-1.0]),
            TypeError, "grad",
        ),
        (
            lambda: gd.exact_line_search_quadratic(-np.eye(2), [1.0, 0.0], [1.0, 0.0]),
            ValueError, "positive curvature",
        ),
        (
            lambda: gd.exact_line_search_quadratic(np.eye(3), [1.0, 0.0], [1.0, 0.0]),
            ValueError, "A must have shape",
        ),
        (
            lambda: gd.exact_line_search_quadratic(np.eye(2), [1.0, 0.0], [1.0]),
            ValueError, "d must have 2",
        ),
    ],
)
def test_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()
