"""Tests for gdcore.optim: update rules, torch parity, validation, batching."""

from __future__ import annotations

import importlib.util
import inspect
import json
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gdcore as gd

DATA = Path(__file__).resolve().parents[1] / "data"


def _load_reference_module():
    spec = importlib.util.spec_from_file_location(
        "make_torch_reference", DATA / "make_torch_reference.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


REF = _load_reference_module()
REFERENCE = json.loads((DATA / "torch_reference.json").read_text())
CASES = {case["name"]: case for case in REFERENCE["cases"]}

ALL = list(gd.optimizers.values())
# A constructor call that works for every class (lr is required for some).
MAKE = {cls: (lambda cls=cls: cls(lr=0.05)) for cls in ALL}


def _kwargs(case: dict) -> dict:
    kwargs = dict(case["kwargs"])
    if "betas" in kwargs:
        kwargs["betas"] = tuple(kwargs["betas"])
    return kwargs


# ------------------------------------------------------------------ torch reference


def test_reference_file_is_small_and_complete():
    assert (DATA / "torch_reference.json").stat().st_size < 2_000_000
    assert REFERENCE["dtype"] == "float64"
    assert REFERENCE["steps"] == 500
    assert REFERENCE["torch_version"].startswith("2.13.0")
    # every optimizer with a torch counterpart is covered, on both objectives
    covered = {case["optimizer"] for case in REFERENCE["cases"]}
    assert covered == set(gd.optimizers) - {"sign_descent"}
    assert len(REFERENCE["runs"]) == 2 * len(REFERENCE["cases"])
    # the module never imports torch when imported (tests must not need it)
    source = (DATA / "make_torch_reference.py").read_text()
    assert not re.search(r"^(import|from) torch", source, flags=re.MULTILINE)


@pytest.mark.parametrize(
    "run", REFERENCE["runs"], ids=[f"{r['case']}-{r['objective']}" for r in REFERENCE["runs"]]
)
def test_matches_torch_trajectory(run):
    case = CASES[run["case"]]
    spec = REF.OBJECTIVES[run["objective"]]
    expected = np.array(run["xs"])
    assert expected.shape == (REFERENCE["steps"] + 1, 2)

    opt = gd.optimizers[case["optimizer"]](lr=case["lr"][run["objective"]], **_kwargs(case))
    x = np.array(spec["x0"])
    xs = [x]
    for _ in range(REFERENCE["steps"]):
        x = opt.step(x, spec["grad"](x))
        xs.append(x)
    np.testing.assert_allclose(np.array(xs), expected, rtol=1e-9, atol=0)

    # the same optimizer through minimize gives the same points
    class Objective:
        def __call__(self, p):
            return spec["f"](p)

        def grad(self, p):
            return spec["grad"](p)

    run_ = gd.minimize(Objective(), opt, spec["x0"], REFERENCE["steps"], diverge_at=1e300)
    np.testing.assert_allclose(run_.xs, expected, rtol=1e-9, atol=0)


# ------------------------------------------------------------------ public surface


def test_registry_lists_every_optimizer():
    assert set(gd.optimizers) == {
        "sign_descent", "gradient_descent", "momentum", "nesterov", "adagrad", "rmsprop",
        "adadelta", "adam", "adamw",
    }
    for cls in gd.optimizers.values():
        assert issubclass(cls, gd.Optimizer)
        assert cls.name == cls.__name__
        assert cls.__doc__ and ">>>" in cls.__doc__


@pytest.mark.parametrize(
    "cls, defaults",
    [
        (gd.GradientDescent, {"weight_decay": 0.0}),
        (gd.Momentum, {"momentum": 0.9, "dampening": 0.0, "weight_decay": 0.0}),
        (gd.Nesterov, {"momentum": 0.9, "weight_decay": 0.0}),
        (gd.AdaGrad, {"lr": 0.01, "lr_decay": 0.0, "weight_decay": 0.0, "eps": 1e-10,
                      "initial_accumulator_value": 0.0}),
        (gd.RMSProp, {"lr": 0.01, "alpha": 0.99, "eps": 1e-8, "weight_decay": 0.0,
                      "momentum": 0.0, "centered": False}),
        (gd.AdaDelta, {"lr": 1.0, "rho": 0.9, "eps": 1e-6, "weight_decay": 0.0}),
        (gd.Adam, {"lr": 0.001, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0.0,
                   "amsgrad": False}),
        (gd.AdamW, {"lr": 0.001, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0.01,
                    "amsgrad": False}),
    ],
)
def test_defaults_follow_torch(cls, defaults):
    params = inspect.signature(cls).parameters
    for name, value in defaults.items():
        assert params[name].default == value, name


@pytest.mark.parametrize("cls", [gd.SignDescent, gd.GradientDescent, gd.Momentum, gd.Nesterov])
def test_lr_is_required_where_torch_requires_it(cls):
    assert inspect.signature(cls).parameters["lr"].default is inspect.Parameter.empty
    with pytest.raises(TypeError):
        cls()


def test_repr_shows_hyperparameters_and_lr_is_an_attribute():
    opt = gd.Adam(lr=0.1, betas=(0.8, 0.99))
    assert repr(opt) == (
        "Adam(lr=0.1, betas=(0.8, 0.99), eps=1e-08, weight_decay=0.0, amsgrad=False)"
    )
    assert repr(gd.Momentum(0.5)) == (
        "Momentum(lr=0.5, momentum=0.9, dampening=0.0, weight_decay=0.0)"
    )
    assert repr(gd.SignDescent(0.5)) == "SignDescent(lr=0.5)"
    assert gd.RMSProp().hyperparameters()["alpha"] == 0.99
    opt.lr = 0.5
    assert "lr=0.5" in repr(opt)
    assert opt.name == "Adam" and gd.AdamW().name == "AdamW"


def test_base_class_requires_update():
    with pytest.raises(NotImplementedError):
        gd.Optimizer(lr=1.0).step(np.zeros(2), np.zeros(2))


# ------------------------------------------------------------------ validation


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: gd.GradientDescent(lr=0), "lr must be > 0"),
        (lambda: gd.GradientDescent(lr=-0.1), "lr must be > 0"),
        (lambda: gd.SignDescent(lr=float("nan")), "lr must be finite"),
        (lambda: gd.Adam(lr=float("inf")), "lr must be finite"),
        (lambda: gd.GradientDescent(lr=0.1, weight_decay=-1), "weight_decay must be >= 0"),
        (lambda: gd.Momentum(lr=0.1, momentum=-0.1), "momentum must be >= 0"),
        (lambda: gd.Momentum(lr=0.1, dampening=1.5), r"dampening must be in \[0, 1\]"),
        (lambda: gd.Momentum(lr=0.1, weight_decay=-1), "weight_decay must be >= 0"),
        (lambda: gd.Nesterov(lr=0.1, momentum=-0.5), "momentum must be >= 0"),
        (lambda: gd.Nesterov(lr=0.1, weight_decay=-0.5), "weight_decay must be >= 0"),
        (lambda: gd.AdaGrad(eps=-1e-10), "eps must be >= 0"),
        (lambda: gd.AdaGrad(lr_decay=-1), "lr_decay must be >= 0"),
        (lambda: gd.AdaGrad(weight_decay=-1), "weight_decay must be >= 0"),
        (lambda: gd.AdaGrad(initial_accumulator_value=-1), "initial_accumulator_value"),
        (lambda: gd.RMSProp(alpha=1.01), r"alpha must be in \[0, 1\]"),
        (lambda: gd.RMSProp(alpha=-0.01), r"alpha must be in \[0, 1\]"),
        (lambda: gd.RMSProp(eps=-1), "eps must be >= 0"),
        (lambda: gd.RMSProp(momentum=-1), "momentum must be >= 0"),
        (lambda: gd.RMSProp(weight_decay=-1), "weight_decay must be >= 0"),
        (lambda: gd.AdaDelta(rho=1.5), r"rho must be in \[0, 1\]"),
        (lambda: gd.AdaDelta(rho=-0.5), r"rho must be in \[0, 1\]"),
        (lambda: gd.AdaDelta(eps=-1), "eps must be >= 0"),
        (lambda: gd.AdaDelta(weight_decay=-1), "weight_decay must be >= 0"),
        (lambda: gd.AdaDelta(lr=0), "lr must be > 0"),
        (lambda: gd.Adam(betas=(1.0, 0.999)), r"betas\[0\] must be in \[0, 1\)"),
        (lambda: gd.Adam(betas=(-0.1, 0.999)), r"betas\[0\] must be in \[0, 1\)"),
        (lambda: gd.Adam(betas=(0.9, 1.0)), r"betas\[1\] must be in \[0, 1\)"),
        (lambda: gd.AdamW(betas=(0.9, 2.0)), r"betas\[1\] must be in \[0, 1\)"),
        (lambda: gd.Adam(eps=-1e-8), "eps must be >= 0"),
        (lambda: gd.Adam(weight_decay=-0.1), "weight_decay must be >= 0"),
        (lambda: gd.AdamW(weight_decay=-0.1), "weight_decay must be >= 0"),
        (lambda: gd.Adam(lr=-1), "lr must be > 0"),
    ],
)
def test_bad_hyperparameters_raise_value_error_naming_them(make, match):
    with pytest.raises(ValueError, match=match):
        make()


