"""Numbers stated in the prose of docs/practical.md, recomputed with gdcore."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import gdcore as gd

PAGE = Path(__file__).resolve().parents[2] / "docs" / "practical.md"
TEXT = PAGE.read_text(encoding="utf-8")
ROSEN = gd.landscapes["rosenbrock"]
START = np.array([-1.5, 2.0])
CORNER = np.array([2.0, -1.0])


class NoisyBowl:
    """The noisy bowl of the page's cell practical-schedule-run."""

    name = "noisy bowl"

    def __init__(self, noise: float = 1.0, seed: int = 0) -> None:
        self.bowl = gd.landscapes["bowl"]
        self.noise = noise
        self.rng = np.random.default_rng(seed)

    def __call__(self, x):
        return self.bowl(x)

    def grad(self, x):
        return self.bowl.grad(x) + self.noise * self.rng.standard_normal(np.shape(x))


def noisy_floor(schedule=None, noise: float = 1.0) -> float:
    run = gd.minimize(NoisyBowl(noise), gd.GradientDescent(lr=0.1), np.array([1.5, -1.0]),
                      steps=300, schedule=schedule)
    return float(run.losses[-50:].mean())


def test_page_states_the_numbers_tested_here():
    for s in ["$(\\eta_0 + \\eta_{\\min})/2$", "8.13 degrees", "$(1, -1)$", "$(0.6, -0.8)$",
              "about 4125", "$\\eta = 10^{-3}$", "norm to 10", "0.99^{250} \\approx 0.008",
              "more than ten times", "`1e4`, `1e5` and `1e6`",
              "noise of size 10", "noise of size 0.01"]:
        assert s in TEXT, s


def test_cosine_is_halfway_at_half_time():
    s = gd.CosineLR(0.1, total_steps=300, min_lr=0.02)
    assert s(150) == pytest.approx((0.1 + 0.02) / 2)
    assert s(0) == pytest.approx(0.1)


def test_warm_restarts_at_50_and_150():
    sgdr = gd.CosineWarmRestartsLR(0.1, period=50, mult=2)
    restarts = [t for t in range(1, 350) if sgdr(t) > sgdr(t - 1)]
    assert restarts == [50, 150]
    assert "period=50, mult=2" in TEXT


def test_schedules_lower_the_noise_floor():
    const = noisy_floor()
    step = noisy_floor(gd.StepLR(0.1, step_size=100, gamma=0.1))
    cosine = noisy_floor(gd.CosineLR(0.1, total_steps=300))
    assert step < const / 3 and cosine < const / 3
    # without noise the constant rate wins
    assert noisy_floor(noise=0.0) < noisy_floor(gd.CosineLR(0.1, total_steps=300), noise=0.0)


def test_exercise_1_exponential_decay():
    assert f"{0.1 * 0.99**250:.3f}" == "0.008"
    assert 0.1 / (0.1 * 0.99**250) > 10
    assert noisy_floor(gd.ExponentialLR(0.1, gamma=0.99)) < noisy_floor() / 10


def test_clip_by_value_turns_the_gradient():
    g = np.array([3.0, -4.0])
    v, n = gd.clip_by_value(g, 1.0), gd.clip_by_norm(g, 1.0)
    assert v.tolist() == [1.0, -1.0]
    assert np.allclose(n, [0.6, -0.8])
    angle = np.degrees(np.arccos(g @ v / np.linalg.norm(g) / np.linalg.norm(v)))
    assert f"{angle:.2f}" == "8.13"


def test_clipping_prevents_the_explosion():
    assert round(float(np.linalg.norm(ROSEN.grad(CORNER)))) == 4125
    opt = gd.Momentum(lr=1e-3, momentum=0.9)
    plain = gd.minimize(ROSEN, opt, CORNER, steps=1000)
    assert plain.status == "diverged" and plain.n_steps < 20
    clipped = gd.minimize(ROSEN, opt, CORNER, steps=1000, clip_norm=10.0)
    assert clipped.status != "diverged" and clipped.loss < 1e-3


def test_exercise_2_clip_caps():
    opt = gd.Momentum(lr=1e-3, momentum=0.9)
    runs = {c: gd.minimize(ROSEN, opt, CORNER, steps=1000, clip_norm=c) for c in (1e4, 1e5, 1e6)}
    assert runs[1e4].status != "diverged"
    assert runs[1e5].status == "diverged" and runs[1e5].n_steps > 100
    assert runs[1e6].status == "diverged" and runs[1e6].n_steps < 20


def test_l2_equals_decay_for_gradient_descent():
    lam, eta = 0.1, 0.001
    l2 = gd.minimize(ROSEN, gd.GradientDescent(lr=eta, weight_decay=lam), START, steps=200)
    x = START.copy()
    for _ in range(200):
        x = (1 - eta * lam) * x - eta * ROSEN.grad(x)
    assert np.max(np.abs(x - l2.x)) < 1e-12


def test_adam_l2_versus_adamw_on_noise():
    rng = np.random.default_rng(0)
    noise = rng.standard_normal((1000, 2)) * np.array([10.0, 0.01])
    out = {}
    for opt in (gd.Adam(lr=0.01, weight_decay=0.1), gd.AdamW(lr=0.01, weight_decay=0.1)):
        x = np.array([1.0, 1.0])
        for g in noise:
            x = opt.step(x, g)
        out[opt.name] = x
    assert abs(out["Adam"][0]) > 0.9          # noisy weight: not decayed at all
    assert abs(out["Adam"][1]) < 0.05         # quiet weight: driven to zero
    assert np.all((out["AdamW"] > 0.2) & (out["AdamW"] < 0.8))   # both shrink


def final_loss(opt_cls, lr, steps=300, **kw):
    run = gd.minimize(ROSEN, opt_cls(lr=lr, **kw), START, steps=steps)
    return np.inf if run.status == "diverged" else run.loss


def test_grid_search_best_rate_is_next_to_divergence():
    lrs = 10.0 ** np.arange(-5, -1.5, 0.5)
    losses = [final_loss(gd.Momentum, lr, momentum=0.9) for lr in lrs]
    i = int(np.argmin(losses))
    assert np.isfinite(losses[i]) and not np.isfinite(losses[i + 1])
    assert losses[0] > 1.0                   # too small barely moves


def test_exercise_3_adam_grid():
    lrs = 10.0 ** np.arange(-3, 0.5, 0.5)
    adam = [final_loss(gd.Adam, lr) for lr in lrs]
    assert all(np.isfinite(adam))            # Adam does not blow up
    mom_lrs = 10.0 ** np.arange(-5, -1.5, 0.5)
    mom = [final_loss(gd.Momentum, lr, momentum=0.9) for lr in mom_lrs]
    assert lrs[int(np.argmin(adam))] > mom_lrs[int(np.argmin(mom))]
