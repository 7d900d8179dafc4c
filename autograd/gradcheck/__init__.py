"""Checking gradients against finite differences: ``gradcheck`` and ``gradgradcheck``."""

from .check import GradcheckError, NondifferentiableWarning, gradcheck, gradgradcheck

__all__ = ["GradcheckError", "NondifferentiableWarning", "gradcheck", "gradgradcheck"]
