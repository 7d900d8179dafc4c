"""Learning-rate schedules: each ``step()`` sets the ``lr`` of every parameter group of an
optimizer, with PyTorch's formulas, defaults and call order (``optimizer.step()`` first, then
``scheduler.step()``, once per epoch or per batch).

Most schedules are written, as in PyTorch, as a change of the group's *current* ``lr`` (a
recursive form), so that two schedules on one optimizer compose and a learning rate set by hand
is respected; this is also why their numbers match PyTorch's to the last bits.
"""

from __future__ import annotations

import math
import types
from collections.abc import Callable, Sequence
from typing import Any

from . import options as check
from .optimizer import Optimizer


class LRScheduler:
    """Base class: subclasses implement ``get_lr()`` (the new learning rate of every group,
    computed when ``last_epoch`` has just been advanced).

    Creating a scheduler records each group's ``initial_lr`` and takes step 0 at once (so
    LinearLR's start factor applies before the first epoch). ``last_epoch`` other than -1 is
    for resuming, and then every group must already hold ``initial_lr``.
    """

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1) -> None:
        self._check_optimizer(optimizer)
        last_epoch = self._checked(check.whole, "last_epoch", last_epoch, -1)
        for i, group in enumerate(optimizer.param_groups):
            if last_epoch == -1:
                group.setdefault("initial_lr", group["lr"])
            elif "initial_lr" not in group:
                raise ValueError(
                    f"{self._name}: last_epoch={last_epoch} resumes a schedule, but parameter "
                    f"group {i} has no 'initial_lr'; load the optimizer's state dict first"
                )
        self.optimizer = optimizer
        self.base_lrs: list[float] = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        self._step_count = 0
        self._is_initial = True  # the step taken by the constructor
        self.step()
        self._is_initial = False

    @property
    def _name(self) -> str:
        return f"{type(self).__name__}()"

    def _check_optimizer(self, optimizer: Any) -> Optimizer:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(
                f"{self._name}: expected an optimizer, got a {type(optimizer).__name__}"
            )
        return optimizer

    def _checked(
        self, rule: Callable[..., Any], name: str, value: Any, *args: Any, **kwargs: Any
    ) -> Any:
        """``rule(name, value, ...)`` with the scheduler's name in any error."""
        try:
            return rule(name, value, *args, **kwargs)
        except (TypeError, ValueError) as err:
            raise type(err)(f"{self._name}: {err}") from None

    def _lrs(self) -> list[float]:
        return [group["lr"] for group in self.optimizer.param_groups]

    def get_lr(self) -> list[float]:
        """The learning rate of every group at ``self.last_epoch``."""
        raise NotImplementedError

    def step(self) -> None:
        """Advance one epoch and set every group's ``lr``."""
        self._step_count += 1
        self.last_epoch += 1
        for group, lr in zip(self.optimizer.param_groups, self.get_lr()):
            group["lr"] = lr
        self._last_lr = self._lrs()

    def get_last_lr(self) -> list[float]:
        """The learning rates the last ``step()`` set, one per parameter group."""
        return list(self._last_lr)

    def state_dict(self) -> dict[str, Any]:
        """Everything but the optimizer (lists copied)."""
        return {
            key: list(value) if isinstance(value, list) else value
            for key, value in vars(self).items()
            if key != "optimizer"
        }

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        unknown = sorted(set(state_dict) - set(vars(self)))
        if unknown:
            raise ValueError(
                f"{self._name}.load_state_dict(): unknown keys {unknown}; is this the state "
                "of another kind of scheduler?"
            )
        for key, value in state_dict.items():
            setattr(self, key, list(value) if isinstance(value, list) else value)


class StepLR(LRScheduler):
    """``StepLR(optimizer, step_size, gamma=0.1)``: multiply the learning rate by ``gamma``
    every ``step_size`` epochs: ``lr = initial_lr * gamma ** (epoch // step_size)``."""

    def __init__(
        self, optimizer: Optimizer, step_size: int, gamma: float = 0.1, last_epoch: int = -1
    ) -> None:
        self.step_size = self._checked(check.whole, "step_size", step_size, 1)
        self.gamma = self._checked(check.positive, "gamma", gamma)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return self._lrs()
        return [lr * self.gamma for lr in self._lrs()]


class ExponentialLR(LRScheduler):
    """``ExponentialLR(optimizer, gamma)``: ``lr = initial_lr * gamma ** epoch``."""

    def __init__(self, optimizer: Optimizer, gamma: float, last_epoch: int = -1) -> None:
        self.gamma = self._checked(check.positive, "gamma", gamma)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self._is_initial:
            return self._lrs()
        return [lr * self.gamma for lr in self._lrs()]


