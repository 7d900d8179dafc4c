"""RMSprop: divide the gradient by a running root-mean-square of recent gradients, with
PyTorch's update rule and defaults (optionally centered, with momentum and L2 weight decay)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from . import options as check
from .optimizer import Group, Numbers, Optimizer, State


class RMSprop(Optimizer):
    """``RMSprop(params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0,
    centered=False)``.

    One step, with ``g`` the gradient and ``p`` the parameter::

        g = g + weight_decay * p
        s = alpha * s + (1 - alpha) * g * g
        a = alpha * a + (1 - alpha) * g                   (centered only)
        r = sqrt(s - a * a) + eps if centered else sqrt(s) + eps
        b = momentum * b + g / r; p = p - lr * b          (momentum > 0)
        p = p - lr * g / r                                (momentum == 0)

    As ``torch.optim.RMSprop``, every step is done in place on ``p``, ``s``, ``a`` and ``b``.
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        momentum: float = 0.0,
        centered: bool = False,
    ) -> None:
        defaults = {
            "lr": lr,
            "alpha": alpha,
            "eps": eps,
            "weight_decay": weight_decay,
            "momentum": momentum,
            "centered": centered,
        }
        super().__init__(params, defaults)

    def _check_options(self, options: Group) -> Group:
        options["lr"] = check.non_negative("lr", options["lr"])
        options["alpha"] = check.non_negative("alpha", options["alpha"])
        options["eps"] = check.non_negative("eps", options["eps"])
        options["weight_decay"] = check.non_negative("weight_decay", options["weight_decay"])
        options["momentum"] = check.non_negative("momentum", options["momentum"])
        options["centered"] = check.flag("centered", options["centered"])
        return options

    def _init_state(self, data: Numbers, group: Group) -> State:
        # the averages that only some options use start at 0 when first needed
        return {"step": 0, "square_avg": np.zeros_like(data)}

    def _update(self, data: Numbers, grad: Numbers, state: State, group: Group) -> None:
        alpha, lr, momentum = group["alpha"], group["lr"], group["momentum"]
        state["step"] += 1
        work = self._scratch(data)
        if group["weight_decay"] != 0:  # g + weight_decay * p, in a second work array
            decayed = self._scratch(data, 1)
            np.multiply(data, group["weight_decay"], out=decayed)
            grad = np.add(grad, decayed, out=decayed)
        square_avg = state["square_avg"]
        np.multiply(square_avg, alpha, out=square_avg)
        square_avg += np.multiply(np.multiply(grad, grad, out=work), 1 - alpha, out=work)
        if group["centered"]:
            grad_avg = state.get("grad_avg")
            if grad_avg is None:
                grad_avg = state["grad_avg"] = np.zeros_like(square_avg)
            grad_avg += np.multiply(np.subtract(grad, grad_avg, out=work), 1 - alpha, out=work)
            rms = np.subtract(square_avg, np.multiply(grad_avg, grad_avg, out=work), out=work)
            np.sqrt(rms, out=rms)
        else:
            rms = np.sqrt(square_avg, out=work)
        rms += group["eps"]
        step = np.divide(grad, rms, out=work)  # g / r
        if momentum > 0:
            buffer = state.get("momentum_buffer")
            if buffer is None:
                buffer = state["momentum_buffer"] = np.zeros_like(square_avg)
            np.multiply(buffer, momentum, out=buffer)
            buffer += step
            step = np.multiply(buffer, lr, out=work)
        else:
            np.multiply(step, lr, out=step)
        np.subtract(data, step, out=data)
