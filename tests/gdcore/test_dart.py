"""The dart thrower's loss: exact solutions, derivatives, shapes, validation."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import gdcore as gd

angles = st.floats(min_value=-1.4, max_value=1.4, allow_nan=False)


def test_solutions_hit_the_bullseye():
    dart = gd.DartLoss()
    sols = dart.solutions()
    assert sols.shape == (2,)
    assert gd.rad2deg(sols).round(3).tolist() == [39.261, 50.739]
    for theta in sols:
        assert abs(dart.height(theta) - 1.0) < 1e-12
        assert dart(theta) < 1e-24
    assert gd.rad2deg(sols[0]) + gd.rad2deg(sols[1]) == pytest.approx(90.0, abs=1e-12)
    assert dart.flight_time(sols[0]) == pytest.approx(1.2915, abs=5e-5)
    assert dart.minima.shape == (2, 1)
    assert dart.reachable


def test_flat_throw_and_max_height():
    dart = gd.DartLoss()
    assert dart.height(0.0) == pytest.approx(1.0 - 4.9, abs=1e-12)
    assert dart.flight_time(0.0) == 1.0
    assert dart.max_height() == pytest.approx(1.0 + 100 / 19.6 - 4.9, abs=1e-12)
    # the highest point is reached at tan(theta) = d / (2k)
    best = math.atan(10 / 9.8)
    assert dart.height(best) == pytest.approx(dart.max_height(), abs=1e-12)


@settings(max_examples=60, deadline=None)
@given(theta=angles)
def test_grad_and_hessian_match_finite_differences(theta):
    dart = gd.DartLoss()
    assert gd.check_gradient(dart, [theta]) < 1e-6
    numeric = gd.numerical_hessian(dart, [theta], h=1e-6, grad=dart.grad)
    H = dart.hessian([theta])
    assert H.shape == (1, 1)
    assert H[0, 0] == pytest.approx(numeric[0, 0], rel=1e-5, abs=1e-5)


@settings(max_examples=30, deadline=None)
@given(
    speed=st.floats(5.0, 30.0), distance=st.floats(1.0, 20.0),
    h0=st.floats(0.0, 3.0), target=st.floats(0.0, 3.0), theta=angles,
)
def test_other_parameters(speed, distance, h0, target, theta):
    dart = gd.DartLoss(speed=speed, distance=distance, launch_height=h0, target_height=target)
    assert gd.check_gradient(dart, [theta]) < 1e-5
    if dart.reachable:
        for s in dart.solutions():
            assert abs(dart.height(s) - target) < 1e-9 * max(1.0, dart.k)
    else:
        with pytest.raises(ValueError, match="unreachable"):
            dart.solutions()


def test_shapes():
    dart = gd.DartLoss()
    assert isinstance(dart(0.7), float)
    assert isinstance(dart.grad(0.7), float)
    assert isinstance(dart.hessian(0.7), float)
    assert isinstance(dart([0.7]), float)
    assert dart.grad([0.7]).shape == (1,)
    assert dart.hessian([0.7]).shape == (1, 1)
    stacked = np.array([[0.1], [0.5], [0.9]])
    assert dart(stacked).shape == (3,)
    assert dart.grad(stacked).shape == (3, 1)
    assert dart.hessian(stacked).shape == (3, 1, 1)
    grid = np.linspace(0.1, 1.2, 7)
    assert dart(grid).shape == dart.grad(grid).shape == dart.hessian(grid).shape == (7,)
    for i, t in enumerate(grid):
        assert dart(grid)[i] == pytest.approx(dart(t), rel=1e-14)
        assert dart.grad(grid)[i] == pytest.approx(dart.grad(t), rel=1e-14)
        assert dart.hessian(grid)[i] == pytest.approx(dart.hessian(t), rel=1e-14)
    assert dart.grad([0.7])[0] == dart.grad(0.7)
    assert dart.height(grid).shape == (7,)


def test_gradient_descent_finds_a_solution():
    dart = gd.DartLoss()
    run = gd.minimize(dart, gd.GradientDescent(lr=0.01), x0=gd.deg2rad(20.0), steps=1000,
                      loss_threshold=1e-3)
    assert run.status == "converged"
    assert abs(gd.rad2deg(run.x[0]) - 39.261) < 1.0


def test_degree_helpers():
    assert gd.deg2rad(180) == pytest.approx(math.pi)
    assert isinstance(gd.deg2rad(90), float)
    assert gd.rad2deg(gd.deg2rad(37.5)) == pytest.approx(37.5)
    assert np.allclose(gd.deg2rad([0.0, 90.0]), [0.0, math.pi / 2])
    assert isinstance(gd.rad2deg(np.array([1.0, 2.0])), np.ndarray)
    with pytest.raises(TypeError, match="degrees"):
        gd.deg2rad("ninety")
    with pytest.raises(TypeError, match="radians"):
        gd.rad2deg({"a": 1})


def test_unreachable_and_grazing_targets():
    slow = gd.DartLoss(speed=5.0)
    assert not slow.reachable
    assert slow.minima.shape == (0, 1)
    with pytest.raises(ValueError, match=r"unreachable.*at most"):
        slow.solutions()
    # the loss is still defined: its minimum is the highest reachable point
    assert slow(math.atan(slow.distance / (2 * slow.k))) > 0
    base = gd.DartLoss()
    grazing = gd.DartLoss(target_height=base.max_height())
    sols = grazing.solutions()
    assert len(sols) in (1, 2)
    assert abs(grazing.height(sols[0]) - grazing.target_height) < 1e-9


def test_domain_and_repr():
    dart = gd.DartLoss()
    assert dart.domain == (-math.pi / 2, math.pi / 2)
    assert dart.name == "dart"
    assert "speed=10" in repr(dart)
    assert dart.formula


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"speed": 0}, ValueError, "speed must be > 0"),
        ({"speed": -3}, ValueError, "speed must be > 0"),
        ({"distance": 0}, ValueError, "distance must be > 0"),
        ({"g": 0}, ValueError, "g must be > 0"),
        ({"launch_height": "1"}, TypeError, "launch_height must be a real number"),
        ({"target_height": float("nan")}, ValueError, "target_height must be finite"),
        ({"speed": True}, TypeError, "speed"),
    ],
)
def test_bad_parameters(kwargs, error, match):
    with pytest.raises(error, match=match):
        gd.DartLoss(**kwargs)


def test_bad_angle():
    with pytest.raises(TypeError, match="theta"):
        gd.DartLoss()("steep")
    with pytest.raises(TypeError, match="theta"):
        gd.DartLoss().height(None)


def test_stationary_points_two_minima_and_the_maximum_between():
    dart = gd.DartLoss()
    sp = dart.stationary_points()
    assert sp.minima.shape == (2, 1) and sp.maxima.shape == (1, 1) and sp.saddles.shape == (0, 1)
    np.testing.assert_array_equal(sp.minima.ravel(), dart.solutions())
    apex = sp.maxima[0, 0]
    assert apex == math.atan(10 / 9.8) == dart.apex()
    assert sp.minima[0, 0] < apex < sp.minima[1, 0]
    for theta in (*sp.minima.ravel(), apex):
        assert abs(dart.grad(theta)) < 1e-12
    assert dart.hessian(apex) < 0 < min(dart.hessian(t) for t in sp.minima.ravel())
    assert dart(apex) == pytest.approx(0.5 * (dart.max_height() - 1.0) ** 2, rel=1e-12)
    assert all(np.array_equal(a, b) for a, b in zip(dart.critical_points(), sp, strict=True))


def test_stationary_points_out_of_reach_and_grazing():
    slow = gd.DartLoss(speed=5.0)
    sp = slow.stationary_points()
    assert sp.maxima.shape == (0, 1) and sp.minima.shape == (1, 1)
    assert abs(slow.grad(sp.minima[0, 0])) < 1e-12 and slow.hessian(sp.minima[0, 0]) > 0
    assert slow(sp.minima[0, 0]) > 0  # the closest miss
    top = gd.DartLoss(target_height=gd.DartLoss().max_height())
    sp = top.stationary_points()
    assert len(sp.minima) in (1, 2) and len(sp.maxima) <= 1
    if len(sp.maxima):
        assert sp.minima[0, 0] < sp.maxima[0, 0] < sp.minima[1, 0]


@given(speed=st.floats(8.0, 30.0), distance=st.floats(1.0, 20.0), h0=st.floats(-2, 2),
       target=st.floats(-2, 2))
@settings(max_examples=60, deadline=None)
def test_stationary_points_are_stationary(speed, distance, h0, target):
    dart = gd.DartLoss(speed=speed, distance=distance, launch_height=h0, target_height=target)
    sp = dart.stationary_points()
    scale = 1.0 + abs(dart.k) + distance
    for theta in np.concatenate([sp.minima.ravel(), sp.maxima.ravel()]):
        assert -math.pi / 2 < theta < math.pi / 2
        sec2 = 1.0 / math.cos(theta) ** 2
        assert abs(dart.grad(theta)) <= 1e-9 * scale**2 * sec2**2
    assert len(sp.maxima) == (1 if len(sp.minima) == 2 else 0)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"speed": 1e300}, r"speed must be between 1e-06 and 1e\+06 m/s"),
        ({"speed": 1e-300}, "speed must be between"),
        ({"distance": 1e200}, r"distance must be between 1e-06 and 1e\+06 m"),
        ({"distance": -1}, "distance must be > 0"),
        ({"g": -9.8}, "g must be > 0"),
        ({"g": 1e10}, "g must be between"),
        ({"launch_height": 1e300}, r"launch_height must be in \[-1e\+06, 1e\+06\]"),
        ({"target_height": -1e7}, "target_height must be in"),
        ({"speed": math.inf}, "speed must be finite"),
    ],
)
def test_absurd_parameters_are_value_errors_naming_them(kwargs, match):
    with pytest.raises(ValueError, match=match):
        gd.DartLoss(**kwargs)


@given(speed=st.floats(1e-6, 1e6), distance=st.floats(1e-6, 1e6), g=st.floats(1e-6, 1e6),
       h0=st.floats(-1e6, 1e6), target=st.floats(-1e6, 1e6))
@settings(max_examples=200, deadline=None)
@example(speed=177790.0, distance=1e-06, g=2.0, h0=0.0, target=0.0)  # root beyond fl(pi/2)
def test_any_allowed_throw_has_finite_numbers_or_says_it_is_out_of_reach(
        speed, distance, g, h0, target):
    dart = gd.DartLoss(speed=speed, distance=distance, launch_height=h0, target_height=target,
                       g=g)
    assert 0.0 < dart.k < math.inf and math.isfinite(dart.max_height())
    for theta in (-1.0, 0.0, 0.5, 1.2):
        assert math.isfinite(dart(theta)) or dart(theta) == math.inf
    sp = dart.stationary_points()
    angles = np.concatenate([sp.minima.ravel(), sp.maxima.ravel()])
    assert len(angles) >= 1 and np.all(np.abs(angles) <= math.pi / 2)
    if not dart.reachable:
        with pytest.raises(ValueError, match="unreachable"):
            dart.solutions()
        return
    for theta in dart.solutions():
        # The angle is right to a few units in its last place: the miss is what an error
        # of a few ulp in theta makes (slope y' times 16 ulp: near 90 degrees the slope
        # itself changes by a factor ~2 within one ulp), plus the rounding of y's terms.
        t = math.tan(theta)
        terms = abs(h0) + abs(target) + distance * abs(t) + dart.k * (1 + t * t)
        slope = (1 + t * t) * abs(distance - 2 * dart.k * t)
        assert abs(dart.height(theta) - target) <= 16 * math.ulp(theta) * slope + 1e-12 * terms
