"""docs/minima.md: every claim its prose makes about its cells, tested on the cells.

Ledger (claim -> test):
- the dart is recalled with its formula and linked to the page that introduced it (gradients)
  -> test_the_dart_is_recalled_from_an_earlier_page
- dart: three zero slopes, two minima and the maximum at tan = 10/9.8, bump 0.0204 high,
  all three drawn on the curve -> test_dart_critical_points_and_curve
- dart f'' signs -> test_dart_second_derivative_signs
- gallery: every minimum, saddle and maximum marked (1/0/0, 0/1/0, 4/4/1), equal aspect
  -> test_gallery_marks_every_critical_point
- convex: GD reaches the minimum for eta < 2/L = 1, bounces at 1 (loss stays 3.25),
  diverges at 1.1 (distance x 1.2 per step) -> test_convex_step_size_limit
- quadratics never violate convexity, the others do -> test_quadratics_are_convex_only
- Rastrigin: most runs miss; exercise 2: 400 of 400 -> test_rastrigin_*
- Himmelblau: nine critical points 4/4/1 found by Newton and matching critical_points()
  -> test_himmelblau_nine_critical_points
- exercise 1: six-hump camel 6 minima (2 global, -1.032), 7 saddles, 2 maxima
  -> test_exercise_1_six_hump_camel
- zero eigenvalues: diag(2, 0) thrice; values +0.0001, -0.0010, and -0.0001 for the try
  -> test_zero_eigenvalue_examples
- saddle escape: never from (1, 0) (gradient < 1e-19), 98 / 35 / 54 steps, the estimates
  97 and 34, final loss -0.5, a long stall at loss 0 -> test_saddle_escape_*
- exercise 3: sigma 1e-6 -> 92 steps (38 more); seeds 1, 2 -> test_exercise_3_less_noise
- plateau: 6 / 13 / 57 / 525 steps, first step > 1000x shorter than the longest, gradient
  lengths 0.74 and 7.4e-4 -> test_plateau_crawl
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import gdcore as gd

PAGE = "minima"


@pytest.fixture(scope="module")
def text(page_text):
    return " ".join(page_text(PAGE).split())


@pytest.fixture(scope="module")
def out(clean_run):
    return {cell_id: result.stdout for cell_id, result in clean_run(PAGE).items()}


@pytest.fixture(scope="module")
def variant(cell_variant):
    """variant(cell_id, (old, new), ...) -> (stdout, namespace) of the cell with the edits
    an exercise asks for, run in the page's namespace as it was before the cell."""
    return lambda cell_id, *edits: cell_variant(PAGE, cell_id, *edits)


def test_the_dart_is_recalled_from_an_earlier_page(page_text):
    source = page_text(PAGE)
    first_use = source.index("gd.DartLoss()")
    assert "gradients.md#the-derivative-is-a-slope" in source[:first_use]
    assert r"\hat y(\theta) = 1 + 10\tan\theta - 4.9\,(1 + \tan^2\theta)" in source[:first_use]
    # gradients.md (earlier in the course) introduces the dart under that heading
    gradients = page_text("gradients")
    section = gradients.split("## The derivative is a slope")[1].split("\n## ")[0]
    assert "**dart thrower**" in section and "gd.DartLoss()" in section


def test_dart_critical_points_and_curve(text, out, page_namespace):
    rows = {line[:12].strip(): line[12:].split() for line in
            out["dart-critical-points"].splitlines()[1:]}
    assert set(rows) == {"flat throw", "highest hit", "lob"}
    for name, (_, _, slope) in rows.items():
        assert abs(float(slope)) < 1e-12, f"the slope at the {name} should be zero"
    assert float(rows["flat throw"][0]) < float(rows["highest hit"][0]) < float(rows["lob"][0])
    assert float(rows["highest hit"][1]) == pytest.approx(0.0204, abs=5e-5)
    assert "$0.0204$ high" in text and r"$\tan\theta = 10/9.8$" in text
    dart = gd.DartLoss()
    apex = page_namespace(PAGE, "dart-critical-points")["apex"]
    assert dart.height(apex) > max(dart.height(apex - 1e-3), dart.height(apex + 1e-3))
    # the figure shows the maximum: it lies inside the plotted range and is marked
    angles = page_namespace(PAGE, "dart-critical-points")["angles"]
    assert angles.min() < dart.solutions()[0] and dart.solutions()[1] < angles.max()


def test_dart_second_derivative_signs(out):
    kinds = [line.split("local ")[1] for line in out["dart-second-derivative"].splitlines()]
    assert kinds == ["minimum", "maximum", "minimum"]


