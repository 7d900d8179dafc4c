"""Layers, losses and data tools on dagrad's Tensor (and nn.scalar on Value), PyTorch-style.

    import nn
    model = nn.MLP(64, [64], 10)           # Linear(64, 64), ReLU, Linear(64, 10)
    loss = nn.CrossEntropyLoss()(model(x), labels)

``nn.functional`` has the same activations and losses as functions, ``nn.init`` the weight
initialisers (``nn.init.manual_seed(n)`` makes runs repeatable), ``nn.data`` the DataLoader and
``lagged_pairs``, ``nn.scalar`` micrograd's Neuron/Layer/MLP on Values.
"""

from . import data, functional, init, scalar
from .activations import HardSigmoid, LeakyReLU, ReLU, Sigmoid, Tanh
from .data import DataLoader
from .layers import MLP, Flatten, Identity, Linear, Sequential
from .losses import BCEWithLogitsLoss, CrossEntropyLoss, L1Loss, MSELoss, MultiMarginLoss
from .module import IncompatibleKeys, Module, Parameter, StateDictError
from .serialization import CheckpointError, load, save

__all__ = [
    "MLP",
    "BCEWithLogitsLoss",
    "CheckpointError",
    "CrossEntropyLoss",
    "DataLoader",
    "Flatten",
    "HardSigmoid",
    "Identity",
    "IncompatibleKeys",
    "L1Loss",
    "LeakyReLU",
    "Linear",
    "MSELoss",
    "Module",
    "MultiMarginLoss",
    "Parameter",
    "ReLU",
    "Sequential",
    "Sigmoid",
    "StateDictError",
    "Tanh",
    "data",
    "functional",
    "init",
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
