"""Numbers stated in the prose of docs/momentum.md, recomputed with gdcore."""

from __future__ import annotations

import inspect
import math
import re
from pathlib import Path

import numpy as np
import pytest

import gdcore as gd

PAGE = Path(__file__).resolve().parents[2] / "docs" / "momentum.md"
TEXT = PAGE.read_text(encoding="utf-8")
X0 = np.array([-3.5, 1.5])


def valley(kappa: float = 25.0) -> gd.IllConditionedQuadratic:
    return gd.IllConditionedQuadratic(condition_number=kappa)


def static_snippets(text: str) -> list[str]:
    return re.findall(r"```python\n(.*?)```", text, re.S)


def test_page_states_the_numbers_tested_here():
    for s in ["**10 times**", "0.980", "0.818", "roughly 691 steps", "roughly 69.",
              "lr=0.078", "2/L = 0.08", "lr=0.1", "0.128", "lr=0.15",
              "condition_number=25.0", "kappa = 100.0"]:
        assert s in TEXT, s


def test_terminal_velocity_is_ten_times_the_plain_step():
    opt = gd.Momentum(lr=0.01, momentum=0.9)
    x = np.zeros(1)
    for _ in range(300):
        new = opt.step(x, np.ones(1))
        step, x = float(x[0] - new[0]), new
    assert step / 0.01 == pytest.approx(1 / (1 - 0.9), rel=1e-9)
    assert round(step / 0.01) == 10


def test_learning_rates_around_two_over_L():
    f = valley()
    assert 2 / f.L == pytest.approx(0.08)
    for lr in (0.075, 0.078):
        run = gd.minimize(f, gd.GradientDescent(lr=lr), X0, steps=300, loss_threshold=1e-6)
        assert run.status == "converged"
    assert gd.minimize(f, gd.GradientDescent(lr=0.1), X0, steps=300).status == "diverged"
    # 0.078 zig-zags much more than 0.075: |1 - lr L| is larger
    assert abs(1 - 0.078 * f.L) > abs(1 - 0.075 * f.L)


def test_heavy_ball_stability_range_of_exercise_3():
    f = valley()
    assert 2 * (1 + 0.6) / f.L == pytest.approx(0.128)
    ok = gd.minimize(f, gd.Momentum(lr=0.1, momentum=0.6), X0, 300, loss_threshold=1e-6)
    bad = gd.minimize(f, gd.Momentum(lr=0.15, momentum=0.6), X0, 300, loss_threshold=1e-6)
    assert ok.status == "converged"
    assert bad.status == "diverged"


def test_classical_and_torch_forms_agree():
    f, eta, gamma = valley(), 0.075, 0.9
    x, v, xs = X0.copy(), np.zeros(2), [X0.copy()]
    for _ in range(50):
        v = gamma * v + eta * f.grad(x)
        x = x - v
        xs.append(x)
    run = gd.minimize(f, gd.Momentum(lr=eta, momentum=gamma), X0, steps=50)
    assert np.max(np.abs(np.array(xs) - run.xs)) < 1e-12


def test_nesterov_iterates_are_the_lookahead_points():
    f, eta, gamma = valley(), 0.04, 0.9
    x, v, pts = X0.copy(), np.zeros(2), [X0.copy()]
    for _ in range(50):
        v = gamma * v + eta * f.grad(x - gamma * v)
        x = x - v
        pts.append(x - gamma * v)
    run = gd.minimize(f, gd.Nesterov(lr=eta, momentum=gamma), X0, steps=50)
    assert run.n_steps == 50
    assert np.max(np.abs(np.array(pts) - run.xs)) < 1e-12


def heavy_ball_radius(eta: float, gamma: float, lam: float) -> float:
    # x_{t+1} = (1 + gamma - eta*lam) x_t - gamma x_{t-1}
    M = np.array([[1 + gamma - eta * lam, -gamma], [1.0, 0.0]])
    return float(np.max(np.abs(np.linalg.eigvals(M))))


