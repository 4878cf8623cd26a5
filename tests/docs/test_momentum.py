"""Claims of docs/momentum.md, checked against the page's own cells (and gdcore).

Ledger (claim in the page -> test):
- valley cells and explorer use one valley (kappa = 10, start (-3.5, 2.5))
                                                  -> test_one_valley_for_cells_and_explorer
- GD at lr 0.18 crosses the floor on every step; factor 1 - eta L = -0.8
                                                  -> test_gd_zigzags_on_every_step
- lr 0.1: no zig-zag but slower; 0.19 twice as long; 0.21 diverges
                                                  -> test_learning_rate_variants_of_the_first_cell
- terminal velocity 10 times the plain step
                                  -> test_terminal_velocity_is_ten_times_the_plain_step
- classical and PyTorch forms agree               -> test_classical_and_torch_forms_agree
- momentum 0.4: half the steps, fewer visible swings, still swings
                                                  -> test_ball_picture_momentum_halves_the_steps
- Nesterov's iterates are the look-ahead points   -> test_nesterov_iterates_are_the_lookahead_points
- table: 0.980, 0.818, 691 and 69 steps           -> test_optimal_rates_for_kappa_100
- kappa = 100 cell: GD factor exact, heavy ball above 0.818, Nesterov between,
  both momentum methods several times fewer steps  -> test_kappa_cell_rates_and_step_counts
- heavy ball's loss rises 4 steps to > 13 times   -> test_tuned_heavy_ball_loss_bump
- edit kappa to 10 and 1000: GD steps grow like kappa, momentum like sqrt(kappa)
                                  -> test_kappa_edits_scale_like_kappa_and_sqrt_kappa
- kappa = 1: all three converge in one step       -> test_exercise_2_round_bowl
- explorer: GD 25 visible swings, momentum 7, Nesterov 2; Nesterov at 0.18 diverges
                                                  -> test_explorer_shows_gd_zigzagging
- explorer's rate map (phase: true): current setting rate sqrt(0.4) = 0.632, star 0.519,
  the same rates as the rate-map cell     -> test_explorer_rate_map_is_the_rate_map_cells
- 2x2 matrix: gentle real roots 0.755, steep complex 0.447, measured within 0.001;
  beta 0.4 gives 0.632 for both                   -> test_eigen_check_predicts_the_measured_rates
- eta L > 1 forbids the non-oscillating regime    -> test_no_monotone_regime_when_eta_L_above_one
- rate map: best grid point on the tuned settings, boundary eta L = 2(1 + beta)
                                                  -> test_rate_map_best_point_and_boundary
- lower-bound table numbers, x10 vs x3.2          -> test_lower_bound_table
- Lessard et al.: heavy ball cycles (3 points, loss 41), GD and Nesterov converge,
  starts 1.5 and 3.0 converge                     -> test_heavy_ball_cycles_on_three_pieces
- overshoot sweep falls to 0.8 then rises; 0.99 max_steps
                                                  -> test_overshoot_sweep_falls_then_rises
- exercise 1: counts and best momentum 0.4        -> test_exercise_1_best_momentum
- exercise 3: GD diverges at 0.25, momentum 0.6 converges (bound 0.32), 0.35 diverges
                                                  -> test_exercise_3_heavy_ball_stability
- static snippets are gdcore's code               -> test_static_snippets_match_the_library_source
- notation of docs/symbols.md (no gamma, epsilon, alpha, x_t in formulas)
                                  -> test_notation_follows_the_table_of_symbols
"""

from __future__ import annotations

import importlib.util
import inspect
import math
import re
import sys
from pathlib import Path

import numpy as np
import pytest

import gdcore as gd

ROOT = Path(__file__).resolve().parents[2]
PAGE = "momentum"
TEXT = (ROOT / "docs" / "momentum.md").read_text(encoding="utf-8")
X0 = np.array([-3.5, 2.5])


