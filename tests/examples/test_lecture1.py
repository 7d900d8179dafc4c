"""The lecture-1 example: reading and checking a CSV, the lecture's split, the whole pipeline on a
short synthetic series (table shapes, determinism), the CLI's error cases, and backprop.py."""

from __future__ import annotations

import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest

from tests.support.paths import EXAMPLES

sys.path.insert(0, str(EXAMPLES))

import backprop  # noqa: E402
import piecewise  # noqa: E402
from lecture1_lib.experiment import QUICK_EPOCHS, RunSettings, run  # noqa: E402
from lecture1_lib.models import TABLES, all_models  # noqa: E402
from lecture1_lib.progress import progress_bar  # noqa: E402
from lecture1_lib.series import DataError, read_series  # noqa: E402
from lecture1_lib.split import (  # noqa: E402
    HISTORY_DAYS,
    MIN_TRAIN_DAYS,
    TEST_DAYS,
    split_as_lecture,
)
from lecture1_lib.train import TrainSettings, train  # noqa: E402

SHORT_DAYS = 220  # 56 history + 119 training + 45 test


def weekly_series(days: int, seed: int = 0) -> np.ndarray:
    """A level with a weekly cycle (low on the 6th day), a slow drift and a little noise."""
    rng = np.random.default_rng(seed)
    t = np.arange(days)
    return 5 + 0.8 * np.sin(2 * np.pi * t / 7) + 0.002 * t + rng.normal(0, 0.1, days)


