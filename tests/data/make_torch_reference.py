"""Make tests/data/torch_reference.json: torch.optim trajectories that gdcore must reproduce.

For every optimizer gdcore shares with torch.optim (and the interesting variants: weight
decay, dampening, RMSProp centered/momentum, AMSGrad, ...) this runs torch's optimizer in
float64 for ``STEPS`` steps on two 2-D objectives, Rosenbrock and an ill-conditioned
quadratic, and stores every point. The gradient handed to torch at each point is computed
by the numpy functions below, which ``tests/gdcore/test_optim.py`` imports too, so both
libraries see bit-identical gradients and only the update rules are compared.

Agreement is to rounding, not bit for bit: torch's CPU kernels for ``addcmul`` and ``lerp``
use fused multiply-adds (checked: ``addcmul_(t1, t2, value=v)`` returns exactly
``fma(v * t1, t2, self)``), which numpy cannot express, so single-ulp differences appear
after a few hundred steps. The learning rates below keep every run out of chaotic regimes
(e.g. Adam or centered RMSProp rattling around the minimum like sign descent), where any
1-ulp difference, even between two torch builds, grows to O(1) within 500 steps; on these
runs the worst relative difference is about 1.5e-11.

torch is NOT a dependency of gdcore. To regenerate the data (only needed when a case is
added)::

    .venv/bin/pip install torch==2.13.0
    .venv/bin/python tests/data/make_torch_reference.py

Importing this module does not import torch.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

STEPS = 500
OUT = Path(__file__).with_name("torch_reference.json")


def rosenbrock(p: np.ndarray) -> float:
    """Rosenbrock's banana, (1 - x)^2 + 100 (y - x^2)^2."""
    x, y = float(p[0]), float(p[1])
    return (1.0 - x) ** 2 + 100.0 * (y - x * x) ** 2


def rosenbrock_grad(p: np.ndarray) -> np.ndarray:
    x, y = float(p[0]), float(p[1])
    r = y - x * x
    return np.array([-2.0 * (1.0 - x) - 400.0 * x * r, 200.0 * r])


def quadratic(p: np.ndarray) -> float:
    """An ill-conditioned bowl, 0.5 x^T A x with A = [[10, 2], [2, 1]] (kappa ~ 17)."""
    x, y = float(p[0]), float(p[1])
    return 0.5 * (10.0 * x * x + 4.0 * x * y + y * y)


def quadratic_grad(p: np.ndarray) -> np.ndarray:
    x, y = float(p[0]), float(p[1])
    return np.array([10.0 * x + 2.0 * y, 2.0 * x + y])


OBJECTIVES: dict[str, dict[str, Any]] = {
    "rosenbrock": {"f": rosenbrock, "grad": rosenbrock_grad, "x0": [-1.2, 1.0]},
    "quadratic": {"f": quadratic, "grad": quadratic_grad, "x0": [1.5, -2.0]},
}

