"""The claims of docs/stochastic.md, checked on the page's own cells.

Ledger (claim -> test):
- n = 200, B = 32: seven steps per epoch, six full batches and one of 8; 250 steps for
  B = 8 in 10 epochs -> test_steps_per_epoch
- the lowest MSE is about 0.5^2 = 0.25 -> test_noise_floor_of_the_closed_form
- three ways: batch GD (lr 0.5) lands on theta* to ~1e-8 in 10 steps; SGD ~0.03 away,
  mini-batch 32 ~0.02 away; batch GD with 0.1 is still far; SGD with 0.05 ends farther
  -> test_three_ways_batch_wins_at_equal_work, test_three_ways_try_suggestions
- the hand-written loop gives gd.fit's iterates; after 200 examples SGD is about 0.01
  above f*, 17 times closer than batch GD; SGD then stalls between ~1e-4 and ~1e-2;
  batch GD below SGD's band from the third epoch -> test_fast_start_then_noise_floor
- on new data theta* scores 0.2514 against 0.2461 on the training set (statistical error
  about 0.005), more than SGD's 0.0016; batch GD's precision changes nothing visible
  -> test_statistical_error_on_new_data
- mini-batch variance falls like 1/B (slope -1, finite-population correction)
  -> test_variance_falls_like_one_over_b
- on the contour, SGD wanders around theta* while batch GD slides in; a smaller SGD
  step shrinks the cloud -> test_contour_sgd_cloud
- loss floor ~ eta, distance ~ sqrt(eta), floor ~ eta / B -> test_noise_floor_scaling
- 1/t decay gets about three times below the floor of constant 0.005
  -> test_inverse_time_decay_below_the_floor
- separable data: loss -> 0, |theta| grows like log t; weight decay: |theta| settles
  near 2.5, cross-entropy at 0.033, unchanged after 2000 more steps
  -> test_separable_data_has_no_minimizer
- shuffling a sorted file: biased towards class 2 without shuffling
  -> test_shuffling_a_sorted_data_set
- naive softmax gives nan for large and very negative scores, the stable one agrees on
  all three -> test_logsumexp
- the four optimizers end within 0.01 in loss; lr = 3.0 mini-batch ends higher than
  after one epoch while full-batch GD at 3.0 converges -> test_optimizers
- softmax accuracy 0.863, spread=2.0 gives 0.603 (exercise 3)
  -> test_softmax_and_exercise_3
- exercise 1 (mini-batch 8: 250 steps, gap ~0.022, as close as mini-batch 32, closer than
  SGD) -> test_exercise_1
- exercise 2 (ExponentialLR: gap 0.029 -> 0.003; the sum of its steps is 10; curvature
  >= 1.78; gamma=0.99 freezes 0.47 away)
  -> test_exercise_2_decaying_sgd
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import gdcore as gd

PAGE = "stochastic"


@pytest.fixture(scope="module")
def text(page_text):
    return page_text(PAGE)


@pytest.fixture(scope="module")
def ns(page_namespace):
    return lambda cell: page_namespace(PAGE, cell)


def test_page_states_the_numbers_tested_here(text):
    for s in ["$n = 200$ and $B = 32$, seven steps (six full batches and one of 8 examples)",
              "$0.5^2 = 0.25$", "to about $10^{-8}$", "2000 steps stop about 0.03 away",
              "mini-batches of 32 about 0.02 away", "17 times closer",
              "between about $10^{-4}$\nand $10^{-2}$", "about three\ntimes below",
              "norm stops near 2.5", "levels off at\n0.033", "300 points",
              "the 100 times it occurs",
              "$\\lceil 200 / 8 \\rceil = 25$", "so 250 steps", "0.999^{2000} \\approx",
              "0.0014", "from 0.863 to 0.603", "about 0.029 to about 0.003",
              "is about 0.022", "(0.023)", "(0.029)", "at least 1.78", "about 0.47 away",
              "new data (0.2514)", "(0.2461)",
              "about 0.005", "0.0016 on the training set"]:
        assert s in text, f"stochastic.md no longer says {s!r}"


def test_steps_per_epoch(ns):
    X, y = ns("stochastic-setup")["X"], ns("stochastic-setup")["y"]
    h = gd.fit(gd.LinearRegression(n_features=3), X, y, gd.GradientDescent(lr=0.05),
               epochs=1, batch_size=32)
    assert h.n_steps == 7 and 200 - 6 * 32 == 8, "seven steps per epoch for B = 32"


def test_noise_floor_of_the_closed_form(ns):
    assert ns("stochastic-closed-form")["f_star"] == pytest.approx(0.25, abs=0.01)


def test_three_ways_batch_wins_at_equal_work(ns):
    v = ns("stochastic-three-ways")
    hs, theta = v["histories"], v["theta_star"]
    assert {k: h.n_steps for k, h in hs.items()} == {"batch": 10, "SGD": 2000,
                                                      "mini-batch 32": 70}
    gap = {k: np.max(np.abs(h.params - theta)) for k, h in hs.items()}
    assert gap["batch"] < 1e-7, "batch GD lands on theta* to about 1e-8"
    assert 0.02 < gap["SGD"] < 0.04, "SGD stops about 0.03 away"
    assert 0.015 < gap["mini-batch 32"] < 0.03, "mini-batch 32 about 0.02 away"


def test_three_ways_try_suggestions(ns):
    v = ns("stochastic-three-ways")
    X, y, theta = v["X"], v["y"], v["theta_star"]
    slow = gd.fit(gd.LinearRegression(n_features=3), X, y, gd.GradientDescent(lr=0.1),
                  epochs=10)
    assert np.max(np.abs(slow.params - theta)) > 0.1, "with 0.1 batch GD is still far"
    noisy = gd.fit(gd.LinearRegression(n_features=3), X, y, gd.GradientDescent(lr=0.05),
                   epochs=10, batch_size=1, seed=0)
    assert (np.max(np.abs(noisy.params - theta))
            > np.max(np.abs(v["histories"]["SGD"].params - theta))), \
        "SGD with 0.05 ends farther from theta* than with 0.01"


def test_fast_start_then_noise_floor(ns):
    v = ns("stochastic-loss-curves")
    sgd, f_star = v["sgd_losses"], v["f_star"]
    fit_sgd = v["histories"]["SGD"]
    assert np.allclose(v["theta_sgd"], fit_sgd.params), "the loop runs gd.fit's iterates"
    assert np.allclose(sgd[199::200], fit_sgd.losses[1:] - f_star)
    batch = v["histories"]["batch"].losses - f_star
    assert 0.005 < sgd[199] < 0.015, "SGD about 0.01 above f* after 200 examples"
    assert round(batch[1] / sgd[199]) == 17, "17 times closer than batch GD"
    last = sgd[-200:]
    assert 5e-5 < last.min() < 5e-4 and 5e-3 < last.max() < 3e-2, \
        "SGD wanders between about 1e-4 and 1e-2 in its last epoch"
    assert sgd[1000:].min() > 0.5 * last.min(), "SGD stalls: no progress after epoch 5"
    assert batch[3] < sgd[599:].min() and batch[2] > sgd[399:].min(), \
        "batch GD below SGD's whole band from the third epoch (not before)"


def test_statistical_error_on_new_data(run_page, ns):
    out = run_page(PAGE)["stochastic-new-data"].stdout.splitlines()
    rows = {line[:15].strip(): (float(line.split("training MSE ")[1].split()[0]),
                                float(line.rsplit(" ", 1)[1])) for line in out}
    star, batch, sgd = rows["theta* (exact)"], rows["batch GD"], rows["SGD"]
    assert f"{star[1]:.4f}" == "0.2514" and f"{star[0]:.4f}" == "0.2461"
    stat = star[1] - star[0]
    assert round(stat, 3) == 0.005, "a gap of about 0.005"
    v = ns("stochastic-new-data")
    sgd_excess = v["histories"]["SGD"].loss - v["f_star"]
    assert round(sgd_excess, 4) == 0.0016 and sgd_excess < stat
    assert batch == star, "batch GD's precision buys nothing visible on new data"
    assert sgd[1] > star[1]


def test_variance_falls_like_one_over_b(ns):
    v = ns("stochastic-variance")
    sizes, var, theory = np.array(v["sizes"]), np.array(v["variance"]), np.array(v["theory"])
    slope = np.polyfit(np.log(sizes[:5]), np.log(var[:5]), 1)[0]
    assert -1.1 < slope < -0.9, f"variance slope {slope:.2f}, the page says 1/B"
    assert np.all(np.abs(var / theory - 1) < 0.1), "measured variance matches the formula"
    assert np.all(np.diff(sizes * var)[4:] < 0), "B * variance falls as B nears n"


def test_contour_sgd_cloud(ns):
    v = ns("stochastic-contour")
    paths, theta1 = v["paths"], v["theta1"]
    gd_end = np.array(paths["batch GD, lr 0.1"][-1])
    sgd_tail = np.array(paths["SGD, lr 0.05"][-100:])
    assert np.linalg.norm(gd_end - theta1) < 1e-6, "batch GD slides to theta*"
    dist = np.linalg.norm(sgd_tail - theta1, axis=1)
    assert dist.mean() > 0.1 and dist.max() < 1.0, "SGD wanders around theta*"
    # "change the SGD learning rate and watch the cloud shrink"
    X1, y1, line = v["X1"], v["y1"], v["line"]
    rng, p, tail = np.random.default_rng(0), np.zeros(2), []
    for _ in range(300):
        i = rng.integers(len(y1), size=1)
        p = p - 0.01 * line.loss_and_grad(X1[i], y1[i], p)[1]
        tail.append(np.linalg.norm(p - theta1))
    assert np.mean(tail[-100:]) < dist.mean() / 1.5, "a smaller step, a smaller cloud"
    assert v["ax"].get_aspect() == 1.0, "equal aspect on the (w, b) contour"


def test_noise_floor_scaling(ns):
    fl = ns("stochastic-noise-floor")["floors"]
    for B in (1, 4):
        for big, small in ((0.02, 0.01), (0.01, 0.005)):
            ratio = fl[big, B][0] / fl[small, B][0]
            assert 2.0 < ratio < 2.4, f"halving eta divides the floor by {ratio:.2f}"
            dratio = fl[big, B][1] / fl[small, B][1]
            assert 1.35 < dratio < 1.6, f"distance ratio {dratio:.2f}, page says ~sqrt 2"
    for lr in (0.02, 0.01, 0.005):
        assert 3.6 < fl[lr, 1][0] / fl[lr, 4][0] < 4.6, "B = 4 divides the floor by ~4"
    assert fl[0.02, 4][0] == pytest.approx(fl[0.005, 1][0], rel=0.25), \
        "the same eta / B reaches about the same floor"


def test_inverse_time_decay_below_the_floor(ns):
    v = ns("stochastic-decay")
    ratio = v["floors"][0.005, 1][0] / v["decayed"][0]
    assert 2.5 < ratio < 4, f"1/t decay is {ratio:.1f} times below the 0.005 floor"
    assert v["decay"](0) > 0.02, "1/t starts with a larger step than the constant ones"


def test_separable_data_has_no_minimizer(run_page, ns):
    out = run_page(PAGE)["stochastic-separable"].stdout.splitlines()
    rows = [(float(line.split("loss ")[1].split()[0]),
             float(line.split("= ")[1].split()[0])) for line in out]
    free, decayed = rows[:3], rows[3:]
    assert free[0][0] > free[1][0] > free[2][0] and free[2][0] < 0.02, "loss falls to 0"
    norms = [r[1] for r in free]
    assert norms[0] < norms[1] < norms[2], "|theta| keeps growing"
    growth = [norms[1] - norms[0], norms[2] - norms[1]]
    assert 0.5 < growth[1] / growth[0] < 2, "like log t: the same growth per decade"
    assert abs(decayed[2][1] - decayed[1][1]) < 0.3 and decayed[2][1] == pytest.approx(
        2.5, abs=0.1), "with weight decay |theta| stops near 2.5"
    assert decayed[2][0] > free[2][0] and f"{decayed[2][0]:.3f}" == "0.033"
    # "2000 more steps change neither in the third digit"
    Xs, ys = ns("stochastic-separable")["Xs"], ns("stochastic-separable")["ys"]
    sep = gd.SoftmaxRegression(n_features=2, n_classes=3)
    h = gd.fit(sep, Xs, ys, gd.GradientDescent(lr=0.3, weight_decay=0.01), epochs=3000)
    assert f"{h.loss:.3f}" == "0.033" and round(np.linalg.norm(sep.params), 2) == round(
        decayed[2][1], 2), "the regularized run has settled"


def test_shuffling_a_sorted_data_set(run_page):
    out = run_page(PAGE)["stochastic-shuffling"].stdout.splitlines()
    counts = [[int(c) for c in line.split("[")[1].strip(" ]").split()] for line in out]
    loss = [float(line.split("loss ")[1].split()[0]) for line in out]
    assert loss[1] > loss[0] + 0.05, "without shuffling the loss is worse"
    assert counts[1][2] > 110, "class 2 predicted far more often than its 100 times"
    yc = run_page.snapshots[PAGE]["stochastic-shuffling"]["yc"]
    assert np.bincount(yc).tolist() == [100, 100, 100]


def test_logsumexp(run_page):
    r = run_page(PAGE)["stochastic-logsumexp"]
    lines = r.stdout.splitlines()
    naive = [line for line in lines if "naive" in line]
    stable = [line for line in lines if "stable" in line]
    assert "nan" not in naive[0] and "nan" in naive[1] and "nan" in naive[2]
    assert "inf" in naive[1] and "-inf" in naive[2]
    assert all("nan" not in s for s in stable)
    assert stable[0].split("log-sum")[0] == stable[1].split("log-sum")[0]
    z = np.array([-1002.0, -1001.0, -1000.0])
    assert np.allclose(gd.softmax(z), gd.softmax(z + 1003.0)), "shift invariance"
    assert r.stderr == "", "the naive cell warns nothing (errstate)"


def test_optimizers(ns):
    v = ns("stochastic-optimizers")
    finals = [h.loss for h in v["curves"].values()]
    assert max(finals) - min(finals) < 0.01, "all four end within 0.01 in loss"
    Xc, yc = v["Xc"], v["yc"]
    big = gd.fit(gd.SoftmaxRegression(n_features=2, n_classes=3), Xc, yc,
                 gd.GradientDescent(lr=3.0), epochs=20, batch_size=32, seed=0)
    assert big.loss > big.losses[1], "lr 3.0: higher after 20 epochs than after one"
    full = gd.fit(gd.SoftmaxRegression(n_features=2, n_classes=3), Xc, yc,
                  gd.GradientDescent(lr=3.0), epochs=50)
    assert full.loss < min(finals) + 1e-3, "full-batch GD at 3.0 converges"


def test_softmax_and_exercise_3(ns):
    v = ns("stochastic-softmax")
    assert f"{v['clf'].accuracy(v['Xc'], v['yc']):.3f}" == "0.863"
    Xh, yh = gd.make_classification(n_samples=300, n_classes=3, spread=2.0, seed=0)
    hard = gd.SoftmaxRegression(n_features=2, n_classes=3)
    gd.fit(hard, Xh, yh, gd.GradientDescent(lr=0.3), epochs=20, batch_size=32, seed=0)
    assert f"{hard.accuracy(Xh, yh):.3f}" == "0.603"


def test_exercise_1(ns):
    v = ns("stochastic-three-ways")
    X, y, theta = v["X"], v["y"], v["theta_star"]
    h = gd.fit(gd.LinearRegression(n_features=3), X, y, gd.GradientDescent(lr=0.05),
               epochs=10, batch_size=8, seed=0)
    assert h.n_steps == 250
    gap = np.max(np.abs(h.params - theta))
    assert round(gap, 3) == 0.022
    g32 = np.max(np.abs(v["histories"]["mini-batch 32"].params - theta))
    gsgd = np.max(np.abs(v["histories"]["SGD"].params - theta))
    assert round(g32, 3) == 0.023 and round(gsgd, 3) == 0.029 and gap < gsgd


def test_exercise_2_decaying_sgd(ns):
    v = ns("stochastic-three-ways")
    X, y, theta = v["X"], v["y"], v["theta_star"]
    assert f"{0.01 * 0.999**2000:.4f}" == "0.0014"
    h = gd.fit(gd.LinearRegression(n_features=3), X, y, gd.GradientDescent(lr=0.01),
               epochs=10, batch_size=1, seed=0, schedule=gd.ExponentialLR(0.01, gamma=0.999))
    assert round(np.max(np.abs(h.params - theta)), 3) == 0.003
    assert math.isclose(0.01 / (1 - 0.999), 10.0), "the steps of ExponentialLR sum to 10"
    H = 2 * v["A"].T @ v["A"] / len(y)                   # the Hessian of the MSE
    assert round(np.linalg.eigvalsh(H).min(), 2) == 1.78, "every curvature at least 1.78"
    short = gd.fit(gd.LinearRegression(n_features=3), X, y, gd.GradientDescent(lr=0.01),
                   epochs=10, batch_size=1, seed=0,
                   schedule=gd.ExponentialLR(0.01, gamma=0.99))
    assert round(np.max(np.abs(short.params - theta)), 2) == 0.47, "gamma=0.99 stops short"
