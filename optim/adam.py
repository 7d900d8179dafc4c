"""Adam and AdamW: moving averages of the gradient and of its square, bias-corrected, with
PyTorch's update rule and defaults (AdamW decays the weights directly instead of adding an L2
term to the gradient)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from . import options as check
from .optimizer import Group, Numbers, Optimizer, State


class Adam(Optimizer):
    """``Adam(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False)``.

    Step ``t`` (counted from 1), with ``g`` the gradient and ``p`` the parameter::

        g = g + weight_decay * p                          (AdamW: p = p * (1 - lr * weight_decay))
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        v_hat = max(v_hat, v) if amsgrad else v
        p = p - lr / (1 - beta1**t) * m / (sqrt(v_hat) / sqrt(1 - beta2**t) + eps)

    As ``torch.optim.Adam``, every step is done in place on ``p``, ``m``, ``v`` and ``v_hat``.
    """

    decoupled_weight_decay = False

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        amsgrad: bool = False,
    ) -> None:
        defaults = {
            "lr": lr,
            "betas": betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "amsgrad": amsgrad,
        }
        super().__init__(params, defaults)

    def _check_options(self, options: Group) -> Group:
        options["lr"] = check.non_negative("lr", options["lr"])
        options["betas"] = check.betas(options["betas"])
        options["eps"] = check.non_negative("eps", options["eps"])
        options["weight_decay"] = check.non_negative("weight_decay", options["weight_decay"])
        options["amsgrad"] = check.flag("amsgrad", options["amsgrad"])
        return options

    def _init_state(self, data: Numbers, group: Group) -> State:
        return {"step": 0, "exp_avg": np.zeros_like(data), "exp_avg_sq": np.zeros_like(data)}

    def _update(self, data: Numbers, grad: Numbers, state: State, group: Group) -> None:
        lr, eps, weight_decay = group["lr"], group["eps"], group["weight_decay"]
        beta1, beta2 = group["betas"]
        step = state["step"] = state["step"] + 1
        work = self._scratch(data)
        if weight_decay != 0:
            if self.decoupled_weight_decay:
                np.multiply(data, 1 - lr * weight_decay, out=data)
            else:  # g + weight_decay * p, in a second work array: the gradient is read-only
                decayed = self._scratch(data, 1)
                grad = np.add(grad, np.multiply(data, weight_decay, out=decayed), out=decayed)
        exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
        np.multiply(exp_avg, beta1, out=exp_avg)
        exp_avg += np.multiply(grad, 1 - beta1, out=work)
        np.multiply(exp_avg_sq, beta2, out=exp_avg_sq)
        exp_avg_sq += np.multiply(np.multiply(grad, grad, out=work), 1 - beta2, out=work)
        if group["amsgrad"]:
            # starts at 0 (v is never negative), also when amsgrad is switched on mid-run
            largest = state.get("max_exp_avg_sq")
            if largest is None:
                largest = state["max_exp_avg_sq"] = np.zeros_like(exp_avg_sq)
            exp_avg_sq = np.maximum(largest, exp_avg_sq, out=largest)
        # p - lr / (1 - beta1**t) * (m / (sqrt(v) / sqrt(1 - beta2**t) + eps))
        denominator = np.sqrt(exp_avg_sq, out=work)
        denominator /= (1 - beta2**step) ** 0.5
        denominator += eps
        update = np.divide(exp_avg, denominator, out=work)
        np.subtract(data, np.multiply(update, lr / (1 - beta1**step), out=work), out=data)


class AdamW(Adam):
    """``AdamW(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2,
    amsgrad=False)``: Adam with decoupled weight decay (Loshchilov and Hutter), which shrinks
    the weights by ``lr * weight_decay`` each step instead of adding to the gradient."""

    decoupled_weight_decay = True

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
    ) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad)
