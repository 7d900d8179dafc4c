"""Optimizers and learning-rate schedules for dagrad parameters (Tensor and Value), with
PyTorch's update formulas, defaults and state-dict layout."""

from . import lr_scheduler
from .adagrad import Adagrad
from .adam import Adam, AdamW
from .optimizer import Optimizer
from .rmsprop import RMSprop
from .sgd import SGD

__all__ = ["Adagrad", "Adam", "AdamW", "Optimizer", "RMSprop", "SGD", "lr_scheduler"]
