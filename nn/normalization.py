"""Normalisation layers: LayerNorm (per example, over the last dims) and BatchNorm1d (per
channel, over the batch, with running statistics kept as buffers), as PyTorch's."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Tensor

from . import functional as F
from .functional_layers import normalized_dims
from .layers import _float_dtype, _size, check_device
from .module import Module, Parameter


class LayerNorm(Module):
    """(x - mean) / sqrt(var + eps) * weight + bias over the last dims ``normalized_shape``,
    separately for each example; weight starts at 1 and bias at 0."""

    def __init__(
        self,
        normalized_shape: Any,
        eps: float = 1e-5,
        elementwise_affine: bool = True,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        check_device("LayerNorm", device)
        self.normalized_shape = normalized_dims("LayerNorm", normalized_shape)
        self.eps = F.check_number("LayerNorm", "eps", eps)
        self.elementwise_affine = bool(elementwise_affine)
        dt = _float_dtype("LayerNorm", dtype)
        self.weight: Parameter | None = None
        self.bias: Parameter | None = None
        if self.elementwise_affine:
            self.weight = Parameter(np.ones(self.normalized_shape, dtype=dt))
            self.bias = Parameter(np.zeros(self.normalized_shape, dtype=dt)) if bias else None

    def reset_parameters(self) -> None:
        if self.weight is not None:
            self.weight.data[...] = 1.0
        if self.bias is not None:
            self.bias.data[...] = 0.0

    def forward(self, x: Any) -> Tensor:
        return F.layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (
            f"{self.normalized_shape}, eps={self.eps}, "
            f"elementwise_affine={self.elementwise_affine}, bias={self.bias is not None}"
        )


class BatchNorm1d(Module):
    """Normalise each of ``num_features`` channels of an (N, C) or (N, C, L) input.

    In training mode with the batch's mean and (biased) variance, and the running statistics
    (buffers ``running_mean``, ``running_var``, ``num_batches_tracked``, saved in the state dict)
    follow with ``momentum`` (None: a cumulative average); in evaluation mode with the running
    statistics. weight starts at 1, bias at 0.
    """

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
        device: Any = None,
        dtype: Any = None,
        *,
        bias: bool = True,
    ) -> None:
        super().__init__()
        check_device("BatchNorm1d", device)
        self.num_features = _size("BatchNorm1d", "num_features", num_features)
        self.eps = F.check_number("BatchNorm1d", "eps", eps)
        self.momentum = (
            None if momentum is None else F.check_number("BatchNorm1d", "momentum", momentum)
        )
        self.affine = bool(affine)
        self.track_running_stats = bool(track_running_stats)
        dt = _float_dtype("BatchNorm1d", dtype)
        c = self.num_features
        self.weight: Parameter | None = None
        self.bias: Parameter | None = None
        if self.affine:
            self.weight = Parameter(np.ones(c, dtype=dt))
            self.bias = Parameter(np.zeros(c, dtype=dt)) if bias else None
        if self.track_running_stats:
            self.register_buffer("running_mean", Tensor(np.zeros(c, dtype=dt)))
            self.register_buffer("running_var", Tensor(np.ones(c, dtype=dt)))
            self.register_buffer("num_batches_tracked", Tensor(np.array(0, dtype=np.int64)))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)

    def reset_running_stats(self) -> None:
        if self.track_running_stats:
            self.running_mean.data[...] = 0.0
            self.running_var.data[...] = 1.0
            self.num_batches_tracked.data[...] = 0

    def reset_parameters(self) -> None:
        self.reset_running_stats()
        if self.weight is not None:
            self.weight.data[...] = 1.0
        if self.bias is not None:
            self.bias.data[...] = 0.0

    def forward(self, x: Any) -> Tensor:
        x = x if isinstance(x, Tensor) else Tensor(x)
        if x.ndim not in (2, 3):
            raise ValueError(f"BatchNorm1d(): expected 2D or 3D input (got {x.ndim}D input)")
        if x.shape[1] != self.num_features:
            raise ValueError(
                f"BatchNorm1d({self.num_features}): input of shape {x.shape} has {x.shape[1]} "
                f"channels (dim 1), expected {self.num_features}"
            )
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats:
            self.num_batches_tracked.data += 1
            if self.momentum is None:  # the cumulative moving average
                factor = 1.0 / float(self.num_batches_tracked.data)
        use_batch = self.training or not self.track_running_stats
        return F.batch_norm(
            x,
            self.running_mean if not self.training or self.track_running_stats else None,
            self.running_var if not self.training or self.track_running_stats else None,
            self.weight,
            self.bias,
            use_batch,
            factor,
            self.eps,
        )

    def extra_repr(self) -> str:
        return (
            f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
            f"affine={self.affine}, bias={self.bias is not None}, "
            f"track_running_stats={self.track_running_stats}"
        )
