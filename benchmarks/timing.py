"""Warm-up, then the median of repeated runs: the one way every workload is timed."""

from __future__ import annotations

import gc
import random
import time
from collections.abc import Callable, Mapping
from typing import Any

Run = Callable[[Any], object]


def measure(run: Run, *, warmup: int, repeats: int) -> list[float]:
    """Seconds of each of ``repeats`` calls ``run(None)`` after ``warmup`` untimed ones."""
    return measure_interleaved({"": run}, warmup=warmup, repeats=repeats)[""]  # type: ignore[return-value]


def measure_interleaved(
    runs: Mapping[str, Run],
    *,
    warmup: int,
    repeats: dict[str, int] | int,
    setups: Mapping[str, Callable[[], Any]] | None = None,
    settle: int = 0,
    collect: bool = False,
) -> dict[str, list[float] | Exception]:
    """Time several engines taking turns: round k runs each once, in a shuffled (seeded) order,
    so a burst of load from elsewhere on this shared machine hits them all alike and their
    ratios hold.

    ``setups[name]()`` (untimed) makes what one run consumes, e.g. a graph whose backward pass
    is timed. Each turn first makes ``settle`` untimed runs: they wake the engine's own thread
    pool and let the previous engine's spinning BLAS/OpenMP threads go idle, which would
    otherwise steal the cores. ``collect`` runs the garbage collector before each turn, so no
    engine pays for another's reference cycles (micrograd leaves a graph of them per step).
    An engine whose run raises (micrograd's RecursionError) gets the exception and no more turns.
    """
    want = repeats if isinstance(repeats, dict) else dict.fromkeys(runs, repeats)
    times: dict[str, list[float]] = {name: [] for name in runs}
    failed: dict[str, Exception] = {}
    order = list(runs)
    for k in range(warmup + max(want.values())):
        random.Random(k).shuffle(order)
        for name in order:
            if name in failed or k >= warmup + want[name]:
                continue
            if collect:
                gc.collect()
            try:
                for _ in range(settle):
                    runs[name](setups[name]() if setups else None)
                arg = setups[name]() if setups else None
                start = time.perf_counter()
                runs[name](arg)
                elapsed = time.perf_counter() - start
                del arg  # free the consumed input (a graph, say) before the next turn
            except Exception as err:  # reported in the table, never fatal to the others
                failed[name] = err
                continue
            if k >= warmup:
                times[name].append(elapsed)
    return {name: failed.get(name) or times[name] for name in runs}
