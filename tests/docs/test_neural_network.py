"""The claims of docs/neural-network.md, checked on the page's own cells.

Ledger (claim -> test):
- a line gets about 87% of the validation points (training 0.900, validation 0.870)
  -> test_linear_baseline
- the network has 337 parameters -> test_parameter_count
- at the start the signals' standard deviation is 0.77, 0.48, 0.42 (neither blowing up
  nor dying out) -> test_initial_signal_sizes
- the backward pass is right: both check_gradient errors far below 1e-7; with the wrong
  tanh derivative (1 - a) they jump to about 0.19 and 1.2 -> test_gradient_check,
  test_broken_backward_pass_is_caught
- the MLP follows fit's contract (params + loss_and_grad) -> test_fit_contract
- all three optimizers: best validation loss 0.11-0.12, validation accuracy 0.96-0.97;
  training loss below 0.2 at epochs 77 (SGD), 25 (Adam), 10 (momentum); early stopping
  25 epochs after the best, best parameters restored -> test_three_optimizers
- the curves are noisy, momentum's most -> test_momentum_curve_is_the_noisiest
- after the best epoch the training loss goes lower, the validation loss never gets back
  to its best -> test_overfitting_after_the_best_epoch
- the curved boundary follows the moons; the three boundaries are almost the same
  -> test_decision_boundaries
- they disagree on at most about 2% of the plane, each moved 5 to 7 from the start and
  they are 5 to 6 apart -> test_different_weights_same_function
- zero start: loss 0.693 ~ log 2, every weight exactly zero, coin-flip accuracy; a 1e-3
  start escapes slowly (loss about 0.25 after 100 epochs) -> test_zero_init_is_stuck
- exercise 1 (width 2: 0.88, 0.88, 0.87, best validation loss about 0.30)
  -> test_exercise_1_narrow_network
- exercise 2 (no early stopping: momentum 0.206 at the end vs 0.123 at epoch 25,
  training 0.03, accuracy 0.96) -> test_exercise_2_no_early_stopping
- exercise 3 (SGD lr 1.0: below 0.2 at epoch 15, validation loss 0.137, accuracy 0.95)
  -> test_exercise_3_sgd_long_step
- the page's cells run in a few seconds -> test_cells_are_fast
"""

from __future__ import annotations

import time

import numpy as np
import pytest

import gdcore as gd
from tests.docs.conftest import _load_cellrun

PAGE = "neural-network"


@pytest.fixture(scope="module")
def text(page_text):
    return page_text(PAGE)


@pytest.fixture(scope="module")
def ns(page_namespace):
    return lambda cell: page_namespace(PAGE, cell)


@pytest.fixture(scope="module")
def data(ns):
    v = ns("nn-model")
    return v["MLP"], v["X_train"], v["y_train"], v["X_val"], v["y_val"]


def test_page_states_the_numbers_tested_here(text):
    for s in ["about 87%", "= 337$", "0.11 to 0.12", "96 to 97%", "SGD needs 77 epochs",
              "Adam 25 and momentum 10", "0.77 for the inputs, then 0.48 and 0.42",
              "about 0.19\nand 1.2", "stays at 0.693",
              "only down to about 0.25", "0.88 (SGD), 0.88\n        (momentum) and 0.87",
              "about 0.30", "validation loss is 0.206, against\n        0.123",
              "at most about 2%", "about 5 to 7", "5 to 6 apart",
              "epoch 15", "0.137 and accuracy 0.95"]:
        assert s in text, f"neural-network.md no longer says {s!r}"


def test_linear_baseline(run_page):
    out = run_page(PAGE)["nn-data"].stdout
    assert "training accuracy 0.900, validation accuracy 0.870" in out


def test_parameter_count(ns):
    assert ns("nn-model")["net"].params.size == 2 * 16 + 16 + 16 * 16 + 16 + 16 + 1 == 337


