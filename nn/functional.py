"""Activations, losses and layer functions (``import nn.functional as F``), with PyTorch's names,
arguments, defaults and results.

Everything is composed from the engine's differentiable ops, so gradients (and gradients of
gradients) come from the engine's rules; nothing here writes a backward pass. relu, sigmoid and
tanh also accept a Value; the rest work on Tensors. A PyTorch function dagrad does not have
raises an AttributeError that says so.
"""

from __future__ import annotations

from typing import Any

from autograd import linear

from .functional_activations import (
    celu,
    elu,
    gelu,
    hard_sigmoid,
    hardsigmoid,
    hardswish,
    hardtanh,
    leaky_relu,
    log_softmax,
    logsigmoid,
    mish,
    normalize,
    relu,
    relu6,
    selu,
    sigmoid,
    silu,
    softmax,
    softmin,
    softplus,
    softsign,
    tanh,
)
from .functional_checks import check_number, check_reduction
from .functional_conv import *  # noqa: F403 - convolution, pooling, pad, interpolate, unfold/fold
from .functional_conv import __all__ as _conv_names
from .functional_layers import batch_norm, dropout, embedding, layer_norm, one_hot
from .functional_losses import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    huber_loss,
    kl_div,
    l1_loss,
    mse_loss,
    multi_margin_loss,
    nll_loss,
    smooth_l1_loss,
)

__all__ = [
    "batch_norm",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "celu",
    "check_number",
    "check_reduction",
    "cross_entropy",
    "dropout",
    "elu",
    "embedding",
    "gelu",
    "hard_sigmoid",
    "hardsigmoid",
    "hardswish",
    "hardtanh",
    "huber_loss",
    "kl_div",
    "l1_loss",
    "layer_norm",
    "leaky_relu",
    "linear",
    "log_softmax",
    "logsigmoid",
    "mish",
    "mse_loss",
    "multi_margin_loss",
    "nll_loss",
    "normalize",
    "one_hot",
    "relu",
    "relu6",
    "selu",
    "sigmoid",
    "silu",
    "smooth_l1_loss",
    "softmax",
    "softmin",
    "softplus",
    "softsign",
    "tanh",
]

# torch.nn.functional names dagrad does not have (yet): asked for, they say so by name
_PYTORCH_ONLY = frozenset(
    """
    adaptive_avg_pool1d adaptive_avg_pool2d adaptive_avg_pool3d adaptive_max_pool1d
    adaptive_max_pool2d adaptive_max_pool3d affine_grid alpha_dropout avg_pool1d avg_pool2d
    avg_pool3d bilinear channel_shuffle conv1d conv2d conv3d conv_tbc conv_transpose1d
    conv_transpose2d conv_transpose3d cosine_embedding_loss cosine_similarity ctc_loss dropout1d
    dropout2d dropout3d embedding_bag feature_alpha_dropout fold fractional_max_pool2d
    fractional_max_pool3d gaussian_nll_loss glu grid_sample group_norm gumbel_softmax hardshrink
    hinge_embedding_loss instance_norm interpolate local_response_norm lp_pool1d lp_pool2d
    lp_pool3d margin_ranking_loss max_pool1d max_pool2d max_pool3d max_unpool1d max_unpool2d
    max_unpool3d multi_head_attention_forward multilabel_margin_loss multilabel_soft_margin_loss
    pad pairwise_distance pdist pixel_shuffle pixel_unshuffle poisson_nll_loss prelu rms_norm
    rrelu scaled_dot_product_attention soft_margin_loss softshrink tanhshrink threshold
    triplet_margin_loss triplet_margin_with_distance_loss unfold upsample upsample_bilinear
    upsample_nearest elu_ celu_ selu_ relu_ hardtanh_ leaky_relu_ rrelu_ threshold_
    """.split()
) - set(_conv_names)


def __getattr__(name: str) -> Any:
    if name in _PYTORCH_ONLY:
        raise AttributeError(
            f"nn.functional.{name}: PyTorch's torch.nn.functional.{name} is not available in dagrad"
        )
    raise AttributeError(f"module 'nn.functional' has no attribute {name!r}")