@pytest.mark.parametrize(
    "make, error",
    [
        (lambda: gd.GradientDescent(lr="0.1"), TypeError),
        (lambda: gd.Adam(betas=0.9), TypeError),
        (lambda: gd.Adam(betas=(0.9, 0.99, 0.999)), TypeError),
        (lambda: gd.Momentum(lr=0.1, momentum=True), TypeError),
    ],
)
def test_wrong_types_raise_type_error(make, error):
    with pytest.raises(error):
        make()


@pytest.mark.parametrize("cls", ALL)
def test_gradient_of_wrong_shape_is_rejected(cls):
    opt = MAKE[cls]()
    with pytest.raises(ValueError, match=r"grad must have the shape of x \(2,\), got \(3,\)"):
        opt.step(np.zeros(2), np.zeros(3))
    with pytest.raises(ValueError, match="grad must have the shape"):
        opt.step(np.zeros((4, 2)), np.zeros(2))  # no silent broadcasting


@pytest.mark.parametrize("cls", ALL)
def test_state_is_tied_to_a_shape_until_reset(cls):
    opt = MAKE[cls]()
    opt.step(np.ones(2), np.ones(2))
    with pytest.raises(ValueError, match="call reset"):
        opt.step(np.ones(3), np.ones(3))
    opt.reset()
    assert opt.t == 0
    assert opt.step(np.ones(3), np.ones(3)).shape == (3,)


