"""Checking gradients against finite differences: ``gradcheck`` and ``gradgradcheck``, and the
doctor (``blame``) that names the op whose rule is wrong when they fail."""

from .blame import Culprit, Diagnosis, ElementError, Site, blame
from .check import (
    GradcheckError,
    NondeterministicError,
    NondifferentiableWarning,
    gradcheck,
    gradgradcheck,
)

__all__ = [
    "Culprit",
    "Diagnosis",
    "ElementError",
    "GradcheckError",
    "NondeterministicError",
    "NondifferentiableWarning",
    "Site",
    "blame",
    "gradcheck",
    "gradgradcheck",
]
