"""dagrad's scalar engine with Python's cycle collector paused around each timed call, through
``autograd.gc_paused``: the engine's documented setting for scalar training loops. It is safe for
dagrad (its graphs hold no reference cycles, so reference counting frees every graph) and changes
no number; it is not available to micrograd, whose graphs are cycles that only the collector
frees. The same code as dagrad_value_per_op otherwise (one node per elementary op, where the
collector costs most), so the two rows differ only by the collector."""

from __future__ import annotations

from autograd import gc_paused

from . import dagrad_value_per_op as _plain

LABEL = "dagrad Value, per op, gc_paused"
version = _plain.version


class MoonsMLP(_plain.MoonsMLP):
    @gc_paused()
    def loss_and_grads(self) -> tuple[float, list[float]]:
        return super().loss_and_grads()

    @gc_paused()
    def step(self, lr: float) -> float:
        return super().step(lr)


@gc_paused()
def chain(links: int) -> float:
    return _plain.chain(links)


class WideSum(_plain.WideSum):
    @gc_paused()
    def __init__(self, a: list[float], b: list[float]) -> None:
        super().__init__(a, b)

    @gc_paused()
    def backward(self) -> None:
        super().backward()