@pytest.mark.parametrize("cls", ALL)
def test_step_fast_path_takes_only_float_arrays_of_the_state_shape(cls):
    """Lists, int and float32 arrays go through the checked path and give the same steps."""
    x, g = np.array([1.0, -2.0]), np.array([3.0, 0.5])
    expected = MAKE[cls]().step(x, g).tolist()
    for x_in, g_in in [([1, -2], [3.0, 0.5]), (x.astype(np.float32), g),
                       (x, g.astype(np.float32)), (x.tolist(), g)]:
        assert MAKE[cls]().step(x_in, g_in).tolist() == expected
    opt = MAKE[cls]()
    opt.step(x, g)
    with pytest.raises(ValueError, match="grad must have the shape"):
        opt.step(x, g[:1])  # same type and dtype as the state, wrong shape
    with pytest.raises(ValueError, match="call reset"):
        opt.step(np.ones(3), np.ones(3))


# ------------------------------------------------------------------ behaviour


@pytest.mark.parametrize("cls", ALL)
def test_reset_makes_runs_repeatable(cls):
    opt = MAKE[cls]()
    rng = np.random.default_rng(0)
    grads = rng.normal(size=(5, 3))

    def run():
        x = np.zeros(3)
        for g in grads:
            x = opt.step(x, g)
        return x

    first = run()
    assert opt.t == 5
    opt.reset()
    np.testing.assert_array_equal(run(), first)


