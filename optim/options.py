"""Checks for optimizer and scheduler options: each returns the value or raises an error that
names the option, the rule it broke and the value it got. Callers add who is asking."""

from __future__ import annotations

import math
import numbers
from typing import Any


def real(name: str, value: Any) -> float:
    """A finite real number (bools are refused: ``lr=True`` is always a mistake, and an
    infinite rate or decay turns every weight into inf or nan at the first step)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__} ({value!r})")
    if math.isnan(value):
        raise ValueError(f"{name} must be a number, got nan")
    if math.isinf(value):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return float(value)


def non_negative(name: str, value: Any) -> float:
    number = real(name, value)
    if number < 0.0:
        raise ValueError(f"{name} must be >= 0, got {value!r}")
    return number


def positive(name: str, value: Any) -> float:
    number = real(name, value)
    if number <= 0.0:
        raise ValueError(f"{name} must be > 0, got {value!r}")
    return number


def in_range(name: str, value: Any, low: float, high: float, *, high_open: bool) -> float:
    """A number in [low, high) or [low, high]."""
    number = real(name, value)
    above = number >= high if high_open else number > high
    if number < low or above:
        bracket = ")" if high_open else "]"
        raise ValueError(f"{name} must be in [{low:g}, {high:g}{bracket}, got {value!r}")
    return number


def flag(name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be True or False, got {type(value).__name__} ({value!r})")
    return value


def whole(name: str, value: Any, minimum: int) -> int:
    """An integer (not a bool, not a float with an integral value) of at least ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__} ({value!r})")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value!r}")
    return int(value)


def betas(value: Any) -> tuple[float, float]:
    """Adam's (beta1, beta2): two numbers, each in [0, 1)."""
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        raise TypeError(f"betas must be a pair (beta1, beta2), got {value!r}")
    first = in_range("betas[0]", value[0], 0.0, 1.0, high_open=True)
    second = in_range("betas[1]", value[1], 0.0, 1.0, high_open=True)
    return first, second
