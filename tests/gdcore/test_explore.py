"""Tests for gdcore.explore: the numbers the explorer draws."""

from __future__ import annotations

import contextlib
import io
import json
import re
from pathlib import Path

import numpy as np
import pytest

import gdcore as gd
from gdcore import explore

ROSEN = "rosenbrock"
RUNS = [
    {"optimizer": "GradientDescent", "lr": 0.001},
    {"optimizer": "Momentum", "lr": 0.0005, "momentum": 0.9},
    {"optimizer": "Adam", "lr": 0.05, "beta1": 0.8, "beta2": 0.99},
]


def strict_json(obj) -> str:
    return json.dumps(obj, allow_nan=False)


def test_race_matches_minimize_step_by_step():
    out = explore.race(ROSEN, RUNS, [-1.5, 2.0], 300)
    assert out["landscape"] == ROSEN and out["steps"] == 300 and out["x0"] == [-1.5, 2.0]
    assert [r["optimizer"] for r in out["runs"]] == ["GradientDescent", "Momentum", "Adam"]
    f = gd.landscapes[ROSEN]
    expected_opts = [
        gd.GradientDescent(lr=0.001),
        gd.Momentum(lr=0.0005, momentum=0.9),
        gd.Adam(lr=0.05, betas=(0.8, 0.99)),
    ]
    for run, opt in zip(out["runs"], expected_opts, strict=True):
        traj = gd.minimize(f, opt, [-1.5, 2.0], 300)
        path = np.array(run["path"])
        assert path.shape == (traj.n_steps + 1, 2)
        np.testing.assert_array_equal(path, traj.xs)
        np.testing.assert_array_equal(run["losses"], traj.losses)
        np.testing.assert_allclose(run["grad_norms"], np.linalg.norm(traj.grads, axis=1))
        assert run["final"] == list(traj.x)
        assert run["final_loss"] == traj.loss
        assert run["n_steps"] == traj.n_steps and run["status"] == traj.status
        assert run["diverged_at"] is None
    strict_json(out)


def test_race_params_report_what_was_used():
    out = explore.race(ROSEN, RUNS, [-1.5, 2.0], 5)
    assert out["runs"][0]["params"]["lr"] == 0.001
    assert out["runs"][1]["params"]["momentum"] == 0.9
    adam = out["runs"][2]["params"]
    assert (adam["lr"], adam["beta1"], adam["beta2"]) == (0.05, 0.8, 0.99)


def test_grad_norms_are_norms_of_the_gradient_at_each_point():
    out = explore.race(ROSEN, [{"optimizer": "Adam", "lr": 0.1}], [0.0, 0.0], 20)
    f = gd.landscapes[ROSEN]
    run = out["runs"][0]
    for x, gnorm in zip(run["path"], run["grad_norms"], strict=True):
        assert gnorm == pytest.approx(float(np.linalg.norm(f.grad(np.array(x)))), rel=1e-12)


def test_diverging_run_is_reported_and_json_safe():
    out = explore.race(ROSEN, [{"optimizer": "GradientDescent", "lr": 0.5}], [-1.5, 2.0], 500)
    run = out["runs"][0]
    assert run["status"] == "diverged"
    assert run["diverged_at"] == run["n_steps"] < 500
    assert run["message"] == f"diverged at step {run['n_steps']}"
    text = strict_json(out)  # no NaN/Infinity anywhere
    assert "NaN" not in text and "Infinity" not in text
    assert len(run["path"]) == len(run["losses"]) == len(run["grad_norms"]) == run["n_steps"] + 1


def test_labels_are_unique_and_custom_labels_kept():
    out = explore.race(
        ROSEN,
        [{"optimizer": "Adam"}, {"optimizer": "Adam", "lr": 0.1},
         {"optimizer": "Adam", "label": "x"}],
        [0.0, 0.0], 3,
    )
    labels = [r["label"] for r in out["runs"]]
    assert len(set(labels)) == 3 and labels[2] == "x"


def test_race_accepts_optimizer_objects_and_landscape_objects():
    f = gd.landscapes[ROSEN]
    opt = gd.Adam(lr=0.05)
    a = explore.race(f, [opt], [-1.0, 1.0], 50)
    b = explore.race(ROSEN, [{"optimizer": "Adam", "lr": 0.05}], [-1.0, 1.0], 50)
    assert a["runs"][0]["final"] == b["runs"][0]["final"]
    again = explore.race(f, [opt], [-1.0, 1.0], 50)  # the object is reset before reuse
    assert again["runs"][0]["final"] == a["runs"][0]["final"]