class CosineAnnealingLR(LRScheduler):
    """``CosineAnnealingLR(optimizer, T_max, eta_min=0)``: half a cosine from the initial
    learning rate down to ``eta_min`` over ``T_max`` epochs (and back up after, as PyTorch):
    ``lr = eta_min + (initial_lr - eta_min) * (1 + cos(pi * epoch / T_max)) / 2``, computed
    as PyTorch does, each epoch from the last one."""

    def __init__(
        self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0, last_epoch: int = -1
    ) -> None:
        self.T_max = self._checked(check.whole, "T_max", T_max, 1)
        self.eta_min = self._checked(check.non_negative, "eta_min", eta_min)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        epoch, period, low = self.last_epoch, self.T_max, self.eta_min
        if self._is_initial:
            return self._lrs()
        if (epoch - 1 - period) % (2 * period) == 0:  # the trough: the ratio below is 0/0
            rise = (1 - math.cos(math.pi / period)) / 2
            return [lr + (base - low) * rise for lr, base in zip(self._lrs(), self.base_lrs)]
        ratio = (1 + math.cos(math.pi * epoch / period)) / (
            1 + math.cos(math.pi * (epoch - 1) / period)
        )
        return [ratio * (lr - low) + low for lr in self._lrs()]


class LinearLR(LRScheduler):
    """``LinearLR(optimizer, start_factor=1/3, end_factor=1.0, total_iters=5)``: warm-up (or
    decay) by a factor that moves linearly from ``start_factor`` to ``end_factor`` over
    ``total_iters`` epochs, then stays: ``lr = initial_lr * (start + (end - start) *
    min(epoch, total_iters) / total_iters)``, computed as PyTorch does, from the last epoch."""

    def __init__(
        self,
        optimizer: Optimizer,
        start_factor: float = 1.0 / 3,
        end_factor: float = 1.0,
        total_iters: int = 5,
        last_epoch: int = -1,
    ) -> None:
        start = self._checked(check.real, "start_factor", start_factor)
        if not 0 < start <= 1:
            raise ValueError(f"{self._name}: start_factor must be in (0, 1], got {start_factor!r}")
        self.start_factor = start
        self.end_factor = self._checked(
            check.in_range, "end_factor", end_factor, 0.0, 1.0, high_open=False
        )
        self.total_iters = self._checked(check.whole, "total_iters", total_iters, 1)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        start, end, epoch = self.start_factor, self.end_factor, self.last_epoch
        if epoch == 0:
            return [lr * start for lr in self._lrs()]
        if self._is_initial or epoch > self.total_iters:
            return self._lrs()
        # the ratio of this epoch's factor to the last one's
        ratio = 1 + (end - start) / (self.total_iters * start + (epoch - 1) * (end - start))
        return [lr * ratio for lr in self._lrs()]


class LambdaLR(LRScheduler):
    """``LambdaLR(optimizer, lr_lambda)``: ``lr = initial_lr * lr_lambda(epoch)``, with one
    function for all groups or a list of one per group.

    ``state_dict()`` cannot hold plain functions; it keeps the attributes of callable objects
    (as PyTorch) and ``None`` for functions, which must be passed again when resuming."""

    def __init__(
        self,
        optimizer: Optimizer,
        lr_lambda: Callable[[int], float] | Sequence[Callable[[int], float]],
        last_epoch: int = -1,
    ) -> None:
        groups = len(self._check_optimizer(optimizer).param_groups)
        functions: list[Any]
        if isinstance(lr_lambda, (list, tuple)):
            functions = list(lr_lambda)
            if len(functions) != groups:
                raise ValueError(
                    f"{self._name}: got {len(functions)} lr_lambda functions for {groups} "
                    "parameter groups; pass one function, or one per group"
                )
        else:
            functions = [lr_lambda] * groups
        for i, fn in enumerate(functions):
            if not callable(fn):
                raise TypeError(
                    f"{self._name}: lr_lambda {i} is a {type(fn).__name__}, not a function"
                )
        self.lr_lambdas = functions
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        lrs = []
        for i, (fn, base) in enumerate(zip(self.lr_lambdas, self.base_lrs)):
            name = f"the factor lr_lambda {i} returned for epoch {self.last_epoch}"
            lrs.append(base * self._checked(check.non_negative, name, fn(self.last_epoch)))
        return lrs

    def state_dict(self) -> dict[str, Any]:
        state = super().state_dict()
        state["lr_lambdas"] = [
            None if isinstance(fn, types.FunctionType) else dict(getattr(fn, "__dict__", {}))
            for fn in self.lr_lambdas
        ]
        return state

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        state = dict(state_dict)
        saved = state.pop("lr_lambdas", [None] * len(self.lr_lambdas))
        super().load_state_dict(state)
        for fn, attributes in zip(self.lr_lambdas, saved):
            if attributes is not None:
                fn.__dict__.update(attributes)