def test_gallery_marks_every_critical_point(text, out, run_page):
    lines = out["critical-point-gallery"].splitlines()
    assert lines == ["bowl      : 1 minima, 0 saddles, 0 maxima",
                     "saddle    : 0 minima, 1 saddles, 0 maxima",
                     "Himmelblau: 4 minima, 4 saddles, 1 maxima"]
    assert "four global minima with loss $0$, one local maximum and four saddle points" in text
    assert len(run_page(PAGE)["critical-point-gallery"].figures) == 1
    import matplotlib.pyplot as plt

    import gdcore.plot as gplot

    for name, expected in [("bowl", 1), ("saddle", 1), ("himmelblau", 9)]:
        fig = gplot.contour(gd.landscapes[name], n=40, levels=20, legend=False)
        ax = fig.axes[0]
        marked = sum(len(line.get_xdata()) for line in ax.get_lines()
                     if line.get_linestyle() in ("None", "none", ""))
        assert marked == expected, f"{name}: {expected} critical points should be marked"
        assert ax.get_aspect() == 1.0, "contours of a landscape keep an equal aspect"
        plt.close(fig)


def test_convex_step_size_limit(text, out):
    lines = out["convex-step-size"].splitlines()
    assert lines[0] == "L = 2.0, 2/L = 1.0"
    status = {float(line.split()[2].rstrip(":")): line.split()[3] for line in lines[1:]}
    assert status == {0.5: "converged", 0.9: "converged", 1.0: "max_steps",
                      1.1: "diverged"}, "eta < 2/L converges, 1 bounces, 1.1 diverges"
    assert lines[3].endswith("loss 3.25"), "at eta = 1 the loss stays at its start value"
    assert gd.landscapes["bowl"]([1.5, 1.0]) == 3.25
    assert abs(1 - 1.1 * 2) == pytest.approx(1.2), "distance x 1.2 per step at eta = 1.1"
    assert "every constant learning rate $\\eta < 2/L$" in text


def test_quadratics_are_convex_only(out):
    counts = {line.split()[0]: int(line.split("violations:")[1]) for line in
              out["convexity-test"].splitlines()}
    assert counts["bowl"] == counts["booth"] == counts["ill-conditioned"] == 0
    assert min(counts["saddle"], counts["himmelblau"], counts["rastrigin"]) > 0


def test_rastrigin_most_runs_miss(out):
    reached = int(out["rastrigin-many-starts"].split("minimum: ")[1].split()[0])
    assert reached < 40, "most runs should end in a dimple, not at the global minimum"


def test_rastrigin_exercise_2_all_400(text, variant):
    stdout, _ = variant("rastrigin-many-starts", ("uniform(-4.5, 4.5", "uniform(-0.4, 0.4"))
    assert "reached the global minimum: 400 of 400 runs" in stdout
    assert '"400 of 400"' in text


def classify(stdout):
    return [line.split()[-1] for line in stdout.splitlines()[1:]]


def test_himmelblau_nine_critical_points(text, out):
    kinds = classify(out["classify-critical-points"])
    assert (len(kinds), kinds.count("minimum"), kinds.count("saddle"),
            kinds.count("maximum")) == (9, 4, 4, 1)
    assert "Nine critical points: four minima, four saddles and one maximum" in text
    cp = gd.landscapes["himmelblau"].critical_points()
    assert (len(cp.minima), len(cp.saddles), len(cp.maxima)) == (4, 4, 1)


def test_exercise_1_six_hump_camel(text, variant):
    stdout, _ = variant("classify-critical-points",
                        ('"himmelblau"', '"six-hump-camel"'),
                        ("for sx in np.linspace(-4, 4, 7)", "for sx in np.linspace(-1.8, 1.8, 7)"),
                        ("for sy in np.linspace(-4, 4, 7)", "for sy in np.linspace(-1, 1, 7)"))
    kinds = classify(stdout)
    assert (len(kinds), kinds.count("minimum"), kinds.count("saddle"),
            kinds.count("maximum")) == (15, 6, 7, 2)
    assert "15 critical points: 6 minima, 7 saddles and 2 maxima" in text
    values = sorted(float(line.split()[2]) for line in stdout.splitlines()[1:]
                    if line.endswith("minimum"))
    assert values == [-1.0, -1.0, -0.2, -0.2, 2.1, 2.1]  # the cell prints one decimal
    f = gd.landscapes["six-hump-camel"]
    assert f.min_value == pytest.approx(-1.0316, abs=1e-4)
    cp = f.critical_points()
    assert (len(cp.minima), len(cp.saddles), len(cp.maxima)) == (6, 7, 2)
    assert sorted(np.round(f(cp.minima), 3)) == [-1.032, -1.032, -0.215, -0.215, 2.104, 2.104]
    assert np.round(f(cp.maxima), 3).tolist() == [2.496, 2.496]


