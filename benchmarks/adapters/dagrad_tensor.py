"""dagrad's tensor engine on T1, T2 and T3, written with ``autograd.Tensor`` directly."""

from __future__ import annotations

from importlib.metadata import version as _dist_version

import numpy as np

import nn.functional as F
from autograd import Tensor
from autograd.tensor_ops import linear

from ..workloads import TINY_ADD, TINY_MUL, TensorLayer

LABEL = "dagrad Tensor"


def version() -> str:
    return _dist_version("dagrad")


Batch = tuple[Tensor, np.ndarray, np.ndarray]  # inputs, targets, row indices


class MLP:
    """h @ W + b (dagrad's fused linear op, as PyTorch users write F.linear), ReLU but last,
    mean cross-entropy with F.cross_entropy (one fused op, as in PyTorch), SGD with momentum
    in PyTorch's convention, the update done in place on the parameters' arrays. Training
    steps call backward(retain_graph=False), PyTorch's default, which frees the graph during
    the pass."""

    def __init__(self, weights: list[TensorLayer], lr: float, momentum: float) -> None:
        # weights kept as (out, in), the layout of nn.Linear and F.linear; the workload's
        # (in, out) layout is restored at the edges (loss_and_grads, numpy_params)
        self.params = [
            Tensor(np.ascontiguousarray(a.T) if a.ndim == 2 else a.copy(), requires_grad=True)
            for layer in weights
            for a in layer
        ]
        self.bufs: list[np.ndarray | None] = [None] * len(self.params)
        self.lr, self.momentum = lr, momentum

    def prepare(self, x: np.ndarray, y: np.ndarray) -> Batch:
        return Tensor(x), y, np.arange(len(y))

    def _logits(self, x: Tensor) -> Tensor:
        h = x
        last = len(self.params) - 2
        for i in range(0, len(self.params), 2):
            h = linear(h, self.params[i], self.params[i + 1])
            if i != last:
                h = h.relu()
        return h

    def _loss(self, batch: Batch) -> Tensor:
        x, y, _ = batch
        return F.cross_entropy(self._logits(x), y)

    def loss_and_grads(self, batch: Batch) -> tuple[float, list[np.ndarray]]:
        for p in self.params:
            p.grad = None
        loss = self._loss(batch)
        loss.backward()
        return loss.item(), [_workload_layout(p.grad) for p in self.params]

    def step(self, batch: Batch) -> float:
        for p in self.params:
            p.grad = None  # before the forward pass, as optimizer.zero_grad() is used
        loss = self._loss(batch)
        loss.backward(retain_graph=False)  # PyTorch's default: free the graph as it goes
        for i, p in enumerate(self.params):
            buf = self.bufs[i]
            if buf is None:
                self.bufs[i] = buf = p.grad.copy()
            else:
                buf *= self.momentum
                buf += p.grad
            p.data -= self.lr * buf
        return loss.item()

    def predict(self, x: np.ndarray) -> np.ndarray:
        return np.argmax(self._logits(Tensor(x)).data, axis=1)

    def numpy_params(self) -> list[np.ndarray]:
        return [_workload_layout(p.data) for p in self.params]


def _workload_layout(a: np.ndarray) -> np.ndarray:
    """A weight back in the workload's (in, out) layout; a bias as it is."""
    return a.T if a.ndim == 2 else a


def tiny_chain(x0: np.ndarray, ops: list[str]) -> np.ndarray:
    """T3: the chain forward, sum, then backward; returns d sum / d x0."""
    x = Tensor(x0, requires_grad=True)
    h = x
    for op in ops:
        if op == "mul":
            h = h * TINY_MUL
        elif op == "add":
            h = h + TINY_ADD
        else:
            h = h.tanh()
    h.sum().backward()
    return x.grad
