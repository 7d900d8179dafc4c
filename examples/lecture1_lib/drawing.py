"""dagrad's own drawing of a small trained model: one example through the 7-day linear model,
its MAE loss, and the gradients that backward() leaves on it."""

from __future__ import annotations

from pathlib import Path

import graphviz
import numpy as np

import nn
from autograd import Tensor


def draw_small_model(model: nn.Module, x: np.ndarray, y: np.ndarray, path: Path) -> str:
    """Render the graph of ``loss(model(x), y)`` to ``path`` (PNG); return a note on what
    happened, since drawing needs autograd.draw and Graphviz's ``dot``, both optional here."""
    try:
        from autograd.draw import draw_graph
    except ImportError:
        return "graph drawing skipped: autograd.draw is not available"
    inputs, target = Tensor(x), Tensor(y)
    loss = nn.L1Loss()(model(inputs), target)
    model.zero_grad()
    loss.backward(retain_graph=True)  # the drawing walks the graph after backward
    names = {
        **dict(model.named_parameters()),
        "x (past 7 days)": inputs,
        "y (target)": target,
        "L (MAE)": loss,
    }
    drawing = draw_graph(loss, params=names, max_elements=x.shape[1])  # every weight shown
    model.zero_grad()  # leave the trained model as we found it
    try:
        drawing.render(path.with_suffix(""), format="png", cleanup=True)
    except (graphviz.ExecutableNotFound, graphviz.CalledProcessError) as err:
        # no Graphviz `dot` on this machine: a note, not a failed run
        return "graph drawing skipped: " + str(err).replace("\n", "\n  ")
    return f"wrote {path}"
