"""Turning an op's declared checks (``autograd.op.Check``) into runnable cases, for dagrad and
for PyTorch alike: inputs drawn from each ``Arg``'s domain, the library namespace a check's
``call`` expects, and the cases of every registered op.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import Any

import numpy as np

import autograd
import nn
from autograd.op import AVOID_MARGIN, REGISTRY, Arg, Check, Op


class Dagrad:
    """What a check calls ``t`` when it runs on dagrad: autograd's names, plus ``t.nn``."""

    nn = nn

    def __getattr__(self, name: str) -> Any:
        return getattr(autograd, name)


DAGRAD = Dagrad()


@dataclass(frozen=True)
class Case:
    op: Op
    check: Check
    index: int

    @property
    def id(self) -> str:
        return f"{self.op.name}-{self.index}"

    def rng(self, salt: str = "") -> np.random.Generator:
        return np.random.default_rng(zlib.crc32((self.id + salt).encode()))


def all_cases() -> list[Case]:
    return [Case(op, c, i) for op in REGISTRY for i, c in enumerate(op.checks)]


def draw(arg: Arg, rng: np.random.Generator, scalar: bool = False) -> np.ndarray:
    """Float64 (or int64 / bool) data for one input, inside its domain."""
    shape = () if scalar else arg.shape
    size = int(np.prod(shape))
    if arg.kind == "index":
        return rng.integers(0, int(arg.high), shape).astype(np.int64)
    if arg.kind == "mask":
        return rng.random(shape) < 0.5
    if arg.kind == "int":
        return rng.integers(int(arg.low), int(arg.high), shape).astype(np.int64)
    if arg.distinct:  # a grid with steps well apart, shuffled: no ties, no near-ties
        grid = np.linspace(arg.low, arg.high, max(4 * size, 8))
        values = rng.choice(grid, size=size, replace=False)
    else:
        values = rng.uniform(arg.low, arg.high, size)
    for point in arg.avoid:  # push elements out of the band around a kink or a pole
        near = np.abs(values - point) < AVOID_MARGIN
        values = np.where(
            near, point + np.where(values >= point, 1, -1) * (AVOID_MARGIN + 0.05), values
        )
    return values.reshape(shape).astype(np.float64)


def differentiable(arg: Arg) -> bool:
    return arg.kind == "float" and arg.grad


def as_dagrad(
    arrays: list[np.ndarray], args: tuple[Arg, ...], dtype: Any = np.float64
) -> list[Any]:
    out = []
    for a, arg in zip(arrays, args):
        data = a.astype(dtype) if arg.kind == "float" else a
        out.append(autograd.tensor(data, requires_grad=differentiable(arg)))
    return out


def as_torch(
    torch: Any, arrays: list[np.ndarray], args: tuple[Arg, ...], dtype: Any = np.float64
) -> list[Any]:
    out = []
    for a, arg in zip(arrays, args):
        data = a.astype(dtype) if arg.kind == "float" else a
        out.append(torch.tensor(data, requires_grad=differentiable(arg)))
    return out


def outputs(result: Any) -> list[Any]:
    """A call's result as a list of tensors (an op may return a tuple, e.g. values and indices)."""
    return list(result) if isinstance(result, (tuple, list)) else [result]


def weights(case: Case, shapes: list[tuple[int, ...]]) -> list[np.ndarray]:
    """Fixed random weights for each output: a rule that ignores its upstream gradient cannot
    hide behind a gradient of ones."""
    rng = case.rng("weights")
    return [rng.normal(size=s) for s in shapes]
