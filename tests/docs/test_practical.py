"""docs/practical.md: every claim the page makes about its cells, checked on the cells.

Claims ledger (claim on the page -> test):

- cosine is exactly halfway at T/2 -> test_cosine_is_halfway_at_half_time
- five schedules plotted; warm-up starts at 0.001, reaches 0.1 at step 30, 0.0587 at 150
  (above the plain cosine's 0.05) -> test_schedules_plot_and_warm_up_plus_cosine
- noisy bowl: constant floor 0.033, step 0.0025, cosine 0.0065; noise 0: constant wins
  (1e-50 vs 1e-21 / 1e-28); lr 0.3 floor ~0.17 -> test_noisy_bowl_floors, test_noisy_bowl_try
- loss floor ~ lr (ratio ~0.5), distance ~ sqrt(lr) (ratio ~0.7), both drift up at 0.2,
  exact floor lr / (2 (1 - lr)) -> test_noise_floor_scaling
- warm restarts at 50 and 150 (periods 50, 100, 200) -> test_warm_restarts_at_50_and_150
- clipping (3, -4): by value (1, -1) turned 8.13°, by norm (0.6, -0.8) -> test_clip_direction
- corner gradient ~4125, momentum diverges after 6 steps, clip_norm 10 -> 3.5e-5;
  clip_value 10 -> 2.0e-5; clip_norm 1 -> 1.6e-4 -> test_clipping_prevents_the_explosion
- L2 == weight decay for GD, difference ~1e-14 -> test_l2_equals_decay_for_gradient_descent
- Adam + L2 vs AdamW over 200 copies: 0.89 / 0.001 vs 0.36 / 0.37, pure decay 0.368
  -> test_adam_l2_versus_adamw
- grid search: 5.8 at 1e-5 from 12.5, inf from 3.2e-3, best 1e-3 (0.034) just below the
  edge -> test_grid_search; random: three diverge (3.0, 7.0, 7.1e-3), best 3.4e-4 with 2.7
  -> test_random_search
- the optimizer table cites sources for its claims -> test_table_has_sources
- exercises 1-3 -> test_exercise_1_..., test_exercise_2_..., test_exercise_3_...
"""

from __future__ import annotations

import numpy as np
import pytest

import gdcore as gd

PAGE = "practical"
ROSEN = gd.landscapes["rosenbrock"]
START = np.array([-1.5, 2.0])
CORNER = np.array([2.0, -1.0])


@pytest.fixture(scope="module")
def text(page_text):
    return " ".join(page_text(PAGE).split())


@pytest.fixture(scope="module")
def results(clean_run):
    return clean_run(PAGE)


@pytest.fixture(scope="module")
def ns(page_namespace, results):
    return lambda cell_id: page_namespace(PAGE, cell_id)


@pytest.fixture(scope="module")
def noisy(ns):
    """The page's own NoisyBowl class and a runner for its schedule experiment."""
    space = ns("practical-schedule-run")
    cls, b0 = space["NoisyBowl"], space["b0"]

    def floor(schedule=None, noise=1.0, lr=0.1):
        run = gd.minimize(cls(noise=noise), gd.GradientDescent(lr=lr), b0, steps=300,
                          schedule=schedule)
        return float(run.losses[-50:].mean())

    return floor


def test_cosine_is_halfway_at_half_time(text):
    assert "$(\\eta_0 + \\eta_{\\min})/2$" in text
    s = gd.CosineLR(0.1, total_steps=300, min_lr=0.02)
    assert s(150) == pytest.approx((0.1 + 0.02) / 2) and s(0) == pytest.approx(0.1)


def test_schedules_plot_and_warm_up_plus_cosine(text, ns):
    schedules = ns("practical-schedules-plot")["schedules"]
    assert len(schedules) == 5
    warm = schedules["warm-up 30 + cosine"]
    assert warm(0) == pytest.approx(0.001) and warm(30) == pytest.approx(0.1)
    assert np.all(np.diff([warm(t) for t in range(31)]) > 0), "a linear ramp up"
    assert round(warm(150), 4) == 0.0587 and schedules["cosine (T=300)"](150) == 0.05
    fig = ns("practical-schedules-plot")["fig"]
    assert len(fig.axes[0].get_lines()) >= 5 and fig.axes[0].get_title()
    assert "starts at $0.01 \\times 0.1 = 0.001$, reaches $0.1$ at step 30" in text
    assert "at step 150 it is at $0.0587$, above the plain cosine's $0.05$" in text


