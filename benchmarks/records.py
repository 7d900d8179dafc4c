"""One measured result: what every suite produces, the report prints and the JSON holds."""

from __future__ import annotations

import statistics
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np


@dataclass
class Record:
    """One engine on one case of one workload: the median of its timed runs (seconds per run:
    a step, an epoch, a chain), or why it did not run. A run does ``per`` units (nodes, ops);
    ``scale`` turns seconds per unit into ``unit``."""

    workload: str
    case: str
    engine: str
    label: str
    unit: str
    scale: float
    per: int = 1
    timing: dict[str, Any] | None = None
    error: str | None = None  # "did not run: ..." or "not available: ..."
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def seconds(self) -> float | None:
        return None if self.timing is None else float(self.timing["median_s"])

    @property
    def value(self) -> float | None:
        """The median in the record's unit (ms/step, ns/node, ...)."""
        s = self.seconds
        return None if s is None else s / self.per * self.scale

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def record(
    case: tuple[str, str, str, float, int], name: str, engine: Any, result: Any, **extra: Any
) -> Record:
    """A Record of engine ``name`` for ``case`` = (workload, case, unit, scale, per) from a list
    of run times, an exception the run raised, or a reason it could not run (a string).
    ``engine`` gives the label and version (or is the label)."""
    workload, case_name, unit, scale, per = case
    label = engine if isinstance(engine, str) else f"{engine.label} {engine.version}"
    r = Record(workload, case_name, name, label, unit, scale, per, extra=extra)
    if isinstance(result, list):
        r.timing = {"median_s": statistics.median(result), "min_s": min(result), "runs_s": result}
    elif isinstance(result, str):
        r.error = result
    else:  # a RecursionError's message is only noise
        why = "" if isinstance(result, RecursionError) else f": {result}"
        r.error = f"did not run: {type(result).__name__}{why}"
    return r


def relative_error(got: Any, want: Any) -> float:
    """Largest absolute difference, relative to the largest magnitude of ``want``."""
    g = np.concatenate([np.ravel(np.asarray(a, dtype=np.float64)) for a in got])
    w = np.concatenate([np.ravel(np.asarray(a, dtype=np.float64)) for a in want])
    if g.shape != w.shape:
        return float("inf")
    return float(np.max(np.abs(g - w)) / max(float(np.max(np.abs(w))), 1e-300))
