"""gradcheck's inputs: checked in a float64 working copy, handed back exactly as they were."""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from ..graph import Node
from ..modes import mode
from ..tensor import Tensor
from ..value import Value


def check_settings(eps: float, atol: float, rtol: float) -> None:
    if not (isinstance(eps, (int, float)) and math.isfinite(eps) and eps > 0):
        raise ValueError(f"gradcheck(): eps must be a positive finite number, got {eps!r}")
    for name, tol in (("atol", atol), ("rtol", rtol)):
        if not (isinstance(tol, (int, float)) and math.isfinite(tol) and tol >= 0):
            raise ValueError(f"gradcheck(): {name} must be a finite number >= 0, got {tol!r}")


def check_callable(caller: str, fn: Any) -> None:
    if not callable(fn):
        raise TypeError(f"{caller}(): fn must be callable, got a {type(fn).__name__} ({fn!r:.40})")


def as_args(inputs: Any) -> tuple[Any, ...]:
    args = tuple(inputs) if isinstance(inputs, (list, tuple)) else (inputs,)
    seen: dict[int, int] = {}
    for i, x in enumerate(args):
        if isinstance(x, Node):
            if id(x) in seen:
                raise ValueError(
                    f"gradcheck(): input {seen[id(x)]} and input {i} are the same object; "
                    "pass it once and use it twice inside fn"
                )
            seen[id(x)] = i
    if not any(isinstance(x, Node) and x.requires_grad for x in args):
        raise ValueError(
            "gradcheck(): no input requires grad, so there is nothing to check; pass Values, "
            "or Tensors made with requires_grad=True"
        )
    return args


class Slot:
    """One checked input. ``fn`` sees a float64 working copy that the check perturbs; the
    original data object (never written to) and ``.grad`` are put back at the end."""

    def __init__(self, position: int, node: Node) -> None:
        self.position = position
        self.node = node
        self.original_data = node.data
        self.original_grad = node._grad
        self.is_value = isinstance(node, Value)
        self.base = np.array(node.data, dtype=np.float64)  # always a copy
        self.work = self.base.copy()
        self.shape: tuple[int, ...] = self.base.shape
        if not self.is_value:
            node.data = self.work

    def _sync(self) -> None:
        if self.is_value:
            self.node.data = float(self.work)

    def move_element(self, flat_index: int, step: float) -> None:
        self.work.flat[flat_index] = self.base.flat[flat_index] + step
        self._sync()

    def reset_element(self, flat_index: int) -> None:
        self.work.flat[flat_index] = self.base.flat[flat_index]
        self._sync()

    def move_along(self, direction: np.ndarray, step: float) -> None:
        np.add(self.base, step * direction, out=self.work)
        self._sync()

    def reset(self) -> None:
        np.copyto(self.work, self.base)
        self._sync()

    def restore(self) -> None:
        self.node.data = self.original_data
        self.node._grad = self.original_grad


class Float64Inputs:
    """Context manager: wrap the checked inputs in slots, warn about low precision, restore."""

    def __init__(self, args: tuple[Any, ...]) -> None:
        self.args = args
        self.slots: list[Slot] = []
        self.promoting = mode.promote_products

    def __enter__(self) -> list[Slot]:
        low = [
            f"input {i} ({x.data.dtype})"
            for i, x in enumerate(self.args)
            if isinstance(x, Tensor) and x.requires_grad and x.data.dtype.itemsize < 8
        ]
        if low:
            warnings.warn(
                f"gradcheck: {', '.join(low)} checked in float64, as finite differences in lower "
                "precision are too coarse; the inputs are restored exactly afterwards",
                UserWarning,
                stacklevel=3,
            )
        mode.promote_products = True  # the float64 copies may meet float32 weights in products
        try:
            for i, x in enumerate(self.args):
                if isinstance(x, Node) and x.requires_grad:
                    self.slots.append(Slot(i, x))
        except BaseException:
            self.__exit__()
            raise
        return self.slots

    def __exit__(self, *exc: object) -> None:
        mode.promote_products = self.promoting
        for slot in self.slots:
            slot.restore()
