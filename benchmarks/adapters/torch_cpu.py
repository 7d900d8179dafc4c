"""PyTorch on the CPU on T1, T2 and T3, as its users write it: F.cross_entropy and
torch.optim.SGD (momentum 0.9). It gets as many intra-op threads as NumPy's BLAS (threads.py)."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F  # noqa: N812 - PyTorch's own convention

from .. import threads
from ..workloads import TINY_ADD, TINY_MUL, TensorLayer

LABEL = "PyTorch CPU"
torch.set_num_threads(threads.count())


def version() -> str:
    return torch.__version__


def thread_counts() -> dict[str, object]:
    return {"torch_threads": torch.get_num_threads()}


Batch = tuple[torch.Tensor, torch.Tensor]


class MLP:
    def __init__(self, weights: list[TensorLayer], lr: float, momentum: float) -> None:
        self.params = [
            torch.from_numpy(a.copy()).requires_grad_(True) for layer in weights for a in layer
        ]
        self.opt = torch.optim.SGD(self.params, lr=lr, momentum=momentum)

    def prepare(self, x: np.ndarray, y: np.ndarray) -> Batch:
        return torch.from_numpy(np.ascontiguousarray(x)), torch.from_numpy(y.astype(np.int64))

    def _logits(self, x: torch.Tensor) -> torch.Tensor:
        h = x
        last = len(self.params) - 2
        for i in range(0, len(self.params), 2):
            h = h @ self.params[i] + self.params[i + 1]
            if i != last:
                h = torch.relu(h)
        return h

    def loss_and_grads(self, batch: Batch) -> tuple[float, list[np.ndarray]]:
        self.opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(self._logits(batch[0]), batch[1])
        loss.backward()
        return loss.item(), [p.grad.numpy().copy() for p in self.params]  # type: ignore[union-attr]

    def step(self, batch: Batch) -> float:
        self.opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(self._logits(batch[0]), batch[1])
        loss.backward()
        self.opt.step()
        return loss.item()

    def predict(self, x: np.ndarray) -> np.ndarray:
        with torch.no_grad():
            return self._logits(torch.from_numpy(np.ascontiguousarray(x))).argmax(1).numpy()

    def numpy_params(self) -> list[np.ndarray]:
        return [p.detach().numpy() for p in self.params]


def tiny_chain(x0: np.ndarray, ops: list[str]) -> np.ndarray:
    x = torch.from_numpy(x0.copy()).requires_grad_(True)
    h = x
    for op in ops:
        if op == "mul":
            h = h * TINY_MUL
        elif op == "add":
            h = h + TINY_ADD
        else:
            h = torch.tanh(h)
    h.sum().backward()
    return x.grad.numpy()  # type: ignore[union-attr]
