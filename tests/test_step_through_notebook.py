"""A step-through and a timeline shown inline in Jupyter: a notebook that displays them is
executed in a fresh kernel (nbclient) and its outputs hold the pages, each in an iframe (the
browser test runs that iframe form in Chromium)."""

from __future__ import annotations

import html
import json
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
KERNEL = "dagrad-step-tests"

nbformat = pytest.importorskip("nbformat", reason="needs nbformat: pip install -e '.[test]'")
nbclient = pytest.importorskip("nbclient", reason="needs nbclient: pip install -e '.[test]'")
pytest.importorskip("ipykernel", reason="needs ipykernel: pip install -e '.[test]'")

CELLS = [
    """from autograd import Value, Timeline, record_sites, step_through
with record_sites():
    x1, x2, w1, w2, b = Value(2.0), Value(0.0), Value(-3.0), Value(1.0), Value(6.8813735870195432)
    o = (x1 * w1 + x2 * w2 + b).tanh()""",
    """step_through(o, params={"x1": x1, "x2": x2, "w1": w1, "w2": w2, "b": b})""",
    """import nn, optim
from autograd import Tensor
model = nn.Linear(2, 1)
opt = optim.SGD(model.parameters(), lr=0.1)
x, y = Tensor([[1.0, 2.0]]), Tensor([[1.0]])
timeline = Timeline(params=model)
for step in range(3):
    loss = ((model(x) - y) ** 2).mean()
    timeline.record(loss, label=f"step {step}")
    opt.zero_grad(); loss.backward(); opt.step()
timeline""",
]


@pytest.fixture
def this_python_as_kernel(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A kernel spec for the interpreter running the tests, so the notebook sees this dagrad."""
    spec = tmp_path / "kernels" / KERNEL
    spec.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    kernel = {"argv": argv, "display_name": "dagrad tests", "language": "python"}
    (spec / "kernel.json").write_text(json.dumps(kernel))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path))
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    return KERNEL


def page_in(output: dict) -> str:
    """The page inside a cell's text/html output (the iframe's srcdoc, unescaped)."""
    shown = output["data"]["text/html"]
    found = re.fullmatch(r'<iframe srcdoc="([^"]*)" .*</iframe>', shown, re.S)
    assert found, shown[:200]
    return html.unescape(found.group(1))


def test_a_notebook_displays_a_step_through_and_a_timeline(this_python_as_kernel: str) -> None:
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in CELLS]
    client = nbclient.NotebookClient(
        notebook,
        kernel_name=this_python_as_kernel,
        timeout=120,
        resources={"metadata": {"path": str(ROOT)}},
    )
    client.execute()
    step_out = [o for o in notebook.cells[1].outputs if o.get("output_type") == "execute_result"]
    assert len(step_out) == 1
    page = page_in(step_out[0])
    assert page.startswith("<!DOCTYPE html>") and "data-dagrad-step-through" in page
    data = json.loads(re.search(r'id="dagrad-data">(.*?)</script>', page, re.S).group(1))
    assert data["mode"] == "step" and len(data["steps"]) == 16
    assert {n["s"] for n in data["nodes"]} >= {"x1", "x2", "w1", "w2", "b", "C"}
    out = next(n for n in data["nodes"] if n["s"] == "C")
    assert "o = (x1 * w1 + x2 * w2 + b).tanh()" in out["site"]  # the cell's line
    assert "<StepThrough: 10 nodes, 15 steps" in step_out[0]["data"]["text/plain"]
    timeline_out = notebook.cells[2].outputs[-1]
    timeline = page_in(timeline_out)
    data = json.loads(re.search(r'id="dagrad-data">(.*?)</script>', timeline, re.S).group(1))
    assert data["mode"] == "timeline"
    assert [f["label"] for f in data["frames"]] == ["step 0", "step 1", "step 2"]
