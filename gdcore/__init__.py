"""gdcore: gradient descent and its descendants, in small readable Python.

Everything public is importable from the top level::

    >>> import gdcore as gd
    >>> f = gd.landscapes["rosenbrock"]
    >>> run = gd.minimize(f, gd.Adam(lr=0.02), x0=[-1.5, 2.0], steps=2000)
    >>> run.status in {"converged", "max_steps"}
    True

Modules: ``optim`` (optimizers), ``schedules`` (learning-rate schedules), ``clip``
(gradient clipping), ``loop`` (``minimize``, ``Trajectory``), ``landscape`` (2-D test
functions), ``dart`` (the projectile loss), ``derivatives`` (finite differences),
``second_order`` (Newton, line search), ``search`` (random search), ``data`` and ``train``
(small data sets, models, ``fit``), ``protocols`` (what an objective, an optimizer and a
model are, as ``typing.Protocol`` classes), ``explore`` (the data behind the
site's optimizer explorer) and ``plot`` (matplotlib figures; imported on demand).
"""

from gdcore.clip import *  # noqa: F403
from gdcore.dart import *  # noqa: F403
from gdcore.data import *  # noqa: F403
from gdcore.derivatives import *  # noqa: F403
from gdcore.explore import *  # noqa: F403
from gdcore.landscape import *  # noqa: F403
from gdcore.loop import *  # noqa: F403
from gdcore.optim import *  # noqa: F403
from gdcore.protocols import *  # noqa: F403
from gdcore.schedules import *  # noqa: F403
from gdcore.search import *  # noqa: F403
from gdcore.second_order import *  # noqa: F403
from gdcore.train import *  # noqa: F403

__version__ = "0.1.0"


def __getattr__(name: str):
    """Import ``gdcore.plot`` (and so matplotlib) only when ``gd.plot`` is first used."""
    if name == "plot":
        import importlib

        return importlib.import_module("gdcore.plot")
    raise AttributeError(f"module 'gdcore' has no attribute {name!r}")
