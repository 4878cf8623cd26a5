"""docs/newton.md: every claim the page makes about its cells, checked on the cells.

Claims ledger (claim on the page -> test):

- the throw's Jacobian: J11 3.32, J12 1.63, J21 1.06, J22 -0.13 (signs physical)
  -> test_jacobian_of_the_throw
- Hessian estimates, same h for both: truncation ~h^2 down to h = 1e-4 (1.9e-6 from f
  values), rounding takes over below (2.4e-4 at 1e-6), the gradient column keeps improving
  to ~1e-8, its best ~100x better; eigenvalues 0.399 / 1001.6; indefinite at (-1, 1.5)
  -> test_hessian_truncation_and_rounding, test_hessian_eigenvalues
- one Newton step solves a quadratic from anywhere -> test_one_newton_step_solves_a_quadratic
- kappa = 100: curvatures 1 and 100, GD stable below 2/100; GD at 2/(L+mu) 594 steps from
  loss 204.5, Newton 1; rate (kappa-1)/(kappa+1) cited to Nesterov Thm 2.1.15
  -> test_ill_conditioned_quadratic
- kappa = 1000: ~ten times more steps (6506), within the 20,000 budget; Newton one
  -> test_condition_number_1000
- Rosenbrock: GD lr 1e-3 21,442 steps (0.002: 7260, jumps across; 0.003 diverges),
  Newton 6; the 2nd step raises the loss 6.0 -> 752, the 4th raises it again, last two
  1.1e-7 and 1.2e-12
  -> test_rosenbrock_gd_and_pure_newton
- cost table: 8 TB and 3e17 flops for a million parameters -> test_cost_of_newton
- saddle: Newton step -0.75 -> 0, GD 10 steps -> -38.3, theta_2 x1.2 per step
  -> test_saddle_newton_vs_gd
- Himmelblau grid: Newton 44 minima / 32 saddles / 5 maximum, GD 81 minima; the two
  starts climb 179.1 -> 181.6 (maximum) and 168.1 -> 178.3 (saddle) -> test_himmelblau
- exact line search: orthogonal gradients, 90.00° turns, alternating 0.1049 / 0.6827,
  loss factor ~0.28 < bound (9/11)^2 ~ 0.67; equal aspect -> test_exact_line_search
- backtracking: defaults c = 1e-4, tau = 0.5, trials 1601 / 100 / 6.5, accepted 0.125
  lowering 1 -> 0.953 -> test_backtracking
- Newton + backtracking: 21 steps, loss never increases, mostly alpha = 1
  -> test_newton_with_backtracking
- exercises 1-3 -> test_exercise_1_..., test_exercise_2_..., test_exercise_3_...
"""

from __future__ import annotations

import inspect
import math

import numpy as np
import pytest

import gdcore as gd

PAGE = "newton"


@pytest.fixture(scope="module")
def text(page_text):
    return " ".join(page_text(PAGE).split())


@pytest.fixture(scope="module")
def results(clean_run):
    return clean_run(PAGE)


@pytest.fixture(scope="module")
def ns(page_namespace, results):
    return lambda cell_id: page_namespace(PAGE, cell_id)


def test_jacobian_of_the_throw(text, ns):
    J = ns("dart-jacobian")["J"]
    assert J.shape == (2, 2)
    assert np.round(J, 2).tolist() == [[3.32, 1.63], [1.06, -0.13]]
    for s in ["$J_{11} \\approx 3.32$", "$J_{12} \\approx 1.63$", "$J_{21} \\approx 1.06$",
              "$J_{22} \\approx -0.13$"]:
        assert s in text, s


def hessian_errors(out):
    rows = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0].startswith("1e-"):
            rows[float(parts[0])] = (float(parts[1]), float(parts[2]))
    return rows


