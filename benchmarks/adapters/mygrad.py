"""MyGrad 2.5 on T1, T2, T2-Adam and T3: its matmul, relu and softmax_crossentropy; MyGrad has
no optimizers, so the floor's in-place SGD and Adam update its tensors' arrays."""

from __future__ import annotations

from importlib.metadata import version
from typing import Any

import mygrad as mg
import numpy as np
from mygrad.nnet.activations import relu
from mygrad.nnet.losses import softmax_crossentropy

from ..workloads import Net, tiny_chain
from .floor_numpy import Arrays, ArrayTrainer


def _logits(params: list[mg.Tensor], x: np.ndarray) -> Any:
    h: Any = x
    for i in range(0, len(params), 2):
        h = mg.matmul(h, params[i].T) + params[i + 1]
        h = relu(h) if i < len(params) - 2 else h
    return h


def _loss_and_grads(params: list[mg.Tensor], x: np.ndarray, y: np.ndarray) -> tuple:
    loss = softmax_crossentropy(_logits(params, x), y)
    loss.backward()  # also clears MyGrad's graph, which unlocks the parameters' arrays
    return loss.item(), [p.grad for p in params]


class MyGrad:
    label, version = "MyGrad", version("mygrad")
    workloads = ("T1", "T2", "T2-Adam", "T3")

    def trainer(self, net: Net, weights: Arrays, dtype: str) -> ArrayTrainer:
        params = [mg.tensor(w.copy()) for w in weights]
        arrays = [p.data for p in params]
        return ArrayTrainer(net, arrays, _loss_and_grads, _logits, params)

    def tiny_chain(self, x0: np.ndarray, ops: list[str]) -> np.ndarray:
        x = mg.tensor(x0.copy())
        tiny_chain(x, ops, mg.tanh).sum().backward()
        return np.asarray(x.grad)


ENGINES = {"mygrad": MyGrad()}
