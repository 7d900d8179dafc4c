"""Adagrad: per-coordinate learning rates that shrink with the sum of all squared gradients so
far, with PyTorch's update rule and defaults (learning-rate decay and L2 weight decay)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from . import options as check
from .optimizer import Group, Numbers, Optimizer, State


class Adagrad(Optimizer):
    """``Adagrad(params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0,
    eps=1e-10)``.

    Step ``t`` (counted from 1), with ``g`` the gradient and ``p`` the parameter::

        g = g + weight_decay * p
        s = s + g * g                                     (s starts at initial_accumulator_value)
        p = p - lr / (1 + (t - 1) * lr_decay) * g / (sqrt(s) + eps)

    As ``torch.optim.Adagrad``, every step is done in place on ``p`` and ``s``.
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-2,
        lr_decay: float = 0.0,
        weight_decay: float = 0.0,
        initial_accumulator_value: float = 0.0,
        eps: float = 1e-10,
    ) -> None:
        defaults = {
            "lr": lr,
            "lr_decay": lr_decay,
            "weight_decay": weight_decay,
            "initial_accumulator_value": initial_accumulator_value,
            "eps": eps,
        }
        super().__init__(params, defaults)

    def _check_options(self, options: Group) -> Group:
        options["lr"] = check.non_negative("lr", options["lr"])
        options["lr_decay"] = check.non_negative("lr_decay", options["lr_decay"])
        options["weight_decay"] = check.non_negative("weight_decay", options["weight_decay"])
        options["initial_accumulator_value"] = check.non_negative(
            "initial_accumulator_value", options["initial_accumulator_value"]
        )
        options["eps"] = check.non_negative("eps", options["eps"])
        return options

    def _init_state(self, data: Numbers, group: Group) -> State:
        return {"step": 0, "sum": np.full_like(data, group["initial_accumulator_value"])}

    def _update(self, data: Numbers, grad: Numbers, state: State, group: Group) -> None:
        step = state["step"] = state["step"] + 1
        work = self._scratch(data)
        if group["weight_decay"] != 0:  # g + weight_decay * p, in a second work array
            decayed = self._scratch(data, 1)
            np.multiply(data, group["weight_decay"], out=decayed)
            grad = np.add(grad, decayed, out=decayed)
        step_size = group["lr"] / (1 + (step - 1) * group["lr_decay"])
        total = state["sum"]
        total += np.multiply(grad, grad, out=work)
        denominator = np.sqrt(total, out=work)
        denominator += group["eps"]
        update = np.divide(grad, denominator, out=work)
        np.subtract(data, np.multiply(update, step_size, out=work), out=data)
