"""T1-T5 as a PyTorch user writes them, written once for PyTorch and for dagrad: dagrad's ``nn``
and ``optim`` take PyTorch's names and arguments, so the same lines run on both. A ``Library``
says only what differs: how arrays become tensors and back, the dtype names, the data loader.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..workloads import CNN, MOMENTUM, Net, tiny_chain


def mlp(nn: Any, sizes: tuple[int, ...], dtype: Any) -> Any:
    """nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 128), ...) for ``sizes``."""
    layers = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        layers += [nn.Linear(fan_in, fan_out, dtype=dtype), nn.ReLU()]
    return nn.Sequential(*layers[:-1])


def cnn(nn: Any, dtype: Any) -> Any:
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1, dtype=dtype),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1, dtype=dtype),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(32 * 7 * 7, 10, dtype=dtype),
    )


class Library:
    """What the user code needs from the library beyond its nn and optim (set by subclasses)."""

    nn: Any
    optim: Any
    no_grad: Any
    label = ""
    version = ""
    workloads = ("T1", "T2", "T2-Adam", "T3", "T5")

    def dtype(self, name: str) -> Any:
        raise NotImplementedError

    def tensor(self, array: np.ndarray, requires_grad: bool = False) -> Any:
        raise NotImplementedError

    def numpy(self, tensor: Any) -> np.ndarray:
        raise NotImplementedError

    def assign(self, param: Any, array: np.ndarray) -> None:
        raise NotImplementedError

    def loader(self, x: np.ndarray, y: np.ndarray, batch: int) -> Any:
        """One epoch's (inputs, targets) batches in order, as the library's users iterate them."""
        raise NotImplementedError

    def missing(self, workload: str) -> str | None:
        return None

    def trainer(self, net: Net, weights: list[np.ndarray], dtype: str) -> Trainer:
        return Trainer(self, net, weights, dtype)

    def tiny_chain(self, x0: np.ndarray, ops: list[str]) -> np.ndarray:
        x = self.tensor(x0, requires_grad=True)
        tiny_chain(x, ops, lambda h: h.tanh()).sum().backward()
        return self.numpy(x.grad)


class Trainer:
    """The model, loss and optimizer, and one training step, as in PyTorch's tutorials."""

    def __init__(self, lib: Library, net: Net, weights: list[np.ndarray], dtype: str) -> None:
        nn, self.lib, self.batch = lib.nn, lib, net.batch
        self.model = (
            cnn(nn, lib.dtype(dtype)) if net is CNN else mlp(nn, net.sizes, lib.dtype(dtype))
        )
        for p, w in zip(self.model.parameters(), weights, strict=True):
            lib.assign(p, w)  # the workload's initial weights
        self.loss_fn = nn.CrossEntropyLoss()
        if net.optimizer == "SGD":
            self.opt = lib.optim.SGD(self.model.parameters(), lr=net.lr, momentum=MOMENTUM)
        else:
            self.opt = lib.optim.Adam(self.model.parameters(), lr=net.lr)

    def loader(self, x: np.ndarray, y: np.ndarray) -> Any:
        return self.lib.loader(x, y, self.batch)

    def prepare(self, x: np.ndarray, y: np.ndarray) -> tuple[Any, Any]:
        return self.lib.tensor(x), self.lib.tensor(y)

    def step(self, batch: tuple[Any, Any]) -> float:
        x, y = batch
        self.opt.zero_grad()
        loss = self.loss_fn(self.model(x), y)
        loss.backward()
        self.opt.step()
        return loss.item()

    def grads(self, batch: tuple[Any, Any]) -> tuple[float, list[np.ndarray]]:
        x, y = batch
        self.opt.zero_grad()
        loss = self.loss_fn(self.model(x), y)
        loss.backward()
        return loss.item(), [self.lib.numpy(p.grad) for p in self.model.parameters()]

    def predict(self, x: np.ndarray) -> np.ndarray:
        with self.lib.no_grad():
            return self.lib.numpy(self.model(self.lib.tensor(x))).argmax(axis=1)
