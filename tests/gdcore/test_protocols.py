"""The library's contracts as typing.Protocols: the built-ins follow them, and so does
anything written from scratch with the same methods."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

import gdcore as gd
from gdcore import protocols


def test_protocols_are_exported_and_documented():
    for name in protocols.__all__:
        obj = getattr(gd, name)
        assert obj is getattr(protocols, name)
        assert ">>>" in (obj.__doc__ or ""), f"{name} needs a runnable example"


def test_builtins_follow_the_protocols():
    for f in gd.landscapes.values():
        assert isinstance(f, gd.Objective) and isinstance(f, gd.ObjectiveWithHessian)
    assert isinstance(gd.DartLoss(), gd.Objective)
    optimizers = [
        cls for _, cls in inspect.getmembers(gd.optim, inspect.isclass)
        if issubclass(cls, gd.Optimizer) and cls is not gd.Optimizer
    ]
    assert len(optimizers) >= 9
    for cls in optimizers:
        assert isinstance(cls(lr=0.1), gd.OptimizerLike), cls
    for model in (gd.LinearRegression(), gd.LogisticRegression(), gd.SoftmaxRegression()):
        assert isinstance(model, gd.Model)


class Bowl:
    def __call__(self, x):
        return float(x @ x)

    def grad(self, x):
        return 2 * x


class NoGrad:
    def __call__(self, x):
        return 0.0


class PlainSGD:
    def __init__(self, lr):
        self.lr = lr

    def step(self, x, grad):
        return x - self.lr * grad

    def reset(self):
        pass


def test_objects_with_the_methods_match_and_others_do_not():
    assert isinstance(Bowl(), gd.Objective)
    assert not isinstance(Bowl(), gd.ObjectiveWithHessian)
    assert not isinstance(NoGrad(), gd.Objective)
    assert not isinstance(lambda x: 0.0, gd.Objective)
    assert isinstance(PlainSGD(0.1), gd.OptimizerLike)
    assert not isinstance(Bowl(), gd.OptimizerLike)
    assert not isinstance(gd.Adam(), gd.Model)
    assert not isinstance(Bowl(), gd.Model)


def test_hand_written_objective_and_optimizer_run_like_the_builtins():
    mine = gd.minimize(Bowl(), PlainSGD(0.1), [3.0, -4.0], 50)
    ref = gd.minimize(Bowl(), gd.GradientDescent(lr=0.1), [3.0, -4.0], 50)
    assert np.array_equal(mine.xs, ref.xs) and mine.label == "PlainSGD"


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: gd.minimize(NoGrad(), gd.Adam(), [0.0], 1), "f.grad"),
        (lambda: gd.minimize(Bowl(), object(), [0.0], 1), "step, reset"),
        (lambda: gd.newton(Bowl(), [0.0], 1), "hessian"),
        (lambda: gd.fit(Bowl(), [[0.0]], [0.0], gd.Adam(), 1), "loss_and_grad"),
    ],
)
def test_what_does_not_follow_a_protocol_is_named(call, match):
    with pytest.raises(TypeError, match=match):
        call()
