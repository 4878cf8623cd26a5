"""docs/gradients.md: every claim its prose makes about its cells, tested on the cells.

Ledger (claim -> test):
- dart introduced before use: formula, 4.9 = gravity / 2, zeros near 39° and 51°
  -> test_the_dart_is_introduced_where_it_is_first_used
- from 20°: the 1-rad step lands at 77° and goes HIGHER, every shorter step lower
  -> test_from_20_degrees_only_the_one_radian_step_goes_uphill
- exercise 1: from 45° the steps 1, 0.5 and 0.2 go HIGHER, 0.1 lands at 39.27°, loss 1.5e-7
  -> test_exercise_1_from_45_degrees_three_steps_go_uphill
- takeaway: 0.5 rad small enough from 20°, only 0.1 rad from 45°
  -> test_exercise_1_from_45_degrees_three_steps_go_uphill
- arrows: the gradient points uphill, at right angles to the contour lines, away from
  the minima -> test_gradient_arrows_point_uphill_across_the_contours
- Himmelblau's gradient formula; four minima; other starts reach other minima
  -> test_himmelblau_gradient_formula, test_other_start_points_reach_other_minima
- directional derivative follows |grad| cos phi, fastest descent at phi = pi
  -> test_directional_derivative_cell_matches_the_cosine
- finite differences: slopes 1 and 2; d + 1 and 2d evaluations; two million passes
  -> test_finite_difference_error_slopes_1_and_2, test_cost_of_finite_differences
- exercise 2: the numbers at theta = 1.2 -> test_exercise_2_numbers_at_theta_1_2
- chain rule by hand equals DartLoss.grad -> test_chain_rule_by_hand_matches
- gradient check thresholds 1e-7 / 1e-2; buggy gradient caught, fix passes
  -> test_gradient_check_table_is_below_1e_7, test_the_buggy_gradient_is_caught_and_fixed
- Jacobian chain: shapes, tape of 9 numbers, check at rounding level, also for other widths
  -> test_jacobian_chain_cell, test_jacobian_chain_other_widths
- forward vs reverse: same matrix, 200x cheaper / dearer; exercise 3: equal at [10, 1000, 10]
  -> test_forward_vs_reverse_costs, test_exercise_3_equal_cost_chain
"""

from __future__ import annotations

import numpy as np
import pytest

import gdcore as gd

PAGE = "gradients"


@pytest.fixture(scope="module")
def text(page_text):
    return " ".join(page_text(PAGE).split())


@pytest.fixture(scope="module")
def out(clean_run):
    return {cell_id: result.stdout for cell_id, result in clean_run(PAGE).items()}


@pytest.fixture(scope="module")
def variant(cell_variant):
    """variant(cell_id, (old, new), ...) -> stdout of the cell with the edits an exercise
    asks for, run in the page's namespace as it was before the cell."""
    return lambda cell_id, *edits: cell_variant(PAGE, cell_id, *edits)[0]


def sign_step_table(stdout):
    """{eta: (new angle, loss, verdict)} from the slope-sign-step output."""
    rows = {}
    for line in stdout.splitlines()[2:]:
        eta, angle, loss, verdict = line.split()
        rows[float(eta)] = (float(angle), float(loss), verdict)
    return rows


def test_the_dart_is_introduced_where_it_is_first_used(text, page_text):
    source = page_text(PAGE)
    first_use = source.index("gd.DartLoss()")
    assert source.index("**dart thrower**") < first_use, "define the dart before its first cell"
    assert "learning-rate.md#the-dart-thrower" in source[:first_use], "forward link missing"
    assert r"\hat y(\theta) = 1 + 10\tan\theta - 4.9\,(1 + \tan^2\theta)" in text
    dart = gd.DartLoss()
    for theta in np.linspace(0.1, 1.3, 7):
        formula = 1 + 10 * np.tan(theta) - 4.9 * (1 + np.tan(theta) ** 2)
        assert dart.height(theta) == pytest.approx(formula)
        assert dart(theta) == pytest.approx(0.5 * (formula - 1) ** 2)
    assert "about $39°$ (a flat throw) and $51°$ (a lob)" in text
    assert np.round(gd.rad2deg(dart.solutions())).tolist() == [39, 51]


def test_from_20_degrees_only_the_one_radian_step_goes_uphill(text, out):
    rows = sign_step_table(out["slope-sign-step"])
    assert "lands at $77°$" in text and round(rows[1.0][0]) == 77
    assert rows[1.0][2] == "HIGHER", "the one-radian step from 20° should go uphill"
    assert all(rows[eta][2] == "lower" for eta in rows if eta < 1.0), \
        "every shorter step from 20° should go downhill"
    assert rows[1.0][0] > gd.rad2deg(gd.DartLoss().solutions()[1]), "it jumps over both"