@pytest.mark.parametrize(
    "kwargs, exc, pattern",
    [
        ({"landscape": "nope"}, ValueError, "landscape must be one of"),
        ({"landscape": 3}, TypeError, "landscape"),
        ({"x0": [1.0]}, ValueError, "x0"),
        ({"x0": [1.0, float("nan")]}, ValueError, "x0"),
        ({"steps": -1}, ValueError, "steps"),
        ({"steps": 2.5}, TypeError, "steps"),
        ({"runs": {"optimizer": "Adam"}}, TypeError, "runs"),
        ({"runs": [{"lr": 0.1}]}, ValueError, "optimizer"),
        ({"runs": [{"optimizer": "Sgdx"}]}, ValueError, "optimizer must be one of"),
        ({"runs": [42]}, TypeError, "run"),
        ({"runs": [{"optimizer": "Adam", "lr": -1.0}]}, ValueError, "lr"),
    ],
)
def test_race_rejects_bad_input(kwargs, exc, pattern):
    args = {"landscape": ROSEN, "runs": [{"optimizer": "Adam"}], "x0": [0.0, 0.0], "steps": 5}
    args.update(kwargs)
    with pytest.raises(exc, match=pattern):
        explore.race(**args)


def test_make_optimizer_builds_betas_and_default_lr():
    adam = explore.make_optimizer({"optimizer": "adam", "lr": 0.1, "beta2": 0.9})
    assert isinstance(adam, gd.Adam) and adam.lr == 0.1
    assert tuple(adam.betas) == (0.9, 0.9)
    for name, cls in gd.optimizers.items():
        opt = explore.make_optimizer({"optimizer": name})
        assert isinstance(opt, cls) and opt.lr > 0


@pytest.mark.parametrize("name", sorted(gd.landscapes))
def test_landscape_grid_every_landscape(name):
    f = gd.landscapes[name]
    g = explore.landscape_grid(name, resolution=21, levels=12)
    strict_json(g)
    assert g["nx"] == g["ny"] == 21 and len(g["z"]) == 21 * 21
    (xmin, xmax), (ymin, ymax) = g["domain"]
    assert g["xs"][0] == xmin and g["xs"][-1] == xmax and g["ys"][0] == ymin
    i, j = 5, 13  # z[j * nx + i] is f at (xs[i], ys[j])
    assert g["z"][j * 21 + i] == pytest.approx(float(f(np.array([g["xs"][i], g["ys"][j]]))))
    levels = np.array(g["levels"])
    assert len(levels) == 12 and np.all(np.diff(levels) > 0)
    assert levels[0] >= min(v for v in g["z"] if v is not None)
    assert g["log"] == bool(f.log_levels)
    np.testing.assert_allclose(np.array(g["minima"]).reshape(-1, 2), np.asarray(f.minima))


def test_log_levels_are_geometric_above_the_minimum():
    g = explore.landscape_grid(ROSEN, resolution=41, levels=10)
    assert g["log"] is True
    zmin = min(v for v in g["z"] if v is not None)
    gaps = np.array(g["levels"]) - zmin
    ratios = gaps[1:] / gaps[:-1]
    np.testing.assert_allclose(ratios, ratios[0], rtol=1e-9)
    assert ratios[0] > 1.5


def test_landscape_grid_rejects_bad_resolution():
    with pytest.raises(ValueError, match="resolution"):
        explore.landscape_grid(ROSEN, resolution=1)
    with pytest.raises(TypeError, match="levels"):
        explore.landscape_grid(ROSEN, levels=2.0)


def test_catalog_lists_every_landscape_and_optimizer_with_sliders():
    cat = explore.explorer_catalog()
    strict_json(cat)
    assert [entry["name"] for entry in cat["landscapes"]] == list(gd.landscapes)
    assert [entry["name"] for entry in cat["optimizers"]] == list(gd.optimizers)
    for entry in cat["optimizers"]:
        lr = entry["params"]["lr"]
        assert lr["scale"] == "log" and lr["min"] <= lr["default"] <= lr["max"]
        for spec in entry["params"].values():
            assert spec["min"] <= spec["default"] <= spec["max"]
    adam = next(e for e in cat["optimizers"] if e["class"] == "Adam")["params"]
    assert (adam["beta1"]["default"], adam["beta2"]["default"]) == (0.9, 0.999)
    momentum = next(e for e in cat["optimizers"] if e["class"] == "Momentum")["params"]
    assert momentum["momentum"]["default"] == 0.9
    assert len(cat["colors"]) >= 6


