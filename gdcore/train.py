r"""Losses, tiny models and ``fit``: batch, stochastic and mini-batch gradient descent.

A model here is a parameter vector plus two functions: ``predict(X)`` and
``loss_and_grad(X, y)``, the average loss over the rows of ``X`` and its gradient with
respect to the parameters. ``fit`` feeds those gradients to any gdcore optimizer, one
batch at a time:

* ``batch_size=None``: batch gradient descent (every step sees all the data);
* ``batch_size=1``: stochastic gradient descent (one example per step);
* anything in between: mini-batch gradient descent.

>>> import gdcore as gd
>>> X, y, w, b = gd.make_regression(n_samples=100, noise=0.1, seed=0)
>>> model = gd.LinearRegression(n_features=1)
>>> history = gd.fit(model, X, y, gd.GradientDescent(lr=0.1), epochs=100)
>>> bool(history.losses[-1] < 0.02)
True
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from gdcore._checks import check_int, check_positive
from gdcore.clip import _clip_norm
from gdcore.loop import (
    DIVERGED,
    EARLY_STOPPED,
    MAX_STEPS,
    StoppingRules,
    _as_loss,
    _as_numbers,
)
from gdcore.protocols import Model, OptimizerLike
from gdcore.schedules import _check_schedule_value

__all__ = [
    "mse_loss",
    "mse_grad",
    "sigmoid",
    "softmax",
    "logsumexp",
    "cross_entropy_loss",
    "cross_entropy_grad",
    "least_squares",
    "LinearRegression",
    "LogisticRegression",
    "SoftmaxRegression",
    "History",
    "fit",
]


# --------------------------------------------------------------------------- losses


def _pair(pred: Any, y: Any, pred_name: str = "pred") -> tuple[np.ndarray, np.ndarray]:
    try:
        pred = np.asarray(pred, dtype=float)
        y = np.asarray(y, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{pred_name} and y must be arrays of numbers") from None
    if pred.shape != y.shape or pred.size == 0:
        raise ValueError(
            f"{pred_name} and y must have the same non-empty shape, got {pred.shape} and "
            f"{y.shape}"
        )
    return pred, y


def mse_loss(pred: Any, y: Any) -> float:
    r"""Mean squared error :math:`\frac1n \sum_i (\hat y_i - y_i)^2`.

    Example:
        >>> import gdcore as gd
        >>> gd.mse_loss([1.0, 2.0], [0.0, 0.0])
        2.5
    """
    pred, y = _pair(pred, y)
    r = pred - y
    return float(np.mean(r * r))


def mse_grad(pred: Any, y: Any) -> np.ndarray:
    r"""Gradient of :func:`mse_loss` with respect to the predictions: :math:`\frac2n(\hat y - y)`.

    Example:
        >>> import gdcore as gd
        >>> gd.mse_grad([1.0, 2.0], [0.0, 0.0]).tolist()
        [1.0, 2.0]
    """
    pred, y = _pair(pred, y)
    return 2.0 * (pred - y) / pred.size


def sigmoid(z: Any) -> Any:
    r"""The logistic function :math:`\sigma(z) = 1/(1 + e^{-z})`, without overflow.

    Example:
        >>> import gdcore as gd
        >>> gd.sigmoid(0.0), gd.sigmoid([-1000.0, 1000.0]).tolist()
        (0.5, [0.0, 1.0])
    """
    z = np.asarray(z, dtype=float)
    e = np.exp(-np.abs(z))  # in (0, 1]: never overflows
    out = np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    return float(out) if out.ndim == 0 else out


def logsumexp(z: Any, axis: int = -1) -> Any:
    r"""Stable :math:`\log \sum_j e^{z_j}`: subtract the maximum before exponentiating.

    Example:
        >>> import gdcore as gd
        >>> round(gd.logsumexp([1000.0, 1000.0]), 6)
        1000.693147
    """
    z = np.asarray(z, dtype=float)
    m = np.max(z, axis=axis, keepdims=True)
    m = np.where(np.isfinite(m), m, 0.0)
    out = np.log(np.sum(np.exp(z - m), axis=axis)) + np.squeeze(m, axis=axis)
    return float(out) if out.ndim == 0 else out


def softmax(z: Any, axis: int = -1) -> np.ndarray:
    r"""Softmax :math:`e^{z_j} / \sum_k e^{z_k}` along ``axis``, computed stably.

    Example:
        >>> import gdcore as gd
        >>> gd.softmax([0.0, 0.0, 0.0, 0.0]).tolist()
        [0.25, 0.25, 0.25, 0.25]
    """
    z = np.asarray(z, dtype=float)
    e = np.exp(z - np.max(z, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


def _labels(y: Any, n: int, k: int) -> np.ndarray:
    y = np.asarray(y)
    if y.shape != (n,):
        raise ValueError(f"y must hold one class label per row, shape ({n},), got {y.shape}")
    if y.dtype.kind not in "iub":
        if y.dtype.kind != "f" or not np.all(y == np.round(y)):
            raise ValueError("y must hold integer class labels 0 .. n_classes-1")
    labels = y.astype(np.int64)
    if labels.size and (labels.min() < 0 or labels.max() >= k):
        raise ValueError(f"y must hold class labels in 0 .. {k - 1}, got {labels.min()} .. "
                         f"{labels.max()}")
    return labels


def _binary_targets(y: Any, shape: tuple[int, ...]) -> np.ndarray:
    y = np.asarray(y, dtype=float)
    if y.shape != shape:
        raise ValueError(f"y must have the shape of the logits {shape}, got {y.shape}")
    if not np.all((y >= 0) & (y <= 1)):
        raise ValueError("y must hold labels 0/1 (or probabilities in [0, 1]) for binary logits")
    return y


def _logits(logits: Any) -> np.ndarray:
    try:
        z = np.asarray(logits, dtype=float)
    except (TypeError, ValueError):
        raise TypeError("logits must be an array of numbers") from None
    if z.ndim not in (1, 2) or z.size == 0:
        raise ValueError(
            "logits must have shape (n,) (binary) or (n, n_classes) (softmax), "
            f"got {z.shape}"
        )
    return z


def cross_entropy_loss(logits: Any, y: Any) -> float:
    r"""Average cross-entropy from raw scores (logits), computed without overflow.

    * logits of shape ``(n,)``: binary, with labels ``y`` in {0, 1}:
      :math:`\frac1n\sum_i \log(1 + e^{z_i}) - y_i z_i` (the log-loss of
      :math:`\sigma(z_i)`);
    * logits of shape ``(n, k)``: softmax, with integer labels ``y`` in ``0 .. k-1``:
      :math:`\frac1n\sum_i \operatorname{logsumexp}(z_i) - z_{i, y_i}`.

    Example:
        >>> import gdcore as gd
        >>> round(gd.cross_entropy_loss([0.0, 0.0], [0, 1]), 6)    # log 2
        0.693147
        >>> round(gd.cross_entropy_loss([[2.0, 0.0, 0.0]], [0]), 6)
        0.239545
    """
    z = _logits(logits)
    if z.ndim == 1:
        t = _binary_targets(y, z.shape)
        softplus = np.maximum(z, 0.0) + np.log1p(np.exp(-np.abs(z)))
        return float(np.mean(softplus - t * z))
    labels = _labels(y, z.shape[0], z.shape[1])
    return float(np.mean(logsumexp(z, axis=1) - z[np.arange(z.shape[0]), labels]))


def cross_entropy_grad(logits: Any, y: Any) -> np.ndarray:
    r"""Gradient of :func:`cross_entropy_loss` with respect to the logits.

    Binary: :math:`(\sigma(z) - y)/n`; softmax: :math:`(\operatorname{softmax}(z) -
    \operatorname{onehot}(y))/n`, row by row.

    Example:
        >>> import gdcore as gd
        >>> gd.cross_entropy_grad([0.0, 0.0], [0, 1]).tolist()
        [0.25, -0.25]
    """
    z = _logits(logits)
    n = z.shape[0]
    if z.ndim == 1:
        t = _binary_targets(y, z.shape)
        return (sigmoid(z) - t) / n
    labels = _labels(y, n, z.shape[1])
    grad = softmax(z, axis=1)
    grad[np.arange(n), labels] -= 1.0
    return grad / n


def _design(X: Any, n_features: int | None = None) -> np.ndarray:
    try:
        X = np.asarray(X, dtype=float)
    except (TypeError, ValueError):
        raise TypeError("X must be an array of numbers") from None
    if X.ndim == 1:
        X = X.reshape(-1, 1)
    if X.ndim != 2 or X.shape[0] == 0:
        raise ValueError(f"X must have shape (n_samples, n_features), got {X.shape}")
    if n_features is not None and X.shape[1] != n_features:
        raise ValueError(f"X must have {n_features} feature columns, got {X.shape[1]}")
    return X


def least_squares(X: Any, y: Any, fit_intercept: bool = True) -> tuple[np.ndarray, float]:
    r"""The closed-form minimizer of the mean squared error of a linear model.

    Solves :math:`\min_{w, b} \|Xw + b - y\|^2` with ``np.linalg.lstsq`` (an SVD-based
    solver: stable even when the normal equations :math:`X^\top X w = X^\top y` are
    ill-conditioned or singular). Cost grows like :math:`O(np^2 + p^3)`: fine for a few
    thousand parameters, hopeless for a network's millions.

    Returns:
        ``(w, b)`` (``b = 0.0`` when ``fit_intercept=False``).

    Example:
        >>> import gdcore as gd
        >>> X, y, true_w, true_b = gd.make_regression(n_samples=500, noise=0.0, seed=0)
        >>> w, b = gd.least_squares(X, y)
        >>> bool(abs(w - true_w).max() < 1e-10 and abs(b - true_b) < 1e-10)
        True
    """
    X = _design(X)
    y = np.asarray(y, dtype=float)
    if y.shape != (X.shape[0],):
        raise ValueError(f"y must have shape ({X.shape[0]},), got {y.shape}")
    A = np.hstack([X, np.ones((X.shape[0], 1))]) if fit_intercept else X
    coef = np.linalg.lstsq(A, y, rcond=None)[0]
    if fit_intercept:
        return coef[:-1], float(coef[-1])
    return coef, 0.0


# --------------------------------------------------------------------------- models


class _Model:
    """Shared plumbing: a flat ``params`` vector, ``loss`` and input checks."""

    name = "model"

    def __init__(self, n_features: int, n_params: int, params: Any) -> None:
        self.n_features = check_int("n_features", n_features, minimum=1)
        if params is None:
            self.params = np.zeros(n_params)
        else:
            p = np.array(params, dtype=float)
            if p.shape != (n_params,) or not np.all(np.isfinite(p)):
                raise ValueError(f"params must be a finite vector of shape ({n_params},)")
            self.params = p

    @property
    def n_params(self) -> int:
        """Number of parameters."""
        return self.params.size

    def _params(self, params: Any) -> np.ndarray:
        if params is None:
            return self.params
        p = np.asarray(params, dtype=float)
        if p.shape != self.params.shape:
            raise ValueError(f"params must have shape {self.params.shape}, got {p.shape}")
        return p

    def _check(self, X: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
        raise NotImplementedError

    def _loss_grad(self, X: np.ndarray, y: np.ndarray, p: np.ndarray) -> tuple[float, np.ndarray]:
        raise NotImplementedError

    def loss_and_grad(self, X: Any, y: Any, params: Any = None) -> tuple[float, np.ndarray]:
        """Average loss on ``(X, y)`` and its gradient w.r.t. the parameters.

        ``params`` defaults to ``self.params``; the gradient has its shape.
        """
        X, y = self._check(X, y)
        return self._loss_grad(X, y, self._params(params))

    def loss(self, X: Any, y: Any, params: Any = None) -> float:
        """Average loss on ``(X, y)`` (at ``params``, default ``self.params``)."""
        return self.loss_and_grad(X, y, params)[0]

    def __repr__(self) -> str:
        return f"{type(self).__name__}(n_features={self.n_features})"


class LinearRegression(_Model):
    r"""A linear model :math:`\hat y = Xw + b` trained with the mean squared error.

    ``params`` is ``[w_1, ..., w_p, b]``. The loss is :math:`\frac1n\|Xw + b - y\|^2`
    with gradient :math:`\frac2n X^\top r` for ``w`` and :math:`\frac2n \sum_i r_i` for
    ``b``, where :math:`r = Xw + b - y`.

    Example:
        >>> import gdcore as gd
        >>> model = gd.LinearRegression(n_features=2, params=[1.0, -1.0, 0.5])
        >>> model.predict([[2.0, 1.0]]).tolist()
        [1.5]
        >>> model.loss_and_grad([[2.0, 1.0]], [0.5])
        (1.0, array([4., 2., 2.]))
    """

    name = "linear regression"

    def __init__(self, n_features: int = 1, params: Any = None) -> None:
        super().__init__(n_features, check_int("n_features", n_features, minimum=1) + 1, params)

    @property
    def w(self) -> np.ndarray:
        """The weights (a view of ``params``)."""
        return self.params[:-1]

    @property
    def b(self) -> float:
        """The bias."""
        return float(self.params[-1])

    def predict(self, X: Any, params: Any = None) -> np.ndarray:
        """Predictions :math:`Xw + b`, shape ``(n,)``."""
        p = self._params(params)
        return _design(X, self.n_features) @ p[:-1] + p[-1]

    def _check(self, X: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
        X = _design(X, self.n_features)
        y = np.asarray(y, dtype=float)
        if y.shape != (X.shape[0],):
            raise ValueError(f"y must have shape ({X.shape[0]},), got {y.shape}")
        return X, y

    def _loss_grad(self, X, y, p):
        r = X @ p[:-1] + p[-1] - y
        n = y.size
        grad = np.empty_like(p)
        grad[:-1] = (2.0 / n) * (X.T @ r)
        grad[-1] = (2.0 / n) * np.sum(r)
        return float(np.mean(r * r)), grad


class LogisticRegression(_Model):
    r"""Binary classifier :math:`P(y = 1 \mid x) = \sigma(x^\top w + b)`, cross-entropy loss.

    ``params`` is ``[w_1, ..., w_p, b]``; labels are 0/1. The gradient of the average
    cross-entropy is :math:`X^\top(\sigma(z) - y)/n` for ``w`` and the mean of
    :math:`\sigma(z) - y` for ``b``.

    Example:
        >>> import gdcore as gd
        >>> X, y = gd.make_classification(n_samples=200, seed=0)
        >>> model = gd.LogisticRegression(n_features=2)
        >>> h = gd.fit(model, X, y, gd.GradientDescent(lr=0.5), epochs=100)
        >>> bool(model.accuracy(X, y) > 0.9)
        True
    """

    name = "logistic regression"

    def __init__(self, n_features: int = 2, params: Any = None) -> None:
        super().__init__(n_features, check_int("n_features", n_features, minimum=1) + 1, params)

    def logits(self, X: Any, params: Any = None) -> np.ndarray:
        """Raw scores :math:`z = Xw + b`, shape ``(n,)``."""
        p = self._params(params)
        return _design(X, self.n_features) @ p[:-1] + p[-1]

    def predict_proba(self, X: Any, params: Any = None) -> np.ndarray:
        """Probabilities of class 1, shape ``(n,)``."""
        return np.asarray(sigmoid(self.logits(X, params)), dtype=float)

    def predict(self, X: Any, params: Any = None) -> np.ndarray:
        """Predicted labels (1 where the probability is at least 0.5), shape ``(n,)``."""
        return (self.logits(X, params) >= 0).astype(np.int64)

    def accuracy(self, X: Any, y: Any) -> float:
        """Fraction of rows whose predicted label equals ``y``."""
        X, y = self._check(X, y)
        return float(np.mean(self.predict(X) == y))

    def _check(self, X: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
        X = _design(X, self.n_features)
        return X, _binary_targets(y, (X.shape[0],))

    def _loss_grad(self, X, y, p):
        z = X @ p[:-1] + p[-1]
        softplus = np.maximum(z, 0.0) + np.log1p(np.exp(-np.abs(z)))
        loss = float(np.mean(softplus - y * z))
        dz = (sigmoid(z) - y) / y.size
        grad = np.empty_like(p)
        grad[:-1] = X.T @ dz
        grad[-1] = np.sum(dz)
        return loss, grad


class SoftmaxRegression(_Model):
    r"""Multi-class classifier: class scores :math:`Z = XW + b`, softmax cross-entropy.

    ``params`` is ``W`` (shape ``(p, k)``, row by row) followed by ``b`` (``k``). The
    gradient is :math:`X^\top G` for ``W`` and the column sums of ``G`` for ``b``, with
    :math:`G = (\operatorname{softmax}(Z) - \operatorname{onehot}(y))/n`.

    Example:
        >>> import gdcore as gd
        >>> X, y = gd.make_classification(n_samples=300, n_classes=3, seed=0)
        >>> model = gd.SoftmaxRegression(n_features=2, n_classes=3)
        >>> model.n_params
        9
        >>> h = gd.fit(model, X, y, gd.Adam(lr=0.05), epochs=100, batch_size=32)
        >>> bool(model.accuracy(X, y) > 0.85)
        True
    """

    name = "softmax regression"

    def __init__(self, n_features: int = 2, n_classes: int = 3, params: Any = None) -> None:
        p = check_int("n_features", n_features, minimum=1)
        self.n_classes = check_int("n_classes", n_classes, minimum=2)
        super().__init__(p, (p + 1) * self.n_classes, params)

    @property
    def W(self) -> np.ndarray:
        """The weight matrix, shape ``(n_features, n_classes)`` (a view of ``params``)."""
        return self.params[: -self.n_classes].reshape(self.n_features, self.n_classes)

    @property
    def b(self) -> np.ndarray:
        """The biases, shape ``(n_classes,)``."""
        return self.params[-self.n_classes :]

    def logits(self, X: Any, params: Any = None) -> np.ndarray:
        """Class scores, shape ``(n, n_classes)``."""
        p = self._params(params)
        k = self.n_classes
        return _design(X, self.n_features) @ p[:-k].reshape(-1, k) + p[-k:]

    def predict_proba(self, X: Any, params: Any = None) -> np.ndarray:
        """Class probabilities, shape ``(n, n_classes)``, rows summing to 1."""
        return softmax(self.logits(X, params), axis=1)

    def predict(self, X: Any, params: Any = None) -> np.ndarray:
        """The most probable class of each row, shape ``(n,)``."""
        return np.argmax(self.logits(X, params), axis=1)

    def accuracy(self, X: Any, y: Any) -> float:
        """Fraction of rows whose predicted class equals ``y``."""
        X, y = self._check(X, y)
        return float(np.mean(self.predict(X) == y))

    def _check(self, X: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
        X = _design(X, self.n_features)
        return X, _labels(y, X.shape[0], self.n_classes)

    def _loss_grad(self, X, y, p):
        k = self.n_classes
        n = y.size
        Z = X @ p[:-k].reshape(-1, k) + p[-k:]
        rows = np.arange(n)
        loss = float(np.mean(logsumexp(Z, axis=1) - Z[rows, y]))
        G = softmax(Z, axis=1)
        G[rows, y] -= 1.0
        G /= n
        grad = np.empty_like(p)
        grad[:-k] = (X.T @ G).ravel()
        grad[-k:] = G.sum(axis=0)
        return loss, grad

    def __repr__(self) -> str:
        return f"SoftmaxRegression(n_features={self.n_features}, n_classes={self.n_classes})"


# --------------------------------------------------------------------------- fit


@dataclass(repr=False)
class History:
    """What :func:`fit` returns.

    Attributes:
        losses: loss on the full training data before training and after each epoch,
            shape ``(epochs_run + 1,)``.
        step_losses: loss of the batch used at each step (noisy for SGD), shape
            ``(n_steps,)``.
        lrs: learning rate of each step, shape ``(n_steps,)``.
        params: the parameters the model ends with (the best epoch's when early stopping
            restored them).
        batch_size: examples per step.
        status: ``"max_steps"`` (ran every epoch), ``"early_stopped"`` (the validation
            loss stopped improving for ``patience`` epochs) or ``"diverged"``.
        label: a short name for legends.
        val_losses: loss on the validation data before training and after each epoch,
            shape ``(epochs_run + 1,)``; empty without ``validation``.
        best_epoch: the epoch with the lowest validation loss (``0`` is the start), or
            ``None`` without ``validation``.
        message: why training stopped, in words.

    Example:
        >>> import gdcore as gd
        >>> X, y, _, _ = gd.make_regression(n_samples=40, seed=0)
        >>> h = gd.fit(gd.LinearRegression(), X, y, gd.GradientDescent(lr=0.1), epochs=5,
        ...            batch_size=10)
        >>> h.losses.shape, h.step_losses.shape, h.n_steps
        ((6,), (20,), 20)
    """

    losses: np.ndarray
    step_losses: np.ndarray
    lrs: np.ndarray
    params: np.ndarray
    batch_size: int
    status: str = MAX_STEPS
    label: str = ""
    val_losses: np.ndarray = field(default_factory=lambda: np.empty(0))
    best_epoch: int | None = None
    message: str = ""

    @property
    def epochs(self) -> int:
        """Number of epochs completed."""
        return len(self.losses) - 1

    @property
    def n_steps(self) -> int:
        """Number of optimizer steps taken."""
        return len(self.step_losses)

    @property
    def loss(self) -> float:
        """The final loss on the full training data."""
        return float(self.losses[-1])

    def summary(self) -> str:
        """A few readable lines about the run."""
        lines = [
            f"{self.label or 'fit'}: {self.status} after {self.epochs} epochs "
            f"({self.n_steps} steps of {self.batch_size} examples)"
        ]
        if self.message:
            lines.append(f"  {self.message}")
        lines.append(f"  loss: {self.losses[0]:.6g} -> {self.loss:.6g}")
        if len(self.val_losses):
            lines.append(
                f"  validation loss: {self.val_losses[0]:.6g} -> {self.val_losses[-1]:.6g} "
                f"(best {self.val_losses[self.best_epoch]:.6g} at epoch {self.best_epoch})"
            )
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (
            f"History(label={self.label!r}, status={self.status!r}, epochs={self.epochs}, "
            f"n_steps={self.n_steps}, loss={self.loss:.6g})"
        )


_MODEL_CONTRACT = (
    "a model needs `params` (a 1-D array of floats, the start point) and a method "
    "`loss_and_grad(X, y, params)` returning (average loss on the rows of X, gradient "
    "with the shape of params); see help(gd.fit)"
)


def _check_model(model: Any) -> np.ndarray:
    """The model's starting parameters, after checking that it follows fit's contract."""
    if not callable(getattr(model, "loss_and_grad", None)) or not hasattr(model, "params"):
        raise TypeError(f"model must follow fit's contract: {_MODEL_CONTRACT}; got {model!r}")
    try:
        params = np.array(model.params, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"model.params must be a 1-D array of numbers, got {model.params!r}"
                        ) from None
    if params.ndim != 1 or params.size == 0 or not np.all(np.isfinite(params)):
        raise ValueError(
            f"model.params must be a non-empty, finite 1-D array, got shape {params.shape}"
        )
    return params


def _loss_grad(model: Any, X: Any, y: Any, params: np.ndarray) -> tuple[float, np.ndarray]:
    """``model.loss_and_grad(X, y, params)``, checked: a real loss and a gradient like params."""
    out = model.loss_and_grad(X, y, params)
    try:
        loss, grad = out
    except (TypeError, ValueError):
        raise TypeError(
            f"model.loss_and_grad(X, y, params) must return a pair (loss, grad), got {out!r}"
        ) from None
    if type(loss) is not float:
        loss = _as_loss(loss, "model.loss_and_grad(X, y, params)")
    what = "model.loss_and_grad(X, y, params)"
    return loss, _as_numbers(grad, params.shape, what, f"a gradient of the shape of params "
                             f"{params.shape}")


def _rows(name: str, X: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
    """``X`` and ``y`` as arrays with the same, non-zero number of rows."""
    X, y = np.asarray(X), np.asarray(y)
    if X.ndim == 0 or y.ndim == 0 or len(X) == 0 or len(X) != len(y):
        raise ValueError(f"{name} must have the same non-zero number of rows, got shapes "
                         f"{X.shape} and {y.shape}")
    return X, y


def _check_fit_options(
    optimizer: Any, epochs: Any, schedule: Any, shuffle: Any, seed: Any, clip_norm: Any,
    validation: Any, patience: Any, restore_best: Any,
) -> tuple[int, float | None, Any, int | None]:
    if not (callable(getattr(optimizer, "step", None)) and hasattr(optimizer, "lr")):
        raise TypeError(
            f"optimizer must be an optimizer object like gd.Adam(lr=0.01), got {optimizer!r}"
        )
    epochs = StoppingRules(epochs, unit="epochs").steps
    if schedule is not None and not callable(schedule):
        raise TypeError(f"schedule must be a callable t -> lr (like gd.StepLR), got {schedule!r}")
    for name, flag in (("shuffle", shuffle), ("restore_best", restore_best)):
        if not isinstance(flag, bool):
            raise TypeError(f"{name} must be True or False, got {flag!r}")
    cn = None if clip_norm is None else check_positive("clip_norm", clip_norm)
    if validation is not None:
        try:
            X_val, y_val = validation
        except (TypeError, ValueError):
            raise TypeError("validation must be a pair (X_val, y_val), got "
                            f"{type(validation).__name__}") from None
        validation = _rows("validation X_val and y_val", X_val, y_val)
    if patience is not None:
        patience = check_int("patience", patience, minimum=1)
        if validation is None:
            raise ValueError("patience needs a validation set: pass validation=(X_val, y_val)")
    return epochs, cn, validation, patience


def fit(
    model: Model,
    X: Any,
    y: Any,
    optimizer: OptimizerLike,
    epochs: int,
    batch_size: int | None = None,
    schedule: Any = None,
    shuffle: bool = True,
    seed: int = 0,
    clip_norm: float | None = None,
    *,
    validation: tuple[Any, Any] | None = None,
    patience: int | None = None,
    restore_best: bool = True,
) -> History:
    """Train ``model`` on ``(X, y)`` with ``optimizer`` for ``epochs`` passes over the data.

    **The model contract.** ``fit`` works with any object that has

    * ``params``: a 1-D array of floats, the parameters to start from (``fit`` sets
      ``model.params`` to the trained parameters at the end);
    * ``loss_and_grad(X, y, params)``: the average loss on the rows ``X``, ``y`` (a batch)
      at ``params``, and its gradient with respect to ``params`` (an array of the same
      shape), returned as a pair ``(loss, grad)``.

    Nothing else is needed: ``gd.LinearRegression``, ``gd.LogisticRegression`` and
    ``gd.SoftmaxRegression`` follow exactly this contract, and so can a network written
    by hand in numpy (keep its weights in one flat vector and unpack it inside
    ``loss_and_grad``). ``X`` and ``y`` only need the same number of rows: a batch is
    ``X[idx], y[idx]``.

    **The loop.** Each epoch shuffles the rows (if ``shuffle``), cuts them into batches of
    ``batch_size`` (the last one may be smaller) and, for each batch, computes the loss and
    gradient there and sets ``params = optimizer.step(params, grad)``. With a ``schedule``,
    ``optimizer.lr = schedule(t)`` before step ``t = 0, 1, ...`` (counted across epochs).
    ``clip_norm`` rescales gradients longer than it. The optimizer is ``reset()`` first and
    its ``lr`` restored at the end; training stops early with status ``"diverged"`` if the
    loss or the parameters stop being finite. ``model.params`` is set to the final
    parameters at the end (unless they are not finite).

    **Validation and early stopping.** With ``validation=(X_val, y_val)`` the loss on that
    data is recorded before training and after every epoch (``History.val_losses``), and
    ``History.best_epoch`` is the epoch where it was lowest. With ``patience=p`` as well,
    training stops with status ``"early_stopped"`` once the validation loss has not
    improved for ``p`` epochs, and (``restore_best=True``, the default) the model ends
    with the parameters of its best epoch.

    Args:
        model: e.g. ``gd.LinearRegression(n_features=1)``, or any object following the
            contract above (its ``params`` are the start).
        X, y: training data.
        optimizer: any gdcore optimizer, e.g. ``gd.GradientDescent(lr=0.1)``.
        epochs: number of passes over the data, ``>= 0``.
        batch_size: ``None`` for the full batch, ``1`` for SGD, else mini-batches
            (clipped to the number of rows).
        schedule: callable ``t -> lr`` (e.g. ``gd.StepLR``), or ``None``.
        shuffle: reshuffle the rows every epoch.
        seed: seed of the shuffles.
        clip_norm: maximum gradient norm, ``> 0``, or ``None``.
        validation: ``(X_val, y_val)``, data the model is evaluated on but not trained on.
        patience: stop after this many epochs (``>= 1``) without a new best validation
            loss; needs ``validation``.
        restore_best: with ``patience``, end with the best epoch's parameters.

    Example:
        >>> import gdcore as gd
        >>> X, y, w, b = gd.make_regression(n_samples=200, noise=0.1, seed=0)
        >>> sgd = gd.fit(gd.LinearRegression(), X, y, gd.GradientDescent(lr=0.01),
        ...              epochs=5, batch_size=1)
        >>> sgd.n_steps, bool(sgd.losses[-1] < sgd.losses[0] / 10)
        (1000, True)

        A model written by hand: a line :math:`\\hat y = a x + b` with the mean squared
        error, its gradient worked out on paper.

        >>> import numpy as np
        >>> class Line:
        ...     def __init__(self):
        ...         self.params = np.zeros(2)                      # [a, b]
        ...     def loss_and_grad(self, X, y, params):
        ...         a, b = params
        ...         r = a * X[:, 0] + b - y                        # residuals
        ...         grad = np.array([2 * np.mean(r * X[:, 0]), 2 * np.mean(r)])
        ...         return np.mean(r * r), grad
        >>> X, y, w, b = gd.make_regression(n_samples=300, noise=0.5, seed=1)
        >>> line = Line()
        >>> h = gd.fit(line, X[:200], y[:200], gd.Adam(lr=0.1), epochs=500, batch_size=20,
        ...            validation=(X[200:], y[200:]), patience=5)
        >>> h.status, h.best_epoch == h.epochs - 5
        ('early_stopped', True)
        >>> bool(np.allclose(line.params, [w[0], b], atol=0.2))
        True
    """
    epochs, cn, validation, patience = _check_fit_options(
        optimizer, epochs, schedule, shuffle, seed, clip_norm, validation, patience,
        restore_best,
    )
    params = _check_model(model)
    X, y = _rows("X and y", X, y)
    n = len(X)
    bs = n if batch_size is None else min(check_int("batch_size", batch_size, minimum=1), n)
    run = _FitRun(model, X, y, optimizer, bs, schedule, cn, validation, epochs)
    if callable(getattr(optimizer, "reset", None)):
        optimizer.reset()
    lr_start = optimizer.lr
    rng = np.random.default_rng(check_int("seed", seed))
    run.record_epoch(params)
    try:
        with np.errstate(all="ignore"):
            for epoch in range(1, epochs + 1):
                order = rng.permutation(n) if shuffle else np.arange(n)
                params = run.epoch(params, order)
                run.record_epoch(params)
                if run.status == DIVERGED:
                    break
                if patience is not None and epoch - run.best_epoch >= patience:
                    run.stop(EARLY_STOPPED, f"validation loss did not improve for "
                             f"{patience} epochs after epoch {run.best_epoch}")
                    break
    finally:
        if schedule is not None:
            optimizer.lr = lr_start
    if patience is not None and restore_best:
        params = run.best_params
    return run.history(params)


class _FitRun:
    """The bookkeeping of one :func:`fit` run: the records, the status, the best epoch."""

    def __init__(self, model, X, y, optimizer, bs, schedule, cn, validation, epochs) -> None:
        self.model, self.X, self.y, self.optimizer = model, X, y, optimizer
        self.bs, self.schedule, self.cn, self.validation = bs, schedule, cn, validation
        self.losses: list[float] = []
        self.val_losses: list[float] = []
        self.step_losses: list[float] = []
        self.lrs: list[float] = []
        self.status, self.message = StoppingRules(epochs, unit="epochs").ran_all()
        self.best_epoch, self.best_params = 0, None

    def stop(self, status: str, message: str) -> None:
        self.status, self.message = status, message

    def epoch(self, params: np.ndarray, order: np.ndarray) -> np.ndarray:
        """One pass over the rows in ``order``, one optimizer step per batch."""
        model, X, y, optimizer, schedule = self.model, self.X, self.y, self.optimizer, self.schedule
        for start in range(0, len(order), self.bs):
            idx = order[start : start + self.bs]
            loss, grad = _loss_grad(model, X[idx], y[idx], params)
            t = len(self.step_losses)
            if not math.isfinite(loss):
                self.stop(*StoppingRules.not_finite("batch loss", t))
                break
            if not np.all(np.isfinite(grad)):
                self.stop(*StoppingRules.not_finite("gradient", t))
                break
            self.step_losses.append(loss)
            if schedule is not None:
                optimizer.lr = _check_schedule_value(schedule(t), t)
            self.lrs.append(optimizer.lr)
            if self.cn is not None:
                grad = _clip_norm(grad, self.cn)
            params = np.asarray(optimizer.step(params, grad), dtype=float)
            if not np.all(np.isfinite(params)):
                self.stop(*StoppingRules.not_finite("parameters", t, "after step"))
                break
        return params

    def record_epoch(self, params: np.ndarray) -> None:
        """The training (and validation) loss at ``params``, at the end of an epoch."""
        finite = bool(np.all(np.isfinite(params)))
        loss = _loss_grad(self.model, self.X, self.y, params)[0] if finite else math.inf
        self.losses.append(loss)
        epoch = len(self.losses) - 1
        if epoch > 0 and not math.isfinite(loss) and self.status != DIVERGED:
            self.stop(*StoppingRules.not_finite("training loss", epoch, "after epoch"))
        if self.validation is not None:
            val = _loss_grad(self.model, *self.validation, params)[0] if finite else math.inf
            self.val_losses.append(val)
            if self.best_params is None or val < self.val_losses[self.best_epoch]:
                self.best_epoch, self.best_params = len(self.val_losses) - 1, params.copy()

    def history(self, params: np.ndarray) -> History:
        if np.all(np.isfinite(params)):
            self.model.params = params
        n = len(self.X)
        kind = "batch GD" if self.bs == n else ("SGD" if self.bs == 1 else f"mini-batch {self.bs}")
        name = getattr(self.optimizer, "name", type(self.optimizer).__name__)
        return History(
            losses=np.array(self.losses, dtype=float),
            step_losses=np.array(self.step_losses, dtype=float),
            lrs=np.array(self.lrs, dtype=float), params=params.copy(), batch_size=self.bs,
            status=self.status, label=f"{name}, {kind}",
            val_losses=np.array(self.val_losses, dtype=float),
            best_epoch=self.best_epoch if self.validation is not None else None,
            message=self.message,
        )
