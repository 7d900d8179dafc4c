"""Every op, each declared once with its rule and its facts, grouped by kind.

The Tensor type and its ops import each other: an op makes Tensors, and Tensor's methods call
the ops. ``tensor.py`` imports this package at its end, once the Tensor class exists, which is
the one import cycle in the engine.
"""

from .arithmetic import add, div, mul, neg, power, sub
from .arithmetic import divide, multiply, negative, subtract, true_divide
from .cumulative import cummax, cummin, cumprod, cumsum, logcumsumexp
from .conversion import astype, check_device, clone, copy_into, full_like_of, to
from .einsum import einsum
from .indexing import gather, getitem, index_put, nonzero, scatter_add
from .indexing import (
    chunk,
    index_select,
    masked_select,
    narrow,
    repeat_interleave,
    select,
    split,
    unbind,
)
from .layout import diag, diagonal, flip, fliplr, flipud, repeat, roll, trace, tril, triu
from .scatter import scatter
from .linalg import matmul, mm
from .linalg import addmm, bmm, dot, mv, outer
from .logic import (
    all,
    allclose,
    any,
    bitwise_and,
    bitwise_left_shift,
    bitwise_not,
    bitwise_or,
    bitwise_right_shift,
    bitwise_xor,
    count_nonzero,
    eq,
    equal,
    ge,
    greater,
    greater_equal,
    gt,
    isclose,
    isfinite,
    isinf,
    isnan,
    isneginf,
    isposinf,
    le,
    less,
    less_equal,
    logical_and,
    logical_not,
    logical_or,
    logical_xor,
    lt,
    ne,
    not_equal,
)
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
from .rounding import ceil, floor, floor_divide, fmod, remainder, round, sgn, sign, trunc
from .sorting import argsort, msort, sort, topk, unique
from .statistics import norm, prod, std, std_mean, var, var_mean
from .selection import clamp, clip, masked_fill, maximum, minimum, where
from .selection import clamp_max, clamp_min, lerp, nan_to_num
from .shape import (
    broadcast_to,
    cat,
    concat,
    concatenate,
    expand,
    flatten,
    moveaxis,
    movedim,
    permute,
    ravel,
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
from .unary import absolute
from .unary import erf, exp2, expm1, log1p, log2, log10, reciprocal, rsqrt, square
from .trig import (
    acos,
    acosh,
    arccos,
    arccosh,
    arcsin,
    arcsinh,
    arctan,
    arctan2,
    arctanh,
    asin,
    asinh,
    atan,
    atan2,
    atanh,
    cos,
    cosh,
    sin,
    sinh,
    tan,
)
from .scalar import value_dot, value_sum
from .spatial import *  # noqa: F403 - convolution, pooling, padding, resampling

__all__ = [name for name in dir() if not name.startswith("_")]