def swings(run, tol: float = 0.01) -> int:
    """Crossings of theta_2 = 0 while |theta_2| > tol (the page's definition)."""
    a, b = run.xs[:-1, 1], run.xs[1:, 1]
    return int(np.sum((np.sign(a) != np.sign(b)) & (np.maximum(abs(a), abs(b)) > tol)))


def explorer_options(cell_id: str) -> dict:
    spec = importlib.util.spec_from_file_location("gd_test_explorer_hook",
                                                  ROOT / "overrides" / "hooks" / "explorer.py")
    hook = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = hook
    spec.loader.exec_module(hook)
    body = re.search(rf'```explorer id="{cell_id}"\n(.*?)```', TEXT, re.S).group(1)
    return hook.parse_options(body)


def states(*snippets: str) -> None:
    for s in snippets:
        assert s in TEXT, f"momentum.md no longer says {s!r}: update this test"


def test_one_valley_for_cells_and_explorer(page_namespace):
    ns = page_namespace(PAGE, "momentum-valley-setup")
    opts = explorer_options("momentum-race")
    assert ns["f"] is gd.landscapes[opts["landscape"]], "explorer: the same valley as the cells"
    assert ns["f"].condition_number == 10.0
    assert opts["start"] == ns["x0"].tolist(), "explorer starts where the cells start"
    states("$\\kappa = 10$, start $(-3.5, 2.5)$")


def test_gd_zigzags_on_every_step(page_namespace, run_page):
    ns = page_namespace(PAGE, "momentum-valley-setup")
    run, f = ns["gd_run"], ns["f"]
    assert run.status == "converged"
    assert ns["flips"] == run.n_steps, "'The path crosses the valley floor on every step'"
    assert f"changed sign on {run.n_steps} of {run.n_steps}" in run_page(PAGE)[
        "momentum-valley-setup"].stdout
    assert 1 - 0.18 * f.L == pytest.approx(-0.8)
    states("$1 - \\eta L = -0.8$", "lr=0.18")


def test_learning_rate_variants_of_the_first_cell(page_namespace):
    ns = page_namespace(PAGE, "momentum-valley-setup")
    f, x0, base = ns["f"], ns["x0"], ns["gd_run"]

    def run(lr):
        return gd.minimize(f, gd.GradientDescent(lr=lr), x0, steps=300, loss_threshold=1e-6)

    r01 = run(0.1)
    assert abs(r01.xs[1, 1]) < 1e-12, "lr = 1/L: the first step lands on the valley floor"
    assert np.all(np.abs(r01.xs[1:, 1]) < 1e-12), "lr = 1/L: no zig-zag at all"
    assert r01.status == "converged" and r01.n_steps > base.n_steps, "lr 0.1 is slower"
    r019 = run(0.19)
    assert r019.status == "converged"
    assert 1.8 * base.n_steps <= r019.n_steps <= 2.2 * base.n_steps, "0.19: twice as long"
    assert run(0.21).status == "diverged", "lr 0.21 diverges"
    assert 2 / f.L == pytest.approx(0.2)
    states("`lr=0.1`", "`lr=0.19`", "$2/L = 0.2$", "`lr=0.21`")


def test_terminal_velocity_is_ten_times_the_plain_step():
    opt = gd.Momentum(lr=0.01, momentum=0.9)
    x = np.zeros(1)
    for _ in range(300):
        new = opt.step(x, np.ones(1))
        step, x = float(x[0] - new[0]), new
    assert round(step / 0.01) == 10, "'with beta = 0.9 that is 10 times the plain step'"
    states("**10 times**")


def test_classical_and_torch_forms_agree(page_namespace):
    ns = page_namespace(PAGE, "momentum-torch-equivalence")
    assert ns["gap"] < 1e-12, "'The difference is at the level of floating-point rounding'"
    for eta, beta in [(0.05, 0.5), (0.1, 0.95)]:  # "Change eta or beta: they keep agreeing"
        f, x, v, xs = ns["f"], ns["x0"].copy(), np.zeros(2), [ns["x0"].copy()]
        for _ in range(50):
            v = beta * v + eta * f.grad(x)
            x = x - v
            xs.append(x)
        run = gd.minimize(f, gd.Momentum(lr=eta, momentum=beta), ns["x0"], steps=50)
        assert np.max(np.abs(np.array(xs) - run.xs)) < 1e-10


