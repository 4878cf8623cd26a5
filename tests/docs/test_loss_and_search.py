"""docs/loss-and-search.md: every claim its prose makes about its cells, tested on the cells.

Ledger (claim -> test):
- raising 3.2 to 6.5: both losses drop, hinge exactly 0, cross-entropy keeps rewarding
  -> test_raising_the_correct_score_to_6_5
- exercise 1: the correct score must reach 5.9 -> test_exercise_1_score_5_9
- one example: hinge kinks at 2.0 and 0.5, zero from 2.0 on; cross-entropy never zero
  -> test_hinge_one_score_kinks
- moving `others` to equal scores merges the corners into one twice as sharp
  -> test_hinge_equal_scores_merge_the_kinks
- along one weight: piecewise linear (straight between the kinks found), convex,
  cross-entropy smooth; n_samples=100 gives many more kinks -> test_hinge_one_weight_*
- 50 points; slice lowest near w = 0.75 -> test_fifty_points_and_the_slice_minimum
- random search: gap roughly tenfold smaller per tenfold budget; collapses with dimension
  -> test_random_search_gap_per_budget, test_random_search_collapses_with_dimension
- exercise 2: 10000 evaluations: gap 0.0137 -> 0.0026, best point (0.752, -1.384)
  -> test_exercise_2_budget_10000
- random local search: 942 of 999 rejected for 0.2; 1.0 within 0.1 after 38, never 1e-3;
  0.05 needs 376 for 0.1, final gap 6.4e-6 -> test_random_local_search_numbers
- exercise 3: from (4, -4): 0.1 first (110 vs 154), closest (5.1e-7 vs 3.2e-6); 0.5 within
  0.1 after 29 vs 99; 0.01 never, 967, 0.026 -> test_exercise_3_from_the_other_corner
- gradient descent: 30 steps, far fewer than 156 evaluations
  -> test_gradient_descent_needs_far_fewer_evaluations
- a million parameters -> a trillion entries -> test_a_million_parameters
"""

from __future__ import annotations

import numpy as np
import pytest

PAGE = "loss-and-search"


@pytest.fixture(scope="module")
def text(page_text):
    return " ".join(page_text(PAGE).split())


@pytest.fixture(scope="module")
def out(clean_run):
    return {cell_id: result.stdout for cell_id, result in clean_run(PAGE).items()}


@pytest.fixture(scope="module")
def variant(cell_variant):
    """variant(cell_id, (old, new), ...) -> (stdout, namespace) of the cell with the edits
    the page suggests, run in the page's namespace as it was before the cell."""
    return lambda cell_id, *edits: cell_variant(PAGE, cell_id, *edits)


def svm_value(out_text):
    return float(out_text.split("multiclass SVM:")[1].split()[0])


def ce_value(out_text):
    return float(out_text.split("cross-entropy:")[1].split()[0])


def test_raising_the_correct_score_to_6_5(text, out, variant, page_namespace):
    assert "(say `3.2` to `6.5`)" in text
    before = out["loss-examples"]
    after, ns = variant("loss-examples", ("[[3.2, 5.1, -1.7]", "[[6.5, 5.1, -1.7]"))
    assert svm_value(after) < svm_value(before) and ce_value(after) < ce_value(before)
    assert ns["margins"][0].sum() == 0, "the first example's hinge loss becomes zero"
    more, _ = variant("loss-examples", ("[[3.2, 5.1, -1.7]", "[[9.0, 5.1, -1.7]"))
    assert ce_value(more) < ce_value(after), "cross-entropy keeps rewarding confidence"
    assert svm_value(more) == svm_value(after)


def test_exercise_1_score_5_9(text, variant):
    assert "at least `5.9`" in text and "`4.9`" in text and "margin `1.0`" in text
    _, ns = variant("loss-examples", ("[1.3, 4.9, 2.0]", "[1.3, 4.9, 5.9]"))
    assert ns["margins"][1].sum() == 0
    _, ns = variant("loss-examples", ("[1.3, 4.9, 2.0]", "[1.3, 4.9, 5.8]"))
    assert ns["margins"][1].sum() > 0


def test_hinge_one_score_kinks(text, out, page_namespace):
    lines = out["hinge-one-score"].splitlines()
    assert lines[0] == "kinks of the SVM loss at z0 = [2.0, 0.5]"
    assert lines[1] == "SVM loss zero from z0 = 2.00 on"
    assert "at $z_0 = 2.0$ and $z_0 = 0.5$" in text
    ns = page_namespace(PAGE, "hinge-one-score")
    z0, svm, ce = ns["z0"], ns["svm_one"], ns["ce_one"]
    assert np.all(ce > 0), "cross-entropy never reaches zero"
    assert np.all(np.diff(ce) < 0), "cross-entropy keeps falling"
    slopes = np.round(np.diff(svm) / np.diff(z0), 6)
    assert sorted(set(slopes.tolist())) == [-2.0, -1.0, 0.0], "straight pieces only"


def test_hinge_equal_scores_merge_the_kinks(text, variant):
    assert "give both the same score and the two corners merge into one, twice as sharp" in text
    stdout, ns = variant("hinge-one-score", ("others = [1.0, -0.5]", "others = [1.0, 1.0]"))
    assert "kinks of the SVM loss at z0 = [2.0, 2.0]" in stdout
    slopes = np.round(np.diff(ns["svm_one"]) / np.diff(ns["z0"]), 6)
    assert sorted(set(slopes.tolist())) == [-2.0, 0.0], "one corner, the slope jumps by 2"


def svm_on(ns, w):
    return ns["svm_loss"](ns["scores_with"](w), ns["yc"])


