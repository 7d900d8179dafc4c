"""PyTorch as the oracle for nn: run one call, written once for both libraries, on dagrad and
on PyTorch from the same numbers, and compare values, gradients and second derivatives.

A call is ``call(lib, *inputs)`` where ``lib.F``, ``lib.nn`` and ``lib.t`` are
``nn.functional``, ``nn`` and ``autograd`` for dagrad, and ``torch.nn.functional``, ``torch.nn``
and ``torch`` for PyTorch.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

import autograd
import nn

torch = pytest.importorskip("torch")

DAGRAD = SimpleNamespace(t=autograd, F=nn.functional, nn=nn, name="dagrad")
TORCH = SimpleNamespace(t=torch, F=torch.nn.functional, nn=torch.nn, name="torch")


def numbers(x: Any) -> np.ndarray:
    if x is None:
        return None  # type: ignore[return-value]
    if isinstance(x, autograd.Tensor):
        return np.asarray(x.data)
    if hasattr(x, "detach"):  # PyTorch may give a "ZeroTensor", which has no numpy()
        return np.zeros(tuple(x.shape)) if x._is_zerotensor() else x.detach().numpy()
    return np.asarray(x)


def close(ours: Any, theirs: Any, rtol: float, atol: float, what: str) -> None:
    a, b = numbers(ours), numbers(theirs)
    assert a.shape == b.shape, f"{what}: shape {a.shape}, PyTorch {b.shape}"
    np.testing.assert_allclose(a, b, rtol=rtol, atol=atol, err_msg=what, equal_nan=True)


def same_dtype(ours: Any, theirs: Any, what: str) -> None:
    assert str(ours.dtype) == str(theirs.dtype).replace("torch.", ""), (
        f"{what}: dtype {ours.dtype}, PyTorch {theirs.dtype}"
    )


def inputs(arrays: list[Any], grad: list[bool], dtype: Any) -> tuple[list[Any], list[Any]]:
    """The same numbers as dagrad and PyTorch tensors; floats are cast to ``dtype``."""
    ours, theirs = [], []
    for a, g in zip(arrays, grad):
        arr = np.asarray(a)
        if arr.dtype.kind == "f":
            arr = arr.astype(dtype)
        ours.append(autograd.tensor(arr, requires_grad=g))
        theirs.append(torch.tensor(arr, requires_grad=g))
    return ours, theirs


def compare(
    call: Any,
    *arrays: Any,
    grad: list[bool] | None = None,
    order: int = 2,
    dtype: Any = np.float64,
    rtol: float | None = None,
    atol: float | None = None,
    seed: int = 0,
) -> None:
    """``call`` on dagrad and on PyTorch: the same output (value and dtype), the same gradient
    of a random weighting of the output (``order`` >= 1) and the same second derivatives
    (``order`` >= 2). ``grad`` says which inputs to differentiate (default: the floating ones)."""
    single = dtype == np.float32
    rtol = rtol if rtol is not None else (2e-5 if single else 1e-9)
    atol = atol if atol is not None else (2e-6 if single else 1e-11)
    if grad is None:
        grad = [np.asarray(a).dtype.kind == "f" for a in arrays]
    ours_in, theirs_in = inputs(list(arrays), grad, dtype)
    ours, theirs = call(DAGRAD, *ours_in), call(TORCH, *theirs_in)
    same_dtype(ours, theirs, "output")
    close(ours, theirs, rtol, atol, "output")
    pos = [i for i, g in enumerate(grad) if g]
    if order < 1 or not pos or not theirs.requires_grad:
        return
    rng = np.random.default_rng(seed)
    w = rng.normal(size=tuple(theirs.shape)).astype(dtype)
    first = []
    for lib, ins, out, differentiate in (
        (autograd, ours_in, ours, autograd.grad),
        (torch, theirs_in, theirs, torch.autograd.grad),
    ):
        loss = (out * lib.tensor(w)).sum()
        first.append(
            differentiate(loss, [ins[i] for i in pos], create_graph=order >= 2, allow_unused=True)
        )
    for k, (a, b) in enumerate(zip(*first)):
        ref = b if b is not None else a
        if ref is None:
            continue
        a = np.zeros(ref.shape) if a is None else a
        b = np.zeros(ref.shape) if b is None else b
        close(a, b, rtol * 10, atol * 10, f"gradient of input {pos[k]}")
        if not single:
            continue
        same_dtype(a, b, f"gradient of input {pos[k]}")
    if order < 2:
        return
    vs = [rng.normal(size=ours_in[i].shape).astype(dtype) for i in pos]
    second = []
    for lib, ins, grads, differentiate in (
        (autograd, ours_in, first[0], autograd.grad),
        (torch, theirs_in, first[1], torch.autograd.grad),
    ):
        terms = [
            (g * lib.tensor(v)).sum()
            for g, v in zip(grads, vs)
            if g is not None and g.requires_grad
        ]
        if not terms:
            second.append([None] * len(pos))
            continue
        second.append(
            differentiate(sum(terms[1:], terms[0]), [ins[i] for i in pos], allow_unused=True)
        )
    for k, (a, b) in enumerate(zip(*second)):
        ref = b if b is not None else a
        if ref is None:
            continue
        a = np.zeros(ref.shape) if a is None else a
        b = np.zeros(ref.shape) if b is None else b
        close(a, b, rtol * 100, atol * 100, f"second derivative of input {pos[k]}")


def away_from(values: np.ndarray, points: tuple[float, ...], gap: float = 1e-3) -> np.ndarray:
    """``values`` nudged off the given points (corners where one-sided slopes differ)."""
    out = np.array(values, dtype=np.float64)
    for p in points:
        near = np.abs(out - p) < gap
        out[near] = p + np.where(out[near] >= p, gap, -gap) * 2
    return out
