"""SGD: stochastic gradient descent with optional momentum, dampening, Nesterov momentum and L2
weight decay, with PyTorch's update rule and defaults."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from . import options as check
from .optimizer import Group, Numbers, Optimizer, State


class SGD(Optimizer):
    """``SGD(params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False)``.

    One step, with ``g`` the gradient and ``p`` the parameter::

        g = g + weight_decay * p
        b = g on the first step, else momentum * b + (1 - dampening) * g
        g = g + momentum * b if nesterov else b          (only when momentum != 0)
        p = p - lr * g

    As ``torch.optim.SGD``, every step is done in place on ``p`` and ``b``.
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        momentum: float = 0.0,
        dampening: float = 0.0,
        weight_decay: float = 0.0,
        nesterov: bool = False,
    ) -> None:
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "dampening": dampening,
            "weight_decay": weight_decay,
            "nesterov": nesterov,
        }
        super().__init__(params, defaults)

    def _check_options(self, options: Group) -> Group:
        options["lr"] = check.non_negative("lr", options["lr"])
        options["momentum"] = check.non_negative("momentum", options["momentum"])
        options["dampening"] = check.real("dampening", options["dampening"])
        options["weight_decay"] = check.non_negative("weight_decay", options["weight_decay"])
        options["nesterov"] = check.flag("nesterov", options["nesterov"])
        if options["nesterov"] and (options["momentum"] <= 0 or options["dampening"] != 0):
            raise ValueError(
                "nesterov=True needs momentum > 0 and dampening == 0, got momentum="
                f"{options['momentum']:g} and dampening={options['dampening']:g}"
            )
        return options

    def _update(self, data: Numbers, grad: Numbers, state: State, group: Group) -> None:
        momentum, weight_decay = group["momentum"], group["weight_decay"]
        if weight_decay != 0:  # g + weight_decay * p, in a work array: the gradient is read-only
            decayed = self._scratch(data, 1)
            np.multiply(data, weight_decay, out=decayed)
            grad = np.add(grad, decayed, out=decayed)
        step = self._scratch(data)
        if momentum != 0:
            buffer = state.get("momentum_buffer")
            if buffer is None:  # a copy: the gradient array belongs to the parameter
                buffer = state["momentum_buffer"] = grad.copy()
            else:
                np.multiply(buffer, momentum, out=buffer)
                if group["dampening"] != 0:
                    buffer += np.multiply(grad, 1 - group["dampening"], out=step)
                else:  # (1 - 0) * g is g: no product needed
                    buffer += grad
            if group["nesterov"]:  # g + momentum * b
                grad = np.add(grad, np.multiply(buffer, momentum, out=step), out=step)
            else:
                grad = buffer
        np.subtract(data, np.multiply(grad, group["lr"], out=step), out=data)
