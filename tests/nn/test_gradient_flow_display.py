"""plot_gradient_flow's Figure shows itself as a picture in Jupyter: a Figure made without
pyplot has no display of its own (a fresh kernel printed only ``<Figure ...>``), so the chart is
a Figure subclass with ``_repr_png_``."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

import autograd
import nn
from nn.gradient_flow import plot_gradient_flow

pytest.importorskip("matplotlib", reason="the chart needs matplotlib (the plot extra)")

PNG = b"\x89PNG\r\n\x1a\n"


def _model_with_gradients() -> nn.Module:
    autograd.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 1))
    model(autograd.randn(5, 3)).sum().backward()
    return model


def test_the_figure_renders_itself_as_png() -> None:
    figure = plot_gradient_flow(_model_with_gradients())
    assert figure._repr_png_().startswith(PNG)
    ipython = pytest.importorskip("IPython.core.formatters")
    assert ipython.PNGFormatter()(figure).startswith(PNG)  # what Jupyter asks for


def test_a_fresh_kernel_displays_the_chart(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    spec = tmp_path / "kernels" / "dagrad-flow"
    spec.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    (spec / "kernel.json").write_text(
        json.dumps({"argv": argv, "display_name": "t", "language": "python"})
    )
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path))
    root = Path(__file__).resolve().parents[2]
    code = (
        f"import sys; sys.path.insert(0, {str(root)!r})\n"
        "import autograd, nn\n"
        "from nn.gradient_flow import plot_gradient_flow\n"
        "model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 1))\n"
        "model(autograd.randn(5, 3)).sum().backward()\n"
        "plot_gradient_flow(model)"
    )
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
    nbclient.NotebookClient(notebook, kernel_name="dagrad-flow", timeout=120).execute()
    outputs = notebook.cells[0].outputs
    assert any("image/png" in out.get("data", {}) for out in outputs), outputs
