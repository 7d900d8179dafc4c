"""The error surface as filled contours, its lowest point, and three gradient-descent paths."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .error_surface import START, STEPS, DescentPath, Surface
from .figures import new_figure

if TYPE_CHECKING:
    from matplotlib.figure import Figure

# bright on both the yellow rim and the dark valley of viridis
PATH_COLOURS = {"too small": "#00d5ff", "good": "white", "too large": "#ff2d78"}


def error_surface(found: Surface, paths: list[DescentPath], unit: str) -> Figure:
    from matplotlib import patheffects

    fig = new_figure(8.6, 6.6)
    ax = fig.subplots()
    # levels spaced on a square-root scale: the interesting part is the valley near the minimum
    low, high = float(found.loss.min()), float(np.percentile(found.loss, 95))
    levels = low + (high - low) * np.linspace(0.0, 1.0, 16) ** 2
    filled = ax.contourf(found.w, found.b, found.loss, levels=levels, cmap="viridis", extend="max")
    ax.contour(found.w, found.b, found.loss, levels=levels, colors="white", linewidths=0.3)
    fig.colorbar(filled, ax=ax, format="%.2f", label=f"L(w, b): MAE on the training days ({unit})")
    outlined = [patheffects.withStroke(linewidth=2.5, foreground="black")]  # legible on any colour
    w, b, best = found.best
    ax.plot(w, b, "*", color="gold", markersize=18, markeredgecolor="black", zorder=5)
    ax.annotate(
        f"lowest L = {best:.3f}",
        (w, b),
        xytext=(12, -4),
        textcoords="offset points",
        color="white",
        fontsize=10,
        fontweight="bold",
        path_effects=outlined,
    )
    for path in paths:
        colour = PATH_COLOURS.get(path.label, "white")
        ax.plot(
            path.points[:, 0],
            path.points[:, 1],
            "-o",
            color=colour,
            markersize=3,
            linewidth=1.2,
            label=f"eta = {path.eta:g} ({path.label}): L = {path.losses[-1]:.3f} at the end",
        )
    ax.plot(*START, "s", color="white", markeredgecolor="black", markersize=9, zorder=5)
    ax.annotate(
        "start",
        START,
        xytext=(8, 6),
        textcoords="offset points",
        color="white",
        fontsize=10,
        fontweight="bold",
        path_effects=outlined,
    )
    ax.set_xlim(found.w[0], found.w[-1])
    ax.set_ylim(found.b[0], found.b[-1])
    ax.set_xlabel("w, the weight on yesterday's value")
    ax.set_ylabel("b, the bias (in standard deviations: the data are scaled)")
    ax.set_title(
        f"Error surface of y = b + w x (1 day of history), and {STEPS} steps of\n"
        "gradient descent w <- w - eta dL/dw, b <- b - eta dL/db (gradients by dagrad's backward)",
        loc="left",
        fontsize=10,
    )
    legend = ax.legend(loc="lower left", fontsize=9, facecolor="#404040", framealpha=0.85)
    for text in legend.get_texts():
        text.set_color("white")
    return fig
