"""dagrad's autograd engine: Value (scalars, micrograd's API) and Tensor (arrays, PyTorch's API)
on one graph core. ``import autograd as torch`` runs everyday PyTorch code."""

import builtins
import warnings
from typing import TYPE_CHECKING

from . import dtypes
from .anomaly import AnomalyError, detect_anomaly, is_anomaly_enabled
from .collector import gc_paused
from .creation import (
    BoolTensor,
    ByteTensor,
    DoubleTensor,
    FloatTensor,
    IntTensor,
    LongTensor,
    arange,
    as_tensor,
    empty,
    empty_like,
    eye,
    from_numpy,
    full,
    full_like,
    linspace,
    ones,
    ones_like,
    rand,
    rand_like,
    randint,
    randint_like,
    randn,
    randn_like,
    randperm,
    tensor,
    zeros,
    zeros_like,
)
from .devices import cuda, device, get_default_device, set_default_device
from .draw import draw_graph
from .dtypes import (
    bool_,
    can_cast,
    double,
    float16,
    float32,
    float64,
    get_default_dtype,
    half,
    int8,
    int16,
    int32,
    int64,
    long,
    promote_types,
    result_type,
    set_default_dtype,
    short,
    uint8,
)
from .gradcheck import GradcheckError, gradcheck, gradgradcheck
from .graph import Node, grad
from .modes import enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled
from .ops import *  # noqa: F403 - every op function is public, as torch.<op>
from .ops import linear, softmax_cross_entropy
from .random import Generator, get_rng_state, initial_seed, manual_seed, seed, set_rng_state
from .tensor import Tensor
from .value import Value

pow = power  # noqa: A001, F405 - torch.pow
Size = tuple  # torch.Size: a tensor's shape is a tuple
float = float32  # noqa: A001 - torch.float
int = int32  # noqa: A001 - torch.int
bool = bool_  # noqa: A001 - torch.bool


def is_tensor(obj: object) -> builtins.bool:
    return isinstance(obj, Tensor)


def numel(input: Tensor) -> builtins.int:
    return input.numel()


# --- more torch. names: functions of the Tensor methods, and what dagrad lacks -----------


def is_floating_point(input: Tensor) -> builtins.bool:
    return input.is_floating_point()


def detach(input: Tensor) -> Tensor:
    return input.detach()


_NOT_IN_DAGRAD = {
    **dict.fromkeys(
        (
            "complex32",
            "complex64",
            "complex128",
            "cfloat",
            "cdouble",
            "chalf",
            "complex",
            "view_as_complex",
            "view_as_real",
            "real",
            "imag",
            "angle",
            "conj",
            "polar",
        ),
        "complex numbers (dagrad has bool, integer and floating dtypes only)",
    ),
    "bfloat16": "the bfloat16 dtype (NumPy has none; use float16 or float32)",
    **dict.fromkeys(
        (
            "sparse",
            "sparse_coo_tensor",
            "sparse_csr_tensor",
            "sparse_csc_tensor",
            "sparse_coo",
            "sparse_csr",
        ),
        "sparse tensors (dagrad's tensors are dense NumPy arrays)",
    ),
    **dict.fromkeys(
        (
            "qint8",
            "quint8",
            "qint32",
            "quantize_per_tensor",
            "quantize_per_channel",
            "quantization",
        ),
        "quantized tensors",
    ),
    "jit": "TorchScript (torch.jit)",
    "fx": "torch.fx graph tracing (dagrad's graph is built as ops run: see draw_graph)",
    "distributed": "distributed training",
    "mps": "Apple GPUs (dagrad runs on the CPU)",
    "fft": "torch.fft",
}


if not TYPE_CHECKING:  # for type checkers a missing name stays an error, not an object

    def __getattr__(name: str) -> object:
        """Names of PyTorch that dagrad does not have: an error that says so."""
        if name in _NOT_IN_DAGRAD:
            raise AttributeError(
                f"autograd.{name}: dagrad does not support {_NOT_IN_DAGRAD[name]} (torch.{name})"
            )
        raise AttributeError(
            f"module 'autograd' has no attribute {name!r} (dagrad covers the everyday part of "
            f"PyTorch's API; torch.{name} is not part of it)"
        )


# NumPy warns about log(0), 0/0 and overflow; PyTorch gives inf/nan silently, and so does dagrad
# (detect_anomaly finds where a NaN came from). Only warnings raised in dagrad's own code are
# silenced, not those of the user's NumPy code.
warnings.filterwarnings("ignore", category=RuntimeWarning, module=r"autograd(\.|$)")
from .allocator import keep_freed_memory  # noqa: E402
from .anomaly import record_sites  # noqa: E402
from .compiler import CompiledStep, GuardError, compile  # noqa: E402, A004 - as torch.compile
from .draw.step_through import StepThrough, Timeline, step_through  # noqa: E402
from .function import Function, once_differentiable  # noqa: E402, F401 - custom ops

keep_freed_memory()  # glibc reuses freed array memory instead of faulting it back (allocator.py)