def test_hinge_one_weight_is_piecewise_linear_between_the_kinks(out, page_namespace):
    ns = page_namespace(PAGE, "hinge-one-weight")
    kinks = ns["kinks"]
    assert f"{len(kinks)} kinks" in out["hinge-one-weight"] and len(kinks) == 7
    edges = np.r_[-4.0, kinks, 4.0]
    for lo, hi in zip(edges, edges[1:], strict=False):
        inner = np.linspace(lo, hi, 7)[1:-1]
        values = [svm_on(ns, w) for w in inner]
        assert np.allclose(np.diff(values, 2), 0, atol=1e-12), \
            f"the hinge loss should be straight between the kinks {lo:.2f} and {hi:.2f}"
    for k in kinks:  # and the slope really changes at each kink
        left = svm_on(ns, k) - svm_on(ns, k - 1e-4)
        right = svm_on(ns, k + 1e-4) - svm_on(ns, k)
        assert right - left > 1e-7, f"the slope should increase at the kink {k:.2f} (convex)"
    ce = np.array(ns["ce_w"])
    assert np.abs(np.diff(ce, 2)).max() < 1e-3, "cross-entropy is smooth on the grid"


def test_hinge_one_weight_with_100_examples(text, variant, page_namespace):
    assert "Try `n_samples=100`: the kinks crowd together" in text
    _, ns = variant("hinge-one-weight", ("n_samples=6", "n_samples=100"))
    few = len(page_namespace(PAGE, "hinge-one-weight")["kinks"])
    assert len(ns["kinks"]) > 5 * few


def test_fifty_points_and_the_slice_minimum(text, page_namespace):
    assert "50 noisy points" in text
    ns = page_namespace(PAGE, "loss-slice")
    assert len(ns["X"]) == 50
    assert round(float(ns["ws"][np.argmin(ns["slice_loss"])]), 2) == pytest.approx(0.75,
                                                                                   abs=0.03)


def gaps_by_budget(stdout):
    lines = stdout.splitlines()
    return {int(lines[i].split()[0]): float(lines[i + 1].split("minimum")[1].split()[0])
            for i in range(0, len(lines), 2)}


def test_random_search_gap_per_budget(text, out):
    assert "roughly a factor of ten" in text
    gaps = gaps_by_budget(out["random-search"])
    assert list(gaps) == [10, 100, 1000]
    for a, b in zip(list(gaps.values()), list(gaps.values())[1:], strict=False):
        assert 5 <= a / b <= 20, "each tenfold budget should shrink the gap about tenfold"


def test_exercise_2_budget_10000(text, variant):
    stdout, _ = variant("random-search", ("[10, 100, 1000]", "[10, 100, 1000, 10000]"))
    gaps = gaps_by_budget(stdout)
    assert f"{gaps[1000]:.4f}" == "0.0137" and f"{gaps[10000]:.4f}" == "0.0026"
    assert "from `0.0137` to `0.0026`" in text and "about 5 times smaller" in text
    assert "[ 0.752 -1.384]" in stdout and "$(0.752, -1.384)$" in text


def test_random_search_collapses_with_dimension(text, out):
    assert "1, 4 and 10 input features (2, 5 and 11 parameters)" in text
    gaps = [float(line.split("gap")[1]) for line in out["random-search-dimensions"].splitlines()]
    assert gaps[0] < gaps[1] < gaps[2]


def local_table(stdout):
    rows, lines = {}, stdout.splitlines()
    for first, second in zip(lines[::2], lines[1::2], strict=True):
        step = float(first.split()[1].rstrip(":"))
        tenth = first.split("within 0.1: ")[1].split(",")[0]
        fine = first.split("within 1e-3: ")[1]
        gap = float(second.split("final gap ")[1].split(",")[0])
        kept = int(second.split(", ")[1].split()[0])
        rows[step] = (None if tenth == "never" else int(tenth),
                      None if fine == "never" else int(fine), gap, kept)
    return rows


def test_random_local_search_numbers(text, out):
    rows = local_table(out["random-local-search"])
    assert 999 - rows[0.2][3] == 942 and "942 of the 999 proposed moves were rejected" in text
    assert rows[1.0][0] == 38 and rows[1.0][1] is None
    assert "the big step `1.0` gets within $0.1$ after 38 evaluations" in text
    assert rows[0.05][0] == 376 and f"{rows[0.05][2]:.1e}" == "6.4e-06"
    assert rows[0.2][1] < rows[0.05][1], "smaller steps take longer to arrive"
    assert rows[0.05][2] < rows[0.2][2], "but refine better"


def test_exercise_3_from_the_other_corner(text, variant):
    stdout, _ = variant("random-local-search", ("start = [-4.0, 4.0]", "start = [4.0, -4.0]"),
                        ("[0.05, 0.2, 1.0]", "[0.01, 0.1, 0.5]"))
    rows = local_table(stdout)
    assert rows[0.1][1] == 110 and rows[0.5][1] == 154, "0.1 first within 1e-3 (110 vs 154)"
    assert f"{rows[0.1][2]:.1e}" == "5.1e-07" and f"{rows[0.5][2]:.1e}" == "3.2e-06"
    assert rows[0.5][0] == 29 and rows[0.1][0] == 99
    assert rows[0.01][1] is None and rows[0.01][0] == 967 and f"{rows[0.01][2]:.3f}" == "0.026"
    assert "after 110 evaluations, against 154 for `0.5`" in text


def test_gradient_descent_needs_far_fewer_evaluations(out):
    steps = int(out["search-vs-gradient-descent"].split("after")[1].split()[0])
    assert steps == 30
    first_hit = local_table(out["random-local-search"])[0.2][1]
    assert steps < first_hit / 3, "gradient descent should need far fewer evaluations"


def test_a_million_parameters(text):
    assert "a million parameters make a matrix with a trillion entries" in text
    assert (10**6) ** 2 == 10**12
