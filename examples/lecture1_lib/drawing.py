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
    loss = nn.L1Loss()(model(Tensor(x)), Tensor(y))
    model.zero_grad()
    loss.backward()
    drawing = draw_graph(loss, params=model, max_elements=x.shape[1])  # every weight shown
    try:
        drawing.render(path.with_suffix(""), format="png", cleanup=True)
    except (graphviz.ExecutableNotFound, graphviz.CalledProcessError) as err:
        # no Graphviz `dot` on this machine: a note, not a failed run
        return f"graph drawing skipped: {err}".splitlines()[0]
    model.zero_grad()  # leave the trained model as we found it
    return f"wrote {path}"