@settings(max_examples=40, deadline=None)
@given(
    index=st.integers(0, len(ALL) - 1),
    m=st.integers(1, 4),
    d=st.integers(1, 3),
    seed=st.integers(0, 2**32 - 1),
)
def test_batch_rows_are_independent_runs_and_inputs_are_not_mutated(index, m, d, seed):
    cls = ALL[index]
    rng = np.random.default_rng(seed)
    x0 = rng.normal(size=(m, d))
    grads = rng.normal(size=(4, m, d)) * 10.0 ** rng.integers(-3, 3, size=(4, m, d))
    batch = MAKE[cls]()
    X = x0.copy()
    for g in grads:
        g_copy, X_copy = g.copy(), X.copy()
        X_next = batch.step(X, g)
        np.testing.assert_array_equal(X, X_copy)  # x left alone
        np.testing.assert_array_equal(g, g_copy)  # grad left alone
        assert X_next is not X
        X = X_next
    for i in range(m):
        single = MAKE[cls]()
        x = x0[i]
        for g in grads:
            x = single.step(x, g[i])
        np.testing.assert_array_equal(X[i], x)


@pytest.mark.parametrize("cls", ALL)
def test_scalar_and_list_inputs(cls):
    opt = MAKE[cls]()
    out = opt.step([1.0, 2.0], [0.5, -0.5])
    assert isinstance(out, np.ndarray) and out.shape == (2,) and out.dtype == float
    assert out[0] < 1.0 and out[1] > 2.0  # moved against the gradient


def test_gd_contracts_at_the_optimal_rate_on_an_ill_conditioned_quadratic():
    mu, L = 1.0, 100.0
    kappa = L / mu
    A = np.array([mu, L])  # f(x) = 0.5 * sum(A * x**2)
    opt = gd.GradientDescent(lr=2 / (L + mu))
    x = np.array([1.0, -1.0])
    rate = (kappa - 1) / (kappa + 1)
    for _ in range(50):
        x_next = opt.step(x, A * x)
        assert np.linalg.norm(x_next) / np.linalg.norm(x) == pytest.approx(rate, rel=1e-12)
        x = x_next
    # a bigger step is faster on mu but diverges on L; a smaller one is slower
    slow = gd.GradientDescent(lr=1 / L)
    y = slow.step(np.array([1.0, 0.0]), A * np.array([1.0, 0.0]))
    assert np.linalg.norm(y) > rate


def test_weight_decay_adds_lambda_x_to_the_gradient():
    x, g = np.array([2.0, -1.0]), np.array([0.5, 0.5])
    a = gd.GradientDescent(lr=0.1, weight_decay=0.3).step(x, g)
    b = gd.GradientDescent(lr=0.1).step(x, g + 0.3 * x)
    np.testing.assert_allclose(a, b, rtol=1e-15)


def _quadratic_grad(x):
    return np.array([4.0, 0.5]) * x


def test_momentum_equals_classical_heavy_ball():
    lr, mu = 0.05, 0.8
    opt = gd.Momentum(lr=lr, momentum=mu)
    x = y = np.array([1.0, -2.0])
    v = np.zeros(2)
    for _ in range(100):
        x = opt.step(x, _quadratic_grad(x))
        v = mu * v + lr * _quadratic_grad(y)  # v <- gamma v + eta g
        y = y - v
        np.testing.assert_allclose(x, y, rtol=1e-10, atol=1e-15)


def test_nesterov_equals_the_lookahead_form():
    lr, mu = 0.05, 0.8
    opt = gd.Nesterov(lr=lr, momentum=mu)
    x = np.array([1.0, -2.0])
    theta, v = x.copy(), np.zeros(2)  # Sutskever et al.: gradient at theta + mu v
    for _ in range(100):
        x = opt.step(x, _quadratic_grad(x))
        v = mu * v - lr * _quadratic_grad(theta + mu * v)
        theta = theta + v
        # torch's Nesterov iterate is the look-ahead point theta + mu v
        np.testing.assert_allclose(x, theta + mu * v, rtol=1e-10, atol=1e-15)


def test_nesterov_equals_classical_velocity_form():
    lr, mu = 0.05, 0.8
    opt = gd.Nesterov(lr=lr, momentum=mu)
    x = y = np.array([1.0, -2.0])
    v = np.zeros(2)
    for _ in range(100):
        g = _quadratic_grad(y)
        x = opt.step(x, _quadratic_grad(x))
        v = mu * v + lr * g
        y = y - (mu * v + lr * g)
        np.testing.assert_allclose(x, y, rtol=1e-10, atol=1e-15)


