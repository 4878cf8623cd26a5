"""Figures for the course: contours with paths, surfaces, loss curves, schedules, 1-D curves.

This is the only gdcore module that imports matplotlib; ``import gdcore`` does not load
it (``gd.plot`` imports it on first use). It never selects a backend: the site's cell
runner uses Agg, and so does any headless Python.

Every function returns the matplotlib ``Figure``, gives it a title and axis labels,
draws lines in the Okabe–Ito colour-blind-safe palette (:data:`PALETTE`) and stores a
text description for screen readers, readable with :func:`get_alt`. Figures are
6.4 x 4 inches at 100 dpi, the width of a documentation column. Wrap calls in
``with style(dark=True):`` for a dark background.

>>> import gdcore as gd
>>> import gdcore.plot as gplot
>>> f = gd.landscapes["himmelblau"]
>>> run = gd.minimize(f, gd.Adam(lr=0.1), x0=[0.0, 0.0], steps=200)
>>> fig = gplot.contour(f, paths={"Adam": run})
>>> gplot.get_alt(fig).startswith("Contour plot of Himmelblau")
True
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from gdcore._checks import check_int
from gdcore.landscape import grid

__all__ = [
    "PALETTE",
    "FIGSIZE",
    "CRITICAL_MARKERS",
    "OPTIMIZER_COLORS",
    "optimizer_color",
    "style",
    "set_alt",
    "get_alt",
    "contour",
    "surface",
    "loss_curve",
    "schedule_curve",
    "curve_1d",
    "race",
]

#: Okabe–Ito colour-blind-safe colours, in the order lines get them (blue, vermillion,
#: bluish green, reddish purple, orange, sky blue, yellow, black).
PALETTE: tuple[str, ...] = (
    "#0072B2",
    "#D55E00",
    "#009E73",
    "#CC79A7",
    "#E69F00",
    "#56B4E9",
    "#F0E442",
    "#000000",
)

#: One colour per optimizer, the same in every figure of the course and in the explorer:
#: Okabe–Ito colours for the most used, Paul Tol's wine and olive and a grey for the rest.
#: Plain gradient descent, the baseline, is black (white on a dark background).
OPTIMIZER_COLORS: dict[str, str] = {
    "GradientDescent": "#000000",
    "Momentum": "#0072B2",
    "Nesterov": "#56B4E9",
    "AdaGrad": "#009E73",
    "RMSProp": "#E69F00",
    "AdaDelta": "#882255",
    "Adam": "#D55E00",
    "AdamW": "#CC79A7",
    "SignDescent": "#7F7F7F",
    "Newton": "#999933",
}

_OPTIMIZER_ALIASES = {
    **{name.lower(): name for name in OPTIMIZER_COLORS},
    "gd": "GradientDescent", "sgd": "GradientDescent", "gradient_descent": "GradientDescent",
    "gradient descent": "GradientDescent", "heavy ball": "Momentum", "nag": "Nesterov",
    "sign_descent": "SignDescent", "sign descent": "SignDescent", "signsgd": "SignDescent",
}


def optimizer_color(optimizer: Any) -> str | None:
    """The colour of :data:`OPTIMIZER_COLORS` for an optimizer, or ``None`` if unknown.

    ``optimizer`` may be an optimizer object or class, its name (``"Adam"``, ``"adam"``,
    ``"gd"``), a :class:`~gdcore.loop.Trajectory` (its ``optimizer``), or a legend label
    that starts with a name (``"Adam, lr = 0.1"``). Inside ``style(dark=True)`` black
    becomes white.

    Example:
        >>> import gdcore as gd
        >>> import gdcore.plot as gplot
        >>> gplot.optimizer_color(gd.Adam(lr=0.1)), gplot.optimizer_color("momentum (β=0.9)")
        ('#D55E00', '#0072B2')
        >>> gplot.optimizer_color("my method") is None
        True
    """
    if isinstance(optimizer, type):
        text = optimizer.__name__
    elif isinstance(optimizer, str):
        text = optimizer
    else:
        text = getattr(optimizer, "optimizer", "") or getattr(optimizer, "label", "") or (
            type(optimizer).__name__)
    text = str(text).strip().lower()
    name = _OPTIMIZER_ALIASES.get(text)
    if name is None:  # "Adam(lr=0.1)", "gradient descent, lr 0.1": the leading words
        head = "".join(c if c.isalnum() or c == "_" else " " for c in text).split()
        for key in (" ".join(head[:2]), "".join(head[:2]), head[0] if head else ""):
            name = name or _OPTIMIZER_ALIASES.get(key)
    if name is None:
        return None
    color = OPTIMIZER_COLORS[name]
    return "#ffffff" if _state["dark"] and color == "#000000" else color


#: Default figure size in inches (at 100 dpi: 640 x 400 pixels).
FIGSIZE: tuple[float, float] = (6.4, 4.0)

_DARK_BG = "#1e2129"
_DARK_FG = "#e6e6e6"
_state = {"dark": False}


def _dark_palette() -> list[str]:
    # On a dark background sky blue leads (dark blue is hard to see) and black turns white.
    swap = {"#0072B2": "#56B4E9", "#56B4E9": "#0072B2", "#000000": "#ffffff"}
    return [swap.get(c, c) for c in PALETTE]


def _colors() -> list[str]:
    """The palette for the current style."""
    return _dark_palette() if _state["dark"] else list(PALETTE)


def _fg() -> str:
    return _DARK_FG if _state["dark"] else "#222222"


@contextlib.contextmanager
def style(dark: bool = False) -> Iterator[None]:
    """Light or dark figures inside a ``with`` block (matplotlib settings are restored after).

    Example:
        >>> import gdcore.plot as gplot
        >>> with gplot.style(dark=True):
        ...     fig = gplot.schedule_curve(lambda t: 0.1 * 0.9**t, steps=30)
        >>> fig.get_facecolor()[:3] != (1.0, 1.0, 1.0)
        True
    """
    if not isinstance(dark, bool):
        raise TypeError(f"dark must be True or False, got {dark!r}")
    fg = _DARK_FG if dark else "#222222"
    bg = _DARK_BG if dark else "#ffffff"
    colors = _dark_palette() if dark else list(PALETTE)
    params = {
        "figure.figsize": FIGSIZE,
        "figure.dpi": 100,
        "figure.facecolor": bg,
        "savefig.facecolor": bg,
        "axes.facecolor": bg,
        "axes.edgecolor": fg,
        "axes.labelcolor": fg,
        "axes.titlecolor": fg,
        "text.color": fg,
        "xtick.color": fg,
        "ytick.color": fg,
        "grid.color": "#555a66" if dark else "#dddddd",
        "legend.facecolor": bg,
        "legend.edgecolor": "#555a66" if dark else "#cccccc",
        "axes.prop_cycle": mpl.cycler(color=colors),
    }
    previous = _state["dark"]
    _state["dark"] = dark
    try:
        with mpl.rc_context(params):
            yield
    finally:
        _state["dark"] = previous


def set_alt(fig: Figure, text: str) -> Figure:
    """Attach a text description (alt text) to ``fig``; the site's cell runner uses it.

    Example:
        >>> import matplotlib.pyplot as plt
        >>> import gdcore.plot as gplot
        >>> fig = plt.figure()
        >>> gplot.get_alt(gplot.set_alt(fig, "An empty figure."))
        'An empty figure.'
        >>> plt.close(fig)
    """
    if not isinstance(fig, Figure):
        raise TypeError(f"fig must be a matplotlib Figure, got {fig!r}")
    if not isinstance(text, str) or not text.strip():
        raise ValueError("text must be a non-empty string describing the figure")
    fig._gd_alt = text.strip()
    return fig


def get_alt(fig: Figure) -> str | None:
    """The alt text stored by :func:`set_alt` (or by a plotting function), else ``None``.

    Example:
        >>> import gdcore.plot as gplot
        >>> fig = gplot.schedule_curve(lambda t: 1.0 / (1 + t), steps=10)
        >>> "learning rate" in gplot.get_alt(fig)
        True
    """
    return getattr(fig, "_gd_alt", None)


# --------------------------------------------------------------------------- helpers


def _new_axes(ax: Any, projection: str | None = None) -> tuple[Figure, Any, bool]:
    """``(figure, axes, created)``: the given axes, or a new column-sized figure."""
    if ax is not None:
        if not hasattr(ax, "figure") or not hasattr(ax, "plot"):
            raise TypeError(f"ax must be a matplotlib Axes, got {ax!r}")
        return ax.figure, ax, False
    fig = plt.figure(figsize=FIGSIZE, dpi=100)
    axes = fig.add_subplot(projection=projection) if projection else fig.add_subplot()
    return fig, axes, True


def _finish(fig: Figure, alt: str, created: bool) -> Figure:
    if created:
        fig.tight_layout()
        fig._gd_alt = alt
    else:
        old = get_alt(fig)
        fig._gd_alt = f"{old} {alt}" if old else alt
    return fig


def _check_count(name: str, value: Any, minimum: int, maximum: int) -> int:
    """A whole number in ``[minimum, maximum]``: a figure never allocates without bound."""
    value = check_int(name, value, minimum=minimum)
    if value > maximum:
        raise ValueError(f"{name} must be <= {maximum:,} for a figure, got {value:,}")
    return value


def _fmt(v: float) -> str:
    return f"{v:.3g}"


def _pt(p: np.ndarray) -> str:
    return "(" + ", ".join(_fmt(float(v)) for v in p) + ")"


def _is_run(obj: Any) -> bool:
    return hasattr(obj, "xs") or hasattr(obj, "losses")


def _runs(runs: Any, what: str) -> list[tuple[str, Any]]:
    """Normalize a dict, a single run/array, or a list of runs to ``[(label, run), ...]``."""
    if runs is None:
        return []
    if isinstance(runs, Mapping):
        return [(str(k), v) for k, v in runs.items()]
    if _is_run(runs):
        return [(str(getattr(runs, "label", "") or "run"), runs)]
    if isinstance(runs, (list, tuple)) and runs and all(_is_run(r) for r in runs):
        return [(str(getattr(r, "label", "") or f"run {i + 1}"), r) for i, r in enumerate(runs)]
    if isinstance(runs, (list, tuple, np.ndarray)):
        return [("run", runs)]
    raise TypeError(
        f"{what} must be a Trajectory, an array, or a dict label -> Trajectory/array, "
        f"got {runs!r}"
    )


def _path_points(label: str, run: Any, d: int) -> np.ndarray:
    """The points of a path as an array ``(n, d)`` (or ``(n, m, d)`` for a batch)."""
    xs = getattr(run, "xs", run)
    if xs is None:
        raise ValueError(f"path {label!r} has no recorded points (run with record=True)")
    try:
        arr = np.asarray(xs, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"path {label!r} must be a Trajectory or an array of points") from None
    if arr.ndim == 1 and d == 1:
        arr = arr.reshape(-1, 1)
    if arr.ndim not in (2, 3) or arr.shape[-1] != d:
        raise ValueError(
            f"path {label!r} must have points of {d} coordinates, shape (n, {d}), got {arr.shape}"
        )
    return arr


def _levels(Z: np.ndarray, n: int, log: bool) -> np.ndarray:
    finite = Z[np.isfinite(Z)]
    if finite.size == 0:
        raise ValueError("the function is not finite anywhere on the plot domain")
    lo, hi = float(finite.min()), float(finite.max())
    if not hi > lo:
        return np.array([lo - 1.0, lo, lo + 1.0])
    span = hi - lo
    if log:
        return lo + np.geomspace(span * 1e-5, span, n)
    return np.linspace(lo, hi, n + 2)[1:-1]


def _title(f: Any, fallback: str) -> str:
    name = getattr(f, "name", None)
    return str(name) if name else fallback


def _domain_text(domain: Any) -> str:
    (x0, x1), (y0, y1) = domain
    return f"x from {_fmt(x0)} to {_fmt(x1)} and y from {_fmt(y0)} to {_fmt(y1)}"


# --------------------------------------------------------------------------- contour


#: How :func:`contour` marks each kind of critical point: marker, face colour, and the
#: legend label for one point and for several.
CRITICAL_MARKERS: dict[str, tuple[str, str, str, str]] = {
    "minimum": ("o", "#F0E442", "local minimum", "local minima"),
    "saddle": ("X", "#E69F00", "saddle point", "saddle points"),
    "maximum": ("^", "#D55E00", "maximum", "maxima"),
}


def _line_colors(items: list[tuple[str, Any]], colors: Any) -> list[str]:
    """One colour per ``(label, run)``: the palette in order (``None``), each optimizer's
    own (``"optimizer"``), a list in order, or a dict ``label -> colour``."""
    if colors == "optimizer":
        return _race_colors(items)
    palette = _colors()
    if colors is None:
        return [palette[i % len(palette)] for i in range(len(items))]
    if isinstance(colors, Mapping):
        return [str(colors.get(label, palette[i % len(palette)]))
                for i, (label, _) in enumerate(items)]
    if isinstance(colors, (list, tuple)) and colors and all(isinstance(c, str) for c in colors):
        return [colors[i % len(colors)] for i in range(len(items))]
    raise TypeError(f"colors must be None, 'optimizer', a list of colours or a dict "
                    f"label -> colour, got {colors!r}")


def _draw_paths(axes: Any, points: list[tuple[str, np.ndarray]], colors: list[str]) -> list[str]:
    """Draw each path (a batch as thin lines); return one description per path."""
    described = []
    for (label, P), color in zip(points, colors, strict=True):
        if P.ndim == 3:  # a batch: one thin line per start point
            for j in range(P.shape[1]):
                axes.plot(P[:, j, 0], P[:, j, 1], color=color, lw=0.8, alpha=0.6,
                          label=label if j == 0 else None)
            described.append(f"{label}: {P.shape[1]} paths of {P.shape[0] - 1} steps")
            continue
        axes.plot(P[:, 0], P[:, 1], color=color, lw=1.8, marker="o", ms=2.5, label=label)
        axes.plot(P[0, 0], P[0, 1], marker="o", ms=7, color=color, mec=_fg(), mew=1.0)
        axes.plot(P[-1, 0], P[-1, 1], marker="X", ms=8, color=color, mec=_fg(), mew=1.0)
        described.append(
            f"{label} from {_pt(P[0])} to {_pt(P[-1])} in {len(P) - 1} steps"
        )
    return described


def _inside(points: np.ndarray, domain: Any) -> np.ndarray:
    (x0, x1), (y0, y1) = domain
    keep = (points[:, 0] >= x0) & (points[:, 0] <= x1) & (points[:, 1] >= y0)
    return points[keep & (points[:, 1] <= y1)]


def _draw_critical(axes: Any, f: Any, domain: Any, show_minima: bool,
                   show_critical: bool) -> list[str]:
    """Mark the global minima (stars) and the other critical points; describe them."""
    minima = np.asarray(getattr(f, "minima", np.empty((0, 2))), dtype=float).reshape(-1, 2)
    finder = getattr(f, "critical_points", None)
    cp = finder() if show_critical and callable(finder) else None
    others = [] if cp is None else [
        (kind, _inside(np.asarray(points, dtype=float).reshape(-1, 2), domain))
        for kind, points in zip(("minimum", "saddle", "maximum"), cp, strict=True)
    ]
    if others:  # the global minima get their star, not a second marker
        local = [p for p in others[0][1] if not any(np.allclose(p, m, atol=1e-9) for m in minima)]
        others[0] = ("minimum", np.array(local).reshape(-1, 2))
    described = []
    if show_minima and len(minima):
        label = "global minima" if len(minima) > 1 else (
            "global minimum" if others and len(others[0][1]) else "minimum")
        axes.plot(minima[:, 0], minima[:, 1], linestyle="none", marker="*", ms=13,
                  color="#F0E442", mec=_fg(), mew=1.0, label=label, zorder=5)
        described.append("Global minim" + ("um" if len(minima) == 1 else "a") + " marked at "
                         + ", ".join(_pt(m) for m in minima) + ".")
    for kind, points in others:
        if not len(points):
            continue
        marker, color, one, several = CRITICAL_MARKERS[kind]
        label = one if len(points) == 1 else several
        axes.plot(points[:, 0], points[:, 1], linestyle="none", marker=marker, ms=9,
                  color=color, mec=_fg(), mew=1.0, label=label, zorder=5)
        described.append(f"{len(points)} {label} marked at "
                         + ", ".join(_pt(p) for p in points) + ".")
    return described


def _set_aspect(axes: Any, f: Any, aspect: Any) -> bool:
    """Apply ``aspect`` (``None``: equal when ``f.equal_aspect``); whether it is equal."""
    if aspect is None:
        aspect = "equal" if getattr(f, "equal_aspect", False) else "auto"
    if isinstance(aspect, bool) or not (
        aspect in ("equal", "auto") or (isinstance(aspect, (int, float)) and aspect > 0)
    ):
        raise ValueError(f"aspect must be 'equal', 'auto', a number > 0 or None, got {aspect!r}")
    axes.set_aspect(aspect, adjustable="box")
    return aspect != "auto"


def _check_flags(**flags: Any) -> None:
    for name, flag in flags.items():
        if not isinstance(flag, bool):
            raise TypeError(f"{name} must be True or False, got {flag!r}")


def _log_flag(f: Any, log: Any) -> bool:
    """``log``, or ``f.log_levels`` when it is ``None``."""
    if log is None:
        log = bool(getattr(f, "log_levels", False))
    if not isinstance(log, bool):
        raise TypeError(f"log must be True, False or None, got {log!r}")
    return log


def _grid_box(f: Any, n: int, domain: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray, Any]:
    """``X, Y, Z`` of ``f`` on its (or the given) domain, and the box they cover."""
    X, Y, Z = grid(f, n=n, domain=domain if domain is not None else getattr(f, "domain", None))
    return X, Y, Z, ((float(X[0, 0]), float(X[0, -1])), (float(Y[0, 0]), float(Y[-1, 0])))


def _draw_levels(axes: Any, X: np.ndarray, Y: np.ndarray, Z: np.ndarray, lv: np.ndarray) -> None:
    """Contour lines at levels ``lv``, dark to light (light to dark on a dark background)."""
    cmap = mpl.colormaps["viridis"]
    shade = np.linspace(0.25, 0.95, len(lv)) if _state["dark"] else np.linspace(0.0, 0.85, len(lv))
    axes.contour(X, Y, Z, levels=lv, colors=[cmap(s) for s in shade], linewidths=0.8)


def _label_box(axes: Any, box: Any, title: str) -> str:
    """Limits, axis labels and title of a 2-D plot of the box; returns the title."""
    axes.set_xlim(*box[0])
    axes.set_ylim(*box[1])
    axes.set_xlabel("x")
    axes.set_ylabel("y")
    axes.set_title(title)
    return title


def _contour_legend(axes: Any, outside: bool) -> None:
    if outside:  # an equal-aspect plot leaves room on the right: no line hidden
        axes.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize="small",
                    framealpha=0.85, borderaxespad=0.0)
    else:
        axes.legend(loc="best", fontsize="small", framealpha=0.85)


def contour(
    f: Any, paths: Any = None, ax: Any = None, levels: int = 30, log: bool | None = None,
    show_minima: bool = True, *, n: int = 200, domain: Any = None, title: str | None = None,
    legend: bool = True, show_critical: bool = True, aspect: str | float | None = None,
    colors: Any = None,
) -> Figure:
    """Contour lines of a 2-D function, with optimization paths drawn on top.

    Args:
        f: a 2-D landscape (or any function of ``[x, y]`` with a ``domain``).
        paths: a :class:`~gdcore.loop.Trajectory`, an array of points ``(n, 2)``, a
            ``TrajectoryBatch`` (drawn as thin lines), or a dict ``label -> `` any of these.
        ax: draw into these axes instead of a new figure.
        levels: number of contour levels, ``>= 2``.
        log: space the levels logarithmically above the minimum (default
            ``f.log_levels``): needed to see the valley of Rosenbrock or Beale.
        show_minima: mark ``f.minima`` (the global minima) with stars.
        n: grid points per axis.
        domain: ``((xmin, xmax), (ymin, ymax))``; default ``f.domain``.
        title: default: the landscape's name.
        legend: show a legend when there are labelled paths or marked points.
        show_critical: mark the other critical points of ``f.critical_points()`` inside
            the plot (local minima, saddle points, maxima; see :data:`CRITICAL_MARKERS`).
        aspect: ``"equal"`` (circles look round, right angles look right), ``"auto"``
            (fill the axes) or a number (height of a y unit over an x unit). Default:
            ``"equal"`` when ``f.equal_aspect`` (every built-in landscape).
        colors: palette order (default), ``"optimizer"`` (as in :func:`race`), a list, a dict.

    Example:
        >>> import gdcore as gd
        >>> import gdcore.plot as gplot
        >>> f = gd.landscapes["rosenbrock"]
        >>> runs = {"GD": gd.minimize(f, gd.GradientDescent(lr=1e-3), [-1.5, 2.0], 300),
        ...         "Adam": gd.minimize(f, gd.Adam(lr=0.05), [-1.5, 2.0], 300)}
        >>> fig = gplot.contour(f, paths=runs)
        >>> fig.axes[0].get_xlabel(), fig.axes[0].get_title(), fig.axes[0].get_aspect()
        ('x', 'Rosenbrock', 1.0)
        >>> fig = gplot.contour(gd.landscapes["himmelblau"])
        >>> [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
        ['global minima', 'saddle points', 'maximum']
    """
    levels = check_int("levels", levels, minimum=2)
    log = _log_flag(f, log)
    _check_flags(show_minima=show_minima, show_critical=show_critical, legend=legend)
    X, Y, Z, box = _grid_box(f, n, domain)
    items = _runs(paths, "paths")
    points = [(label, _path_points(label, run, 2)) for label, run in items]
    fig, axes, created = _new_axes(ax)
    equal = _set_aspect(axes, f, aspect)
    _draw_levels(axes, X, Y, Z, _levels(Z, levels, log))
    described = _draw_paths(axes, points, _line_colors(items, colors))
    marked = _draw_critical(axes, f, box, show_minima, show_critical)
    name = _label_box(axes, box, title if title is not None else _title(f, "contour plot"))
    if legend and (points or marked):
        _contour_legend(axes, outside=created and equal)
    alt = (f"Contour plot of {name} for {_domain_text(box)}, "
           f"{'logarithmically' if log else 'evenly'} spaced levels.")
    alt += (" Paths: " + "; ".join(described) + "." if described else "") + "".join(
        " " + m for m in marked)
    return _finish(fig, alt, created)


# --------------------------------------------------------------------------- surface


def _surface_paths(axes: Any, f: Any, points: list[tuple[str, np.ndarray]]) -> list[str]:
    """Draw each path on the surface, at the height of its losses; describe them."""
    colors = _colors()
    described = []
    for i, (label, P) in enumerate(points):
        if P.ndim != 2:
            raise ValueError(f"path {label!r} must be one path of shape (n, 2)")
        with np.errstate(all="ignore"):
            zs = np.asarray(f(P), dtype=float) if getattr(f, "vectorized", False) else (
                np.array([float(f(p)) for p in P])
            )
        color = colors[i % len(colors)]
        axes.plot(P[:, 0], P[:, 1], zs, color=color, lw=2.0, marker="o", ms=2.5, label=label,
                  zorder=10)
        axes.plot([P[-1, 0]], [P[-1, 1]], [zs[-1]], marker="X", ms=8, color=color, zorder=11)
        described.append(f"{label} from {_pt(P[0])} to {_pt(P[-1])} in {len(P) - 1} steps")
    return described


def surface(
    f: Any, path: Any = None, ax: Any = None, *, n: int = 80, domain: Any = None,
    title: str | None = None, zlim: tuple[float, float] | None = None, elev: float = 35.0,
    azim: float = -60.0,
) -> Figure:
    """A 3-D surface of a 2-D function, with path(s) drawn on it.

    Args:
        f: a 2-D landscape.
        path: a Trajectory, an array ``(n, 2)``, or a dict ``label ->`` either.
        ax: 3-D axes to draw into (``projection="3d"``), or ``None`` for a new figure.
        n: grid points per axis.
        domain: plot box; default ``f.domain``.
        title: default: the landscape's name.
        zlim: range of the vertical axis (default: the data's range).
        elev, azim: viewing angles in degrees.

    Example:
        >>> import gdcore as gd
        >>> import gdcore.plot as gplot
        >>> f = gd.landscapes["bowl"]
        >>> run = gd.minimize(f, gd.GradientDescent(lr=0.1), [1.5, 1.0], 20)
        >>> fig = gplot.surface(f, path=run)
        >>> fig.axes[0].get_zlabel()
        'loss'
    """
    X, Y, Z, domain = _grid_box(f, n, domain)
    points = [(label, _path_points(label, run, 2)) for label, run in _runs(path, "path")]
    fig, axes, created = _new_axes(ax, projection="3d")
    if not hasattr(axes, "plot_surface"):
        raise TypeError("ax must be 3-D axes (created with projection='3d')")
    axes.computed_zorder = False  # draw paths above the surface, not hidden behind it
    axes.plot_surface(X, Y, Z, cmap="viridis", linewidth=0, antialiased=True, alpha=0.8,
                      rstride=1, cstride=1, zorder=1)
    described = _surface_paths(axes, f, points)
    if zlim is not None:
        axes.set_zlim(*zlim)
    axes.view_init(elev=elev, azim=azim)
    axes.set_xlabel("x")
    axes.set_ylabel("y")
    axes.set_zlabel("loss")
    name = title if title is not None else _title(f, "surface plot")
    axes.set_title(name)
    if points:
        axes.legend(loc="upper left", fontsize="small")
    alt = f"Surface plot of {name} over {_domain_text(domain)}; height is the loss."
    if described:
        alt += " Paths on the surface: " + "; ".join(described) + "."
    return _finish(fig, alt, created)


# --------------------------------------------------------------------------- loss curves


def _loss_values(label: str, run: Any) -> np.ndarray:
    values = getattr(run, "losses", run)
    if values is None:
        raise ValueError(f"run {label!r} has no recorded losses")
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"run {label!r} must be a Trajectory, a History or an array") from None
    if arr.ndim not in (1, 2):  # 2-D: one column per run (a TrajectoryBatch)
        raise ValueError(f"run {label!r}: losses must be 1-D, got shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"run {label!r} has no losses")
    return arr


def _draw_losses(axes: Any, curves: list[tuple[str, Any, np.ndarray]], xlabel: str,
                 colors: list[str]) -> list[str]:
    """One line per run (thin lines for a batch); one description per run."""
    described = []
    for (label, run, y), color in zip(curves, colors, strict=True):
        steps = np.arange(y.shape[0])
        if y.ndim == 1:
            axes.plot(steps, y, color=color, lw=1.8, label=label)
        else:
            for j in range(y.shape[1]):
                axes.plot(steps, y[:, j], color=color, lw=0.8, alpha=0.6,
                          label=label if j == 0 else None)
        last = y[-1] if y.ndim == 1 else np.nanmin(y[-1])
        status = getattr(run, "status", None)
        text = f"{label}: {y.shape[0] - 1} {xlabel}s, final loss {_fmt(float(last))}"
        if isinstance(status, str) and status == "diverged":
            text += " (diverged)"
        described.append(text)
    return described


def _log_scale(axes: Any, values: list[np.ndarray]) -> None:
    """A log axis for positive losses, else symmetric-log around the smallest nonzero one."""
    finite = np.concatenate([np.ravel(y) for y in values])
    finite = finite[np.isfinite(finite)]
    if finite.size and np.all(finite > 0):
        axes.set_yscale("log")
    elif finite.size:
        positive = np.abs(finite[finite != 0])
        axes.set_yscale("symlog", linthresh=float(positive.min()) if positive.size else 1.0)


def loss_curve(
    runs: Any, log: bool = True, ax: Any = None, *, title: str = "Loss during optimization",
    xlabel: str | None = None, ylabel: str = "loss", colors: Any = None,
) -> Figure:
    """Loss versus iteration for one or several runs.

    Args:
        runs: a Trajectory, a :class:`~gdcore.train.History` (losses per epoch), an array
            of losses, a list of runs, or a dict ``label ->`` any of these.
        log: logarithmic loss axis (falls back to a symmetric-log axis if some loss is
            zero or negative).
        ax: axes to draw into, or ``None``.
        title, ylabel: texts; ``xlabel`` defaults to ``"epoch"`` when every run is a
            History, else ``"iteration"``.
        colors: as in :func:`contour` (``"optimizer"``: each optimizer's own colour).

    Example:
        >>> import gdcore as gd
        >>> import gdcore.plot as gplot
        >>> f = gd.landscapes["ill-conditioned"]
        >>> runs = {"GD": gd.minimize(f, gd.GradientDescent(lr=0.1), [3.0, 1.0], 100),
        ...         "Momentum": gd.minimize(f, gd.Momentum(lr=0.1), [3.0, 1.0], 100)}
        >>> fig = gplot.loss_curve(runs)
        >>> fig.axes[0].get_yscale()
        'log'
    """
    if not isinstance(log, bool):
        raise TypeError(f"log must be True or False, got {log!r}")
    items = _runs(runs, "runs")
    if not items:
        raise ValueError("runs must contain at least one run")
    curves = [(label, run, _loss_values(label, run)) for label, run in items]
    if xlabel is None:
        epochs = all(hasattr(run, "step_losses") for _, run, _ in curves)
        xlabel = "epoch" if epochs else "iteration"
    fig, axes, created = _new_axes(ax)
    described = _draw_losses(axes, curves, xlabel, _line_colors(items, colors))
    if log:
        _log_scale(axes, [y for _, _, y in curves])
    axes.set_xlabel(xlabel)
    axes.set_ylabel(ylabel)
    axes.set_title(title)
    axes.grid(True, which="major", alpha=0.5)
    if len(curves) > 1 or curves[0][0] != "run":
        axes.legend(loc="best", fontsize="small")
    scale = "logarithmic" if log else "linear"
    alt = f"Line chart '{title}': {ylabel} ({scale} axis) against {xlabel}. "
    alt += "; ".join(described) + "."
    return _finish(fig, alt, created)


def schedule_curve(
    schedule: Any,
    steps: int,
    ax: Any = None,
    *,
    log: bool = False,
    title: str = "Learning-rate schedule",
) -> Figure:
    """The learning rate of each step, ``schedule(t)`` for ``t = 0 .. steps-1``.

    Args:
        schedule: a callable ``t -> lr`` (e.g. ``gd.CosineLR(...)``) or a dict
            ``label -> schedule`` to compare several.
        steps: number of steps to draw, ``>= 1``.
        ax: axes to draw into, or ``None``.
        log: logarithmic learning-rate axis.
        title: figure title.

    Example:
        >>> import gdcore.plot as gplot
        >>> fig = gplot.schedule_curve({"1/(1+t)": lambda t: 1.0 / (1 + t)}, steps=50)
        >>> fig.axes[0].get_ylabel()
        'learning rate η'
    """
    steps = _check_count("steps", steps, 1, 10_000_000)
    if callable(schedule) and not isinstance(schedule, Mapping):
        items = [(repr(schedule) if hasattr(schedule, "_hyper") else "schedule", schedule)]
    elif isinstance(schedule, Mapping) and schedule:
        items = [(str(k), v) for k, v in schedule.items()]
    else:
        raise TypeError(
            f"schedule must be a callable t -> lr or a dict label -> schedule, got {schedule!r}"
        )
    fig, axes, created = _new_axes(ax)
    colors = _colors()
    described = []
    t = np.arange(steps)
    for i, (label, s) in enumerate(items):
        if not callable(s):
            raise TypeError(f"schedule {label!r} must be callable as schedule(t) -> lr")
        lr = np.array([float(s(int(k))) for k in t])
        axes.plot(t, lr, color=colors[i % len(colors)], lw=1.8, drawstyle="steps-post",
                  label=label)
        described.append(f"{label} from {_fmt(lr[0])} to {_fmt(lr[-1])}")
    if log:
        axes.set_yscale("log")
    axes.set_xlabel("step t")
    axes.set_ylabel("learning rate η")
    axes.set_title(title)
    axes.grid(True, alpha=0.5)
    axes.legend(loc="best", fontsize="small")
    alt = (f"Step chart '{title}': learning rate against step for {steps} steps. "
           + "; ".join(described) + ".")
    return _finish(fig, alt, created)


# --------------------------------------------------------------------------- 1-D curves


def _values_1d(f: Callable[[Any], Any], t: np.ndarray) -> np.ndarray:
    with np.errstate(all="ignore"):
        if getattr(f, "vectorized", False):
            out = np.asarray(f(t), dtype=float)
            if out.shape == t.shape:
                return out
        return np.array([float(np.asarray(f(np.array([v])), dtype=float).reshape(()))
                         for v in t])


def _curve_domain(f: Any, domain: Any) -> tuple[float, float]:
    if domain is None:
        domain = getattr(f, "plot_domain", None) or getattr(f, "domain", None)
    try:
        lo, hi = (float(v) for v in domain)
    except (TypeError, ValueError):
        raise ValueError(f"domain must be (low, high), got {domain!r}") from None
    if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
        raise ValueError(f"domain must be finite with low < high, got {domain!r}")
    return lo, hi


def _curve_solutions(f: Any, solutions: Any) -> np.ndarray:
    """The exact minimizers to mark: ``f.solutions()`` by default, none for ``False``."""
    solve = getattr(f, "solutions", None)
    if solutions is None:
        auto = callable(solve) and getattr(f, "reachable", True)
        return np.asarray(solve(), dtype=float).ravel() if auto else np.empty(0)
    if solutions is False:
        return np.empty(0)
    return np.atleast_1d(np.asarray(solutions, dtype=float)).ravel()


def _curve_maxima(f: Any, lo: float, hi: float) -> tuple[np.ndarray, np.ndarray]:
    """The local maxima of ``f.critical_points()`` inside ``[lo, hi]`` and their losses."""
    finder = getattr(f, "critical_points", None)
    cp = finder() if callable(finder) else None
    if cp is None:
        return np.empty(0), np.empty(0)
    tops = np.array([p for p in np.asarray(cp.maxima, dtype=float).ravel() if lo <= p <= hi])
    return tops, (_values_1d(f, tops) if len(tops) else np.empty(0))


def _mark_maxima(axes: Any, tops: np.ndarray, heights: np.ndarray, scale: float,
                 label: str | None) -> None:
    if not len(tops):
        return
    marker, color = CRITICAL_MARKERS["maximum"][:2]
    axes.plot(tops * scale, heights, linestyle="none", marker=marker, ms=9, color=color,
              mec=_fg(), mew=1.0, label=label, zorder=5)


def _zoom_on_maxima(axes: Any, f: Any, tops: np.ndarray, heights: np.ndarray,
                    sols: np.ndarray, scale: float) -> None:
    """An inset around the solutions, where a low local maximum would be invisible."""
    ends = np.concatenate([tops, sols])
    a, b = float(ends.min()), float(ends.max())
    pad = 0.25 * (b - a) + 1e-9
    t = np.linspace(a - pad, b + pad, 300)
    inset = axes.inset_axes([0.37, 0.4, 0.4, 0.5])
    inset.plot(t * scale, _values_1d(f, t), color=_fg(), lw=1.2)
    _mark_maxima(inset, tops, heights, scale, None)
    for s in sols:
        inset.axvline(s * scale, color="#009E73", ls="--", lw=1.0)
    inset.set_xlim((a - pad) * scale, (b + pad) * scale)
    inset.set_ylim(0.0, 1.6 * float(heights.max()))
    inset.tick_params(labelsize="x-small")
    inset.set_title("zoom: the local maximum", fontsize="x-small")


def _draw_iterates(axes: Any, f: Any, xs: Any, scale: float, unit: str) -> list[str]:
    colors = _colors()
    described = []
    for i, (label, run) in enumerate(_runs(xs, "xs")):
        P = _path_points(label, run, 1)
        if P.ndim != 2:
            raise ValueError(f"xs {label!r} must be one run of shape (n,) or (n, 1)")
        P = P[:, 0]
        losses = getattr(run, "losses", None)
        ly = np.asarray(losses, dtype=float) if losses is not None else _values_1d(f, P)
        color = colors[(i + 1) % len(colors)]
        axes.plot(P * scale, ly, color=color, lw=0.9, alpha=0.7, marker="o", ms=4, label=label)
        axes.plot(P[-1] * scale, ly[-1], marker="X", ms=9, color=color, mec=_fg())
        described.append(
            f"{label}: {len(P) - 1} steps from {_fmt(P[0] * scale)}{unit} to "
            f"{_fmt(P[-1] * scale)}{unit}, final loss {_fmt(ly[-1])}"
        )
    return described


def _auto_zoom(zoom: bool | None, allowed: bool, heights: np.ndarray,
               finite: np.ndarray) -> bool:
    """``zoom``, or by default: a maximum lower than 5 % of the drawn range looks flat."""
    if zoom is not None:
        return zoom
    return bool(allowed and len(heights) and finite.size
                and heights.max() < 0.05 * (finite.max() - min(0.0, finite.min())))


def _mark_solutions(axes: Any, sols: np.ndarray, scale: float, unit: str) -> None:
    for s in sols:
        axes.axvline(s * scale, color="#009E73", ls="--", lw=1.2)
        axes.annotate(f"{s * scale:.3f}{unit}", (s * scale, 0), xytext=(3, 6),
                      textcoords="offset points", fontsize="small", color="#009E73")


def _curve_yscale(axes: Any, finite: np.ndarray, log: bool) -> None:
    if log:
        axes.set_yscale("symlog" if finite.size and finite.min() <= 0 else "log",
                        **({"linthresh": 1e-6} if finite.size and finite.min() <= 0 else {}))
    elif finite.size:
        axes.set_ylim(min(0.0, float(finite.min())), float(finite.max()) * 1.05 + 1e-12)


def _curve_labels(axes: Any, f: Any, degrees: bool, title: str | None) -> str:
    """Axis labels and title (the dart gets its own words); returns the x label."""
    dart = hasattr(f, "flight_time")
    xlabel = ("launch angle θ" if dart else "x") + (" (degrees)" if degrees else " (radians)")
    axes.set_xlabel(xlabel)
    axes.set_ylabel("loss f(θ)" if dart else "loss")
    name = title if title is not None else _title(f, "loss curve")
    axes.set_title(name if not dart or title is not None else "Dart loss of the launch angle")
    axes.grid(True, alpha=0.5)
    return xlabel


def _curve_alt(xlabel: str, box: tuple[float, float], scale: float, unit: str,
               sols: np.ndarray, tops: tuple[np.ndarray, np.ndarray], zoom: bool,
               described: list[str]) -> str:
    alt = (f"Curve of the loss against {xlabel} from {_fmt(box[0] * scale)} to "
           f"{_fmt(box[1] * scale)}.")
    if len(sols):
        alt += " Exact solutions marked at " + ", ".join(
            f"{s * scale:.3f}{unit}" for s in sols) + "."
    if len(tops[0]):
        alt += " Local maxim" + ("um" if len(tops[0]) == 1 else "a") + " at " + ", ".join(
            f"{t * scale:.3f}{unit} (loss {_fmt(h)})" for t, h in zip(*tops, strict=True)
        ) + ("; an inset zooms on it." if zoom else ".")
    if described:
        alt += " Iterates: " + "; ".join(described) + "."
    return alt


def curve_1d(
    f: Any, xs: Any = None, solutions: Any = None, degrees: bool = True, ax: Any = None, *,
    domain: Any = None, n: int = 500, log: bool = False, title: str | None = None,
    zoom: bool | None = None,
) -> Figure:
    """A 1-D loss curve (the dart loss of the angle) with iterates and exact solutions.

    Local maxima that ``f.critical_points()`` lists (the dart's highest hit, between its
    two solutions) are marked with a triangle; when one is too low to see at the scale of
    the whole curve, an inset zooms on it.

    Args:
        f: a function of one parameter (``gd.DartLoss()`` or any ``f(x)`` on ``(1,)``).
        xs: iterates to mark on the curve: a Trajectory, an array of parameter values, or
            a dict ``label ->`` either. Values are in radians, like ``f``'s input.
        solutions: exact minimizers to mark with vertical lines; ``None`` uses
            ``f.solutions()`` when ``f`` has it, ``False`` marks none.
        degrees: label the horizontal axis in degrees (values stay radians in ``f``).
        ax: axes to draw into, or ``None``.
        domain: ``(low, high)`` in radians; default ``f.plot_domain`` or ``f.domain``.
        n: number of curve points.
        log: logarithmic loss axis.
        title: default: ``f.name``.
        zoom: draw the inset around the local maximum (default: when it is lower than
            5 % of the curve's range, in a new figure with a linear axis).

    Example:
        >>> import gdcore as gd
        >>> import gdcore.plot as gplot
        >>> dart = gd.DartLoss()
        >>> run = gd.minimize(dart, gd.GradientDescent(lr=0.01), gd.deg2rad(20.0), 50)
        >>> fig = gplot.curve_1d(dart, xs={"GD": run})
        >>> fig.axes[0].get_xlabel()
        'launch angle θ (degrees)'
        >>> "Local maximum at 45.579°" in gplot.get_alt(fig)
        True
    """
    _check_flags(degrees=degrees, zoom=True if zoom is None else zoom)
    lo, hi = _curve_domain(f, domain)
    sols = _curve_solutions(f, solutions)
    scale, unit = ((180.0 / math.pi), "°") if degrees else (1.0, "")
    t = np.linspace(lo, hi, _check_count("n", n, 2, 10_000_000))
    y = _values_1d(f, t)
    fig, axes, created = _new_axes(ax)
    axes.plot(t * scale, y, color=_fg(), lw=1.5, label="loss")
    _mark_solutions(axes, sols, scale, unit)
    tops, heights = _curve_maxima(f, lo, hi)
    _mark_maxima(axes, tops, heights, scale, "local maxim" + ("um" if len(tops) == 1 else "a"))
    described = _draw_iterates(axes, f, xs, scale, unit)
    axes.set_xlim(lo * scale, hi * scale)
    finite = y[np.isfinite(y)]
    zoom = _auto_zoom(zoom, created and not log, heights, finite)
    if zoom and len(tops):
        _zoom_on_maxima(axes, f, tops, heights, sols, scale)
    _curve_yscale(axes, finite, log)
    xlabel = _curve_labels(axes, f, degrees, title)
    if described or len(sols) or len(tops):
        axes.legend(loc="upper left" if zoom else "best", fontsize="small")
    alt = _curve_alt(xlabel, (lo, hi), scale, unit, sols, (tops, heights), zoom, described)
    return _finish(fig, alt, created)


# --------------------------------------------------------------------------- race


def _race_colors(items: list[tuple[str, Any]]) -> list[str]:
    """Each run's optimizer colour; palette colours (unused ones first) for the others."""
    known = [optimizer_color(run) or optimizer_color(label) for label, run in items]
    spare = [c for c in _colors() if c not in known] + _colors()
    out = []
    for color in known:
        out.append(color if color is not None else spare.pop(0))
    return out


def _race_panel(axes: Any, f: Any, grid_box: tuple, lv: np.ndarray, label: str, run: Any,
                color: str) -> str:
    """One small multiple: the contours, the critical points and one run's path."""
    X, Y, Z, box = grid_box
    axes.set_xlim(*box[0])
    axes.set_ylim(*box[1])
    _set_aspect(axes, f, None)
    axes.tick_params(labelsize="x-small")
    axes.contour(X, Y, Z, levels=lv, colors="#9a9a9a", linewidths=0.5, alpha=0.8)
    P = _path_points(label, run, 2)
    if P.ndim != 2:
        raise ValueError(f"run {label!r} must be one path of shape (n, 2), not a batch")
    minima = np.asarray(getattr(f, "minima", np.empty((0, 2))), dtype=float).reshape(-1, 2)
    finder = getattr(f, "critical_points", None)
    cp = finder() if callable(finder) else None
    for kind, p in cp.kinds() if cp is not None else []:
        if not any(np.allclose(p, m, atol=1e-9) for m in minima):  # those get a star
            marker, face = CRITICAL_MARKERS[kind][:2]
            axes.plot(p[0], p[1], marker=marker, ms=5, color=face, mec=_fg(), mew=0.6,
                      linestyle="none", zorder=4)
    for m in minima:
        axes.plot(m[0], m[1], marker="*", ms=9, color="#F0E442", mec=_fg(), mew=0.6, zorder=5)
    axes.plot(P[:, 0], P[:, 1], color=color, lw=1.4, zorder=6)
    axes.plot(P[0, 0], P[0, 1], marker="o", ms=5, color=color, mec=_fg(), mew=0.6, zorder=7)
    axes.plot(P[-1, 0], P[-1, 1], marker="X", ms=6, color=color, mec=_fg(), mew=0.6, zorder=7)
    losses = getattr(run, "losses", None)
    final = f"\nloss {_fmt(float(losses[-1]))}" if losses is not None and len(losses) else ""
    axes.set_title(f"{label}{final}", fontsize="small", color=color if color not in (
        "#000000", "#ffffff") else _fg())
    status = getattr(run, "status", None)
    text = f"{label} from {_pt(P[0])} to {_pt(P[-1])} in {len(P) - 1} steps"
    if final:
        text += f", final loss {_fmt(float(losses[-1]))}"
    return text + (f" ({status})" if isinstance(status, str) and status == "diverged" else "")


def _race_losses(axes: Any, items: list[tuple[str, Any]], colors: list[str]) -> None:
    """The loss panel of a race: every run's loss curve in its colour."""
    curves = [(_loss_values(label, run), color) for (label, run), color
              in zip(items, colors, strict=True) if getattr(run, "losses", None) is not None]
    for y, color in curves:  # bare arrays of points have no losses to draw
        axes.plot(np.arange(len(y)), y, color=color, lw=1.4)
    finite = np.concatenate([np.ravel(y) for y, _ in curves] or [np.empty(0)])
    finite = finite[np.isfinite(finite)]
    if finite.size and np.all(finite > 0):
        axes.set_yscale("log")
    axes.set_title("loss", fontsize="small")
    axes.set_xlabel("iteration", fontsize="x-small")
    axes.tick_params(labelsize="x-small")
    axes.grid(True, alpha=0.4)


def race(
    f: Any, runs: Any, *, loss: bool = True, ncols: int | None = None, levels: int = 20,
    log: bool | None = None, n: int = 120, domain: Any = None, title: str | None = None,
) -> Figure:
    """A race of several optimizers, readable: one small contour panel per run.

    Every panel shows the same landscape with the same axes (so positions compare at a
    glance), its critical points, and one run's path in that optimizer's colour from
    :data:`OPTIMIZER_COLORS`, titled with the final loss. With ``loss=True`` a last panel
    draws all the loss curves in the same colours (logarithmic axis), to see who got there
    first.

    Args:
        f: a 2-D landscape.
        runs: a dict ``label -> Trajectory`` (or a list of Trajectories, labelled by their
            ``label``), one path each.
        loss: add the loss-curve panel.
        ncols: panels per row (default: up to 4).
        levels, log, n, domain: as in :func:`contour`.
        title: figure title (default: ``"<landscape>: <k> optimizers"``).

    Example:
        >>> import gdcore as gd
        >>> import gdcore.plot as gplot
        >>> f = gd.landscapes["rosenbrock"]
        >>> runs = {name: gd.minimize(f, opt, [-1.5, 2.0], 300) for name, opt in [
        ...     ("GD", gd.GradientDescent(lr=1e-3)), ("Momentum", gd.Momentum(lr=2e-4)),
        ...     ("Adam", gd.Adam(lr=0.05))]}
        >>> fig = gplot.race(f, runs)
        >>> len(fig.axes), fig.axes[2].get_title().startswith("Adam")
        (4, True)
    """
    items = _runs(runs, "runs")
    if not items:
        raise ValueError("runs must contain at least one run")
    _check_flags(loss=loss)
    levels = check_int("levels", levels, minimum=2)
    k = len(items) + (1 if loss else 0)
    ncols = min(4, k) if ncols is None else check_int("ncols", ncols, minimum=1)
    nrows = math.ceil(k / ncols)
    X, Y, Z, box = _grid_box(f, n, domain)
    lv = _levels(Z, levels, _log_flag(f, log))
    fig = plt.figure(figsize=(FIGSIZE[0], 0.4 + 2.1 * nrows), dpi=100)
    colors = _race_colors(items)
    described, first = [], None
    for i, ((label, run), color) in enumerate(zip(items, colors, strict=True)):
        axes = fig.add_subplot(nrows, ncols, i + 1, sharex=first, sharey=first)
        first = first or axes
        described.append(_race_panel(axes, f, (X, Y, Z, box), lv, label, run, color))
    if loss:
        _race_losses(fig.add_subplot(nrows, ncols, k), items, colors)
    name = title if title is not None else f"{_title(f, 'race')}: {len(items)} optimizers"
    fig.suptitle(name)
    fig.tight_layout()
    alt = (f"{name}. Small multiples: one contour panel of {_title(f, 'the function')} per "
           f"optimizer over {_domain_text(box)}, each with its path. " + "; ".join(described)
           + "." + (" A last panel plots every loss against iteration." if loss else ""))
    fig._gd_alt = alt
    return fig
