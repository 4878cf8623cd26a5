"""Benchmark: the per-step cost of the single-point path (minimize, landscapes, optimizers).

Times, best of several repeats:

- ``dart``: ``gd.minimize(gd.DartLoss(), gd.GradientDescent(lr=1e-5), x0=0.0, steps=100000,
  loss_threshold=1e-3)`` (about 19k steps; the dart page's slow cell), in µs per step;
- ``dart_sweep``: the learning-rate page's ``dart-gd-sweep`` cell (gradient descent on
  ``gd.DartLoss()`` inside ``bounds=(-pi/2, pi/2)`` for six learning rates, up to 100,000
  steps each, ``loss_threshold=1e-3``), in ms;
- ``explorer``: ``gd.explorer_update`` on Rosenbrock with six optimizers x 500 steps (what
  the browser worker runs on each control change), in ms;
- ``adam``: ``gd.minimize`` with ``gd.Adam(lr=0.01)`` on ``gd.Rosenbrock()``, 1,000 steps,
  in ms, and the same on a duck-typed Rosenbrock written as a reader writes it
  (``duck_adam``);
- ``many``: ``gd.minimize_many`` on 10,000 start points x 1,000 steps on Rosenbrock
  (``record=False``), in s (skipped with ``--quick``);
- ``parts``: one call each of the landscape loss, gradient and optimizer steps on a (2,)
  point, in µs.

Runs unchanged in CPython and in Pyodide (no files, no threads)::

    .venv/bin/python tests/benchmarks/bench_hotpath.py [--repeats 5] [--quick] [--json]

``GDCORE_PATH=/some/dir`` puts another copy of ``gdcore`` first on ``sys.path`` (to time
a baseline next to the working tree).
"""

from __future__ import annotations

import json
import os
import sys
import time

if os.environ.get("GDCORE_PATH"):
    sys.path.insert(0, os.environ["GDCORE_PATH"])

import numpy as np  # noqa: E402

import gdcore as gd  # noqa: E402

EXPLORER_RUNS = [
    {"optimizer": "GradientDescent", "lr": 0.001},
    {"optimizer": "Momentum", "lr": 0.001},
    {"optimizer": "Nesterov", "lr": 0.001},
    {"optimizer": "RMSProp", "lr": 0.01},
    {"optimizer": "Adam", "lr": 0.05},
    {"optimizer": "AdaGrad", "lr": 0.5},
]


class ReaderRosenbrock:
    """(1 - x)^2 + 100 (y - x^2)^2 as a reader writes it: ``__call__`` and ``grad``."""

    def __call__(self, x):
        return (1.0 - x[0]) ** 2 + 100.0 * (x[1] - x[0] ** 2) ** 2

    def grad(self, x):
        r = x[1] - x[0] ** 2
        return np.array([-2.0 * (1.0 - x[0]) - 400.0 * x[0] * r, 200.0 * r])


def best_of(fn, repeats: int) -> float:
    """The smallest wall time of ``repeats`` calls of ``fn``, in seconds."""
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def per_call(fn, n: int, repeats: int) -> float:
    """Best-of-``repeats`` mean time of one call of ``fn`` over ``n`` calls, in µs."""
    def loop():
        for _ in range(n):
            fn()
    return best_of(loop, repeats) / n * 1e6


def bench(repeats: int = 5, quick: bool = False) -> dict[str, float]:
    out: dict[str, float] = {}
    dart = gd.DartLoss()

    run = gd.minimize(dart, gd.GradientDescent(lr=1e-5), x0=0.0, steps=100000,
                      loss_threshold=1e-3)
    n = run.n_steps
    t = best_of(lambda: gd.minimize(dart, gd.GradientDescent(lr=1e-5), x0=0.0,
                                    steps=100000, loss_threshold=1e-3), max(1, repeats // 2))
    out["dart_steps"] = n
    out["dart_ms"] = t * 1e3
    out["dart_us_per_step"] = t / n * 1e6

    def dart_sweep():
        return [gd.minimize(dart, gd.GradientDescent(lr=lr), x0=0.0, steps=100_000,
                            bounds=(-np.pi / 2, np.pi / 2), loss_threshold=1e-3)
                for lr in (1, 0.1, 0.01, 0.001, 1e-4, 1e-5)]

    out["dart_sweep_steps"] = sum(run.n_steps for run in dart_sweep())
    out["dart_sweep_ms"] = best_of(dart_sweep, max(1, repeats // 2)) * 1e3

    out["explorer_ms"] = best_of(
        lambda: gd.explorer_update("rosenbrock", EXPLORER_RUNS, [-1.5, 2.0], 500), repeats
    ) * 1e3

    f = gd.landscapes["rosenbrock"]
    out["adam_1000_ms"] = best_of(
        lambda: gd.minimize(f, gd.Adam(lr=0.01), (-1.5, 2.0), 1000), repeats
    ) * 1e3
    duck = ReaderRosenbrock()
    out["duck_adam_1000_ms"] = best_of(
        lambda: gd.minimize(duck, gd.Adam(lr=0.01), (-1.5, 2.0), 1000), repeats
    ) * 1e3

    p = np.array([-1.5, 2.0])
    g = f.grad(p)
    out["rosen_loss_us"] = per_call(lambda: f(p), 2000, repeats)
    out["rosen_grad_us"] = per_call(lambda: f.grad(p), 2000, repeats)
    out["dart_loss_us"] = per_call(lambda: dart(np.array([0.5])), 2000, repeats)
    for name in ("GradientDescent", "Momentum", "RMSProp", "Adam"):
        opt = getattr(gd, name)(lr=0.01)
        opt.step(p, g)
        out[f"{name.lower()}_step_us"] = per_call(lambda opt=opt: opt.step(p, g), 2000, repeats)

    if not quick:
        rng = np.random.default_rng(0)
        starts = rng.uniform([-2.0, -1.0], [2.0, 3.0], size=(10_000, 2))
        out["many_10k_x_1k_s"] = best_of(
            lambda: gd.minimize_many(f, gd.Adam(lr=0.01), starts, 1000, record=False),
            max(1, repeats // 3),
        )
    return out


def main(argv: list[str]) -> None:
    repeats = 5
    if "--repeats" in argv:
        repeats = int(argv[argv.index("--repeats") + 1])
    out = bench(repeats, quick="--quick" in argv)
    if "--json" in argv:
        print(json.dumps(out))
        return
    for key, value in out.items():
        print(f"{key:<22} {value:12.3f}")


if __name__ == "__main__":
    main(sys.argv[1:])