def test_race_code_reproduces_the_race_exactly():
    runs = RUNS + [{"optimizer": "GradientDescent", "lr": 0.5}]  # one diverges
    x0 = [-1.2345678901234567, 1.75]
    out = explore.race(ROSEN, runs, x0, 250)
    code = explore.race_code(ROSEN, runs, x0, 250)
    compile(code, "<race_code>", "exec")
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf), np.errstate(all="ignore"):
        exec(code, {})
    lines = buf.getvalue().splitlines()
    assert len(lines) == len(runs)
    for line, run in zip(lines, out["runs"], strict=True):
        m = re.match(r"(.+): (\w+) after (\d+) steps, x = \[(.+), (.+)\], loss = ", line)
        assert m, line
        assert m.group(1) == run["label"] and m.group(2) == run["status"]
        assert int(m.group(3)) == run["n_steps"]
        final = [float(m.group(4)), float(m.group(5))]
        if run["status"] != "diverged":
            assert final == run["final"]  # exact: literals in the code round-trip


def test_race_code_rejects_objects():
    with pytest.raises(TypeError, match="landscape"):
        explore.race_code(gd.landscapes[ROSEN], [{"optimizer": "Adam"}], [0, 0], 3)
    with pytest.raises(TypeError, match="spec"):
        explore.race_code(ROSEN, [gd.Adam()], [0, 0], 3)


def test_module_defines_all_and_docstrings():
    for name in explore.__all__:
        obj = getattr(explore, name)
        assert obj.__doc__ and ">>>" in obj.__doc__, name


def test_explorer_update_packs_the_race_exactly():
    import base64

    runs = RUNS + [{"optimizer": "GradientDescent", "lr": 0.5}]
    out = json.loads(explore.explorer_update(ROSEN, json.dumps(runs), [-1.5, 2.0], 120, 12))
    ref = explore.race(ROSEN, runs, [-1.5, 2.0], 120)
    assert out["code"] == explore.race_code(ROSEN, runs, [-1.5, 2.0], 120)
    plain = explore.landscape_grid(ROSEN, resolution=12)
    assert out["grid"] == explore.landscape_grid(ROSEN, resolution=12, packed=True)
    assert {k: v for k, v in out["grid"].items() if k != "z_packed"} == {
        k: v for k, v in plain.items() if k != "z"
    }
    z = np.frombuffer(base64.b64decode(out["grid"]["z_packed"]), dtype="<f8")
    np.testing.assert_array_equal(z, np.array(plain["z"], dtype=float))
    for got, want in zip(out["race"]["runs"], ref["runs"], strict=True):
        blocks = unpack(got)
        assert [key for key, _ in got["layout"]] == ["xs", "losses", "grad_norms", "lrs"]
        xs, losses, gnorms = blocks["xs"], blocks["losses"], blocks["grad_norms"]
        np.testing.assert_array_equal(xs.reshape(-1, 2)[:-1], np.array(want["path"][:-1]))
        np.testing.assert_array_equal(losses[:-1], want["losses"][:-1])
        np.testing.assert_array_equal(gnorms[:-1], want["grad_norms"][:-1])
        for key in ("label", "status", "n_steps", "diverged_at", "message", "final", "params"):
            assert got[key] == want[key], key


def test_explorer_update_computes_only_the_runs_asked_for():
    out = json.loads(explore.explorer_update(ROSEN, RUNS, [-1.5, 2.0], 50, compute=[1]))
    runs = out["race"]["runs"]
    assert runs[0] is None and runs[2] is None and runs[1]["optimizer"] == "Momentum"
    assert "grid" not in out and out["code"].count("gd.minimize(") == 3
    with pytest.raises(ValueError, match="compute"):
        explore.explorer_update(ROSEN, RUNS, [-1.5, 2.0], 50, compute=[3])


def unpack(run) -> dict[str, np.ndarray]:
    """A packed run of explorer_update -> {block name: array of n + 1 rows}."""
    import base64

    flat = np.frombuffer(base64.b64decode(run["packed"]), dtype="<f8")
    rows = run["n_steps"] + 1
    out, at = {}, 0
    for key, width in run["layout"]:
        block = flat[at: at + rows * width]
        out[key] = block.reshape(rows, width) if width > 1 else block
        at += rows * width
    assert at == flat.size
    return out


