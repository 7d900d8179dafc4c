"""Layers, losses and data tools on dagrad's Tensor (and nn.scalar on Value), PyTorch-style:
``import nn`` stands for ``import torch.nn as nn``.

    import nn
    model = nn.MLP(64, [64], 10)           # Linear(64, 64), ReLU, Linear(64, 10)
    loss = nn.CrossEntropyLoss()(model(x), labels)

``nn.functional`` has the activations and losses as functions, ``nn.init`` the weight
initialisers (drawing from autograd's generator: ``autograd.manual_seed(n)`` makes runs
repeatable), ``nn.utils`` gradient clipping, ``nn.data`` Dataset/DataLoader (PyTorch's
``torch.utils.data``) and ``lagged_pairs``, ``nn.save``/``nn.load`` checkpoints (never pickles),
``nn.scalar`` micrograd's Neuron/Layer/MLP on Values. A PyTorch layer dagrad does not have
raises an AttributeError that says so.
"""

from typing import Any

from . import data, functional, init, scalar, utils
from .activations import (
    CELU,
    ELU,
    GELU,
    SELU,
    HardSigmoid,
    Hardsigmoid,
    Hardswish,
    Hardtanh,
    LeakyReLU,
    LogSigmoid,
    LogSoftmax,
    Mish,
    ReLU,
    ReLU6,
    Sigmoid,
    SiLU,
    Softmax,
    Softmin,
    Softplus,
    Softsign,
    Tanh,
)
from .containers import ModuleDict, ModuleList, ParameterList, Sequential
from .data import DataLoader
from .layers import MLP, Dropout, Embedding, Flatten, Identity, Linear, Unflatten
from .losses import (
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    HuberLoss,
    KLDivLoss,
    L1Loss,
    MSELoss,
    MultiMarginLoss,
    NLLLoss,
    SmoothL1Loss,
)
from .module import IncompatibleKeys, Module, Parameter, StateDictError
from .normalization import BatchNorm1d, LayerNorm
from .serialization import CheckpointError, load, save

# torch.nn names dagrad does not have (yet): asked for, they say so by name
_PYTORCH_ONLY = frozenset(
    """
    AdaptiveAvgPool1d AdaptiveAvgPool2d AdaptiveAvgPool3d AdaptiveLogSoftmaxWithLoss
    AdaptiveMaxPool1d AdaptiveMaxPool2d AdaptiveMaxPool3d AlphaDropout AvgPool1d AvgPool2d AvgPool3d
    BatchNorm2d BatchNorm3d Bilinear ChannelShuffle CircularPad1d CircularPad2d ConstantPad1d
    ConstantPad2d Conv1d Conv2d Conv3d ConvTranspose1d ConvTranspose2d ConvTranspose3d
    CosineEmbeddingLoss CosineSimilarity CTCLoss DataParallel Dropout1d Dropout2d Dropout3d
    EmbeddingBag FeatureAlphaDropout Fold FractionalMaxPool2d GaussianNLLLoss GLU GroupNorm GRU
    GRUCell Hardshrink HingeEmbeddingLoss InstanceNorm1d InstanceNorm2d LazyLinear
    LocalResponseNorm LPPool2d LSTM LSTMCell MarginRankingLoss MaxPool1d MaxPool2d MaxPool3d
    MaxUnpool2d MultiheadAttention MultiLabelMarginLoss MultiLabelSoftMarginLoss ParameterDict
    PixelShuffle PoissonNLLLoss PReLU ReflectionPad1d ReflectionPad2d ReplicationPad2d RMSNorm RNN
    RNNCell RReLU Softmax2d Softshrink SoftMarginLoss SyncBatchNorm Tanhshrink Threshold
    Transformer TransformerDecoder TransformerDecoderLayer TransformerEncoder
    TransformerEncoderLayer TripletMarginLoss Unfold Upsample UpsamplingBilinear2d
    UpsamplingNearest2d ZeroPad2d parallel
    """.split()
)


def __getattr__(name: str) -> Any:
    if name in _PYTORCH_ONLY:
        raise AttributeError(f"nn.{name}: PyTorch's torch.nn.{name} is not available in dagrad")
    raise AttributeError(f"module 'nn' has no attribute {name!r}")


__all__ = [
    "CELU",
    "ELU",
    "GELU",
    "MLP",
    "SELU",
    "BCELoss",
    "BCEWithLogitsLoss",
    "BatchNorm1d",
    "CheckpointError",
    "CrossEntropyLoss",
    "DataLoader",
    "Dropout",
    "Embedding",
    "Flatten",
    "HardSigmoid",
    "Hardsigmoid",
    "Hardswish",
    "Hardtanh",
    "HuberLoss",
    "Identity",
    "IncompatibleKeys",
    "KLDivLoss",
    "L1Loss",
    "LayerNorm",
    "LeakyReLU",
    "Linear",
    "LogSigmoid",
    "LogSoftmax",
    "MSELoss",
    "Mish",
    "Module",
    "ModuleDict",
    "ModuleList",
    "MultiMarginLoss",
    "NLLLoss",
    "Parameter",
    "ParameterList",
    "ReLU",
    "ReLU6",
    "SiLU",
    "Sequential",
    "Sigmoid",
    "SmoothL1Loss",
    "Softmax",
    "Softmin",
    "Softplus",
    "Softsign",
    "StateDictError",
    "Tanh",
    "Unflatten",
    "data",
    "functional",
    "init",
    "utils",
    "load",
    "save",
    "scalar",
]

# convolution, pooling and resizing layers (nn/conv.py)
from .conv import (  # noqa: E402
    AdaptiveAvgPool1d,
    AdaptiveAvgPool2d,
    AdaptiveMaxPool2d,
    AvgPool1d,
    AvgPool2d,
    Conv1d,
    Conv2d,
    ConvTranspose1d,
    ConvTranspose2d,
    MaxPool1d,
    MaxPool2d,
    Upsample,
)

__all__ += [
    "AdaptiveAvgPool1d",
    "AdaptiveAvgPool2d",
    "AdaptiveMaxPool2d",
    "AvgPool1d",
    "AvgPool2d",
    "Conv1d",
    "Conv2d",
    "ConvTranspose1d",
    "ConvTranspose2d",
    "MaxPool1d",
    "MaxPool2d",
    "Upsample",
]

_PYTORCH_ONLY = _PYTORCH_ONLY - set(globals())  # the conv layers above are here now

# moving a model to PyTorch and back (nn/bridge/; PyTorch is imported only when called)
from .bridge import TranslationError, from_torch, to_torch  # noqa: E402

__all__ += ["TranslationError", "from_torch", "to_torch"]

# a model as an ONNX file (nn/onnx_export/; the onnx package is imported only when called)
from .onnx_export import ExportError, export_onnx  # noqa: E402

__all__ += ["ExportError", "export_onnx"]