def test_exercise_1_from_45_degrees_three_steps_go_uphill(text, variant):
    rows = sign_step_table(variant("slope-sign-step", ("deg2rad(20)", "deg2rad(45)")))
    higher = sorted(eta for eta, row in rows.items() if row[2] == "HIGHER")
    assert higher == [0.2, 0.5, 1.0], f"exercise 1 says 1, 0.5 and 0.2 go uphill; got {higher}"
    assert "Only the three shortest, $\\eta = 0.1$, $0.01$ and $0.001$" in text
    for eta, angle, loss in [(1.0, -12.3, 26.7), (0.5, 16.35, 2.85), (0.2, 33.54, 0.09)]:
        assert f"${angle}°$ (loss ${loss}$)" in text
        assert rows[eta][0] == pytest.approx(angle, abs=0.01)
        assert rows[eta][1] == pytest.approx(loss, rel=0.01)
    assert rows[0.1][0] == pytest.approx(39.27, abs=0.005)
    assert f"{gd.DartLoss()(gd.deg2rad(45) - 0.1):.1e}" == "1.5e-07"
    dart = gd.DartLoss()
    assert dart.height(gd.deg2rad(45)) - 1 == pytest.approx(0.2)  # "0.2 m too high"
    assert round(dart.grad(gd.deg2rad(45)), 2) == 0.08
    assert "$0.5$ rad from $20°$, only $0.1$ rad from $45°$" in text


def test_himmelblau_gradient_formula(text):
    assert "four minima" in text
    f = gd.landscapes["himmelblau"]
    assert len(f.minima) == 4
    rng = np.random.default_rng(3)
    for a, b in rng.uniform(-5, 5, size=(5, 2)):
        formula = [4 * a * (a**2 + b - 11) + 2 * (a + b**2 - 7),
                   2 * (a**2 + b - 11) + 4 * b * (a + b**2 - 7)]
        assert f.grad([a, b]) == pytest.approx(formula, rel=1e-12, abs=1e-9)


def test_gradient_arrows_point_uphill_across_the_contours(text, page_namespace):
    assert "the gradient points uphill and stands at right angles to the contour lines" in text
    ns = page_namespace(PAGE, "gradient-arrows")
    f, P = ns["f"], ns["arrows"].reshape(-1, 2)
    u = ns["G"].reshape(-1, 2)                        # the unit arrows the cell drew
    along = np.stack([-u[:, 1], u[:, 0]], axis=1)     # the contour line's direction
    step = 1e-4
    rise = f(P + step * u) - f(P)
    assert np.all(rise > 0), "every arrow should point uphill"
    assert np.all(np.abs(f(P + step * along) - f(P)) < 1e-3 * rise), \
        "moving at right angles to an arrow should not change f to first order"
    nearest = f.minima[np.argmin(((P[:, None] - f.minima[None]) ** 2).sum(-1), axis=1)]
    away = np.mean(np.sum((P - nearest) * u, axis=1) > 0)
    assert away >= 0.95, f"the arrows should point away from the minima ({away:.0%} do)"


def test_other_start_points_reach_other_minima(text, variant, out):
    assert "final: x = [3, 2]" in out["first-descent"]
    for start, end in [("[-1.0, 1.0]", (-2.81, 3.13)), ("[-1.0, -1.0]", (-3.78, -3.28))]:
        assert f"`x0={start}`" in text and f"$({end[0]}, {end[1]})$" in text
        stdout = variant("first-descent", ("x0=[0.0, 0.0], steps", f"x0={start}, steps"))
        assert "converged" in stdout
        final = stdout.split("final: x = [")[1].split("]")[0]
        assert [float(v) for v in final.split(",")] == pytest.approx(end, abs=0.01)


def test_directional_derivative_cell_matches_the_cosine(page_namespace):
    ns = page_namespace(PAGE, "directional-derivative")
    norm = np.linalg.norm(ns["g"])
    assert ns["rates"] == pytest.approx(norm * np.cos(ns["phis"]), rel=1e-6, abs=1e-6), \
        "the measured directional derivative should follow |grad f| cos(phi)"
    assert ns["worst"] == pytest.approx(np.pi), "fastest descent should be at phi = pi"
    assert ns["rates"].min() == pytest.approx(-norm, rel=1e-8)


def test_finite_difference_error_slopes_1_and_2(text, page_namespace):
    assert "slopes 1 and 2" in text
    ns = page_namespace(PAGE, "finite-difference-error")
    hs = ns["hs"]
    right = (hs >= 1e-4) & (hs <= 1e-2)
    fwd = np.polyfit(np.log10(hs[right]), np.log10(np.array(ns["err_fwd"])[right]), 1)[0]
    cen = np.polyfit(np.log10(hs[right]), np.log10(np.array(ns["err_cen"])[right]), 1)[0]
    assert fwd == pytest.approx(1.0, abs=0.1), "forward difference: slope 1 on the right"
    assert cen == pytest.approx(2.0, abs=0.1), "central difference: slope 2 on the right"
    # "on the left, rounding error grows": the smallest h is worse than the best h
    assert ns["err_fwd"][0] > 100 * min(ns["err_fwd"])
    assert ns["err_cen"][0] > 100 * min(ns["err_cen"])


