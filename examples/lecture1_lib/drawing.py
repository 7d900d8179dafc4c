"""dagrad's own drawing of a small trained model: one example through the 7-day linear model,
its MAE loss, and the gradients that backward() leaves on it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import graphviz
import numpy as np

import nn
from autograd import Tensor


def small_model_graph(model: nn.Module, x: np.ndarray, y: np.ndarray) -> tuple[Any, dict]:
    """``loss(model(x), y)`` and its names: the input, the target and the loss named (drawings
    would call the first two "const"), each op remembering the line that made it."""
    from autograd import record_sites

    inputs, target = Tensor(x), Tensor(y)
    with record_sites():  # for the step-through page's details
        loss = nn.L1Loss()(model(inputs), target)
    names = {
        **dict(model.named_parameters()),
        f"x (past {x.shape[1]} days)": inputs,
        "y (target)": target,
        "L (MAE)": loss,
    }
    return loss, names


def small_model_drawing(model: nn.Module, x: np.ndarray, y: np.ndarray) -> Any:
    """The graph of ``loss(model(x), y)`` after backward, as a graphviz.Digraph."""
    from autograd.draw import draw_graph

    loss, names = small_model_graph(model, x, y)
    model.zero_grad()
    loss.backward(retain_graph=True)  # the drawing walks the graph after backward
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


def write_backprop_page(model: nn.Module, x: np.ndarray, y: np.ndarray, path: Path) -> str:
    """The same graph as an interactive page (no Graphviz needed): its forward and backward
    pass step by step, each gradient with its arithmetic. Returns a note on what was written."""
    from autograd import step_through

    loss, names = small_model_graph(model, x, y)
    page = step_through(loss, params=names, max_elements=x.shape[1], title=PAGE_TITLE)
    page.save(path)
    return f"wrote {path} (open it in a browser: backpropagation step by step)"


PAGE_TITLE = "Lecture 1: the 7-day linear model's forward and backward pass, step by step"
