"""Softmax cross-entropy as one op: -log softmax(logits)[target], reduced.

Written as log_softmax, then indexing, then a mean, it takes four nodes, and the backward pass
scatters the gradient into a zero array and recomputes the softmax. As one op the forward keeps
the softmax it computed, and the gradient with respect to the logits is the familiar
(softmax - onehot(target)) times the upstream gradient (divided by N for the mean), as PyTorch's
fused cross_entropy computes it. Under ``create_graph=True`` the rule rebuilds the softmax from
the logits node, so the gradient can be differentiated again.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .graph import rule
from .tensor import Tensor, _make

REDUCTIONS = ("mean", "sum", "none")


@rule("cross_entropy")
def _cross_entropy_rule(ctx: Any, g: Any, out: Any, logits: Any) -> tuple[Any]:
    targets, exps, totals, reduction = ctx
    rows = np.arange(len(targets))
    if isinstance(logits, Tensor):  # recording the gradient: the softmax as a node of it
        onehot = np.zeros_like(exps)
        onehot[rows, targets] = 1
        delta = logits.softmax(axis=1) - onehot
    else:
        delta = exps / totals  # the softmax, in a fresh array
        delta[rows, targets] -= 1
    if reduction == "none":
        return (delta * g.reshape((-1, 1)),)
    if reduction == "mean":
        g = g * (1.0 / len(targets))
    return (delta * g,)


def softmax_cross_entropy(logits: Tensor, targets: np.ndarray, reduction: str = "mean") -> Tensor:
    """-log softmax(logits)[i, targets[i]] for each row i of (N, C) ``logits`` (N >= 1), then
    the mean or sum over the rows ("none": the N losses). ``targets`` must be valid class
    indices, shape (N,): the caller (nn.functional.cross_entropy) checks them."""
    if reduction not in REDUCTIONS:
        raise ValueError(
            f"softmax_cross_entropy(): reduction must be one of {REDUCTIONS}, got {reduction!r}"
        )
    d = logits.data
    if d.dtype.kind != "f":
        raise TypeError(f"softmax_cross_entropy(): logits must be floating, got dtype {d.dtype}")
    rows = np.arange(len(targets))
    shifted = d - d.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    total = e.sum(axis=1, keepdims=True)
    losses = np.log(total[:, 0]) - shifted[rows, targets]
    if reduction == "mean":
        losses = np.asarray(losses.mean(), dtype=d.dtype)
    elif reduction == "sum":
        losses = np.asarray(losses.sum(), dtype=d.dtype)
    # the backward pass divides e by total again rather than keeping a copy of the softmax
    return _make(losses, (logits,), _cross_entropy_rule, (targets, e, total, reduction))
