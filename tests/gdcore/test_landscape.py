"""Landscapes: analytic derivatives against finite differences, minima, registry, grid."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gdcore as gd
from gdcore.landscape import Landscape

NAMES = list(gd.landscapes)
EXPECTED_KEYS = {
    "bowl", "ill-conditioned", "rosenbrock", "beale", "himmelblau", "booth", "saddle",
    "rastrigin", "ackley", "styblinski-tang", "six-hump-camel",
}
unit = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)


def _point_in(f, u, v):
    (x0, x1), (y0, y1) = f.domain
    return np.array([x0 + u * (x1 - x0), y0 + v * (y1 - y0)])


def test_registry_has_every_landscape():
    assert set(gd.landscapes) == EXPECTED_KEYS
    for f in gd.landscapes.values():
        assert isinstance(f, Landscape)


@pytest.mark.parametrize("name", NAMES)
def test_metadata(name):
    f = gd.landscapes[name]
    assert isinstance(f.name, str) and f.name
    assert isinstance(f.formula, str) and "=" in f.formula
    assert isinstance(f.log_levels, bool)
    (x0, x1), (y0, y1) = f.domain
    assert x0 < x1 and y0 < y1
    assert f.minima.ndim == 2 and f.minima.shape[1] == 2
    assert type(f).__doc__ and "Example" in type(f).__doc__
    assert repr(f).startswith(type(f).__name__)


@pytest.mark.parametrize("name", NAMES)
@settings(max_examples=30, deadline=None)
@given(u=unit, v=unit)
def test_gradient_matches_finite_differences(name, u, v):
    f = gd.landscapes[name]
    p = _point_in(f, u, v)
    if name == "ackley" and np.hypot(*p) < 1e-2:  # cone tip: not differentiable
        p = p + 0.05
    assert gd.check_gradient(f, p) < 1e-5


@pytest.mark.parametrize("name", NAMES)
@settings(max_examples=30, deadline=None)
@given(u=unit, v=unit)
def test_hessian_matches_finite_differences(name, u, v):
    f = gd.landscapes[name]
    p = _point_in(f, u, v)
    if name == "ackley" and np.hypot(*p) < 1e-2:
        p = p + 0.05
    H = f.hessian(p)
    assert H.shape == (2, 2)
    assert np.array_equal(H, H.T)
    numeric = gd.numerical_hessian(f, p, h=1e-5, grad=f.grad)
    assert np.allclose(H, numeric, rtol=1e-5, atol=1e-5 * max(1.0, np.abs(H).max()))


@pytest.mark.parametrize("name", NAMES)
def test_vectorized_equals_pointwise(name):
    f = gd.landscapes[name]
    rng = np.random.default_rng(3)
    (x0, x1), (y0, y1) = f.domain
    P = np.stack([rng.uniform(x0, x1, (4, 3)), rng.uniform(y0, y1, (4, 3))], axis=-1)
    values, grads, hessians = f(P), f.grad(P), f.hessian(P)
    assert values.shape == (4, 3) and grads.shape == (4, 3, 2) and hessians.shape == (4, 3, 2, 2)
    for i in range(4):
        for j in range(3):
            assert values[i, j] == pytest.approx(f(P[i, j]), rel=1e-13, abs=1e-13)
            assert np.allclose(grads[i, j], f.grad(P[i, j]), rtol=1e-13, atol=1e-13)
            assert np.allclose(hessians[i, j], f.hessian(P[i, j]), rtol=1e-13, atol=1e-13)


@pytest.mark.parametrize("name", NAMES)
def test_single_point_types(name):
    f = gd.landscapes[name]
    p = [0.3, -0.2]
    assert isinstance(f(p), float)
    assert f.grad(p).shape == (2,) and f.grad(p).dtype == np.float64
    assert f.hessian(p).shape == (2, 2)


@pytest.mark.parametrize("name", sorted(EXPECTED_KEYS - {"saddle", "ackley"}))
def test_minima_are_stationary_with_positive_definite_hessian(name):
    f = gd.landscapes[name]
    assert len(f.minima) >= 1
    for m in f.minima:
        assert np.linalg.norm(f.grad(m)) < 1e-9
        assert np.all(np.linalg.eigvalsh(f.hessian(m)) > 0)
        assert f(m) == pytest.approx(f.min_value, abs=1e-12)
    # nothing on a grid over the domain is lower than the global minimum
    _, _, Z = gd.grid(f, n=120)
    assert Z.min() >= f.min_value - 1e-9


def test_known_minimum_values():
    lm = gd.landscapes
    assert lm["rosenbrock"].minima.tolist() == [[1.0, 1.0]]
    assert lm["beale"]([3.0, 0.5]) == 0.0
    assert lm["booth"]([1.0, 3.0]) == 0.0
    assert lm["styblinski-tang"].min_value == pytest.approx(-78.33233140754282, abs=1e-9)
    assert lm["six-hump-camel"].min_value == pytest.approx(-1.0316284534898774, abs=1e-12)
    assert len(lm["himmelblau"].minima) == 4
    assert np.allclose([lm["himmelblau"](m) for m in lm["himmelblau"].minima], 0, atol=1e-20)
    camel = lm["six-hump-camel"]
    assert len(camel.minima) == 2
    assert camel(camel.minima[0]) == pytest.approx(camel(camel.minima[1]), abs=1e-15)


def test_ackley_cone_tip():
    f = gd.landscapes["ackley"]
    assert abs(f([0.0, 0.0])) < 1e-12
    assert f.grad([0.0, 0.0]).tolist() == [0.0, 0.0]
    assert np.all(np.linalg.eigvalsh(f.hessian([0.0, 0.0])) > 0)
    # next to the tip the slope does not vanish: it is a cone, not a smooth bowl
    assert np.linalg.norm(f.grad([1e-6, 0.0])) > 1.0
    assert f([0.0, 0.0]) < f([1e-3, 0.0])


def test_saddle_has_mixed_curvature_and_no_minimum():
    f = gd.landscapes["saddle"]
    assert f.minima.shape == (0, 2)
    assert np.isnan(f.min_value)
    assert f.grad([0.0, 0.0]).tolist() == [0.0, 0.0]
    eig = np.linalg.eigvalsh(f.hessian([0.0, 0.0]))
    assert eig[0] < 0 < eig[1]
    assert f.saddle_points.tolist() == [[0.0, 0.0]]


def test_ill_conditioned_quadratic():
    f = gd.IllConditionedQuadratic(condition_number=50, mu=2.0)
    assert f.L == 100.0 and f.mu == 2.0
    assert np.allclose(f.eigenvalues, [2.0, 100.0])
    g = gd.IllConditionedQuadratic(condition_number=50, mu=2.0, angle=0.7)
    assert np.allclose(g.eigenvalues, [2.0, 100.0])
    assert not np.allclose(g.A, np.diag([2.0, 100.0]))
    assert g.minima.tolist() == [[0.0, 0.0]]
    assert f([1.0, 1.0]) == pytest.approx(0.5 * (2.0 + 100.0))
    assert gd.landscapes["ill-conditioned"].condition_number == 10.0


def test_bowl_and_quadratic():
    assert gd.Bowl()([1.0, 2.0]) == 5.0
    assert gd.Bowl(scale=3.0)([1.0, 0.0]) == 3.0
    q = gd.Quadratic([[2.0, 1.0], [1.0, 3.0]], b=[1.0, -1.0], c=0.5)
    x = np.array([0.3, -0.7])
    assert q(x) == pytest.approx(0.5 * x @ q.A @ x - q.b @ x + 0.5)
    assert np.allclose(q.grad(q.minima[0]), 0.0)
    # n-D quadratics are allowed
    q3 = gd.Quadratic(np.diag([1.0, 2.0, 3.0]))
    assert q3([1.0, 1.0, 1.0]) == 3.0
    assert q3.grad(np.ones((5, 3))).shape == (5, 3)
    assert q3.hessian(np.ones((5, 3))).shape == (5, 3, 3)
    indefinite = gd.Quadratic([[1.0, 0.0], [0.0, -1.0]])
    assert indefinite.minima.shape == (0, 2)


def test_get_landscape():
    assert gd.get_landscape("rosenbrock") is gd.landscapes["rosenbrock"]
    assert gd.get_landscape("Six_Hump Camel") is gd.landscapes["six-hump-camel"]
    f = gd.get_landscape("rosenbrock", b=10)
    assert f is not gd.landscapes["rosenbrock"] and f.b == 10.0
    assert gd.get_landscape("ill-conditioned", condition_number=100).L == 100.0
    with pytest.raises(ValueError, match="'bowl'.*'six-hump-camel'"):
        gd.get_landscape("banana")
    with pytest.raises(TypeError, match="name"):
        gd.get_landscape(3)
    with pytest.raises(TypeError):
        gd.get_landscape("beale", nonsense=1)


def test_grid():
    f = gd.landscapes["himmelblau"]
    X, Y, Z = gd.grid(f, n=7)
    assert X.shape == Y.shape == Z.shape == (7, 7)
    assert X[0, 0] == -5.0 and X[0, -1] == 5.0 and Y[-1, 0] == 5.0
    assert Z[2, 3] == f([X[2, 3], Y[2, 3]])
    X, Y, Z = gd.grid(lambda p: float(p[0] + p[1]), n=3, domain=((0, 1), (0, 2)))
    assert Z.tolist() == [[0.0, 0.5, 1.0], [1.0, 1.5, 2.0], [2.0, 2.5, 3.0]]


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: gd.grid(gd.Bowl(), n=1), ValueError, "n must be >= 2"),
        (lambda: gd.grid(gd.Bowl(), n=2.5), TypeError, "n must be a whole number"),
        (lambda: gd.grid(lambda p: 0.0), ValueError, "domain"),
        (lambda: gd.grid(gd.Bowl(), domain=(0, 1)), ValueError, "domain"),
        (lambda: gd.grid(gd.Bowl(), domain=((1, 0), (0, 1))), ValueError, "xmin < xmax"),
        (lambda: gd.Rosenbrock()([1.0, 2.0, 3.0]), ValueError, r"shape \(2,\)"),
        (lambda: gd.Rosenbrock().grad(np.ones((4, 3))), ValueError, r"\(\.\.\., 2\)"),
        (lambda: gd.Rosenbrock().hessian(1.0), ValueError, "x must be"),
        (lambda: gd.Beale()(["a", "b"]), TypeError, "x must be"),
        (lambda: gd.Rosenbrock(b=0), ValueError, "b must be > 0"),
        (lambda: gd.Rosenbrock(a="1"), TypeError, "a must be a real number"),
        (lambda: gd.Rastrigin(A=-1), ValueError, "A must be > 0"),
        (lambda: gd.Ackley(b=0), ValueError, "b must be > 0"),
        (lambda: gd.Bowl(scale=0), ValueError, "scale must be > 0"),
        (lambda: gd.IllConditionedQuadratic(condition_number=0.5), ValueError, ">= 1"),
        (lambda: gd.IllConditionedQuadratic(mu=-1), ValueError, "mu must be > 0"),
        (lambda: gd.IllConditionedQuadratic(angle=float("nan")), ValueError, "angle"),
        (lambda: gd.Quadratic([[1.0, 2.0]]), ValueError, "square"),
        (lambda: gd.Quadratic([[1.0, 2.0], [0.0, 1.0]]), ValueError, "symmetric"),
        (lambda: gd.Quadratic([[np.inf, 0.0], [0.0, 1.0]]), ValueError, "finite"),
        (lambda: gd.Quadratic(np.eye(2), b=[1.0]), ValueError, "b must"),
        (lambda: gd.Quadratic("A"), TypeError, "A must"),
        (lambda: gd.Quadratic(np.eye(2))([1.0, 2.0, 3.0]), ValueError, "x must have shape"),
        (lambda: gd.Quadratic(np.eye(2), c="x"), TypeError, "c must"),
    ],
)
def test_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_overflow_is_not_an_exception():
    with np.errstate(all="ignore"):
        value = gd.Rosenbrock()([1e200, 1e200])
    assert value == np.inf


# --------------------------------------------------------------------------- critical points

KNOWN = [name for name, f in gd.landscapes.items() if f.critical_points() is not None]


def _newton_from_a_grid(f, n=40):
    """Every critical point Newton's method reaches from an n x n grid over f.domain."""
    (x0, x1), (y0, y1) = f.domain
    X, Y = np.meshgrid(np.linspace(x0, x1, n), np.linspace(y0, y1, n))
    p = np.stack([X.ravel(), Y.ravel()], axis=1)
    with np.errstate(all="ignore"):
        for _ in range(60):
            H, g = f.hessian(p), f.grad(p)
            ok = np.abs(np.linalg.det(H)) > 1e-12
            step = np.zeros_like(p)
            step[ok] = np.linalg.solve(H[ok], g[ok][..., None])[..., 0]
            p = p - step
        g = f.grad(p)
    inside = (p[:, 0] >= x0) & (p[:, 0] <= x1) & (p[:, 1] >= y0) & (p[:, 1] <= y1)
    found = []
    for q in p[inside & np.all(np.abs(g) < 1e-9, axis=1)]:
        if not any(np.allclose(q, r, atol=1e-6) for r in found):
            found.append(q)
    return found


