"""Benchmark: how fast is ``gd.minimize`` on a tiny problem, next to torch.optim and numpy?

Runs 1,000 steps of Adam (lr=0.01) on 2-D Rosenbrock from (-1.5, 2) four ways, best of
several repeats each, and prints steps per second:

- ``gd.minimize`` with ``gd.Adam`` on ``gd.Rosenbrock()`` (the library's own landscape),
- ``gd.minimize`` on the hand-written vectorized Rosenbrock used for the batch run,
- a plain numpy Adam loop (no bookkeeping, no checks: the floor),
- ``torch.optim.Adam`` in float64 with autograd, the usual ``zero_grad / loss.backward()
  / step()`` loop (the reference for the "5x faster" goal), and torch's Adam fed the
  analytic gradient of ``gd.Rosenbrock`` (optimizer overhead alone); both skipped with a
  message if torch is not installed (torch is not a gdcore dependency),

then ``gd.minimize_many`` on 10,000 start points x 1,000 steps (vectorized Rosenbrock).

    .venv/bin/python tests/benchmarks/bench_minimize.py [--repeats 7]

Exits non-zero if gdcore is not at least 5x faster than torch or the batch run takes 3 s
or more.
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np

import gdcore as gd

STEPS = 1000
LR = 0.01
X0 = (-1.5, 2.0)


class FastRosenbrock:
    """(1 - x)^2 + 100 (y - x^2)^2 on points of shape (2,) or (m, 2)."""

    name = "rosenbrock"

    def __call__(self, p):
        x, y = p[..., 0], p[..., 1]
        return (1.0 - x) ** 2 + 100.0 * (y - x * x) ** 2

    def grad(self, p):
        x, y = p[..., 0], p[..., 1]
        r = y - x * x
        return np.stack([-2.0 * (1.0 - x) - 400.0 * x * r, 200.0 * r], axis=-1)


def best_of(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def run_gdcore(f) -> float:
    run = gd.minimize(f, gd.Adam(lr=LR), X0, STEPS)
    assert run.n_steps == STEPS, run.summary()
    return run.loss


def run_numpy(f) -> float:
    grad = f.grad
    x = np.array(X0)
    m = np.zeros(2)
    v = np.zeros(2)
    b1, b2, eps = 0.9, 0.999, 1e-8
    for t in range(1, STEPS + 1):
        g = grad(x)
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        x = x - LR / (1 - b1**t) * m / (np.sqrt(v) / (1 - b2**t) ** 0.5 + eps)
    return float(f(x))


def make_torch_run():
    try:
        import torch
    except ImportError:
        return None

    def run_analytic() -> float:
        f = gd.Rosenbrock()
        p = torch.tensor(X0, dtype=torch.float64, requires_grad=True)
        opt = torch.optim.Adam([p], lr=LR)
        for _ in range(STEPS):
            p.grad = torch.from_numpy(f.grad(p.detach().numpy()))
            opt.step()
        return float(f(p.detach().numpy()))

    def run() -> float:
        p = torch.tensor(X0, dtype=torch.float64, requires_grad=True)
        opt = torch.optim.Adam([p], lr=LR)
        for _ in range(STEPS):
            opt.zero_grad()
            loss = (1 - p[0]) ** 2 + 100 * (p[1] - p[0] ** 2) ** 2
            loss.backward()
            opt.step()
        return loss.item()

    return run, run_analytic, torch.__version__


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()

    rows = []
    lib_f, fast_f = gd.Rosenbrock(), FastRosenbrock()
    t_lib = best_of(lambda: run_gdcore(lib_f), args.repeats)
    rows.append(("gd.minimize, gd.Adam, gd.Rosenbrock()", t_lib))
    t_fast = best_of(lambda: run_gdcore(fast_f), args.repeats)
    rows.append(("gd.minimize, gd.Adam, np.stack Rosenbrock", t_fast))
    t_np = best_of(lambda: run_numpy(lib_f), args.repeats)
    rows.append(("plain numpy Adam loop, gd.Rosenbrock()", t_np))
    torch_run = make_torch_run()
    t_torch = None
    if torch_run is None:
        print("torch is not installed: skipping the torch.optim.Adam comparison "
              "(pip install torch==2.13.0 to run it)")
    else:
        run, run_analytic, version = torch_run
        t_torch = best_of(run, args.repeats)
        rows.append((f"torch {version} optim.Adam + autograd (float64)", t_torch))
        t_analytic = best_of(run_analytic, args.repeats)
        rows.append(("torch optim.Adam, gradient from gd.Rosenbrock", t_analytic))

    print(f"\n1,000 Adam steps on 2-D Rosenbrock, best of {args.repeats} (CPython "
          f"{sys.version.split()[0]}, numpy {np.__version__})")
    print(f"{'loop':48s} {'time (ms)':>10s} {'steps/s':>10s} {'vs torch':>9s}")
    for name, t in rows:
        ratio = f"{t_torch / t:8.1f}x" if t_torch else "      -"
        print(f"{name:48s} {t * 1e3:10.2f} {STEPS / t:10.0f} {ratio}")

    rng = np.random.default_rng(0)
    starts = rng.uniform([-2.0, -1.0], [2.0, 3.0], size=(10_000, 2))
    batch_times = {}
    for record in (False, True):
        batch_times[record] = best_of(
            lambda record=record: gd.minimize_many(
                fast_f, gd.Adam(lr=LR), starts, STEPS, record=record
            ),
            max(1, min(3, args.repeats)),
        )
    batch = gd.minimize_many(fast_f, gd.Adam(lr=LR), starts, STEPS, record=False)
    print(f"\nminimize_many, Adam, 10,000 start points x 1,000 steps: "
          f"{batch_times[False]:.2f} s (record=False), {batch_times[True]:.2f} s "
          f"(record=True, all paths kept)")
    print(f"  {batch.counts()}")

    ok = True
    if t_torch is not None and t_torch / t_lib < 5:
        print(f"FAIL: gd.minimize is only {t_torch / t_lib:.1f}x faster than torch (need 5x)")
        ok = False
    if max(batch_times.values()) >= 3.0:
        print("FAIL: minimize_many took 3 s or more")
        ok = False
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
