"""Plotting: every function returns a labelled Figure with alt text, under Agg."""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

import gdcore as gd  # noqa: E402
import gdcore.plot as gplot  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _labelled(fig, xlabel=None):
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
    if xlabel is not None:
        assert ax.get_xlabel() == xlabel
    alt = gplot.get_alt(fig)
    assert isinstance(alt, str) and len(alt) > 30
    w, h = fig.get_size_inches()
    assert (w, h) == (6.4, 4.0)
    fig.canvas.draw()  # renders without error
    return alt


def test_plot_is_not_imported_by_gdcore():
    import subprocess
    import sys

    code = "import sys, gdcore; print('matplotlib' in sys.modules, 'gdcore.plot' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
    assert gd.plot is gplot


def test_palette_is_okabe_ito():
    okabe_ito = {"#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7",
                 "#000000"}
    assert set(gplot.PALETTE) == okabe_ito and len(gplot.PALETTE) == 8


def test_contour_with_paths():
    f = gd.landscapes["rosenbrock"]
    runs = {
        "GD": gd.minimize(f, gd.GradientDescent(lr=1e-3), [-1.5, 2.0], 100),
        "Adam": gd.minimize(f, gd.Adam(lr=0.05), [-1.5, 2.0], 100),
        "points": np.array([[0.0, 0.0], [0.5, 0.25]]),
    }
    fig = gplot.contour(f, paths=runs, n=60)
    alt = _labelled(fig, "x")
    assert fig.axes[0].get_title() == "Rosenbrock"
    assert "GD from (-1.5, 2)" in alt and "logarithmically" in alt and "(1, 1)" in alt
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert labels == ["GD", "Adam", "points", "minimum"]
    colors = [line.get_color() for line in fig.axes[0].get_lines() if line.get_label() in runs]
    assert colors[:3] == list(gplot.PALETTE[:3])
    assert fig.axes[0].get_xlim() == (-2.0, 2.0)


def test_contour_variants():
    saddle = gd.landscapes["saddle"]
    fig = gplot.contour(saddle, n=30, log=False)
    alt = _labelled(fig)
    assert "evenly" in alt and "minimum" not in alt
    single = gd.minimize(gd.landscapes["bowl"], gd.GradientDescent(lr=0.1), [1.0, 1.0], 10)
    fig = gplot.contour(gd.landscapes["bowl"], paths=single, n=30, title="A bowl")
    assert fig.axes[0].get_title() == "A bowl" and "GradientDescent" in gplot.get_alt(fig)
    batch = gd.minimize_many(gd.landscapes["himmelblau"], gd.GradientDescent(lr=0.01),
                             np.array([[0.0, 0.0], [-1.0, -1.0], [1.0, -2.0]]), 50)
    fig = gplot.contour(gd.landscapes["himmelblau"], paths={"GD": batch}, n=30)
    assert "3 paths" in gplot.get_alt(fig)
    fig, axes = plt.subplots(1, 2, figsize=(6.4, 4.0))
    out = gplot.contour(gd.landscapes["booth"], ax=axes[0], n=20)
    out = gplot.contour(gd.landscapes["beale"], ax=axes[1], n=20)
    assert out is fig and "Booth" in gplot.get_alt(fig) and "Beale" in gplot.get_alt(fig)


def test_surface():
    f = gd.landscapes["himmelblau"]
    run = gd.minimize(f, gd.Adam(lr=0.1), [0.0, 0.0], 50)
    fig = gplot.surface(f, path=run, n=30)
    alt = _labelled(fig)
    assert fig.axes[0].get_zlabel() == "loss" and "Surface plot of Himmelblau" in alt
    assert "Adam" in alt
    fig = gplot.surface(gd.landscapes["saddle"], n=20, zlim=(-4, 4))
    assert fig.axes[0].get_zlim() == (-4.0, 4.0)