def test_ball_picture_momentum_halves_the_steps(page_namespace, run_page):
    ns = page_namespace(PAGE, "momentum-ball-picture")
    g, m = ns["gd_run"], ns["mom_run"]
    assert m.status == "converged" and g.status == "converged"
    assert m.n_steps <= 0.5 * g.n_steps, "'momentum reaches the threshold in half the steps'"
    assert 0 < ns["swings"](m) < ns["swings"](g), "fewer swings, but it does not stop swinging"
    assert ns["swings"](m) == swings(m)
    hb = gd.minimize(ns["f"], gd.Momentum(lr=0.18, momentum=0.9), ns["x0"], steps=300,
                     loss_threshold=1e-6)
    assert hb.status == "converged" and swings(hb) > swings(g), "'momentum=0.9' circles"


def test_nesterov_iterates_are_the_lookahead_points(page_namespace):
    ns = page_namespace(PAGE, "momentum-nesterov-lookahead")
    assert ns["nag"].n_steps == 50
    assert ns["gap"] < 1e-12


def test_optimal_rates_for_kappa_100():
    kappa = 100.0
    gd_rate = (kappa - 1) / (kappa + 1)
    hb_rate = (math.sqrt(kappa) - 1) / (math.sqrt(kappa) + 1)
    assert f"{gd_rate:.3f}" == "0.980" and f"{hb_rate:.3f}" == "0.818"
    assert round(math.log(1e-6) / math.log(gd_rate)) == 691
    assert round(math.log(1e-6) / math.log(hb_rate)) == 69
    states("0.980", "0.818", "roughly 691 steps", "roughly 69.")


def kappa_rates(stdout: str) -> dict[str, tuple[int, float]]:
    rows = re.findall(r"^(.+?)\s+(\d+) steps, error x([\d.]+) per step$", stdout, re.M)
    return {label.strip(): (int(n), float(r)) for label, n, r in rows}


def test_kappa_cell_rates_and_step_counts(run_page, page_namespace):
    rows = kappa_rates(run_page(PAGE)["momentum-vs-gd-kappa"].stdout)
    assert set(rows) == {"gradient descent", "heavy ball", "Nesterov"}
    n_gd, r_gd = rows["gradient descent"]
    n_hb, r_hb = rows["heavy ball"]
    n_nag, r_nag = rows["Nesterov"]
    assert r_gd == pytest.approx(0.980, abs=1e-3), "GD's measured factor matches the theory"
    assert 0.818 < r_hb < 0.9, "heavy ball somewhat above the ideal 0.818"
    assert r_hb < r_nag < r_gd, "Nesterov's comes out between the two"
    assert 5 * n_hb < n_gd and 5 * n_nag < n_gd, "several times fewer steps"
    ns = page_namespace(PAGE, "momentum-vs-gd-kappa")
    assert all(r.status == "converged" for r in ns["results"].values())


def test_kappa_edits_scale_like_kappa_and_sqrt_kappa(page_cells):
    code = next(c for c in page_cells(PAGE) if c.id == "momentum-vs-gd-kappa").code
    code = code.split("gplot.loss_curve")[0]
    steps = {}
    for kappa in ("10.0", "100.0", "1000.0"):
        ns = {"np": np, "gd": gd, "x0": X0.copy()}
        exec(code.replace("kappa = 100.0", f"kappa = {kappa}"), ns)
        assert all(r.status == "converged" for r in ns["results"].values()), kappa
        steps[kappa] = {k: r.n_steps for k, r in ns["results"].items()}
    for lo, hi in (("10.0", "100.0"), ("100.0", "1000.0")):
        g = steps[hi]["gradient descent"] / steps[lo]["gradient descent"]
        h = steps[hi]["heavy ball"] / steps[lo]["heavy ball"]
        assert 8 < g < 14, "'the number of steps of gradient descent grows like kappa'"
        assert 2.5 < h < 4.5, "'those of the momentum methods like sqrt(kappa)'"
    states("try 10 and 1000")


