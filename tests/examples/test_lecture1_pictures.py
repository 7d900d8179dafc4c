"""The lecture-1 pictures that `make demo` draws, checked for their content: the error surface and
its gradient-descent paths, batch/update/epoch, overfitting per epoch, the prediction panels and
the graph's names. One --quick run on the shipped series feeds most tests."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from tests.support.paths import EXAMPLES

sys.path.insert(0, str(EXAMPLES))

from lecture1_lib import batches, error_surface  # noqa: E402
from lecture1_lib.cli import SHIPPED_COLUMN, SHIPPED_CSV, SHIPPED_DATES  # noqa: E402
from lecture1_lib.drawing import draw_small_model, small_model_drawing  # noqa: E402
from lecture1_lib.experiment import QUICK_EPOCHS, RunSettings, prediction_panels, run  # noqa: E402
from lecture1_lib.series import read_series  # noqa: E402
from lecture1_lib.split import split_as_lecture  # noqa: E402

PICTURES = (
    "predictions.png",
    "loss_curves.png",
    "overfitting.png",
    "error_surface.png",
    "batches.png",
    "graph.png",
)


@pytest.fixture(scope="module")
def shipped():
    return read_series(SHIPPED_CSV, SHIPPED_COLUMN, SHIPPED_DATES)


@pytest.fixture(scope="module")
def data(shipped):
    return split_as_lecture(shipped)


@pytest.fixture(scope="module")
def quick(shipped, tmp_path_factory: pytest.TempPathFactory):
    pytest.importorskip("matplotlib")
    out = tmp_path_factory.mktemp("lecture1")
    settings = RunSettings(seed=0, quick=True, out=out, unit="ln views", show_progress=False)
    return run(shipped, settings), out


# --- the error surface -------------------------------------------------------------------------


def test_gradient_descent_follows_the_engines_gradient_of_the_mae(data) -> None:
    """The first step of a path is -eta times the MAE's gradient at the start, worked out by hand:
    dL/dw = -mean(sign(r) x), dL/db = -mean(sign(r)) with r = y - (w x + b)."""
    x, y = error_surface.one_day_data(data)
    w0, b0 = error_surface.START
    sign = np.sign(y - (w0 * x + b0))
    eta = 0.1
    path = error_surface.descend(data, eta, steps=1)
    expected = [w0 + eta * np.mean(sign * x), b0 + eta * np.mean(sign)]
    np.testing.assert_allclose(path.points[1], expected, rtol=1e-12)


def test_good_learning_rate_descends_to_the_minimum_of_the_surface(data) -> None:
    found = error_surface.surface(data, points=121)
    paths = {p.label: p for p in error_surface.descents(data)}
    good, small, large = paths["good"], paths["too small"], paths["too large"]
    best_w, best_b, lowest = found.best
    # good: the loss never rises and ends at the surface's lowest point
    assert good.rises == 0
    assert good.losses[-1] == pytest.approx(lowest, rel=0.01)
    assert np.hypot(*(good.points[-1] - (best_w, best_b))) < 0.1
    # too small: barely moves in the same number of steps
    assert small.rises == 0
    assert np.hypot(*(small.points[-1] - small.points[0])) < 0.3
    assert small.losses[-1] > 0.8 * small.losses[0]
    # too large: the loss goes up and down (at least a third of the steps rise) and ends worse
    assert large.rises >= error_surface.STEPS // 3
    assert large.losses[-1] > 1.3 * good.losses[-1]
    jumps = np.hypot(*np.diff(large.points[-10:], axis=0).T)
    assert jumps.min() > 0.3  # still leaping across the valley at the end: no convergence


def test_surface_loss_is_the_mae_in_the_datas_units(data) -> None:
    found = error_surface.surface(data, points=31)
    x, y = error_surface.one_day_data(data)
    i, j = 7, 20
    mae = np.mean(np.abs(y - (found.w[j] * x + found.b[i]))) * data.scaling.scale
    assert found.loss[i, j] == pytest.approx(mae, rel=1e-12)


def test_error_surface_figure_labels_each_path_with_eta_and_final_loss(quick) -> None:
    outcome, _ = quick
    from lecture1_lib.plot_surface import error_surface as draw

    fig = draw(outcome.surface, outcome.paths, "ln views")
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    for path, label in zip(outcome.paths, labels):
        assert f"eta = {path.eta:g}" in label and f"L = {path.losses[-1]:.3f}" in label


# --- batch, update, epoch ----------------------------------------------------------------------


def test_batch_runs_count_updates_per_epoch_and_small_batches_are_noisier(data) -> None:
    runs = batches.batch_runs(data, seed=0)
    n = len(data.x_train)
    assert [r.updates_per_epoch for r in runs] == [1, -(-n // 256), -(-n // 32)]
    for r in runs:
        assert len(r.update_losses) == batches.EPOCHS * r.updates_per_epoch
        assert len(r.epoch_losses) == batches.EPOCHS + 1
        assert r.epoch_losses[0] == pytest.approx(runs[0].epoch_losses[0])  # same start
    full, medium, small = runs
    # full batch: every update's loss is L on all days, falling steadily; it equals the
    # previous epoch's L (the update's loss is measured before its step)
    assert np.all(np.diff(full.update_losses) < 0)
    np.testing.assert_allclose(full.update_losses, full.epoch_losses[:-1], rtol=1e-5)

    def spread(r: batches.BatchRun) -> float:
        return float(np.std(r.update_losses[-r.updates_per_epoch :]))

    assert spread(small) > 1.5 * spread(medium)
    # per epoch, more updates go further
    assert small.epoch_losses[1] < medium.epoch_losses[1] < full.epoch_losses[1]


# --- overfitting per epoch, prediction panels, the report -------------------------------------


def test_every_model_records_the_unseen_loss_after_each_epoch(quick) -> None:
    outcome, _ = quick
    for trained in outcome.results.values():
        assert len(trained.test_history) == QUICK_EPOCHS == len(trained.loss_history)
        assert trained.test_history[-1] == trained.test_mae


def test_overfitting_figure_shows_both_losses_and_marks_the_lowest_unseen_loss(quick) -> None:
    outcome, _ = quick
    from lecture1_lib.plot_losses import DEPTH_TABLE, overfitting

    fig = overfitting(outcome.results, "ln views")
    axes = [ax for ax in fig.axes if ax.get_title(loc="left")]
    assert len(axes) == len(DEPTH_TABLE[1]) == 4
    for ax, spec in zip(axes, DEPTH_TABLE[1]):
        trained = outcome.results[spec.name]
        assert ax.get_title(loc="left").startswith(spec.name)
        ys = [line.get_ydata() for line in ax.get_lines()]
        assert any(np.array_equal(y, trained.loss_history) for y in ys)
        assert any(np.array_equal(y, trained.test_history) for y in ys)
        low = min(trained.test_history)
        assert any(len(y) == 1 and y[0] == low for y in ys)  # the marker
        assert f"lowest L' {low:.3f}" in " ".join(t.get_text() for t in ax.texts)


def test_prediction_panels_add_the_lowest_loss_model_once(quick) -> None:
    outcome, _ = quick
    panels = prediction_panels(outcome.results)
    names = [trained.spec.name for _, trained in panels]
    assert len(names) == len(set(names)) and names[0] == "linear 1d"
    best = min(outcome.results.values(), key=lambda r: r.test_mae)
    assert best.spec.name in names
    deep = [r for r in outcome.results.values() if len(r.spec.hidden) >= 2]
    assert min(deep, key=lambda r: r.test_mae).spec.name in names
    # a model that earns two titles gets one panel that carries both
    results = dict(outcome.results)
    results["linear 1d"] = replace(results["linear 1d"], test_mae=0.0)
    titles = [title for title, _ in prediction_panels(results)]
    assert len(titles) == 2 and titles[0] == "1-day linear model, lowest L' of all"


def test_run_writes_every_picture_and_reports_their_numbers(quick) -> None:
    outcome, out = quick
    for name in PICTURES:
        assert (out / name).read_bytes()[:4] == b"\x89PNG", name
        assert f"wrote {out / name}" in outcome.report
    for heading in ("## Overfitting as it happens", "## Gradient descent on the error surface"):
        assert heading in outcome.report
    assert "## Batch, update and epoch" in outcome.report
    assert "eta = 1.5 (too large)" in outcome.report


# --- the graph picture ---------------------------------------------------------------------------


def test_graph_names_the_input_target_and_loss(quick, data) -> None:
    outcome, _ = quick
    model = outcome.results["linear 7d"].model
    source = small_model_drawing(model, data.x_train[:1, :7], data.y_train[:1]).source
    for name in ("x (past 7 days)", "y (target)", "0.weight", "0.bias"):
        assert f"<b>{name}</b>" in source
    assert "L (MAE)" in source  # drawn as "mean -> L (MAE)": an op keeps its op name
    assert "<b>const</b>" not in source  # draw_graph's name for an unnamed constant
    assert all(p.grad is None or not np.any(p.grad) for p in model.parameters())


def test_graph_without_dot_gives_the_whole_install_hint(
    quick, data, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    outcome, _ = quick
    monkeypatch.setenv("PATH", str(tmp_path))  # no `dot` here
    note = draw_small_model(
        outcome.results["linear 7d"].model,
        data.x_train[:1, :7],
        data.y_train[:1],
        tmp_path / "graph.png",
    )
    assert note.startswith("graph drawing skipped")
    for command in ("apt-get install graphviz", "brew install graphviz", "conda install"):
        assert command in note
    assert not (tmp_path / "graph.png").exists()