def write_csv(path: Path, values: np.ndarray | list, start: date = date(2020, 1, 1)) -> Path:
    lines = ["ts,views"] + [
        f"{(start + timedelta(days=i)).isoformat()},{v}" for i, v in enumerate(values)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# --- reading and checking the CSV -------------------------------------------------------------


def test_read_series_places_values_on_the_calendar_and_fills_gaps(tmp_path: Path) -> None:
    path = tmp_path / "gap.csv"
    path.write_text("ts,views\n2020-01-01,1\n2020-01-02,2\n2020-01-05,8\n2020-01-04,\n")
    series = read_series(path, "views", "ts")
    # 01-03 is absent and 01-04 empty: both filled linearly between 2 (01-02) and 8 (01-05)
    np.testing.assert_allclose(series.values, [1, 2, 4, 6, 8])
    assert series.observed.tolist() == [True, True, False, False, True]
    assert series.label(4) == "2020-01-05"


@pytest.mark.parametrize("cell", ["", "  ", "NA", "n/a", "N/A", "NaN", "null", "None"])
def test_empty_and_na_cells_are_missing_days_filled_from_their_neighbours(
    tmp_path: Path, cell: str
) -> None:
    path = tmp_path / "na.csv"
    path.write_text(f"ts,views\n2020-01-01,1\n2020-01-02,{cell}\n2020-01-03,3\n")
    series = read_series(path, "views", "ts")
    np.testing.assert_allclose(series.values, [1, 2, 3])
    assert series.observed.tolist() == [True, False, True]


def test_a_value_that_is_not_a_number_names_the_file_line_and_the_missing_spellings(
    tmp_path: Path,
) -> None:
    path = write_csv(tmp_path / "words.csv", [1.0, "about 3"])
    with pytest.raises(DataError) as caught:
        read_series(path, "views", "ts")
    message = str(caught.value)
    assert message.startswith(f"{path}, line 3: column 'views' holds 'about 3', not a number")
    assert "empty cells and NA, N/A, NaN, null, None count as missing days" in message


@pytest.mark.parametrize(("separator", "name"), [(";", "semicolons"), ("\t", "tabs")])
def test_a_file_with_another_separator_gets_a_hint(
    tmp_path: Path, separator: str, name: str
) -> None:
    path = tmp_path / "semi.csv"
    path.write_text(f"ts{separator}views\n2020-01-01{separator}1\n")
    with pytest.raises(DataError, match=f"separate its values with {name}.*with commas"):
        read_series(path, "views", "ts")


def test_a_comma_file_without_the_column_gets_no_separator_hint(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "c.csv", [1.0])
    with pytest.raises(DataError) as caught:
        read_series(path, "nope")
    assert "separate" not in str(caught.value)


def test_read_series_without_dates_takes_rows_as_consecutive_days(tmp_path: Path) -> None:
    path = tmp_path / "rows.csv"
    path.write_text("a,views\nx,3\ny,nan\nz,5\n")
    series = read_series(path, "views")
    np.testing.assert_allclose(series.values, [3, 4, 5])
    assert series.first_date is None and series.label(2) == "day 2"


@pytest.mark.parametrize(
    ("content", "date_column", "message"),
    [
        ("ts,views\n2020-01-01,1\n2020-01-01,2\n", "ts", "the date 2020-01-01 appears twice"),
        ("ts,views\n01/02/2020,1\n", "ts", "line 2: column 'ts' holds '01/02/2020', not a date"),
        ("ts,views\n2020-01-01,inf\n", "ts", "not a finite number"),
        ("ts,views\n2020-01-01\n", "ts", "line 2: the row has no cell for column 'views'"),
        ("ts,views\n", "ts", "no data rows"),
        ("ts,views\n2020-01-01,\n", "ts", "has no numbers"),
        ("", None, "the columns are: none (empty file)"),
    ],
)
def test_read_series_rejects_bad_files_by_name(
    tmp_path: Path, content: str, date_column: str | None, message: str
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(content)
    with pytest.raises(DataError, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_series(path, "views", date_column)


# --- the lecture's split ------------------------------------------------------------------------


def test_split_keeps_last_45_days_unseen_and_lags_in_order(tmp_path: Path) -> None:
    values = np.arange(SHORT_DAYS, dtype=float)  # value == day index: lags are easy to read
    series = read_series(write_csv(tmp_path / "s.csv", values), "views", "ts")
    data = split_as_lecture(series)
    assert data.test_days.tolist() == list(range(SHORT_DAYS - TEST_DAYS, SHORT_DAYS))
    assert data.train_days.tolist() == list(range(HISTORY_DAYS, SHORT_DAYS - TEST_DAYS))
    assert data.x_train.shape == (SHORT_DAYS - TEST_DAYS - HISTORY_DAYS, HISTORY_DAYS)
    assert data.x_test.shape == (TEST_DAYS, HISTORY_DAYS) and data.y_test.shape == (TEST_DAYS, 1)
    raw = data.scaling.undo(data.x_test.astype(np.float64))
    np.testing.assert_allclose(raw[0, :3], [174, 173, 172], atol=1e-3)  # day 175's past days
    # scaled with the training years only: the test values play no part
    seen = values[: SHORT_DAYS - TEST_DAYS]
    assert data.scaling.centre == pytest.approx(seen.mean())
    assert data.scaling.scale == pytest.approx(seen.std())


def test_split_converts_a_linear_models_bias_back_to_raw_units() -> None:
    from lecture1_lib.split import Scaling

    scaling = Scaling(centre=10.0, scale=2.0)
    weights, bias = np.array([0.5, 0.25]), 0.1
    x = np.array([12.0, 6.0])
    scaled_prediction = bias + weights @ scaling.apply(x)
    raw = scaling.raw_bias(weights, bias) + weights @ x
    assert raw == pytest.approx(scaling.undo(scaled_prediction))


# --- the whole pipeline on a short synthetic series --------------------------------------------


@pytest.fixture(scope="module")
def short_series(tmp_path_factory: pytest.TempPathFactory):
    path = write_csv(tmp_path_factory.mktemp("csv") / "weekly.csv", weekly_series(SHORT_DAYS))
    return read_series(path, "views", "ts")


@pytest.fixture(scope="module")
def quick_run(short_series, tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("out")
    settings = RunSettings(seed=3, quick=True, out=out, unit="views", show_progress=False)
    return run(short_series, settings), out


def test_pipeline_trains_every_model_and_prints_one_table_per_lecture_table(quick_run) -> None:
    outcome, _ = quick_run
    assert set(outcome.results) == {spec.name for spec in all_models()}
    assert len(outcome.results) == 13
    for trained in outcome.results.values():
        assert len(trained.loss_history) == QUICK_EPOCHS
        assert trained.test_prediction.shape == (TEST_DAYS,)
        assert np.isfinite([trained.train_mae, trained.test_mae]).all()
    for title, specs in TABLES:
        block = outcome.report.split(f"### {title}\n\n")[1].split("\n\n")[0].splitlines()
        assert len(block) == 6  # header, rule, lecture L and L', ours L and L'
        assert all(line.count("|") == len(specs) + 2 for line in block)
    assert outcome.results["linear 7d"].linear[1].shape == (7,)
    assert "## Reading" in outcome.report


def test_training_learns_the_weekly_cycle(short_series) -> None:
    """Trained for real, the 7-day linear model captures the 7-day cycle that one day of
    history cannot show: far better than the 1-day model and than the training mean."""
    data = split_as_lecture(short_series)
    settings, silent = TrainSettings(epochs=80, seed=1), progress_bar(1, enabled=False)
    specs = {s.name: s for s in all_models()}
    week = train(specs["linear 7d"], data, settings, silent)
    day = train(specs["linear 1d"], data, settings, silent)
    test = short_series.values[data.test_days]
    baseline = np.mean(np.abs(test - short_series.values[data.train_days].mean()))
    assert week.test_mae < 0.35 * baseline  # about 0.2 x in practice
    assert week.test_mae < 0.5 * day.test_mae
    assert week.loss_history[-1] < week.loss_history[0]


def test_pipeline_writes_its_report_and_pictures(quick_run) -> None:
    outcome, out = quick_run
    assert (out / "results.md").read_text().strip() == outcome.report.strip()
    for name in ("predictions.png", "loss_curves.png"):
        assert (out / name).read_bytes()[:4] == b"\x89PNG"


def test_pipeline_is_deterministic_given_a_seed(quick_run, short_series) -> None:
    outcome, _ = quick_run
    again = run(
        short_series, RunSettings(seed=3, quick=True, out=None, unit="views", show_progress=False)
    )
    for name, first in outcome.results.items():
        second = again.results[name]
        assert second.loss_history == first.loss_history, name
        np.testing.assert_array_equal(second.test_prediction, first.test_prediction)


# --- the command line -------------------------------------------------------------------------


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(EXAMPLES / "lecture1.py"), *args],
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("missing file", "no such file"),
        ("missing column", "no column 'nope' (given by --column); the columns are: 'ts', 'views'"),
        ("non-numeric", "n.csv, line 4: column 'views' holds 'lots', not a number"),
        ("too short", f"covers 100 days; it needs at least {HISTORY_DAYS + MIN_TRAIN_DAYS + 45}"),
    ],
)
def test_cli_bad_input_exits_2_with_a_message_and_no_traceback(
    tmp_path: Path, case: str, message: str
) -> None:
    column = "views"
    if case == "missing file":
        path = tmp_path / "absent.csv"
    elif case == "missing column":
        path, column = write_csv(tmp_path / "c.csv", [1.0, 2.0]), "nope"
    elif case == "non-numeric":
        path = write_csv(tmp_path / "n.csv", [1.0, 2.0, "lots"])
    else:
        path = write_csv(tmp_path / "s.csv", weekly_series(100))
    result = run_cli(
        "--csv",
        str(path),
        "--column",
        column,
        "--date-column",
        "ts",
        "--out",
        str(tmp_path / "out"),
    )
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_cli_help_says_what_happens_to_missing_and_non_numeric_values() -> None:
    result = run_cli("--help")
    text = " ".join(result.stdout.split())
    assert result.returncode == 0
    assert "empty cells or NA, N/A, NaN, null, None in the value column are missing days" in text
    assert "Any other value that is not a number" in text and "exit code 2" in text


def test_report_counts_one_missing_day_in_the_singular(short_series, tmp_path: Path) -> None:
    values: list = list(weekly_series(SHORT_DAYS))
    values[10] = ""
    series = read_series(write_csv(tmp_path / "gap.csv", values), "views", "ts")
    settings = RunSettings(seed=0, quick=True, out=None, unit="views", show_progress=False)
    first_line = run(series, settings).report.splitlines()[2]
    assert "1 day missing" in first_line and "days missing" not in first_line
    assert "years" not in run(short_series, settings).report


def test_cli_needs_a_column_with_a_csv(tmp_path: Path) -> None:
    result = run_cli("--csv", str(tmp_path / "x.csv"))
    assert result.returncode == 2 and "--csv needs --column NAME" in result.stderr


# --- backprop.py ------------------------------------------------------------------------------


def test_backprop_forward_matches_the_slides() -> None:
    net = backprop.Network(backprop.SLIDE_INPUT)
    for a, slide in zip(net.a, backprop.SLIDE_ACTIVATIONS):
        np.testing.assert_allclose(a.data, slide, atol=0.005)
    np.testing.assert_allclose(backprop.Network(np.zeros(2)).a[-1].data, (0.51, 0.85), atol=0.005)


def test_backprop_engine_hand_and_finite_differences_agree() -> None:
    net = backprop.Network(backprop.SLIDE_INPUT)
    net.cost.backward()
    zs = [z.data for z in net.z]
    by_hand = backprop.reverse_network(zs, net.a[-1].data)
    numeric = backprop.finite_differences(zs)
    for z, hand, fd in zip(net.z, by_hand, numeric):
        np.testing.assert_allclose(z.grad, hand, rtol=1e-12)
        np.testing.assert_allclose(z.grad, fd, atol=1e-8)
    # the last layer by hand: dC/dz3 = sigmoid'(z3) * (y - t), t = (1, 0)
    y = net.a[-1].data
    np.testing.assert_allclose(net.z[-1].grad, y * (1 - y) * (y - [1.0, 0.0]), rtol=1e-12)
    assert abs(net.z[-1].grad[1]) > 0.1  # not a vacuous comparison of zeros


def test_backprop_main_reports_success(capsys: pytest.CaptureFixture[str]) -> None:
    assert backprop.main(["--no-draw"]) == 0
    assert "all checks pass" in capsys.readouterr().out


# --- piecewise.py -----------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["hard sigmoid", "sigmoid"])
def test_piecewise_fit_improves_as_pieces_are_added(kind: str) -> None:
    x = np.linspace(*piecewise.X_RANGE, 121)
    y = piecewise.curve(x)
    errors = [piecewise.fit(pieces, kind, x, y, seed=0)[1] for pieces in (1, 8)]
    variance = float(np.var(y))
    assert errors[0] > 0.2 * variance  # one piece cannot follow the bends
    assert errors[1] < 0.01 * variance  # eight can
