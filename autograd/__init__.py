"""dagrad's autograd engine: Value (scalars) and Tensor (arrays) on one graph core."""

from .anomaly import AnomalyError, detect_anomaly
from .collector import gc_paused
from .draw import draw_graph
from .gradcheck import GradcheckError, gradcheck, gradgradcheck
from .graph import enable_grad, grad, is_grad_enabled, no_grad
from .tensor import Tensor
from .tensor_ops import concatenate, maximum, minimum, stack, where
from .value import Value
from .value_sums import value_dot, value_sum

__all__ = [
    "GradcheckError",
    "gradcheck",
    "gradgradcheck",
    "AnomalyError",
    "detect_anomaly",
    "Tensor",
    "Value",
    "concatenate",
    "draw_graph",
    "enable_grad",
    "gc_paused",
    "grad",
    "is_grad_enabled",
    "maximum",
    "minimum",
    "no_grad",
    "stack",
    "value_dot",
    "value_sum",
    "where",
]
