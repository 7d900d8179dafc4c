"""The tensor floor: T1-T3 and T5 written out by hand in NumPy, as a careful person writes them:
one matmul per product, no gradient for the input batch, updates in place (``out=``) into
buffers made once. What an engine costs on top of this is its overhead.

``SGD``, ``Adam`` and ``ArrayTrainer`` also serve the engines that have no optimizers or modules
of their own (MyGrad, HIPS autograd, dagrad's hand-tuned reference row).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..workloads import CNN, MOMENTUM, TINY_ADD, TINY_MUL, Net

Arrays = list[np.ndarray]


class SGD:
    """PyTorch's SGD with momentum, in place: b = momentum * b + g; p -= lr * b."""

    def __init__(self, params: Arrays, lr: float) -> None:
        self.params, self.lr = params, lr
        self.bufs: list[np.ndarray | None] = [None] * len(params)
        self.work = [np.empty_like(p) for p in params]

    def step(self, grads: Arrays) -> None:
        for i, (p, g, work) in enumerate(zip(self.params, grads, self.work)):
            buf = self.bufs[i]
            if buf is None:
                self.bufs[i] = buf = np.array(g)
            else:
                buf *= MOMENTUM
                buf += g
            p -= np.multiply(buf, self.lr, out=work)


class Adam:
    """PyTorch's Adam (betas 0.9, 0.999, eps 1e-8), in place, in optim.Adam's order of ops."""

    def __init__(self, params: Arrays, lr: float) -> None:
        self.params, self.lr, self.t = params, lr, 0
        self.m, self.v = [np.zeros_like(p) for p in params], [np.zeros_like(p) for p in params]
        self.work = [np.empty_like(p) for p in params]

    def step(self, grads: Arrays) -> None:
        self.t += 1
        size, root = self.lr / (1 - 0.9**self.t), (1 - 0.999**self.t) ** 0.5
        for p, g, m, v, work in zip(self.params, grads, self.m, self.v, self.work):
            m *= 0.9
            m += np.multiply(g, 1 - 0.9, out=work)
            v *= 0.999
            v += np.multiply(np.multiply(g, g, out=work), 1 - 0.999, out=work)
            np.sqrt(v, out=work)
            work /= root
            work += 1e-8
            np.divide(m, work, out=work)
            p -= np.multiply(work, size, out=work)


class ArrayTrainer:
    """Training on arrays: ``loss_and_grads(params, x, y)`` gives the loss and the gradients
    and SGD or Adam above updates ``arrays`` (the parameters' NumPy data) in place.
    ``wrap(x)`` turns an input batch into what the engine takes; ``export`` turns gradients
    into the workload's layout."""

    def __init__(
        self,
        net: Net,
        arrays: Arrays,
        loss_and_grads: Callable[..., tuple[float, Arrays]],
        logits: Callable[[Any, Any], Any],
        params: Any = None,
        wrap: Callable[[np.ndarray], Any] = lambda x: x,
        export: Callable[[Arrays], Arrays] = lambda grads: grads,
    ) -> None:
        self.params = arrays if params is None else params
        self.opt = (SGD if net.optimizer == "SGD" else Adam)(arrays, net.lr)
        self.f, self.logits, self.wrap, self.export, self.size = (
            loss_and_grads,
            logits,
            wrap,
            export,
            net.batch,
        )

    def loader(self, x: np.ndarray, y: np.ndarray) -> list[tuple[Any, np.ndarray]]:
        return [
            self.prepare(x[i : i + self.size], y[i : i + self.size])
            for i in range(0, len(x), self.size)
        ]

    def prepare(self, x: np.ndarray, y: np.ndarray) -> tuple[Any, np.ndarray]:
        return self.wrap(x), y

    def step(self, batch: tuple[Any, np.ndarray]) -> float:
        loss, grads = self.f(self.params, *batch)
        self.opt.step(grads)
        return loss

    def grads(self, batch: tuple[Any, np.ndarray]) -> tuple[float, Arrays]:
        loss, grads = self.f(self.params, *batch)
        return loss, self.export(grads)

    def predict(self, x: np.ndarray) -> np.ndarray:
        return np.argmax(np.asarray(self.logits(self.params, self.wrap(x))), axis=1)


def cross_entropy(z: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean softmax cross-entropy of logits ``z`` and its gradient, written over ``z``."""
    rows = np.arange(len(y))
    z -= z.max(axis=1, keepdims=True)
    picked = z[rows, y]
    np.exp(z, out=z)
    total = z.sum(axis=1, keepdims=True)
    loss = float(np.log(total).mean() - picked.mean())
    z /= total  # the softmax; minus the one-hot targets, over the batch
    z[rows, y] -= 1.0
    z /= len(y)
    return loss, z


def mlp_logits(params: Arrays, x: np.ndarray, acts: Arrays | None = None) -> np.ndarray:
    """x @ W.T + b per layer, ReLU on all but the last; keeps each layer's input in ``acts``."""
    h = x
    for i in range(0, len(params), 2):
        if acts is not None:
            acts.append(h)
        h = h @ params[i].T
        h += params[i + 1]
        if i < len(params) - 2:
            np.maximum(h, 0, out=h)
    return h


def mlp_loss_and_grads(params: Arrays, x: np.ndarray, y: np.ndarray) -> tuple[float, Arrays]:
    acts: Arrays = []
    loss, delta = cross_entropy(mlp_logits(params, x, acts), y)
    grads: Arrays = []
    for i in range(len(acts) - 1, -1, -1):
        grads += [delta.sum(axis=0), delta.T @ acts[i]]
        if i:  # no gradient for the input batch
            delta = delta @ params[2 * i]
            delta *= acts[i] > 0
    return loss, grads[::-1]


def tiny_chain(x0: np.ndarray, ops: list[str]) -> np.ndarray:
    """T3: the chain forward, then d sum / d x0 by hand."""
    h, saved = x0, []  # tanh outputs, for its backward
    for op in ops:
        h = h * TINY_MUL if op == "mul" else h + TINY_ADD if op == "add" else np.tanh(h)
        if op == "tanh":
            saved.append(h)
    g = np.ones_like(h)
    for op in reversed(ops):
        if op == "mul":
            g = g * TINY_MUL
        elif op == "tanh":
            out = saved.pop()
            g = g * (1.0 - out * out)
    return g


class Floor:
    label = "floor (NumPy)"
    version = f"NumPy {np.__version__}"
    workloads = ("T1", "T2", "T2-Adam", "T3", "T5")
    tiny_chain = staticmethod(tiny_chain)

    def trainer(self, net: Net, weights: Arrays, dtype: str) -> ArrayTrainer:
        if net is CNN:
            from .floor_cnn import trainer

            return trainer(net, weights)
        return ArrayTrainer(net, [w.copy() for w in weights], mlp_loss_and_grads, mlp_logits)


ENGINES = {"floor_numpy": Floor()}