def test_tuned_heavy_ball_loss_bump(page_namespace):
    ns = page_namespace(PAGE, "momentum-vs-gd-kappa")
    hb = ns["results"]["heavy ball"].losses
    assert np.all(np.diff(hb[:5]) > 0), "the loss rises for the first four steps"
    assert hb[5] < hb[4], "... and then falls"
    assert hb[4] / hb[0] > 13, "to more than 13 times its starting value"
    assert np.all(np.diff(ns["results"]["gradient descent"].losses) <= 0), "GD is monotone"
    L = ns["valley"].L
    assert 4 / (math.sqrt(L) + 1) ** 2 == pytest.approx(0.033, abs=5e-4) and 2 / L == 0.02
    states("more than 13 times", "\\approx 0.033", "$2/L = 0.02$")


def test_exercise_2_round_bowl(page_cells):
    cell = next(c for c in page_cells(PAGE) if c.id == "momentum-vs-gd-kappa").code
    code = cell.replace("kappa = 100.0", "kappa = 1.0").split("gplot.loss_curve")[0]
    ns = {"np": np, "gd": gd, "x0": X0.copy()}
    exec(code, ns)
    for label, run in ns["results"].items():
        assert run.n_steps == 1, f"kappa = 1: {label} should converge in 1 step"
    assert ns["runs"]["heavy ball"].momentum == 0.0 and ns["runs"]["Nesterov"].momentum == 0.0


def test_explorer_shows_gd_zigzagging(page_namespace):
    ns = page_namespace(PAGE, "momentum-valley-setup")
    opts = explorer_options("momentum-race")
    f = gd.landscapes[opts["landscape"]]
    counts = {}
    for spec in opts["optimizers"]:
        opt = gd.make_optimizer(spec)
        run = gd.minimize(f, opt, opts["start"], opts["steps"])
        assert run.status != "diverged", spec
        counts[type(opt).__name__] = swings(run)
    assert counts == {"GradientDescent": 25, "Momentum": 7, "Nesterov": 2}, (
        "'Gradient descent zig-zags across the valley floor 25 times ...; momentum swings 7"
        " times, Nesterov twice'")
    specs = {s["optimizer"]: s for s in opts["optimizers"]}
    assert specs["GradientDescent"]["lr"] == specs["Momentum"]["lr"] == 0.18
    assert specs["Momentum"]["momentum"] == 0.4, "explorer = the ball-picture cell's settings"
    sk = math.sqrt(ns["f"].condition_number)
    assert specs["Nesterov"]["lr"] == 1 / ns["f"].L
    assert specs["Nesterov"]["momentum"] == pytest.approx((sk - 1) / (sk + 1), abs=0.005)
    bad = gd.minimize(f, gd.Nesterov(lr=0.18, momentum=specs["Nesterov"]["momentum"]),
                      opts["start"], opts["steps"])
    assert bad.status == "diverged", "'Nesterov at eta = 0.18 diverges'"
    states("25 times", "momentum swings 7 times, Nesterov twice")


def test_eigen_check_predicts_the_measured_rates(page_namespace, run_page):
    out = run_page(PAGE)["momentum-eigen-check"].stdout
    rows = re.findall(r"curvature\s+(\S+): eigenvalues (.*?), predicted rate ([\d.]+), "
                      r"measured ([\d.]+)", out)
    assert len(rows) == 2
    (a1, z1, p1, m1), (a2, z2, p2, m2) = rows
    assert "j" not in z1 and "j" in z2, "gentle direction real roots, steep complex"
    assert float(p1) == 0.755 and float(p2) == 0.447
    assert abs(float(p1) - float(m1)) <= 0.001 + 1e-9
    assert abs(float(p2) - float(m2)) <= 0.001 + 1e-9
    rate = page_namespace(PAGE, "momentum-eigen-check")["rate"]
    assert float(rate(0.18, 0.2, 10.0)) == pytest.approx(math.sqrt(0.2))
    assert float(rate(0.18, 0.4, 1.0)) == pytest.approx(math.sqrt(0.4))   # "Try beta=0.4"
    assert float(rate(0.18, 0.4, 10.0)) == pytest.approx(math.sqrt(0.4))
    states("0.755", "0.447", "0.632", "within\n0.001")


