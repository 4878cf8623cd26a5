"""docs/gradients.md: structure, cells, and every number its prose states."""

from __future__ import annotations

import numpy as np
import pytest

import gdcore as gd

PAGE = "gradients"


@pytest.fixture(scope="module")
def text(page_text):
    return " ".join(page_text(PAGE).split())




def step_is_lower(theta_deg: float, eps: float) -> bool:
    dart = gd.DartLoss()
    theta = gd.deg2rad(theta_deg)
    new = theta - eps * np.sign(dart.grad(theta))
    return dart(new) < dart(theta)


def test_small_steps_against_the_slope_go_downhill_at_20_degrees(text):
    assert "at $\\theta = 20°$" in text
    assert not step_is_lower(20, 1.0)  # "The large step jumps over the valley"
    for eps in [0.5, 0.1, 0.01, 0.001]:
        assert step_is_lower(20, eps)


def test_exercise_1_at_45_degrees(text):
    assert "a step of one radian (about 57°)" in text and "near 39°" in text
    assert round(gd.rad2deg(1.0)) == 57
    assert round(gd.rad2deg(gd.DartLoss().solutions()[0])) == 39
    assert gd.DartLoss().grad(gd.deg2rad(45)) > 0  # "the slope is positive"
    assert not step_is_lower(45, 1.0)
    for eps in [0.1, 0.01, 0.001]:
        assert step_is_lower(45, eps)


def test_himmelblau_gradient_formula_and_four_minima(text):
    assert "four minima" in text
    f = gd.landscapes["himmelblau"]
    assert len(f.minima) == 4
    rng = np.random.default_rng(3)
    for x, y in rng.uniform(-5, 5, size=(5, 2)):
        formula = [4 * x * (x**2 + y - 11) + 2 * (x + y**2 - 7),
                   2 * (x**2 + y - 11) + 4 * y * (x + y**2 - 7)]
        assert f.grad([x, y]) == pytest.approx(formula, rel=1e-12, abs=1e-9)


def test_directional_derivative_is_grad_dot_u():
    f = gd.landscapes["himmelblau"]
    x = np.array([1.0, 1.0])
    g = f.grad(x)
    for phi in np.linspace(0, 2 * np.pi, 9):
        u = np.array([np.cos(phi), np.sin(phi)])
        measured = gd.central_difference(lambda t, u=u: f(x + t[0] * u), 0.0)
        assert measured == pytest.approx(g @ u, rel=1e-6, abs=1e-6)
    # steepest descent: -grad/|grad| gives the rate -|grad|
    u = -g / np.linalg.norm(g)
    assert gd.central_difference(lambda t: f(x + t[0] * u), 0.0) == pytest.approx(
        -np.linalg.norm(g), rel=1e-8)


def test_finite_difference_error_slopes_1_and_2(text):
    assert "slopes 1 and 2" in text
    dart = gd.DartLoss()
    exact = dart.grad(0.5)
    hs = np.logspace(-4, -2, 9)
    fwd = [abs(gd.forward_difference(dart, 0.5, h=h) - exact) for h in hs]
    cen = [abs(gd.central_difference(dart, 0.5, h=h) - exact) for h in hs]
    assert np.polyfit(np.log10(hs), np.log10(fwd), 1)[0] == pytest.approx(1.0, abs=0.1)
    assert np.polyfit(np.log10(hs), np.log10(cen), 1)[0] == pytest.approx(2.0, abs=0.1)


def test_cost_of_finite_differences(text):
    assert "two million forward passes per step" in text
    assert "$n + 1$ evaluations" in text and "the central difference $2n$" in text
    n = 1_000_000
    assert 2 * n == 2_000_000
    calls = []
    gd.central_difference(lambda p: calls.append(1) or float(p.sum()), np.zeros(5))
    assert len(calls) == 2 * 5
    calls.clear()
    gd.forward_difference(lambda p: calls.append(1) or float(p.sum()), np.zeros(5))
    assert len(calls) == 5 + 1


def test_exercise_2_cliff_makes_finite_differences_worse():
    dart = gd.DartLoss()
    hs = np.logspace(-13, -1, 49)

    def best(theta, rule):
        exact = dart.grad(theta)
        errors = [abs(rule(dart, theta, h=h) - exact) for h in hs]
        return min(errors), hs[int(np.argmin(errors))]

    for rule in (gd.forward_difference, gd.central_difference):
        (e1, h1), (e2, h2) = best(0.5, rule), best(1.2, rule)
        assert e2 > 10 * e1  # "the printed best errors rise"
        assert h1 != h2  # "the best h moves"


def test_chain_rule_by_hand_matches_the_analytic_gradient(run_page):
    out = run_page(PAGE)["chain-rule-by-hand"].stdout.splitlines()
    assert out[0].split(":")[1].strip() == out[1].split(":")[1].strip()


def test_gradient_check_thresholds(text):
    assert "$10^{-7}$ or below" in text and "$10^{-2}$ or more" in text
    rng = np.random.default_rng(0)
    for land in gd.landscapes.values():
        (xlo, xhi), (ylo, yhi) = land.domain
        for p in rng.uniform([xlo, ylo], [xhi, yhi], size=(5, 2)):
            assert gd.check_gradient(land, p) < 1e-7


def test_the_buggy_gradient_is_caught_and_the_fix_passes():
    f = gd.landscapes["himmelblau"]

    def grad(p, factor):
        x, y = p
        return np.array([4 * x * (x**2 + y - 11) + 2 * (x + y**2 - 7),
                         factor * (x**2 + y - 11) + 4 * y * (x + y**2 - 7)])

    assert gd.check_gradient(f, [1.0, 1.0], grad=lambda p: grad(p, 1)) > 1e-2
    assert gd.check_gradient(f, [1.0, 1.0], grad=lambda p: grad(p, 2)) < 1e-7