CATALOG = explore.explorer_catalog()


@pytest.mark.parametrize("entry", CATALOG["landscapes"], ids=lambda e: e["name"])
def test_suggested_hyperparameters_never_diverge_on_any_landscape(entry):
    """Every landscape x every optimizer: the explorer's defaults are stable and make progress."""
    f = gd.landscapes[entry["name"]]
    sliders = {o["name"]: o["params"] for o in CATALOG["optimizers"]}
    assert sorted(entry["suggested"]) == sorted(gd.optimizers)
    for name, params in entry["suggested"].items():
        assert params == explore.suggested_hyperparameters(entry["name"], name)
        for key, value in params.items():  # reachable with the explorer's sliders
            assert sliders[name][key]["min"] <= value <= sliders[name][key]["max"], (name, key)
        run = gd.minimize(f, explore.make_optimizer({"optimizer": name, **params}),
                          entry["start"], 500)
        assert run.status != "diverged", (entry["name"], name, run.message)
        assert run.loss < run.losses[0], (entry["name"], name)


def test_suggested_hyperparameters_keep_constructor_defaults_and_check_names():
    adam = explore.suggested_hyperparameters("rosenbrock", "adam")
    assert adam["lr"] == explore.SUGGESTED["rosenbrock"]["adam"]["lr"] != 0.001
    assert (adam["beta1"], adam["beta2"]) == (0.9, 0.999)
    assert explore.suggested_hyperparameters("beale", "Momentum")["momentum"] == 0.7
    with pytest.raises(ValueError, match="optimizer must be one of"):
        explore.suggested_hyperparameters("bowl", "newton")
    with pytest.raises(ValueError, match="landscape must be one of"):
        explore.suggested_hyperparameters("nowhere", "adam")


def test_race_takes_landscape_names_as_get_landscape_does():
    a = explore.race("Rosenbrock", [{"optimizer": "Adam", "lr": 0.05}], [0.0, 0.0], 20)
    b = explore.race("rosenbrock", [{"optimizer": "Adam", "lr": 0.05}], [0.0, 0.0], 20)
    assert a == b and a["landscape"] == "rosenbrock"
    c = explore.race("six_hump_camel", [{"optimizer": "Adam"}], [0.0, 0.5], 5)
    assert c["landscape"] == "six-hump-camel"


def test_explore_functions_take_keyword_arguments():
    """The worker calls them as fn(**kwargs) with these parameter names."""
    out = json.loads(explore.explorer_update(
        landscape="bowl", runs=[{"optimizer": "Adam", "lr": 0.1}], x0=[1.0, 1.0], steps=5,
        grid_resolution=4, compute=[0], inspect=True, noise=0.0, seed=0, function=None))
    assert out["race"]["steps"] == 5 and out["grid"]["nx"] == 4


INSPECTED = [
    {"optimizer": "Momentum", "lr": 0.001, "momentum": 0.9},
    {"optimizer": "Nesterov", "lr": 0.001, "momentum": 0.8},
    {"optimizer": "AdaGrad", "lr": 0.3},
    {"optimizer": "RMSProp", "lr": 0.01},
    {"optimizer": "Adam", "lr": 0.05, "beta1": 0.8},
    {"optimizer": "AdaDelta", "lr": 1.0},
    {"optimizer": "GradientDescent", "lr": 0.001},
]


def _replay(spec, blocks, k):
    """A fresh optimizer stepped along the recorded points up to step k (its state then)."""
    opt = explore.make_optimizer(spec)
    for j in range(k + 1):
        opt.step(blocks["xs"][j], blocks["grads"][j])
    return opt


