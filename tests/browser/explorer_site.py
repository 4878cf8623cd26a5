"""A small site with one explorer, for the explorer's browser tests and benchmark.

Built with the repository's real theme, hooks and configuration (``make_project_config``
from tests/sitekit.py) and a self-hosted Pyodide; serve it with ``sitekit.serve_site``.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT / "tests") not in sys.path:  # tests/sitekit.py, also from the benchmark script
    sys.path.insert(0, str(ROOT / "tests"))

import sitekit  # noqa: E402

SIX = """\
```explorer id="race"
landscape: rosenbrock
start: [-1.5, 2.0]
steps: 500
optimizers:
  - {optimizer: GradientDescent, lr: 0.001}
  - {optimizer: Momentum, lr: 0.001, momentum: 0.9}
  - {optimizer: Nesterov, lr: 0.001, momentum: 0.9}
  - {optimizer: RMSProp, lr: 0.01}
  - {optimizer: Adam, lr: 0.05}
  - {optimizer: AdaGrad, lr: 0.5}
```
"""

PAGE = f"""# Explorer fixture

An explorer with six optimizers racing for 500 steps.

{SIX}
A cell after it, so the page is also a notebook:

```pycell id="after"
print(1 + 1)
```

A cell that takes a while (the explorer waits for it):

```pycell id="slow"
import time
time.sleep(3)
print("slept")
```
"""


# A second page (phase/): the momentum page's explorer, with the rate map over (lr, momentum).
PHASE_PAGE = """# Phase fixture

```explorer id="phase-race"
landscape: ill-conditioned
start: [-3.5, 2.5]
steps: 200
phase: true
optimizers:
  - {optimizer: GradientDescent, lr: 0.18}
  - {optimizer: Momentum, lr: 0.18, momentum: 0.4}
  - {optimizer: Nesterov, lr: 0.1, momentum: 0.52}
```
"""


def build_explorer_site(project: Path) -> Path:
    """Build the fixture site into ``project/site``; returns the site directory."""
    docs = project / "docs"
    docs.mkdir(parents=True, exist_ok=True)
    (docs / "index.md").write_text(PAGE, encoding="utf-8")
    (docs / "phase.md").write_text(PHASE_PAGE, encoding="utf-8")
    config = sitekit.make_project_config(project)
    result = sitekit.run_mkdocs_build(
        config,
        project / "site",
        {"GDCORE_PYODIDE_SOURCE": "self", "GDCORE_CELL_CACHE": str(project / "cell-cache")},
    )
    if result.returncode != 0:
        raise RuntimeError(f"explorer fixture site failed to build:\n{result.output[-4000:]}")
    return result.site
