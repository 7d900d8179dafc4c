"""The scalar floor: S1-S3 with their backward passes written out by hand on Python floats. No
graph and no object per number: what a scalar engine costs on top of this is its overhead."""

from __future__ import annotations

import platform

from ..workloads import CHAIN_ADD, CHAIN_MUL, Moons, ScalarLayer


class S1:
    """S1's network (ReLU hidden layers, linear output), SVM loss + L2, differentiated by hand."""

    def __init__(self, weights: list[ScalarLayer], x: list[list[float]], y: list[float]) -> None:
        self.layers = [([row[:] for row in w], b[:]) for w, b in weights]
        self.x, self.y, self.alpha = x, y, Moons().alpha

    def _forward(self, xi: list[float]) -> list[list[float]]:
        """Every layer's activations for one example (the last: the score)."""
        acts = [xi]
        for li, (rows, bias) in enumerate(self.layers):
            zs = []
            for row, z in zip(rows, bias):
                for w, v in zip(row, acts[-1]):
                    z += w * v
                zs.append(z if li == len(self.layers) - 1 or z > 0.0 else 0.0)
            acts.append(zs)
        return acts

    def loss_and_grads(self) -> tuple[float, list[float]]:
        grads = [([[0.0] * len(r) for r in rows], [0.0] * len(b)) for rows, b in self.layers]
        n, data_loss, hits = len(self.x), 0.0, 0
        for xi, yi in zip(self.x, self.y):
            acts = self._forward(xi)
            hits += (acts[-1][0] > 0.0) == (yi > 0.0)
            margin = 1.0 - yi * acts[-1][0]
            active = margin > 0.0  # dense on purpose, as an engine's backward: no skipping zeros
            data_loss += margin if active else 0.0
            deltas = [-yi / n if active else 0.0]
            for li in range(len(self.layers) - 1, -1, -1):
                (rows, _), (g_rows, g_bias), a = self.layers[li], grads[li], acts[li]
                back = [0.0] * len(a)
                for j, d in enumerate(deltas):
                    g_bias[j] += d
                    g_row, row = g_rows[j], rows[j]
                    for i, v in enumerate(a):
                        g_row[i] += d * v
                        back[i] += d * row[i]
                deltas = [b if v > 0.0 else 0.0 for b, v in zip(back, a)] if li else []
        reg, flat = 0.0, []
        for (rows, bias), (g_rows, g_bias) in zip(self.layers, grads):
            for row, b, g_row, gb in zip(rows, bias, g_rows, g_bias):
                for w, gw in zip(row, g_row):
                    reg += w * w
                    flat.append(gw + 2.0 * self.alpha * w)
                reg += b * b
                flat.append(gb + 2.0 * self.alpha * b)
        self.last_accuracy = hits / n
        return data_loss / n + self.alpha * reg, flat

    def step(self, lr: float) -> tuple[float, float]:
        """One SGD step: the loss and the accuracy before it."""
        loss, flat = self.loss_and_grads()
        grads = iter(flat)
        for rows, bias in self.layers:
            for j, row in enumerate(rows):
                for i in range(len(row)):
                    row[i] -= lr * next(grads)
                bias[j] -= lr * next(grads)
        return loss, self.last_accuracy

    def accuracy(self) -> float:
        hits = [(self._forward(xi)[-1][0] > 0.0) == (yi > 0.0) for xi, yi in zip(self.x, self.y)]
        return sum(hits) / len(hits)


class Wide:
    """S3: sum(a_i * b_i); its gradient is (b, a)."""

    def __init__(self, a: list[float], b: list[float]) -> None:
        self.a, self.b = a, b
        self.total = sum(x * y for x, y in zip(a, b))

    def backward(self) -> None:
        self.grad_a, self.grad_b = [1.0 * y for y in self.b], [1.0 * x for x in self.a]

    def grads(self) -> list[list[float]]:
        return [self.grad_a, self.grad_b]


class Floor:
    label = "floor (pure Python)"
    version = f"Python {platform.python_version()}"
    workloads = ("S1", "S2", "S3")
    s1, wide = S1, Wide

    @staticmethod
    def chain(links: int) -> float:
        """S2: the chain forward, then d(x_n)/d(x_0) = CHAIN_MUL ** links, one product a link."""
        x = 1.0
        for _ in range(links):
            x = x * CHAIN_MUL + CHAIN_ADD
        g = 1.0
        for _ in range(links):
            g *= CHAIN_MUL
        return g


ENGINES = {"floor_python": Floor()}
