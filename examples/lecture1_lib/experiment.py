"""The whole experiment: cut the series, train every model, write the report and the pictures."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import plots
from .drawing import draw_small_model
from .models import LINEAR_LR, NETWORK_LR, all_models
from .progress import progress_bar
from .reading import reading
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
    notes = _pictures(series, data, results, settings) if settings.out is not None else []
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
            "## Pictures and time\n\n"
            + "\n".join(f"- {note}" for note in notes)
            + f"\n- whole run: {seconds:.1f} s (training {training_seconds:.1f} s)",
        ]
    )
    if settings.out is not None:
        (settings.out / "results.md").write_text(report + "\n", encoding="utf-8")
    return Outcome(results, data, report, seconds)


def _describe(series: DailySeries, data: LaggedData, settings: RunSettings, epochs: int) -> str:
    filled = int(np.sum(~series.observed))
    train_days, test_days = data.train_days, data.test_days
    return "\n".join(
        [
            f"# Lecture 1 with dagrad: {Path(series.source).name}, column {series.column!r} "
            f"({settings.unit})",
            "",
            f"- data: {len(series)} days, {series.label(0)} .. {series.label(len(series) - 1)}"
            + (
                f"; {filled} missing days filled by linear interpolation (history only)"
                if filled
                else ""
            ),
            f"- training days: {len(train_days)}, {series.label(int(train_days[0]))} .. "
            f"{series.label(int(train_days[-1]))}; unseen days: {len(test_days)}, "
            f"{series.label(int(test_days[0]))} .. {series.label(int(test_days[-1]))} "
            f"(the last {TEST_DAYS}, never used for training or for choosing anything)",
            f"- inputs: the values of the past 1, 7, 28 or {HISTORY_DAYS} days; inputs and target "
            f"scaled alike by the training years' mean {data.scaling.centre:.3f} and standard "
            f"deviation {data.scaling.scale:.3f} (losses and weights below are unscaled)",
            f"- training: MAE loss, mini-batches of {BATCH_SIZE}, {epochs} epochs, Adam with lr "
            f"{LINEAR_LR:g} (linear models) or {NETWORK_LR:g} (networks) decayed to 0 along a "
            f"cosine, PyTorch's default initialisation; seed {settings.seed} (the lecture names "
            "no optimizer or step size; why Adam rather than plain SGD: lecture1_lib/train.py)",
        ]
    )


def _pictures(
    series: DailySeries, data: LaggedData, results: dict[str, Trained], settings: RunSettings
) -> list[str]:
    assert settings.out is not None
    out = settings.out
    notes = []
    try:
        # the deep model (2 or more hidden layers) with the lowest L', picked after the fact
        # for the picture only: nothing is trained or tuned on it
        deep = [r for r in results.values() if len(r.spec.hidden) >= 2]
        best = min(deep, key=lambda r: r.test_mae)
        panels = [
            ("1-day linear model", results["linear 1d"]),
            ("the deep model with the lowest L' (picked for display only)", best),
        ]
        plots.predictions(
            series,
            data.test_days,
            panels,
            settings.unit,
            out / "predictions.png",
            settings.log_views,
        )
        plots.loss_curves(results, settings.unit, out / "loss_curves.png")
        notes += [f"wrote {out / 'predictions.png'}", f"wrote {out / 'loss_curves.png'}"]
    except ImportError:
        notes.append("plots skipped: matplotlib is not installed (pip install 'dagrad[plot]')")
    seven = results["linear 7d"]
    notes.append(
        draw_small_model(seven.model, data.x_train[:1, :7], data.y_train[:1], out / "graph.png")
    )
    return notes
