"""docs/learning-rate.md: every claim the page makes about its cells, checked on the cells.

Claims ledger (claim on the page -> test):

- the machine's numbers (10 m, 1 m, 10 m/s, 9.8) are gdcore's defaults -> test_physics_constants
- two exact angles 39.261° / 50.739° add up to 90°, flight time 1.2915 s; a hump (local
  maximum) near 45° between them -> test_two_solutions_and_the_hump
- the threshold 0.001 is a miss of about 4.5 cm -> test_threshold_is_a_miss_of_about_4_5_cm
- GD steps shrink: 28° first, under 0.2° by the twelfth -> test_gd_steps_shrink_near_the_solution
- sign descent: 10° arrives in 4 steps then bounces 30°/40°; 1° bounces 39°/40°; 0.1° is at
  10° after 100 steps -> test_sign_descent_behaviours
- lr = 0.1: the first step hits the 90° clip, loss 8.5e65 (finite: tan is ~1.6e16, no
  overflow), stopped as diverged by diverge_at = 1e12 -> test_big_first_step_is_finite_but_diverged
- the sweep grid and its outcomes (DIV, 16, 188, 1902, 19,039 steps; not there at 1e4)
  -> test_sweep_grid, test_sweep_outcomes, test_reading_off_prefixes_equals_separate_runs
- "try it" from 60°: 1 and 0.1 diverge, 0.01 jumps to 23.6° and stops at 38.5° in 16 steps,
  smaller rates stop near 51.2° in 52/550/5516 steps -> test_try_it_from_60_degrees
- sign descent on the same grid: 1 and 0.1 bounce forever (period 2; 0°/57.3°, 34.4°/40.1°,
  best loss 1.08e-3), the others need 68/673/6723/67,230, about 0.67 rad/lr steps
  -> test_sign_descent_on_the_gd_grid
- lr = 0.2 > 2/f'' = 0.1815 bounces between 38.310° and 40.747° (0.95° short, 1.49° high),
  loss never below 0.0016 -> test_bounce_above_the_stability_limit
- exponential decay cures it: stops on 39.26083°, loss 0, final lr 0.0013
  -> test_exponential_decay_cures_the_bounce
- Robbins-Monro on sign descent: sums 2000°/100°/20°/58.8°, gamma 0.5 frozen at 20°, 1/t
  within 0.01° -> test_sign_descent_decays_and_their_sums
- windy dart: constant floor about 0.5°, 1/t shrinks ~sqrt(10) per decade (0.12°, 0.04°),
  exponential freezes at 0.09° -> test_windy_dart_noise_floor_and_1_over_t
- warm-up 0.01 -> 0.15 over 10 steps: 8 steps, constant 0.01: 83, constant 0.15 diverges
  -> test_warm_up
- 2-D bowl: factors, 0.05 slow, 0.4 good, 0.52 diverges in theta_2 only; the try note
  (0.25 / 0.5 symmetric bounce / 0.6 at 418) -> test_two_d_bowl, test_bowl_try_note
- exercises 1-3 -> test_exercise_1_..., test_exercise_2_..., test_exercise_3_...
- figures have titles and axis labels; the bowl contour keeps an equal aspect
  -> test_figures_are_labelled
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import gdcore as gd

PAGE = "learning-rate"
BOUNDS = (-math.pi / 2, math.pi / 2)


@pytest.fixture(scope="module")
def text(page_text):
    return " ".join(page_text(PAGE).split())  # line breaks in the prose become spaces


@pytest.fixture(scope="module")
def results(clean_run):
    return clean_run(PAGE)


@pytest.fixture(scope="module")
def ns(page_namespace, results):
    return lambda cell_id: page_namespace(PAGE, cell_id)


def deg(theta):
    return float(gd.rad2deg(theta))


def test_physics_constants(text):
    for s in ["$10\\,\\text{m}$", "$1\\,\\text{m}$", "$v = 10\\,\\text{m/s}$",
              "$g = 9.8\\,\\text{m/s}^2$"]:
        assert s in text, s
    dart = gd.DartLoss()
    assert (dart.speed, dart.distance, dart.launch_height, dart.target_height, dart.g) == (
        10, 10, 1, 1, 9.8)


def test_two_solutions_and_the_hump(text, ns, results):
    dart = ns("dart-loss-curve")["dart"]
    low, high = ns("dart-loss-curve")["low"], ns("dart-loss-curve")["high"]
    for s in ["39.261°", "50.739°", "$1.2915\\,\\text{s}$", "\\theta_1 + \\theta_2 = 90°"]:
        assert s in text, s
    assert round(deg(low), 3) == 39.261 and round(deg(high), 3) == 50.739
    assert round(float(dart.flight_time(low)), 4) == 1.2915
    assert math.tan(low) * math.tan(high) == pytest.approx(1.0, rel=1e-12)
    assert "sum of the two angles: 90.000 deg" in results["dart-loss-curve"].stdout
    # "a small hump, a local maximum: at 45.6° the dart flies highest, 0.2 m above"
    t = np.linspace(low + 1e-3, high - 1e-3, 20001)
    peak = float(t[np.argmax(dart(t))])
    assert round(deg(peak), 1) == 45.6, "the hump between the solutions is at 45.6°"
    assert dart.hessian(peak) < 0, "the hump is a local maximum"
    assert round(float(dart.height(peak)) - 1, 1) == 0.2 and round(dart(peak), 4) == 0.0204
    for s in ["at 45.6° the dart flies highest", "0.2 m above the bullseye",
              "$0.0204$ at 45.6°"]:
        assert s in text, s
    zoom = ns("dart-loss-curve")["zoom"]
    assert zoom.get_ylim() == (0, 0.03), "the zoom panel shows the hump"


def test_threshold_is_a_miss_of_about_4_5_cm(text):
    assert "a miss of about $4.5\\,\\text{cm}$" in text
    assert round(math.sqrt(2 * 0.001) * 100, 1) == 4.5  # f = miss^2 / 2


def test_sign_descent_behaviours(ns):
    runs = ns("dart-sign-descent")["sign_runs"]
    big, small, tiny = (gd.rad2deg(runs[e].xs[:, 0]) for e in (10, 1, 0.1))
    assert big[4] == pytest.approx(40) and big[3] < 39.261, "10°: arrives in four steps"
    assert sorted(np.round(big[-4:], 6)) == [30, 30, 40, 40], "10°: bounces 30°/40°"
    assert sorted(np.round(small[-4:], 6)) == [39, 39, 40, 40], "1°: bounces 39°/40°"
    assert tiny[-1] == pytest.approx(10.0), "0.1°: only at 10° after 100 steps"


def test_big_first_step_is_finite_but_diverged(text, ns):
    for s in ["$8.5 \\times 10^{65}$", "about $1.6 \\times 10^{16}$", "$10^{12}$"]:
        assert s in text, s
    assert "overflows" not in text, "the loss does not overflow; it is finite"
    sweep = ns("dart-gd-sweep")["sweep"]
    for lr in (1, 0.1):
        run = sweep[lr]
        assert run.status == "diverged" and run.n_steps == 1
        assert deg(run.x[0]) == pytest.approx(90.0)
        assert math.isfinite(run.loss) and f"{run.loss:.1e}" == "8.5e+65"
    assert f"{math.tan(math.pi / 2):.1e}" == "1.6e+16"
    import inspect
    assert inspect.signature(gd.minimize).parameters["diverge_at"].default == 1e12


def test_gd_steps_shrink_near_the_solution(text, ns):
    run = ns("dart-gd-first")["run"]
    moves = np.diff(gd.rad2deg(run.xs[:, 0]))
    assert np.all(moves > 0) and np.all(np.diff(moves) < 0), "the step length shrinks"
    assert round(moves[0]) == 28 and moves[11] < 0.2
    assert "28° on the first step, under 0.2° by the twelfth" in text


def test_sweep_grid(text, page_cells):
    code = next(c.code for c in page_cells(PAGE) if c.id == "dart-gd-sweep")
    assert "learning_rates = [1, 0.1, 0.01, 0.001, 1e-4, 1e-5]" in code
    assert "budgets = [1, 10, 100, 1000, 10_000, 100_000]" in code
    assert "threshold = 0.001" in code
    assert "$\\{1, 0.1, 0.01, 0.001, 10^{-4}, 10^{-5}\\}$" in text
    assert "$\\{1, 10, 100, 1000, 10^4, 10^5\\}$" in text


def test_sweep_outcomes(text, ns):
    sweep = ns("dart-gd-sweep")["sweep"]
    steps = {lr: sweep[lr].n_steps for lr in (0.01, 0.001, 1e-4, 1e-5)}
    assert steps == {0.01: 16, 0.001: 188, 1e-4: 1902, 1e-5: 19_039}, steps
    assert all(sweep[lr].status == "converged" for lr in steps)
    for s in ["threshold is reached in 16 steps", "(188, then 1902)", "(19,039,"]:
        assert s in text, s
    s = list(steps.values())
    assert all(8 <= b / a <= 13 for a, b in zip(s, s[1:], strict=False)), (
        "each factor of ten less learning rate costs roughly ten times more steps")
    assert sweep[1e-5].losses[10_000] > 0.001, "1e-5: not there after 10,000 iterations"


def test_reading_off_prefixes_equals_separate_runs(ns, results):
    sweep, dart = ns("dart-gd-sweep")["sweep"], ns("dart-gd-sweep")["dart"]
    assert "same as a separate 100-step run: True" in results["dart-gd-sweep"].stdout
    for lr in (0.001, 1e-4):
        for n in (1, 10, 100):
            alone = gd.minimize(dart, gd.GradientDescent(lr=lr), x0=0.0, steps=n,
                                bounds=BOUNDS, loss_threshold=0.001)
            assert alone.loss == sweep[lr].losses[min(n, sweep[lr].n_steps)]


def test_try_it_from_60_degrees(text):
    dart = gd.DartLoss()
    runs = {lr: gd.minimize(dart, gd.GradientDescent(lr=lr), x0=gd.deg2rad(60),
                            steps=100_000, bounds=BOUNDS, loss_threshold=0.001)
            for lr in (1, 0.1, 0.01, 0.001, 1e-4, 1e-5)}
    for lr in (1, 0.1):
        assert runs[lr].status == "diverged" and deg(runs[lr].x[0]) == pytest.approx(-90)
    r = runs[0.01]
    assert r.status == "converged" and r.n_steps == 16
    assert round(deg(r.xs[1, 0]), 1) == 23.6 and round(deg(r.x[0]), 1) == 38.5
    assert [runs[lr].n_steps for lr in (0.001, 1e-4, 1e-5)] == [52, 550, 5516]
    assert all(round(deg(runs[lr].x[0]), 1) == 51.2 for lr in (0.001, 1e-4, 1e-5))
    for s in ["45.6° (to 23.6°)", "stopping at 38.5°", "near 51.2° (52, 550 and 5516 steps)"]:
        assert s in text, s


def test_sign_descent_on_the_gd_grid(text, ns):
    runs = ns("dart-sign-sweep")["sign_sweep"]
    for lr in (1, 0.1):
        xs = runs[lr].xs[:, 0]
        assert runs[lr].status == "max_steps", f"sign lr={lr} never gets under the threshold"
        assert xs[-1] == xs[-3] and xs[-2] == xs[-4], f"sign lr={lr} repeats with period 2"
        assert runs[lr].losses.min() > 0.001
    assert sorted(round(deg(a), 1) for a in runs[1].xs[-2:, 0]) == [0.0, 57.3]
    assert sorted(round(deg(a), 1) for a in runs[0.1].xs[-2:, 0]) == [34.4, 40.1]
    assert f"{runs[0.1].losses.min():.2e}" == "1.08e-03"
    steps = [runs[lr].n_steps for lr in (0.01, 0.001, 1e-4, 1e-5)]
    assert steps == [68, 673, 6723, 67_230], steps
    for lr, n in zip((0.01, 0.001, 1e-4, 1e-5), steps, strict=True):
        assert runs[lr].status == "converged"
        assert abs(n * lr - 0.672) < 0.01, "steps = about 0.67 rad / lr"
    for s in ["(68, 673, 6723 and **67,230 steps**", "$1.08 \\times 10^{-3}$",
              "between 34.4° and 40.1°", "from 0° to 57.3°"]:
        assert s in text, s


def test_bounce_above_the_stability_limit(text, ns):
    space = ns("dart-bounce")
    curvature, bounce, low = space["curvature"], space["bounce"], space["low"]
    assert round(2 / curvature, 4) == 0.1815 and 0.2 > 2 / curvature
    a = gd.rad2deg(bounce.xs[-4:, 0])
    assert a[0] == pytest.approx(a[2], abs=1e-9) and a[1] == pytest.approx(a[3], abs=1e-9)
    assert sorted(np.round(a[:2], 3)) == [38.31, 40.747]
    assert round(deg(low) - 38.310, 2) == 0.95 and round(40.747 - deg(low), 2) == 1.49
    assert bounce.losses[-4:].min() > 0.0016 and bounce.status == "max_steps"
    x = bounce.xs[:, 0]
    caught = int(np.argmax(np.abs(x[:-2] - x[2:]) < 1e-6))  # 6e-5 degrees
    assert caught <= 20 and np.all(np.abs(x[caught:-2] - x[caught + 2:]) < 1e-6), (
        "caught in the bounce within twenty steps, and stays there")
    for s in ["38.310° (0.95° short)", "40.747° (1.49° too high)", "never gets below 0.0016",
              "within twenty steps"]:
        assert s in text, s


def test_exponential_decay_cures_the_bounce(text, ns):
    decayed = ns("dart-decay")["decayed"]
    assert decayed.loss < 1e-20
    assert f"{deg(decayed.x[0]):.5f}" == "39.26083"
    assert f"{decayed.lrs[-1]:.4f}" == "0.0013"
    assert "$\\theta^* = 39.26083°$" in text and "final rate of $0.0013$" in text


def test_sign_descent_decays_and_their_sums(text, ns, results):
    out = results["dart-sign-decay"].stdout
    space = ns("dart-sign-decay")
    dart, eta0 = space["dart"], space["eta0"]
    runs = {label: gd.minimize(dart, gd.SignDescent(lr=eta0), x0=0.0, steps=200,
                               schedule=s) for label, s in space["decays"].items()}
    sums = {k: round(deg(r.lrs.sum()), 1) for k, r in runs.items()}
    assert list(sums.values()) == [2000.0, 100.0, 20.0, 58.8], sums
    const, g09, g05, inv = runs.values()
    assert sorted(np.round(gd.rad2deg(const.xs[-2:, 0]), 6)) == [30, 40], "constant bounces"
    assert abs(deg(g09.x[0]) - 39.261) < 1e-3, "gamma 0.9 settles on the solution"
    assert deg(g05.x[0]) == pytest.approx(20.0) and g05.loss > 1, "gamma 0.5 freezes at 20°"
    assert abs(deg(inv.x[0]) - deg(dart.solutions()[0])) < 0.01, "1/t within 0.01°"
    assert "58.8" in out and "20.000" in out
    for s in ["$10°/(1 - 0.9) = 100°$", "only $2\\eta_0 = 20°$", "spent 58.8°",
              "within 0.01° of $\\theta^*$"]:
        assert s in text, s


def windy_errors(out):
    rows = {}
    for line in out.splitlines()[1:]:
        label, *numbers = line.rsplit(None, 4)
        rows[label.split()[0]] = [float(v) for v in numbers]
    return rows


def test_windy_dart_noise_floor_and_1_over_t(text, results):
    rows = windy_errors(results["windy-dart"].stdout)
    const, inv, expo = rows["constant"], rows["1/t:"], rows["exponential:"]
    assert all(0.45 < e < 0.55 for e in const), f"constant: a floor of about 0.5°: {const}"
    assert 2.5 < inv[2] / inv[3] < 4, "1/t: about sqrt(10) less error per decade"
    assert (round(inv[2], 2), round(inv[3], 2)) == (0.12, 0.04)
    assert expo[3] == pytest.approx(expo[2], rel=0.01), "exponential freezes after t=1000"
    assert round(expo[3], 2) == 0.09 and expo[3] < const[3] and expo[3] > inv[3]
    assert expo[1] < const[1] and round(expo[1], 2) == 0.32, "better for a while"
    for s in ["about 0.5°", "(0.12° at $t = 1000$, 0.04° at $10^4$)", "at 0.09° from",
              "(0.32° at $t = 100$)"]:
        assert s in text, s


def test_warm_up(text, ns):
    space = ns("dart-warmup")
    warm, runs = space["warmup"], space["warm_runs"]
    assert warm(0) == pytest.approx(0.01) and warm(10) == pytest.approx(0.15)
    assert warm(50) == pytest.approx(0.15)
    c01, c15, ramp = runs.values()
    assert c01.status == "converged" and c01.n_steps == 83
    assert c15.status == "diverged" and c15.n_steps == 1
    assert ramp.status == "converged" and ramp.n_steps == 8
    assert "The constant $0.01$ needs 83 steps" in text and "gets there in 8" in text
    assert "converges in 8 steps, where a constant 0.01 needs 83" in text


def test_two_d_bowl(text, ns):
    runs = ns("bowl-learning-rates")["bowl_runs"]
    bowl = ns("bowl-learning-rates")["bowl"]
    assert list(bowl.eigenvalues) == [1.0, 4.0]  # gradient (theta_1, 4 theta_2)
    for s in ["(here $0.05$)", "($0.95$ and $0.8$)", "(here $0.4$)", "($0.6$ and $-0.6$)",
              "(here $0.52$)", "$|1 - 4\\eta| = 1.08 > 1$"]:
        assert s in text, s
    small, good, large = runs.values()
    assert small.loss > 0.5 and abs(small.x[0]) > 1, "0.05: still far from the centre"
    assert good.loss < 1e-6, "0.4: very close to the minimum"
    assert np.all(np.diff(np.sign(good.xs[:, 1])) != 0), "0.4: zig-zag in theta_2"
    assert large.loss > large.losses[0] and abs(large.x[0]) < 1e-3, (
        "0.52: theta_2 diverges while theta_1 converges")


def test_bowl_try_note(text):
    bowl = gd.IllConditionedQuadratic(condition_number=4)

    def run(lr):
        return gd.minimize(bowl, gd.GradientDescent(lr=lr), x0=[-3.5, 0.5], steps=20)

    assert run(0.25).xs[1, 1] == 0.0
    half = run(0.5)
    assert list(half.xs[-3:, 1]) == [0.5, -0.5, 0.5], "0.5: the symmetric bounce"
    assert half.loss == pytest.approx(0.5, abs=1e-6)
    assert round(run(0.6).x[1]) == 418
    assert "$\\theta_2$ is at 418 after 20 steps" in text


def test_exercise_1_lr_0_05_diverges(text):
    for s in ["$f'(0) = -49$", "$0.05 \\times 49 = 2.45$", "about 140°", "`DIV` for every budget"]:
        assert s in text, s
    dart = gd.DartLoss()
    assert dart.grad(0.0) == pytest.approx(-49.0, rel=1e-12)
    assert round(deg(0.05 * 49)) == 140
    run = gd.minimize(dart, gd.GradientDescent(lr=0.05), x0=0.0, steps=100_000,
                      bounds=BOUNDS, loss_threshold=0.001)
    assert run.status == "diverged" and run.n_steps == 1


def test_exercise_2_smallest_gamma(text):
    assert "0.7 is the smallest" in text
    dart = gd.DartLoss()

    def final(gamma):
        return gd.minimize(dart, gd.GradientDescent(lr=0.2), x0=gd.deg2rad(38), steps=500,
                           bounds=BOUNDS, schedule=gd.ExponentialLR(0.2, gamma=gamma))

    runs = {g: final(g) for g in (0.9, 0.8, 0.7, 0.6, 0.5)}
    assert all(runs[g].loss < 1e-8 for g in (0.9, 0.8, 0.7))
    assert runs[0.6].loss > 1e-8 and runs[0.5].loss > 1e-8
    assert f"{runs[0.7].loss:.1e}" == "1.1e-11" and f"{runs[0.6].loss:.1e}" == "7.1e-07"
    assert round(deg(runs[0.6].x[0]), 2) == 39.28
    for s in ["$1.1 \\times 10^{-11}$", "$7.1 \\times 10^{-7}$", "froze at 39.28°"]:
        assert s in text, s


def test_exercise_3_lr_0_25_zeroes_theta_2(text):
    assert "$\\eta = 0.25$ sets $\\theta_2 = 0$" in text and "$1 - 0.25 = 0.75$" in text
    bowl = gd.IllConditionedQuadratic(condition_number=4)
    run = gd.minimize(bowl, gd.GradientDescent(lr=0.25), x0=[-3.5, 0.5], steps=20)
    assert run.xs[1, 1] == 0.0
    assert run.xs[2, 0] / run.xs[1, 0] == pytest.approx(0.75)
    assert round(run.x[0], 3) == -0.011 and f"{run.loss:.1e}" == "6.2e-05"
    assert "at $-0.011$ (loss $6.2 \\times 10^{-5}$)" in text
    assert "(loss $8.9 \\times 10^{-9}$)" in text


def test_figures_are_labelled(results, ns):
    for cid, r in results.items():
        for fig in r.figures:
            assert fig, cid
    fig = ns("bowl-learning-rates")["fig"]
    ax = fig.axes[0]
    assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
    assert ax.get_aspect() == 1.0, "the bowl's contour keeps an equal aspect"
    for cid in ("dart-sign-plot", "dart-decay", "dart-warmup", "dart-gd-sweep-plot"):
        ax = ns(cid)["fig"].axes[0]
        assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel(), cid