def test_loss_curve():
    f = gd.landscapes["ill-conditioned"]
    runs = {
        "GD": gd.minimize(f, gd.GradientDescent(lr=0.1), [3.0, 1.0], 50),
        "too big": gd.minimize(f, gd.GradientDescent(lr=0.5), [3.0, 1.0], 50),
    }
    fig = gplot.loss_curve(runs)
    alt = _labelled(fig, "iteration")
    assert fig.axes[0].get_yscale() == "log" and "(diverged)" in alt
    fig = gplot.loss_curve([1.0, 0.5, 0.0, -0.5], log=True)
    assert fig.axes[0].get_yscale() == "symlog"
    fig = gplot.loss_curve(np.array([3.0, 2.0, 1.0]), log=False)
    assert fig.axes[0].get_yscale() == "linear"
    X, y, _, _ = gd.make_regression(n_samples=50, seed=0)
    h = gd.fit(gd.LinearRegression(), X, y, gd.GradientDescent(lr=0.1), epochs=5)
    fig = gplot.loss_curve({"batch": h})
    assert fig.axes[0].get_xlabel() == "epoch"
    with gplot.style(dark=True):
        fig = gplot.loss_curve(runs)
    assert fig.get_facecolor()[:3] != (1.0, 1.0, 1.0)
    dark_color = fig.axes[0].get_lines()[0].get_color()
    assert dark_color == "#56B4E9"  # sky blue leads on a dark background
    assert plt.rcParams["figure.facecolor"] != "#1e2129"  # style restored


def test_schedule_curve():
    fig = gplot.schedule_curve(gd.StepLR(0.1, step_size=10), steps=40)
    alt = _labelled(fig, "step t")
    assert "learning rate" in alt and "StepLR" in alt
    y = fig.axes[0].get_lines()[0].get_ydata()
    assert len(y) == 40 and y[0] == 0.1 and y[-1] == pytest.approx(1e-4)
    fig = gplot.schedule_curve({"a": lambda t: 1.0, "b": lambda t: 0.5}, steps=5, log=True)
    assert len(fig.axes[0].get_lines()) == 2 and fig.axes[0].get_yscale() == "log"


def test_curve_1d_for_the_dart():
    dart = gd.DartLoss()
    run = gd.minimize(dart, gd.GradientDescent(lr=0.01), gd.deg2rad(20.0), 30)
    fig = gplot.curve_1d(dart, xs={"GD": run})
    alt = _labelled(fig, "launch angle θ (degrees)")
    assert "39.261°" in alt and "50.739°" in alt and "GD: 30 steps from 20°" in alt
    fig = gplot.curve_1d(dart, xs=np.array([0.5, 0.6, 0.7]), degrees=False, solutions=False,
                         log=True)
    alt = gplot.get_alt(fig)
    assert "radians" in fig.axes[0].get_xlabel() and "solutions" not in alt
    fig = gplot.curve_1d(lambda x: float((x[0] - 1) ** 2), domain=(-1, 3), degrees=False,
                         solutions=[1.0], title="parabola")
    assert fig.axes[0].get_title() == "parabola" and fig.axes[0].get_xlabel() == "x (radians)"
    fig = gplot.curve_1d(gd.DartLoss(speed=5.0))  # unreachable: no solutions to mark
    assert "solutions" not in gplot.get_alt(fig)


