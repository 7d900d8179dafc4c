"""gc_paused(): train scalar graphs without paying for Python's cycle collector.

A dagrad graph holds no reference cycles (a node refers only to its inputs, never to itself or
its consumers), so reference counting frees every graph the moment its output is dropped. The
cycle collector still scans every live node from time to time, and a scalar training step keeps
tens of thousands of Values alive: CPython 3.11 then runs a full collection about once per step,
which can take most of the step's time. Pausing the collector around a training loop is therefore
safe for dagrad's own objects; cycles the user's code creates meanwhile are collected when the
block ends.
"""

from __future__ import annotations

import gc

from .modes import FreshInstanceDecorator


class gc_paused(FreshInstanceDecorator):  # noqa: N801 - used like no_grad
    """Context manager and decorator: the cycle collector is off inside, restored after."""

    def __init__(self) -> None:
        self._was_enabled: list[bool] = []

    def __enter__(self) -> gc_paused:
        self._was_enabled.append(gc.isenabled())
        gc.disable()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._was_enabled.pop():
            gc.enable()
