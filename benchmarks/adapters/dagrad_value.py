"""dagrad's scalar engine on S1, S2 and S3 as a dagrad user writes them: each neuron one
``value_dot`` node (what ``nn.scalar.Neuron`` builds), sums with ``value_sum``. The same
numbers, added in the same order, as micrograd's code (dagrad_value_per_op runs that)."""

from __future__ import annotations

from autograd import Value, value_dot, value_sum

from . import dagrad_value_per_op as _per_op

LABEL = "dagrad Value"
version = _per_op.version
chain = _per_op.chain  # a chain of two-input ops has nothing to fuse


class MoonsMLP(_per_op.MoonsMLP):
    """S1 with a neuron as ``value_dot(w, x, b)``: one node instead of 2 * fan-in."""

    def _score(self, xi: list[Value]) -> Value:
        a = xi
        last = len(self.layers) - 1
        for li, (rows, bias) in enumerate(self.layers):
            zs = [value_dot(row, a, b) for row, b in zip(rows, bias)]
            a = zs if li == last else [z.relu() for z in zs]
        return a[0]

    def _loss(self) -> Value:
        losses = [(1 + -yi * self._score(xi)).relu() for xi, yi in zip(self.x, self.y)]
        data_loss = value_sum(losses) * (1.0 / len(losses))
        return data_loss + self.alpha * value_dot(self.params, self.params)


class WideSum(_per_op.WideSum):
    """S3 with the engine's own n-ary sum: n products and one sum node."""

    def __init__(self, a: list[float], b: list[float]) -> None:
        self.a = [Value(v) for v in a]
        self.b = [Value(v) for v in b]
        self.total = value_sum([x * y for x, y in zip(self.a, self.b)])
