r"""Optimizers: the update rules of gradient descent and its descendants.

Every optimizer is a small object with one job: given the current point ``x`` and the
gradient ``grad`` there, return the next point (the parameters :math:`\theta_t` and the
gradient :math:`g_t` of the formulas, in the course's symbols: :math:`\eta` the learning
rate ``lr``, :math:`\beta` the momentum, :math:`m_t, s_t` the running first and second
moments, :math:`\epsilon` = ``eps``, :math:`\lambda` = ``weight_decay``)::

    x_next = opt.step(x, grad)

``step`` never changes ``x`` in place. The optimizer keeps its own memory between calls
(momentum buffers, running averages, the step counter ``t``) and forgets it on
``reset()``. The update works coordinate by coordinate, so ``x`` may have any shape: one
point of shape ``(d,)`` or a batch of ``m`` points of shape ``(m, d)`` (that is what
``minimize_many`` passes).

The names, defaults and formulas follow ``torch.optim``, down to the order of the
floating-point operations, so that in float64 a trajectory agrees with torch's to
rounding error (the tests hold them to a relative 1e-9 over 500 steps).

The learning rate is the attribute ``opt.lr``: a schedule (or you) may change it between
steps. Hyperparameters are checked once, in the constructor; ``step`` only checks that the
gradient has the shape of ``x``, because it runs thousands of times per plot.

``optimizers`` maps a short lowercase name to each class, for menus and loops:

    >>> import numpy as np
    >>> sorted(optimizers)[:3]
    ['adadelta', 'adagrad', 'adam']
    >>> opt = optimizers["adam"](lr=0.1)
    >>> opt
    Adam(lr=0.1, betas=(0.9, 0.999), eps=1e-08, weight_decay=0.0, amsgrad=False)
    >>> x = np.array([1.0, -2.0])
    >>> opt.step(x, np.array([3.0, -3.0]))   # x itself is left alone
    array([ 0.9, -1.9])
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from gdcore._checks import check_in_range, check_nonnegative, check_positive
from gdcore._names import UnknownName, name_key

__all__ = [
    "Optimizer",
    "SignDescent",
    "GradientDescent",
    "Momentum",
    "Nesterov",
    "AdaGrad",
    "RMSProp",
    "AdaDelta",
    "Adam",
    "AdamW",
    "optimizers",
    "get_optimizer",
    "split_betas",
    "join_betas",
    "UnknownName",
]

_F64 = np.dtype(float)


def _lerp(start: np.ndarray, end: np.ndarray, weight: float) -> np.ndarray:
    """``start + weight * (end - start)``, rounded the way ``torch.lerp`` rounds it."""
    if abs(weight) < 0.5:
        return start + weight * (end - start)
    return end - (end - start) * (1.0 - weight)


def _check_eps(eps: Any, name: str) -> float:
    """``eps`` of an adaptive method: a finite number > 0, since it guards a division.

    With ``eps = 0`` a coordinate whose gradient is exactly 0 (a flat direction, or a start
    at the minimum) divides 0 by 0, and the NaN would be reported as a divergence.
    """
    eps = check_nonnegative("eps", eps)
    if eps == 0:
        raise ValueError(
            f"eps must be > 0 for {name}: it keeps the denominator away from zero, and with "
            "eps = 0 a zero gradient coordinate gives 0/0 (NaN); use a tiny value such as "
            "1e-12 to make its effect negligible"
        )
    return eps


def _check_betas(betas: Any) -> tuple[float, float]:
    try:
        beta1, beta2 = betas
    except (TypeError, ValueError):
        raise TypeError(f"betas must be a pair (beta1, beta2), got {betas!r}") from None
    return (
        check_in_range("betas[0]", beta1, 0.0, 1.0),
        check_in_range("betas[1]", beta2, 0.0, 1.0),
    )


class Optimizer:
    """Base class of every optimizer: shared ``step`` / ``reset`` / ``repr`` plumbing.

    A subclass sets ``name`` and ``_hyper`` (the names shown by ``repr``), builds its state
    in ``_init_state(x)`` and implements the rule in ``_update(x, grad)``, where ``self.t``
    already counts the current step (1 on the first call).

    Example:
        >>> import numpy as np
        >>> class Halve(Optimizer):
        ...     name = "Halve"
        ...     def _update(self, x, grad):
        ...         return x / 2
        >>> Halve(lr=1.0).step(np.array([4.0]), np.array([0.0]))
        array([2.])
    """

    name = "Optimizer"
    _hyper: tuple[str, ...] = ("lr",)

    def __init__(self, lr: float) -> None:
        self.lr = check_positive("lr", lr)
        self.reset()

    def reset(self) -> None:
        """Forget everything learned so far: step counter and all buffers."""
        self.t = 0
        self._shape: tuple[int, ...] | None = None

    def step(self, x: Any, grad: Any) -> np.ndarray:
        """Return the next point after ``x`` given the gradient ``grad`` at ``x``.

        ``x`` is not modified. ``grad`` must have exactly the shape of ``x``.
        """
        # Speed plumbing: `step` runs once per iteration, so the common case (float arrays
        # of the shape the state was made for) costs a few attribute checks and nothing
        # else; anything unusual goes through `_prepare`, which converts and validates.
        if not (
            type(x) is type(grad) is np.ndarray
            and x.dtype is grad.dtype is _F64
            and x.shape == grad.shape == self._shape
        ):
            x, grad = self._prepare(x, grad)
        self.t += 1
        return self._update(x, grad)

    def _prepare(self, x: Any, grad: Any) -> tuple[np.ndarray, np.ndarray]:
        """Float arrays of ``x`` and ``grad``, checked; makes the state on a first step."""
        x = np.asarray(x, dtype=float)
        grad = np.asarray(grad, dtype=float)
        shape = x.shape
        if grad.shape != shape:
            raise ValueError(
                f"grad must have the shape of x {shape}, got {grad.shape}"
            )
        if shape != self._shape:
            if self._shape is not None:
                raise ValueError(
                    f"x has shape {shape} but {self.name} holds state for shape "
                    f"{self._shape}; call reset() before optimizing a new problem"
                )
            self._shape = shape
            self._init_state(x)
        return x, grad

    def _init_state(self, x: np.ndarray) -> None:
        """Create the buffers for points shaped like ``x`` (first step after a reset)."""

    def _update(self, x: np.ndarray, grad: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def hyperparameters(self, flat: bool = False) -> dict[str, Any]:
        """The hyperparameters as a dict (what ``repr`` shows).

        ``flat=True`` gives Adam's ``betas`` pair as ``beta1`` and ``beta2`` (one number
        per slider or table column; see :func:`split_betas`).

        Example:
            >>> Adam(lr=0.1).hyperparameters(flat=True)["beta2"]
            0.999
        """
        params = {key: getattr(self, key) for key in self._hyper}
        return split_betas(params) if flat else params

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.hyperparameters().items())
        return f"{type(self).__name__}({args})"


class SignDescent(Optimizer):
    r"""Sign descent: move every coordinate by exactly ``lr`` against its gradient's sign.

    .. math:: \theta_{t+1} = \theta_t - \eta\,\operatorname{sign}(g_t)

    The step length ignores how steep the slope is; only its direction per coordinate
    counts. It is steepest descent for the :math:`\ell_\infty` norm, and what Adam does
    when :math:`\beta_1 = \beta_2 = 0` (up to :math:`\epsilon`). No torch equivalent.

    Example:
        >>> import numpy as np
        >>> SignDescent(lr=0.1).step(np.array([1.0, 1.0]), np.array([5.0, -0.01]))
        array([0.9, 1.1])

    References:
        Bernstein, Wang, Azizzadenesheli & Anandkumar (2018), *signSGD: Compressed
        Optimisation for Non-Convex Problems*, ICML.
    """

    name = "SignDescent"

    def __init__(self, lr: float) -> None:
        super().__init__(lr)

    def _update(self, x: np.ndarray, grad: np.ndarray) -> np.ndarray:
        return x - self.lr * np.sign(grad)


class GradientDescent(Optimizer):
    r"""Plain gradient descent, ``torch.optim.SGD`` without momentum.

    .. math::
        g_t \leftarrow g_t + \lambda \theta_t \quad (\text{if weight\_decay } \lambda \ne 0),
        \qquad \theta_{t+1} = \theta_t - \eta\, g_t

    With a stochastic gradient :math:`g_t` this is stochastic gradient descent.

    Example:
        >>> import numpy as np
        >>> GradientDescent(lr=0.1).step(np.array([1.0, 2.0]), np.array([2.0, 4.0]))
        array([0.8, 1.6])

    References:
        Cauchy (1847), *Méthode générale pour la résolution des systèmes d'équations
        simultanées*, C. R. Acad. Sci. Paris 25; Robbins & Monro (1951), *A Stochastic
        Approximation Method*, Ann. Math. Statist. 22 (the stochastic version).
    """

    name = "GradientDescent"
    _hyper = ("lr", "weight_decay")

    def __init__(self, lr: float, weight_decay: float = 0.0) -> None:
        self.weight_decay = check_nonnegative("weight_decay", weight_decay)
        super().__init__(lr)

    def _update(self, x: np.ndarray, grad: np.ndarray) -> np.ndarray:
        if self.weight_decay:
            grad = grad + self.weight_decay * x
        return x - self.lr * grad


class Momentum(Optimizer):
    r"""Heavy-ball momentum in torch's formulation (``torch.optim.SGD(momentum=...)``).

    .. math::
        v_t = \beta\, v_{t-1} + (1 - \tau)\, g_t \quad (v_1 = g_1), \qquad
        \theta_{t+1} = \theta_t - \eta\, v_t

    with momentum :math:`\beta`, dampening :math:`\tau` and (optionally) :math:`g_t
    \leftarrow g_t + \lambda \theta_t` for weight decay :math:`\lambda`; the velocity
    :math:`v_t` is torch's momentum buffer. With a constant learning rate and no
    dampening this is Polyak's heavy ball, :math:`\theta_{t+1} = \theta_t - \eta g_t +
    \beta(\theta_t - \theta_{t-1})`, whose step :math:`\eta v_t` includes the learning
    rate.

    Example:
        >>> import numpy as np
        >>> opt = Momentum(lr=0.1, momentum=0.9)
        >>> x = opt.step(np.array([1.0]), np.array([1.0]))   # v = 1
        >>> opt.step(x, np.array([1.0]))                      # v = 0.9 + 1 = 1.9
        array([0.71])

    References:
        Polyak (1964), *Some methods of speeding up the convergence of iteration methods*,
        USSR Comput. Math. Math. Phys. 4(5); Sutskever, Martens, Dahl & Hinton (2013), *On
        the importance of initialization and momentum in deep learning*, ICML.
    """

    name = "Momentum"
    _hyper = ("lr", "momentum", "dampening", "weight_decay")

    def __init__(
        self, lr: float, momentum: float = 0.9, dampening: float = 0.0,
        weight_decay: float = 0.0,
    ) -> None:
        self.momentum = check_nonnegative("momentum", momentum)
        self.dampening = check_in_range("dampening", dampening, 0.0, 1.0, high_open=False)
        self.weight_decay = check_nonnegative("weight_decay", weight_decay)
        super().__init__(lr)

    def reset(self) -> None:
        super().reset()
        self.buf: np.ndarray | None = None

    def _update(self, x: np.ndarray, grad: np.ndarray) -> np.ndarray:
        if self.weight_decay:
            grad = grad + self.weight_decay * x
        if self.momentum:
            if self.buf is None:
                self.buf = grad.copy()
            else:
                self.buf = self.buf * self.momentum + (1 - self.dampening) * grad
            grad = self.buf
        return x - self.lr * grad


class Nesterov(Optimizer):
    r"""Nesterov momentum as in ``torch.optim.SGD(momentum=..., nesterov=True)``.

    .. math::
        v_t = \beta\, v_{t-1} + g_t \quad (v_1 = g_1), \qquad
        \theta_{t+1} = \theta_t - \eta\,(g_t + \beta\, v_t)

    (with :math:`g_t \leftarrow g_t + \lambda \theta_t` first if ``weight_decay``
    :math:`\lambda \ne 0`). It looks one momentum step ahead: the step uses the new
    velocity once more.

    Example:
        >>> import numpy as np
        >>> Nesterov(lr=0.1, momentum=0.9).step(np.array([1.0]), np.array([1.0]))
        array([0.81])

    References:
        Nesterov (1983), *A method for solving the convex programming problem with
        convergence rate O(1/k²)*, Soviet Math. Dokl. 27; Sutskever, Martens, Dahl & Hinton
        (2013), *On the importance of initialization and momentum in deep learning*, ICML
        (the form used here).
    """

    name = "Nesterov"
    _hyper = ("lr", "momentum", "weight_decay")

    def __init__(self, lr: float, momentum: float = 0.9, weight_decay: float = 0.0) -> None:
        self.momentum = check_nonnegative("momentum", momentum)
        self.weight_decay = check_nonnegative("weight_decay", weight_decay)
        super().__init__(lr)

    def reset(self) -> None:
        super().reset()
        self.buf: np.ndarray | None = None

    def _update(self, x: np.ndarray, grad: np.ndarray) -> np.ndarray:
        if self.weight_decay:
            grad = grad + self.weight_decay * x
        if self.buf is None:
            self.buf = grad.copy()
        else:
            self.buf = self.buf * self.momentum + grad
        return x - self.lr * (grad + self.momentum * self.buf)


class AdaGrad(Optimizer):
    r"""AdaGrad (``torch.optim.Adagrad``): per-coordinate steps shrink with the past slope.

    .. math::
        s_t = s_{t-1} + g_t^2, \qquad
        \theta_{t+1} = \theta_t - \frac{\eta_t\, g_t}{\sqrt{s_t} + \epsilon}, \qquad
        \eta_t = \frac{\eta}{1 + (t - 1)\,\text{lr\_decay}}

    with :math:`s_0` = ``initial_accumulator_value`` (the running sum of squared
    gradients) and optional weight decay :math:`g_t \leftarrow g_t + \lambda \theta_t`.
    The first step has length about ``lr`` in every coordinate.

    Example:
        >>> import numpy as np
        >>> AdaGrad(lr=0.5).step(np.array([1.0, 1.0]), np.array([4.0, -0.1]))
        array([0.5, 1.5])

    References:
        Duchi, Hazan & Singer (2011), *Adaptive Subgradient Methods for Online Learning and
        Stochastic Optimization*, JMLR 12.
    """

    name = "AdaGrad"
    _hyper = ("lr", "lr_decay", "weight_decay", "eps", "initial_accumulator_value")

    def __init__(
        self, lr: float = 0.01, lr_decay: float = 0.0, weight_decay: float = 0.0,
        eps: float = 1e-10, initial_accumulator_value: float = 0.0,
    ) -> None:
        self.lr_decay = check_nonnegative("lr_decay", lr_decay)
        self.weight_decay = check_nonnegative("weight_decay", weight_decay)
        self.eps = _check_eps(eps, "AdaGrad")
        self.initial_accumulator_value = check_nonnegative(
            "initial_accumulator_value", initial_accumulator_value
        )
        super().__init__(lr)

    def reset(self) -> None:
        super().reset()
        self.sum: np.ndarray | None = None

    def _init_state(self, x: np.ndarray) -> None:
        self.sum = np.full(x.shape, self.initial_accumulator_value)

    def _update(self, x: np.ndarray, grad: np.ndarray) -> np.ndarray:
        if self.weight_decay:
            grad = grad + self.weight_decay * x
        clr = self.lr / (1 + (self.t - 1) * self.lr_decay)
        self.sum = self.sum + grad * grad
        std = np.sqrt(self.sum) + self.eps
        return x + (-clr * grad) / std


class RMSProp(Optimizer):
    r"""RMSProp (``torch.optim.RMSprop``): divide by a running RMS of the gradient.

    .. math::
        s_t = \rho\, s_{t-1} + (1 - \rho)\, g_t^2, \qquad
        \theta_{t+1} = \theta_t - \frac{\eta\, g_t}{\sqrt{s_t} + \epsilon}

    with :math:`\rho` = ``alpha`` (torch's name). ``centered=True`` subtracts the squared
    running mean :math:`m_t = \rho\, m_{t-1} + (1 - \rho)\, g_t` under the root
    (:math:`\sqrt{s_t - m_t^2}`, an estimate of the variance, clamped at 0 against
    round-off); ``momentum`` :math:`\beta > 0` keeps a velocity :math:`v_t = \beta v_{t-1}
    + g_t / (\sqrt{\cdot} + \epsilon)` and steps :math:`\theta_{t+1} = \theta_t - \eta
    v_t`. Weight decay adds :math:`\lambda \theta_t` to :math:`g_t` first. All buffers
    start at zero, so the first step has length about ``lr / sqrt(1 - alpha)`` (10 ``lr``
    for the default alpha). With a constant gradient the centered variance tends to 0 and
    the steps grow towards :math:`\eta |g| / \epsilon`: centering is meant for noisy
    gradients.

    Example:
        >>> import numpy as np
        >>> RMSProp(lr=0.01).step(np.array([1.0]), np.array([3.0])).round(6)
        array([0.9])

    References:
        Hinton, Srivastava & Swersky (2012), *Neural Networks for Machine Learning*,
        lecture 6e; Graves (2013), *Generating Sequences With Recurrent Neural Networks*,
        arXiv:1308.0850 (the centered variant).
    """

    name = "RMSProp"
    _hyper = ("lr", "alpha", "eps", "weight_decay", "momentum", "centered")

    def __init__(
        self, lr: float = 0.01, alpha: float = 0.99, eps: float = 1e-8,
        weight_decay: float = 0.0, momentum: float = 0.0, centered: bool = False,
    ) -> None:
        self.alpha = check_in_range("alpha", alpha, 0.0, 1.0, high_open=False)
        self.eps = _check_eps(eps, "RMSProp")
        self.weight_decay = check_nonnegative("weight_decay", weight_decay)
        self.momentum = check_nonnegative("momentum", momentum)
        self.centered = bool(centered)
        super().__init__(lr)

    def reset(self) -> None:
        super().reset()
        self.square_avg: np.ndarray | None = None
        self.grad_avg: np.ndarray | None = None
        self.buf: np.ndarray | None = None

    def _init_state(self, x: np.ndarray) -> None:
        self.square_avg = np.zeros(x.shape)
        self.grad_avg = np.zeros(x.shape)
        self.buf = np.zeros(x.shape)

    def _update(self, x: np.ndarray, grad: np.ndarray) -> np.ndarray:
        if self.weight_decay:
            grad = grad + self.weight_decay * x
        alpha = self.alpha
        self.square_avg = self.square_avg * alpha + (1 - alpha) * grad * grad
        if self.centered:
            self.grad_avg = _lerp(self.grad_avg, grad, 1 - alpha)
            # The variance estimate E[g^2] - E[g]^2 is >= 0 in exact arithmetic, but with a
            # (nearly) constant gradient both terms agree to the last bit and round-off
            # makes it negative (NaN under the root): clamp it at 0.
            avg = np.sqrt(np.maximum(self.square_avg - self.grad_avg * self.grad_avg, 0.0))
        else:
            avg = np.sqrt(self.square_avg)
        avg = avg + self.eps
        if self.momentum > 0:
            self.buf = self.buf * self.momentum + grad / avg
            return x - self.lr * self.buf
        return x + (-self.lr * grad) / avg


class AdaDelta(Optimizer):
    r"""AdaDelta (``torch.optim.Adadelta``): a step in the units of past steps.

    .. math::
        s_t = \rho\, s_{t-1} + (1 - \rho)\, g_t^2, \qquad
        \Delta_t = \frac{\sqrt{u_{t-1} + \epsilon}}{\sqrt{s_t + \epsilon}}\, g_t, \qquad
        u_t = \rho\, u_{t-1} + (1 - \rho)\, \Delta_t^2, \qquad
        \theta_{t+1} = \theta_t - \eta\, \Delta_t

    where :math:`u_t` is the running average of the squared steps (weight decay adds
    :math:`\lambda \theta_t` to :math:`g_t` first; buffers start at zero). The first steps
    are tiny, about :math:`\eta\sqrt{\epsilon}` long, and grow as :math:`u` fills up.

    Example:
        >>> import numpy as np
        >>> x = AdaDelta().step(np.array([1.0]), np.array([2.0]))
        >>> bool(0.99 < x[0] < 1.0)
        True

    References:
        Zeiler (2012), *ADADELTA: An Adaptive Learning Rate Method*, arXiv:1212.5701.
    """

    name = "AdaDelta"
    _hyper = ("lr", "rho", "eps", "weight_decay")

    def __init__(
        self, lr: float = 1.0, rho: float = 0.9, eps: float = 1e-6, weight_decay: float = 0.0
    ) -> None:
        self.rho = check_in_range("rho", rho, 0.0, 1.0, high_open=False)
        self.eps = _check_eps(eps, "AdaDelta")
        self.weight_decay = check_nonnegative("weight_decay", weight_decay)
        super().__init__(lr)

    def reset(self) -> None:
        super().reset()
        self.square_avg: np.ndarray | None = None
        self.acc_delta: np.ndarray | None = None

    def _init_state(self, x: np.ndarray) -> None:
        self.square_avg = np.zeros(x.shape)
        self.acc_delta = np.zeros(x.shape)

    def _update(self, x: np.ndarray, grad: np.ndarray) -> np.ndarray:
        if self.weight_decay:
            grad = grad + self.weight_decay * x
        rho, eps = self.rho, self.eps
        self.square_avg = self.square_avg * rho + (1 - rho) * grad * grad
        std = np.sqrt(self.square_avg + eps)
        delta = np.sqrt(self.acc_delta + eps) / std * grad
        self.acc_delta = self.acc_delta * rho + (1 - rho) * delta * delta
        return x - self.lr * delta


class Adam(Optimizer):
    r"""Adam (``torch.optim.Adam``): momentum on the gradient, RMSProp on its scale.

    .. math::
        m_t = \beta_1 m_{t-1} + (1 - \beta_1)\, g_t, \qquad
        s_t = \beta_2 s_{t-1} + (1 - \beta_2)\, g_t^2,

    .. math::
        \theta_{t+1} = \theta_t - \frac{\eta}{1 - \beta_1^t}\,
        \frac{m_t}{\sqrt{s_t} / \sqrt{1 - \beta_2^t} + \epsilon}

    The two bias corrections undo the zero start of :math:`m` and :math:`s`, so the very
    first step has length ``lr`` in every coordinate. ``weight_decay`` :math:`\lambda` adds
    :math:`\lambda \theta_t` to :math:`g_t` (L2 regularisation; see :class:`AdamW` for the
    decoupled form); ``amsgrad=True`` uses the running maximum of :math:`s_t`.

    Example:
        >>> import numpy as np
        >>> Adam(lr=0.1).step(np.array([1.0, 1.0]), np.array([0.01, -50.0])).round(6)
        array([0.9, 1.1])

    References:
        Kingma & Ba (2015), *Adam: A Method for Stochastic Optimization*, ICLR; Reddi, Kale
        & Kumar (2018), *On the Convergence of Adam and Beyond*, ICLR (AMSGrad).
    """

    name = "Adam"
    _hyper = ("lr", "betas", "eps", "weight_decay", "amsgrad")
    _decoupled = False

    def __init__(
        self, lr: float = 0.001, betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8, weight_decay: float = 0.0, amsgrad: bool = False,
    ) -> None:
        self.betas = _check_betas(betas)
        self.eps = _check_eps(eps, type(self).__name__)
        self.weight_decay = check_nonnegative("weight_decay", weight_decay)
        self.amsgrad = bool(amsgrad)
        super().__init__(lr)

    def reset(self) -> None:
        super().reset()
        self.exp_avg: np.ndarray | None = None
        self.exp_avg_sq: np.ndarray | None = None
        self.max_exp_avg_sq: np.ndarray | None = None

    def _init_state(self, x: np.ndarray) -> None:
        self.exp_avg = np.zeros(x.shape)
        self.exp_avg_sq = np.zeros(x.shape)
        self.max_exp_avg_sq = np.zeros(x.shape)

    def _update(self, x: np.ndarray, grad: np.ndarray) -> np.ndarray:
        beta1, beta2 = self.betas
        lr, t = self.lr, self.t
        if self.weight_decay:
            if self._decoupled:
                x = x * (1 - lr * self.weight_decay)
            else:
                grad = grad + self.weight_decay * x
        self.exp_avg = _lerp(self.exp_avg, grad, 1 - beta1)
        self.exp_avg_sq = self.exp_avg_sq * beta2 + (1 - beta2) * grad * grad
        step_size = lr / (1 - beta1**t)
        bias_correction2_sqrt = (1 - beta2**t) ** 0.5
        if self.amsgrad:
            self.max_exp_avg_sq = np.maximum(self.max_exp_avg_sq, self.exp_avg_sq)
            denom = np.sqrt(self.max_exp_avg_sq) / bias_correction2_sqrt + self.eps
        else:
            denom = np.sqrt(self.exp_avg_sq) / bias_correction2_sqrt + self.eps
        return x + (-step_size * self.exp_avg) / denom


class AdamW(Adam):
    r"""AdamW (``torch.optim.AdamW``): Adam with decoupled weight decay.

    Before the Adam step (see :class:`Adam`) the parameters themselves shrink,

    .. math:: \theta_t \leftarrow (1 - \eta \lambda)\, \theta_t,

    instead of adding :math:`\lambda \theta_t` to the gradient, so the decay is not
    rescaled by Adam's per-coordinate step sizes. Default ``weight_decay`` is 0.01 as in
    torch.

    Example:
        >>> import numpy as np
        >>> AdamW(lr=0.1, weight_decay=0.5).step(np.array([2.0]), np.array([1.0])).round(6)
        array([1.8])

    References:
        Loshchilov & Hutter (2019), *Decoupled Weight Decay Regularization*, ICLR
        (arXiv:1711.05101, 2017).
    """

    name = "AdamW"
    _decoupled = True

    def __init__(
        self, lr: float = 0.001, betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8, weight_decay: float = 0.01, amsgrad: bool = False,
    ) -> None:
        super().__init__(lr, betas, eps, weight_decay, amsgrad)


optimizers: dict[str, type[Optimizer]] = {
    "sign_descent": SignDescent,
    "gradient_descent": GradientDescent,
    "momentum": Momentum,
    "nesterov": Nesterov,
    "adagrad": AdaGrad,
    "rmsprop": RMSProp,
    "adadelta": AdaDelta,
    "adam": Adam,
    "adamw": AdamW,
}
# Every optimizer class by a short lowercase name, for menus (example in the module docstring).


def split_betas(params: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``params`` with the pair ``betas`` replaced by ``beta1`` and ``beta2``.

    The flat form, one number per name, is what sliders, tables and the explorer use;
    :func:`join_betas` turns it back into constructor arguments. Other keys and their
    order are kept; without ``betas`` the copy is unchanged.

    Example:
        >>> split_betas({"lr": 0.1, "betas": (0.9, 0.999), "eps": 1e-8})
        {'lr': 0.1, 'beta1': 0.9, 'beta2': 0.999, 'eps': 1e-08}
    """
    out: dict[str, Any] = {}
    for key, value in params.items():
        if key == "betas":
            beta1, beta2 = _check_betas(value)
            out["beta1"], out["beta2"] = beta1, beta2
        else:
            out[key] = value
    return out


def join_betas(
    params: Mapping[str, Any], default: tuple[float, float] = (0.9, 0.999)
) -> dict[str, Any]:
    """A copy of ``params`` with ``beta1`` / ``beta2`` joined into the pair ``betas``.

    The inverse of :func:`split_betas`, for building an optimizer from flat values: a
    missing ``beta1`` or ``beta2`` comes from ``params["betas"]`` if present, else from
    ``default`` (Adam's). Without ``beta1`` and ``beta2`` the copy is unchanged. Giving
    both ``betas`` and a ``beta`` that disagrees with it is a ``ValueError``.

    Example:
        >>> join_betas({"lr": 0.1, "beta1": 0.8})
        {'lr': 0.1, 'betas': (0.8, 0.999)}
        >>> Adam(**join_betas({"lr": 0.1, "beta1": 0.8, "beta2": 0.99})).betas
        (0.8, 0.99)
    """
    out = dict(params)
    if "beta1" not in out and "beta2" not in out:
        return out
    base = _check_betas(out.pop("betas", default))
    pair = (out.pop("beta1", base[0]), out.pop("beta2", base[1]))
    if "betas" in params and _check_betas(pair) != base:
        raise ValueError(
            f"betas={params['betas']!r} disagrees with beta1/beta2 {pair!r}: give one or "
            "the other"
        )
    out["betas"] = _check_betas(pair)
    return out


def get_optimizer(name: str, **kwargs: Any) -> Optimizer:
    """A new optimizer by name, with ``kwargs`` for its constructor.

    ``name`` may be a key of :data:`optimizers` (``"adam"``, ``"gradient_descent"``) or a
    class name (``"GradientDescent"``), in any case and with spaces, ``-`` or ``_``
    anywhere. An unknown name is a ``KeyError`` listing the known ones.

    Example:
        >>> get_optimizer("Adam", lr=0.1)
        Adam(lr=0.1, betas=(0.9, 0.999), eps=1e-08, weight_decay=0.0, amsgrad=False)
        >>> get_optimizer("gradient descent", lr=0.5).lr
        0.5
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be a string, got {name!r}")
    by_key = {name_key(k): cls for k, cls in optimizers.items()}
    by_key.update({name_key(cls.__name__): cls for cls in optimizers.values()})
    cls = by_key.get(name_key(name))
    if cls is None:
        raise UnknownName("optimizer", name, list(optimizers))
    return cls(**kwargs)