def test_hessian_truncation_and_rounding(text, results, page_cells):
    code = next(c.code for c in page_cells(PAGE) if c.id == "hessian-numerical-vs-analytic")
    assert "h=h)" in code and code.count("h=h") == 2, "both estimates use the same h"
    rows = hessian_errors(results["hessian-numerical-vs-analytic"].stdout)
    values = {h: e[0] for h, e in rows.items()}
    grads = {h: e[1] for h, e in rows.items()}
    for big, small in [(1e-2, 1e-3), (1e-3, 1e-4)]:
        assert 50 < values[big] / values[small] < 200, "truncation: error ~ h^2 (values)"
        assert 50 < grads[big] / grads[small] < 200, "truncation: error ~ h^2 (gradient)"
    # at h = 1e-4 the error from f values is truncation, not rounding
    f = gd.landscapes["rosenbrock"]
    rounding_estimate = np.finfo(float).eps * f([-1.0, 1.0]) / 1e-4**2
    assert values[1e-4] > 10 * rounding_estimate
    assert values[1e-6] > values[1e-5] > values[1e-4], "rounding grows below h = 1e-4"
    assert f"{values[1e-4]:.1e}" == "1.9e-06" and f"{values[1e-6]:.1e}" == "2.4e-04"
    assert min(grads.values()) < 2e-8, "the gradient column improves to about 1e-8"
    assert 30 < min(values.values()) / min(grads.values()) < 300, "best: ~100x better"
    assert "rounding errors are amplified" not in text
    for s in ["$1.9 \\times 10^{-6}$ there, is all truncation, not rounding",
              "($2.4 \\times 10^{-4}$ at $h = 10^{-6}$)", "about a hundred times smaller"]:
        assert s in text, s


def test_hessian_eigenvalues(text, ns):
    H = ns("hessian-numerical-vs-analytic")["H"]
    eig = np.linalg.eigvalsh(H)
    assert (round(eig[0], 3), round(eig[1], 1)) == (0.399, 1001.6)
    assert "(1001.6)" in text and "(0.399)" in text
    x = ns("hessian-numerical-vs-analytic")["x"]
    assert x[1] == x[0] ** 2, "the point lies on the valley floor"
    f = gd.landscapes["rosenbrock"]
    assert "`x = np.array([-1.0, 1.5])`" in text
    assert np.linalg.eigvalsh(f.hessian([-1.0, 1.5])).min() < 0


def test_one_newton_step_solves_a_quadratic(results):
    out = results["newton-one-step"].stdout
    assert out.count("loss 0.0e+00") == 3
    q = gd.IllConditionedQuadratic(condition_number=100)
    for start in ([3.0, 2.0], [-4.0, 0.5], [0.1, -3.0]):
        assert np.abs(gd.newton_step(q, start)).max() < 1e-12


def test_ill_conditioned_quadratic(text, ns):
    space = ns("newton-vs-gd-quadratic")
    q, gd_run, newton_run = space["quadratic"], space["gd_run"], space["newton_run"]
    assert (q.mu, q.L) == (1.0, 100.0)
    for s in ["$\\mu = 1$ and $L = 100$", "$\\kappa = L/\\mu = 100$", "below $2/100$",
              "Nesterov's Theorem 2.1.15", "needs 594 steps to bring the loss from 204.5"]:
        assert s in text, s
    assert gd_run.status == "converged" and gd_run.n_steps == 594
    assert gd_run.losses[0] == pytest.approx(204.5)
    assert newton_run.status == "converged" and newton_run.n_steps == 1
    stable = gd.minimize(q, gd.GradientDescent(lr=0.0199), [3.0, 2.0], 300)
    unstable = gd.minimize(q, gd.GradientDescent(lr=0.0201), [3.0, 2.0], 3000)
    assert stable.status == "max_steps" and unstable.status == "diverged"
    # the distance shrinks by (kappa - 1) / (kappa + 1) per step
    d = np.linalg.norm(gd_run.xs, axis=1)
    rate = (q.condition_number - 1) / (q.condition_number + 1)
    assert np.all(d[1:] <= rate * d[:-1] * (1 + 1e-9))
    assert ns("newton-vs-gd-quadratic")["fig"].axes[0].get_aspect() == 1.0


def test_condition_number_1000(text, ns):
    assert "`condition_number=100`" in text and "`1000`" in text
    assert "about ten times more steps (6506, which is why the budget is 20,000)" in text
    budget = 20_000
    assert f"steps={budget:_}" in text.replace(" ", "")
    q = gd.IllConditionedQuadratic(condition_number=1000)
    run = gd.minimize(q, gd.GradientDescent(lr=2 / (q.L + q.mu)), [3.0, 2.0], budget,
                      loss_threshold=1e-8)
    assert run.status == "converged" and run.n_steps == 6506
    assert 8 <= run.n_steps / ns("newton-vs-gd-quadratic")["gd_run"].n_steps <= 13
    assert gd.newton(q, [3.0, 2.0], steps=10, loss_threshold=1e-8).n_steps == 1


