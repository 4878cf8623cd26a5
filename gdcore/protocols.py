r"""The library's contracts, written as types: what an objective, an optimizer and a model are.

gdcore never asks "is this one of my classes?": :func:`~gdcore.loop.minimize` takes any
object with the methods of :class:`Objective` and :class:`OptimizerLike`, and
:func:`~gdcore.train.fit` any object with those of :class:`Model`. These
``typing.Protocol`` classes spell those contracts out in one place, for readers and for
type checkers (``mypy`` or ``pyright`` check a class against a protocol without it
inheriting anything). They are ``runtime_checkable``, so ``isinstance(obj, gd.Objective)``
tells whether ``obj`` has the right methods (not whether they compute the right thing).

* :class:`Objective`: ``f(x) -> float`` and ``f.grad(x) -> array like x``.
* :class:`ObjectiveWithHessian`: an objective with ``f.hessian(x) -> (n, n) array`` too,
  what :func:`~gdcore.second_order.newton` needs.
* :class:`OptimizerLike`: ``lr``, ``step(x, grad) -> next x`` and ``reset()``; every
  optimizer in :mod:`gdcore.optim` is one (they share the base class
  :class:`gdcore.optim.Optimizer`).
* :class:`Model`: ``params`` and ``loss_and_grad(X, y, params) -> (loss, grad)``.

>>> import numpy as np
>>> import gdcore as gd
>>> class Bowl:                              # f(x) = |x|^2, written from scratch
...     def __call__(self, x):
...         return float(x @ x)
...     def grad(self, x):
...         return 2 * x
>>> isinstance(Bowl(), gd.Objective), isinstance(gd.Adam(), gd.OptimizerLike)
(True, True)
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

import numpy as np

__all__ = ["Objective", "ObjectiveWithHessian", "OptimizerLike", "Model"]


@runtime_checkable
class Objective(Protocol):
    r"""A differentiable loss :math:`f : \mathbb{R}^d \to \mathbb{R}`: what ``minimize`` needs.

    ``f(x)`` takes a point (a float array of shape ``(d,)``) and returns its loss as a
    number; ``f.grad(x)`` returns :math:`\nabla f(x)`, an array of the shape of ``x``.
    For :func:`~gdcore.loop.minimize_many` both also accept a batch of points of shape
    ``(m, d)`` and return shapes ``(m,)`` and ``(m, d)``. An optional ``name`` attribute
    labels plots and summaries. A one-dimensional objective may declare its ``domain``, a
    pair of numbers ``(low, high)``: the points where its loss means something (the dart's
    launch angles, :math:`(-\pi/2, \pi/2)`); a run that steps out of it stops as
    ``"diverged"`` (see :class:`~gdcore.loop.StoppingRules`). The landscapes in
    ``gd.landscapes`` are objectives (their ``domain`` is a plot box, not a rule).

    Example:
        >>> import numpy as np
        >>> import gdcore as gd
        >>> class Parabola:
        ...     name = "parabola"
        ...     def __call__(self, x):
        ...         return float((x[0] - 3) ** 2)
        ...     def grad(self, x):
        ...         return 2 * (x - 3)
        >>> f: gd.Objective = Parabola()
        >>> run = gd.minimize(f, gd.GradientDescent(lr=0.25), x0=[0.0], steps=50,
        ...                   grad_tol=1e-9)
        >>> run.status, round(float(run.x[0]), 6)
        ('converged', 3.0)
    """

    def __call__(self, x: np.ndarray) -> float:
        """The loss at ``x``."""
        ...

    def grad(self, x: np.ndarray) -> np.ndarray:
        """The gradient at ``x``, an array of the shape of ``x``."""
        ...


@runtime_checkable
class ObjectiveWithHessian(Objective, Protocol):
    r"""An :class:`Objective` that also gives its Hessian :math:`\nabla^2 f(x)`.

    ``f.hessian(x)`` returns the ``(d, d)`` matrix of second derivatives at ``x``: what
    :func:`~gdcore.second_order.newton` and :func:`~gdcore.second_order.newton_step` use.

    Example:
        >>> import numpy as np
        >>> import gdcore as gd
        >>> class Quadratic:                     # f(x) = x^T A x / 2
        ...     A = np.array([[3.0, 1.0], [1.0, 2.0]])
        ...     def __call__(self, x):
        ...         return float(x @ self.A @ x / 2)
        ...     def grad(self, x):
        ...         return self.A @ x
        ...     def hessian(self, x):
        ...         return self.A
        >>> isinstance(Quadratic(), gd.ObjectiveWithHessian)
        True
        >>> gd.newton(Quadratic(), [1.0, -2.0]).n_steps      # exact on a quadratic
        1
    """

    def hessian(self, x: np.ndarray) -> np.ndarray:
        """The ``(d, d)`` Hessian at ``x``."""
        ...


@runtime_checkable
class OptimizerLike(Protocol):
    r"""An optimizer: a rule that turns the current point and its gradient into the next.

    * ``lr``: the learning rate (a schedule sets it before each step);
    * ``step(x, grad)``: returns the next point, a new array of the shape of ``x``
      (``x`` itself is not modified); state such as a momentum buffer lives in the object;
    * ``reset()``: forgets that state, so that a new run starts fresh (``minimize`` and
      ``fit`` call it first).

    Every optimizer in :mod:`gdcore.optim` follows this contract; an optimizer written
    from scratch, without inheriting anything, works in ``minimize`` and ``fit`` as well.

    Example:
        >>> import numpy as np
        >>> import gdcore as gd
        >>> class HeavyBall:                    # v <- beta v + g,  x <- x - lr v
        ...     def __init__(self, lr, beta=0.9):
        ...         self.lr, self.beta = lr, beta
        ...         self.reset()
        ...     def reset(self):
        ...         self.v = 0.0
        ...     def step(self, x, grad):
        ...         self.v = self.beta * self.v + grad
        ...         return x - self.lr * self.v
        >>> mine = gd.minimize(gd.landscapes["booth"], HeavyBall(lr=0.01), [0.0, 0.0], 100)
        >>> ref = gd.minimize(gd.landscapes["booth"], gd.Momentum(lr=0.01, momentum=0.9),
        ...                   [0.0, 0.0], 100)
        >>> bool(np.allclose(mine.xs, ref.xs))
        True
    """

    lr: float

    def step(self, x: np.ndarray, grad: np.ndarray) -> np.ndarray:
        """The next point after ``x``, given the gradient ``grad`` at ``x``."""
        ...

    def reset(self) -> None:
        """Forget all state (step counter, buffers)."""
        ...


@runtime_checkable
class Model(Protocol):
    r"""A trainable model, as :func:`~gdcore.train.fit` sees it.

    * ``params``: a 1-D float array, the parameters :math:`\theta` (``fit`` starts from
      them and writes the trained ones back);
    * ``loss_and_grad(X, y, params)``: the average loss over the rows of the batch
      ``(X, y)`` at ``params``, and its gradient :math:`\nabla_\theta L` (an array of the
      shape of ``params``), as a pair ``(loss, grad)``.

    ``gd.LinearRegression``, ``gd.LogisticRegression`` and ``gd.SoftmaxRegression`` are
    models; so is a network written by hand that keeps its weights in one flat vector.

    Example:
        >>> import numpy as np
        >>> import gdcore as gd
        >>> class Mean:                         # predicts one constant c: loss mean (c - y)^2
        ...     def __init__(self):
        ...         self.params = np.zeros(1)
        ...     def loss_and_grad(self, X, y, params):
        ...         r = params[0] - y
        ...         return float(np.mean(r * r)), np.array([2 * np.mean(r)])
        >>> model: gd.Model = Mean()
        >>> y = np.array([1.0, 2.0, 6.0])
        >>> h = gd.fit(model, np.zeros((3, 1)), y, gd.GradientDescent(lr=0.25), epochs=40)
        >>> round(float(model.params[0]), 6)                  # the mean of y
        3.0
        >>> isinstance(gd.LinearRegression(), gd.Model)
        True
    """

    params: np.ndarray

    def loss_and_grad(self, X: Any, y: Any, params: np.ndarray) -> tuple[float, np.ndarray]:
        """Average loss on ``(X, y)`` at ``params`` and its gradient w.r.t. ``params``."""
        ...