def test_momentum_zero_and_dampening():
    x, g = np.array([1.0]), np.array([2.0])
    plain = gd.Momentum(lr=0.1, momentum=0.0)
    for _ in range(3):
        x = plain.step(x, g)
    assert x[0] == pytest.approx(1.0 - 3 * 0.2)
    damp = gd.Momentum(lr=1.0, momentum=0.5, dampening=0.5)
    a = damp.step(np.zeros(1), np.ones(1))  # b = g (no dampening on the first step)
    b = damp.step(a, np.ones(1))  # b = 0.5 * 1 + 0.5 * 1 = 1
    assert a[0] == -1.0 and b[0] == -2.0


@settings(max_examples=50, deadline=None)
@given(
    scale=st.floats(1e-3, 1e3),
    sign=st.sampled_from([-1.0, 1.0]),
    lr=st.floats(1e-4, 1.0),
)
def test_adam_first_step_has_length_lr_whatever_the_gradient_scale(scale, sign, lr):
    for cls in (gd.Adam, gd.AdamW):
        opt = cls(lr=lr, weight_decay=0.0)
        x = np.array([0.3, -0.7])
        step = opt.step(x, sign * scale * np.array([1.0, -2.0])) - x
        np.testing.assert_allclose(np.abs(step), lr, rtol=1e-5)
        assert np.all(np.sign(step) == -sign * np.array([1.0, -1.0]))


def test_adam_bias_correction_keeps_early_steps_near_lr():
    opt = gd.Adam(lr=0.01)
    x = np.zeros(1)
    for _ in range(10):  # constant gradient: every step is exactly about lr
        x_next = opt.step(x, np.array([3.0]))
        assert x[0] - x_next[0] == pytest.approx(0.01, rel=1e-6)
        x = x_next


def test_amsgrad_uses_the_running_max():
    plain, ams = gd.Adam(lr=0.1), gd.Adam(lr=0.1, amsgrad=True)
    x = y = np.zeros(1)
    for g in [10.0, 10.0, 0.1, 0.1]:
        x = plain.step(x, np.array([g]))
        y = ams.step(y, np.array([g]))
    np.testing.assert_array_equal(ams.max_exp_avg_sq >= ams.exp_avg_sq, [True])
    assert abs(y[0]) < abs(x[0])  # larger denominator, smaller late steps


def test_adamw_decays_the_point_not_the_gradient():
    opt = gd.AdamW(lr=0.1, weight_decay=0.5)
    x = opt.step(np.array([2.0]), np.array([0.0]))
    assert x[0] == pytest.approx(2.0 * (1 - 0.05))
    adam_l2 = gd.Adam(lr=0.1, weight_decay=0.5).step(np.array([2.0]), np.array([0.0]))
    assert adam_l2[0] == pytest.approx(1.9, rel=1e-6)  # Adam: L2 term normalized to lr


def test_sign_descent_and_adagrad_first_steps():
    x = np.array([1.0, 1.0, 1.0])
    g = np.array([1e-6, -1e6, 0.0])
    np.testing.assert_array_equal(gd.SignDescent(lr=0.5).step(x, g), [0.5, 1.5, 1.0])
    step = gd.AdaGrad(lr=0.5).step(x, g) - x
    np.testing.assert_allclose(step, [-0.5, 0.5, 0.0], rtol=1e-3)


def test_adagrad_steps_shrink_and_lr_decay():
    opt = gd.AdaGrad(lr=1.0)
    x, lengths = np.zeros(1), []
    for _ in range(4):
        x_next = opt.step(x, np.ones(1))
        lengths.append(x[0] - x_next[0])
        x = x_next
    np.testing.assert_allclose(lengths, 1 / np.sqrt([1, 2, 3, 4]), rtol=1e-9)
    decayed = gd.AdaGrad(lr=1.0, lr_decay=1.0)
    decayed.step(np.zeros(1), np.ones(1))
    second = decayed.step(np.zeros(1), np.ones(1))
    assert -second[0] == pytest.approx(0.5 / np.sqrt(2))


