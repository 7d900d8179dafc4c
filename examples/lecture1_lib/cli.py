"""Command line: which series to read, where the pictures go, the seed, and --quick."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from .experiment import QUICK_EPOCHS, RunSettings, run
from .series import MISSING_SPELLINGS, DailySeries, DataError, read_series
from .split import HISTORY_DAYS, MIN_TRAIN_DAYS, TEST_DAYS

SHIPPED_CSV = Path(__file__).resolve().parent.parent / "data" / "daily_peyton_manning.csv"
SHIPPED_COLUMN, SHIPPED_DATES = "y", "ts"
SHIPPED_UNIT = "ln views"  # the shipped column is the natural log of daily page views


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="lecture1.py",
        description=(
            "Lecture 1 of Hung-yi Lee's ML 2021, reproduced with dagrad: predict tomorrow's value "
            "of a daily series from its past 1, 7, 28 or 56 days with linear models and ReLU and "
            "sigmoid networks, and print the lecture's tables beside ours. Without --csv it runs "
            "on the shipped Wikipedia page views of 'Peyton Manning' (examples/data/SOURCE.md)."
        ),
        epilog=(
            "Your own file: comma-separated, one row per day, a header row. Absent dates and "
            f"empty cells or {MISSING_SPELLINGS} in the value column are missing days: they are "
            "filled by linear interpolation and serve as history only, never as a day to fit "
            "or to score. Any other value that is not a number, a missing file or column, or a "
            f"series shorter than {HISTORY_DAYS + MIN_TRAIN_DAYS + TEST_DAYS} days "
            f"({HISTORY_DAYS} of history, {MIN_TRAIN_DAYS} to train on, {TEST_DAYS} unseen) "
            "stops the run with a one-line message and exit code 2."
        ),
    )
    parser.add_argument("--csv", type=Path, metavar="PATH", help="a CSV file with a daily series")
    parser.add_argument("--column", metavar="NAME", help="the column with the values")
    parser.add_argument(
        "--date-column",
        metavar="NAME",
        help="a column of dates (YYYY-MM-DD); without it, rows are taken as consecutive days",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=Path("out/lecture1"),
        metavar="DIR",
        help="where the pictures and results.md go (default: out/lecture1)",
    )
    parser.add_argument("--seed", type=_seed, default=0, metavar="N", help="seed (default 0)")
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"{QUICK_EPOCHS} epochs per model instead of the full run: a check in seconds",
    )
    args = parser.parse_args(argv)
    if args.csv is None and (args.column or args.date_column):
        parser.error("--column and --date-column describe a file given with --csv")
    if args.csv is not None and not args.column:
        parser.error("--csv needs --column NAME: the column that holds the values")
    return args


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{value} is negative; seeds are 0 or more")
    return value


def load(args: argparse.Namespace) -> tuple[DailySeries, str, bool]:
    """The series, the unit to print its errors in, and whether it holds log page views."""
    if args.csv is None:
        return read_series(SHIPPED_CSV, SHIPPED_COLUMN, SHIPPED_DATES), SHIPPED_UNIT, True
    return read_series(args.csv, args.column, args.date_column), args.column, False


def main(argv: Sequence[str] | None = None, show_progress: bool = True) -> int:
    args = parse_args(argv)
    try:
        series, unit, log_views = load(args)
        settings = RunSettings(
            seed=args.seed,
            quick=args.quick,
            out=args.out,
            unit=unit,
            log_views=log_views,
            show_progress=show_progress,
        )
        outcome = run(series, settings)
    except DataError as err:
        print(f"lecture1.py: error: {err}", file=sys.stderr)
        return 2
    except OSError as err:  # e.g. --out names a file or a folder we may not write to
        print(f"lecture1.py: error: cannot write the results: {err}", file=sys.stderr)
        return 2
    print(outcome.report)
    return 0
