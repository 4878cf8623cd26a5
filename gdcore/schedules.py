"""Learning-rate schedules: callables that turn a step number into a learning rate.

A schedule is called with the step index ``t = 0, 1, 2, ...`` and returns the learning
rate for that step; ``minimize(..., schedule=s)`` sets ``optimizer.lr = s(t)`` before
step ``t``. Any function ``t -> lr`` works there too; these classes add a readable
``repr`` and ``values(steps)`` for plotting.

    >>> s = StepLR(0.1, step_size=10)
    >>> s(0), s(9), s(10)
    (0.1, 0.1, 0.010000000000000002)
    >>> s.values(3)
    array([0.1, 0.1, 0.1])
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from gdcore._checks import check_in_range, check_int, check_nonnegative, check_positive

__all__ = [
    "Schedule",
    "ConstantLR",
    "StepLR",
    "ExponentialLR",
    "InverseTimeLR",
    "CosineLR",
    "CosineWarmRestartsLR",
    "LinearLR",
    "SequentialLR",
]


#: The most learning rates :meth:`Schedule.values` returns at once (80 MB of floats).
MAX_VALUES = 10_000_000


class Schedule:
    """Base class: ``schedule(t)`` is the learning rate at step ``t`` (``t >= 0``).

    Subclasses implement ``_lr(t)``; ``lr`` is always the initial (largest) rate.

    Example:
        >>> class Halving(Schedule):
        ...     def _lr(self, t):
        ...         return self.lr / 2**t
        >>> Halving(1.0).values(4)
        array([1.   , 0.5  , 0.25 , 0.125])
    """

    _hyper: tuple[str, ...] = ("lr",)

    def __init__(self, lr: float) -> None:
        self.lr = check_positive("lr", lr)

    def __call__(self, t: int) -> float:
        return self._lr(check_int("t", t))

    def _lr(self, t: int) -> float:
        raise NotImplementedError

    def values(self, steps: int) -> np.ndarray:
        """The learning rates of steps ``0 .. steps-1`` as an array (for plots)."""
        steps = check_int("steps", steps)
        if steps > MAX_VALUES:
            raise ValueError(
                f"steps must be <= {MAX_VALUES:,} (values() builds an array of that many "
                f"rates), got {steps:,}"
            )
        return np.array([self._lr(t) for t in range(steps)], dtype=float)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={getattr(self, k)!r}" for k in self._hyper)
        return f"{type(self).__name__}({args})"


class ConstantLR(Schedule):
    r"""The same learning rate at every step: :math:`\eta_t = \eta`.

    With noisy (stochastic) gradients a constant rate does not converge to the minimum
    but to a neighbourhood of it whose size grows with :math:`\eta`.

    Example:
        >>> ConstantLR(0.05)(1000)
        0.05

    References:
        Bottou, Curtis & Nocedal (2018), *Optimization Methods for Large-Scale Machine
        Learning*, SIAM Review 60(2), Theorem 4.6 (fixed step size).
    """

    def _lr(self, t: int) -> float:
        return self.lr


class StepLR(Schedule):
    r"""Step decay: multiply by ``gamma`` every ``step_size`` steps.

    .. math:: \eta_t = \eta\,\gamma^{\lfloor t / \text{step\_size} \rfloor}

    Example:
        >>> s = StepLR(1.0, step_size=2, gamma=0.5)
        >>> [s(t) for t in range(6)]
        [1.0, 1.0, 0.5, 0.5, 0.25, 0.25]

    References:
        He, Zhang, Ren & Sun (2016), *Deep Residual Learning for Image Recognition*, CVPR,
        §4.2 (the rate divided by 10 at two fixed iterations).
    """

    _hyper = ("lr", "step_size", "gamma")

    def __init__(self, lr: float, step_size: int, gamma: float = 0.1) -> None:
        super().__init__(lr)
        self.step_size = check_int("step_size", step_size, minimum=1)
        self.gamma = check_positive("gamma", gamma)

    def _lr(self, t: int) -> float:
        return _geometric(self.lr, self.gamma, t // self.step_size)


class ExponentialLR(Schedule):
    r"""Exponential decay: multiply by ``gamma`` every step.

    .. math:: \eta_t = \eta\,\gamma^{t}

    Example:
        >>> ExponentialLR(1.0, gamma=0.5)(3)
        0.125

    References:
        Szegedy et al. (2015), *Going Deeper with Convolutions*, CVPR, §6 (the rate
        decreased by a fixed 4 % every 8 epochs).
    """

    _hyper = ("lr", "gamma")

    def __init__(self, lr: float, gamma: float) -> None:
        super().__init__(lr)
        self.gamma = check_positive("gamma", gamma)

    def _lr(self, t: int) -> float:
        return _geometric(self.lr, self.gamma, t)


class InverseTimeLR(Schedule):
    r"""Inverse-time decay, the classical :math:`1/t` schedule of stochastic approximation.

    .. math:: \eta_t = \frac{\eta}{1 + \text{decay\_rate}\cdot t}

    For ``decay_rate > 0`` it meets Robbins and Monro's conditions :math:`\sum_t \eta_t =
    \infty` (the steps can travel any distance) and :math:`\sum_t \eta_t^2 < \infty` (the
    gradient noise they add stays finite), under which SGD converges.

    Example:
        >>> InverseTimeLR(1.0, decay_rate=0.5)(2)
        0.5

    References:
        Robbins & Monro (1951), *A Stochastic Approximation Method*, Ann. Math. Statist.
        22(3); Bottou, Curtis & Nocedal (2018), SIAM Review 60(2), Theorem 4.7.
    """

    _hyper = ("lr", "decay_rate")

    def __init__(self, lr: float, decay_rate: float) -> None:
        super().__init__(lr)
        self.decay_rate = check_nonnegative("decay_rate", decay_rate)

    def _lr(self, t: int) -> float:
        try:
            return self.lr / (1 + self.decay_rate * t)
        except OverflowError:  # t beyond float range: the rate has decayed to 0
            return 0.0 if self.decay_rate > 0 else self.lr


def _geometric(lr: float, gamma: float, n: int) -> float:
    """``lr * gamma**n``; for a huge ``n`` it reaches 0 (``gamma < 1``) or inf (``gamma > 1``).

    Python's ``**`` raises ``OverflowError`` where the value leaves the float range; a
    schedule returns the limit instead (and ``minimize`` then says that an infinite
    learning rate is not allowed).
    """
    try:
        return lr * gamma**n
    except OverflowError:
        return lr if gamma == 1 else (0.0 if gamma < 1 else math.inf)


def _cosine(lr: float, min_lr: float, fraction: float) -> float:
    return min_lr + (lr - min_lr) * (1 + math.cos(math.pi * fraction)) / 2


class CosineLR(Schedule):
    r"""Cosine annealing from ``lr`` down to ``min_lr`` over ``total_steps`` steps.

    .. math::
        \eta_t = \eta_{\min} + \tfrac12(\eta - \eta_{\min})
        \left(1 + \cos\frac{\pi\, t}{T}\right) \quad (t \le T), \qquad
        \eta_t = \eta_{\min} \quad (t > T)

    with :math:`T` = ``total_steps`` (torch's ``CosineAnnealingLR`` with ``T_max=T``, but
    held at ``min_lr`` after :math:`T` instead of rising again).

    Example:
        >>> s = CosineLR(1.0, total_steps=4)
        >>> [round(s(t), 4) for t in range(6)]
        [1.0, 0.8536, 0.5, 0.1464, 0.0, 0.0]

    References:
        Loshchilov & Hutter (2017), *SGDR: Stochastic Gradient Descent with Warm Restarts*,
        ICLR, eq. (5) (one period, no restart).
    """

    _hyper = ("lr", "total_steps", "min_lr")

    def __init__(self, lr: float, total_steps: int, min_lr: float = 0.0) -> None:
        super().__init__(lr)
        self.total_steps = check_int("total_steps", total_steps, minimum=1)
        self.min_lr = check_nonnegative("min_lr", min_lr)
        if self.min_lr > self.lr:
            raise ValueError(f"min_lr must be <= lr ({self.lr!r}), got {self.min_lr!r}")

    def _lr(self, t: int) -> float:
        if t >= self.total_steps:
            return self.min_lr
        return _cosine(self.lr, self.min_lr, t / self.total_steps)


class CosineWarmRestartsLR(Schedule):
    r"""Cosine annealing with warm restarts (SGDR, torch's ``CosineAnnealingWarmRestarts``).

    The rate follows a cosine from ``lr`` to ``min_lr`` over a period of ``period`` steps,
    then jumps back to ``lr``; each new period is ``mult`` times longer than the last.
    Inside a period of length :math:`T_i`, at :math:`t_i` steps since its start:

    .. math::
        \eta_t = \eta_{\min} + \tfrac12(\eta - \eta_{\min})
        \left(1 + \cos\frac{\pi\, t_i}{T_i}\right)

    Example:
        >>> s = CosineWarmRestartsLR(1.0, period=2, mult=2)
        >>> [round(s(t), 3) for t in range(8)]
        [1.0, 0.5, 1.0, 0.854, 0.5, 0.146, 1.0, 0.962]

    References:
        Loshchilov & Hutter (2017), *SGDR: Stochastic Gradient Descent with Warm Restarts*,
        ICLR, eq. (5) (:math:`T_0` = ``period``, :math:`T_{mult}` = ``mult``).
    """

    _hyper = ("lr", "period", "mult", "min_lr")

    def __init__(self, lr: float, period: int, mult: int = 1, min_lr: float = 0.0) -> None:
        super().__init__(lr)
        self.period = check_int("period", period, minimum=1)
        self.mult = check_int("mult", mult, minimum=1)
        self.min_lr = check_nonnegative("min_lr", min_lr)
        if self.min_lr > self.lr:
            raise ValueError(f"min_lr must be <= lr ({self.lr!r}), got {self.min_lr!r}")

    def _lr(self, t: int) -> float:
        length = self.period
        if self.mult == 1:
            t = t % length
        else:
            while t >= length:
                t -= length
                length *= self.mult
        return _cosine(self.lr, self.min_lr, t / length)


class LinearLR(Schedule):
    r"""Linear warm-up (or cool-down): torch's ``LinearLR`` as a rate instead of a factor.

    The factor goes in a straight line from ``start_factor`` to ``end_factor`` over
    ``total_iters`` steps and then stays at ``end_factor``:

    .. math::
        \eta_t = \eta \left(s + (e - s)\,\frac{\min(t, T)}{T}\right)

    with :math:`s` = ``start_factor``, :math:`e` = ``end_factor`` and :math:`T` =
    ``total_iters``. The defaults are torch's (:math:`s = 1/3,\ e = 1,\ T = 5`): the first
    step uses a third of ``lr`` and step 5 onwards the full ``lr``. Warming up lets the
    adaptive methods and large batches start gently, while their statistics are still poor
    (Goyal et al. 2017). Combine it with a decay through :class:`SequentialLR`.

    Example:
        >>> s = LinearLR(0.3, start_factor=0.1, total_iters=4)
        >>> [round(s(t), 6) for t in range(6)]
        [0.03, 0.0975, 0.165, 0.2325, 0.3, 0.3]

    References:
        Goyal, Dollár, Girshick, Noordhuis, Wesolowski, Kyrola, Tulloch, Jia & He (2017),
        *Accurate, Large Minibatch SGD: Training ImageNet in 1 Hour*, arXiv:1706.02677,
        §2.2 (gradual warm-up).
    """

    _hyper = ("lr", "start_factor", "end_factor", "total_iters")

    def __init__(
        self, lr: float, start_factor: float = 1.0 / 3.0, end_factor: float = 1.0,
        total_iters: int = 5,
    ) -> None:
        super().__init__(lr)
        self.start_factor = check_in_range(
            "start_factor", start_factor, 0.0, 1.0, low_open=True, high_open=False
        )
        self.end_factor = check_in_range("end_factor", end_factor, 0.0, 1.0, high_open=False)
        self.total_iters = check_int("total_iters", total_iters, minimum=1)

    def _lr(self, t: int) -> float:
        s, e = self.start_factor, self.end_factor
        return self.lr * (s + (e - s) * (min(t, self.total_iters) / self.total_iters))


class SequentialLR(Schedule):
    r"""Several schedules one after the other (torch's ``SequentialLR``).

    ``schedules[0]`` runs until step ``milestones[0]``, then ``schedules[1]`` until
    ``milestones[1]``, and so on. Each later schedule counts its own steps from its
    milestone: with milestone :math:`M`, step :math:`t \ge M` gets ``schedules[1](t - M)``.

    .. math::
        \eta_t = \eta^{(i)}_{t - M_i} \quad \text{for } M_i \le t < M_{i+1},
        \qquad M_0 = 0

    The usual use is a warm-up followed by a decay (Goyal et al. 2017: linear warm-up for
    5 epochs, then step decay). Any callable ``t -> lr`` may be one of the pieces.

    Example:
        >>> warm = LinearLR(1.0, start_factor=0.25, total_iters=2)
        >>> s = SequentialLR([warm, CosineLR(1.0, total_steps=4)], milestones=[2])
        >>> [round(s(t), 4) for t in range(7)]
        [0.25, 0.625, 1.0, 0.8536, 0.5, 0.1464, 0.0]

    References:
        Goyal et al. (2017), *Accurate, Large Minibatch SGD: Training ImageNet in 1 Hour*,
        arXiv:1706.02677, §2.2 (gradual warm-up, then the usual step decay).
    """

    _hyper = ("schedules", "milestones")

    def __init__(
        self, schedules: Sequence[Callable[[int], float]], milestones: Sequence[int]
    ) -> None:
        if isinstance(schedules, (str, bytes)) or not isinstance(schedules, Sequence):
            raise TypeError(f"schedules must be a list of schedules, got {schedules!r}")
        if isinstance(milestones, (str, bytes)) or not isinstance(milestones, Sequence):
            raise TypeError(f"milestones must be a list of step numbers, got {milestones!r}")
        self.schedules = list(schedules)
        if not self.schedules:
            raise ValueError("schedules must hold at least one schedule")
        for i, s in enumerate(self.schedules):
            if not callable(s):
                raise TypeError(f"schedules[{i}] must be a schedule (callable t -> lr), got {s!r}")
        self.milestones = [check_int(f"milestones[{i}]", m) for i, m in enumerate(milestones)]
        if len(self.milestones) != len(self.schedules) - 1:
            raise ValueError(
                f"milestones must have one entry fewer than schedules ({len(self.schedules)}), "
                f"got {len(self.milestones)}"
            )
        m = self.milestones
        if any(m[i + 1] <= m[i] for i in range(len(m) - 1)):
            raise ValueError(f"milestones must be strictly increasing, got {self.milestones}")
        first = self.schedules[0]
        self.lr = getattr(first, "lr", None) or _check_schedule_value(first(0), 0)

    def _lr(self, t: int) -> float:
        start, i = 0, 0
        while i < len(self.milestones) and t >= self.milestones[i]:
            start, i = self.milestones[i], i + 1
        return _check_schedule_value(self.schedules[i](t - start), t - start, self.schedules[i])


def _check_schedule_value(value: Any, t: int, schedule: Any = None) -> float:
    """Used by the loops: a schedule's output must be a finite number >= 0.

    A string (``'0.1'``), a bool or anything else that is not a real number is a
    ``TypeError`` naming the step (and the schedule, when given), not silently converted.
    """
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value[()]
    where = f"schedule({t})" if schedule is None else f"schedule {schedule!r} at step {t}"
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"{where} must return a number (the learning rate), got {value!r} "
            f"({type(value).__name__})"
        )
    lr = float(value)
    if not (0.0 <= lr < math.inf):
        raise ValueError(f"{where} must return a finite learning rate >= 0, got {value!r}")
    return lr