def test_rosenbrock_gd_and_pure_newton(text, ns):
    space = ns("newton-vs-gd-rosenbrock")
    gd_ros, newton_ros = space["gd_ros"], space["newton_ros"]
    assert gd_ros.status == "converged" and gd_ros.n_steps == 21_442
    f = gd.landscapes["rosenbrock"]
    double = gd.minimize(f, gd.GradientDescent(lr=0.002), [-1.5, 2.0], 30_000,
                         loss_threshold=1e-8)
    assert double.status == "converged" and double.n_steps == 7260
    assert double.xs[3, 0] > 0 > double.xs[0, 0], "0.002 first jumps across the valley"
    assert gd.minimize(f, gd.GradientDescent(lr=0.003), [-1.5, 2.0], 30_000).status == (
        "diverged"), "0.003 diverges"
    assert newton_ros.status == "converged" and newton_ros.n_steps == 6
    L = newton_ros.losses
    assert L[1] < L[0] and L[2] > 100 * L[1], "the second step raises the loss enormously"
    assert (round(L[1], 1), round(L[2])) == (6.0, 752)
    assert L[4] > L[3], "the fourth step raises it again"
    assert f"{L[-2]:.1e}" == "1.1e-07" and f"{L[-1]:.1e}" == "1.2e-12"
    for s in ["needs 21,442 steps", "needs 7260 steps but first jumps across the valley",
              "Newton needs 6.", "from 6.0 to 752", "the fourth raises",
              "($1.1 \\times 10^{-7}$, then $1.2 \\times 10^{-12}$)"]:
        assert s in text, s


def test_cost_of_newton(text, results):
    out = results["newton-cost"].stdout
    assert "1,000,000     8 TB      3.3e+17" in out
    assert "a Hessian of 8 terabytes" in text and "$3 \\times 10^{17}$" in text


def test_saddle_newton_vs_gd(text, ns):
    space = ns("newton-saddle")
    f, start, jump, slide = space["saddle"], space["start"], space["jump"], space["slide"]
    assert np.abs(jump).max() < 1e-12 and f(start) == -0.75 and f(jump) == 0.0
    assert round(slide.loss, 1) == -38.3
    ratios = slide.xs[1:, 1] / slide.xs[:-1, 1]
    assert np.allclose(ratios, 1.2), "theta_2 grows by 1.2 per GD step"
    assert np.all(np.diff(slide.losses) < 0), "and still falling"
    assert "from $-0.75$ to $0$" in text and "$-38.3$" in text and "factor $1.2$" in text


def test_himmelblau(text, ns, results):
    out = results["newton-himmelblau"].stdout
    assert "{'maximum': 5, 'minimum': 44, 'saddle': 32}" in out
    assert "{'minimum': 81}" in out
    cp = gd.landscapes["himmelblau"].critical_points()
    assert (len(cp.minima), len(cp.saddles), len(cp.maxima)) == (4, 4, 1)
    paths = ns("newton-himmelblau")["paths"]
    up_max = paths["Newton from [-0.5, -0.5]"]
    up_saddle = paths["Newton from [0.5, -1.5]"]
    assert np.allclose(up_max.x, cp.maxima[0], atol=1e-6)
    assert min(np.linalg.norm(cp.saddles - up_saddle.x, axis=1)) < 1e-6
    assert (round(up_max.losses[0], 1), round(up_max.loss, 1)) == (179.1, 181.6)
    assert (round(up_saddle.losses[0], 1), round(up_saddle.loss, 1)) == (168.1, 178.3)
    for label in ("GD from [-0.5, -0.5]", "GD from [0.5, -1.5]"):
        assert min(np.linalg.norm(cp.minima - paths[label].x, axis=1)) < 1e-3, label
    for s in ["from only 44 of the 81 starts: 32 runs stop on a saddle point and 5 on",
              "from all 81", "from a loss of 179.1 to the maximum, 181.6",
              "from 168.1 to a saddle at 178.3", "37 of 81 starts"]:
        assert s in text, s


