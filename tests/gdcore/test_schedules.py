"""Tests for gdcore.schedules."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import gdcore as gd
from gdcore.schedules import _check_schedule_value


def test_constant():
    s = gd.ConstantLR(0.3)
    assert [s(t) for t in (0, 1, 10**6)] == [0.3, 0.3, 0.3]
    assert repr(s) == "ConstantLR(lr=0.3)"


def test_step_decay():
    s = gd.StepLR(1.0, step_size=3)
    assert [s(t) for t in range(7)] == pytest.approx([1, 1, 1, 0.1, 0.1, 0.1, 0.01])
    assert repr(s) == "StepLR(lr=1.0, step_size=3, gamma=0.1)"


def test_exponential_decay():
    s = gd.ExponentialLR(0.5, gamma=0.9)
    np.testing.assert_allclose(s.values(5), 0.5 * 0.9 ** np.arange(5))


def test_inverse_time_decay():
    s = gd.InverseTimeLR(1.0, decay_rate=0.1)
    np.testing.assert_allclose(s.values(4), 1 / (1 + 0.1 * np.arange(4)))
    assert gd.InverseTimeLR(2.0, decay_rate=0)(100) == 2.0


def test_cosine():
    s = gd.CosineLR(1.0, total_steps=10, min_lr=0.1)
    assert s(0) == 1.0
    assert s(5) == pytest.approx(0.55)
    assert s(10) == 0.1 and s(1000) == 0.1
    t = np.arange(11)
    np.testing.assert_allclose(
        [s(int(k)) for k in t], 0.1 + 0.9 * (1 + np.cos(np.pi * t / 10)) / 2, rtol=1e-15
    )


def test_cosine_warm_restarts():
    s = gd.CosineWarmRestartsLR(1.0, period=4, min_lr=0.0)
    values = s.values(12)
    np.testing.assert_allclose(values[:4], values[4:8])
    assert values[4] == 1.0 and values[3] < 0.2
    longer = gd.CosineWarmRestartsLR(1.0, period=2, mult=3)
    restarts = [t for t in range(30) if longer(t) == 1.0]
    assert restarts == [0, 2, 8, 26]  # periods 2, 6, 18


@pytest.mark.parametrize(
    "make, error, match",
    [
        (lambda: gd.ConstantLR(0), ValueError, "lr must be > 0"),
        (lambda: gd.ConstantLR(-1), ValueError, "lr must be > 0"),
        (lambda: gd.StepLR(1.0, step_size=0), ValueError, "step_size must be >= 1"),
        (lambda: gd.StepLR(1.0, step_size=2.5), TypeError, "step_size must be a whole"),
        (lambda: gd.StepLR(1.0, step_size=2, gamma=0), ValueError, "gamma must be > 0"),
        (lambda: gd.ExponentialLR(1.0, gamma=-0.5), ValueError, "gamma must be > 0"),
        (lambda: gd.InverseTimeLR(1.0, decay_rate=-1), ValueError, "decay_rate must be >= 0"),
        (lambda: gd.CosineLR(1.0, total_steps=0), ValueError, "total_steps must be >= 1"),
        (lambda: gd.CosineLR(1.0, 10, min_lr=-1), ValueError, "min_lr must be >= 0"),
        (lambda: gd.CosineLR(1.0, 10, min_lr=2), ValueError, "min_lr must be <= lr"),
        (lambda: gd.CosineWarmRestartsLR(1.0, period=0), ValueError, "period must be >= 1"),
        (lambda: gd.CosineWarmRestartsLR(1.0, 5, mult=0), ValueError, "mult must be >= 1"),
        (lambda: gd.CosineWarmRestartsLR(1.0, 5, min_lr=3), ValueError, "min_lr must be <="),
        (lambda: gd.ConstantLR(1.0)(-1), ValueError, "t must be >= 0"),
        (lambda: gd.ConstantLR(1.0)(1.5), TypeError, "t must be a whole number"),
        (lambda: gd.ConstantLR(1.0).values(-2), ValueError, "steps must be >= 0"),
    ],
)
def test_validation(make, error, match):
    with pytest.raises(error, match=match):
        make()


DECAYS = [
    gd.ConstantLR(0.1),
    gd.StepLR(0.1, step_size=7, gamma=0.5),
    gd.ExponentialLR(0.1, gamma=0.97),
    gd.InverseTimeLR(0.1, decay_rate=0.05),
    gd.CosineLR(0.1, total_steps=50, min_lr=0.001),
]


@given(t=st.integers(0, 10_000), index=st.integers(0, len(DECAYS) - 1))
def test_decays_never_increase_and_stay_in_range(t, index):
    s = DECAYS[index]
    assert s(t + 1) <= s(t) <= s.lr
    assert s(t) >= 0 and math.isfinite(s(t))


@given(t=st.integers(0, 5_000))
def test_warm_restarts_stay_between_min_and_max(t):
    s = gd.CosineWarmRestartsLR(0.5, period=10, mult=2, min_lr=0.01)
    assert 0.01 <= s(t) <= 0.5


def test_values_and_base_class():
    assert gd.StepLR(1.0, 2).values(0).shape == (0,)
    with pytest.raises(NotImplementedError):
        gd.Schedule(1.0)(0)


def test_numpy_integers_are_accepted():
    assert gd.ExponentialLR(1.0, 0.5)(np.int64(2)) == 0.25


# --------------------------------------------------------------------------- warm-up

TORCH_SCHEDULES = Path(__file__).parents[1] / "data" / "torch_schedules.json"

# torch scheduler name -> gdcore schedule with the same rates (made with the case's lr).
PIECES = {
    "LinearLR": lambda lr, kw: gd.LinearLR(lr, **kw),
    "CosineAnnealingLR": lambda lr, kw: gd.CosineLR(lr, total_steps=kw["T_max"]),
    "ExponentialLR": lambda lr, kw: gd.ExponentialLR(lr, gamma=kw["gamma"]),
    "StepLR": lambda lr, kw: gd.StepLR(lr, step_size=kw["step_size"], gamma=kw["gamma"]),
}


def _gdcore_schedule(case):
    pieces = [PIECES[p["kind"]](case["lr"], p["kwargs"]) for p in case["pieces"]]
    if len(pieces) == 1:
        return pieces[0]
    return gd.SequentialLR(pieces, milestones=case["milestones"])


@pytest.mark.parametrize(
    "case", json.loads(TORCH_SCHEDULES.read_text())["cases"], ids=lambda c: c["name"]
)
def test_warmup_schedules_match_torch(case):
    schedule = _gdcore_schedule(case)
    np.testing.assert_allclose(schedule.values(case["steps"]), case["rates"], rtol=1e-12,
                               atol=0)


def test_linear_lr_formula_and_defaults():
    s = gd.LinearLR(0.3)
    assert (s.start_factor, s.end_factor, s.total_iters) == (1 / 3, 1.0, 5)
    assert s(0) == pytest.approx(0.1) and s(5) == 0.3 and s(10**6) == 0.3
    ramp = gd.LinearLR(2.0, start_factor=0.5, end_factor=0.0, total_iters=4)
    assert ramp.values(6).tolist() == [1.0, 0.75, 0.5, 0.25, 0.0, 0.0]
    assert repr(ramp) == "LinearLR(lr=2.0, start_factor=0.5, end_factor=0.0, total_iters=4)"


def test_sequential_lr_counts_from_each_milestone():
    seen = []

    def spy(t):
        seen.append(t)
        return 0.5

    s = gd.SequentialLR([gd.ConstantLR(1.0), spy, gd.ExponentialLR(0.25, 0.5)], [3, 5])
    assert s.values(8).tolist() == [1.0, 1.0, 1.0, 0.5, 0.5, 0.25, 0.125, 0.0625]
    assert seen == [0, 1]
    assert s.lr == 1.0
    assert repr(s).startswith("SequentialLR(schedules=[ConstantLR(lr=1.0), ")


def test_sequential_lr_runs_in_minimize():
    f = gd.landscapes["bowl"]
    warm = gd.SequentialLR([gd.LinearLR(0.1, start_factor=0.1, total_iters=10),
                            gd.CosineLR(0.1, total_steps=40)], milestones=[10])
    run = gd.minimize(f, gd.GradientDescent(lr=0.1), [1.5, 1.0], steps=50, schedule=warm)
    # GD on x^2 + y^2 multiplies the point by (1 - 2 eta_t) each step.
    expected = np.array([1.5, 1.0]) * np.prod([1 - 2 * warm(t) for t in range(50)])
    np.testing.assert_allclose(run.x, expected, rtol=1e-12)


@pytest.mark.parametrize(
    "make, error, match",
    [
        (lambda: gd.LinearLR(1.0, start_factor=0), ValueError, r"start_factor must be in \(0, 1\]"),
        (lambda: gd.LinearLR(1.0, start_factor=1.5), ValueError, "start_factor must be in"),
        (lambda: gd.LinearLR(1.0, end_factor=-0.1), ValueError, r"end_factor must be in \[0, 1\]"),
        (lambda: gd.LinearLR(1.0, total_iters=0), ValueError, "total_iters must be >= 1"),
        (lambda: gd.SequentialLR([], []), ValueError, "at least one schedule"),
        (lambda: gd.SequentialLR(gd.ConstantLR(1.0), []), TypeError, "schedules must be a list"),
        (lambda: gd.SequentialLR([gd.ConstantLR(1.0), 0.1], [2]), TypeError, r"schedules\[1\]"),
        (lambda: gd.SequentialLR([gd.ConstantLR(1.0)] * 2, []), ValueError, "one entry fewer"),
        (lambda: gd.SequentialLR([gd.ConstantLR(1.0)] * 3, [4, 4]), ValueError,
         "strictly increasing"),
        (lambda: gd.SequentialLR([gd.ConstantLR(1.0)] * 2, [1.5]), TypeError,
         r"milestones\[0\] must be a whole number"),
        (lambda: gd.SequentialLR([gd.ConstantLR(1.0)] * 2, 3), TypeError, "milestones must be"),
    ],
)
def test_warmup_validation(make, error, match):
    with pytest.raises(error, match=match):
        make()


# --------------------------------------------------------------------------- at the edges


def test_huge_steps_reach_zero_or_infinity_instead_of_overflowing():
    huge = 10**400  # beyond the float range
    assert gd.ExponentialLR(1.0, gamma=0.5)(huge) == 0.0
    assert gd.ExponentialLR(1.0, gamma=2.0)(2000) == math.inf
    assert gd.ExponentialLR(0.3, gamma=1.0)(huge) == 0.3
    assert gd.StepLR(1.0, step_size=1, gamma=10.0)(400) == math.inf
    assert gd.StepLR(1.0, step_size=3, gamma=0.5)(huge) == 0.0
    assert gd.InverseTimeLR(1.0, decay_rate=0.5)(huge) == 0.0
    assert gd.InverseTimeLR(1.0, decay_rate=0.0)(huge) == 1.0
    assert gd.LinearLR(1.0, start_factor=0.5, total_iters=huge)(huge // 2) == pytest.approx(0.75)
    assert gd.CosineLR(1.0, total_steps=10)(huge) == 0.0
    assert 0.0 <= gd.CosineWarmRestartsLR(1.0, period=3, mult=2)(10**30) <= 1.0


def test_an_infinite_rate_is_refused_with_a_reason():
    grow = gd.ExponentialLR(0.1, gamma=10.0)
    assert grow(400) == math.inf
    with pytest.raises(ValueError, match=r"schedule\(400\) must return a finite learning rate"):
        _check_schedule_value(grow(400), 400)


def test_values_refuses_a_huge_array():
    with pytest.raises(ValueError, match="steps must be <= 10,000,000"):
        gd.ConstantLR(0.1).values(10**12)


@pytest.mark.parametrize("bad", ["0.1", True, False, None, [0.1], np.array([0.1]), 1j])
def test_schedule_values_that_are_not_numbers_are_type_errors(bad):
    with pytest.raises(TypeError, match=r"schedule\(3\) must return a number"):
        _check_schedule_value(bad, 3)
    with pytest.raises(TypeError, match=r"schedule StepLR\(.*\) at step 3 must return a number"):
        _check_schedule_value(bad, 3, gd.StepLR(0.1, 2))


@pytest.mark.parametrize("good, lr", [(0.1, 0.1), (np.float32(0.5), 0.5), (np.int64(2), 2.0),
                                      (np.array(0.25), 0.25), (0, 0.0)])
def test_schedule_values_that_are_numbers(good, lr):
    value = _check_schedule_value(good, 0)
    assert value == lr and type(value) is float


@pytest.mark.parametrize("bad", [-0.1, math.nan, math.inf])
def test_schedule_values_out_of_range(bad):
    with pytest.raises(ValueError, match=r"schedule\(7\) must return a finite learning rate"):
        _check_schedule_value(bad, 7)


@pytest.mark.parametrize("bad", ["0.1", True])
def test_minimize_rejects_a_schedule_that_returns_a_string_or_bool(bad):
    with pytest.raises(TypeError, match=r"schedule\(0\) must return a number"):
        gd.minimize(gd.landscapes["bowl"], gd.GradientDescent(lr=0.1), [1.0, 1.0], steps=3,
                    schedule=lambda t: bad)


ANY_SCHEDULE = st.one_of(
    st.builds(gd.ConstantLR, st.floats(1e-6, 10)),
    st.builds(gd.StepLR, st.floats(1e-6, 10), st.integers(1, 100), st.floats(1e-3, 10)),
    st.builds(gd.ExponentialLR, st.floats(1e-6, 10), st.floats(1e-3, 10)),
    st.builds(gd.InverseTimeLR, st.floats(1e-6, 10), st.floats(0, 10)),
    st.builds(gd.CosineLR, st.floats(1e-6, 10), st.integers(1, 10**6)),
    st.builds(gd.CosineWarmRestartsLR, st.floats(1e-6, 10), st.integers(1, 100),
              st.integers(1, 5)),
    st.builds(gd.LinearLR, st.floats(1e-6, 10), st.floats(1e-3, 1), st.floats(0, 1),
              st.integers(1, 10**6)),
)


@given(schedule=ANY_SCHEDULE, t=st.one_of(st.integers(0, 10**6), st.integers(0, 10**500)))
def test_every_schedule_returns_a_rate_for_every_step(schedule, t):
    lr = schedule(t)
    assert isinstance(lr, float) and (lr >= 0 or math.isnan(lr) is False)
    assert lr >= 0.0 and not math.isnan(lr)


@pytest.mark.parametrize("cls", [getattr(gd, name) for name in gd.schedules.__all__
                                 if name != "Schedule"], ids=lambda c: c.__name__)
def test_every_schedule_cites_its_source(cls):
    refs = cls.__doc__.split("References:")
    assert len(refs) == 2 and re.search(r"\((19|20)\d\d\)", refs[1])


def test_sequential_lr_names_the_piece_that_returned_a_bad_value():
    s = gd.SequentialLR([gd.ConstantLR(1.0), gd.LinearLR(0.5), lambda t: "x"], [2, 4])
    assert s(3) == pytest.approx(0.5 * (1 / 3 + 2 / 3 / 5))
    with pytest.raises(TypeError, match=r"schedule <function .*> at step 1 must return a number"):
        s(5)
