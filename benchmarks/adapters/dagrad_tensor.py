"""dagrad's Tensor on T1-T5. The judged row is user code (pytorch_style.py: nn.Sequential,
nn.CrossEntropyLoss, optim.SGD/Adam, nn.data.DataLoader). A reference row keeps the hand-tuned
way: the fused linear op on weights already in its layout, backward(retain_graph=False) and the
floor's in-place SGD instead of optim."""

from __future__ import annotations

from importlib.metadata import version
from typing import Any

import numpy as np

import nn
import nn.functional as F
import optim
from autograd import Tensor, linear, no_grad

from ..workloads import Net
from .floor_numpy import Arrays, ArrayTrainer
from .pytorch_style import Library


class Dagrad(Library):
    label, version = "dagrad Tensor", version("dagrad")
    nn, optim, no_grad = nn, optim, no_grad

    def dtype(self, name: str) -> Any:
        return np.dtype(name)

    def tensor(self, array: np.ndarray, requires_grad: bool = False) -> Tensor:
        return Tensor(array, requires_grad=requires_grad)

    def numpy(self, tensor: Tensor) -> np.ndarray:
        return np.asarray(tensor.data)

    def assign(self, param: Tensor, array: np.ndarray) -> None:
        param.data[...] = array

    def loader(self, x: np.ndarray, y: np.ndarray, batch: int) -> nn.data.DataLoader:
        return nn.data.DataLoader(nn.data.TensorDataset(x, y), batch_size=batch)

    def missing(self, workload: str) -> str | None:
        absent = [m for m in ("Conv2d", "MaxPool2d") if not hasattr(nn, m)]
        if workload == "T5" and absent:
            return f"not available: nn has no {' or '.join(absent)} yet"
        return None


def _tuned_loss_and_grads(params: list[Tensor], x: Tensor, y: np.ndarray) -> tuple[float, Arrays]:
    for p in params:
        p.grad = None
    h = x
    for i in range(0, len(params), 2):
        h = linear(h, params[i], params[i + 1])
        h = h.relu() if i < len(params) - 2 else h
    loss = F.cross_entropy(h, y)
    loss.backward(retain_graph=False)  # frees the graph as it goes
    return loss.item(), [np.asarray(p.grad) for p in params]


def _tuned_logits(params: list[Tensor], x: Tensor) -> np.ndarray:
    with no_grad():
        h = x
        for i in range(0, len(params), 2):
            h = linear(h, params[i], params[i + 1])
            h = h.relu() if i < len(params) - 2 else h
        return h.data


class Tuned:
    label, version = "dagrad Tensor, hand-tuned (reference)", version("dagrad")
    workloads = ("T1", "T2")

    def trainer(self, net: Net, weights: Arrays, dtype: str) -> ArrayTrainer:
        params = [Tensor(w.copy(), requires_grad=True) for w in weights]
        arrays = [p.data for p in params]
        return ArrayTrainer(net, arrays, _tuned_loss_and_grads, _tuned_logits, params, Tensor)


ENGINES = {"dagrad_tensor": Dagrad(), "dagrad_tensor_tuned": Tuned()}