def test_exact_line_search(text, ns, results):
    out = results["exact-line-search-zigzag"].stdout
    assert out.count("90.00") == 8, "every turn is a right angle"
    space = ns("exact-line-search-zigzag")
    path, valley = np.array(space["path"]), space["valley"]
    steps = np.diff(path, axis=0)
    for a, b in zip(steps, steps[1:], strict=False):
        assert abs(a @ b) < 1e-9 * np.linalg.norm(a) * np.linalg.norm(b), "orthogonal steps"
    losses = np.array([valley(p) for p in path])
    factors = losses[1:] / losses[:-1]
    assert np.allclose(factors, 0.284, atol=0.005), "the same factor, about 0.28"
    assert factors.max() < (9 / 11) ** 2
    assert "0.1049 and 0.6827" in text and "about 0.28" in text
    assert "(9/11)^2 \\approx 0.67" in text
    assert space["fig"].axes[0].get_aspect() == 1.0, "equal aspect: right angles look right"


def test_backtracking(text, results):
    assert "$c = 10^{-4}$" in text and "$\\tau = 0.5$" in text
    params = inspect.signature(gd.backtracking_line_search).parameters
    assert params["c"].default == 1e-4 and params["shrink"].default == 0.5
    assert params["lr0"].default == 1.0  # "try alpha = 1"
    out = results["backtracking-trials"].stdout
    for s in ["1601.0000", "100.0000", "6.5000", "0.9531", "gd.backtracking_line_search: 0.125"]:
        assert s in out, s
    assert "(1601, 100 and 6.5 against a bound of about 1)" in text
    assert "lowers the loss from 1 to 0.953" in text
    assert gd.landscapes["rosenbrock"]([0.0, 0.0]) == 1.0


def test_newton_with_backtracking(text, ns):
    safe = ns("newton-line-search")["safe"]
    assert safe.status == "converged" and safe.n_steps == 21
    assert np.all(np.diff(safe.losses) <= 0), "the loss never rises"
    assert np.mean(safe.lrs == 1.0) > 0.5, "most of them full Newton steps"
    assert "It needs 21 steps instead of pure Newton's 6" in text
    assert int(np.sum(safe.lrs == 1.0)) == 17 and "17 of 21" in text
    assert [f"{v:.1e}" for v in safe.losses[-3:]] == ["3.4e-04", "1.1e-06", "1.2e-10"]
    assert "($3.4 \\times 10^{-4}$, $1.1 \\times 10^{-6}$, $1.2 \\times 10^{-10}$)" in text


def test_exercise_1_above_the_stability_limit(text):
    q = gd.IllConditionedQuadratic(condition_number=100)
    run = gd.minimize(q, gd.GradientDescent(lr=2.05 / q.L), x0=[3.0, 2.0], steps=20_000,
                      loss_threshold=1e-8)
    assert run.status == "diverged" and run.n_steps == 229
    assert 1 - 2.05 / q.L * q.L == pytest.approx(-1.05)
    assert gd.newton(q, [3.0, 2.0], steps=10, loss_threshold=1e-8).n_steps == 1
    assert "`diverged` after 229 steps" in text and "$1 - \\eta L = -1.05$" in text


def test_exercise_2_line_search_and_the_saddle(text):
    f = gd.landscapes["saddle"]
    escape = gd.newton(f, [0.5, 1.0], steps=10, line_search=True)
    assert np.all(np.diff(escape.losses) < 0), "the loss keeps falling"
    assert list(escape.losses[:3]) == [-0.75, -8.75, -80.75]
    assert f"{escape.loss:.1e}" == "-3.5e+09"
    trapped = gd.newton(f, [1.0, 0.5], steps=10, line_search=True)
    assert trapped.n_steps == 1 and np.abs(trapped.x).max() < 1e-12
    assert trapped.losses[0] == 0.75 and trapped.loss == 0.0
    assert "$-0.75$, $-8.75$, $-80.75$" in text and "$-3.5 \\times 10^9$" in text


def test_exercise_3_larger_c_gives_a_shorter_step(text):
    f = gd.landscapes["rosenbrock"]
    x = np.zeros(2)
    p = -f.grad(x)
    assert gd.backtracking_line_search(f, x, p) == 0.125
    assert gd.backtracking_line_search(f, x, p, c=0.9) == 0.03125
    assert "$\\alpha = 0.03125$ instead of $0.125$" in text
    assert math.log2(0.125 / 0.03125) == 2  # "two more halvings"
