"""One measured result: the unit every suite produces, the report prints and the JSON holds."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from .timing import Timing


@dataclass
class Record:
    """The median time of one engine on one case of one workload.

    ``seconds`` is per timed run (a step, an epoch, a whole chain); ``per`` is how many units
    (nodes, ops) one run does, and ``scale`` turns seconds per unit into ``unit``.
    """

    workload: str
    case: str
    engine: str
    label: str
    unit: str
    scale: float
    per: int = 1
    timing: dict[str, Any] | None = None
    error: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def seconds(self) -> float | None:
        return None if self.timing is None else float(self.timing["median_s"])

    @property
    def value(self) -> float | None:
        """The median in the record's unit (e.g. ms/step, ns/node)."""
        s = self.seconds
        return None if s is None else s / self.per * self.scale

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Record:
        return cls(**d)


def timed(
    workload: str,
    case: str,
    engine: str,
    label: str,
    unit: str,
    scale: float,
    timing: Timing,
    per: int = 1,
    **extra: Any,
) -> Record:
    return Record(workload, case, engine, label, unit, scale, per, timing.as_dict(), None, extra)


def failed(
    workload: str, case: str, engine: str, label: str, unit: str, scale: float, error: str
) -> Record:
    return Record(workload, case, engine, label, unit, scale, error=error)


def relative_error(got: Any, want: Any) -> float:
    """Largest absolute difference, relative to the largest magnitude of ``want``."""
    g = np.concatenate([np.ravel(np.asarray(a, dtype=np.float64)) for a in got])
    w = np.concatenate([np.ravel(np.asarray(a, dtype=np.float64)) for a in want])
    if g.shape != w.shape:
        return float("inf")
    return float(np.max(np.abs(g - w)) / max(float(np.max(np.abs(w))), 1e-300))


def size_label(n: int) -> str:
    """1000000 -> '1e6'; other numbers as they are."""
    exponent = len(str(n)) - 1
    return f"1e{exponent}" if n == 10**exponent and n >= 1000 else str(n)


def from_timings(
    workload: str,
    case: str,
    labels: dict[str, str],
    timings: dict[str, Any],
    unit: str,
    scale: float,
    per: int = 1,
    extra: Callable[[str, Timing], dict[str, Any]] | None = None,
) -> list[Record]:
    """A record per engine from measure_interleaved's result: timed, or failed with the name
    of the exception its run raised (and its message, unless it is a RecursionError's)."""
    out = []
    for name, timing in timings.items():
        if isinstance(timing, Timing):
            more = extra(name, timing) if extra else {}
            out.append(timed(workload, case, name, labels[name], unit, scale, timing, per, **more))
        else:
            why = type(timing).__name__
            if not isinstance(timing, RecursionError):
                why += f": {timing}"
            out.append(failed(workload, case, name, labels[name], unit, scale, why))
    return out