def test_noisy_bowl_floors(text, ns):
    runs = ns("practical-schedule-run")["noisy_runs"]
    floors = {k: float(r.losses[-50:].mean()) for k, r in runs.items()}
    assert round(floors["constant"], 3) == 0.033
    assert round(floors["step decay"], 4) == 0.0025 and round(floors["cosine"], 4) == 0.0065
    assert floors["step decay"] < floors["constant"] / 3 > floors["cosine"]
    early = [r.losses[:10] for r in runs.values()]
    assert np.allclose(early[0], early[1], rtol=1e-2) and np.allclose(
        early[0], early[2], rtol=1e-2), (
        "the same fast progress at first")
    for s in ["(a mean loss of 0.033", "(0.0025 for step decay, 0.0065 for cosine)"]:
        assert s in text, s


def test_noisy_bowl_try(text, noisy):
    const = noisy(noise=0.0)
    step = noisy(gd.StepLR(0.1, step_size=100, gamma=0.1), noise=0.0)
    cosine = noisy(gd.CosineLR(0.1, total_steps=300), noise=0.0)
    assert const < 1e-45 and 1e-23 < step < 1e-19 and 1e-30 < cosine < 1e-26
    assert "(about $10^{-50}$ against $10^{-21}$ and $10^{-28}$)" in text
    assert round(noisy(lr=0.3), 2) == 0.17 and "floor rises to about 0.17" in text


def test_noise_floor_scaling(text, results):
    rows = [line.split() for line in results["practical-noise-floor"].stdout.splitlines()[1:]]
    table = {float(r[0]): [float(v) for v in r[1:]] for r in rows}
    assert list(table) == [0.025, 0.05, 0.1, 0.2]
    for eta in (0.025, 0.05):
        floor, ratio, dist, dist_ratio = table[eta]
        assert ratio == pytest.approx(0.5, abs=0.03), "loss floor / lr near 0.5"
        assert dist_ratio == pytest.approx(0.71, abs=0.03), "distance / sqrt(lr) near 0.7"
        assert floor == pytest.approx(eta / (2 * (1 - eta)), rel=0.1), "exact floor"
    assert table[0.2][1] > table[0.05][1] and table[0.2][3] > table[0.05][3], "drift at 0.2"
    assert table[0.05][0] / table[0.025][0] == pytest.approx(2, rel=0.1), "halves the floor"
    assert table[0.05][2] / table[0.025][2] == pytest.approx(2**0.5, rel=0.1)
    assert "proportional to $\\eta$ and the *distance* to the minimum to $\\sqrt{\\eta}$" in text
    assert "size is proportional to" not in text


def test_warm_restarts_at_50_and_150(text, results):
    assert "restarts at steps [50, 150]" in results["practical-warm-restarts"].stdout
    assert "period=50, mult=2" in text and "restarts fall at steps 50 and 150" in text


def test_clip_direction(text, ns):
    space = ns("practical-clip-direction")
    assert space["by_value"].tolist() == [1.0, -1.0]
    assert np.allclose(space["by_norm"], [0.6, -0.8])
    assert f"{space['angle'](space['g'], space['by_value']):.2f}" == "8.13"
    for s in ["8.13 degrees", "$(1, -1)$", "$(0.6, -0.8)$"]:
        assert s in text, s


def test_clipping_prevents_the_explosion(text, ns):
    space = ns("practical-clip-explode")
    assert round(float(np.linalg.norm(ROSEN.grad(CORNER)))) == 4125
    plain, clipped = space["plain"], space["clipped"]
    assert plain.status == "diverged" and plain.n_steps == 6
    assert clipped.status == "max_steps" and f"{clipped.loss:.1e}" == "3.5e-05"
    opt = gd.Momentum(lr=1e-3, momentum=0.9)
    by_value = gd.minimize(ROSEN, opt, CORNER, steps=1000, clip_value=10.0)
    small_cap = gd.minimize(ROSEN, opt, CORNER, steps=1000, clip_norm=1.0)
    assert f"{by_value.loss:.1e}" == "2.0e-05" and f"{small_cap.loss:.1e}" == "1.6e-04"
    assert small_cap.loss > clipped.loss, "a smaller cap is slower"
    for s in ["about 4125", "diverges after 6 steps", "$3.5 \\times 10^{-5}$",
              "$2.0 \\times 10^{-5}$", "$1.6 \\times 10^{-4}$"]:
        assert s in text, s


def test_l2_equals_decay_for_gradient_descent(text, ns):
    space = ns("practical-decay-sgd")
    difference = np.max(np.abs(space["x"] - space["l2"].x))
    assert 0 < difference < 1e-13 or difference == 0
    assert "equal to about $10^{-14}$" in text


