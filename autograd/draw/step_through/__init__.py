"""Step through backpropagation: an interactive page for any Value or Tensor graph.

``step_through(root)`` shows the forward pass one op at a time and the backward pass one node at
a time, each step with its arithmetic; ``Timeline`` records a graph at chosen training steps.
Both save one self-contained HTML file and display inline in Jupyter.

The parts, one purpose each: structure.py (the graph's nodes, names, folding), gradients.py (the
engine's numbers), steps.py and formulas.py (the steps and their arithmetic), frame.py (values
and gradients as text and colour), layout.py (the layered layout, in Python), scene.py (the
page's data and views), sites.py (the user's lines), page.py with page.html/.css/.js (the page).
"""

from .stepper import StepThrough, step_through
from .timeline import Timeline

__all__ = ["StepThrough", "Timeline", "step_through"]