def test_initial_signal_sizes(ns):
    v = ns("nn-model")
    acts, _ = v["net"].forward(v["X_train"], v["net"].params)
    assert [round(float(a.std()), 2) for a in acts] == [0.77, 0.48, 0.42], \
        "signal sizes at the start, as the page states them"


def test_gradient_check(run_page):
    out = run_page(PAGE)["nn-gradcheck"].stdout.splitlines()
    errors = [float(line.rsplit(" ", 1)[1]) for line in out]
    assert len(errors) == 2 and max(errors) < 1e-9, "both errors far below 1e-7"


def test_broken_backward_pass_is_caught(page_cells):
    cellrun = _load_cellrun()
    namespace = cellrun.new_namespace()
    cells = {c.id: c.code for c in page_cells(PAGE)}
    assert "(1 - acts[l] ** 2)" in cells["nn-model"]
    for cid in ["nn-data", "nn-model", "nn-gradcheck"]:
        code = cells[cid].replace("(1 - acts[l] ** 2)", "(1 - acts[l])")
        r = cellrun.run_cell(code, namespace, cid)
        assert r.error is None, r.error
    errors = [float(line.rsplit(" ", 1)[1]) for line in r.stdout.splitlines()]
    assert round(errors[0], 2) == 0.19 and round(errors[1], 1) == 1.2, errors


def test_fit_contract(ns):
    net = ns("nn-model")["net"]
    assert isinstance(net, gd.Model), "the MLP follows fit's model protocol"
    loss, grad = net.loss_and_grad(ns("nn-model")["X_train"][:5],
                                   ns("nn-model")["y_train"][:5], net.params)
    assert isinstance(loss, float) and grad.shape == net.params.shape


def test_three_optimizers(ns):
    v = ns("nn-train")
    runs, nets = v["runs"], v["nets"]
    X_val, y_val = v["X_val"], v["y_val"]
    below = {}
    for label, h in runs.items():
        assert h.status == "early_stopped" and h.epochs == h.best_epoch + 25, label
        assert 0.11 <= round(h.val_losses[h.best_epoch], 2) <= 0.12, label
        assert 0.96 <= nets[label].accuracy(X_val, y_val) <= 0.97, label
        assert nets[label].accuracy(X_val, y_val) > 0.87 + 0.05, "well above the line"
        below[label.split()[0]] = int(np.argmax(h.losses < 0.2))
        # restore_best: the net ends with its best epoch's parameters
        assert nets[label].loss_and_grad(X_val, y_val, nets[label].params)[0] == \
            pytest.approx(h.val_losses[h.best_epoch])
    assert below == {"SGD": 77, "momentum": 10, "Adam": 25}


def test_momentum_curve_is_the_noisiest(ns):
    runs = ns("nn-curves")["runs"]
    jumps = {k.split()[0]: np.mean(np.abs(np.diff(np.log(h.losses[5:]))))
             for k, h in runs.items()}
    assert jumps["momentum"] > 1.3 * max(jumps["SGD"], jumps["Adam"]), jumps


def test_overfitting_after_the_best_epoch(ns):
    for label, h in ns("nn-curves")["runs"].items():
        b = h.best_epoch
        assert h.losses[b:].min() < h.losses[b], f"{label}: training goes lower after best"
        assert h.val_losses[b + 1:].min() > h.val_losses[b], label
    fig = ns("nn-curves")["fig"]
    assert len(fig.axes) == 3 and all(ax.get_xlabel() == "epoch" for ax in fig.axes)


def test_decision_boundaries(ns):
    v = ns("nn-boundary")
    grid, nets, gx = v["grid"], v["nets"], v["gx"]
    labels = [(m.forward(grid, m.params)[1] > 0) for m in nets.values()]
    for other in labels[1:]:
        assert np.mean(labels[0] != other) < 0.05, "the three boundaries almost the same"
    # curved: the boundary's height changes direction along x1 (it follows the bend)
    z = next(iter(nets.values())).forward(grid, next(iter(nets.values())).params)[1]
    side = (z > 0).reshape(gx.shape)
    height = side.sum(axis=0)                          # class-0 cells per column
    d = np.sign(np.diff(height[(gx[0] > -0.5) & (gx[0] < 2.0)]))
    d = d[d != 0]
    assert np.count_nonzero(np.diff(d)) >= 2, "a curved boundary, not a line"
    for ax in v["fig"].axes[:3]:
        assert ax.get_aspect() == 1.0


