"""examples/lecture1.ipynb runs from top to bottom in a fresh kernel, so it never rots: its
outputs are not committed, and this test executes every cell (about a minute)."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

from tests.support.paths import EXAMPLES

NOTEBOOK = EXAMPLES / "lecture1.ipynb"
KERNEL = "dagrad-tests"

nbformat = pytest.importorskip(
    "nbformat", reason="the notebook test needs nbformat: pip install -e '.[test]'"
)
nbclient = pytest.importorskip(
    "nbclient", reason="the notebook test needs nbclient: pip install -e '.[test]'"
)
pytest.importorskip(
    "ipykernel", reason="the notebook test needs ipykernel: pip install -e '.[test]'"
)
pytest.importorskip("matplotlib", reason="the notebook draws with matplotlib (the plot extra)")


@pytest.fixture
def this_python_as_kernel(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A kernel spec for the interpreter running the tests, so the notebook sees this dagrad
    (a "python3" kernel found elsewhere on the machine might be another Python)."""
    spec = tmp_path / "kernels" / KERNEL
    spec.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    kernel = {"argv": argv, "display_name": "dagrad tests", "language": "python"}
    (spec / "kernel.json").write_text(json.dumps(kernel))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path))
    return KERNEL


def test_the_notebook_is_committed_without_outputs() -> None:
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert code and all(not cell.outputs and cell.execution_count is None for cell in code)


def test_the_notebook_runs_from_top_to_bottom(this_python_as_kernel: str) -> None:
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(
        notebook,
        kernel_name=this_python_as_kernel,
        timeout=300,
        resources={"metadata": {"path": str(NOTEBOOK.parent)}},  # run where it lives
    )
    client.execute()  # raises CellExecutionError, with the cell and its traceback, on failure
    outputs = [out for cell in notebook.cells if cell.cell_type == "code" for out in cell.outputs]
    images = [out for out in outputs if "image/png" in out.get("data", {})]
    assert len(images) == 5  # error surface, pieces, batches, overfitting, predictions
    if shutil.which("dot"):  # without Graphviz the last cell shows how to install it instead
        assert "image/svg+xml" in outputs[-1]["data"]  # the backward view
    printed = "".join(out.get("text", "") for out in outputs if out.output_type == "stream")
    assert "eta = 0.1 (good)" in printed and "lecture w1..w7" in printed
    assert not [out for out in outputs if out.output_type == "error"]