def test_rmsprop_first_step_and_variants():
    x, g = np.array([0.0]), np.array([2.0])
    assert gd.RMSProp(lr=0.01).step(x, g)[0] == pytest.approx(-0.1, rel=1e-6)
    centered = gd.RMSProp(lr=0.01, centered=True).step(x, g)[0]
    # centered: sqrt(0.01 g^2 - (0.01 g)^2) = sqrt(0.0099) |g|
    assert centered == pytest.approx(-0.01 / np.sqrt(0.0099), rel=1e-6)
    mom = gd.RMSProp(lr=0.01, momentum=0.9)
    a = mom.step(x, g)
    b = mom.step(a, g)
    assert (a[0] - b[0]) > (x[0] - a[0])  # momentum builds up


def test_adadelta_starts_tiny_and_grows():
    opt = gd.AdaDelta()
    x, lengths = np.zeros(1), []
    for _ in range(20):
        x_next = opt.step(x, np.ones(1))
        lengths.append(x[0] - x_next[0])
        x = x_next
    assert lengths[0] == pytest.approx(np.sqrt(1e-6) / np.sqrt(0.1 + 1e-6), rel=1e-9)
    assert all(b > a for a, b in zip(lengths, lengths[1:], strict=False))


def test_schedules_can_change_lr_between_steps():
    opt = gd.GradientDescent(lr=1.0)
    x = opt.step(np.zeros(1), np.ones(1))
    opt.lr = 0.0  # a schedule may reach zero (cosine annealing to min_lr = 0)
    np.testing.assert_array_equal(opt.step(x, np.ones(1)), x)


# --------------------------------------------------------------------------- at the edges


@pytest.mark.parametrize("g, alpha", [(0.1, 0.9), (0.7, 0.5), (1e-3, 0.5), (3.0, 0.99)])
def test_centered_rmsprop_survives_a_constant_gradient(g, alpha):
    # E[g^2] - E[g]^2 is 0 for a constant gradient; round-off used to make it negative
    # (NaN after 50 to 400 steps). Clamped at 0 the steps become lr * g / eps: large, finite.
    opt = gd.RMSProp(lr=1e-12, alpha=alpha, centered=True)
    x = np.zeros(1)
    for _ in range(2000):
        x = opt.step(x, np.array([g]))
        assert np.isfinite(x).all()
    assert x[0] < 0  # it moved downhill, by finite steps


def test_centered_rmsprop_unchanged_where_the_variance_is_positive():
    rng = np.random.default_rng(0)
    grads = rng.standard_normal((300, 3))
    opt = gd.RMSProp(lr=0.01, centered=True, momentum=0.5)
    x = np.zeros(3)
    sq, mean, buf = np.zeros(3), np.zeros(3), np.zeros(3)
    for grad in grads:
        x_new = opt.step(x, grad)
        sq = sq * 0.99 + 0.01 * grad * grad
        mean = mean + 0.01 * (grad - mean)
        buf = buf * 0.5 + grad / (np.sqrt(sq - mean * mean) + 1e-8)
        np.testing.assert_allclose(x_new, x - 0.01 * buf, rtol=1e-12, atol=1e-15)
        x = x_new


@pytest.mark.parametrize("make", [gd.AdaGrad, gd.RMSProp, gd.AdaDelta, gd.Adam, gd.AdamW])
def test_eps_zero_is_refused_with_the_reason(make):
    with pytest.raises(ValueError, match=rf"eps must be > 0 for {make.__name__}: .*0/0"):
        make(eps=0.0)
    with pytest.raises(ValueError, match="eps must be >= 0"):
        make(eps=-1e-8)
    opt = make(eps=1e-300)  # tiny is allowed: a zero gradient then gives a zero step
    np.testing.assert_array_equal(opt.step(np.ones(2), np.zeros(2)),
                                  np.ones(2) * (1 - opt.lr * getattr(opt, "_decoupled", 0)
                                                * opt.weight_decay))


# --------------------------------------------------------------------------- names and docs