def test_alt_helpers():
    fig = plt.figure()
    assert gplot.get_alt(fig) is None
    assert gplot.set_alt(fig, "  Some text. ") is fig and gplot.get_alt(fig) == "Some text."


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: gplot.set_alt("fig", "text"), TypeError, "fig must"),
        (lambda: gplot.set_alt(plt.figure(), " "), ValueError, "text must"),
        (lambda: gplot.contour(gd.Bowl(), levels=1), ValueError, "levels must be >= 2"),
        (lambda: gplot.contour(gd.Bowl(), log="yes"), TypeError, "log must"),
        (lambda: gplot.contour(gd.Bowl(), paths=np.ones((3, 3))), ValueError, "2 coordinates"),
        (lambda: gplot.contour(gd.Bowl(), paths=42), TypeError, "paths must"),
        (lambda: gplot.contour(gd.Bowl(), ax="axes"), TypeError, "ax must"),
        (lambda: gplot.contour(lambda p: np.nan, domain=((0, 1), (0, 1))), ValueError, "finite"),
        (lambda: gplot.surface(gd.Bowl(), n=1), ValueError, "n must"),
        (lambda: gplot.surface(gd.Bowl(), ax=plt.figure().add_subplot()), TypeError, "3-D"),
        (lambda: gplot.loss_curve({}), ValueError, "at least one"),
        (lambda: gplot.loss_curve([[[1.0]]]), ValueError, "1-D"),
        (lambda: gplot.loss_curve([1.0], log=1), TypeError, "log must"),
        (lambda: gplot.schedule_curve(0.1, steps=10), TypeError, "schedule must"),
        (lambda: gplot.schedule_curve(lambda t: 0.1, steps=0), ValueError, "steps must"),
        (lambda: gplot.schedule_curve({"a": 1.0}, steps=3), TypeError, "callable"),
        (lambda: gplot.curve_1d(gd.DartLoss(), domain=(1, 0)), ValueError, "low < high"),
        (lambda: gplot.curve_1d(gd.DartLoss(), domain="wide"), ValueError, "domain"),
        (lambda: gplot.curve_1d(gd.DartLoss(), degrees="yes"), TypeError, "degrees"),
        (lambda: gplot.curve_1d(gd.DartLoss(), n=1), ValueError, "n must"),
        (lambda: gplot.style(dark="yes").__enter__(), TypeError, "dark must"),
    ],
)
def test_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()


def _legend(fig):
    legend = fig.axes[0].get_legend()
    return [t.get_text() for t in legend.get_texts()] if legend else []


def test_contour_keeps_equal_aspect_on_landscapes():
    for name in ("bowl", "ill-conditioned", "six-hump-camel"):
        assert gplot.contour(gd.landscapes[name], n=20).axes[0].get_aspect() == 1.0, name
    f = gd.landscapes["rosenbrock"]
    assert gplot.contour(f, n=20, aspect="auto").axes[0].get_aspect() == "auto"
    assert gplot.contour(f, n=20, aspect=2.5).axes[0].get_aspect() == 2.5

    def plain(p):  # a function without equal_aspect: its axes may be in different units
        return p[0] ** 2 + 100 * p[1] ** 2

    plain.domain = ((-1.0, 1.0), (-0.01, 0.01))
    assert gplot.contour(plain, n=20).axes[0].get_aspect() == "auto"
    with pytest.raises(ValueError, match="aspect must be"):
        gplot.contour(f, n=20, aspect="square")
    with pytest.raises(ValueError, match="aspect must be"):
        gplot.contour(f, n=20, aspect=0)


def test_contour_marks_every_critical_point():
    f = gd.landscapes["himmelblau"]
    fig = gplot.contour(f, n=30)
    assert _legend(fig) == ["global minima", "saddle points", "maximum"]
    lines = {line.get_label(): line for line in fig.axes[0].get_lines()}
    saddles = np.column_stack(lines["saddle points"].get_data())
    np.testing.assert_array_equal(saddles, f.critical_points().saddles)
    np.testing.assert_array_equal(np.column_stack(lines["maximum"].get_data()),
                                  f.critical_points().maxima)
    alt = gplot.get_alt(fig)
    assert "4 saddle points marked at" in alt and "1 maximum marked at (-0.271, -0.923)" in alt
    camel = gplot.contour(gd.landscapes["six-hump-camel"], n=30)
    assert _legend(camel) == ["global minima", "local minima", "saddle points", "maxima"]
    local = [ln for ln in camel.axes[0].get_lines() if ln.get_label() == "local minima"][0]
    assert len(local.get_xdata()) == 4  # six minima, two of them global (stars)
    st = gplot.contour(gd.landscapes["styblinski-tang"], n=30)
    assert _legend(st) == ["global minimum", "local minima", "saddle points", "maximum"]
    saddle = gplot.contour(gd.landscapes["saddle"], n=20)
    assert _legend(saddle) == ["saddle point"] and "minimum" not in gplot.get_alt(saddle)
    assert _legend(gplot.contour(f, n=20, show_critical=False)) == ["global minima"]
    assert _legend(gplot.contour(gd.landscapes["rastrigin"], n=20)) == ["minimum"]