def test_no_monotone_regime_when_eta_L_above_one():
    for beta in np.linspace(0, 0.99, 50):
        assert (1 - math.sqrt(beta)) ** 2 <= 1


def test_rate_map_best_point_and_boundary(page_namespace, run_page):
    ns = page_namespace(PAGE, "momentum-rate-map")
    R, E, B = ns["R"], ns["E"], ns["B"]
    i, j = np.unravel_index(np.argmin(R), R.shape)
    assert abs(E[i, j] - ns["eta_hb"]) < 0.005 and abs(B[i, j] - ns["beta_hb"]) < 0.01, (
        "the brightest point sits on the tuned settings")
    assert float(ns["rate"](ns["eta_hb"], ns["beta_hb"], 1.0)) == pytest.approx(0.519,
                                                                              abs=5e-4)
    out = run_page(PAGE)["momentum-rate-map"].stdout
    for s in ["lr 0.230, momentum 0.27, rate 0.522", "lr 0.231, momentum 0.27, rate 0.519",
              "rate 0.818"]:
        assert s in out
    # stability edge on the right: eta L = 2 (1 + beta)
    rate, L = ns["rate"], ns["L"]
    for beta in (0.0, 0.3, 0.6):
        edge = 2 * (1 + beta) / L
        assert rate(edge * 0.999, beta, L) < 1 < rate(edge * 1.001, beta, L)
    states("$\\eta \\approx 0.231$", "rate 0.522", "0.818 for the best gradient descent")


def test_explorer_rate_map_is_the_rate_map_cells(page_namespace):
    ns = page_namespace(PAGE, "momentum-rate-map")
    opts = explorer_options("momentum-race")
    assert opts["phase"] is True, "the explorer draws the rate map"
    race = gd.race(opts["landscape"], opts["optimizers"], opts["start"], 10)
    hb = next(r for r in race["runs"] if r["optimizer"] == "Momentum")
    assert hb["rate"] == pytest.approx(math.sqrt(0.4)) and round(hb["rate"], 3) == 0.632
    grid = gd.momentum_rate_grid(opts["landscape"])
    assert round(grid["optimum"]["rate"], 3) == 0.519
    lrs, momenta = np.meshgrid(grid["lrs"], grid["momenta"])
    page = np.maximum(ns["rate"](lrs, momenta, ns["mu"]), ns["rate"](lrs, momenta, ns["L"]))
    assert np.reshape(grid["rates"], page.shape) == pytest.approx(page, rel=1e-12)
    states("(at first rate\n$\\sqrt{0.4} \\approx 0.632$), the star the tuned setting (rate 0.519)")


def test_lower_bound_table(run_page):
    out = run_page(PAGE)["momentum-lower-bound"].stdout
    rows = [tuple(map(int, r)) for r in re.findall(r"^\s*(\d+)\s+(\d+)\s+(\d+)$", out, re.M)]
    assert [r[0] for r in rows] == [10, 100, 1000, 10000]
    assert rows[1][1:] == (691, 69), "the table's 691 and 69"
    for (_, g0, h0), (_, g1, h1) in zip(rows[:-1], rows[1:], strict=True):
        assert g1 / g0 == pytest.approx(10, rel=0.01)
        assert h1 / h0 == pytest.approx(3.2, rel=0.06)


