"""MyGrad on T1, T2 and T3: its matmul, relu and softmax_crossentropy; SGD with momentum
written out on the parameters' arrays (MyGrad has no optimizers)."""

from __future__ import annotations

from importlib.metadata import version as _dist_version
from typing import Any

import mygrad as mg
import numpy as np
from mygrad.nnet.activations import relu
from mygrad.nnet.losses import softmax_crossentropy

from ..workloads import TINY_ADD, TINY_MUL, TensorLayer

LABEL = "MyGrad"


def version() -> str:
    return _dist_version("mygrad")


Batch = tuple[np.ndarray, np.ndarray]


class MLP:
    def __init__(self, weights: list[TensorLayer], lr: float, momentum: float) -> None:
        self.params = [mg.tensor(a.copy()) for layer in weights for a in layer]
        self.bufs: list[np.ndarray | None] = [None] * len(self.params)
        self.lr, self.momentum = lr, momentum

    def prepare(self, x: np.ndarray, y: np.ndarray) -> Batch:
        return x, y

    def _logits(self, x: np.ndarray) -> mg.Tensor:
        h: Any = x
        last = len(self.params) - 2
        for i in range(0, len(self.params), 2):
            h = mg.matmul(h, self.params[i]) + self.params[i + 1]
            if i != last:
                h = relu(h)
        return h

    def loss_and_grads(self, batch: Batch) -> tuple[float, list[np.ndarray]]:
        loss = softmax_crossentropy(self._logits(batch[0]), batch[1])
        loss.backward()
        return loss.item(), [np.array(p.grad) for p in self.params]

    def step(self, batch: Batch) -> float:
        loss = softmax_crossentropy(self._logits(batch[0]), batch[1])
        loss.backward()  # also clears MyGrad's graph, which unlocks the parameters' arrays
        for i, p in enumerate(self.params):
            buf = self.bufs[i]
            if buf is None:
                self.bufs[i] = buf = np.array(p.grad)
            else:
                buf *= self.momentum
                buf += p.grad
            p.data -= self.lr * buf
        return loss.item()

    def predict(self, x: np.ndarray) -> np.ndarray:
        with mg.no_autodiff:
            return np.argmax(np.asarray(self._logits(x)), axis=1)

    def numpy_params(self) -> list[np.ndarray]:
        return [p.data for p in self.params]


def tiny_chain(x0: np.ndarray, ops: list[str]) -> np.ndarray:
    x = mg.tensor(x0.copy())
    h = x
    for op in ops:
        if op == "mul":
            h = h * TINY_MUL
        elif op == "add":
            h = h + TINY_ADD
        else:
            h = mg.tanh(h)
    h.sum().backward()
    return np.asarray(x.grad)
