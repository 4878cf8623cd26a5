"""Random search and random local search."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gdcore as gd


def test_random_search_basics():
    f = gd.landscapes["himmelblau"]
    r = gd.random_search(f, budget=500, seed=3)
    assert r.evaluations == 500
    assert r.points.shape == (500, 2) and r.losses.shape == (500,) and r.history.shape == (500,)
    assert np.all(np.diff(r.history) <= 0)
    assert r.history[-1] == r.loss == r.losses.min()
    assert r.loss == f(r.x)
    (x0, x1), (y0, y1) = f.domain
    assert np.all((r.points[:, 0] >= x0) & (r.points[:, 0] <= x1))
    assert np.all((r.points[:, 1] >= y0) & (r.points[:, 1] <= y1))
    assert np.allclose(r.losses, f(r.points))
    assert "random search" in r.summary() and "SearchResult" in repr(r)
    assert r.accepted[0] == 0 and np.all(np.diff(r.losses[r.accepted]) < 0)


def test_random_search_is_reproducible_and_improves_with_budget():
    f = gd.landscapes["rosenbrock"]
    a = gd.random_search(f, budget=200, seed=7)
    b = gd.random_search(f, budget=200, seed=7)
    c = gd.random_search(f, budget=200, seed=8)
    assert np.array_equal(a.points, b.points) and a.loss == b.loss
    assert not np.array_equal(a.points, c.points)
    small = [gd.random_search(f, budget=10, seed=s).loss for s in range(20)]
    large = [gd.random_search(f, budget=2000, seed=s).loss for s in range(20)]
    assert np.median(large) < np.median(small) / 10
    assert all(lg <= sm for lg, sm in zip(large, small, strict=True))  # same first points


def test_random_search_with_plain_function_and_dart():
    r = gd.random_search(lambda p: float((p[0] - 1) ** 2 + p[1] ** 2), budget=300,
                         domain=((-2, 2), (-2, 2)), seed=0)
    assert r.loss < 0.05 and np.allclose(r.x, [1.0, 0.0], atol=0.3)
    dart = gd.random_search(gd.DartLoss(), budget=300, seed=0)
    assert dart.points.shape == (300, 1) and dart.loss < 1e-2
    one_d = gd.random_search(lambda p: float(p[0] ** 2), budget=50, domain=(-1, 1))
    assert one_d.points.shape == (50, 1)
    nan_first = gd.random_search(lambda p: np.nan if p[0] < 0 else float(p[0]), budget=100,
                                 domain=(-1, 1))
    assert np.isfinite(nan_first.loss) and nan_first.x[0] >= 0


def test_random_local_search():
    f = gd.landscapes["bowl"]
    r = gd.random_local_search(f, [1.5, -1.0], budget=400, step_size=0.1, seed=1)
    assert r.evaluations == 400 and r.points.shape == (400, 2)
    assert r.history[0] == f([1.5, -1.0])
    assert r.loss < 0.01 and np.all(np.diff(r.history) <= 0)
    again = gd.random_local_search(f, [1.5, -1.0], budget=400, step_size=0.1, seed=1)
    assert np.array_equal(r.points, again.points)
    # every candidate is a step away from the best point at that time
    best = r.points[0]
    for i in range(1, 50):
        assert np.linalg.norm(r.points[i] - best) < 1.0
        if r.losses[i] < r.history[i - 1]:
            best = r.points[i]
    boxed = gd.random_local_search(f, [0.9, 0.9], budget=200, step_size=1.0, seed=0,
                                   domain=((0, 1), (0, 1)))
    assert np.all((boxed.points >= 0) & (boxed.points <= 1))
    assert gd.random_local_search(f, [1.0, 1.0], budget=1).evaluations == 1


def test_local_search_beats_random_search_on_a_narrow_valley():
    f = gd.IllConditionedQuadratic(condition_number=100)
    glob = gd.random_search(f, budget=300, seed=0)
    local = gd.random_local_search(f, [3.0, 3.0], budget=300, step_size=0.2, seed=0)
    assert local.loss < glob.loss


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: gd.random_search(gd.Bowl(), budget=0), ValueError, "budget must be >= 1"),
        (lambda: gd.random_search(gd.Bowl(), budget=2.5), TypeError, "budget"),
        (lambda: gd.random_search(gd.Bowl(), 10, seed=-1), ValueError, "seed"),
        (lambda: gd.random_search(lambda p: 0.0, 10), ValueError, "domain must be given"),
        (
            lambda: gd.random_search(gd.Bowl(), 10, domain=((1, 0), (0, 1))),
            ValueError, "low < high",
        ),
        (lambda: gd.random_search(gd.Bowl(), 10, domain=(1, 2, 3)), ValueError, "domain"),
        (lambda: gd.random_search(gd.Bowl(), 10, domain="box"), TypeError, "domain"),
        (
            lambda: gd.random_search(lambda p: p, 10, domain=((0, 1), (0, 1))),
            ValueError, "single number",
        ),
        (
            lambda: gd.random_local_search(gd.Bowl(), [0.0, 0.0], 10, step_size=0),
            ValueError, "step_size must be > 0",
        ),
        (lambda: gd.random_local_search(gd.Bowl(), [0.0, np.nan], 10), ValueError, "x0"),
        (lambda: gd.random_local_search(gd.Bowl(), [0.0, 0.0], 0), ValueError, "budget"),
        (
            lambda: gd.random_local_search(gd.Bowl(), [0.0, 0.0], 10, domain=(0, 1)),
            ValueError, "2 \\(low, high\\) pairs",
        ),
    ],
)
def test_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()


# --------------------------------------------------------------------------- at the edges


@pytest.mark.parametrize("search", [
    lambda budget: gd.random_search(gd.landscapes["bowl"], budget),
    lambda budget: gd.random_local_search(gd.landscapes["bowl"], [0.0, 0.0], budget),
])
def test_a_huge_budget_is_a_value_error_not_a_memory_error(search):
    with pytest.raises(ValueError, match=r"budget must be <= 10,000,000 for 2 parameter\(s\)"):
        search(10**12)


def test_the_budget_limit_counts_the_parameters():
    with pytest.raises(ValueError, match=r"budget must be <= 2,000,000 for 10 parameter"):
        gd.random_search(lambda x: float(np.sum(x**2)), 3_000_000, domain=[(-1, 1)] * 10)


@pytest.mark.parametrize("bad", ["abc", None, 1j, True, [1.0, "x"]])
def test_an_objective_that_returns_no_real_number_is_a_type_error(bad):
    with pytest.raises(TypeError, match=r"f\(x\) must return a real number"):
        gd.random_search(lambda x: bad, 5, domain=(0.0, 1.0))
    with pytest.raises(TypeError, match=r"f\(x\) must return a real number"):
        gd.random_local_search(lambda x: bad, [0.0], 5)


def test_a_vectorized_objective_that_returns_strings_is_a_type_error():
    class Words:
        vectorized = True
        domain = ((0.0, 1.0), (0.0, 1.0))

        def __call__(self, x):
            return np.full(np.shape(x)[:-1], "loss")

    with pytest.raises(TypeError, match=r"f\(points\) must return a real number"):
        gd.random_search(Words(), 5)


def test_a_domain_too_wide_for_floats():
    with pytest.raises(ValueError, match="domain is too wide"):
        gd.random_search(gd.landscapes["bowl"], 5, domain=((-1e308, 1e308), (0.0, 1.0)))


@given(budget=st.integers(1, 200), seed=st.integers(0, 2**32),
       low=st.floats(-1e6, 1e6), width=st.floats(1e-6, 1e6))
@settings(max_examples=50, deadline=None)
def test_random_search_stays_in_the_box_and_keeps_the_best(budget, seed, low, width):
    box = ((low, low + width), (-1.0, 1.0))
    r = gd.random_search(gd.landscapes["booth"], budget, domain=box, seed=seed)
    assert r.points.shape == (budget, 2) and r.evaluations == budget
    assert np.all(r.points[:, 0] >= low) and np.all(r.points[:, 0] <= low + width)
    assert r.loss == r.losses.min() == r.history[-1]
    assert np.all(np.diff(r.history) <= 0)
