"""Warm-up, then the median of repeated runs: the one way every workload is timed."""

from __future__ import annotations

import gc
import random
import statistics
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Timing:
    """Wall-clock seconds of each timed run (warm-up runs excluded)."""

    runs: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.runs)

    @property
    def best(self) -> float:
        return min(self.runs)

    def as_dict(self) -> dict[str, Any]:
        return {"median_s": self.median, "min_s": self.best, "runs_s": list(self.runs)}


def measure(
    run: Callable[[Any], object],
    *,
    warmup: int,
    repeats: int,
    setup: Callable[[], Any] | None = None,
) -> Timing:
    """Time ``run(setup())`` ``repeats`` times after ``warmup`` untimed calls.

    ``setup`` (untimed) builds what one run consumes, e.g. a fresh graph whose backward pass is
    the thing being timed; without it ``run`` gets None.
    """
    if repeats < 1:
        raise ValueError(f"measure(): repeats must be at least 1, got {repeats}")
    clock = time.perf_counter
    runs = []
    for i in range(warmup + repeats):
        arg = setup() if setup is not None else None
        start = clock()
        run(arg)
        elapsed = clock() - start
        del arg  # free the consumed input before the next setup, outside the timed region
        if i >= warmup:
            runs.append(elapsed)
    return Timing(tuple(runs))


def measure_interleaved(
    runs: Mapping[str, Callable[[Any], object]],
    *,
    warmup: int,
    repeats: dict[str, int] | int,
    setups: Mapping[str, Callable[[], Any]] | None = None,
    settle: int = 0,
    collect: bool = False,
) -> dict[str, Timing | Exception]:
    """``measure`` for several engines at once, taking turns: round k runs each engine once, in
    a shuffled order (seeded, so runs repeat), so that a burst of load from elsewhere on this
    shared machine hits them all alike and their ratios hold.

    Each turn may first make ``settle`` untimed runs: they bring the engine's own thread pool
    back up and let the previous engine's spinning BLAS/OpenMP threads go idle, which would
    otherwise steal the cores (see README.md). ``collect`` runs the garbage collector before
    every turn, so that no engine pays for the reference cycles another left behind (micrograd
    leaves a whole graph of them per step); an engine then pays only for its own garbage, made
    by its settle runs. ``repeats`` may differ per engine. An engine whose run raises
    (micrograd's RecursionError, say) gets the exception instead of a Timing and takes no more
    turns.
    """
    want = repeats if isinstance(repeats, dict) else dict.fromkeys(runs, repeats)
    times: dict[str, list[float]] = {name: [] for name in runs}
    failed: dict[str, Exception] = {}
    order = list(runs)
    shuffle = random.Random(0).shuffle
    clock = time.perf_counter
    for k in range(warmup + max(want.values())):
        shuffle(order)
        for name in order:
            if name in failed or k >= warmup + want[name]:
                continue
            if collect:
                gc.collect()
            try:
                for _ in range(settle):
                    runs[name](setups[name]() if setups else None)
                arg = setups[name]() if setups else None
                start = clock()
                runs[name](arg)
                elapsed = clock() - start
                del arg  # free the consumed input (a graph, say) before the next turn
            except Exception as err:  # reported in the table, never fatal to the other engines
                failed[name] = err
                continue
            if k >= warmup:
                times[name].append(elapsed)
    return {name: failed.get(name) or Timing(tuple(times[name])) for name in runs}
