"""The whole experiment: cut the series, train every model, write the report and the pictures."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import error_surface
from .batches import BatchRun, batch_runs
from .batches import describe as describe_batches
from .drawing import draw_small_model, write_backprop_page
from .error_surface import DescentPath, Surface
from .models import LINEAR_LR, NETWORK_LR, all_models
from .overshoots import overshoots
from .progress import progress_bar
from .reading import overfitting_in_time, reading
from .results import Trained
from .series import DailySeries
from .split import HISTORY_DAYS, TEST_DAYS, LaggedData, split_as_lecture
from .tables import loss_tables, weight_tables
from .train import TrainSettings, train

FULL_EPOCHS = 100
QUICK_EPOCHS = 4
BATCH_SIZE = 32


@dataclass(frozen=True)
class RunSettings:
    seed: int
    quick: bool
    out: Path | None  # None: no files (the tests)
    unit: str  # what the series' values are, for headings
    log_views: bool = False  # the values are ln(page views): plots add an axis in views
    show_progress: bool = True


@dataclass
class Outcome:
    results: dict[str, Trained]
    data: LaggedData
    surface: Surface  # the 1-day model's error surface
    paths: list[DescentPath]  # gradient descent on it, one path per learning rate
    batch_runs: list[BatchRun]  # full batch and two mini-batch sizes
    report: str
    seconds: float


def run(series: DailySeries, settings: RunSettings) -> Outcome:
    started = time.perf_counter()
    if settings.out is not None:
        settings.out.mkdir(parents=True, exist_ok=True)  # fail before training, not after
    data = split_as_lecture(series)
    epochs = QUICK_EPOCHS if settings.quick else FULL_EPOCHS
    train_settings = TrainSettings(epochs=epochs, batch_size=BATCH_SIZE, seed=settings.seed)
    specs = all_models()
    bar = progress_bar(len(specs) * epochs, enabled=settings.show_progress)
    try:
        results = {spec.name: train(spec, data, train_settings, bar) for spec in specs}
    finally:
        bar.close()
    surface, paths = error_surface.surface(data), error_surface.descents(data)
    runs = batch_runs(data, settings.seed)
    outcome = Outcome(results, data, surface, paths, runs, "", 0.0)
    notes = _pictures(series, outcome, settings) if settings.out is not None else []
    seconds = time.perf_counter() - started
    training_seconds = sum(r.seconds for r in results.values())
    report = "\n\n".join(
        [
            _describe(series, data, settings, epochs),
            "## Training loss L and unseen-day loss L' (mean absolute error)\n\n"
            + loss_tables(results, settings.unit),
            "## Learned parameters of the linear models\n\n"
            + weight_tables(results, settings.unit),
            "## Reading: where ours agrees with the lecture and where not\n\n" + reading(results),
            "## Overfitting as it happens, and the deep model's spikes\n\n"
            + "\n".join(overfitting_in_time(results) + overshoots(series, data, results)),
            "## Gradient descent on the error surface\n\n"
            + error_surface.describe(surface, paths, settings.unit),
            "## Batch, update and epoch\n\n" + describe_batches(runs, settings.unit),
            "## Pictures and time\n\n"
            + "\n".join(f"- {note}" for note in notes)
            + f"\n- whole run: {seconds:.1f} s (training {training_seconds:.1f} s)",
        ]
    )
    if settings.out is not None:
        (settings.out / "results.md").write_text(report + "\n", encoding="utf-8")
    outcome.report, outcome.seconds = report, seconds
    return outcome


def _describe(series: DailySeries, data: LaggedData, settings: RunSettings, epochs: int) -> str:
    filled = int(np.sum(~series.observed))
    train_days, test_days = data.train_days, data.test_days
    first_seen, last_seen = data.scaling_days
    return "\n".join(
        [
            f"# Lecture 1 with dagrad: {Path(series.source).name}, column {series.column!r} "
            f"({settings.unit})",
            "",
            f"- data: {len(series)} days, {series.label(0)} .. {series.label(len(series) - 1)}"
            + (
                f"; {_days(filled)} missing (absent dates, empty or NA cells), filled by linear "
                "interpolation and used as history only, never as a target"
                if filled
                else ""
            ),
            f"- training days: {len(train_days)}, {series.label(int(train_days[0]))} .. "
            f"{series.label(int(train_days[-1]))}; unseen days: {len(test_days)}, "
            f"{series.label(int(test_days[0]))} .. {series.label(int(test_days[-1]))} "
            f"(the last {TEST_DAYS}, never used for training or for choosing anything)",
            f"- inputs: the values of the past 1, 7, 28 or {HISTORY_DAYS} days; inputs and target "
            f"scaled alike by the mean {data.scaling.centre:.3f} and standard deviation "
            f"{data.scaling.scale:.3f} of {series.label(first_seen)} .. {series.label(last_seen)} "
            "(the training days and the history before them; losses and weights below are "
            "unscaled)",
            f"- training: MAE loss, mini-batches of {BATCH_SIZE}, {epochs} epochs, Adam with lr "
            f"{LINEAR_LR:g} (linear models) or {NETWORK_LR:g} (networks) decayed to 0 along a "
            f"cosine, PyTorch's default initialisation; seed {settings.seed} (the lecture names "
            "no optimizer or step size; why Adam rather than plain SGD: lecture1_lib/train.py)",
            "- the numbers are the same on every run on this machine; another CPU or NumPy build "
            "rounds float32 sums differently, which can move them in the third decimal",
        ]
    )


def _days(count: int) -> str:
    return "1 day" if count == 1 else f"{count} days"


def _pictures(series: DailySeries, outcome: Outcome, settings: RunSettings) -> list[str]:
    assert settings.out is not None
    out, unit = settings.out, settings.unit
    data, results = outcome.data, outcome.results
    try:
        from . import plot_batches, plot_losses, plot_surface, plots
        from .figures import save

        notes = [
            save(
                plots.predictions(
                    series, data.test_days, prediction_panels(results), unit, settings.log_views
                ),
                out / "predictions.png",
            ),
            save(plot_losses.loss_curves(results, unit), out / "loss_curves.png"),
            save(plot_losses.overfitting(results, unit), out / "overfitting.png"),
            save(
                plot_surface.error_surface(outcome.surface, outcome.paths, unit),
                out / "error_surface.png",
            ),
            save(plot_batches.batches(outcome.batch_runs, unit), out / "batches.png"),
        ]
    except ImportError:
        notes = ["plots skipped: matplotlib is not installed (pip install 'dagrad[plot]')"]
    seven = results["linear 7d"]
    notes.append(
        draw_small_model(seven.model, data.x_train[:1, :7], data.y_train[:1], out / "graph.png")
    )
    notes.append(
        write_backprop_page(
            seven.model, data.x_train[:1, :7], data.y_train[:1], out / "backprop.html"
        )
    )
    return notes


def prediction_panels(results: dict[str, Trained]) -> list[tuple[str, Trained]]:
    """The 1-day model, the model with the lowest L' of all, and the deep model (2 or more
    hidden layers) with the lowest L'. Picked after the fact, for the picture only: nothing is
    trained or tuned on the unseen days. A model that earns two titles gets one panel."""
    deep = [r for r in results.values() if len(r.spec.hidden) >= 2]
    chosen = [
        ("1-day linear model", results["linear 1d"]),
        ("lowest L' of all", min(results.values(), key=lambda r: r.test_mae)),
        ("deep model with the lowest L'", min(deep, key=lambda r: r.test_mae)),
    ]
    panels: dict[str, tuple[str, Trained]] = {}
    for title, trained in chosen:
        name = trained.spec.name
        panels[name] = (
            (f"{panels[name][0]}, {title}", trained) if name in panels else (title, trained)
        )
    return list(panels.values())