def test_different_weights_same_function(run_page):
    out = run_page(PAGE)["nn-compare-params"].stdout.splitlines()
    moved = [float(line.split("moved ")[1].split()[0]) for line in out[:3]]
    apart = [float(line.split("= ")[1].split(",")[0]) for line in out[3:]]
    disagree = [float(line.split("disagree on ")[1].split("%")[0]) for line in out[3:]]
    assert all(5 <= m <= 7 for m in moved), moved
    assert all(4.5 <= d <= 6.5 for d in apart), apart
    assert max(disagree) <= 2.5, "they disagree on at most about 2% of the plane"


def test_zero_init_is_stuck(run_page):
    out = run_page(PAGE)["nn-zero-init"].stdout.splitlines()
    assert out[0].startswith("start scale 0: training loss 0.693")
    assert "largest weight 0," in out[0]
    acc0 = float(out[0].rsplit(" ", 1)[1])
    assert 0.4 < acc0 < 0.6, "coin-flip accuracy"
    loss1 = float(out[1].split("training loss ")[1].split(",")[0])
    assert 0.2 < loss1 < 0.3, "a 1e-3 start escapes, slowly"
    assert abs(float(out[0].split("loss ")[1].split(",")[0]) - np.log(2)) < 1e-3


def test_exercise_1_narrow_network(data):
    MLP, Xt, yt, Xv, yv = data
    accs, losses = [], []
    for opt in (gd.GradientDescent(lr=0.1), gd.Momentum(lr=0.1, momentum=0.9),
                gd.Adam(lr=0.01)):
        net = MLP(sizes=(2, 2, 1), seed=0)
        h = gd.fit(net, Xt, yt, opt, epochs=300, batch_size=32, seed=0,
                   validation=(Xv, yv), patience=25)
        accs.append(round(net.accuracy(Xv, yv), 2))
        losses.append(h.val_losses[h.best_epoch])
    assert accs == [0.88, 0.88, 0.87]
    assert all(abs(v - 0.30) < 0.015 for v in losses), losses


def test_exercise_2_no_early_stopping(data):
    MLP, Xt, yt, Xv, yv = data
    net = MLP(seed=0)
    h = gd.fit(net, Xt, yt, gd.Momentum(lr=0.1, momentum=0.9), epochs=300, batch_size=32,
               seed=0, validation=(Xv, yv))
    assert h.epochs == 300 and h.best_epoch == 25
    assert f"{h.val_losses[-1]:.3f}" == "0.206" and f"{h.val_losses[25]:.3f}" == "0.123"
    assert round(h.loss, 2) == 0.03 and net.accuracy(Xv, yv) == pytest.approx(0.96)


def test_exercise_3_sgd_long_step(data):
    MLP, Xt, yt, Xv, yv = data
    net = MLP(seed=0)
    h = gd.fit(net, Xt, yt, gd.GradientDescent(lr=1.0), epochs=300, batch_size=32, seed=0,
               validation=(Xv, yv), patience=25)
    assert int(np.argmax(h.losses < 0.2)) == 15
    assert f"{h.val_losses[h.best_epoch]:.3f}" == "0.137"
    assert net.accuracy(Xv, yv) == pytest.approx(0.95)


def test_cells_are_fast(page_cells):
    cellrun = _load_cellrun()
    namespace = cellrun.new_namespace()
    cellrun.run_cell("import numpy, matplotlib.pyplot, gdcore", namespace, "warm")
    start = time.process_time()
    for cell in page_cells(PAGE):
        cellrun.run_cell(cell.code, namespace, cell.id)
    assert time.process_time() - start < 5.0, "the page's cells take more than 5 s of CPU"
