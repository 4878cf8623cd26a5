"""docs/minima.md: structure, cells, and every number its prose states."""

from __future__ import annotations

import numpy as np
import pytest

import gdcore as gd

PAGE = "minima"


@pytest.fixture(scope="module")
def text(page_text):
    return " ".join(page_text(PAGE).split())


def critical_points(f, xs, ys):
    """Newton's method from a grid of starts, as in the cell classify-critical-points."""
    found = []
    for sx in xs:
        for sy in ys:
            try:
                run = gd.newton(f, [sx, sy], steps=50)
            except ValueError:
                continue
            if run.status == "converged" and not any(np.allclose(run.x, p, atol=1e-6)
                                                     for p in found):
                found.append(run.x)
    kinds = []
    for p in found:
        eig = np.linalg.eigvalsh(f.hessian(p))
        kinds.append("minimum" if eig.min() > 0 else "maximum" if eig.max() < 0 else "saddle")
    return found, kinds




def test_dart_has_two_minima_and_a_maximum_between(text):
    assert "10 - 9.8\\tan\\theta = 0" in text
    dart = gd.DartLoss()
    low, high = dart.solutions()
    apex = np.arctan(10 / 9.8)
    assert low < apex < high
    for theta in (low, apex, high):
        assert abs(dart.grad(theta)) < 1e-12
    assert dart.hessian(low) > 0 and dart.hessian(high) > 0 and dart.hessian(apex) < 0
    # the apex is where the dart hits highest
    assert dart.height(apex) > max(dart.height(apex - 1e-3), dart.height(apex + 1e-3))


def test_himmelblau_has_four_minima_one_maximum_four_saddles(text):
    assert "four global minima with loss $0$, one local maximum and four saddle points" in text
    assert "Nine critical points: four minima, four saddles and one maximum" in text
    f = gd.landscapes["himmelblau"]
    grid = np.linspace(-4, 4, 7)
    found, kinds = critical_points(f, grid, grid)
    assert len(found) == 9
    assert (kinds.count("minimum"), kinds.count("saddle"), kinds.count("maximum")) == (4, 4, 1)
    for p, kind in zip(found, kinds, strict=True):
        if kind == "minimum":
            assert f(p) < 1e-20


def test_quadratics_are_convex_and_the_others_are_not(run_page):
    out = run_page(PAGE)["convexity-test"].stdout
    counts = {line.split()[0]: int(line.split("violations:")[1].split()[0])
              for line in out.splitlines()}
    assert counts["bowl"] == counts["booth"] == counts["ill-conditioned"] == 0
    assert min(counts["saddle"], counts["himmelblau"], counts["rastrigin"]) > 0


def test_most_rastrigin_runs_miss_the_global_minimum():
    starts = np.random.default_rng(0).uniform(-4.5, 4.5, size=(400, 2))
    runs = gd.minimize_many(gd.landscapes["rastrigin"], gd.GradientDescent(lr=0.002), starts,
                            steps=500)
    assert np.sum(runs.loss < 1e-6) < 40


def test_exercise_1_six_hump_camel_has_six_minima(text):
    assert "the six-hump camel has six local minima (two of them global)" in text
    f = gd.landscapes["six-hump-camel"]
    found, kinds = critical_points(f, np.linspace(-1.8, 1.8, 7), np.linspace(-1, 1, 7))
    assert kinds.count("minimum") == 6
    assert "saddle" in kinds and "maximum" in kinds
    minima = [p for p, k in zip(found, kinds, strict=True) if k == "minimum"]
    assert sum(abs(f(p) - f.min_value) < 1e-9 for p in minima) == 2


def test_exercise_2_all_400_reach_the_global_minimum(text):
    assert "400 of 400" in text
    starts = np.random.default_rng(0).uniform(-0.4, 0.4, size=(400, 2))
    runs = gd.minimize_many(gd.landscapes["rastrigin"], gd.GradientDescent(lr=0.002), starts,
                            steps=500)
    assert np.sum(runs.loss < 1e-6) == 400


def test_zero_eigenvalue_examples(text):
    assert "$\\operatorname{diag}(2, 0)$" in text
    for func in (lambda p: p[0] ** 2 + p[1] ** 4, lambda p: p[0] ** 2 + p[1] ** 3,
                 lambda p: p[0] ** 2 - p[1] ** 4):
        H = gd.numerical_hessian(func, np.zeros(2))
        assert H == pytest.approx(np.diag([2.0, 0.0]), abs=1e-6)
    # x^2 + y^3 goes below 0 along negative y; x^2 - y^4 falls along the y axis
    assert (lambda p: p[0] ** 2 + p[1] ** 3)(np.array([0.0, -0.1])) < 0
    assert (lambda p: p[0] ** 2 - p[1] ** 4)(np.array([0.0, 0.1])) < 0
