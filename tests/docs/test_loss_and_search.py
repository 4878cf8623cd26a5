"""docs/loss-and-search.md: structure, cells, and every number its prose states."""

from __future__ import annotations

import numpy as np
import pytest

import gdcore as gd

PAGE = "loss-and-search"


@pytest.fixture(scope="module")
def text(page_text):
    return " ".join(page_text(PAGE).split())


@pytest.fixture(scope="module")
def line_fit():
    X, y, _, _ = gd.make_regression(n_samples=50, noise=0.5, seed=0)
    model = gd.LinearRegression(n_features=1)
    w, b = gd.least_squares(X, y)

    def loss(p):
        return model.loss(X, y, params=p)

    return loss, w, b, loss(np.r_[w, b])


def hinge(scores, labels, margin=1.0):
    scores = np.asarray(scores, dtype=float)
    correct = scores[np.arange(len(labels)), labels][:, None]
    m = np.maximum(0, scores - correct + margin)
    m[np.arange(len(labels)), labels] = 0
    return m.sum(axis=1)


SCORES = [[3.2, 5.1, -1.7], [1.3, 4.9, 2.0]]
LABELS = np.array([0, 2])




def test_raising_the_correct_score_to_6(text):
    assert "(say `3.2` to `6.5`)" in text
    raised = [[6.5, 5.1, -1.7], SCORES[1]]
    assert gd.cross_entropy_loss(raised, LABELS) < gd.cross_entropy_loss(SCORES, LABELS)
    assert hinge(raised, LABELS)[0] == 0 < hinge(SCORES, LABELS)[0]
    # cross-entropy keeps rewarding more confidence
    more = [[9.0, 5.1, -1.7], SCORES[1]]
    assert gd.cross_entropy_loss(more, LABELS) < gd.cross_entropy_loss(raised, LABELS)


def test_exercise_1_score_5_9_makes_the_hinge_zero(text):
    assert "at least `5.9`" in text and "`4.9`" in text and "margin `1.0`" in text
    assert hinge([SCORES[0], [1.3, 4.9, 5.9]], LABELS)[1] == 0
    assert hinge([SCORES[0], [1.3, 4.9, 5.8]], LABELS)[1] > 0


def test_fifty_points_and_the_slice_minimum(text, line_fit):
    assert "50 noisy points" in text
    _, w, _, _ = line_fit
    assert round(float(w[0]), 2) == 0.75  # the slice's alt text: "lowest near w = 0.75"


def test_random_search_gap_shrinks_about_tenfold_per_tenfold_budget(text, line_fit):
    assert "roughly a factor of ten" in text
    loss, _, _, best = line_fit
    gaps = [gd.random_search(loss, budget=n, domain=((-5, 5), (-5, 5)), seed=0).loss - best
            for n in (10, 100, 1000)]
    for a, b in zip(gaps, gaps[1:], strict=False):
        assert 5 <= a / b <= 20


def test_exercise_2_budget_10000_still_helps(line_fit):
    loss, _, _, best = line_fit
    gap = {n: gd.random_search(loss, budget=n, domain=((-5, 5), (-5, 5)), seed=0).loss - best
           for n in (1000, 10_000)}
    assert gap[10_000] < gap[1000]


def test_random_search_collapses_with_dimension(text):
    assert "1, 4 and 10 input features (2, 5 and 11 parameters)" in text
    gaps = []
    for p in (1, 4, 10):
        X, y, _, _ = gd.make_regression(n_samples=50, n_features=p, seed=0)
        model = gd.LinearRegression(n_features=p)
        w, b = gd.least_squares(X, y)
        best = model.loss(X, y, params=np.r_[w, b])
        result = gd.random_search(lambda q, m=model, X=X, y=y: m.loss(X, y, params=q),
                                  budget=1000, domain=[(-5, 5)] * (p + 1), seed=0)
        gaps.append(result.loss - best)
        assert model.n_params == p + 1
    assert gaps[0] < gaps[1] < gaps[2]


def local_search_hit(loss, best, start, step):
    r = gd.random_local_search(loss, start, budget=1000, step_size=step, seed=0)
    close = np.flatnonzero(r.history - best < 1e-3)
    return (int(close[0]) + 1 if close.size else None), r.loss - best


def test_random_local_search_step_size_trade_off(line_fit):
    loss, _, _, best = line_fit
    hits = {s: local_search_hit(loss, best, [-4.0, 4.0], s) for s in (0.05, 0.2, 1.0)}
    assert hits[1.0][0] is None  # big steps get close but fail to refine
    assert hits[0.2][0] < hits[0.05][0]  # smaller steps take longer to arrive...
    assert hits[0.05][1] < hits[0.2][1]  # ...but refine better


def test_exercise_3_from_the_other_corner(line_fit):
    loss, _, _, best = line_fit
    hits = {s: local_search_hit(loss, best, [4.0, -4.0], s) for s in (0.01, 0.1, 0.5)}
    assert hits[0.01][0] is None  # "never gets there within the budget"
    assert hits[0.1][0] < hits[0.5][0]  # 0.1 arrives first...
    assert hits[0.1][1] < hits[0.5][1]  # ...and ends closest


def test_gradient_descent_needs_far_fewer_evaluations(line_fit, run_page):
    loss, _, _, best = line_fit
    out = run_page(PAGE)["search-vs-gradient-descent"].stdout
    steps = int(out.split("after")[1].split()[0])
    first_hit, _ = local_search_hit(loss, best, [-4.0, 4.0], 0.2)
    assert steps < first_hit / 3


def test_a_million_parameters_make_a_trillion_entries(text):
    assert "a million parameters make a matrix with a trillion entries" in text
    assert (10**6) ** 2 == 10**12
