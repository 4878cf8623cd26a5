"""Make tests/data/torch_schedules.json: torch's learning rates for gdcore's warm-up schedules.

Each case is a chain of torch schedulers (one, or several joined by ``SequentialLR``) on a
one-parameter SGD optimizer with learning rate ``lr``; the file stores, for steps
``t = 0 .. steps-1``, the learning rate torch's optimizer uses at step ``t`` (read before
``optimizer.step()``, then ``scheduler.step()``). ``tests/gdcore/test_schedules.py`` builds
the same chain from gdcore's schedules (``PIECES`` below maps torch's names to gdcore's) and
compares.

torch is NOT a dependency of gdcore. To regenerate the data (only needed when a case is
added)::

    .venv/bin/pip install torch==2.13.0
    .venv/bin/python tests/data/make_torch_schedules.py

Importing this module does not import torch.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

OUT = Path(__file__).with_name("torch_schedules.json")

# Each piece: torch scheduler class name and its keyword arguments (torch's names).
CASES: list[dict[str, Any]] = [
    {"name": "linear_defaults", "lr": 0.1, "steps": 12,
     "pieces": [{"kind": "LinearLR", "kwargs": {}}], "milestones": []},
    {"name": "linear_warmup_10", "lr": 0.5, "steps": 16,
     "pieces": [{"kind": "LinearLR",
                 "kwargs": {"start_factor": 0.1, "end_factor": 1.0, "total_iters": 10}}],
     "milestones": []},
    {"name": "linear_cooldown", "lr": 0.2, "steps": 12,
     "pieces": [{"kind": "LinearLR",
                 "kwargs": {"start_factor": 1.0, "end_factor": 0.25, "total_iters": 8}}],
     "milestones": []},
    {"name": "warmup_then_cosine", "lr": 0.1, "steps": 25,
     "pieces": [{"kind": "LinearLR", "kwargs": {"start_factor": 0.1, "total_iters": 5}},
                {"kind": "CosineAnnealingLR", "kwargs": {"T_max": 20}}],
     "milestones": [5]},
    {"name": "warmup_then_exponential", "lr": 0.3, "steps": 15,
     "pieces": [{"kind": "LinearLR", "kwargs": {"start_factor": 0.5, "total_iters": 3}},
                {"kind": "ExponentialLR", "kwargs": {"gamma": 0.9}}],
     "milestones": [3]},
    {"name": "three_pieces", "lr": 1.0, "steps": 20,
     "pieces": [{"kind": "LinearLR", "kwargs": {"start_factor": 0.2, "total_iters": 4}},
                {"kind": "ExponentialLR", "kwargs": {"gamma": 0.8}},
                {"kind": "StepLR", "kwargs": {"step_size": 3, "gamma": 0.5}}],
     "milestones": [4, 10]},
]


def torch_rates(case: dict[str, Any]) -> list[float]:
    """The learning rate of each step under torch's schedulers for ``case``."""
    import torch

    param = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([param], lr=case["lr"])
    scheds = [getattr(torch.optim.lr_scheduler, p["kind"])(opt, **p["kwargs"])
              for p in case["pieces"]]
    if len(scheds) == 1:
        sched = scheds[0]
    else:
        sched = torch.optim.lr_scheduler.SequentialLR(opt, scheds, milestones=case["milestones"])
    rates = []
    for _ in range(case["steps"]):
        rates.append(float(opt.param_groups[0]["lr"]))
        param.grad = torch.zeros_like(param)
        opt.step()
        sched.step()
    return rates


def main() -> None:
    import torch

    data = {"torch_version": torch.__version__,
            "cases": [dict(case, rates=torch_rates(case)) for case in CASES]}
    OUT.write_text(json.dumps(data, indent=1) + "\n")
    print(f"wrote {OUT} ({len(CASES)} cases)")


if __name__ == "__main__":
    main()