def test_adam_l2_versus_adamw(text, results):
    rows = {line.split()[0]: [float(v) for v in line.split()[1:]]
            for line in results["practical-decay-adam"].stdout.splitlines()[1:3]}
    adam, adamw = rows["Adam"], rows["AdamW"]
    assert round(adam[0], 2) == 0.89 and adam[1] < 0.01, "L2 in Adam: noisy kept, quiet gone"
    pure = (1 - 0.01 * 0.1) ** 1000
    assert all(abs(v - pure) < 0.02 for v in adamw), "AdamW: both near the pure decay"
    assert (round(adamw[0], 2), round(adamw[1], 2)) == (0.36, 0.37)
    assert round(pure, 3) == 0.368
    for s in ["still 0.89)", "to zero (0.001)", "to 0.36 and 0.37 on average",
              "$(1 - \\eta\\lambda)^{1000} = 0.368$", "noise of size 10", "noise of size 0.01"]:
        assert s in text, s


def test_grid_search(text, ns):
    space = ns("practical-lr-grid")
    lrs, losses = space["grid_lrs"], np.array(space["grid_losses"])
    i = int(np.argmin(losses))
    assert lrs[i] == pytest.approx(1e-3) and round(losses[i], 3) == 0.034
    assert np.isfinite(losses[i]) and not np.any(np.isfinite(losses[i + 1:])), (
        "the best rate sits just below the divergence edge")
    assert round(losses[0], 1) == 5.8 and ROSEN(START) == 12.5, "too small barely moves"
    assert lrs[i + 1] == pytest.approx(10**-2.5)
    for s in ["(loss 5.8 at $10^{-5}$, from 12.5)", "from $3.2 \\times 10^{-3}$ on",
              "The best rate, $10^{-3}$ (loss 0.034)"]:
        assert s in text, s


def test_random_search(text, ns):
    space = ns("practical-lr-random")
    lrs, losses = space["random_lrs"], np.array(space["random_losses"])
    diverged = sorted(round(lr * 1e3, 1) for lr, v in zip(lrs, losses, strict=True)
                      if not np.isfinite(v))
    assert diverged == [3.0, 7.0, 7.1]
    good_band = [lr for lr in lrs if 1e-3 <= lr <= 3e-3]
    assert good_band == [], "none in the good band"
    i = int(np.nanargmin(np.where(np.isfinite(losses), losses, np.nan)))
    assert f"{lrs[i]:.1e}" == "3.4e-04" and round(losses[i], 1) == 2.7
    assert "($3.0$, $7.0$ and $7.1 \\times 10^{-3}$)" in text
    assert "its best, $3.4 \\times 10^{-4}$, only reaches a loss of 2.7" in text


def test_table_has_sources(text):
    table = text.split("## Which optimizer when", 1)[1].split("## Key takeaways", 1)[0]
    for ref in ["[^schmidt]", "[^choi]", "[^wilson]", "[^zhang]", "[^bottou]", "[^pascanu]",
                "[^kingma]"]:
        assert ref in table, ref
    assert "| but |" in table, "every row states its limits"


def test_exercise_1_exponential_decay(text, noisy):
    expo = noisy(gd.ExponentialLR(0.1, gamma=0.99))
    const = noisy()
    assert round(expo, 4) == 0.0024 and const / expo > 10
    assert f"{0.1 * 0.99**250:.3f}" == "0.008"
    assert "0.0024 against 0.033, more than ten times smaller" in text


def test_exercise_2_clip_caps(text):
    opt = gd.Momentum(lr=1e-3, momentum=0.9)
    runs = {c: gd.minimize(ROSEN, opt, CORNER, steps=1000, clip_norm=c)
            for c in (1e3, 3e3, 1e4, 1e5, 1e6)}
    assert f"{runs[1e3].loss:.1e}" == "4.5e-06" and f"{runs[3e3].loss:.1e}" == "1.9e-04"
    assert runs[1e4].status == "max_steps" and abs(runs[1e4].loss - 2750) < 5
    assert runs[1e4].loss > ROSEN(CORNER) == 2501, "no descent with 1e4"
    assert runs[1e5].status == "diverged" and runs[1e5].n_steps == 529
    assert runs[1e6].status == "diverged" and runs[1e6].n_steps == 6
    for s in ["$4.5 \\times 10^{-6}$", "$1.9 \\times 10^{-4}$",
              "about 2750, is above the starting 2501",
              "diverges after 529 steps", "diverges after 6 steps"]:
        assert s in text, s


def test_exercise_3_adam_grid(text):
    lrs = 10.0 ** np.arange(-3, 0.5, 0.5)

    def final(lr):
        run = gd.minimize(ROSEN, gd.Adam(lr=lr), START, steps=300)
        return np.inf if run.status == "diverged" else run.loss

    adam = [final(lr) for lr in lrs]
    assert all(np.isfinite(adam)), "no rate diverges"
    best = int(np.argmin(adam))
    assert lrs[best] == pytest.approx(1.0) and round(adam[best], 4) == 0.0085
    assert "$\\eta = 1$ (loss 0.0085 after 300 steps), a thousand times" in text