def test_inspector_state_is_the_optimizers_own_state_at_each_step():
    out = json.loads(explore.explorer_update(ROSEN, INSPECTED, [-1.5, 2.0], 60, inspect=True))
    for spec, run in zip(INSPECTED, out["race"]["runs"], strict=True):
        blocks = unpack(run)
        keys = [field["key"] for field in run["inspect"]]
        assert keys == [key for key, _ in run["layout"][4:]]
        lr = spec["lr"]
        for k in (0, 1, 7, 59):
            opt = _replay(spec, blocks, k)
            step = blocks["xs"][k + 1] - blocks["xs"][k]
            np.testing.assert_array_equal(blocks["update"][k], step)
            np.testing.assert_allclose(blocks["gradient_step"][k], -lr * blocks["grads"][k])
            name = spec["optimizer"]
            if name in ("Momentum", "Nesterov"):
                np.testing.assert_array_equal(blocks["state"][k], opt.buf)
                # the update is the gradient step plus the velocity (exactly, up to rounding)
                np.testing.assert_allclose(
                    blocks["gradient_step"][k] + blocks["velocity"][k], blocks["update"][k],
                    rtol=1e-9, atol=1e-15)
            elif name == "AdaGrad":
                np.testing.assert_array_equal(blocks["state"][k], opt.sum)
            elif name in ("RMSProp", "AdaDelta"):
                np.testing.assert_array_equal(blocks["state"][k], opt.square_avg)
            elif name == "Adam":
                np.testing.assert_array_equal(blocks["state"][k], opt.exp_avg)
                np.testing.assert_array_equal(blocks["second"][k], opt.exp_avg_sq)
                # the per-coordinate rate times the first moment is the update taken
                np.testing.assert_allclose(-blocks["scale"][k] * blocks["state"][k],
                                           blocks["update"][k], rtol=1e-9)
            if name in ("AdaGrad", "RMSProp", "AdaDelta"):
                np.testing.assert_allclose(blocks["scaled_gradient"][k], blocks["update"][k],
                                           rtol=1e-9)
            if name == "GradientDescent":
                assert keys == ["grads", "update", "gradient_step"]
                np.testing.assert_allclose(blocks["gradient_step"][k], blocks["update"][k])
        # the last point has no step: its step vectors are NaN, the rest is the race
        assert np.isnan(blocks["update"][-1]).all()
        assert [f["arrow"] for f in run["inspect"] if f["key"] == "update"] == [True]
    plain = json.loads(explore.explorer_update(ROSEN, INSPECTED, [-1.5, 2.0], 60))
    for a, b in zip(plain["race"]["runs"], out["race"]["runs"], strict=True):
        assert unpack(a)["xs"].tolist() == unpack(b)["xs"].tolist()


def test_schedules_are_gdcore_schedules_and_the_code_reproduces_them():
    assert explore.make_schedule("constant", 0.1, 100) is None
    assert isinstance(explore.make_schedule("cosine", 0.1, 100), gd.CosineLR)
    assert isinstance(explore.make_schedule("warmup", 0.1, 100), gd.LinearLR)
    with pytest.raises(ValueError, match="schedule must be one of"):
        explore.make_schedule("zigzag", 0.1, 10)
    runs = [{"optimizer": "Adam", "lr": 0.1, "schedule": name} for name in explore.SCHEDULES]
    out = json.loads(explore.explorer_update("himmelblau", runs, [-1.0, -1.0], 90))
    for run, name in zip(out["race"]["runs"], explore.SCHEDULES, strict=True):
        lrs = unpack(run)["lrs"][: run["n_steps"]]
        sched = explore.make_schedule(name, 0.1, 90)
        want = np.full(run["n_steps"], 0.1) if sched is None else sched.values(run["n_steps"])
        np.testing.assert_allclose(lrs, want, rtol=1e-12)
        assert run["schedule"] == name
    code = explore.race_code("himmelblau", runs, [-1.0, -1.0], 90)
    assert "schedule=gd.CosineLR(" in code and "schedule=gd.LinearLR(" in code
    _check_code_reproduces(code, explore.race("himmelblau", runs, [-1.0, -1.0], 90))


def _check_code_reproduces(code, out):
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf), np.errstate(all="ignore"):
        exec(code, {})
    lines = buf.getvalue().splitlines()
    assert len(lines) == len(out["runs"])
    for line, run in zip(lines, out["runs"], strict=True):
        m = re.match(r"(.+): (\w+) after (\d+) steps, x = \[(.+), (.+)\], loss = ", line)
        assert m and int(m.group(3)) == run["n_steps"], line
        assert [float(m.group(4)), float(m.group(5))] == run["final"]


