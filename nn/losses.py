"""Loss layers: Modules that hold a loss's settings and call nn.functional, with PyTorch's
arguments (the deprecated ``size_average``/``reduce`` included).

Each takes ``reduction``: 'mean' (the default), 'sum', or 'none' (one loss per element/example).
Class weights and ``pos_weight`` are kept as buffers, as PyTorch does.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Tensor

from . import functional as F
from .functional_checks import REDUCTIONS
from .functional_losses import legacy_reduction
from .module import Module


def _weight_buffer(value: Any) -> Tensor | None:
    if value is None or isinstance(value, Tensor):
        return value
    return Tensor(np.asarray(value))


class _Loss(Module):
    def __init__(
        self,
        size_average: Any = None,
        reduce: Any = None,
        reduction: str = "mean",
        allowed: tuple[str, ...] = REDUCTIONS,
    ) -> None:
        super().__init__()
        self.reduction = F.check_reduction(
            legacy_reduction(size_average, reduce, reduction), allowed
        )

    def extra_repr(self) -> str:
        return "" if self.reduction == "mean" else f"reduction={self.reduction!r}"


class _WeightedLoss(_Loss):
    def __init__(
        self,
        weight: Any = None,
        size_average: Any = None,
        reduce: Any = None,
        reduction: str = "mean",
    ) -> None:
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", _weight_buffer(weight))


class MSELoss(_Loss):
    """Mean squared error: mean((input - target)^2)."""

    def forward(self, input: Any, target: Any) -> Tensor:
        return F.mse_loss(input, target, reduction=self.reduction)


class L1Loss(_Loss):
    """Mean absolute error (the lecture's MAE): mean(|input - target|)."""

    def forward(self, input: Any, target: Any) -> Tensor:
        return F.l1_loss(input, target, reduction=self.reduction)


class HuberLoss(_Loss):
    """Squared error within ``delta`` of the target, linear beyond it."""

    def __init__(self, reduction: str = "mean", delta: float = 1.0) -> None:
        super().__init__(reduction=reduction)
        self.delta = F.check_number("HuberLoss", "delta", delta)

    def forward(self, input: Any, target: Any) -> Tensor:
        return F.huber_loss(input, target, reduction=self.reduction, delta=self.delta)


class SmoothL1Loss(_Loss):
    """Huber's loss divided by ``beta``: squared within beta of the target, then |d| - beta/2."""

    def __init__(
        self,
        size_average: Any = None,
        reduce: Any = None,
        reduction: str = "mean",
        beta: float = 1.0,
    ) -> None:
        super().__init__(size_average, reduce, reduction)
        self.beta = F.check_number("SmoothL1Loss", "beta", beta)

    def forward(self, input: Any, target: Any) -> Tensor:
        return F.smooth_l1_loss(input, target, reduction=self.reduction, beta=self.beta)


class KLDivLoss(_Loss):
    """KL divergence of log-probabilities ``input`` from ``target``; use reduction='batchmean'
    for the mathematical KL divergence per example."""

    def __init__(
        self,
        size_average: Any = None,
        reduce: Any = None,
        reduction: str = "mean",
        log_target: bool = False,
    ) -> None:
        super().__init__(size_average, reduce, reduction, ("mean", "batchmean", "sum", "none"))
        self.log_target = bool(log_target)

    def forward(self, input: Any, target: Any) -> Tensor:
        return F.kl_div(input, target, reduction=self.reduction, log_target=self.log_target)


class NLLLoss(_WeightedLoss):
    """Negative log-likelihood of class indices under log-probabilities (log_softmax's output)."""

    def __init__(
        self,
        weight: Any = None,
        size_average: Any = None,
        ignore_index: int = -100,
        reduce: Any = None,
        reduction: str = "mean",
    ) -> None:
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = int(ignore_index)

    def forward(self, input: Any, target: Any) -> Tensor:
        return F.nll_loss(
            input, target, self.weight, ignore_index=self.ignore_index, reduction=self.reduction
        )


class CrossEntropyLoss(_WeightedLoss):
    """Softmax cross-entropy from logits (N, C) and integer class indices (N,) or class
    probabilities (N, C); see nn.functional.cross_entropy."""

    def __init__(
        self,
        weight: Any = None,
        size_average: Any = None,
        ignore_index: int = -100,
        reduce: Any = None,
        reduction: str = "mean",
        label_smoothing: float = 0.0,
    ) -> None:
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = int(ignore_index)
        self.label_smoothing = F.check_number(
            "CrossEntropyLoss", "label_smoothing", label_smoothing
        )

    def forward(self, input: Any, target: Any) -> Tensor:
        return F.cross_entropy(
            input,
            target,
            self.weight,
            ignore_index=self.ignore_index,
            reduction=self.reduction,
            label_smoothing=self.label_smoothing,
        )


class BCELoss(_WeightedLoss):
    """Binary cross-entropy of probabilities in [0, 1] against targets in [0, 1]."""

    def forward(self, input: Any, target: Any) -> Tensor:
        return F.binary_cross_entropy(input, target, self.weight, reduction=self.reduction)


class BCEWithLogitsLoss(_Loss):
    """Binary cross-entropy from logits, with targets in [0, 1] of the input's shape;
    ``pos_weight`` (one per class) weighs the positive examples."""

    def __init__(
        self,
        weight: Any = None,
        size_average: Any = None,
        reduce: Any = None,
        reduction: str = "mean",
        pos_weight: Any = None,
    ) -> None:
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", _weight_buffer(weight))
        self.register_buffer("pos_weight", _weight_buffer(pos_weight))

    def forward(self, input: Any, target: Any) -> Tensor:
        return F.binary_cross_entropy_with_logits(
            input, target, self.weight, reduction=self.reduction, pos_weight=self.pos_weight
        )


class MultiMarginLoss(_WeightedLoss):
    """The multi-class SVM max-margin (hinge) loss; see nn.functional.multi_margin_loss."""

    def __init__(
        self,
        p: int = 1,
        margin: float = 1.0,
        weight: Any = None,
        size_average: Any = None,
        reduce: Any = None,
        reduction: str = "mean",
    ) -> None:
        super().__init__(weight, size_average, reduce, reduction)
        if p not in (1, 2):
            raise ValueError(f"MultiMarginLoss(): p must be 1 or 2, got {p!r}")
        self.p = p
        self.margin = float(margin)

    def forward(self, input: Any, target: Any) -> Tensor:
        return F.multi_margin_loss(
            input, target, self.p, self.margin, self.weight, reduction=self.reduction
        )

    def extra_repr(self) -> str:
        settings = [f"p={self.p}", f"margin={self.margin}"]
        return ", ".join(settings + ([super().extra_repr()] if super().extra_repr() else []))
