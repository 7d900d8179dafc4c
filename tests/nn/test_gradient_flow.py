"""nn.gradient_flow: per-parameter |grad| statistics, the chart, and the sigmoid-vs-ReLU example."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest

import nn
from autograd import Tensor, Value
from nn.gradient_flow import gradient_stats, plot_gradient_flow
from tests.support.paths import EXAMPLES

EXAMPLE = EXAMPLES / "gradient_flow.py"


class TwoLayers:
    """A stand-in for an nn.Module: named_parameters() in layer order."""

    def __init__(self) -> None:
        rng = np.random.default_rng(0)
        self.w0 = Tensor(rng.normal(size=(4, 3)), requires_grad=True)
        self.b0 = Tensor(np.zeros(4), requires_grad=True)
        self.w1 = Tensor(rng.normal(size=(1, 4)), requires_grad=True)

    def named_parameters(self) -> list[tuple[str, Tensor]]:
        return [("0.weight", self.w0), ("0.bias", self.b0), ("2.weight", self.w1)]

    def loss(self) -> Tensor:
        x = Tensor(np.random.default_rng(1).normal(size=(6, 3)))
        out = ((x @ self.w0.T + self.b0).sigmoid() @ self.w1.T).sum()
        out.backward()
        return out


def test_stats_are_mean_and_max_abs_grad_in_layer_order() -> None:
    model = TwoLayers()
    model.loss()
    stats = gradient_stats(model)
    assert [s.name for s in stats] == ["0.weight", "0.bias", "2.weight"]
    for s, p in zip(stats, (model.w0, model.b0, model.w1)):
        assert s.shape == p.shape
        assert s.mean_abs == pytest.approx(np.abs(p.grad.data).mean())
        assert s.max_abs == pytest.approx(np.abs(p.grad.data).max())
    assert [s.name for s in gradient_stats(model, weights_only=True)] == ["0.weight", "2.weight"]


def test_stats_of_a_real_module_follow_its_layers() -> None:
    model = nn.Sequential(nn.Linear(3, 5), nn.Sigmoid(), nn.Linear(5, 2))
    (model(Tensor(np.ones((4, 3), np.float32))) ** 2).sum().backward()
    stats = gradient_stats(model)
    assert [s.name for s in stats] == ["0.weight", "0.bias", "2.weight", "2.bias"]
    assert stats[2].shape == (2, 5)
    assert stats[2].max_abs == pytest.approx(np.abs(model[2].weight.grad.data).max())


def test_stats_accept_dicts_pairs_and_values_and_report_missing_grads() -> None:
    model = TwoLayers()  # no backward yet: Tensor grads are None
    stats = gradient_stats(dict(model.named_parameters()))
    assert all(s.mean_abs is None and s.max_abs is None for s in stats)
    a, b = Value(2.0), Value(-3.0)
    (a * b).backward()
    stats = gradient_stats([("a", a), ("b", b)])
    assert [(s.mean_abs, s.max_abs) for s in stats] == [(3.0, 3.0), (2.0, 2.0)]


def test_stats_refuse_bad_input() -> None:
    with pytest.raises(TypeError, match="named_parameters"):
        gradient_stats(42)
    with pytest.raises(TypeError, match="'w' is a list"):
        gradient_stats({"w": [1.0, 2.0]})
    with pytest.raises(ValueError, match="no parameters"):
        gradient_stats([])


def test_chart_bars_match_the_stats(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib", reason="the chart needs matplotlib")
    model = TwoLayers()
    model.loss()
    fig = plot_gradient_flow(model, title="two layers")
    (ax,) = fig.axes
    assert ax.get_yscale() == "log"
    assert [t.get_text() for t in ax.get_xticklabels()] == ["0.weight", "0.bias", "2.weight"]
    heights = [bar.get_height() for bar in ax.patches]
    stats = gradient_stats(model)
    assert heights[:3] == pytest.approx([s.max_abs for s in stats])
    assert heights[3:] == pytest.approx([s.mean_abs for s in stats])
    low, high = ax.get_ylim()
    assert low < min(heights) and high >= max(heights)
    assert ax.get_title() == "two layers"
    path = tmp_path / "flow.png"
    fig.savefig(path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_chart_marks_zero_and_missing_gradients_and_shares_axes() -> None:
    pytest.importorskip("matplotlib", reason="the chart needs matplotlib")
    from matplotlib.figure import Figure

    w = Tensor(np.ones((2, 2)), requires_grad=True)
    dead = Tensor(np.ones((2, 2)), requires_grad=True)
    unused = Tensor(np.ones(2), requires_grad=True)
    ((w * 1e-3).sum() + (dead * 0.0).sum()).backward()
    fig = Figure()
    left, right = fig.subplots(1, 2, sharey=True)
    plot_gradient_flow([("w", w), ("dead", dead), ("unused", unused)], ax=left)
    labels = [line.get_label() for line in left.lines]
    assert labels == ["exactly 0", "no grad"]
    big = Tensor(np.ones(3), requires_grad=True)
    (big * 50.0).sum().backward()
    plot_gradient_flow({"big": big}, ax=right)
    low, high = right.get_ylim()
    assert low <= 1e-4 and high >= 50.0  # the shared axis covers both panels
    with pytest.raises(ValueError, match=r"call loss\.backward\(\) first"):
        plot_gradient_flow({"unused": Tensor(np.ones(2), requires_grad=True)})


def test_chart_without_matplotlib_says_how_to_install_it(monkeypatch: Any) -> None:
    model = TwoLayers()
    model.loss()
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)  # import now fails
    with pytest.raises(ImportError, match="pip install matplotlib"):
        plot_gradient_flow(model)


def load_example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gradient_flow_example", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_sigmoid_gradients_vanish_and_relu_gradients_do_not() -> None:
    example = load_example()
    x, y = example.synthetic_data(64, seed=0)
    ratios = {}
    for activation in ("sigmoid", "relu"):
        model = example.make_network(layers=8, width=16, activation=activation, seed=0)
        example.train(model, x, y, steps=0, lr=0.0)
        stats = gradient_stats(model, weights_only=True)
        assert [s.name for s in stats] == [f"{2 * k}.weight" for k in range(9)]
        ratios[activation] = stats[-1].mean_abs / stats[0].mean_abs  # output layer / input layer
    assert ratios["sigmoid"] > 1e3  # vanished by more than three decades
    assert ratios["relu"] < 1e2


def test_example_script_writes_its_pictures(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib", reason="the example draws with matplotlib")
    example = load_example()
    args = ["--out", str(tmp_path), "--layers", "3", "--width", "8", "--steps", "3"]
    losses = example.main(args)
    assert set(losses) == {"sigmoid", "relu"} and all(np.isfinite(v) for v in losses.values())
    chart = tmp_path / "gradient_flow.png"
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
