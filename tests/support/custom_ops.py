"""Correct custom ops (autograd.Function) that the blame and bug-search tests build graphs of."""

from __future__ import annotations

from typing import Any

from autograd import Function


class Softplus(Function):
    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        ctx.save_for_backward(x)
        return (1.0 + x.exp()).log()

    @staticmethod
    def backward(ctx: Any, grad_out: Any) -> Any:
        (x,) = ctx.saved_tensors
        return grad_out * x.sigmoid()


class Mul(Function):
    @staticmethod
    def forward(ctx: Any, x: Any, y: Any) -> Any:
        ctx.save_for_backward(x, y)
        return x * y

    @staticmethod
    def backward(ctx: Any, grad_out: Any) -> Any:
        x, y = ctx.saved_tensors
        return grad_out * y, grad_out * x  # broadcast shapes are summed by Function