# name, gdcore optimizer key (gd.optimizers), constructor kwargs, lr per objective.
CASES: list[dict[str, Any]] = [
    {"name": "gd", "optimizer": "gradient_descent", "kwargs": {},
     "lr": {"rosenbrock": 5e-4, "quadratic": 0.05}},
    {"name": "gd_wd", "optimizer": "gradient_descent", "kwargs": {"weight_decay": 0.1},
     "lr": {"rosenbrock": 5e-4, "quadratic": 0.05}},
    {"name": "momentum", "optimizer": "momentum", "kwargs": {"momentum": 0.9},
     "lr": {"rosenbrock": 1e-4, "quadratic": 0.01}},
    {"name": "momentum_damp_wd", "optimizer": "momentum",
     "kwargs": {"momentum": 0.8, "dampening": 0.3, "weight_decay": 0.05},
     "lr": {"rosenbrock": 2e-4, "quadratic": 0.02}},
    {"name": "nesterov", "optimizer": "nesterov", "kwargs": {"momentum": 0.9},
     "lr": {"rosenbrock": 1e-4, "quadratic": 0.01}},
    {"name": "nesterov_wd", "optimizer": "nesterov", "kwargs": {"momentum": 0.7,
                                                               "weight_decay": 0.05},
     "lr": {"rosenbrock": 2e-4, "quadratic": 0.02}},
    {"name": "adagrad", "optimizer": "adagrad", "kwargs": {},
     "lr": {"rosenbrock": 0.1, "quadratic": 0.3}},
    {"name": "adagrad_options", "optimizer": "adagrad",
     "kwargs": {"lr_decay": 0.01, "weight_decay": 0.02, "eps": 1e-6,
                "initial_accumulator_value": 0.5},
     "lr": {"rosenbrock": 0.2, "quadratic": 0.5}},
    {"name": "rmsprop", "optimizer": "rmsprop", "kwargs": {},
     "lr": {"rosenbrock": 1e-3, "quadratic": 1e-2}},
    {"name": "rmsprop_centered", "optimizer": "rmsprop", "kwargs": {"centered": True,
                                                                   "alpha": 0.99},
     "lr": {"rosenbrock": 1e-4, "quadratic": 5e-4}},
    {"name": "rmsprop_momentum", "optimizer": "rmsprop", "kwargs": {"momentum": 0.5,
                                                                   "eps": 1e-6},
     "lr": {"rosenbrock": 5e-4, "quadratic": 5e-3}},
    {"name": "rmsprop_all", "optimizer": "rmsprop",
     "kwargs": {"alpha": 0.95, "centered": True, "momentum": 0.3, "weight_decay": 0.01},
     "lr": {"rosenbrock": 2e-4, "quadratic": 1e-3}},
    {"name": "adadelta", "optimizer": "adadelta", "kwargs": {},
     "lr": {"rosenbrock": 0.3, "quadratic": 1.0}},
    {"name": "adadelta_options", "optimizer": "adadelta",
     "kwargs": {"rho": 0.8, "eps": 1e-5, "weight_decay": 0.1},
     "lr": {"rosenbrock": 0.1, "quadratic": 0.2}},
    {"name": "adam", "optimizer": "adam", "kwargs": {},
     "lr": {"rosenbrock": 0.01, "quadratic": 0.05}},
    {"name": "adam_betas_wd", "optimizer": "adam",
     "kwargs": {"betas": [0.6, 0.95], "eps": 1e-6, "weight_decay": 0.05},
     "lr": {"rosenbrock": 0.002, "quadratic": 0.003}},
    {"name": "adam_amsgrad", "optimizer": "adam", "kwargs": {"amsgrad": True},
     "lr": {"rosenbrock": 0.01, "quadratic": 0.05}},
    {"name": "adamw", "optimizer": "adamw", "kwargs": {},
     "lr": {"rosenbrock": 0.01, "quadratic": 0.05}},
    {"name": "adamw_amsgrad_wd", "optimizer": "adamw",
     "kwargs": {"amsgrad": True, "weight_decay": 0.5, "betas": [0.8, 0.99]},
     "lr": {"rosenbrock": 0.01, "quadratic": 0.05}},
]


def _torch_optimizer(torch: Any, key: str, params: list, lr: float, kwargs: dict) -> Any:
    kw = dict(kwargs)
    if "betas" in kw:
        kw["betas"] = tuple(kw["betas"])
    optim = torch.optim
    if key == "gradient_descent":
        return optim.SGD(params, lr=lr, foreach=False, **kw)
    if key == "momentum":
        return optim.SGD(params, lr=lr, foreach=False, **kw)
    if key == "nesterov":
        return optim.SGD(params, lr=lr, nesterov=True, foreach=False, **kw)
    classes = {"adagrad": optim.Adagrad, "rmsprop": optim.RMSprop,
               "adadelta": optim.Adadelta, "adam": optim.Adam, "adamw": optim.AdamW}
    return classes[key](params, lr=lr, foreach=False, **kw)


def run_torch(case: dict[str, Any], objective: str) -> list[list[float]]:
    import torch

    torch.set_default_dtype(torch.float64)
    spec = OBJECTIVES[objective]
    param = torch.nn.Parameter(torch.tensor(spec["x0"], dtype=torch.float64))
    opt = _torch_optimizer(torch, case["optimizer"], [param], case["lr"][objective],
                           case["kwargs"])
    xs = [param.detach().numpy().tolist()]
    for _ in range(STEPS):
        g = spec["grad"](param.detach().numpy().copy())
        param.grad = torch.from_numpy(g)
        opt.step()
        xs.append(param.detach().numpy().tolist())
    if not np.all(np.isfinite(xs)):
        raise RuntimeError(f"{case['name']} on {objective} diverged: pick a smaller lr")
    return xs


def main() -> None:
    import torch

    runs = []
    for case in CASES:
        for objective in OBJECTIVES:
            xs = run_torch(case, objective)
            runs.append({"case": case["name"], "objective": objective, "xs": xs})
            moved = np.linalg.norm(np.subtract(xs[-1], xs[0]))
            print(f"{case['name']:18s} {objective:10s} moved {moved:.3g}, "
                  f"final loss {OBJECTIVES[objective]['f'](np.array(xs[-1])):.3g}")
    data = {
        "generator": "tests/data/make_torch_reference.py",
        "torch_version": torch.__version__,
        "dtype": "float64",
        "steps": STEPS,
        "x0": {name: spec["x0"] for name, spec in OBJECTIVES.items()},
        "cases": CASES,
        "runs": runs,
    }
    OUT.write_text(json.dumps(data, separators=(",", ":")) + "\n")
    print(f"wrote {OUT} ({OUT.stat().st_size / 1e6:.2f} MB, {len(runs)} runs)")


if __name__ == "__main__":
    main()
