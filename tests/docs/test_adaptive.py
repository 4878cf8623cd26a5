"""Claims of docs/adaptive.md, checked against the page's own cells (and gdcore).

Ledger (claim in the page -> test):
- gradient 14 times larger in theta_2; GD baseline 141 steps  -> test_setup_and_gd_baseline
- defaults (eps 1e-10, 1e-6, 1e-8; rho 0.99, lr 0.01; betas; AdamW 0.01)
                                                   -> test_defaults_match_the_text
- AdaGrad: first step = lr per coordinate, then shrinking; 160 steps (more than GD);
  lr 2.0: 14 steps; step like eta / sqrt(t)         -> test_adagrad_cell
- rare feature: ~2 % of rows; AdaGrad within 10 % in 25 steps, GD 107; lr 0.5 below
  2/L ~ 0.89 (GD diverges above); GD has the common weights within 0.02 after 5 steps,
  AdaGrad within 0.06 after 20; frequency 0.005: GD not within 10 % in 300 steps,
  0.2: GD the faster one
                                                   -> test_rare_feature_cell
- RMSProp first step 10 lr; GD crosses the floor on every step, AdaGrad and RMSProp
  never; RMSProp sooner than GD; alpha 0.9: 106 steps -> test_rmsprop_cell
- AdaDelta: steps < 0.01 after 300, loss 56 -> about 11; lr=10 / eps=1e-3 go further
                                                   -> test_adadelta_cell
- bias correction numbers (3.162, below 0.01, exact (1 - beta^t) bias)
                                                   -> test_bias_correction_numbers
- first Adam step = lr for g = 1, 1e4, 0.09999 for 1e-4
                                                   -> test_adam_first_step_scale
- Adam on the valley: 208 steps (more than GD), no coordinate step above lr, 0.141 ->
  0.027 (t = 50) -> 2e-5 (t = 200); betas (0, 0.999): 153; (0.9, 0.9) never reaches
  the threshold                                    -> test_adam_valley_cell
- Kingma & Ba's worst case 3.2 eta                 -> test_adam_worst_case_bound
- rotated valley: aligned 119-208 steps with GD 141; rotated GD 148, RMSProp 521,
  Adam 806, AdaGrad not in 2000; AdaGrad lr 2: 14 / 317 -> test_rotated_valley_cell
- Reddi et al.: SGD and AMSGrad end at -1, Adam at +1; default betas converge
                                                   -> test_amsgrad_cell
- eps outside vs inside the root (0.1, 0.099, 0.05; 0.0707, 0.001)
                                                   -> test_epsilon_cell
- betas (0, 0) and alpha 0 give +-lr in every coordinate = the best l-inf corner
                                                   -> test_sign_descent_cell
- noise: SGD floor 0.0049 ~ eta sigma^2 d / 4 = 0.005; momentum same lr > 10x floor and
  faster; lr x 0.1 like SGD; Adam lowest floor, slowest; sigma 5: SGD x25, Adam ~x10
                                                   -> test_noise_cell
- AdamW shrinks the flat coordinate by exactly (1 - eta lambda)^200 = 0.819; Adam + L2
  much further                                     -> test_adamw_cell
- race observations and exercise 3 (AdamW ends ~(0.68, 0.46), ~300 x Adam's loss)
                                                   -> test_compare_all_observations
- the explorer uses the cell's optimizers and learning rates
                                                   -> test_explorer_matches_the_race_cell
- exercise 1 (no; loss ~0.02 at theta_1 ~ -0.21; 0.05/63.5, 0.5/8.4)
                                                   -> test_exercise_1_small_adagrad_rate
- exercise 2 (0.316, 3.16 times)                   -> test_exercise_2_uncorrected_first_step
- static snippets are gdcore's code               -> test_static_snippets_match_the_library_source
- notation of docs/symbols.md (no gamma, epsilon, alpha, x_t in formulas)
                                  -> test_notation_follows_the_table_of_symbols
- the displayed update rules (AdaGrad, RMSProp, AdaDelta, Adam, AdamW) are gdcore's
                                                   -> test_page_formulas_are_gdcores_updates
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
PAGE = "adaptive"
TEXT = (ROOT / "docs" / "adaptive.md").read_text(encoding="utf-8")


def states(*snippets: str) -> None:
    for s in snippets:
        assert s in TEXT, f"adaptive.md no longer says {s!r}: update this test"


def cell_code(page_cells, cell_id: str) -> str:
    return next(c for c in page_cells(PAGE) if c.id == cell_id).code


def test_setup_and_gd_baseline(page_namespace):
    ns = page_namespace(PAGE, "adaptive-setup")
    g = ns["valley"].grad(ns["x0"])
    assert 14 <= abs(g[1] / g[0]) < 15, "'14 times larger in theta_2'"
    assert ns["gd_run"].status == "converged" and ns["gd_run"].n_steps == 141
    states("14 times larger", "in 141 steps")


def test_defaults_match_the_text():
    adam = gd.Adam()
    assert adam.betas == (0.9, 0.999) and adam.eps == 1e-8 and adam.lr == 0.001
    assert gd.AdamW().weight_decay == 0.01
    rms = gd.RMSProp()
    assert rms.alpha == 0.99 and rms.lr == 0.01
    assert gd.AdaGrad().eps == 1e-10
    ada = gd.AdaDelta()
    assert ada.eps == 1e-6 and ada.lr == 1.0
    states("default $10^{-10}$", "default $10^{-6}$", "$\\rho = 0.99$ with $\\eta = 0.01$",
           "(default $\\lambda = 0.01$)", "$\\beta_2 = 0.999$, $\\varepsilon = 10^{-8}$")


def test_adagrad_cell(page_namespace, run_page):
    ns = page_namespace(PAGE, "adaptive-adagrad")
    out = run_page(PAGE)["adaptive-adagrad"].stdout
    assert "step 1: moved by [0.5 0.5]" in out, "first step moves both coordinates by lr"
    moves = [np.array(list(map(float, m.split())))
             for m in re.findall(r"moved by \[([^\]]+)\]", out)]
    assert all(np.all(b < a) for a, b in zip(moves[:-1], moves[1:], strict=True)), \
        "then the steps shrink"
    run = ns["adagrad_run"]
    assert run.status == "converged" and run.n_steps == 160
    assert run.n_steps > ns["gd_run"].n_steps, "'a few more steps than tuned GD'"
    fast = gd.minimize(ns["valley"], gd.AdaGrad(lr=2.0), ns["x0"], 2000, loss_threshold=1e-8)
    assert fast.status == "converged" and fast.n_steps == 14, "'Try lr=2.0: 14 steps'"
    opt = gd.AdaGrad(lr=1.0, eps=1e-300)
    x = np.zeros(1)
    for _ in range(100):
        new = opt.step(x, np.array([3.0]))
        step, x = float(x[0] - new[0]), new
    assert step == pytest.approx(1 / np.sqrt(100)), "constant gradient: step eta / sqrt(t)"
    states("converges in 14 steps")


def rare_fits(page_cells, freq: str | None = None) -> dict:
    code = cell_code(page_cells, "adaptive-rare-feature")
    if freq is not None:
        code = code.replace("rng.random(n) < 0.02", f"rng.random(n) < {freq}")
    ns = {"np": np, "gd": gd, "gplot": None}
    exec(code.split("gplot.loss_curve")[0], ns)
    return ns


def first_within(run, w_best, k=2, tol=0.1):
    w = run.xs[:, k]
    return int(np.argmax(np.abs(w - w_best[k]) < tol * abs(w_best[k])))


def test_rare_feature_cell(page_namespace, page_cells):
    ns = page_namespace(PAGE, "adaptive-rare-feature")
    X, fits, w_best = ns["X"], ns["fits"], ns["w_best"]
    assert 0.01 <= X[:, 2].mean() <= 0.05, "'1 in about 2 % of the examples'"
    gd_n = first_within(fits["gradient descent"], w_best)
    ada_n = first_within(fits["AdaGrad"], w_best)
    assert (gd_n, ada_n) == (107, 25), "'AdaGrad ... in 25 steps, gradient descent in 107'"
    A = np.c_[X, np.ones(len(X))]
    H = 2 / len(X) * A.T @ A
    assert int(X[:, 2].sum()) == 11 and len(X) == 500, "11 of the 500 rows"
    assert f"{H[2, 2]:.3f}" == "0.044", "curvature along w3"
    assert np.all(np.abs(np.diag(H)[:2] - 2) < 0.25), "about 2 along the common weights"
    L = np.linalg.eigvalsh(H).max()
    assert f"{2 / L:.2f}" == "0.89", "2/L ~ 0.89"
    bad = gd.minimize(ns["FitLoss"](), gd.GradientDescent(lr=0.9), np.zeros(4), steps=300)
    assert bad.loss > 1e3, "gradient descent diverges above 2/L"
    g5 = fits["gradient descent"].xs[5, :2]
    a20 = fits["AdaGrad"].xs[20, :2]
    assert np.all(np.abs(g5 - w_best[:2]) < 0.02), "GD: common weights within 0.02 after 5"
    assert np.all(np.abs(a20 - w_best[:2]) < 0.06), "AdaGrad: within 0.06 after 20"
    assert np.any(np.abs(fits["AdaGrad"].xs[5, :2] - w_best[:2]) > 0.02), "the other way"
    steps = {}
    for freq in ("0.005", "0.2"):
        other = rare_fits(page_cells, freq)
        steps[freq] = {k: (first_within(r, other["w_best"]) if np.any(
            np.abs(r.xs[:, 2] - other["w_best"][2]) < 0.1 * abs(other["w_best"][2]))
            else None) for k, r in other["fits"].items()}
    assert steps["0.005"]["gradient descent"] is None, "0.005: GD not within 10 % in 300"
    assert steps["0.005"]["AdaGrad"] is not None
    assert steps["0.2"]["gradient descent"] < steps["0.2"]["AdaGrad"], "0.2: GD faster"
    states("in 25 steps", "gradient descent in 107", "$2/L \\approx 0.89$",
           "within 0.02 after 5 steps", "within 0.06 after 20")


def test_rmsprop_cell(page_namespace, run_page):
    ns = page_namespace(PAGE, "adaptive-rmsprop")
    first = np.abs(ns["first"] - ns["x0"])
    assert np.allclose(first, 0.05 / np.sqrt(1 - 0.99), rtol=1e-6), "first step 10 lr"
    out = run_page(PAGE)["adaptive-rmsprop"].stdout
    rows = dict((k.strip(), (int(n), int(c))) for k, n, c in
                re.findall(r"^(.+?)\s+(\d+) steps, theta_2 changed sign\s+(\d+) times", out,
                           re.M))
    assert rows["gradient descent"][1] == rows["gradient descent"][0], "GD: every step"
    assert rows["AdaGrad"][1] == 0 and rows["RMSProp"][1] == 0, "never cross the floor"
    assert rows["RMSProp"][0] < rows["gradient descent"][0], "RMSProp a little sooner"
    short = gd.minimize(ns["valley"], gd.RMSProp(lr=0.05, alpha=0.9), ns["x0"], 2000,
                        loss_threshold=1e-8)
    assert short.n_steps == 106 < rows["RMSProp"][0], "alpha 0.9: sooner still (106)"
    assert 1 - 25 * 2 / 26 == pytest.approx(-0.92, abs=0.005)
    states("(106 steps)", "**10 times**", "never cross its floor")


def test_adadelta_cell(page_namespace):
    ns = page_namespace(PAGE, "adaptive-adadelta")
    run, steps = ns["adadelta_run"], ns["steps"]
    assert np.all(steps < 0.01), "each step still shorter than 0.01"
    assert round(run.losses[0]) == 56 and round(run.loss) == 11
    for opt in (gd.AdaDelta(lr=10.0), gd.AdaDelta(eps=1e-3)):
        other = gd.minimize(ns["valley"], opt, ns["x0"], steps=300)
        assert other.loss < run.loss / 10, f"{opt} should go much further"
    states("from 56 to about 11", "shorter than 0.01")


def test_bias_correction_numbers():
    b1, b2 = 0.9, 0.999
    assert f"{(1 - b1) / np.sqrt(1 - b2):.3f}" == "3.162"
    assert 1 - b2**10 < 0.01
    m = s = 0.0
    g = 2.5
    for _ in range(10):
        m = b1 * m + (1 - b1) * g
        s = b2 * s + (1 - b2) * g * g
    assert m == pytest.approx((1 - b1**10) * g) and s == pytest.approx((1 - b2**10) * g * g)
    states("3.162", "$m_1 = 0.1\\, g$", "$s_1 = 0.001\\, g^2$", "below 0.01")


def test_adam_first_step_scale(run_page):
    out = run_page(PAGE)["adaptive-bias-correction"].stdout
    assert "gradient 1: first Adam step = 0.100000" in out
    assert "gradient 10000: first Adam step = 0.100000" in out
    assert "gradient 0.0001: first Adam step = 0.099990" in out
    states("(0.09999)")


def test_adam_valley_cell(page_namespace, run_page):
    ns = page_namespace(PAGE, "adaptive-adam-valley")
    run, moves = ns["adam_run"], ns["moves"]
    assert run.status == "converged" and run.n_steps == 208 > ns["gd_run"].n_steps
    assert moves.max() <= 0.1 * (1 + 1e-12), "no coordinate moves by more than eta"
    lengths = np.linalg.norm(moves, axis=1)
    assert lengths[0] == pytest.approx(math.sqrt(2) * 0.1)
    assert f"{lengths[49]:.3f}" == "0.027" and f"{lengths[199]:.0e}" == "2e-05"
    assert np.all(np.diff(lengths[10:200]) < 0) or lengths[199] < 1e-3 * lengths[0]
    no_mom = gd.minimize(ns["valley"], gd.Adam(lr=0.1, betas=(0.0, 0.999)), ns["x0"], 2000,
                         loss_threshold=1e-8)
    assert no_mom.n_steps == 153
    short = gd.minimize(ns["valley"], gd.Adam(lr=0.1, betas=(0.9, 0.9)), ns["x0"], 2000,
                        loss_threshold=1e-8)
    assert short.status == "max_steps", "(0.9, 0.9) no longer reaches the threshold"
    states("$0.141 = \\sqrt2\\,\\eta$", "0.027 by step 50", "$2 \\times 10^{-5}$ by step 200",
           "153 steps", "within\n2000 steps")


def test_adam_worst_case_bound():
    assert (1 - 0.9) / math.sqrt(1 - 0.999) == pytest.approx(3.16, abs=0.01)
    states("\\approx 3.2\\,\\eta")


def test_rotated_valley_cell(run_page):
    out = run_page(PAGE)["adaptive-rotated-valley"].stdout
    rows = {(int(a), k.strip()): (int(n), st) for a, k, n, st in re.findall(
        r"angle\s+(\d+) deg\s+(.+?)\s+(\d+) steps\s+\((\w+)\)", out)}
    aligned = [rows[(0, k)][0] for k in ("gradient descent", "AdaGrad", "RMSProp", "Adam")]
    assert min(aligned) == 119 and max(aligned) == 208 and aligned[0] == 141
    assert rows[(45, "gradient descent")] == (148, "converged")
    assert rows[(45, "RMSProp")] == (521, "converged")
    assert rows[(45, "Adam")] == (806, "converged")
    assert rows[(45, "AdaGrad")] == (2000, "max_steps"), "AdaGrad not after 2000"
    # the rotation changes nothing for GD's curvatures
    f = gd.IllConditionedQuadratic(25.0, angle=math.pi / 4)
    assert np.allclose(np.linalg.eigvalsh(f.hessian(np.zeros(2))), [1.0, 25.0])
    x0 = np.array([-3.5, 2.0])
    n = [gd.minimize(gd.IllConditionedQuadratic(25.0, angle=a), gd.AdaGrad(lr=2.0), x0, 2000,
                     loss_threshold=1e-8).n_steps for a in (0.0, math.pi / 4)]
    assert n == [14, 317]
    states("119 to 208 steps", "(141)", "148 steps, RMSProp 521, Adam 806", "14\nsteps",
           "317 on the rotated one")


def test_amsgrad_cell(page_namespace, run_page):
    out = run_page(PAGE)["adaptive-amsgrad"].stdout
    ends = {k: float(v) for k, v in re.findall(r"^(\w+)\s+ends at theta = ([+-][\d.]+)",
                                               out, re.M)}
    assert ends["SGD"] < -0.99 and ends["AMSGrad"] < -0.99, "SGD and AMSGrad end at -1"
    assert ends["Adam"] == 1.0, "Adam ends at +1, the worst point"
    online_run = page_namespace(PAGE, "adaptive-amsgrad")["online_run"]
    assert online_run(gd.Adam(betas=(0.9, 0.999))) < -0.99, "defaults: Adam converges too"
    assert 0.0 < math.sqrt(1 / (1 + 9.0)), "beta1 = 0 < sqrt(beta2)"
    states("Adam ends at $+1$", "Plain SGD and AMSGrad end at $-1$")


def test_epsilon_cell(run_page):
    out = run_page(PAGE)["adaptive-epsilon"].stdout
    rows = {float(g): (float(a), float(b)) for g, a, b in
            re.findall(r"^\s+(\S+)\s+(\S+)\s+(\S+)$", out, re.M) if g != "gradient"}
    assert rows[1e-6][0] == 0.099 and rows[1e-8][0] == 0.05, "0.099 at 1e-6, halves at 1e-8"
    assert rows[1e-4] == (0.1, 0.0707) and rows[1e-6][1] == 0.001
    states("(0.099)", "halves at $10^{-8}$", "0.0707 at $10^{-4}$", "$0.001$ at $10^{-6}$")


def test_sign_descent_cell(page_namespace):
    ns = page_namespace(PAGE, "adaptive-sign-descent")
    g = ns["g"]
    for opt in (gd.Adam(lr=0.1, betas=(0.0, 0.0)), gd.RMSProp(lr=0.1, alpha=0.0)):
        step = opt.step(np.zeros(3), g)
        assert np.allclose(step, -0.1 * np.sign(g), atol=1e-5), opt
    corners = ns["corners"]
    assert np.array_equal(corners[np.argmin(corners @ g)], -0.1 * np.sign(g))


def floors(code: str, sigma: str | None = None) -> dict[str, tuple[float, int]]:
    if sigma is not None:
        code = code.replace("sigma = 0.01, 1.0", f"sigma = 0.01, {sigma}")
    ns = {"np": np, "gd": gd, "valley": gd.IllConditionedQuadratic(25.0),
          "x0": np.array([-3.5, 2.0])}
    code = code.replace("print(f\"{label", "_rows[label] = (run.losses[1000:].mean(), below)"
                        "\n    print(f\"{label")
    ns["_rows"] = {}
    exec(code, ns)
    return ns["_rows"]


def test_noise_cell(page_cells, run_page):
    code = cell_code(page_cells, "adaptive-noise")
    assert "eta, sigma = 0.01, 1.0" in code
    r = floors(code)
    sgd, mom, mom10, adam = (r["SGD"], r["momentum 0.9, same lr"],
                             r["momentum 0.9, lr x 0.1"], r["Adam"])
    assert f"{sgd[0]:.2g}" == "0.0049" and abs(sgd[0] - 0.005) / 0.005 < 0.1
    assert mom[0] > 10 * sgd[0] and mom[1] < sgd[1] / 5, "momentum: >10x floor, faster"
    assert abs(mom10[0] / sgd[0] - 1) < 0.1 and abs(mom10[1] / sgd[1] - 1) < 0.25, \
        "equal effective lr: like SGD"
    assert adam[0] < min(sgd[0], mom10[0]) and adam[1] > max(sgd[1], mom10[1]), \
        "Adam: lowest floor, slowest"
    assert "0.005" in run_page(PAGE)["adaptive-noise"].stdout
    r5 = floors(code, "5.0")
    assert 20 < r5["SGD"][0] / sgd[0] < 30, "sigma 5: SGD's floor ~25-fold"
    assert 7 < r5["Adam"][0] / adam[0] < 13, "Adam's only about tenfold"
    states("floor of 0.0049", "$\\eta\\sigma^2 d/4 = 0.005$", "more than ten times higher",
           "grows 25-fold", "only about tenfold")


def test_adamw_cell(run_page):
    out = run_page(PAGE)["adaptive-adamw"].stdout
    vals = dict(re.findall(r"^(.+?)\s+theta_1 after 200 steps: ([\d.]+)", out, re.M))
    assert float(vals["AdamW (0.1)"]) == pytest.approx((1 - 0.01 * 0.1) ** 200, abs=1e-3)
    assert f"{(1 - 0.01 * 0.1) ** 200:.3f}" == "0.819"
    assert float(vals["Adam + L2 (0.1)"]) < 0.1, "Adam + L2: theta_1 falls much further"
    states("\\approx 0.819")


def race_from_cell(page_cells, extra: dict | None = None) -> dict:
    code = cell_code(page_cells, "compare-all").split("gplot.race")[0]
    if extra:
        code = code.replace('    "Adam": gd.Adam(lr=0.05),\n',
                            '    "Adam": gd.Adam(lr=0.05),\n' + "".join(
                                f'    "{k}": {v},\n' for k, v in extra.items()))
    ns = {"np": np, "gd": gd}
    exec(code, ns)
    return ns["race"]


def test_compare_all_observations(page_namespace, page_cells):
    r = page_namespace(PAGE, "compare-all")["race"]
    d = {k: float(np.linalg.norm(run.x - 1.0)) for k, run in r.items()}
    assert round(r["GD"].loss, 1) == 2.8, "GD: loss 2.8 after 1000 steps"
    assert d["Momentum"] < 0.02 and d["Nesterov"] < 0.02, "within 0.02 of the minimum"
    assert d["Adam"] < 0.05 and f"{r['Adam'].loss:.0e}" == "3e-04"
    assert np.allclose(r["RMSProp"].x, [0.82, 0.65], atol=0.005)
    assert np.allclose(r["AdaDelta"].x, [0.69, 0.51], atol=0.005)
    assert np.linalg.norm(r["AdaGrad"].x) < 0.05, "AdaGrad stuck near the origin"
    # exercise 3
    ex = race_from_cell(page_cells, {"AdamW": "gd.AdamW(lr=0.05, weight_decay=0.1)"})
    w = ex["AdamW"]
    assert np.allclose(w.x, [0.68, 0.46], atol=0.01)
    assert round(w.loss, 1) == 0.1 and 200 < w.loss / ex["Adam"].loss < 400
    assert np.linalg.norm(w.x) < np.linalg.norm([1.0, 1.0])
    states("(loss 2.8 after 1000 steps)", "within 0.02 of the minimum", "$(0.82, 0.65)$",
           "$(0.69, 0.51)$", "$(0.68, 0.46)$", "some 300 times")


def test_explorer_matches_the_race_cell(page_cells):
    spec = importlib.util.spec_from_file_location("gd_test_explorer_hook_adaptive",
                                                  ROOT / "overrides" / "hooks" / "explorer.py")
    hook = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = hook
    spec.loader.exec_module(hook)
    body = re.search(r'```explorer id="adaptive-race"\n(.*?)```', TEXT, re.S).group(1)
    opts = hook.parse_options(body)
    code = cell_code(page_cells, "compare-all")
    assert opts["landscape"] == "rosenbrock" and opts["start"] == [-1.5, 2.0]
    assert "steps=1000" in code and opts["steps"] == 1000
    cell_lr = {name: float(lr) for name, lr in re.findall(r"gd\.(\w+)\(lr=([\d.e-]+)", code)}
    for s in opts["optimizers"]:
        if s["optimizer"] in cell_lr:
            assert s["lr"] == cell_lr[s["optimizer"]], f"explorer {s} vs the cell"
    assert {"GradientDescent", "Momentum", "AdaGrad", "RMSProp", "Adam"} <= {
        s["optimizer"] for s in opts["optimizers"]}


def test_exercise_1_small_adagrad_rate(page_namespace):
    ns = page_namespace(PAGE, "adaptive-setup")
    opt = gd.AdaGrad(lr=0.05)
    run = gd.minimize(ns["valley"], opt, ns["x0"], 3000, loss_threshold=1e-8)
    assert run.status == "max_steps", "'No'"
    assert round(run.loss, 2) == 0.02 and round(run.x[0], 2) == -0.21
    assert f"{math.sqrt(opt.sum[0]):.1f}" == "63.5"
    opt5 = gd.AdaGrad(lr=0.5)
    fast = gd.minimize(ns["valley"], opt5, ns["x0"], 3000, loss_threshold=1e-8)
    assert fast.n_steps == 160 and f"{math.sqrt(opt5.sum[0]):.1f}" == "8.4"
    states("loss of about 0.02", "\\theta_1 \\approx -0.21", "0.05/63.5", "0.5/8.4")


def test_exercise_2_uncorrected_first_step():
    g, lr = 1.0, 0.1
    m1, s1 = (1 - 0.9) * g, (1 - 0.999) * g**2
    uncorrected = lr * m1 / (np.sqrt(s1) + 1e-8)
    corrected = abs(gd.Adam(lr=lr).step(np.array([0.0]), np.array([g]))[0])
    assert f"{uncorrected:.3f}" == "0.316" and f"{uncorrected / corrected:.2f}" == "3.16"
    states("about 0.316", "3.16 times")


def test_static_snippets_match_the_library_source():
    source = "".join(inspect.getsource(c) for c in (gd.AdaGrad, gd.RMSProp, gd.Adam))
    checked = 0
    for block in re.findall(r"```python\n(.*?)```", TEXT, re.S):
        lines = [ln.split("#")[0].strip() for ln in block.splitlines()]
        lines = [ln for ln in lines if ln]
        if lines and lines[0].startswith(("self.", "if self._decoupled")):
            for ln in lines:
                assert ln in source, ln
            checked += 1
    assert checked == 4


def _page_formulas(name: str, g: np.ndarray, theta: np.ndarray, state: dict, t: int,
                   eta: float, eps: float) -> np.ndarray:
    """The update rules exactly as the page writes them (one step)."""
    if name == "AdaGrad":
        state["s"] = state.get("s", 0) + g**2
        return theta - eta / (np.sqrt(state["s"]) + eps) * g
    if name == "RMSProp":
        rho = 0.99
        state["s"] = rho * state.get("s", 0) + (1 - rho) * g**2
        return theta - eta / (np.sqrt(state["s"]) + eps) * g
    if name == "AdaDelta":
        rho = 0.9
        state["s"] = rho * state.get("s", 0) + (1 - rho) * g**2
        delta = np.sqrt(state.get("u", 0) + eps) / np.sqrt(state["s"] + eps) * g
        state["u"] = rho * state.get("u", 0) + (1 - rho) * delta**2
        return theta - eta * delta
    b1, b2, lam = 0.9, 0.999, 0.1
    if name == "AdamW":
        theta = (1 - eta * lam) * theta
    state["m"] = b1 * state.get("m", 0) + (1 - b1) * g
    state["s"] = b2 * state.get("s", 0) + (1 - b2) * g**2
    m_hat, s_hat = state["m"] / (1 - b1**t), state["s"] / (1 - b2**t)
    return theta - eta * m_hat / (np.sqrt(s_hat) + eps)


@pytest.mark.parametrize("name", ["AdaGrad", "RMSProp", "AdaDelta", "Adam", "AdamW"])
def test_page_formulas_are_gdcores_updates(name):
    """Every update rule displayed on the page produces gdcore's iterates."""
    opt = {"AdaGrad": gd.AdaGrad(lr=0.3), "RMSProp": gd.RMSProp(lr=0.3),
           "AdaDelta": gd.AdaDelta(lr=1.0), "Adam": gd.Adam(lr=0.3),
           "AdamW": gd.AdamW(lr=0.3, weight_decay=0.1)}[name]
    f = gd.IllConditionedQuadratic(25.0)
    theta = ours = np.array([-3.5, 2.0])
    state: dict = {}
    for t in range(1, 31):
        ours = _page_formulas(name, f.grad(ours), ours, state, t, opt.lr, opt.eps)
        theta = opt.step(theta, f.grad(theta))
        assert np.allclose(ours, theta, rtol=1e-10, atol=1e-12), (name, t)


def test_notation_follows_the_table_of_symbols():
    """One symbol, one meaning (docs/symbols.md): beta for momentum, theta for parameters,
    varepsilon only for the adaptive denominators, no gamma, no x_t."""
    maths = " ".join(re.findall(r"\$\$.*?\$\$|\$[^$\n]+\$", TEXT, re.S))
    for bad in ("\\gamma", "\\epsilon", "\\alpha", "x_t", "x_{t", "\\mu b", "\\mu\\, b"):
        assert bad not in maths, f"{bad!r} in the page's formulas: see docs/symbols.md"
    assert "symbols.md" in TEXT, "the page links the table of symbols"
