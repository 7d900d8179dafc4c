"""Every op, each declared once with its rule and its facts, grouped by kind.

The Tensor type and its ops import each other: an op makes Tensors, and Tensor's methods call
the ops. ``tensor.py`` imports this package at its end, once the Tensor class exists, which is
the one import cycle in the engine.
"""

from .arithmetic import (
    add,
    div,
    divide,
    mul,
    multiply,
    neg,
    negative,
    power,
    sub,
    subtract,
    true_divide,
)
from .conversion import astype, check_device, clone, copy_into, full_like_of, to
from .cumulative import cummax, cummin, cumprod, cumsum, logcumsumexp
from .einsum import einsum
from .indexing import (
    chunk,
    gather,
    getitem,
    index_put,
    index_select,
    masked_select,
    narrow,
    nonzero,
    repeat_interleave,
    scatter_add,
    select,
    split,
    unbind,
)
from .layout import diag, diagonal, flip, fliplr, flipud, repeat, roll, trace, tril, triu
from .linalg import addmm, bmm, dot, matmul, mm, mv, outer
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
    log_softmax,
    logsumexp,
    max,
    mean,
    min,
    softmax,
    sum,
)
from .rounding import ceil, floor, floor_divide, fmod, remainder, round, sgn, sign, trunc
from .scalar import value_dot, value_sum
from .scatter import scatter
from .selection import (
    clamp,
    clamp_max,
    clamp_min,
    clip,
    lerp,
    masked_fill,
    maximum,
    minimum,
    nan_to_num,
    where,
)
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
from .sorting import argsort, msort, sort, topk, unique
from .spatial import *  # noqa: F403 - convolution, pooling, padding, resampling
from .statistics import norm, prod, std, std_mean, var, var_mean
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
from .unary import (
    abs,
    absolute,
    erf,
    exp,
    exp2,
    expm1,
    log,
    log1p,
    log2,
    log10,
    reciprocal,
    relu,
    rsqrt,
    sigmoid,
    sqrt,
    square,
    tanh,
)
