"""Tests for gdcore.clip."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import gdcore as gd

finite = st.floats(-1e6, 1e6, allow_nan=False)


def test_clip_by_value():
    g = np.array([0.5, -3.0, 2.0])
    np.testing.assert_array_equal(gd.clip_by_value(g, 1.0), [0.5, -1.0, 1.0])
    np.testing.assert_array_equal(g, [0.5, -3.0, 2.0])  # input untouched
    np.testing.assert_array_equal(gd.clip_by_value([[5.0, -5.0]], 2), [[2.0, -2.0]])


def test_clip_by_norm_vector():
    g = np.array([3.0, 4.0])
    np.testing.assert_allclose(gd.clip_by_norm(g, 1.0), [0.6, 0.8])
    np.testing.assert_array_equal(g, [3.0, 4.0])
    short = gd.clip_by_norm(g, 10.0)
    np.testing.assert_array_equal(short, g)
    assert short is not g
    np.testing.assert_array_equal(gd.clip_by_norm(np.zeros(3), 1.0), np.zeros(3))
    assert gd.clip_by_norm(-7.0, 2.0).tolist() == -2.0


def test_clip_by_norm_rows_of_a_batch():
    G = np.array([[3.0, 4.0], [0.3, 0.4], [0.0, 0.0], [-30.0, 40.0]])
    out = gd.clip_by_norm(G, 1.0)
    np.testing.assert_allclose(out, [[0.6, 0.8], [0.3, 0.4], [0.0, 0.0], [-0.6, 0.8]])


def test_clip_by_norm_survives_exploding_gradients_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = gd.clip_by_norm(np.array([3e200, 4e200]), 1.0)
        np.testing.assert_allclose(out, [0.6, 0.8])
        out = gd.clip_by_norm(np.array([[3e200, 4e200], [1.0, 0.0]]), 1.0)
        np.testing.assert_allclose(out, [[0.6, 0.8], [1.0, 0.0]])


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: gd.clip_by_value([1.0], 0), ValueError, "limit must be > 0"),
        (lambda: gd.clip_by_value([1.0], -1), ValueError, "limit must be > 0"),
        (lambda: gd.clip_by_value([1.0], "big"), TypeError, "limit must be a real number"),
        (lambda: gd.clip_by_norm([1.0], 0), ValueError, "max_norm must be > 0"),
        (lambda: gd.clip_by_norm([1.0], float("nan")), ValueError, "max_norm must be finite"),
    ],
)
def test_validation(call, error, match):
    with pytest.raises(error, match=match):
        call()


@given(g=hnp.arrays(float, st.integers(1, 6), elements=finite), c=st.floats(1e-3, 1e3))
def test_clip_by_norm_properties(g, c):
    out = gd.clip_by_norm(g, c)
    norm, new = np.linalg.norm(g), np.linalg.norm(out)
    assert new <= c * (1 + 1e-12)
    assert new == pytest.approx(min(norm, c), rel=1e-9, abs=1e-300)
    if norm > 0:  # same direction
        np.testing.assert_allclose(out / max(new, 1e-300), g / norm, rtol=1e-9, atol=1e-12)


@given(g=hnp.arrays(float, (3, 2), elements=finite), c=st.floats(1e-3, 1e3))
def test_clip_by_value_properties(g, c):
    out = gd.clip_by_value(g, c)
    assert np.all(np.abs(out) <= c)
    inside = np.abs(g) <= c
    np.testing.assert_array_equal(out[inside], g[inside])
    np.testing.assert_array_equal(np.sign(out), np.sign(g))


@pytest.mark.parametrize("bad", ["abc", None, [1.0, "x"], 1j, [True, False]])
def test_gradients_that_are_not_real_numbers(bad):
    with pytest.raises(TypeError, match="grad must be a real number"):
        gd.clip_by_value(bad, 1.0)
    with pytest.raises(TypeError, match="grad must be a real number"):
        gd.clip_by_norm(bad, 1.0)


@given(g=st.lists(st.floats(-1e300, 1e300), min_size=1, max_size=6),
       c=st.floats(1e-6, 1e6))
@settings(max_examples=80, deadline=None)
def test_clip_by_norm_never_exceeds_the_limit_and_keeps_the_direction(g, c):
    g = np.array(g)
    out = gd.clip_by_norm(g, c)
    assert np.all(np.isfinite(out))
    peak = np.abs(out).max()
    norm = peak * np.sqrt(np.sum((out / peak) ** 2)) if peak > 0 else 0.0
    assert norm <= c * (1 + 1e-12) or np.array_equal(out, g)
    assert np.all((np.sign(out) == np.sign(g)) | (out == 0))  # tiny entries may underflow
