"""Benchmark: how fast is ``gd.minimize`` on a tiny problem, next to torch.optim and numpy?

Runs 1,000 steps of Adam (lr=0.01) on 2-D Rosenbrock from (-1.5, 2), best of several
repeats each, and prints the time and steps per second of:

- ``gd.minimize`` with ``gd.Adam`` on ``gd.Rosenbrock()`` (the library's own landscape),
- ``gd.minimize`` on a duck-typed Rosenbrock written as a reader writes it (an object with
  ``__call__`` and ``grad`` on numpy arrays, ``x[0]`` and ``x[1]``), and on the
  hand-written vectorized (``np.stack``) Rosenbrock used for the batch run,
- plain numpy Adam loops over the same duck-typed objective, written as a reader writes
  them (the textbook update, one numpy expression per line):

  - *gradient only*: the floor, no loss, no checks, no record;
  - *loss + gradient*: also evaluates the loss at every step, nothing else;
  - *same work* (the reference of the 1.1x goal): what a ``minimize`` run does at every
    step, the plain way: evaluate the loss and the gradient, stop unless both are finite
    (``math.isfinite(loss)``, ``np.isfinite(g).all()``), record the point, the loss and
    the gradient in lists, and make the record arrays at the end. ``minimize`` does a
    little more than this (it also checks that the point is finite and that
    ``|loss| <= diverge_at``, and records the learning rate of each step), so the
    comparison does not flatter it,
- ``torch.optim.Adam`` in float64 with autograd, the usual ``zero_grad / loss.backward()
  / step()`` loop, and torch's Adam fed the analytic gradient of ``gd.Rosenbrock``
  (optimizer overhead alone, the reference for the "5x faster" goal); both skipped with a
  message if torch is not installed (torch is not a gdcore dependency),

then ``gd.minimize_many`` on 10,000 start points x 1,000 steps (vectorized Rosenbrock).

Times are CPU time of this process (``time.process_time``; torch is limited to one
thread): stable on a shared machine, and the wall time of these single-threaded loops on
an idle one.

    .venv/bin/python tests/benchmarks/bench_minimize.py [--repeats 7] [--breakdown]

``--breakdown`` also prints where the time of one ``gd.minimize`` step on the duck-typed
objective goes, in µs: each piece of the step timed alone (``timeit``, CPU time, on the
point and gradient of step 500), and the rest of the measured step (calls between the
pieces, loop control) as *bookkeeping*. Pieces timed alone run from warm caches: on a busy
machine they cost more inside the loop, and the difference lands in bookkeeping. Then,
measured the same way, the alternatives that lost: a dot product for the finiteness
check, ``np.isfinite``, ``np.linalg.norm``, preallocated arrays for the record.

Exits non-zero if ``gd.minimize`` on ``gd.Rosenbrock()`` is not at least 5x faster than
torch's Adam fed the same analytic gradient, if ``gd.minimize`` on the duck-typed objective
costs more than 1.1x the plain numpy loop that does the same work (the *same work* loop
above; the ratios to the two lighter loops are printed too, not checked), or if the batch
run takes 3 s or more.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
import timeit

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


class ReaderRosenbrock:
    """(1 - x)^2 + 100 (y - x^2)^2, written the way a reader writes an objective."""

    def __call__(self, x):
        return (1.0 - x[0]) ** 2 + 100.0 * (x[1] - x[0] ** 2) ** 2

    def grad(self, x):
        r = x[1] - x[0] ** 2
        return np.array([-2.0 * (1.0 - x[0]) - 400.0 * x[0] * r, 200.0 * r])


def best_of(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.process_time()
        fn()
        times.append(time.process_time() - start)
    return min(times)


def run_gdcore(f) -> float:
    run = gd.minimize(f, gd.Adam(lr=LR), X0, STEPS)
    assert run.n_steps == STEPS, run.summary()
    return run.loss


def run_numpy_same_work(f) -> float:
    """Adam as ``run_numpy`` writes it, plus what ``minimize`` does at each step (see above)."""
    grad = f.grad
    x = np.array(X0)
    m = np.zeros(2)
    v = np.zeros(2)
    b1, b2, eps = 0.9, 0.999, 1e-8
    xs, losses, grads = [], [], []
    for t in range(1, STEPS + 2):
        loss = f(x)
        g = grad(x)
        if not (math.isfinite(loss) and np.isfinite(g).all()):
            break
        xs.append(x)
        losses.append(loss)
        grads.append(g)
        if t == STEPS + 1:
            break
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        x = x - LR / (1 - b1**t) * m / (np.sqrt(v) / (1 - b2**t) ** 0.5 + eps)
    xs, losses, grads = np.array(xs), np.array(losses), np.array(grads)
    assert len(xs) == STEPS + 1
    return float(losses[-1])


def run_numpy(f, with_loss: bool = False) -> float:
    grad = f.grad
    x = np.array(X0)
    m = np.zeros(2)
    v = np.zeros(2)
    b1, b2, eps = 0.9, 0.999, 1e-8
    losses = []
    for t in range(1, STEPS + 1):
        if with_loss:
            losses.append(f(x))
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
    torch.set_num_threads(1)

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


def time_rows(repeats: int) -> tuple[list[tuple[str, float]], dict[str, float]]:
    """Each single-run loop, timed; also returned by key for the checks."""
    lib_f, reader_f, fast_f = gd.Rosenbrock(), ReaderRosenbrock(), FastRosenbrock()
    t = {
        "lib": best_of(lambda: run_gdcore(lib_f), repeats),
        "reader": best_of(lambda: run_gdcore(reader_f), repeats),
        "stack": best_of(lambda: run_gdcore(fast_f), repeats),
        "numpy": best_of(lambda: run_numpy(reader_f), repeats),
        "numpy_loss": best_of(lambda: run_numpy(reader_f, with_loss=True), repeats),
        "numpy_same": best_of(lambda: run_numpy_same_work(reader_f), repeats),
    }
    rows = [
        ("gd.minimize, gd.Adam, gd.Rosenbrock()", t["lib"]),
        ("gd.minimize, gd.Adam, duck-typed Rosenbrock", t["reader"]),
        ("gd.minimize, gd.Adam, np.stack Rosenbrock", t["stack"]),
        ("numpy Adam loop, duck-typed, gradient only", t["numpy"]),
        ("numpy Adam loop, duck-typed, loss + gradient", t["numpy_loss"]),
        ("numpy Adam loop, duck-typed, same work", t["numpy_same"]),
    ]
    torch_run = make_torch_run()
    if torch_run is None:
        print("torch is not installed: skipping the torch.optim.Adam comparison "
              "(pip install torch==2.13.0 to run it)")
    else:
        run, run_analytic, version = torch_run
        t["torch"] = best_of(run, repeats)
        rows.append((f"torch {version} optim.Adam + autograd (float64)", t["torch"]))
        t["torch_analytic"] = best_of(run_analytic, repeats)
        rows.append(("torch optim.Adam, gradient from gd.Rosenbrock", t["torch_analytic"]))
    return rows, t


def step_breakdown(repeats: int) -> list[tuple[str, float]]:
    """µs per step of ``gd.minimize`` (Adam, duck-typed), piece by piece (see ``--breakdown``).

    Every piece is a statement timed by ``timeit`` on the point, gradient and Adam state of
    step 500; the statements are timed in turns, ``repeats`` rounds, best of each, so that
    a busy moment of the machine does not fall on one piece only.
    """
    from gdcore.loop import _F64, StoppingRules

    f = ReaderRosenbrock()
    adam = gd.Adam(lr=LR)
    run = gd.minimize(f, adam, X0, 500)  # Adam's state after 500 steps
    x, g, loss = run.x, f.grad(run.x), f(run.x)
    rules = StoppingRules(STEPS, f=f)
    record: list[float] = []
    names = {
        "f": f, "x": x, "g": g, "loss": loss, "adam": adam, "rules": rules, "np": np,
        "math": math, "F64": _F64, "values": x.tolist(), "g_values": g.tolist(),
        "record": record, "m": adam.exp_avg, "v": adam.exp_avg_sq, "t": adam.t, "LR": LR,
        "X": np.empty((2, 2)), "L": np.empty(2), "G": np.empty((2, 2)), "R": np.empty(2),
    }
    stmts = {
        "objective": "f(x); f.grad(x)",
        "returns": "isinstance(loss, float); "
                   "type(g) is not np.ndarray or g.dtype is not F64 or g.shape != x.shape",
        "finite": "s = sum(values); s - s == 0.0; s = sum(g_values); s - s == 0.0",
        "rules": "rules.check_point(5, loss, values); rules.check_grad(5, loss, g, g_values)",
        "record": "record.extend(x.tolist()); record.append(loss); "
                  "record.extend(g.tolist()); record.append(adam.lr)",
        "update": "adam._update(x, g)",
        "step": "adam.step(x, g)",
        "x_check": "type(x) is not np.ndarray or x.shape != g.shape",
        "textbook": "m2 = 0.9 * m + (1 - 0.9) * g; v2 = 0.999 * v + (1 - 0.999) * g * g; "
                    "x - LR / (1 - 0.9**t) * m2 / (np.sqrt(v2) / (1 - 0.999**t) ** 0.5 + 1e-8)",
        "dot": "math.isfinite(g @ g)",
        "isfinite": "np.isfinite(g).all()",
        "norm": "np.linalg.norm(g)",
        "arrays": "X[1] = x; L[1] = loss; G[1] = g; R[1] = adam.lr",
    }
    number = 10_000
    us = dict.fromkeys(stmts, math.inf)
    total = math.inf
    for _ in range(repeats):
        start = time.process_time()
        run_gdcore(f)
        total = min(total, (time.process_time() - start) / STEPS * 1e6)
        for key, stmt in stmts.items():
            took = timeit.timeit(stmt, timer=time.process_time, globals=names, number=number)
            us[key] = min(us[key], took / number * 1e6)
            record.clear()
    parts = [
        ("objective: f(x) and f.grad(x)", us["objective"]),
        ("checks of what f returns (a float loss, a float gradient of x's shape)",
         us["returns"]),
        ("finiteness of the point and the gradient (sum of the read-out floats)",
         us["finite"]),
        ("stopping rules, the rest (loss, diverge_at, domain, thresholds, max steps)",
         us["rules"] - us["finite"]),
        ("recording (x and grad read out as floats, four list appends)", us["record"]),
        ("Adam: the update (adam._update)", us["update"]),
        ("Adam: step's shape and dtype check, counter (adam.step - _update)",
         us["step"] - us["update"]),
        ("check of what step returns (a float array of x's shape)", us["x_check"]),
    ]
    parts.append(("bookkeeping: calls, tuples, loop control (the rest)",
                  total - sum(micros for _, micros in parts)))
    return parts + [
        ("one gd.minimize step, measured", total),
        ("for comparison: the numpy loops' Adam update (textbook)", us["textbook"]),
        ("alternatives, measured the same way:", math.nan),
        ("finiteness and |g|^2 from one dot product: math.isfinite(g @ g)", us["dot"]),
        ("finiteness of g with numpy: np.isfinite(g).all()", us["isfinite"]),
        ("|g| by np.linalg.norm(g) (minimize: math.hypot(*g_values), with grad_tol)",
         us["norm"]),
        ("recording into preallocated arrays (X[k] = x, ...) instead of lists", us["arrays"]),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--breakdown", action="store_true",
                        help="also print where the time of one gd.minimize step goes")
    args = parser.parse_args()

    rows, t = time_rows(args.repeats)
    ref = t.get("torch_analytic")
    print(f"\n1,000 Adam steps on 2-D Rosenbrock, best of {args.repeats}, CPU time (CPython "
          f"{sys.version.split()[0]}, numpy {np.__version__})")
    print(f"{'loop':48s} {'time (ms)':>10s} {'steps/s':>10s} {'vs torch*':>9s}")
    for name, seconds in rows:
        ratio = f"{ref / seconds:8.1f}x" if ref else "      -"
        print(f"{name:48s} {seconds * 1e3:10.2f} {STEPS / seconds:10.0f} {ratio}")
    print("  * torch optim.Adam fed the analytic gradient")
    same_work = t["reader"] / t["numpy_same"]
    print(f"\nduck-typed: gd.minimize / numpy loop = {same_work:.2f}x (same-work loop; "
          f"{t['reader'] / t['numpy_loss']:.2f}x the loss + gradient loop, "
          f"{t['reader'] / t['numpy']:.2f}x the gradient-only loop)")

    if args.breakdown:
        print("\none gd.minimize step (Adam, duck-typed Rosenbrock), µs:")
        for name, micros in step_breakdown(args.repeats):
            print(f"  {name}" if math.isnan(micros) else f"  {name:76s} {micros:6.2f}")

    rng = np.random.default_rng(0)
    starts = rng.uniform([-2.0, -1.0], [2.0, 3.0], size=(10_000, 2))
    fast_f = FastRosenbrock()
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
    if ref is not None and ref / t["lib"] < 5:
        print(f"FAIL: gd.minimize is only {ref / t['lib']:.1f}x faster than torch's Adam on "
              "the same analytic gradient (need 5x)")
        ok = False
    if same_work > 1.1:
        print(f"FAIL: gd.minimize on the duck-typed objective costs {same_work:.2f}x the numpy "
              "loop doing the same work (need at most 1.1x)")
        ok = False
    if max(batch_times.values()) >= 3.0:
        print("FAIL: minimize_many took 3 s or more")
        ok = False
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