def test_heavy_ball_cycles_on_three_pieces(page_namespace):
    ns = page_namespace(PAGE, "momentum-heavy-ball-cycle")
    pieces, hb = ns["pieces"], ns["hb"]
    run = gd.minimize(pieces, hb, [3.3], steps=500)
    assert run.status == "max_steps" and round(run.loss) == 41, "loss stays at 41"
    assert np.allclose(run.xs[-3:, 0], run.xs[-6:-3, 0], atol=1e-9), "a cycle of 3 points"
    assert not np.allclose(run.xs[-1, 0], run.xs[-2, 0])
    for opt in (gd.GradientDescent(lr=2 / 26), gd.Nesterov(lr=1 / 25, momentum=4 / 6)):
        assert gd.minimize(pieces, opt, [3.3], steps=500).loss < 1e-20
    for start in (1.5, 3.0):
        assert gd.minimize(pieces, hb, [start], steps=500).loss < 1e-20, start
    # the function is what the text says: gradient pieces, continuous, mu = 1, L = 25
    for t in (0.5, 1.5, 2.5):
        h = 1e-6
        num = (pieces(np.array([t + h])) - pieces(np.array([t - h]))) / (2 * h)
        assert num == pytest.approx(float(pieces.grad(np.array([t]))[0]), rel=1e-6)
    for t in (1.0, 2.0):
        assert pieces(np.array([t - 1e-12])) == pytest.approx(pieces(np.array([t])))
    states("$\\theta_0 = 3.3$", "stays at 41", "`[1.5]`", "`[3.0]`")


def test_overshoot_sweep_falls_then_rises(page_namespace):
    sweep = page_namespace(PAGE, "momentum-overshoot-sweep")["sweep"]
    n = {k: r.n_steps for k, r in sweep.items()}
    assert n["momentum 0.0"] > n["momentum 0.5"] > n["momentum 0.8"] < n["momentum 0.9"]
    assert sweep["momentum 0.99"].status == "max_steps", "0.99 has not reached the threshold"


def test_exercise_1_best_momentum(page_namespace):
    ns = page_namespace(PAGE, "momentum-ball-picture")
    ms = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]
    counts = [gd.minimize(ns["f"], gd.Momentum(lr=0.18, momentum=m), ns["x0"], 300,
                          loss_threshold=1e-6).n_steps for m in ms]
    assert counts == [35, 29, 22, 19, 25, 32, 41, 77, 133]
    states("35, 29, 22, 19, 25, 32, 41, 77 and 133", "`momentum=0.4` with 19 steps",
           "needs 41")
    assert ns["gd_run"].n_steps == 41


def test_exercise_3_heavy_ball_stability(page_namespace):
    ns = page_namespace(PAGE, "momentum-valley-setup")
    f, x0 = ns["f"], ns["x0"]
    assert gd.minimize(f, gd.GradientDescent(lr=0.25), x0, 300).status == "diverged"
    ok = gd.minimize(f, gd.Momentum(lr=0.25, momentum=0.6), x0, 300, loss_threshold=1e-6)
    bad = gd.minimize(f, gd.Momentum(lr=0.35, momentum=0.6), x0, 300, loss_threshold=1e-6)
    assert ok.status == "converged" and bad.status == "diverged"
    assert 2 * (1 + 0.6) / f.L == pytest.approx(0.32)
    states("`lr=0.25`", "$0.32$", "`lr=0.35`")


def test_static_snippets_match_the_library_source():
    source = inspect.getsource(gd.Momentum) + inspect.getsource(gd.Nesterov)
    checked = 0
    for snippet in re.findall(r"```python\n(.*?)```", TEXT, re.S):
        lines = [ln.strip() for ln in snippet.splitlines() if ln.strip()]
        if lines and lines[0].startswith("self.buf"):
            for ln in lines:
                assert ln in source, ln
            checked += 1
    assert checked == 2


def test_notation_follows_the_table_of_symbols():
    """One symbol, one meaning (docs/symbols.md): beta for momentum, theta for parameters,
    varepsilon only for the adaptive denominators, no gamma, no x_t."""
    maths = " ".join(re.findall(r"\$\$.*?\$\$|\$[^$\n]+\$", TEXT, re.S))
    for bad in ("\\gamma", "\\epsilon", "\\alpha", "x_t", "x_{t", "\\mu b", "\\mu\\, b"):
        assert bad not in maths, f"{bad!r} in the page's formulas: see docs/symbols.md"
    assert "symbols.md" in TEXT, "the page links the table of symbols"
