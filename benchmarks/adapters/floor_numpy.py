"""The tensor floor: the MLP of T1/T2 and the tiny-op chain of T3 with forward and backward
written out in plain NumPy. What an engine costs on top of this is its overhead. The smoke test
checks these gradients against dagrad's."""

from __future__ import annotations

import numpy as np

from ..workloads import TINY_ADD, TINY_MUL, TensorLayer

LABEL = "floor (NumPy)"


def version() -> str:
    return f"NumPy {np.__version__}"


Batch = tuple[np.ndarray, np.ndarray, np.ndarray]  # inputs, targets, row indices


class MLP:
    """h @ W + b, ReLU but last, mean softmax cross-entropy, SGD with momentum (PyTorch's
    convention: buf = momentum * buf + grad; p -= lr * buf)."""

    def __init__(self, weights: list[TensorLayer], lr: float, momentum: float) -> None:
        self.params = [a.copy() for layer in weights for a in layer]
        self.bufs: list[np.ndarray | None] = [None] * len(self.params)
        self.lr, self.momentum = lr, momentum

    def prepare(self, x: np.ndarray, y: np.ndarray) -> Batch:
        return x, y, np.arange(len(y))

    def loss_and_grads(self, batch: Batch) -> tuple[float, list[np.ndarray]]:
        x, y, rows = batch
        weights, biases = self.params[0::2], self.params[1::2]
        acts = [x]  # the input of each layer
        for w, b in zip(weights[:-1], biases[:-1]):
            acts.append(np.maximum(acts[-1] @ w + b, 0))
        logits = acts[-1] @ weights[-1] + biases[-1]
        shifted = logits - logits.max(axis=1, keepdims=True)
        e = np.exp(shifted)
        total = e.sum(axis=1, keepdims=True)
        loss = float(np.log(total[:, 0]).mean() - shifted[rows, y].mean())
        # d loss / d logits = (softmax - onehot) / batch
        delta = e / total
        delta[rows, y] -= 1.0
        delta /= len(y)
        grads: list[np.ndarray] = []
        for i in range(len(weights) - 1, -1, -1):
            grads.append(delta.sum(axis=0))
            grads.append(acts[i].T @ delta)
            if i:
                delta = delta @ weights[i].T
                delta *= acts[i] > 0
        grads.reverse()  # now W0, b0, W1, b1, ...
        return loss, grads

    def step(self, batch: Batch) -> float:
        loss, grads = self.loss_and_grads(batch)
        for i, (p, g) in enumerate(zip(self.params, grads)):
            buf = self.bufs[i]
            if buf is None:
                self.bufs[i] = buf = g.copy()
            else:
                buf *= self.momentum
                buf += g
            p -= self.lr * buf
        return loss

    def predict(self, x: np.ndarray) -> np.ndarray:
        h = x
        weights, biases = self.params[0::2], self.params[1::2]
        for w, b in zip(weights[:-1], biases[:-1]):
            h = np.maximum(h @ w + b, 0)
        return np.argmax(h @ weights[-1] + biases[-1], axis=1)

    def numpy_params(self) -> list[np.ndarray]:
        return self.params


def tiny_chain(x0: np.ndarray, ops: list[str]) -> np.ndarray:
    """T3: the chain forward, sum, then backward; returns d sum / d x0."""
    h = x0
    saved = []  # tanh outputs, for its backward
    for op in ops:
        if op == "mul":
            h = h * TINY_MUL
        elif op == "add":
            h = h + TINY_ADD
        else:
            h = np.tanh(h)
            saved.append(h)
    h.sum()
    g = np.ones_like(h)
    for op in reversed(ops):
        if op == "mul":
            g = g * TINY_MUL
        elif op == "tanh":
            out = saved.pop()
            g = g * (1.0 - out * out)
    return g