def test_which_landscapes_list_their_critical_points():
    assert set(gd.landscapes) - set(KNOWN) == {"rastrigin", "ackley"}
    counts = {name: tuple(len(a) for a in gd.landscapes[name].critical_points())
              for name in KNOWN}
    assert counts["himmelblau"] == (4, 4, 1)
    assert counts["styblinski-tang"] == (4, 4, 1)
    assert counts["six-hump-camel"] == (6, 7, 2)
    assert counts["beale"] == (1, 2, 0)
    assert counts["saddle"] == (0, 1, 0)
    np.testing.assert_allclose(gd.Himmelblau().critical_points().maxima,
                               [[-0.270845, -0.923039]], atol=1e-6)


@pytest.mark.parametrize("name", KNOWN)
def test_critical_points_are_exact_and_of_their_kind(name):
    f = gd.landscapes[name]
    cp = f.critical_points()
    (x0, x1), (y0, y1) = f.domain
    scale = 1.0 + float(np.abs(f.hessian(np.vstack(list(cp)))).max())
    for kind, p in cp.kinds():
        assert x0 <= p[0] <= x1 and y0 <= p[1] <= y1, (kind, p)
        assert np.abs(f.grad(p)).max() <= 1e-13 * scale, (kind, p, f.grad(p))
        eig = np.linalg.eigvalsh(f.hessian(p))
        signs = {"minimum": (1, 1), "saddle": (-1, 1), "maximum": (-1, -1)}[kind]
        assert tuple(np.sign(eig).astype(int)) == signs, (kind, p, eig)
    for m in f.minima:  # the global minima are among the local ones
        assert any(np.allclose(m, q, atol=1e-12) for q in cp.minima)


