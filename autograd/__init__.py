"""dagrad's autograd engine: Value (scalars, micrograd's API) and Tensor (arrays, PyTorch's API)
on one graph core. ``import autograd as torch`` runs everyday PyTorch code."""

import warnings

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
    randn,
    randn_like,
    randperm,
    tensor,
    zeros,
    zeros_like,
)
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
device = str  # torch.device('cpu') is the string 'cpu'
float = float32  # noqa: A001 - torch.float
int = int32  # noqa: A001 - torch.int
bool = bool_  # noqa: A001 - torch.bool


def is_tensor(obj: object) -> bool:
    return isinstance(obj, Tensor)


def numel(input: Tensor) -> int:
    return input.numel()


# NumPy warns about log(0), 0/0 and overflow; PyTorch gives inf/nan silently, and so does dagrad
# (detect_anomaly finds where a NaN came from). Only warnings raised in dagrad's own code are
# silenced, not those of the user's NumPy code.
warnings.filterwarnings("ignore", category=RuntimeWarning, module=r"autograd(\.|$)")

from .allocator import keep_freed_memory  # noqa: E402

keep_freed_memory()  # glibc reuses freed array memory instead of faulting it back (allocator.py)