def test_gradient_noise_is_seeded_and_reproduced_by_the_code():
    runs = [{"optimizer": "GradientDescent", "lr": 0.05}, {"optimizer": "Adam", "lr": 0.1}]
    a = explore.race("bowl", runs, [1.5, 1.5], 200, noise=0.2, seed=3)
    b = explore.race("bowl", runs, [1.5, 1.5], 200, noise=0.2, seed=3)
    c = explore.race("bowl", runs, [1.5, 1.5], 200, noise=0.2, seed=4)
    clean = explore.race("bowl", runs, [1.5, 1.5], 200)
    assert a == b and a["runs"][0]["final"] != c["runs"][0]["final"]
    # a noise floor: the clean run reaches the minimum far more closely than the noisy one
    assert a["runs"][0]["final_loss"] > 100 * clean["runs"][0]["final_loss"]
    code = explore.race_code("bowl", runs, [1.5, 1.5], 200, noise=0.2, seed=3)
    assert "gd.NoisyGradient(f, sigma=" in code
    _check_code_reproduces(code, a)
    with pytest.raises(ValueError, match="noise"):
        explore.race("bowl", runs, [1.5, 1.5], 20, noise=-1.0)


def test_expression_landscape_evaluates_only_arithmetic():
    f = explore.expression_landscape("(x - 1)**2 + 10*np.sin(y)**2", domain=[[-2, 2], [-2, 2]])
    assert f([1.0, 0.0]) == 0.0
    np.testing.assert_allclose(f.grad(np.array([0.0, 0.3])),
                               [-2.0, 20 * np.sin(0.3) * np.cos(0.3)], rtol=1e-6)
    grid = explore.landscape_grid(f, resolution=5)
    assert len(grid["z"]) == 25 and grid["domain"] == [[-2.0, 2.0], [-2.0, 2.0]]
    for bad, pattern in [
        ("x +", "not a valid expression"),
        ("__import__('os')", "unknown name '__import__'"),
        ("x.__class__", "only np.<function>"),
        ("np.load('a')", "only np.<function>"),
        ("[x for x in y]", "not allowed"),
        ("'a' * 3", "only numbers"),
        ("z + 1", "unknown name 'z'"),
        ("", "expression in x and y"),
    ]:
        with pytest.raises(ValueError, match=re.escape(pattern)):
            explore.expression_landscape(bad)
    with pytest.raises(ValueError, match="fails at"):
        explore.expression_landscape("np.sin(x, y, y, y)")


def test_a_wrong_gradient_is_reported_with_where_it_disagrees():
    right = explore.expression_landscape("x**2 + 3*x*y", gradient=("2*x + 3*y", "3*x"))
    assert right.gradient_check()["ok"]
    wrong = explore.expression_landscape("x**2 + 3*x*y", gradient=("2*x", "3*x"))
    report = wrong.gradient_check()
    assert not report["ok"] and report["n_bad"] > 0 and report["max_error"] > 0.1
    x, y = report["worst"]["at"]
    assert report["worst"]["yours"] == pytest.approx([2 * x, 3 * x])
    assert report["worst"]["numerical"] == pytest.approx([2 * x + 3 * y, 3 * x], rel=1e-6)
    out = json.loads(explore.explorer_update(
        landscape="custom", runs=[{"optimizer": "Adam", "lr": 0.05}], x0=[1.0, 1.0],
        steps=20, grid_resolution=8,
        function={"expression": "x**2 + 3*x*y", "gradient": ["2*x", "3*x"]}))
    assert out["gradient_check"]["ok"] is False and out["grid"]["name"] == "custom"
    assert "gd.expression_landscape('x**2 + 3*x*y', gradient=('2*x', '3*x')" in out["code"]


def test_optimal_values_on_quadratics_are_the_textbook_rates():
    entry = next(e for e in CATALOG["landscapes"] if e["name"] == "ill-conditioned")
    f = gd.landscapes["ill-conditioned"]
    mu, L = f.mu, f.L
    values = {v["label"]: v for v in entry["optimal"]}
    assert values["2/(L+μ)"]["params"]["lr"] == pytest.approx(2 / (L + mu))
    assert values["1/L"]["params"]["lr"] == pytest.approx(1 / L)
    hb = values["α*, β* (heavy ball)"]["params"]
    kappa = L / mu
    assert hb["momentum"] == pytest.approx(((kappa**0.5 - 1) / (kappa**0.5 + 1)) ** 2)
    # the heavy-ball optimum beats the best fixed rate of gradient descent
    gd_run = gd.minimize(f, gd.GradientDescent(lr=values["2/(L+μ)"]["params"]["lr"]),
                         entry["start"], 60)
    hb_run = gd.minimize(f, gd.Momentum(**hb), entry["start"], 60)
    assert hb_run.loss < 1e-3 * gd_run.loss
    assert next(e for e in CATALOG["landscapes"] if e["name"] == "rosenbrock")["optimal"] == []


