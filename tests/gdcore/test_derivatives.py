"""Finite differences, numerical Hessians, Jacobians and gradient checks."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gdcore as gd

coords = st.lists(st.floats(-2.0, 2.0, allow_nan=False), min_size=1, max_size=4)


def cubic(x):
    return float(np.sum(x**3) + x[0] * x[-1])


def cubic_grad(x):
    g = 3 * x**2
    g[0] += x[-1]
    g[-1] += x[0]
    return g


@settings(max_examples=40, deadline=None)
@given(x=coords)
def test_central_difference_matches_analytic(x):
    x = np.array(x)
    assert np.allclose(gd.central_difference(cubic, x), cubic_grad(x), rtol=1e-8, atol=1e-8)


def test_central_is_more_accurate_than_forward():
    f = lambda x: float(np.exp(x[0]))  # noqa: E731
    exact = math.exp(1.0)
    central = abs(gd.central_difference(f, 1.0, h=1e-3) - exact)
    forward = abs(gd.forward_difference(f, 1.0, h=1e-3) - exact)
    assert central < 1e-6 < 1e-4 < forward  # O(h^2) vs O(h)
    # halving h divides the forward error by about 2 and the central error by about 4
    forward_half = abs(gd.forward_difference(f, 1.0, h=5e-4) - exact)
    central_half = abs(gd.central_difference(f, 1.0, h=5e-4) - exact)
    assert forward / forward_half == pytest.approx(2.0, rel=0.05)
    assert central / central_half == pytest.approx(4.0, rel=0.05)


def test_scalar_in_float_out_and_vectorized():
    assert isinstance(gd.central_difference(lambda x: float(x[0] ** 2), 3.0), float)
    assert isinstance(gd.forward_difference(lambda x: float(x[0] ** 2), 3.0), float)
    f = gd.landscapes["rosenbrock"]
    x = [-0.5, 0.7]
    loop = gd.central_difference(f, x)
    vec = gd.central_difference(f, x, vectorized=True)
    assert np.allclose(loop, vec, rtol=0, atol=0)
    assert np.allclose(gd.forward_difference(f, x, vectorized=True), gd.forward_difference(f, x))
    assert np.allclose(vec, f.grad(x), rtol=1e-8)


def test_numerical_hessian():
    f = gd.landscapes["rosenbrock"]
    x = [-0.8, 0.4]
    assert np.allclose(gd.numerical_hessian(f, x), f.hessian(x), rtol=1e-4, atol=1e-3)
    with_grad = gd.numerical_hessian(f, x, h=1e-5, grad=f.grad)
    assert np.allclose(with_grad, f.hessian(x), rtol=1e-7, atol=1e-6)
    H = gd.numerical_hessian(cubic, [0.3, -0.2, 0.5])
    assert H.shape == (3, 3) and np.array_equal(H, H.T)
    assert np.allclose(H, [[1.8, 0, 1], [0, -1.2, 0], [1, 0, 3.0]], atol=1e-5)


def test_jacobian():
    F = lambda v: np.array([v[0] * v[1], np.sin(v[0]), v[1] ** 2])  # noqa: E731
    J = gd.jacobian(F, [0.5, 2.0])
    expected = [[2.0, 0.5], [math.cos(0.5), 0.0], [0.0, 4.0]]
    assert J.shape == (3, 2) and np.allclose(J, expected, atol=1e-9)
    assert gd.jacobian(cubic, [1.0, 2.0]).shape == (2,)
    f = gd.landscapes["himmelblau"]
    assert np.allclose(gd.jacobian(f.grad, [1.0, 1.0]), f.hessian([1.0, 1.0]), atol=1e-6)


def test_check_gradient():
    f = gd.landscapes["beale"]
    assert gd.check_gradient(f, [1.0, 1.0]) < 1e-8
    assert gd.check_gradient(cubic, [1.0, 2.0], grad=cubic_grad) < 1e-8
    wrong = lambda x: 2 * cubic_grad(x)  # noqa: E731
    assert gd.check_gradient(cubic, [1.0, 2.0], grad=wrong) > 0.4
    # at a minimum the gradient is zero: no division by zero, tiny error
    assert gd.check_gradient(gd.landscapes["booth"], [1.0, 3.0]) < 1e-8
    # small but wrong gradients are still caught
    assert gd.check_gradient(lambda x: float(1e-3 * x[0]), [0.0], grad=lambda x: [2e-3]) > 5e-4


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: gd.central_difference(cubic, [1.0], h=0), ValueError, "h must be > 0"),
        (lambda: gd.forward_difference(cubic, [1.0], h=-1e-3), ValueError, "h must be > 0"),
        (lambda: gd.central_difference(cubic, [np.nan]), ValueError, "x must be finite"),
        (lambda: gd.central_difference(cubic, [[1.0]]), ValueError, "1-D"),
        (lambda: gd.central_difference(cubic, "x"), TypeError, "x must be"),
        (lambda: gd.central_difference(lambda x: x, [1.0, 2.0]), ValueError, "single number"),
        (
            lambda: gd.central_difference(lambda x: 0.0, [1.0, 2.0], vectorized=True),
            ValueError, "vectorized",
        ),
        (lambda: gd.numerical_hessian(cubic, [1.0], h=0), ValueError, "h must be > 0"),
        (lambda: gd.jacobian(cubic, [1.0], h=-1), ValueError, "h must be > 0"),
        (
            lambda: gd.jacobian(lambda v: np.ones(2 if v[0] > 0 else 3), [0.0]),
            ValueError, "same shape",
        ),
        (lambda: gd.check_gradient(cubic, [1.0]), ValueError, "grad must be given"),
        (
            lambda: gd.check_gradient(cubic, [1.0, 2.0], grad=lambda x: [1.0]),
            ValueError, "partial derivatives",
        ),
        (
            lambda: gd.check_gradient(cubic, [1.0], grad=cubic_grad, floor=0),
            ValueError, "floor must be > 0",
        ),
    ],
)
def test_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()


# --------------------------------------------------------------------------- at the edges


@pytest.mark.parametrize("diff", [gd.central_difference, gd.forward_difference, gd.jacobian,
                                  gd.numerical_hessian])
def test_a_step_below_the_rounding_of_x_is_refused(diff):
    f = lambda x: float(np.sum(x**2))  # noqa: E731
    with pytest.raises(ValueError, match=r"h=1e-05 is too small for x\[1\]=1e\+20"):
        diff(f, [1.0, 1e20], h=1e-5)
    with pytest.raises(ValueError, match="h must be > 0"):
        diff(f, [1.0], h=0.0)


def test_check_gradient_refuses_a_useless_step_too():
    with pytest.raises(ValueError, match="too small for x"):
        gd.check_gradient(lambda x: float(x[0] ** 2), [1e30], grad=lambda x: 2 * x)


def test_too_many_coordinates_is_a_value_error_not_a_memory_error():
    with pytest.raises(ValueError, match="x must have at most 4,000 coordinates"):
        gd.central_difference(lambda x: 0.0, np.zeros(100_000))


@pytest.mark.parametrize("bad", ["abc", None, 1j, True])
def test_objectives_that_return_no_real_number(bad):
    with pytest.raises(TypeError, match=r"f\(x\) must return a real number"):
        gd.central_difference(lambda x: bad, [1.0, 2.0])
    with pytest.raises(TypeError, match=r"F\(x\) must return a real number"):
        gd.jacobian(lambda x: [bad], [1.0])
    with pytest.raises(TypeError, match=r"grad\(x\) must return a real number"):
        gd.check_gradient(lambda x: 1.0, [1.0], grad=lambda x: bad)


@given(x=st.lists(st.floats(-1e3, 1e3), min_size=1, max_size=5),
       h=st.floats(1e-6, 1e-2))
@settings(max_examples=60, deadline=None)
def test_central_difference_is_exact_on_quadratics(x, h):
    x = np.array(x)
    g = gd.central_difference(lambda p: float(np.sum(3.0 * p**2 - p)), x, h=h)
    np.testing.assert_allclose(g, 6.0 * x - 1.0, rtol=1e-6, atol=1e-4 * (1 + np.abs(x).max())
                               * (1e-2 / h))