def test_contour_marks_only_the_critical_points_inside_the_plot():
    f = gd.landscapes["himmelblau"]
    fig = gplot.contour(f, n=20, domain=((0.0, 5.0), (0.0, 5.0)))
    assert _legend(fig) == ["global minima", "saddle points"]
    lines = {line.get_label(): line for line in fig.axes[0].get_lines()}
    assert len(lines["saddle points"].get_xdata()) == 2
    with pytest.raises(TypeError, match="show_critical must be True or False"):
        gplot.contour(f, n=20, show_critical="yes")


def test_optimizer_colors_are_one_per_optimizer():
    assert len(set(gplot.OPTIMIZER_COLORS.values())) == len(gplot.OPTIMIZER_COLORS)
    for cls in gd.optimizers.values():
        assert gplot.optimizer_color(cls) == gplot.OPTIMIZER_COLORS[cls.__name__]
        assert gplot.optimizer_color(cls.__name__.lower()) == gplot.OPTIMIZER_COLORS[cls.__name__]
    run = gd.minimize(gd.landscapes["bowl"], gd.Nesterov(lr=0.1), [1.0, 1.0], 5)
    assert gplot.optimizer_color(run) == gplot.OPTIMIZER_COLORS["Nesterov"]
    assert gplot.optimizer_color("gradient descent, lr 0.1") == "#000000"
    assert gplot.optimizer_color("GD") == gplot.optimizer_color("sgd") == "#000000"
    assert gplot.optimizer_color("Adam(lr=0.1)") == gplot.OPTIMIZER_COLORS["Adam"]
    assert gplot.optimizer_color("my method") is None
    with gplot.style(dark=True):
        assert gplot.optimizer_color("GD") == "#ffffff"


def test_race_draws_small_multiples_and_a_loss_panel():
    f = gd.landscapes["himmelblau"]
    opts = {"GD": gd.GradientDescent(lr=0.01), "Momentum": gd.Momentum(lr=0.002),
            "Adam": gd.Adam(lr=0.05), "mine": gd.AdaGrad(lr=0.5), "also mine": None}
    runs = {k: gd.minimize(f, o, [0.0, -4.0], 100) for k, o in opts.items() if o is not None}
    runs["also mine"] = np.array([[0.0, 0.0], [1.0, 1.0]])  # a bare path: palette colour
    fig = gplot.race(f, runs, n=30)
    assert len(fig.axes) == 6 and fig.axes[-1].get_yscale() == "log"
    panels = fig.axes[:5]
    assert all(ax.get_aspect() == 1.0 for ax in panels)
    assert all(ax.get_xlim() == (-5.0, 5.0) for ax in panels)
    assert [ax.get_title().split("\n")[0] for ax in panels] == list(runs)
    path_colors = [ax.get_lines()[-3].get_color() for ax in panels]
    assert path_colors[:4] == ["#000000", gplot.OPTIMIZER_COLORS["Momentum"],
                               gplot.OPTIMIZER_COLORS["Adam"], gplot.OPTIMIZER_COLORS["AdaGrad"]]
    assert path_colors[4] not in path_colors[:4]
    loss_colors = [line.get_color() for line in fig.axes[-1].get_lines()]
    assert loss_colors == path_colors[:4]  # the bare path has no losses to draw
    alt = gplot.get_alt(fig)
    assert "Small multiples" in alt and "Adam from (0, -4)" in alt and "final loss" in alt


def test_race_layout_and_errors():
    f = gd.landscapes["bowl"]
    runs = [gd.minimize(f, gd.GradientDescent(lr=0.1), [1.0, 1.0], 5)]
    fig = gplot.race(f, runs, loss=False, n=20)
    assert len(fig.axes) == 1 and fig.axes[0].get_title().startswith("GradientDescent")
    assert len(gplot.race(f, runs * 5, ncols=2, n=20).axes) == 6
    with pytest.raises(ValueError, match="at least one run"):
        gplot.race(f, {})
    with pytest.raises(TypeError, match="loss must be True or False"):
        gplot.race(f, runs, loss="yes")
    batch = gd.minimize_many(f, gd.GradientDescent(lr=0.1), np.ones((2, 2)), 5)
    with pytest.raises(ValueError, match="not a batch"):
        gplot.race(f, {"GD": batch}, n=20)