@pytest.mark.parametrize("name", KNOWN)
def test_critical_points_are_complete_in_the_domain(name):
    f = gd.landscapes[name]
    listed = [p for _, p in f.critical_points().kinds()]
    found = _newton_from_a_grid(f)
    assert len(found) == len(listed)
    for q in found:
        assert any(np.allclose(q, p, atol=1e-8) for p in listed), q


def test_quadratic_critical_point_and_singular_case():
    q = gd.Quadratic([[2.0, 0.0], [0.0, -4.0]], b=[2.0, 4.0])
    cp = q.critical_points()
    assert cp.saddles.tolist() == [[1.0, -1.0]] and cp.minima.shape == (0, 2)
    assert gd.Quadratic(-np.eye(3)).critical_points().maxima.tolist() == [[0.0, 0.0, 0.0]]
    assert gd.Quadratic([[1.0, 0.0], [0.0, 0.0]]).critical_points() is None
    assert gd.Rosenbrock(a=2.0).critical_points().minima.tolist() == [[2.0, 4.0]]


def test_critical_points_are_copies():
    f = gd.Himmelblau()
    f.critical_points().maxima[0, 0] = 99.0
    assert f.critical_points().maxima[0, 0] != 99.0


def test_a_huge_grid_is_a_value_error_not_a_memory_error():
    with pytest.raises(ValueError, match="n must be <= 4,000 points per axis"):
        gd.grid(gd.landscapes["bowl"], n=100_000)


def test_get_landscape_takes_every_name_of_a_landscape():
    for key, f in gd.landscapes.items():
        for name in (key, f.name, type(f).__name__, key.upper(), f.name.title()):
            assert gd.get_landscape(name) is f, name
    assert gd.get_landscape("Styblinski–Tang") is gd.landscapes["styblinski-tang"]
    with pytest.raises(KeyError, match=r"unknown landscape 'banana'; known: 'bowl'"):
        gd.get_landscape("banana")


@pytest.mark.parametrize("make, match", [
    (lambda: gd.Rosenbrock(a=1e200), "a must be at most 1e"),
    (lambda: gd.Rosenbrock(b=1e300), "b must be at most 1e"),
    (lambda: gd.Bowl(scale=1e308), "scale must be at most 1e"),
    (lambda: gd.IllConditionedQuadratic(condition_number=1e308), r"condition_number \* mu must"),
    (lambda: gd.IllConditionedQuadratic(mu=1e200), "mu must be at most 1e"),
])
def test_parameters_whose_squares_overflow_are_value_errors_naming_them(make, match):
    with pytest.raises(ValueError, match=match):
        make()
