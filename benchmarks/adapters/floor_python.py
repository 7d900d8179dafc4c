"""The scalar floor: S1, S2 and S3 with their backward passes written out by hand on Python
floats. No graph, no objects per number: what a scalar engine costs on top of this is its
overhead. The smoke test checks these gradients against dagrad's."""

from __future__ import annotations

import platform

from ..workloads import CHAIN_ADD, CHAIN_MUL, ScalarLayer

LABEL = "floor (pure Python)"


def version() -> str:
    return f"Python {platform.python_version()}"


class MoonsMLP:
    """S1's network (ReLU hidden layers, linear output), SVM loss + L2, hand-differentiated."""

    def __init__(
        self, weights: list[ScalarLayer], x: list[list[float]], y: list[float], alpha: float
    ) -> None:
        self.layers = [([row[:] for row in w], b[:]) for w, b in weights]
        self.x, self.y, self.alpha = x, y, alpha

    def _forward(self, xi: list[float]) -> list[list[float]]:
        """Activations of every layer for one example (the last: the pre-activation score)."""
        acts = [xi]
        last = len(self.layers) - 1
        for li, (rows, bias) in enumerate(self.layers):
            a = acts[-1]
            zs = []
            for row, b in zip(rows, bias):
                z = b
                for w, v in zip(row, a):
                    z += w * v
                zs.append(z if li == last or z > 0.0 else 0.0)
            acts.append(zs)
        return acts

    def loss_and_grads(self) -> tuple[float, list[float]]:
        grads = [([[0.0] * len(r) for r in rows], [0.0] * len(b)) for rows, b in self.layers]
        n = len(self.x)
        data_loss = 0.0
        for xi, yi in zip(self.x, self.y):
            acts = self._forward(xi)
            margin = 1.0 - yi * acts[-1][0]
            # dense on purpose, as an engine's backward is: no skipping of zero gradients
            active = margin > 0.0
            data_loss += margin if active else 0.0
            deltas = [-yi / n if active else 0.0]  # d loss / d score
            for li in range(len(self.layers) - 1, -1, -1):
                rows, _ = self.layers[li]
                g_rows, g_bias = grads[li]
                a = acts[li]
                back = [0.0] * len(a)
                for j, d in enumerate(deltas):
                    g_bias[j] += d
                    g_row, row = g_rows[j], rows[j]
                    for i, v in enumerate(a):
                        g_row[i] += d * v
                        back[i] += d * row[i]
                # the inputs of layer li are ReLU outputs, except the data itself
                deltas = [b if v > 0.0 else 0.0 for b, v in zip(back, a)] if li else []
        reg = 0.0
        flat = []
        for (rows, bias), (g_rows, g_bias) in zip(self.layers, grads):
            for row, b, g_row, gb in zip(rows, bias, g_rows, g_bias):
                for w, gw in zip(row, g_row):
                    reg += w * w
                    flat.append(gw + 2.0 * self.alpha * w)
                reg += b * b
                flat.append(gb + 2.0 * self.alpha * b)
        return data_loss / n + self.alpha * reg, flat

    def step(self, lr: float) -> float:
        loss, flat = self.loss_and_grads()
        it = iter(flat)
        for rows, bias in self.layers:
            for j, row in enumerate(rows):
                for i in range(len(row)):
                    row[i] -= lr * next(it)
                bias[j] -= lr * next(it)
        return loss

    def accuracy(self) -> float:
        hits = sum((self._forward(xi)[-1][0] > 0.0) == (yi > 0.0) for xi, yi in zip(self.x, self.y))
        return hits / len(self.x)

    def graph_nodes(self) -> int | None:
        return None  # no graph


def chain(links: int) -> float:
    """S2: x = x * CHAIN_MUL + CHAIN_ADD ``links`` times, then d(x_n)/d(x_0)."""
    x = 1.0
    for _ in range(links):
        x = x * CHAIN_MUL + CHAIN_ADD
    g = 1.0
    for _ in range(links):
        g *= CHAIN_MUL
    return g


class WideSum:
    """S3: sum(a_i * b_i); its gradient is (b, a)."""

    def __init__(self, a: list[float], b: list[float]) -> None:
        self.a, self.b = a, b
        self.total = sum(x * y for x, y in zip(a, b))

    def backward(self) -> None:
        g = 1.0
        self.grad_a = [g * y for y in self.b]
        self.grad_b = [g * x for x in self.a]

    def grads(self) -> tuple[list[float], list[float]]:
        return self.grad_a, self.grad_b
