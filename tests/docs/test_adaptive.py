"""Numbers stated in the prose of docs/adaptive.md, recomputed with gdcore."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import numpy as np
import pytest

import gdcore as gd

PAGE = Path(__file__).resolve().parents[2] / "docs" / "adaptive.md"
TEXT = PAGE.read_text(encoding="utf-8")
X0 = np.array([-3.5, 2.0])
VALLEY = gd.IllConditionedQuadratic(condition_number=25.0)


def test_page_states_the_numbers_tested_here():
    for s in ["14 times larger", "**10 times**", "$\\alpha = 0.99$", "$\\eta = 0.01$",
              "3.162", "$m_1 = 0.1\\, g$", "$v_1 = 0.001\\, g^2$", "below 0.01",
              "$\\beta_1 = 0.9$", "$\\beta_2 = 0.999$", "$\\epsilon = 10^{-8}$",
              "between 0.001 and 0.01", "default $10^{-10}$", "default $10^{-6}$",
              "(default $\\lambda = 0.01$)", "about 3.16 times", "about 0.316",
              "`compare-all`", 'id="compare-all"']:
        assert s in TEXT, s


def test_gradient_ratio_at_start():
    g = VALLEY.grad(X0)
    assert 14 <= abs(g[1] / g[0]) < 15


def test_defaults_match_the_text():
    adam = gd.Adam()
    assert adam.betas == (0.9, 0.999) and adam.eps == 1e-8 and adam.lr == 0.001
    assert gd.AdamW().weight_decay == 0.01
    rms = gd.RMSProp()
    assert rms.alpha == 0.99 and rms.lr == 0.01
    assert gd.AdaGrad().eps == 1e-10
    ada = gd.AdaDelta()
    assert ada.eps == 1e-6 and ada.lr == 1.0 and ada.rho == 0.9


def test_adagrad_first_step_is_lr_and_steps_shrink_like_one_over_sqrt_t():
    opt = gd.AdaGrad(lr=0.5)
    new = opt.step(X0, VALLEY.grad(X0))
    assert np.allclose(np.abs(new - X0), 0.5, rtol=1e-9)
    opt = gd.AdaGrad(lr=1.0, eps=0.0)
    x = np.zeros(1)
    for _ in range(100):
        new = opt.step(x, np.array([3.0]))
        step, x = float(x[0] - new[0]), new
    assert step == pytest.approx(1 / np.sqrt(100))


def test_rmsprop_first_step_is_ten_learning_rates():
    new = gd.RMSProp(lr=0.05, alpha=0.99).step(X0, VALLEY.grad(X0))
    assert np.allclose(np.abs(new - X0), 0.05 / np.sqrt(1 - 0.99), rtol=1e-6)
    assert round(1 / np.sqrt(1 - 0.99)) == 10


def test_adadelta_first_steps_are_tiny():
    run = gd.minimize(VALLEY, gd.AdaDelta(), X0, steps=300)
    steps = np.linalg.norm(np.diff(run.xs, axis=0), axis=1)
    assert steps[0] < 0.01 and steps[-1] < 0.01
    assert run.loss > 1.0          # "barely moves" on this problem


def test_bias_correction_numbers():
    b1, b2 = 0.9, 0.999
    assert 1 - b1 == pytest.approx(0.1) and 1 - b2 == pytest.approx(0.001)
    assert f"{(1 - b1) / np.sqrt(1 - b2):.3f}" == "3.162"
    assert 1 - b2**10 < 0.01
    # a constant gradient: the raw averages are biased by exactly (1 - beta^t)
    m = v = 0.0
    g = 2.5
    for _ in range(10):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
    assert m == pytest.approx((1 - b1**10) * g) and v == pytest.approx((1 - b2**10) * g * g)


def test_adam_first_step_is_lr_whatever_the_gradient_scale():
    adam = gd.Adam(lr=0.1)
    for g in (1e-4, 1.0, 1e4):
        adam.reset()
        step = abs(adam.step(np.array([0.0]), np.array([g]))[0])
        assert step == pytest.approx(0.1, rel=2e-4)


def test_exercise_2_uncorrected_first_step():
    g, lr = 1.0, 0.1
    m1, v1 = (1 - 0.9) * g, (1 - 0.999) * g**2
    uncorrected = lr * m1 / (np.sqrt(v1) + 1e-8)
    assert f"{uncorrected:.3f}" == "0.316"
    corrected = abs(gd.Adam(lr=lr).step(np.array([0.0]), np.array([g]))[0])
    assert f"{uncorrected / corrected:.2f}" == "3.16"


def test_adaptive_runs_converge_on_the_valley():
    for opt in (gd.AdaGrad(lr=0.5), gd.RMSProp(lr=0.05), gd.Adam(lr=0.1)):
        run = gd.minimize(VALLEY, opt, X0, steps=300, loss_threshold=1e-8)
        assert run.status == "converged", opt


def test_exercise_1_small_adagrad_rate_stalls():
    fast = gd.minimize(VALLEY, gd.AdaGrad(lr=0.5), X0, 3000, loss_threshold=1e-8)
    slow = gd.minimize(VALLEY, gd.AdaGrad(lr=0.05), X0, 3000, loss_threshold=1e-8)
    assert fast.status == "converged"
    assert slow.status == "max_steps" and slow.n_steps > 10 * fast.n_steps


def compare_all() -> dict[str, gd.Trajectory]:
    f, start = gd.landscapes["rosenbrock"], np.array([-1.5, 2.0])
    opts = {
        "GD": gd.GradientDescent(lr=1e-3),
        "Momentum": gd.Momentum(lr=1e-3, momentum=0.9),
        "Nesterov": gd.Nesterov(lr=1e-3, momentum=0.9),
        "AdaGrad": gd.AdaGrad(lr=1.0),
        "RMSProp": gd.RMSProp(lr=0.01),
        "AdaDelta": gd.AdaDelta(lr=1.0),
        "Adam": gd.Adam(lr=0.05),
        "AdamW": gd.AdamW(lr=0.05, weight_decay=0.1),
    }
    return {k: gd.minimize(f, o, start, steps=1000) for k, o in opts.items()}


def test_compare_all_observations():
    # the cell in the page uses these optimizers
    cell = re.search(r'```pycell id="compare-all"\n(.*?)```', TEXT, re.S).group(1)
    for snippet in ["gd.GradientDescent(lr=1e-3)", "gd.Momentum(lr=1e-3, momentum=0.9)",
                    "gd.AdaGrad(lr=1.0)", "gd.AdaDelta(lr=1.0)", "gd.Adam(lr=0.05)"]:
        assert snippet in cell, snippet
    r = compare_all()
    assert r["GD"].loss > 100 * r["Momentum"].loss       # GD crawls, momentum covers ground
    assert r["GD"].loss > 100 * r["Nesterov"].loss
    assert r["AdaGrad"].loss > 100 * r["Adam"].loss      # AdaGrad stuck partway
    assert r["AdaDelta"].loss > 100 * r["Adam"].loss     # AdaDelta slow
    # exercise 3: AdamW ends short of (1, 1), nearer the origin, with a larger loss
    assert r["AdamW"].loss > 10 * r["Adam"].loss
    assert np.linalg.norm(r["AdamW"].x) < np.linalg.norm([1.0, 1.0])


def test_static_snippets_match_the_library_source():
    source = "".join(inspect.getsource(c) for c in (gd.AdaGrad, gd.RMSProp, gd.Adam))
    blocks = re.findall(r"```python\n(.*?)```", TEXT, re.S)
    checked = 0
    for block in blocks:
        lines = [ln.split("#")[0].strip() for ln in block.splitlines()]
        lines = [ln for ln in lines if ln]
        if lines and lines[0].startswith(("self.", "if self._decoupled")):
            for ln in lines:
                assert ln in source, ln
            checked += 1
    assert checked == 4