def test_curve_1d_marks_the_dart_maximum_and_zooms_on_it():
    dart = gd.DartLoss()
    fig = gplot.curve_1d(dart)
    main = fig.axes[0]
    tops = [ln for ln in main.get_lines() if ln.get_label() == "local maximum"]
    assert len(tops) == 1
    np.testing.assert_allclose(tops[0].get_xdata(), [math.degrees(dart.apex())])
    np.testing.assert_allclose(tops[0].get_ydata(), [dart(dart.apex())])
    insets = main.child_axes
    assert len(insets) == 1
    assert insets[0].get_ylim()[1] == pytest.approx(1.6 * dart(dart.apex()))
    assert "Local maximum at 45.579° (loss 0.0204); an inset zooms on it." in gplot.get_alt(fig)
    assert gplot.curve_1d(dart, zoom=False).axes[0].child_axes == []
    assert gplot.curve_1d(dart, log=True).axes[0].child_axes == []
    slow = gplot.curve_1d(gd.DartLoss(speed=5.0))
    assert "maximum" not in gplot.get_alt(slow) and slow.axes[0].child_axes == []
    with pytest.raises(TypeError, match="zoom must be True or False"):
        gplot.curve_1d(dart, zoom="yes")


def test_huge_sizes_are_value_errors_not_memory_errors():
    f = gd.landscapes["bowl"]
    with pytest.raises(ValueError, match="n must be <= 4,000 points per axis"):
        gplot.contour(f, n=10**6)
    with pytest.raises(ValueError, match="n must be <= 4,000 points per axis"):
        gplot.race(f, [gd.minimize(f, gd.GradientDescent(lr=0.1), [1.0, 1.0], 3)], n=10**6)
    with pytest.raises(ValueError, match="steps must be <= 10,000,000 for a figure"):
        gplot.schedule_curve(lambda t: 0.1, steps=10**9)
    with pytest.raises(ValueError, match="n must be <= 10,000,000 for a figure"):
        gplot.curve_1d(gd.DartLoss(), n=10**9)


def test_contour_and_loss_curve_can_use_the_optimizer_colours():
    f = gd.landscapes["bowl"]
    runs = {"Adam": gd.minimize(f, gd.Adam(lr=0.1), [1.0, 1.0], 10),
            "plain": gd.minimize(f, gd.GradientDescent(lr=0.1), [1.0, 1.0], 10),
            "mine": np.array([[0.5, 0.5], [0.0, 0.0]])}
    fig = gplot.contour(f, paths=runs, n=20, colors="optimizer")
    drawn = {ln.get_label(): ln.get_color() for ln in fig.axes[0].get_lines()}
    assert drawn["Adam"] == gplot.OPTIMIZER_COLORS["Adam"]
    assert drawn["plain"] == gplot.OPTIMIZER_COLORS["GradientDescent"]
    assert drawn["mine"] not in (drawn["Adam"], drawn["plain"])  # a spare palette colour
    curves = gplot.loss_curve({k: v for k, v in runs.items() if k != "mine"},
                              colors="optimizer")
    assert [ln.get_color() for ln in curves.axes[0].get_lines()] == [drawn["Adam"],
                                                                     drawn["plain"]]
    fig = gplot.contour(f, paths=runs, n=20, colors={"mine": "#123456"})
    drawn = {ln.get_label(): ln.get_color() for ln in fig.axes[0].get_lines()}
    assert drawn["mine"] == "#123456" and drawn["Adam"] == gplot.PALETTE[0]
    fig = gplot.loss_curve(runs["Adam"], colors=["#abcdef"])
    assert fig.axes[0].get_lines()[0].get_color() == "#abcdef"
    with pytest.raises(TypeError, match="colors must be None, 'optimizer'"):
        gplot.contour(f, paths=runs, n=20, colors=3)