def test_cost_of_finite_differences(text):
    assert "two million forward passes per step" in text
    assert "$d + 1$ evaluations" in text and "the central difference $2d$" in text
    calls = []
    gd.central_difference(lambda p: calls.append(1) or float(p.sum()), np.zeros(5))
    assert len(calls) == 2 * 5
    calls.clear()
    gd.forward_difference(lambda p: calls.append(1) or float(p.sum()), np.zeros(5))
    assert len(calls) == 5 + 1


def test_exercise_2_numbers_at_theta_1_2(text, out, variant):
    assert "f'(theta) = -5.4258" in out["finite-difference-error"]
    stdout = variant("finite-difference-error", ("theta = 0.5", "theta = 1.2"))
    assert "f'(theta) = 1343.0914" in stdout and "slope is now $1343$" in text
    for line in ["best forward error 1.4e-05 at h = 1e-09",
                 "best central error 9.6e-09 at h = 1e-06"]:
        assert line in stdout, f"exercise 2 quotes {line!r}"
    for line in ["best forward error 1.9e-08 at h = 6e-09",
                 "best central error 1.1e-11 at h = 2e-07"]:
        assert line in out["finite-difference-error"], f"exercise 2 quotes {line!r}"
    assert round(gd.rad2deg(1.2)) == 69


def test_chain_rule_by_hand_matches(out):
    lines = out["chain-rule-by-hand"].splitlines()
    assert lines[0].split(":")[1].strip() == lines[1].split(":")[1].strip()


def test_gradient_check_table_is_below_1e_7(text, out):
    assert "$10^{-7}$ or below" in text and "$10^{-2}$ or more" in text
    rows = out["gradient-check"].splitlines()[1:]
    assert len(rows) == len(gd.landscapes)
    assert all(float(row.split()[-1]) < 1e-7 for row in rows)


def test_the_buggy_gradient_is_caught_and_fixed(out, variant):
    assert float(out["gradient-check-bug"].split(":")[1]) > 1e-2
    fixed = variant("gradient-check-bug", ("(x**2 + y - 11) + 4", "2 * (x**2 + y - 11) + 4"))
    assert float(fixed.split(":")[1]) < 1e-7, "the fixed gradient should pass the check"


def test_jacobian_chain_cell(out, page_namespace):
    lines = out["jacobian-chain"].splitlines()
    assert lines[0] == "Jacobian shapes: 4x3, 2x4, 1x2"
    assert lines[1] == "numbers kept for the backward pass: 9"
    assert float(lines[3].split(":")[1]) < 1e-8, "check_gradient should pass"
    assert float(lines[4].split(":")[1]) < 1e-8, "J_1 should match finite differences"
    ns = page_namespace(PAGE, "jacobian-chain")
    theta = ns["theta"]
    assert ns["backprop"](theta) == pytest.approx(
        gd.central_difference(ns["loss"], theta), rel=1e-7)


def test_jacobian_chain_other_widths(text, variant):
    assert "keep the last entry equal to the length of `target`" in text
    stdout = variant("jacobian-chain", ("widths = [3, 4, 2]", "widths = [3, 6, 5, 2]"))
    lines = stdout.splitlines()
    assert lines[0] == "Jacobian shapes: 6x3, 5x6, 2x5, 1x2"
    assert float(lines[3].split(":")[1]) < 1e-8, "the check should stay at rounding level"


def costs(stdout):
    rows = {}
    for line in stdout.splitlines()[1:]:
        n_in = int(line.split()[0])
        fwd = int(line.split("forward")[1].split()[0].rstrip(",").replace(",", ""))
        rev = int(line.split("reverse")[1].split()[0].replace(",", ""))
        rows[n_in] = (fwd, rev, line.endswith("equal: True"))
    return rows


def test_forward_vs_reverse_costs(text, out, page_namespace):
    lines = out["forward-vs-reverse"].splitlines()
    ns = page_namespace(PAGE, "jacobian-chain")
    forward = [float(v) for v in lines[0].split("[")[1].rstrip("]").split()]
    assert forward == pytest.approx(ns["backprop"](ns["theta"]), abs=1e-6), \
        "forward mode on the small chain should give the backprop gradient"
    rows = costs(out["forward-vs-reverse"])
    assert all(equal for _, _, equal in rows.values()), "both orders give the same matrix"
    assert rows[200][0] == 200 * rows[200][1], "reverse mode 200 times cheaper for a loss"
    assert rows[1][1] == 200 * rows[1][0], "and 200 times dearer for one input"
    assert "reverse mode is 200 times cheaper" in text


def test_exercise_3_equal_cost_chain(text, variant):
    stdout = variant("forward-vs-reverse",
                     ("[1, 50, 50, 200])", "[1, 50, 50, 200], [10, 1000, 10])"))
    fwd, rev, equal = costs(stdout)[10]
    assert fwd == rev == 200_000 and equal, "exercise 3: both modes 200,000 multiplications"
    assert "$200{,}000$ each" in text
