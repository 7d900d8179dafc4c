"""Convolution, pooling and resizing layers with PyTorch's names, arguments, parameter shapes and
default initialisation, so state dicts load both ways.

    Conv1d, Conv2d, ConvTranspose1d, ConvTranspose2d, MaxPool1d, MaxPool2d, AvgPool1d,
    AvgPool2d, AdaptiveAvgPool1d, AdaptiveAvgPool2d, AdaptiveMaxPool2d, Upsample

Each layer calls one function of ``nn.functional`` (one node in the graph).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd import Tensor

from . import functional_conv as F
from . import init
from .functional_checks import is_int
from .layers import _as_input, _float_dtype, _size
from .module import Module, Parameter

PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


def _tuple(layer: str, name: str, value: Any, dims: int) -> tuple[int, ...]:
    values = tuple(value) if isinstance(value, (tuple, list)) else (value,) * dims
    if len(values) != dims or not all(is_int(v) for v in values):
        raise TypeError(
            f"{layer}(): {name} must be an integer or {dims} integers, got {value!r:.40}"
        )
    return tuple(int(v) for v in values)


class _ConvNd(Module):
    """What Conv1d/Conv2d and their transposes share: channels, kernel, hyper-parameters, and
    PyTorch's initialisation (kaiming_uniform_ with a = sqrt(5) for the weight, U(-1/sqrt(fan_in),
    1/sqrt(fan_in)) for the bias, fan_in counted on the weight's dim 1 times the kernel)."""

    dims = 2
    transposed = False

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: Any,
        stride: Any,
        padding: Any,
        dilation: Any,
        groups: int,
        bias: bool,
        padding_mode: str,
        output_padding: Any = 0,
        device: Any = None,
        dtype: Any = np.float32,
    ) -> None:
        super().__init__()
        name, d = type(self).__name__, self.dims
        self.in_channels = _size(name, "in_channels", in_channels)
        self.out_channels = _size(name, "out_channels", out_channels)
        if not is_int(groups) or groups < 1:
            raise ValueError(f"{name}(): groups must be a positive integer, got {groups!r}")
        self.groups = int(groups)
        if self.in_channels % self.groups or self.out_channels % self.groups:
            raise ValueError(
                f"{name}(): in_channels ({self.in_channels}) and out_channels "
                f"({self.out_channels}) must both be divisible by groups ({self.groups})"
            )
        self.kernel_size = _tuple(name, "kernel_size", kernel_size, d)
        self.stride = _tuple(name, "stride", stride, d)
        self.dilation = _tuple(name, "dilation", dilation, d)
        self.output_padding = _tuple(name, "output_padding", output_padding, d)
        if isinstance(padding, str):
            if padding not in ("same", "valid") or self.transposed:
                raise ValueError(
                    f"{name}(): padding must be integers or 'same'/'valid', got {padding!r}"
                )
            if padding == "same" and any(s != 1 for s in self.stride):
                raise ValueError(
                    f"{name}(): padding='same' needs stride 1, got stride={self.stride}"
                )
            self.padding: Any = padding
        else:
            self.padding = _tuple(name, "padding", padding, d)
        if padding_mode not in PADDING_MODES or (self.transposed and padding_mode != "zeros"):
            allowed = ("zeros",) if self.transposed else PADDING_MODES
            raise ValueError(
                f"{name}(): padding_mode must be one of {allowed}, got {padding_mode!r}"
            )
        self.padding_mode = padding_mode
        dt = _float_dtype(name, dtype)
        if self.transposed:
            shape = (self.in_channels, self.out_channels // self.groups, *self.kernel_size)
        else:
            shape = (self.out_channels, self.in_channels // self.groups, *self.kernel_size)
        self.weight = Parameter(np.empty(shape, dtype=dt))
        self.bias = Parameter(np.empty(self.out_channels, dtype=dt)) if bias else None
        self.reset_parameters()

    def reset_parameters(self, generator: np.random.Generator | None = None) -> None:
        """Draw fresh initial weights (from ``generator``, else nn.init's shared one)."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5), generator=generator)
        if self.bias is not None:
            fan_in, _ = init.fan_in_and_fan_out(self.weight)
            bound = 1.0 / math.sqrt(fan_in) if fan_in > 0 else 0.0
            init.uniform_(self.bias, -bound, bound, generator=generator)

    def extra_repr(self) -> str:
        text = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}"
        text += f", stride={self.stride}"
        if self.padding != (0,) * self.dims:
            text += f", padding={self.padding}"
        if self.dilation != (1,) * self.dims:
            text += f", dilation={self.dilation}"
        if self.output_padding != (0,) * self.dims:
            text += f", output_padding={self.output_padding}"
        if self.groups != 1:
            text += f", groups={self.groups}"
        if self.bias is None:
            text += ", bias=False"
        if self.padding_mode != "zeros":
            text += f", padding_mode={self.padding_mode}"
        return text


class _Conv(_ConvNd):
    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: Any,
        stride: Any = 1,
        padding: Any = 0,
        dilation: Any = 1,
        groups: int = 1,
        bias: bool = True,
        padding_mode: str = "zeros",
        device: Any = None,
        dtype: Any = np.float32,
    ) -> None:
        super().__init__(
            in_channels,
            out_channels,
            kernel_size,
            stride,
            padding,
            dilation,
            groups,
            bias,
            padding_mode,
            0,
            device,
            dtype,
        )

    def _pads(self) -> tuple[int, ...]:
        """F.pad's amounts for a padding_mode other than zeros (last dim first)."""
        if self.padding == "valid":
            pairs = [(0, 0)] * self.dims
        elif self.padding == "same":
            totals = [d * (k - 1) for k, d in zip(self.kernel_size, self.dilation)]
            pairs = [(t // 2, t - t // 2) for t in totals]
        else:
            pairs = [(p, p) for p in self.padding]
        return tuple(v for pair in reversed(pairs) for v in pair)

    def forward(self, x: Any) -> Tensor:
        x = _as_input(type(self).__name__, x)
        conv = F.conv1d if self.dims == 1 else F.conv2d
        if self.padding_mode != "zeros":
            x = F.pad(x, self._pads(), mode=self.padding_mode)
            return conv(x, self.weight, self.bias, self.stride, 0, self.dilation, self.groups)
        return conv(
            x, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups
        )


class Conv1d(_Conv):
    """1-d convolution over (N, C_in, L) inputs: weight (out_channels, in_channels / groups, k)."""

    dims = 1


class Conv2d(_Conv):
    """2-d convolution over (N, C_in, H, W) inputs: weight (out_channels, in_channels / groups,
    kh, kw), bias (out_channels,); ``padding`` an int, a pair, 'same' or 'valid';
    ``padding_mode`` 'zeros', 'reflect', 'replicate' or 'circular'."""

    dims = 2


class _ConvTranspose(_ConvNd):
    transposed = True

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: Any,
        stride: Any = 1,
        padding: Any = 0,
        output_padding: Any = 0,
        groups: int = 1,
        bias: bool = True,
        dilation: Any = 1,
        padding_mode: str = "zeros",
        device: Any = None,
        dtype: Any = np.float32,
    ) -> None:
        super().__init__(
            in_channels,
            out_channels,
            kernel_size,
            stride,
            padding,
            dilation,
            groups,
            bias,
            padding_mode,
            output_padding,
            device,
            dtype,
        )

    def _output_padding(self, x: Tensor, output_size: Any) -> tuple[int, ...]:
        """The output_padding that gives ``output_size`` (PyTorch's forward(x, output_size))."""
        if output_size is None:
            return self.output_padding
        size = tuple(output_size)[-self.dims :]
        extra = []
        for i, want in enumerate(size):
            n = x.shape[x.ndim - self.dims + i]
            least = (
                (n - 1) * self.stride[i]
                - 2 * self.padding[i]
                + self.dilation[i] * (self.kernel_size[i] - 1)
                + 1
            )
            if not least <= want < least + max(self.stride[i], self.dilation[i]):
                raise ValueError(
                    f"{type(self).__name__}: output_size {tuple(output_size)} is not reachable "
                    f"from an input of shape {tuple(x.shape)}: dim {i} can be {least} to "
                    f"{least + max(self.stride[i], self.dilation[i]) - 1}"
                )
            extra.append(want - least)
        return tuple(extra)

    def forward(self, x: Any, output_size: Any = None) -> Tensor:
        x = _as_input(type(self).__name__, x)
        conv = F.conv_transpose1d if self.dims == 1 else F.conv_transpose2d
        extra = self._output_padding(x, output_size)
        return conv(
            x, self.weight, self.bias, self.stride, self.padding, extra, self.groups, self.dilation
        )


class ConvTranspose1d(_ConvTranspose):
    """conv1d's transpose: weight (in_channels, out_channels / groups, k)."""

    dims = 1


class ConvTranspose2d(_ConvTranspose):
    """conv2d's transpose (a learned upsampling): weight (in_channels, out_channels / groups,
    kh, kw); ``forward(x, output_size=...)`` picks the output_padding that gives that size."""

    dims = 2


# --- pooling --------------------------------------------------------------------------------------


class _MaxPool(Module):
    dims = 2

    def __init__(
        self,
        kernel_size: Any,
        stride: Any = None,
        padding: Any = 0,
        dilation: Any = 1,
        return_indices: bool = False,
        ceil_mode: bool = False,
    ) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride is None else stride
        self.padding, self.dilation = padding, dilation
        self.return_indices, self.ceil_mode = return_indices, ceil_mode

    def forward(self, x: Any) -> Any:
        pool = F.max_pool1d if self.dims == 1 else F.max_pool2d
        return pool(
            _as_input(type(self).__name__, x),
            self.kernel_size,
            self.stride,
            self.padding,
            self.dilation,
            self.ceil_mode,
            self.return_indices,
        )

    def extra_repr(self) -> str:
        return (
            f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
            f"dilation={self.dilation}, ceil_mode={self.ceil_mode}"
        )


class MaxPool1d(_MaxPool):
    dims = 1


class MaxPool2d(_MaxPool):
    """The largest element of each kernel_size window (stride defaults to kernel_size)."""

    dims = 2


class _AvgPool(Module):
    dims = 2

    def __init__(
        self,
        kernel_size: Any,
        stride: Any = None,
        padding: Any = 0,
        ceil_mode: bool = False,
        count_include_pad: bool = True,
        divisor_override: Any = None,
    ) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride is None else stride
        self.padding, self.ceil_mode = padding, ceil_mode
        self.count_include_pad, self.divisor_override = count_include_pad, divisor_override

    def forward(self, x: Any) -> Tensor:
        x = _as_input(type(self).__name__, x)
        if self.dims == 1:
            return F.avg_pool1d(
                x,
                self.kernel_size,
                self.stride,
                self.padding,
                self.ceil_mode,
                self.count_include_pad,
            )
        return F.avg_pool2d(
            x,
            self.kernel_size,
            self.stride,
            self.padding,
            self.ceil_mode,
            self.count_include_pad,
            self.divisor_override,
        )

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AvgPool1d(_AvgPool):
    dims = 1

    def __init__(
        self,
        kernel_size: Any,
        stride: Any = None,
        padding: Any = 0,
        ceil_mode: bool = False,
        count_include_pad: bool = True,
    ) -> None:
        super().__init__(kernel_size, stride, padding, ceil_mode, count_include_pad)
        # PyTorch keeps AvgPool1d's sizes as 1-tuples (its repr shows them so)
        self.kernel_size, self.stride, self.padding = (
            _one(self.kernel_size),
            _one(self.stride),
            _one(self.padding),
        )


def _one(value: Any) -> Any:
    return tuple(value) if isinstance(value, (tuple, list)) else (value,)


class AvgPool2d(_AvgPool):
    """The mean of each kernel_size window, with PyTorch's divisors (count_include_pad,
    ceil_mode, divisor_override)."""

    dims = 2


class AdaptiveAvgPool1d(Module):
    def __init__(self, output_size: Any) -> None:
        super().__init__()
        self.output_size = output_size

    def forward(self, x: Any) -> Tensor:
        return F.adaptive_avg_pool1d(_as_input("AdaptiveAvgPool1d", x), self.output_size)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class AdaptiveAvgPool2d(AdaptiveAvgPool1d):
    """The mean of each of output_size windows per plane, whatever the input's size."""

    def forward(self, x: Any) -> Tensor:
        return F.adaptive_avg_pool2d(_as_input("AdaptiveAvgPool2d", x), self.output_size)


class AdaptiveMaxPool2d(Module):
    def __init__(self, output_size: Any, return_indices: bool = False) -> None:
        super().__init__()
        self.output_size, self.return_indices = output_size, return_indices

    def forward(self, x: Any) -> Any:
        return F.adaptive_max_pool2d(
            _as_input("AdaptiveMaxPool2d", x), self.output_size, self.return_indices
        )

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class Upsample(Module):
    """F.interpolate as a layer: size or scale_factor, mode 'nearest', 'nearest-exact',
    'linear', 'bilinear' (align_corners) or 'area'."""

    def __init__(
        self,
        size: Any = None,
        scale_factor: Any = None,
        mode: str = "nearest",
        align_corners: Any = None,
        recompute_scale_factor: Any = None,
    ) -> None:
        super().__init__()
        if isinstance(scale_factor, (tuple, list)):  # stored as floats, as PyTorch does
            scale_factor = tuple(float(f) for f in scale_factor)
        elif scale_factor is not None:
            scale_factor = float(scale_factor)
        self.size, self.scale_factor, self.mode = size, scale_factor, mode
        self.align_corners, self.recompute_scale_factor = align_corners, recompute_scale_factor

    def forward(self, x: Any) -> Tensor:
        return F.interpolate(
            _as_input("Upsample", x),
            self.size,
            self.scale_factor,
            self.mode,
            self.align_corners,
            self.recompute_scale_factor,
        )

    def extra_repr(self) -> str:
        shown = (
            f"scale_factor={self.scale_factor!r}" if self.scale_factor else f"size={self.size!r}"
        )
        return f"{shown}, mode={self.mode!r}"
