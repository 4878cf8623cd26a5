"""Tests for gdcore.explore: the numbers the explorer draws."""

from __future__ import annotations

import contextlib
import io
import json
import re

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


def test_race_json_round_trips_and_accepts_json_runs():
    text = explore.race_json(ROSEN, json.dumps(RUNS), [-1.5, 2.0], 40)
    assert json.loads(text) == json.loads(strict_json(explore.race(ROSEN, RUNS, [-1.5, 2.0], 40)))


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
        n = want["n_steps"]
        flat = np.frombuffer(base64.b64decode(got["packed"]), dtype="<f8")
        assert flat.shape == (4 * (n + 1),)
        xs, losses, gnorms = flat[: 2 * (n + 1)], flat[2 * (n + 1): 3 * (n + 1)], flat[3 * (n + 1):]
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
