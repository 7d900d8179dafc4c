"""Learning-rate schedules: each ``step()`` sets the ``lr`` of every parameter group of an
optimizer, with PyTorch's formulas, defaults and call order (``optimizer.step()`` first, then
``scheduler.step()``, once per epoch or per batch).

Most schedules are written, as in PyTorch, as a change of the group's *current* ``lr`` (a
recursive form), so that two schedules on one optimizer compose and a learning rate set by hand
is respected; this is also why their numbers match PyTorch's to the last bits.
"""

from __future__ import annotations

import bisect
import math
import types
import warnings
from collections import Counter
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
        self._initial_step()

    def _initial_step(self) -> None:
        """The step taken by the constructor (again by SequentialLR when a schedule starts)."""
        self._step_count = 0
        self._is_initial = True
        try:
            self.step()
        finally:
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

    def step(self, epoch: int | None = None) -> None:
        """Advance one epoch and set every group's ``lr``. ``epoch`` (deprecated in PyTorch)
        jumps to that epoch, by the closed form where the schedule has one."""
        self._step_count += 1
        if epoch is not None:
            warnings.warn(
                "The epoch parameter in `scheduler.step()` was not necessary and is being "
                "deprecated where possible. Please use `scheduler.step()` to step the scheduler.",
                UserWarning,
                stacklevel=2,
            )
        self._update_lr(epoch)

    def _update_lr(self, epoch: int | None = None) -> None:
        if epoch is None:
            self.last_epoch += 1
            values = self.get_lr()
        else:
            self.last_epoch = self._checked(check.whole, "epoch", epoch, 0)
            closed = getattr(self, "_get_closed_form_lr", None)
            values = closed() if closed is not None else self.get_lr()
        for group, lr in zip(self.optimizer.param_groups, values):
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

    def _get_closed_form_lr(self) -> list[float]:
        return [base * self.gamma ** (self.last_epoch // self.step_size) for base in self.base_lrs]


class ExponentialLR(LRScheduler):
    """``ExponentialLR(optimizer, gamma)``: ``lr = initial_lr * gamma ** epoch``."""

    def __init__(self, optimizer: Optimizer, gamma: float, last_epoch: int = -1) -> None:
        self.gamma = self._checked(check.positive, "gamma", gamma)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self._is_initial:
            return self._lrs()
        return [lr * self.gamma for lr in self._lrs()]

    def _get_closed_form_lr(self) -> list[float]:
        return [base * self.gamma**self.last_epoch for base in self.base_lrs]


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
        if self._step_count == 1 and epoch > 0:  # the first step of a resumed schedule
            return [
                low + (base - low) * (1 + math.cos(epoch * math.pi / period)) / 2
                for base in self.base_lrs
            ]
        if (epoch - 1 - period) % (2 * period) == 0:  # the trough: the ratio below is 0/0
            rise = (1 - math.cos(math.pi / period)) / 2
            return [lr + (base - low) * rise for lr, base in zip(self._lrs(), self.base_lrs)]
        ratio = (1 + math.cos(math.pi * epoch / period)) / (
            1 + math.cos(math.pi * (epoch - 1) / period)
        )
        return [ratio * (lr - low) + low for lr in self._lrs()]

    def _get_closed_form_lr(self) -> list[float]:
        low = self.eta_min
        return [
            low + (base - low) * (1 + math.cos(math.pi * self.last_epoch / self.T_max)) / 2
            for base in self.base_lrs
        ]


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

    def _get_closed_form_lr(self) -> list[float]:
        start, end = self.start_factor, self.end_factor
        reached = min(self.total_iters, self.last_epoch)
        return [
            base * (start + (end - start) * reached / self.total_iters) for base in self.base_lrs
        ]


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


class MultiStepLR(LRScheduler):
    """``MultiStepLR(optimizer, milestones, gamma=0.1)``: multiply the learning rate by
    ``gamma`` at each epoch of ``milestones`` (by gamma^k for a milestone listed k times)."""

    def __init__(
        self,
        optimizer: Optimizer,
        milestones: Sequence[int],
        gamma: float = 0.1,
        last_epoch: int = -1,
    ) -> None:
        if isinstance(milestones, (str, bytes)) or not hasattr(milestones, "__iter__"):
            raise TypeError(
                f"{self._name}: milestones must be a list of epochs, got {milestones!r}"
            )
        self.milestones = Counter(
            self._checked(check.whole, "milestones entry", m, 0) for m in milestones
        )
        self.gamma = self._checked(check.positive, "gamma", gamma)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self.last_epoch not in self.milestones:
            return self._lrs()
        return [lr * self.gamma ** self.milestones[self.last_epoch] for lr in self._lrs()]

    def _get_closed_form_lr(self) -> list[float]:
        passed = bisect.bisect_right(sorted(Counter(self.milestones).elements()), self.last_epoch)
        return [base * self.gamma**passed for base in self.base_lrs]


class ConstantLR(LRScheduler):
    """``ConstantLR(optimizer, factor=1/3, total_iters=5)``: the learning rate times ``factor``
    for the first ``total_iters`` epochs, then the learning rate itself."""

    def __init__(
        self,
        optimizer: Optimizer,
        factor: float = 1.0 / 3,
        total_iters: int = 5,
        last_epoch: int = -1,
    ) -> None:
        self.factor = self._checked(check.in_range, "factor", factor, 0.0, 1.0, high_open=False)
        self.total_iters = self._checked(check.whole, "total_iters", total_iters, 0)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self.last_epoch == 0:
            return [lr * self.factor for lr in self._lrs()]
        if self.last_epoch != self.total_iters:
            return self._lrs()
        return [lr * (1.0 / self.factor) for lr in self._lrs()]

    def _get_closed_form_lr(self) -> list[float]:
        on = self.last_epoch >= self.total_iters
        return [base * (self.factor + on * (1 - self.factor)) for base in self.base_lrs]


class CosineAnnealingWarmRestarts(LRScheduler):
    """``CosineAnnealingWarmRestarts(optimizer, T_0, T_mult=1, eta_min=0)``: cosine annealing
    from the initial learning rate to ``eta_min`` over T_0 epochs, then a restart, each period
    ``T_mult`` times the last (SGDR, Loshchilov and Hutter 2017). ``step(epoch)`` may take a
    fractional epoch (per batch: ``step(epoch + i / batches)``)."""

    def __init__(
        self,
        optimizer: Optimizer,
        T_0: int,
        T_mult: int = 1,
        eta_min: float = 0.0,
        last_epoch: int = -1,
    ) -> None:
        self.T_0 = self._checked(check.whole, "T_0", T_0, 1)
        self.T_i = self.T_0
        self.T_mult = self._checked(check.whole, "T_mult", T_mult, 1)
        self.eta_min = self._checked(check.real, "eta_min", eta_min)
        self.T_cur: float = self._checked(check.whole, "last_epoch", last_epoch, -1)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        low = self.eta_min
        return [
            low + (base - low) * (1 + math.cos(math.pi * self.T_cur / self.T_i)) / 2
            for base in self.base_lrs
        ]

    def step(self, epoch: float | None = None) -> None:
        if epoch is None and self.last_epoch < 0:
            epoch = 0
        if epoch is None:
            epoch = self.last_epoch + 1
            self.T_cur = self.T_cur + 1
            if self.T_cur >= self.T_i:
                self.T_cur = self.T_cur % self.T_i
                self.T_i = self.T_i * self.T_mult
        else:
            number = self._checked(check.real, "epoch", epoch)
            if number < 0:
                raise ValueError(f"{self._name}: expected a non-negative epoch, got {epoch}")
            if number >= self.T_0:
                if self.T_mult == 1:
                    self.T_cur = number % self.T_0
                else:
                    n = int(math.log(number / self.T_0 * (self.T_mult - 1) + 1, self.T_mult))
                    self.T_cur = number - self.T_0 * (self.T_mult**n - 1) / (self.T_mult - 1)
                    self.T_i = self.T_0 * self.T_mult**n
            else:
                self.T_i = self.T_0
                self.T_cur = number
        self.last_epoch = math.floor(epoch)
        for group, lr in zip(self.optimizer.param_groups, self.get_lr()):
            group["lr"] = lr
        self._last_lr = self._lrs()


class OneCycleLR(LRScheduler):
    """``OneCycleLR(optimizer, max_lr, total_steps=None, epochs=None, steps_per_epoch=None,
    pct_start=0.3, anneal_strategy='cos', cycle_momentum=True, base_momentum=0.85,
    max_momentum=0.95, div_factor=25.0, final_div_factor=1e4, three_phase=False)``: the
    1cycle policy (Smith 2018), stepped once per batch: the learning rate rises from
    max_lr / div_factor to ``max_lr`` over the first ``pct_start`` of the steps, then falls to
    max_lr / (div_factor * final_div_factor); the momentum (SGD's ``momentum``, Adam's beta1)
    moves the opposite way."""

    def __init__(
        self,
        optimizer: Optimizer,
        max_lr: float | Sequence[float],
        total_steps: int | None = None,
        epochs: int | None = None,
        steps_per_epoch: int | None = None,
        pct_start: float = 0.3,
        anneal_strategy: str = "cos",
        cycle_momentum: bool = True,
        base_momentum: float | Sequence[float] = 0.85,
        max_momentum: float | Sequence[float] = 0.95,
        div_factor: float = 25.0,
        final_div_factor: float = 1e4,
        three_phase: bool = False,
        last_epoch: int = -1,
    ) -> None:
        optimizer = self._check_optimizer(optimizer)
        self.optimizer = optimizer
        if total_steps is not None:
            self.total_steps = self._checked(check.whole, "total_steps", total_steps, 1)
        elif epochs is not None and steps_per_epoch is not None:
            whole_epochs = self._checked(check.whole, "epochs", epochs, 1)
            per_epoch = self._checked(check.whole, "steps_per_epoch", steps_per_epoch, 1)
            self.total_steps = whole_epochs * per_epoch
        else:
            raise ValueError(
                f"{self._name}: you must define either total_steps OR (epochs AND steps_per_epoch)"
            )
        pct = self._checked(check.in_range, "pct_start", pct_start, 0.0, 1.0, high_open=False)
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(
                f"{self._name}: anneal_strategy must be one of 'cos' or 'linear', got "
                f"{anneal_strategy!r}"
            )
        self._anneal_func_type = anneal_strategy
        up = float(pct * self.total_steps) - 1
        if three_phase:
            self._schedule_phases = [
                _phase(up, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
                _phase(
                    float(2 * pct * self.total_steps) - 2,
                    "max_lr",
                    "initial_lr",
                    "base_momentum",
                    "max_momentum",
                ),
                _phase(
                    self.total_steps - 1, "initial_lr", "min_lr", "max_momentum", "max_momentum"
                ),
            ]
        else:
            self._schedule_phases = [
                _phase(up, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
                _phase(self.total_steps - 1, "max_lr", "min_lr", "base_momentum", "max_momentum"),
            ]
        max_lrs = self._per_group("max_lr", max_lr)
        if last_epoch == -1:
            for top, group in zip(max_lrs, optimizer.param_groups):
                group["initial_lr"] = top / div_factor
                group["max_lr"] = top
                group["min_lr"] = group["initial_lr"] / final_div_factor
        self.cycle_momentum = bool(cycle_momentum)
        if self.cycle_momentum:
            if "momentum" not in optimizer.defaults and "betas" not in optimizer.defaults:
                raise ValueError(
                    f"{self._name}: optimizer must support momentum or beta1 with "
                    "`cycle_momentum` option enabled"
                )
            self.use_beta1 = "betas" in optimizer.defaults
            tops = self._per_group("max_momentum", max_momentum)
            bases = self._per_group("base_momentum", base_momentum)
            if last_epoch == -1:
                for top, base, group in zip(tops, bases, optimizer.param_groups):
                    if self.use_beta1:
                        group["betas"] = (top, *group["betas"][1:])
                    else:
                        group["momentum"] = top
                    group["max_momentum"] = top
                    group["base_momentum"] = base
        super().__init__(optimizer, last_epoch)

    def _per_group(self, name: str, value: Any) -> list[float]:
        groups = len(self.optimizer.param_groups)
        if isinstance(value, (list, tuple)):
            if len(value) != groups:
                raise ValueError(
                    f"{self._name}: {name} must have the same length as optimizer.param_groups. "
                    f"{name} has {len(value)} values, param_groups has {groups}."
                )
            return [self._checked(check.real, name, v) for v in value]
        return [self._checked(check.real, name, value)] * groups

    def _anneal(self, start: float, end: float, pct: float) -> float:
        if self._anneal_func_type == "cos":
            return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)
        return (end - start) * pct + start

    def get_lr(self) -> list[float]:
        step = self.last_epoch
        if step > self.total_steps:
            raise ValueError(
                f"{self._name}: tried to step {step} times; the specified number of total steps "
                f"is {self.total_steps}"
            )
        lrs = []
        for group in self.optimizer.param_groups:
            start = 0.0
            for i, phase in enumerate(self._schedule_phases):
                end = phase["end_step"]
                if step <= end or i == len(self._schedule_phases) - 1:
                    pct = (step - start) / (end - start)
                    lr = self._anneal(group[phase["start_lr"]], group[phase["end_lr"]], pct)
                    if self.cycle_momentum:
                        momentum = self._anneal(
                            group[phase["start_momentum"]], group[phase["end_momentum"]], pct
                        )
                    break
                start = phase["end_step"]
            lrs.append(lr)
            if self.cycle_momentum:
                if self.use_beta1:
                    group["betas"] = (momentum, *group["betas"][1:])
                else:
                    group["momentum"] = momentum
        return lrs


def _phase(end_step: float, start_lr: str, end_lr: str, start_m: str, end_m: str) -> dict[str, Any]:
    return {
        "end_step": end_step,
        "start_lr": start_lr,
        "end_lr": end_lr,
        "start_momentum": start_m,
        "end_momentum": end_m,
    }


class ReduceLROnPlateau(LRScheduler):
    """``ReduceLROnPlateau(optimizer, mode='min', factor=0.1, patience=10, threshold=1e-4,
    threshold_mode='rel', cooldown=0, min_lr=0, eps=1e-8)``: multiply the learning rate by
    ``factor`` once a metric has stopped improving for more than ``patience`` epochs:
    ``scheduler.step(val_loss)`` after each epoch."""

    def __init__(
        self,
        optimizer: Optimizer,
        mode: str = "min",
        factor: float = 0.1,
        patience: int = 10,
        threshold: float = 1e-4,
        threshold_mode: str = "rel",
        cooldown: int = 0,
        min_lr: float | Sequence[float] = 0,
        eps: float = 1e-8,
    ) -> None:
        self.factor = self._checked(check.real, "factor", factor)
        if self.factor >= 1.0:
            raise ValueError(f"{self._name}: factor should be < 1.0, got {factor!r}")
        self.optimizer = self._check_optimizer(optimizer)
        groups = len(optimizer.param_groups)
        if isinstance(min_lr, (list, tuple)):
            if len(min_lr) != groups:
                raise ValueError(f"{self._name}: expected {groups} min_lrs, got {len(min_lr)}")
            self.default_min_lr: float | None = None
            self.min_lrs = [self._checked(check.non_negative, "min_lr", m) for m in min_lr]
        else:
            self.default_min_lr = self._checked(check.non_negative, "min_lr", min_lr)
            self.min_lrs = [self.default_min_lr] * groups
        self.patience = self._checked(check.whole, "patience", patience, 0)
        self.cooldown = self._checked(check.whole, "cooldown", cooldown, 0)
        self.eps = self._checked(check.non_negative, "eps", eps)
        self.last_epoch = 0
        self._last_lr = self._lrs()
        self._init_is_better(mode, threshold, threshold_mode)
        self._reset()

    def _init_is_better(self, mode: str, threshold: float, threshold_mode: str) -> None:
        if mode not in ("min", "max"):
            raise ValueError(f"{self._name}: mode must be 'min' or 'max', got {mode!r}")
        if threshold_mode not in ("rel", "abs"):
            raise ValueError(
                f"{self._name}: threshold_mode must be 'rel' or 'abs', got {threshold_mode!r}"
            )
        self.mode_worse = math.inf if mode == "min" else -math.inf
        self.mode = mode
        self.threshold = self._checked(check.real, "threshold", threshold)
        self.threshold_mode = threshold_mode

    def _reset(self) -> None:
        self.best = self.mode_worse
        self.cooldown_counter = 0
        self.num_bad_epochs = 0

    @property
    def in_cooldown(self) -> bool:
        return self.cooldown_counter > 0

    def _is_better(self, a: float, best: float) -> bool:
        if self.mode == "min" and self.threshold_mode == "rel":
            return a < best * (1.0 - self.threshold)
        if self.mode == "min":
            return a < best - self.threshold
        if self.threshold_mode == "rel":
            return a > best * (self.threshold + 1.0)
        return a > best + self.threshold

    def step(self, metrics: Any = None, epoch: int | None = None) -> None:  # type: ignore[override]
        """Record this epoch's ``metrics`` (a number or a one-element Tensor)."""
        if metrics is None:
            raise TypeError(
                f"{self._name}.step() needs the metric it watches: scheduler.step(val_loss)"
            )
        try:
            current = float(metrics)
        except (TypeError, ValueError):
            raise TypeError(
                f"{self._name}.step(): metrics must be a number, got {metrics!r:.40}"
            ) from None
        self.last_epoch = self.last_epoch + 1 if epoch is None else int(epoch)
        if self._is_better(current, self.best):
            self.best = current
            self.num_bad_epochs = 0
        else:
            self.num_bad_epochs += 1
        if self.in_cooldown:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0  # bad epochs in cooldown do not count
        if self.num_bad_epochs > self.patience:
            self._reduce_lr()
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0
        self._last_lr = self._lrs()

    def _reduce_lr(self) -> None:
        groups = self.optimizer.param_groups
        if len(groups) != len(self.min_lrs):
            if self.default_min_lr is None:
                raise RuntimeError(
                    f"{self._name}: the optimizer has {len(groups)} parameter groups, but "
                    f"min_lr was given for {len(self.min_lrs)}"
                )
            self.min_lrs = [self.default_min_lr] * len(groups)
        for i, group in enumerate(groups):
            old = float(group["lr"])
            new = max(old * self.factor, self.min_lrs[i])
            if old - new > self.eps:
                group["lr"] = new

    def get_lr(self) -> list[float]:
        return self._lrs()

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        super().load_state_dict(state_dict)
        self._init_is_better(self.mode, self.threshold, self.threshold_mode)


class SequentialLR(LRScheduler):
    """``SequentialLR(optimizer, schedulers, milestones)``: run ``schedulers[0]`` until epoch
    ``milestones[0]``, then ``schedulers[1]`` from its start, and so on (e.g. a LinearLR
    warm-up, then CosineAnnealingLR)."""

    def __init__(
        self,
        optimizer: Optimizer,
        schedulers: Sequence[LRScheduler],
        milestones: Sequence[int],
        last_epoch: int = -1,
    ) -> None:
        optimizer = self._check_optimizer(optimizer)
        schedulers = list(schedulers)
        if not schedulers:
            raise ValueError(f"{self._name}: expects at least one scheduler, but got none")
        for i, scheduler in enumerate(schedulers):
            if isinstance(scheduler, ReduceLROnPlateau):
                raise ValueError(
                    f"{self._name}: does not support ReduceLROnPlateau (its step() needs the "
                    f"metric), but got one at index {i}"
                )
            if not isinstance(scheduler, LRScheduler):
                raise TypeError(f"{self._name}: scheduler {i} is a {type(scheduler).__name__}")
            if scheduler.optimizer is not optimizer:
                raise ValueError(
                    f"{self._name}: expects all schedulers to belong to the same optimizer, but "
                    f"scheduler {type(scheduler).__name__} at index {i} has another"
                )
        milestones = [self._checked(check.whole, "milestone", m, 0) for m in milestones]
        if len(milestones) != len(schedulers) - 1:
            raise ValueError(
                f"{self._name}: expects one more scheduler than milestones, but got "
                f"{len(schedulers)} schedulers and {len(milestones)} milestones"
            )
        self._schedulers = schedulers
        self._milestones = milestones
        self.last_epoch = last_epoch + 1
        self.optimizer = optimizer
        for group in optimizer.param_groups:  # undo what the schedulers' constructors did
            group["lr"] = group["initial_lr"]
        for scheduler in self._all_below():
            scheduler.last_epoch -= 1
        first = bisect.bisect_right(milestones, 0)
        schedulers[first]._initial_step()
        self._last_lr = schedulers[first].get_last_lr()

    def _all_below(self) -> list[LRScheduler]:
        """The schedulers inside, and inside those (a SequentialLR of SequentialLRs)."""
        found: list[LRScheduler] = []
        stack: list[LRScheduler] = list(reversed(self._schedulers))
        while stack:
            s = stack.pop()
            if isinstance(s, SequentialLR):
                stack.extend(reversed(s._schedulers))
            else:
                found.append(s)
        return found

    def step(self) -> None:  # type: ignore[override]
        self.last_epoch += 1
        index = bisect.bisect_right(self._milestones, self.last_epoch)
        scheduler = self._schedulers[index]
        if index > 0 and self._milestones[index - 1] == self.last_epoch:
            scheduler._update_lr(0)  # a schedule starts: from its epoch 0
        else:
            scheduler.step()
        self._last_lr = scheduler.get_last_lr()

    def state_dict(self) -> dict[str, Any]:
        state = {
            key: list(value) if isinstance(value, list) else value
            for key, value in vars(self).items()
            if key not in ("optimizer", "_schedulers")
        }
        state["_schedulers"] = [s.state_dict() for s in self._schedulers]
        return state

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        state = dict(state_dict)
        inner = state.pop("_schedulers", None)
        if inner is None or len(inner) != len(self._schedulers):
            raise ValueError(
                f"{self._name}.load_state_dict(): expected the states of {len(self._schedulers)} "
                "schedulers under '_schedulers'"
            )
        super().load_state_dict(state)
        for scheduler, s in zip(self._schedulers, inner):
            scheduler.load_state_dict(s)


# torch.optim.lr_scheduler names dagrad does not have: asked for, they say so by name
_PYTORCH_ONLY = frozenset(
    ["ChainedScheduler", "CyclicLR", "MultiplicativeLR", "PolynomialLR", "SWALR"]
)


def __getattr__(name: str) -> Any:
    if name in _PYTORCH_ONLY:
        raise AttributeError(
            f"optim.lr_scheduler.{name}: PyTorch's torch.optim.lr_scheduler.{name} is not "
            "available in dagrad"
        )
    raise AttributeError(f"module 'optim.lr_scheduler' has no attribute {name!r}")
