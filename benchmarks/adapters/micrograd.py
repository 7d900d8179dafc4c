"""micrograd (Karpathy's, from PyPI) on S1, S2 and S3, written as in its demo notebook."""

from __future__ import annotations

from importlib.metadata import version as _dist_version

from micrograd.engine import Value

from ..workloads import CHAIN_ADD, CHAIN_MUL, ScalarLayer

LABEL = "micrograd"


def version() -> str:
    return _dist_version("micrograd")


class MoonsMLP:
    """S1: micrograd's MLP(2, [16, 16, 1]) with the shared initial weights copied in."""

    def __init__(
        self, weights: list[ScalarLayer], x: list[list[float]], y: list[float], alpha: float
    ) -> None:
        from micrograd.nn import MLP

        sizes = [len(weights[0][0][0])] + [len(bias) for _, bias in weights]
        self.model = MLP(sizes[0], sizes[1:])
        flat = [v for rows, bias in weights for row, b in zip(rows, bias) for v in (*row, b)]
        self.params = self.model.parameters()
        for p, v in zip(self.params, flat, strict=True):
            p.data = v
        self.x = [[Value(v) for v in row] for row in x]
        self.y, self.alpha = y, alpha

    def _loss(self) -> Value:
        scores = [self.model(xi) for xi in self.x]
        losses = [(1 + -yi * si).relu() for yi, si in zip(self.y, scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        return data_loss + self.alpha * sum(p * p for p in self.params)

    def loss_and_grads(self) -> tuple[float, list[float]]:
        self.model.zero_grad()
        loss = self._loss()
        loss.backward()
        return loss.data, [p.grad for p in self.params]

    def step(self, lr: float) -> float:
        loss = self._loss()
        self.model.zero_grad()
        loss.backward()
        for p in self.params:
            p.data -= lr * p.grad
        return loss.data

    def accuracy(self) -> float:
        hits = sum((self.model(xi).data > 0) == (yi > 0) for xi, yi in zip(self.x, self.y))
        return hits / len(self.x)

    def graph_nodes(self) -> int | None:
        root = self._loss()
        seen, stack = {root}, [root]
        while stack:  # micrograd's own walk is recursive: count without it
            for parent in stack.pop()._prev:
                if parent not in seen:
                    seen.add(parent)
                    stack.append(parent)
        return len(seen)


def chain(links: int) -> float:
    x0 = Value(1.0)
    x = x0
    for _ in range(links):
        x = x * CHAIN_MUL + CHAIN_ADD
    x.backward()
    return x0.grad


class WideSum:
    def __init__(self, a: list[float], b: list[float]) -> None:
        self.a = [Value(v) for v in a]
        self.b = [Value(v) for v in b]
        self.total = sum(x * y for x, y in zip(self.a, self.b))

    def backward(self) -> None:
        self.total.backward()

    def grads(self) -> tuple[list[float], list[float]]:
        return [v.grad for v in self.a], [v.grad for v in self.b]