def test_get_optimizer_takes_keys_and_class_names_in_any_case():
    for key, cls in gd.optimizers.items():
        for name in (key, cls.__name__, key.upper(), key.replace("_", " "), cls.__name__.lower()):
            opt = gd.get_optimizer(name, lr=0.1)
            assert type(opt) is cls and opt.lr == 0.1
    assert gd.get_optimizer("Adam", lr=0.1, betas=(0.8, 0.9)).betas == (0.8, 0.9)
    with pytest.raises(KeyError, match=r"unknown optimizer 'adamm'; known: 'sign_descent'.*w'"):
        gd.get_optimizer("adamm")
    with pytest.raises(ValueError, match="unknown optimizer"):  # also a ValueError
        gd.get_optimizer("adamm")
    with pytest.raises(TypeError, match="name must be a string"):
        gd.get_optimizer(gd.Adam)
    assert str(gd.UnknownName("x", "y", ["a"])).startswith("unknown x 'y'")  # no quotes


def test_split_and_join_betas_are_inverse():
    opt = gd.Adam(lr=0.1, betas=(0.8, 0.99))
    flat = opt.hyperparameters(flat=True)
    assert list(flat) == ["lr", "beta1", "beta2", "eps", "weight_decay", "amsgrad"]
    assert (flat["beta1"], flat["beta2"]) == (0.8, 0.99)
    assert gd.join_betas(flat) == opt.hyperparameters()
    assert repr(gd.Adam(**gd.join_betas(flat))) == repr(opt)
    assert gd.split_betas({"lr": 1.0}) == {"lr": 1.0} == gd.join_betas({"lr": 1.0})
    assert gd.join_betas({"beta2": 0.9}) == {"betas": (0.9, 0.9)}
    assert gd.join_betas({"beta2": 0.5}, default=(0.7, 0.8)) == {"betas": (0.7, 0.5)}
    assert gd.join_betas({"betas": (0.5, 0.6), "beta1": 0.5}) == {"betas": (0.5, 0.6)}
    with pytest.raises(ValueError, match="disagrees with beta1/beta2"):
        gd.join_betas({"betas": (0.5, 0.6), "beta1": 0.7})
    with pytest.raises(ValueError, match=r"betas\[0\] must be in"):
        gd.join_betas({"beta1": 1.5})
    with pytest.raises(TypeError, match="betas must be a pair"):
        gd.split_betas({"betas": 0.9})
    assert gd.GradientDescent(lr=0.1).hyperparameters(flat=True) == {"lr": 0.1,
                                                                      "weight_decay": 0.0}


@pytest.mark.parametrize("cls", list(gd.optimizers.values()), ids=lambda c: c.__name__)
def test_every_optimizer_cites_its_paper_and_uses_the_course_symbols(cls):
    doc = cls.__doc__
    refs = doc.split("References:")
    assert len(refs) == 2, "a References section"
    assert re.search(r"\((19|20)\d\d\)", refs[1]), "author (year)"
    assert r"\theta" in doc and "x_t" not in doc and r"\mu" not in doc


VARIANTS = [("rmsprop", {"centered": True, "momentum": 0.9}), ("adam", {"amsgrad": True}),
            ("momentum", {"dampening": 0.5}), ("adagrad", {"lr_decay": 0.1})]


@settings(max_examples=150, deadline=None)
@given(case=st.sampled_from([(k, {}) for k in sorted(gd.optimizers)] + VARIANTS),
       lr=st.floats(1e-8, 10), weight_decay=st.floats(0, 1),
       grads=st.lists(st.lists(st.floats(-1e6, 1e6), min_size=3, max_size=3), min_size=1,
                      max_size=30),
       x0=st.lists(st.floats(-1e6, 1e6), min_size=3, max_size=3))
def test_no_optimizer_makes_a_nan_from_finite_numbers(case, lr, weight_decay, grads, x0):
    name, extra = case
    kwargs = {"lr": lr, **extra}
    if name != "sign_descent":
        kwargs["weight_decay"] = weight_decay
    opt = gd.optimizers[name](**kwargs)
    x = np.array(x0)
    with np.errstate(all="raise"):
        for g in grads:
            try:
                x = opt.step(x, np.array(g))
            except FloatingPointError as error:  # overflow to inf is a divergence, allowed
                assert "invalid" not in str(error), (name, kwargs, error)
                return
            assert x.shape == (3,)
