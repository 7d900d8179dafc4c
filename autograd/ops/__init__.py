"""Every op, each declared once with its rule and its facts, grouped by kind.

The Tensor type and its ops import each other: an op makes Tensors, and Tensor's methods call
the ops. ``tensor.py`` imports this package at its end, once the Tensor class exists, which is
the one import cycle in the engine.
"""

from .arithmetic import add, div, mul, neg, power, sub
from .conversion import astype, check_device, clone, copy_into, full_like_of, to
from .indexing import gather, getitem, index_put, nonzero, scatter_add
from .linalg import matmul, mm
from .network import linear, softmax_cross_entropy
from .reductions import (
    amax,
    amin,
    argmax,
    argmin,
    logsumexp,
    log_softmax,
    max,
    mean,
    min,
    softmax,
    sum,
)
from .rounding import ceil, floor, floor_divide, fmod, remainder, round, sign, trunc
from .selection import clamp, clip, masked_fill, maximum, minimum, where
from .shape import (
    broadcast_to,
    cat,
    concat,
    concatenate,
    expand,
    flatten,
    permute,
    reshape,
    squeeze,
    stack,
    swapaxes,
    swapdims,
    t,
    transpose,
    unflatten,
    unsqueeze,
    view,
)
from .unary import abs, exp, log, relu, sigmoid, sqrt, tanh
from .scalar import value_dot, value_sum
from .spatial import *  # noqa: F403 - convolution, pooling, padding, resampling

__all__ = [name for name in dir() if not name.startswith("_")]
