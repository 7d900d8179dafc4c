"""dagrad's scalar engine on S1, S2 and S3 written as micrograd's demo is: one node per
addition and per product (``sum(w * x ...)``, Python's ``sum()``). The same numbers as
dagrad_value, which builds each neuron as one ``value_dot`` node; this row shows what the engine
costs per elementary op."""

from __future__ import annotations

from importlib.metadata import version as _dist_version
from typing import cast

from autograd import Value
from autograd.graph import iter_graph

from ..workloads import CHAIN_ADD, CHAIN_MUL, ScalarLayer

LABEL = "dagrad Value, per op"


def version() -> str:
    return _dist_version("dagrad")


class MoonsMLP:
    """S1 as in micrograd's demo: each neuron is sum(w_i * x_i, start=b)."""

    def __init__(
        self, weights: list[ScalarLayer], x: list[list[float]], y: list[float], alpha: float
    ) -> None:
        self.layers = [
            ([[Value(w) for w in row] for row in rows], [Value(b) for b in bias])
            for rows, bias in weights
        ]
        self.params = [
            p
            for rows, bias in self.layers
            for row, b in zip(rows, bias)
            for p in (*row, b)  # micrograd's order: a neuron's weights, then its bias
        ]
        self.x = [[Value(v, requires_grad=False) for v in row] for row in x]
        self.y, self.alpha = y, alpha

    def _score(self, xi: list[Value]) -> Value:
        a = xi
        last = len(self.layers) - 1
        for li, (rows, bias) in enumerate(self.layers):
            zs = [sum((w * v for w, v in zip(row, a)), b) for row, b in zip(rows, bias)]
            a = zs if li == last else [z.relu() for z in zs]
        return a[0]

    def _loss(self) -> Value:
        losses = [(1 + -yi * self._score(xi)).relu() for xi, yi in zip(self.x, self.y)]
        data_loss = sum(losses) * (1.0 / len(losses))
        return cast(Value, data_loss + self.alpha * sum(p * p for p in self.params))

    def loss_and_grads(self) -> tuple[float, list[float]]:
        for p in self.params:
            p.grad = 0.0
        loss = self._loss()
        loss.backward()
        return loss.data, [p.grad for p in self.params]

    def step(self, lr: float) -> float:
        for p in self.params:
            p.grad = 0.0
        loss = self._loss()
        loss.backward()
        for p in self.params:
            p.data -= lr * p.grad
        return loss.data

    def accuracy(self) -> float:
        hits = sum((self._score(xi).data > 0.0) == (yi > 0.0) for xi, yi in zip(self.x, self.y))
        return hits / len(self.x)

    def graph_nodes(self) -> int | None:
        return sum(1 for _ in iter_graph(self._loss()))


def chain(links: int) -> float:
    """S2: x = x * CHAIN_MUL + CHAIN_ADD ``links`` times, then d(x_n)/d(x_0)."""
    x0 = Value(1.0)
    x = x0
    for _ in range(links):
        x = x * CHAIN_MUL + CHAIN_ADD
    x.backward()
    return x0.grad


class WideSum:
    """S3: Python's sum() of a_i * b_i, as micrograd's users write it (dagrad_value: value_sum)."""

    def __init__(self, a: list[float], b: list[float]) -> None:
        self.a = [Value(v) for v in a]
        self.b = [Value(v) for v in b]
        self.total = cast(Value, sum(x * y for x, y in zip(self.a, self.b)))

    def backward(self) -> None:
        self.total.backward()

    def grads(self) -> tuple[list[float], list[float]]:
        return [v.grad for v in self.a], [v.grad for v in self.b]