def test_every_optimizer_has_a_colour_for_light_and_dark_backgrounds():
    import gdcore.plot as gplot

    for entry in CATALOG["optimizers"]:
        light, dark = entry["color"]["light"], entry["color"]["dark"]
        assert re.fullmatch(r"#[0-9a-fA-F]{6}", light) and re.fullmatch(r"#[0-9a-fA-F]{6}", dark)
        assert dark.lower() != "#000000", entry["name"]
        assert light == gplot.optimizer_color(entry["class"])  # the same colour as gd.plot
    assert len({e["color"]["light"] for e in CATALOG["optimizers"]}) >= 8


def test_inspect_may_name_the_runs_to_inspect():
    out = json.loads(explore.explorer_update(ROSEN, INSPECTED, [-1.5, 2.0], 30, inspect=[4]))
    runs = out["race"]["runs"]
    assert [("inspect" in r) for r in runs] == [i == 4 for i in range(len(runs))]
    full = json.loads(explore.explorer_update(ROSEN, INSPECTED, [-1.5, 2.0], 30, inspect=True))
    want = unpack(full["race"]["runs"][4])["scale"]
    np.testing.assert_array_equal(unpack(runs[4])["scale"], want)
    with pytest.raises(ValueError, match="inspect must hold run indices"):
        explore.explorer_update(ROSEN, INSPECTED, [-1.5, 2.0], 30, inspect=[9])


# --- the heavy ball's rate over (learning rate, momentum): the explorer's phase picture ----

MOMENTUM_PAGE = Path(__file__).resolve().parents[2] / "docs" / "momentum.md"


def page_cell(cell_id: str) -> str:
    """The code of pycell ``cell_id`` of docs/momentum.md."""
    text = MOMENTUM_PAGE.read_text(encoding="utf-8")
    return re.search(rf'```pycell id="{cell_id}"[^\n]*\n(.*?)```', text, re.S).group(1)