def test_optimal_rates_for_kappa_100():
    kappa, mu, L = 100.0, 1.0, 100.0
    gd_rate = (kappa - 1) / (kappa + 1)
    hb_rate = (math.sqrt(kappa) - 1) / (math.sqrt(kappa) + 1)
    assert f"{gd_rate:.3f}" == "0.980"
    assert f"{hb_rate:.3f}" == "0.818"
    assert round(math.log(1e-6) / math.log(gd_rate)) == 691
    assert round(math.log(1e-6) / math.log(hb_rate)) == 69
    eta = 4 / (math.sqrt(L) + math.sqrt(mu)) ** 2
    gamma = hb_rate**2
    radius = max(heavy_ball_radius(eta, gamma, lam) for lam in (mu, L))
    assert radius == pytest.approx(hb_rate, abs=1e-6)
    # gdcore: GD contracts by exactly (kappa-1)/(kappa+1) per step ...
    f = valley(kappa)
    run = gd.minimize(f, gd.GradientDescent(lr=2 / (L + mu)), X0, steps=200)
    d = np.linalg.norm(run.xs, axis=1)
    assert (d[200] / d[100]) ** (1 / 100) == pytest.approx(gd_rate, rel=1e-9)
    # ... and the tuned heavy ball much faster (asymptotically 0.818, with a factor ~t)
    hb = gd.minimize(f, gd.Momentum(lr=eta, momentum=gamma), X0, steps=200)
    d = np.linalg.norm(hb.xs, axis=1)
    late = (d[200] / d[100]) ** (1 / 100)
    assert hb_rate < late < 0.83


def test_kappa_cell_step_counts_favour_momentum():
    kappa = 100.0
    f, sk = valley(kappa), math.sqrt(kappa)
    L, mu = f.L, f.mu
    n_gd = gd.minimize(f, gd.GradientDescent(lr=2 / (L + mu)), X0, 2000, grad_tol=1e-6).n_steps
    n_hb = gd.minimize(
        f, gd.Momentum(lr=4 / (math.sqrt(L) + math.sqrt(mu)) ** 2,
                       momentum=((sk - 1) / (sk + 1)) ** 2), X0, 2000, grad_tol=1e-6).n_steps
    assert n_hb * 5 < n_gd < 2000


def test_overshoot_sweep_falls_then_rises():
    f = valley()
    runs = {g: gd.minimize(f, gd.Momentum(lr=0.03, momentum=g), X0, steps=500,
                           loss_threshold=1e-6) for g in (0.0, 0.5, 0.8, 0.9, 0.99)}
    n = {g: r.n_steps for g, r in runs.items()}
    assert n[0.0] > n[0.5] > n[0.8] < n[0.9]
    assert runs[0.99].status == "max_steps"


def test_exercise_1_best_momentum_is_moderate():
    f = valley()
    ms = [0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]
    counts = [gd.minimize(f, gd.Momentum(lr=0.075, momentum=m), X0, 300,
                          loss_threshold=1e-6).n_steps for m in ms]
    best = ms[int(np.argmin(counts))]
    assert best not in (ms[0], ms[-1])


def test_exercise_2_round_bowl():
    f = valley(1.0)
    run = gd.minimize(f, gd.GradientDescent(lr=2 / (f.L + f.mu)), X0, 10, grad_tol=1e-12)
    assert run.n_steps == 1
    assert ((math.sqrt(1.0) - 1) / (math.sqrt(1.0) + 1)) ** 2 == 0.0


def test_static_snippets_match_the_library_source():
    snippets = static_snippets(TEXT)
    source = inspect.getsource(gd.Momentum) + inspect.getsource(gd.Nesterov)
    checked = 0
    for snippet in snippets:
        lines = [ln.strip() for ln in snippet.splitlines() if ln.strip()]
        if lines and lines[0].startswith("self.buf"):
            for ln in lines:
                assert ln in source, ln
            checked += 1
    assert checked == 2
