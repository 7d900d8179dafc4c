"""Read one daily series from a CSV file and check it, with errors a user can act on."""

from __future__ import annotations

import csv
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import numpy as np

# spellings of "no value here" that spreadsheets and pandas write (compared in lower case)
MISSING_CELLS = frozenset({"", "na", "n/a", "nan", "null", "none"})
MISSING_SPELLINGS = "NA, N/A, NaN, null, None"


class DataError(ValueError):
    """The input data cannot be used; the message names what is wrong and is shown as it is."""


@dataclass(frozen=True)
class DailySeries:
    """One value per calendar day, oldest first.

    ``observed[i]`` is False where day i was absent from the file (a gap in the dates or an empty
    cell) and was filled by linear interpolation: such days may serve as history but are never
    used as a target to fit or to score.
    """

    values: np.ndarray
    observed: np.ndarray
    first_date: date | None  # None: the file has no date column, rows are consecutive days
    column: str
    source: str

    def __len__(self) -> int:
        return len(self.values)

    def label(self, day: int) -> str:
        """A day's date (or its row number when the file has no dates), for tables and plots."""
        if self.first_date is None:
            return f"day {day}"
        return date.fromordinal(self.first_date.toordinal() + day).isoformat()


def read_series(path: Path, column: str, date_column: str | None = None) -> DailySeries:
    """Load ``column`` (and optionally ``date_column``) from the CSV file at ``path``."""
    rows = _read_rows(path, column, date_column)
    values = [_parse_number(row[column], column, f"{path}, line {line}") for line, row in rows]
    if date_column is None:
        days = list(range(len(values)))
        first = None
    else:
        dates = [
            _parse_date(row[date_column], date_column, f"{path}, line {line}") for line, row in rows
        ]
        days, first = _days_since_first(dates, date_column, path)
    return _on_calendar(values, days, first, column, str(path))


def _read_rows(path: Path, column: str, date_column: str | None) -> list[tuple[int, dict]]:
    """The file's data rows as (line number, {column: cell}), after checking the header."""
    if not path.exists():
        raise DataError(f"no such file: {path}")
    if not path.is_file():
        raise DataError(f"not a file: {path}")
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            header = reader.fieldnames or []
            for wanted, option in ((column, "--column"), (date_column, "--date-column")):
                if wanted is not None and wanted not in header:
                    found = ", ".join(repr(name) for name in header) or "none (empty file)"
                    raise DataError(
                        f"{path}: no column {wanted!r} (given by {option}); "
                        f"the columns are: {found}{_separator_hint(header)}"
                    )
            # the header is line 1, so data row k sits on line k + 1 (no quoted newlines here)
            return [(line, row) for line, row in enumerate(reader, start=2)]
    except UnicodeDecodeError as err:
        raise DataError(f"{path}: not a UTF-8 text file ({err.reason})") from None
    except OSError as err:
        raise DataError(f"cannot read {path}: {err.strerror}") from None
    except csv.Error as err:
        raise DataError(f"{path}: not a readable CSV file ({err})") from None


def _separator_hint(header: Sequence[str]) -> str:
    """A hint when the header is one cell holding another separator: a file written with ';'
    (spreadsheets in many locales) or tabs reads as a single column."""
    if len(header) != 1:
        return ""
    for separator, name in ((";", "semicolons"), ("\t", "tabs")):
        if separator in header[0]:
            return (
                f". The header is one cell with {name} in it: the file seems to separate its "
                "values with " + name + ", and this script reads comma-separated files; "
                "save it as CSV with commas"
            )
    return ""


def _parse_number(cell: str | None, column: str, where: str) -> float:
    """A cell's number; NaN for an empty or NA cell (a missing day, see DailySeries)."""
    if cell is None:  # the row has fewer cells than the header
        raise DataError(f"{where}: the row has no cell for column {column!r}")
    text = cell.strip()
    if text.lower() in MISSING_CELLS:
        return math.nan
    try:
        number = float(text)
    except ValueError:
        raise DataError(
            f"{where}: column {column!r} holds {text!r}, not a number (empty cells and "
            f"{MISSING_SPELLINGS} count as missing days)"
        ) from None
    if math.isinf(number):
        raise DataError(f"{where}: column {column!r} holds {text!r}, not a finite number")
    return number


def _parse_date(cell: str | None, column: str, where: str) -> date:
    text = (cell or "").strip()
    try:
        return datetime.fromisoformat(text).date()
    except ValueError:
        raise DataError(
            f"{where}: column {column!r} holds {text!r}, not a date like 2021-01-31"
        ) from None


def _days_since_first(dates: list[date], column: str, path: Path) -> tuple[list[int], date | None]:
    """Each row's day number counted from the earliest date; rows may come in any order."""
    if not dates:
        return [], None
    seen: set[date] = set()
    for day in dates:
        if day in seen:
            raise DataError(f"{path}: column {column!r}: the date {day.isoformat()} appears twice")
        seen.add(day)
    first = min(dates)
    return [d.toordinal() - first.toordinal() for d in dates], first


def _on_calendar(
    values: list[float], days: list[int], first: date | None, column: str, source: str
) -> DailySeries:
    """Place the values on a gap-free calendar; fill inner gaps, drop missing days at the ends."""
    if not values:
        raise DataError(f"{source}: the file has a header but no data rows")
    calendar = np.full(max(days) + 1, np.nan)
    calendar[days] = values
    observed = ~np.isnan(calendar)
    if not observed.any():
        raise DataError(f"{source}: column {column!r} has no numbers, only empty cells")
    start, stop = np.flatnonzero(observed)[[0, -1]]
    calendar, observed = calendar[start : stop + 1], observed[start : stop + 1]
    known = np.flatnonzero(observed)
    filled = np.interp(np.arange(len(calendar)), known, calendar[known])
    if first is not None:
        first = date.fromordinal(first.toordinal() + int(start))
    return DailySeries(filled, observed, first, column, source)
