"""The small examples a new user runs first: quickstart.py, gradient_flow.py, backprop.py's
output and drawings, piecewise.py's two-ReLU picture, and how long runs report progress."""

from __future__ import annotations

import io
import shutil
import struct
import sys
from pathlib import Path

import numpy as np
import pytest

from tests.support.paths import EXAMPLES

sys.path.insert(0, str(EXAMPLES))

import backprop  # noqa: E402
import gradient_flow  # noqa: E402
import piecewise  # noqa: E402
import quickstart  # noqa: E402
from lecture1_lib import progress  # noqa: E402

import nn  # noqa: E402
from autograd import Tensor  # noqa: E402

needs_dot = pytest.mark.skipif(
    shutil.which("dot") is None, reason="Graphviz's dot is not installed"
)


def png_size(path: Path) -> tuple[int, int]:
    """(width, height) from a PNG's header."""
    width, height = struct.unpack(">II", path.read_bytes()[16:24])
    return width, height


def test_quickstart_says_what_it_fits_fits_it_and_draws_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("matplotlib")
    final = quickstart.main(["--out", str(tmp_path)])
    out = capsys.readouterr().out
    assert out.startswith("fitting y = sin(x) on [-3, 3] with 32 ReLUs")
    assert final < 1e-3  # a close fit: mean squared error of a curve with amplitude 1
    assert (tmp_path / "quickstart.png").read_bytes()[:4] == b"\x89PNG"


def test_gradient_flow_logs_the_step_its_chart_names(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("matplotlib")
    gradient_flow.main(["--out", str(tmp_path), "--steps", "30", "--layers", "3"])
    out = capsys.readouterr().out
    for activation in ("sigmoid:", "relu:"):
        block = out.split(activation)[1]
        assert "step   30" in block.split("wrote")[0]  # the last step, which the chart names
    assert (tmp_path / "gradient_flow.png").exists()


def test_backprop_prints_each_matrix_row_on_its_own_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert backprop.main(["--no-draw"]) == 0
    lines = capsys.readouterr().out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip().startswith("by hand"))
    rows = lines[start : start + 4]
    assert rows[0].split()[:2] == ["by", "hand"] and rows[2].split()[0] == "engine"
    assert all(row.count("[") == 1 and row.count("]") == 1 for row in rows)


def test_backprop_names_every_neuron_as_the_slides_do() -> None:
    net = backprop.Network(backprop.SLIDE_INPUT)
    names = net.names()
    for n in (1, 2, 3):
        assert names[f"z{n}"] is net.z[n - 1] and names[f"a{n}"] is net.a[n - 1]
        assert names[f"W{n}"] is net.weights[n - 1]
    assert names["C"] is net.cost


@needs_dot
def test_backprop_drawings_are_readable_at_their_own_size(tmp_path: Path) -> None:
    net = backprop.Network(backprop.SLIDE_INPUT)
    net.cost.backward(retain_graph=True)
    notes = backprop.draw_passes(net, tmp_path)
    assert notes == [f"wrote {tmp_path / 'forward'}.png", f"wrote {tmp_path / 'backward'}.png"]
    for name in ("forward.png", "backward.png"):
        width, height = png_size(tmp_path / name)
        assert width <= 1000, (name, width, height)  # it was a 3660-4951 pixel wide strip


def test_two_relus_make_the_hard_sigmoid() -> None:
    x = np.linspace(-6.0, 6.0, 97)
    first, second, total = piecewise.two_relus(x)
    np.testing.assert_allclose(total, nn.HardSigmoid()(Tensor(x)).data, atol=1e-12)
    assert np.all(first >= 0) and np.all(second <= 0)  # one ReLU up, one flipped down
    assert np.all(first[x < -3] == 0) and np.all(second[x > 3] < 0)


def test_piecewise_picture_opens_with_the_two_relus(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    x = np.linspace(*piecewise.X_RANGE, 41)
    untrained = {
        kind: [(p, piecewise.make_model(p, kind, seed=0), 1.0) for p in piecewise.PIECES]
        for kind in piecewise.KINDS
    }
    fig = piecewise.plot(x, piecewise.curve(x), untrained, tmp_path / "piecewise.png")
    first = fig.axes[0]
    assert first.get_title(loc="left") == "two ReLUs make one hard sigmoid"
    total = next(line for line in first.get_lines() if "hard sigmoid" in line.get_label())
    x_drawn, y_drawn = total.get_data()
    np.testing.assert_allclose(y_drawn, np.clip((np.asarray(x_drawn) + 3) / 6, 0, 1))
    assert (tmp_path / "piecewise.png").exists()


def test_progress_prints_plain_lines_when_not_on_a_terminal(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    stream = io.StringIO()  # not a terminal, as in a log file, CI or a notebook
    monkeypatch.setattr(sys, "stderr", stream)
    bar = progress.progress_bar(20, unit="fit", what="fitting")
    assert isinstance(bar, progress.PlainProgress)
    bar.set_description("8 sigmoid")
    for _ in range(20):
        bar.update(1)
    lines = stream.getvalue().splitlines()
    assert len(lines) == 10 and lines[-1] == "fitting 100% (8 sigmoid)"


def test_progress_uses_tqdm_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    tqdm = pytest.importorskip("tqdm")

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(sys, "stderr", Terminal())
    bar = progress.progress_bar(5)
    assert isinstance(bar, tqdm.tqdm)
    bar.close()
