"""Gradient flow per layer: mean and max |grad| of every parameter tensor, as numbers and a chart.

A deep network whose gradients shrink by a constant factor per layer (sigmoid's derivative is at
most 0.25) shows it here as bars that fall by decades from the output layer to the input layer;
the same network with ReLU keeps them level. matplotlib is needed for the chart only
(``pip install matplotlib``, or the ``plot`` extra); the numbers come from ``gradient_stats``.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from autograd import Node

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


@dataclass(frozen=True)
class GradientStat:
    """|grad| of one parameter tensor (None when it has no gradient yet)."""

    name: str
    shape: tuple[int, ...]
    mean_abs: float | None
    max_abs: float | None


def _named(params: Any) -> list[tuple[str, Node]]:
    if hasattr(params, "named_parameters"):
        pairs: Iterable[Any] = params.named_parameters()
    elif isinstance(params, Mapping):
        pairs = params.items()
    elif isinstance(params, Iterable) and not isinstance(params, str | bytes):
        pairs = params
    else:
        raise TypeError(
            "gradient flow: params must be a Module (anything with named_parameters()), a dict "
            f"name -> parameter or (name, parameter) pairs, got a {type(params).__name__}"
        )
    named = []
    for item in pairs:
        if not (isinstance(item, tuple | list) and len(item) == 2):
            raise TypeError(f"gradient flow: expected (name, parameter) pairs, got {item!r:.60}")
        name, param = item
        if not isinstance(param, Node):
            raise TypeError(
                f"gradient flow: parameter {name!r} is a {type(param).__name__}, "
                "not a Value or Tensor"
            )
        named.append((str(name), param))
    return named


def gradient_stats(params: Any, *, weights_only: bool = False) -> list[GradientStat]:
    """mean and max |grad| of each parameter, in the order the parameters are given (layer by
    layer for a Module). ``weights_only`` skips parameters with fewer than 2 dimensions
    (biases), whose gradients follow a different scale."""
    stats = []
    for name, param in _named(params):
        data = np.asarray(param.data)
        if weights_only and data.ndim < 2:
            continue
        grad = param.grad
        # a Value's grad is 0.0 before backward; only a Tensor can say "no gradient yet"
        if grad is None:
            stats.append(GradientStat(name, data.shape, None, None))
            continue
        a = np.abs(np.asarray(grad, dtype=np.float64))
        stats.append(GradientStat(name, data.shape, float(a.mean()), float(a.max())))
    if not stats:
        raise ValueError("gradient flow: no parameters to chart")
    return stats


def plot_gradient_flow(
    params: Any,
    *,
    ax: Axes | None = None,
    title: str | None = None,
    weights_only: bool = False,
    color: str = "#2a7ab0",
) -> Figure:
    """Bars of max |grad| (light) and mean |grad| (dark) per parameter tensor, on a log scale.

    ``params``: a Module, a dict name -> parameter, or (name, parameter) pairs. Draws into
    ``ax`` when given (to put two networks side by side), else into a new Figure. Returns the
    Figure: ``fig.savefig("flow.png")``; in Jupyter it displays itself as a picture (a Figure
    made without pyplot would otherwise show only ``<Figure ...>``).
    """
    Figure = _figure_class()
    stats = gradient_stats(params, weights_only=weights_only)
    if all(s.mean_abs is None for s in stats):
        raise ValueError(
            "plot_gradient_flow(): no parameter has a gradient yet; call loss.backward() first"
        )
    bottom, top = _decades(stats)
    if ax is None:
        fig = Figure(figsize=(max(5.0, 0.45 * len(stats) + 2.0), 4.0), layout="constrained")
        ax = fig.add_subplot()
    else:
        fig = ax.get_figure()  # type: ignore[assignment]
        if ax.get_yscale() == "log":  # drawn on before (or shares its y axis with one that was)
            low, high = ax.get_ylim()
            bottom, top = min(bottom, low), max(top, high)
    x = np.arange(len(stats))
    # a log axis cannot show 0: exact zeros are marked along the bottom instead
    tiny = bottom * 2
    maxes = [s.max_abs if s.max_abs else np.nan for s in stats]
    means = [s.mean_abs if s.mean_abs else np.nan for s in stats]
    ax.bar(x, maxes, width=0.8, color=color, alpha=0.3, label="max |grad|")
    ax.bar(x, means, width=0.45, color=color, label="mean |grad|")
    zeros = [i for i, s in enumerate(stats) if s.max_abs == 0.0]
    missing = [i for i, s in enumerate(stats) if s.max_abs is None]
    if zeros:
        ax.plot(zeros, [tiny] * len(zeros), "v", color="#777777", label="exactly 0")
    if missing:
        ax.plot(missing, [tiny] * len(missing), "x", color="#b00020", label="no grad")
    ax.set_yscale("log")
    ax.set_ylim(bottom, top)
    ax.set_xticks(x, [s.name for s in stats], rotation=60, ha="right", fontsize=8)
    ax.set_xlim(-0.6, len(stats) - 0.4)
    ax.set_ylabel("|grad| (log scale)")
    ax.set_xlabel("parameters, input layer first")
    ax.grid(axis="y", which="major", alpha=0.4)
    ax.legend(loc="best", fontsize=8)
    if title:
        ax.set_title(title)
    return fig


_FIGURE_CLASS: list[type] = []


def _figure_class() -> type[Figure]:
    """matplotlib's Figure with ``_repr_png_``, so that Jupyter shows it as a picture; made on
    first use, because matplotlib is only needed for the chart."""
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        raise ImportError(
            "plot_gradient_flow() draws with matplotlib, which is not installed: "
            "pip install matplotlib (or pip install 'dagrad[plot]'); "
            "gradient_stats() gives the same numbers without it"
        ) from None
    if _FIGURE_CLASS:
        return _FIGURE_CLASS[0]

    class ChartFigure(Figure):  # type: ignore[misc]
        """A Figure that Jupyter displays as a PNG."""

        def _repr_png_(self) -> bytes:
            buffer = io.BytesIO()
            FigureCanvasAgg(self).print_png(buffer)
            return buffer.getvalue()

    _FIGURE_CLASS.append(ChartFigure)
    return ChartFigure


def _decades(stats: list[GradientStat]) -> tuple[float, float]:
    """Log-axis limits on whole decades around the non-zero |grad|s, with a decade to spare
    below for the markers of exact zeros."""
    positive = [s.mean_abs for s in stats if s.mean_abs] + [s.max_abs for s in stats if s.max_abs]
    if not positive:
        return 1e-12, 1.0
    low = float(np.floor(np.log10(min(positive)))) - 1
    high = float(np.ceil(np.log10(max(positive))))
    return 10.0**low, 10.0 ** max(high, low + 2)