def test_rate_grid_agrees_with_the_momentum_pages_heat_map():
    """gdcore's rate map and the page's heat-map cell give the same rate at the same (η, β)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    f = gd.landscapes["ill-conditioned"]
    ns = {"np": np, "gd": gd, "f": f, "x0": np.array([-3.5, 2.5])}
    with contextlib.redirect_stdout(io.StringIO()):
        exec(page_cell("momentum-eigen-check"), ns)  # defines rate(eta, beta, a)
        exec(page_cell("momentum-rate-map"), ns)  # E, B (the page's grid) and R, its rates
    plt.close("all")
    # gdcore at the page's grid points
    got = gd.heavy_ball_rate([f.mu, f.L], ns["E"], ns["B"])
    assert got.shape == ns["R"].shape
    np.testing.assert_allclose(got, ns["R"], rtol=1e-12, atol=1e-15)
    # the page's formula at the explorer's grid points
    g = explore.momentum_rate_grid("ill-conditioned", resolution=40)
    E, B = np.meshgrid(g["lrs"], g["momenta"])
    page = np.maximum(ns["rate"](E, B, ns["mu"]), ns["rate"](E, B, ns["L"]))
    np.testing.assert_allclose(np.reshape(g["rates"], (40, 40)), page, rtol=1e-12, atol=1e-15)
    # the page's tuned point is gdcore's optimum, and the best of the page's grid is not lower
    assert g["optimum"]["lr"] == pytest.approx(ns["eta_hb"], rel=1e-12)
    assert g["optimum"]["momentum"] == pytest.approx(ns["beta_hb"], rel=1e-12)
    assert g["optimum"]["rate"] <= ns["R"].min()


def test_rate_grid_axes_edge_and_optimum():
    g = explore.momentum_rate_grid("ill-conditioned", resolution=32)
    lrs, momenta = np.array(g["lrs"]), np.array(g["momenta"])
    rates = np.reshape(g["rates"], (32, 32))
    assert (g["mu"], g["L"]) == (1.0, 10.0)
    assert np.allclose(np.diff(np.log(lrs)), np.log(lrs[1] / lrs[0]))  # log-spaced
    assert lrs[-1] == pytest.approx(explore.RATE_GRID_LR_TOP / 10)  # past 4/L, the widest edge
    assert momenta[0] == 0.0 and momenta[-1] == explore.HYPERPARAMETERS["momentum"]["max"]
    # the edge: stable (rate < 1) left of 2(1 + beta)/L, diverging right of it
    edge = np.array(g["edge"])
    assert edge == pytest.approx(2 * (1 + momenta) / 10)
    left = lrs[None, :] < edge[:, None] * (1 - 1e-9)
    right = lrs[None, :] > edge[:, None] * (1 + 1e-9)
    assert np.all(rates[left] < 1) and np.all(rates[right] > 1)
    # the optimum is Polyak's, the catalog's button, and lower than every grid point
    button = next(v for e in CATALOG["landscapes"] if e["name"] == "ill-conditioned"
                  for v in e["optimal"] if v["optimizer"] == "momentum")["params"]
    assert {k: g["optimum"][k] for k in ("lr", "momentum")} == button
    assert g["optimum"]["rate"] == pytest.approx((10**0.5 - 1) / (10**0.5 + 1))
    assert g["optimum"]["rate"] < rates.min()
    # gradient descent is the bottom row: |1 - lr * a| at its worst curvature
    assert rates[0] == pytest.approx(np.maximum(abs(1 - lrs), abs(1 - 10 * lrs)))


def test_rate_grid_packed_weight_decay_and_bad_input():
    import base64

    plain = explore.momentum_rate_grid("bowl", resolution=6, weight_decay=0.5)
    packed = explore.momentum_rate_grid("bowl", resolution=6, weight_decay=0.5, packed=True)
    flat = np.frombuffer(base64.b64decode(packed["rates_packed"]), dtype="<f8")
    assert flat.tolist() == plain["rates"] and "rates" not in packed
    assert (plain["mu"], plain["L"]) == (2.5, 2.5)  # weight decay adds to every curvature
    with pytest.raises(ValueError, match="quadratic landscape.*bowl, ill-conditioned"):
        explore.momentum_rate_grid("rosenbrock")
    with pytest.raises(ValueError, match="resolution"):
        explore.momentum_rate_grid("bowl", resolution=1)
    with pytest.raises(ValueError, match="lr"):
        gd.heavy_ball_rate([1.0], lr=-0.1, momentum=0.5)
    with pytest.raises(ValueError, match="momentum"):
        gd.heavy_ball_rate([1.0], lr=0.1, momentum=float("nan"))
    with pytest.raises(ValueError, match="curvatures"):
        gd.heavy_ball_rate([], lr=0.1, momentum=0.5)


def test_heavy_ball_rate_is_the_measured_rate_of_momentum():
    """The predicted rate is how fast gd.Momentum's error actually shrinks on the valley."""
    f = gd.landscapes["ill-conditioned"]
    for lr, beta in [(0.18, 0.4), (0.05, 0.0), (0.3, 0.6)]:
        run = gd.minimize(f, gd.Momentum(lr=lr, momentum=beta), [-3.5, 2.5], steps=400)
        err = np.linalg.norm(run.xs, axis=1)
        measured = (err[-1] / err[100]) ** (1 / (len(err) - 101))
        assert measured == pytest.approx(gd.heavy_ball_rate([f.mu, f.L], lr, beta), abs=0.01)


def test_explorer_update_sends_the_rate_and_the_rate_grid():
    specs = [{"optimizer": "GradientDescent", "lr": 0.1},
             {"optimizer": "Momentum", "lr": 0.18, "momentum": 0.4, "weight_decay": 0.1}]
    out = json.loads(explore.explorer_update("ill-conditioned", specs, [-3.5, 2.5], 20,
                                             rate_grid=8))
    gd_run, hb_run = out["race"]["runs"]
    assert "rate" not in gd_run
    assert hb_run["rate"] == gd.heavy_ball_rate([1.1, 10.1], 0.18, 0.4)
    assert out["rate_grid"] == explore.momentum_rate_grid("ill-conditioned", 8,
                                                          weight_decay=0.1, packed=True)
    # a schedule changes the learning rate during the run: the rate is the set one's
    sched = explore.race("ill-conditioned", [{**specs[1], "schedule": "cosine"}], [-3.5, 2.5], 20)
    assert sched["runs"][0]["rate"] == hb_run["rate"]
    # no grid unless asked, and none on a landscape that is not a quadratic
    assert "rate_grid" not in json.loads(explore.explorer_update("bowl", specs, [1, 1], 5))
    other = json.loads(explore.explorer_update("rosenbrock", specs, [0, 0], 5, rate_grid=8))
    assert other["rate_grid"] is None and "rate" not in other["race"]["runs"][1]