def test_zero_eigenvalue_examples(text, out, variant):
    assert out["zero-eigenvalue"].count("Hessian eigenvalues [0. 2.]") == 2
    assert "+0.0001" in out["zero-eigenvalue"] and "-0.0010" in out["zero-eigenvalue"]
    stdout, _ = variant("zero-eigenvalue", ('("t1^2 + t2^3", q_none)]',
                                            '("t1^2 + t2^3", q_none), '
                                            '("t1^2 - t2^4", lambda t: t[0] ** 2 - t[1] ** 4)]'))
    last = stdout.splitlines()[-2:]
    assert last[0].endswith("[0. 2.]") and last[1].endswith("-0.0001"), \
        "the try: Hessian diag(2, 0) again, value -0.0001"
    assert "the printed value is $-0.0001$" in text


def escape_table(stdout):
    rows = {}
    for line in stdout.splitlines():
        label = line[:19].strip()
        rest = line[19:]
        steps = None if "never" in rest else int(rest.split("after")[1].split()[0])
        final = float(rest.split("final f = ")[1].split(",")[0])
        grad = float(rest.split("|grad| = ")[1])
        rows[label] = (steps, final, grad)
    return rows


def test_saddle_escape_counts(text, out):
    rows = escape_table(out["saddle-escape"])
    assert rows["from (1, 0)"][0] is None, "from (1, 0) exactly it never leaves"
    assert rows["from (1, 0)"][2] < 1e-19, "it converges to the saddle (gradient < 1e-19)"
    assert rows["from (1, 0)"][1] == 0
    assert rows["from (1, 1e-8)"][0] == 98 and "(the cell counts 98)" in text
    assert rows["from (1, 1e-3)"][0] == 35 and "(the cell counts 35)" in text
    assert rows["(1, 0), noise 1e-3"][0] == 54 and "escapes in 54 steps" in text
    for label in ["from (1, 1e-8)", "from (1, 1e-3)", "(1, 0), noise 1e-3"]:
        assert rows[label][1] == -0.5, f"{label}: should end in a valley, f = -0.5"
    assert round(math.log(0.5 / 1e-8) / math.log(1.2)) == 97
    assert round(math.log(0.5 / 1e-3) / math.log(1.2)) == 34
    assert round(math.log(10) / math.log(1.2), 1) == 12.6


def test_saddle_escape_stalls_at_the_saddle_loss(page_namespace):
    ns = page_namespace(PAGE, "saddle-escape")
    valleys = ns["valleys"]
    assert np.allclose(np.linalg.eigvalsh(gd.numerical_hessian(valleys, [0.0, 0.0])),
                       [-2.0, 2.0], atol=1e-5), "same saddle as theta1^2 - theta2^2"
    losses = {label: valleys(run.xs) for label, run in ns["saddle_runs"].items()}
    near_zero = {label: int(np.sum(np.abs(v) < 0.01)) for label, v in losses.items()}
    assert near_zero["from (1, 1e-8)"] > 60, "a long stall at the saddle's loss, 0"
    assert near_zero["from (1, 1e-8)"] > near_zero["from (1, 1e-3)"] > 0
    assert all(v[-1] == pytest.approx(-0.5) for label, v in losses.items()
               if label != "from (1, 0)"), "then a drop to -1/2"


def test_exercise_3_less_noise(text, variant):
    def steps(sigma, seed):
        stdout, _ = variant("saddle-escape",
                            ("sigma=1e-3, seed=0", f"sigma={sigma}, seed={seed}"))
        return escape_table(stdout)["(1, 0), noise 1e-3"][0]

    assert steps("1e-6", 0) == 92 and "The cell prints 92 steps instead of 54" in text
    assert round(math.log(1000) / math.log(1.2)) == 38 == 92 - 54
    assert (steps("1e-3", 1), steps("1e-3", 2)) == (52, 44)
    assert (steps("1e-6", 1), steps("1e-6", 2)) == (90, 82)
    assert "52 and 44" in text and "90 and 82" in text


def test_plateau_crawl(text, out, page_namespace):
    rows = {}
    for line in out["plateau-crawl"].splitlines():
        r = float(line.split("r = ")[1].split(":")[0])
        status, n = line.split(": ")[1].split(" after ")[0], int(line.split("after")[1].split()[0])
        first = float(line.split("first step ")[1].split(",")[0])
        longest = float(line.split("longest ")[1])
        rows[r] = (status, n, first, longest)
    assert all(row[0] == "converged" for row in rows.values()), "every run ends at the minimum"
    counts = [rows[r][1] for r in (1.5, 2.0, 2.5, 3.0)]
    assert counts == sorted(counts), "the further the start, the longer the crawl"
    assert rows[3.0][1] == 525 and rows[1.5][1] == 6 and "525 steps against 6" in text
    assert rows[3.0][3] / rows[3.0][2] > 1000, "first step a thousand times shorter"
    well = page_namespace(PAGE, "plateau-crawl")["well"]
    assert np.linalg.norm(well.grad([1.0, 0.0])) == pytest.approx(0.74, abs=0.005)
    assert np.linalg.norm(well.grad([3.0, 0.0])) == pytest.approx(7.4e-4, rel=0.01)
    assert "$7.4 \\times 10^{-4}$ at $r = 3$" in text
