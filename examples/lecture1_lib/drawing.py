"""dagrad's own drawing of a small trained model: one example through the 7-day linear model,
its MAE loss, and the gradients that backward() leaves on it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import graphviz
import numpy as np

import nn
from autograd import Tensor


def small_model_drawing(model: nn.Module, x: np.ndarray, y: np.ndarray) -> Any:
    """The graph of ``loss(model(x), y)`` after backward, as a graphviz.Digraph, with the input,
    the target and the loss named (draw_graph would call the first two "const")."""
    from autograd.draw import draw_graph

    inputs, target = Tensor(x), Tensor(y)
    loss = nn.L1Loss()(model(inputs), target)
    model.zero_grad()
    loss.backward(retain_graph=True)  # the drawing walks the graph after backward
    names = {
        **dict(model.named_parameters()),
        f"x (past {x.shape[1]} days)": inputs,
        "y (target)": target,
        "L (MAE)": loss,
    }
    drawing = draw_graph(loss, params=names, max_elements=x.shape[1])  # every weight shown
    model.zero_grad()  # leave the trained model as we found it
    return drawing


def draw_small_model(model: nn.Module, x: np.ndarray, y: np.ndarray, path: Path) -> str:
    """Render the drawing to ``path`` (PNG); return a note on what happened, since drawing needs
    autograd.draw and Graphviz's ``dot``, both optional here."""
    try:
        drawing = small_model_drawing(model, x, y)
    except ImportError:
        return "graph drawing skipped: autograd.draw is not available"
    try:
        drawing.render(path.with_suffix(""), format="png", cleanup=True)
    except (graphviz.ExecutableNotFound, graphviz.CalledProcessError) as err:
        # no Graphviz `dot` on this machine: a note with the whole install hint, not a failure
        return "graph drawing skipped: " + str(err).replace("\n", "\n  ")
    return f"wrote {path}"
