"""autograd.Function: custom ops with PyTorch's API, on Tensor and Value graphs, with second
derivatives when backward is written with dagrad's ops and a clear refusal when it is not."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

import autograd
from autograd import (
    Function,
    Tensor,
    Value,
    detect_anomaly,
    draw_graph,
    grad,
    gradcheck,
    gradgradcheck,
    no_grad,
    once_differentiable,
)
from autograd.anomaly import AnomalyError
from tests.support.custom_ops import Softplus


def t(*values: Any) -> Tensor:
    return Tensor(np.array(values, dtype=np.float64), requires_grad=True)


class MySoftplus(Softplus):
    """The README's custom op (tests/support/custom_ops.py), under the README's name."""


class ScaledSoftplus(Function):
    """A non-tensor argument (beta), kept on ctx."""

    @staticmethod
    def forward(ctx: Any, x: Any, beta: float) -> Any:
        ctx.save_for_backward(x)
        ctx.beta = beta
        return (1.0 + (x * beta).exp()).log() / beta

    @staticmethod
    def backward(ctx: Any, grad_out: Any) -> Any:
        (x,) = ctx.saved_tensors
        return grad_out * (x * ctx.beta).sigmoid(), None


class Sigmoid(Function):
    """Saves its output, as PyTorch's sigmoid does."""

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        out = x.sigmoid()
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Any, grad_out: Any) -> Any:
        (out,) = ctx.saved_tensors
        return grad_out * out * (1.0 - out)


class TanhExp(Function):
    """Two outputs, both saved."""

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        th, e = x.tanh(), x.exp()
        ctx.save_for_backward(th, e)
        return th, e

    @staticmethod
    def backward(ctx: Any, grad_tanh: Any, grad_exp: Any) -> Any:
        th, e = ctx.saved_tensors
        return grad_tanh * (1.0 - th * th) + grad_exp * e


class MaxWithIndex(Function):
    """A differentiable output and a non-differentiable one (the index)."""

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        index = Tensor(np.array(int(np.argmax(x.data))))
        ctx.mark_non_differentiable(index)
        ctx.index = int(index.item())
        ctx.shape = x.shape
        return x.max(), index

    @staticmethod
    def backward(ctx: Any, grad_max: Any, grad_index: Any) -> Any:
        assert float(grad_index.sum()) == 0.0  # zeros for the index, materialized
        g = np.zeros(ctx.shape)
        g[ctx.index] = 1.0
        return grad_max * Tensor(g)


class RawSoftplus(Function):
    """backward written with NumPy: right to first order, no second derivative."""

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        ctx.save_for_backward(x)
        return Tensor(np.log1p(np.exp(x.data)))

    @staticmethod
    def backward(ctx: Any, grad_out: Any) -> Any:
        (x,) = ctx.saved_tensors
        return Tensor(grad_out.data / (1.0 + np.exp(-x.data)))


# --- first derivatives ----------------------------------------------------------------------------


def test_a_custom_op_records_one_node_named_after_its_class() -> None:
    x = t(-1.0, 0.5, 2.0)
    y = MySoftplus.apply(x)
    assert y.grad_fn is not None and y.grad_fn.name == "MySoftplus"
    assert "grad_fn=<MySoftplus>" in repr(y)
    np.testing.assert_allclose(y.data, np.log1p(np.exp(x.data)))
    y.sum().backward()
    np.testing.assert_allclose(x.grad.data, 1.0 / (1.0 + np.exp(-x.data)))


def test_forward_records_no_graph_of_its_own() -> None:
    seen = {}

    class Probe(Function):
        @staticmethod
        def forward(ctx: Any, x: Any) -> Any:
            inner = x * 2.0
            seen["inner"] = inner.requires_grad
            return inner

        @staticmethod
        def backward(ctx: Any, g: Any) -> Any:
            return g * 2.0

    y = Probe.apply(t(1.0))
    assert seen["inner"] is False and y.requires_grad and y.grad_fn.name == "Probe"


def test_gradcheck_and_gradgradcheck_pass_for_backward_written_with_dagrad_ops() -> None:
    x = t(-1.5, 0.25, 2.0)
    assert gradcheck(MySoftplus.apply, x)
    assert gradgradcheck(MySoftplus.apply, x)
    assert gradcheck(Sigmoid.apply, x) and gradgradcheck(Sigmoid.apply, x)
    assert gradcheck(lambda x: ScaledSoftplus.apply(x, 3.0), x)
    assert gradgradcheck(lambda x: ScaledSoftplus.apply(x, 3.0), x)


def test_value_graphs() -> None:
    v = Value(0.3)
    y = MySoftplus.apply(v) * 2.0
    y.backward()
    assert isinstance(y, Value)
    assert v.grad == pytest.approx(2.0 / (1.0 + math.exp(-0.3)))
    assert gradcheck(MySoftplus.apply, Value(-0.7))
    assert gradgradcheck(MySoftplus.apply, Value(-0.7))
    assert gradgradcheck(lambda a: Sigmoid.apply(a) * a, Value(1.2))


def test_non_tensor_arguments_get_no_gradient_and_needs_input_grad_says_who_does() -> None:
    seen = {}

    class Mul(Function):
        @staticmethod
        def forward(ctx: Any, x: Any, y: Any, label: str) -> Any:
            ctx.save_for_backward(x, y)
            seen["label"] = label
            return x * y

        @staticmethod
        def backward(ctx: Any, g: Any) -> Any:
            seen["needs"] = ctx.needs_input_grad
            x, y = ctx.saved_tensors
            gx = g * y if ctx.needs_input_grad[0] else None
            gy = g * x if ctx.needs_input_grad[1] else None
            return gx, gy, None

    x, y = t(1.0, 2.0), Tensor(np.array([3.0, 4.0]))
    Mul.apply(x, y, "hello").sum().backward()
    assert seen == {"label": "hello", "needs": (True, False, False)}
    np.testing.assert_allclose(x.grad.data, [3.0, 4.0])


def test_two_outputs_each_get_their_gradient() -> None:
    x = t(0.3, -1.2)
    th, e = TanhExp.apply(x)
    assert th.grad_fn.name == "TanhExp" and e.grad_fn.name == "TanhExp"
    (th * 2.0 + e * 3.0).sum().backward()
    np.testing.assert_allclose(x.grad.data, 2.0 / np.cosh(x.data) ** 2 + 3.0 * np.exp(x.data))
    assert gradcheck(TanhExp.apply, x) and gradgradcheck(TanhExp.apply, x)
    assert gradgradcheck(lambda v: TanhExp.apply(v)[1], Value(0.4))


def test_an_unused_output_gets_zeros_or_none_with_set_materialize_grads_false() -> None:
    seen = []

    class Split(Function):
        @staticmethod
        def forward(ctx: Any, x: Any, materialize: bool) -> Any:
            ctx.set_materialize_grads(materialize)
            return x * 2.0, x * 3.0

        @staticmethod
        def backward(ctx: Any, ga: Any, gb: Any) -> Any:
            seen.append(gb if gb is None else gb.data.tolist())
            return ga * 2.0 + (0.0 if gb is None else gb * 3.0), None

    x = t(1.0, 1.0)
    Split.apply(x, True)[0].sum().backward()
    Split.apply(x, False)[0].sum().backward()
    assert seen == [[0.0, 0.0], None]


def test_mark_non_differentiable_outputs_are_constants() -> None:
    x = t(0.5, 3.0, -1.0)
    top, index = MaxWithIndex.apply(x)
    assert not index.requires_grad and index.grad_fn is None and int(index.item()) == 1
    assert top.requires_grad
    (top * 2.0).backward()
    np.testing.assert_allclose(x.grad.data, [0.0, 2.0, 0.0])


def test_an_output_that_is_an_input_does_not_alias_it() -> None:
    class Identity(Function):
        @staticmethod
        def forward(ctx: Any, x: Any) -> Any:
            return x

        @staticmethod
        def backward(ctx: Any, g: Any) -> Any:
            return g

    x = t(1.0, 2.0)
    y = Identity.apply(x)
    assert y is not x and y.grad_fn.name == "Identity"
    with no_grad():
        y.data[0] = 5.0
    assert x.data[0] == 1.0


def test_a_gradient_of_a_broadcast_shape_is_summed_to_the_input_shape() -> None:
    class AddRow(Function):
        @staticmethod
        def forward(ctx: Any, x: Any, row: Any) -> Any:
            return x + row

        @staticmethod
        def backward(ctx: Any, g: Any) -> Any:
            return g, g  # row's gradient has x's shape: summed as PyTorch does

    x = Tensor(np.ones((3, 2)), requires_grad=True)
    row = t(1.0, 2.0)
    AddRow.apply(x, row).sum().backward()
    np.testing.assert_allclose(row.grad.data, [3.0, 3.0])
    assert gradcheck(AddRow.apply, [x, row]) and gradgradcheck(AddRow.apply, [x, row])


def test_under_no_grad_the_output_is_a_constant() -> None:
    with no_grad():
        y = MySoftplus.apply(t(1.0))
    assert not y.requires_grad and y.grad_fn is None


def test_float32_gradients_keep_the_input_dtype() -> None:
    x = Tensor(np.array([0.5, -0.5], dtype=np.float32), requires_grad=True)
    MySoftplus.apply(x).sum().backward()
    assert x.grad.dtype == np.float32


# --- drawings and anomalies -----------------------------------------------------------------------


def test_draw_graph_shows_the_class_name() -> None:
    x = t(-1.0, 0.5)
    y = MySoftplus.apply(x).sum()
    assert "MySoftplus" in draw_graph(y).source
    v = Value(0.3)
    assert "MySoftplus" in draw_graph(MySoftplus.apply(v) * 2.0).source


def test_detect_anomaly_names_the_custom_op_forward_and_backward() -> None:
    class BadLog(Function):
        @staticmethod
        def forward(ctx: Any, x: Any) -> Any:
            ctx.save_for_backward(x)
            return x.log()

        @staticmethod
        def backward(ctx: Any, g: Any) -> Any:
            (x,) = ctx.saved_tensors
            return g / x

    with pytest.raises(AnomalyError, match="forward of op 'BadLog' produced nan") as caught:
        with detect_anomaly():
            BadLog.apply(t(-1.0, 2.0))  # the line the report names
    assert "BadLog.apply(t(-1.0, 2.0))" in str(caught.value)

    class NanGrad(Function):
        @staticmethod
        def forward(ctx: Any, x: Any) -> Any:
            return x * 1.0

        @staticmethod
        def backward(ctx: Any, g: Any) -> Any:
            return g * float("nan")

    with pytest.raises(AnomalyError, match="backward of op 'NanGrad' produced nan"):
        with detect_anomaly():
            NanGrad.apply(t(1.0)).sum().backward()
    with detect_anomaly(check_nan=False):  # as in PyTorch: lines recorded, NaNs let through
        BadLog.apply(t(-1.0)).sum().backward()


# --- second derivatives ---------------------------------------------------------------------------


def test_second_derivative_of_a_dagrad_ops_backward_matches_the_formula() -> None:
    x = t(-1.0, 0.5, 2.0)
    (g,) = grad(MySoftplus.apply(x).sum(), x, create_graph=True)
    (h,) = grad(g.sum(), x)
    s = 1.0 / (1.0 + np.exp(-x.data))
    np.testing.assert_allclose(h.data, s * (1.0 - s))


def test_a_raw_numpy_backward_gives_first_derivatives_and_refuses_second_ones() -> None:
    x = t(-1.0, 0.5, 2.0)
    assert gradcheck(RawSoftplus.apply, x)
    (g,) = grad(RawSoftplus.apply(x).sum(), x, create_graph=True)
    np.testing.assert_allclose(g.data, 1.0 / (1.0 + np.exp(-x.data)))  # still the right value
    with pytest.raises(RuntimeError, match=r"RawSoftplus: cannot differentiate .*read \.data"):
        grad(g.sum(), x)
    with pytest.raises(RuntimeError, match="RawSoftplus"):
        gradgradcheck(RawSoftplus.apply, x)


@pytest.mark.parametrize(
    "raw_part",
    [
        lambda x: Tensor(1.0 / (1.0 + np.exp(-x.numpy(force=True)))),
        lambda x: Tensor(1.0 / (1.0 + np.exp(-np.asarray(x)))),
        lambda x: x.detach().sigmoid(),
        lambda x: Tensor(x).sigmoid(),  # a copy: a constant
        lambda x: Tensor(np.array([1.0 / (1.0 + math.exp(-x.item()))])),
    ],
    ids=["numpy()", "np.asarray", "detach()", "Tensor(x)", "item()"],
)
def test_a_backward_that_mixes_raw_data_with_dagrad_ops_refuses_second_derivatives(
    raw_part: Any,
) -> None:
    class Mixed(Function):
        @staticmethod
        def forward(ctx: Any, x: Any) -> Any:
            ctx.save_for_backward(x)
            return (1.0 + x.exp()).log()

        @staticmethod
        def backward(ctx: Any, grad_out: Any) -> Any:
            (x,) = ctx.saved_tensors
            return grad_out * raw_part(x)  # connected through grad_out, not through x

    x = t(0.7)
    assert gradcheck(Mixed.apply, x)
    with pytest.raises(RuntimeError, match="Mixed: cannot differentiate"):
        gradgradcheck(Mixed.apply, x)


def test_once_differentiable_refuses_second_derivatives_naming_the_op() -> None:
    class Once(Function):
        @staticmethod
        def forward(ctx: Any, x: Any) -> Any:
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        @once_differentiable
        def backward(ctx: Any, g: Any) -> Any:
            (x,) = ctx.saved_tensors
            return g * 2.0 * x

    x = t(1.5)
    assert gradcheck(Once.apply, x)
    with pytest.raises(RuntimeError, match="Once: .*once_differentiable"):
        gradgradcheck(Once.apply, x)


def test_legitimate_backwards_are_not_refused() -> None:
    """A linear op's rule ignores its input; a mask built with a dagrad comparison is data."""

    class Double(Function):
        @staticmethod
        def forward(ctx: Any, x: Any) -> Any:
            return x * 2.0

        @staticmethod
        def backward(ctx: Any, g: Any) -> Any:
            return g * 2.0

    class Relu(Function):
        @staticmethod
        def forward(ctx: Any, x: Any) -> Any:
            ctx.save_for_backward(x)
            return x.relu()

        @staticmethod
        def backward(ctx: Any, g: Any) -> Any:
            (x,) = ctx.saved_tensors
            return autograd.where(x > 0, g, g * 0.0)

    x = t(-1.0, 2.0)
    assert gradgradcheck(Double.apply, x)
    assert gradgradcheck(lambda x: Relu.apply(x) * x, x)
    (g,) = grad((Double.apply(x) * x).sum(), x, create_graph=True)
    (h,) = grad(g.sum(), x)
    np.testing.assert_allclose(h.data, [4.0, 4.0])  # d²(2x·x)/dx²


# --- bad use --------------------------------------------------------------------------------------


def test_backward_returning_the_wrong_number_of_gradients_is_refused() -> None:
    class TooFew(Function):
        @staticmethod
        def forward(ctx: Any, x: Any, y: Any) -> Any:
            return x * y

        @staticmethod
        def backward(ctx: Any, g: Any) -> Any:
            return g

    with pytest.raises(RuntimeError, match="TooFew.backward returned 1 gradient, but forward took"):
        TooFew.apply(t(1.0), t(2.0)).sum().backward()


def test_a_gradient_of_a_wrong_shape_or_for_a_number_is_refused() -> None:
    class WrongShape(Function):
        @staticmethod
        def forward(ctx: Any, x: Any) -> Any:
            return x * 2.0

        @staticmethod
        def backward(ctx: Any, g: Any) -> Any:
            return Tensor(np.ones(5))

    with pytest.raises(
        RuntimeError, match=r"WrongShape.backward returned a gradient of shape \(5,\)"
    ):
        WrongShape.apply(t(1.0, 2.0)).sum().backward()

    class GradForNumber(Function):
        @staticmethod
        def forward(ctx: Any, x: Any, c: float) -> Any:
            return x * c

        @staticmethod
        def backward(ctx: Any, g: Any) -> Any:
            return g, g

    with pytest.raises(RuntimeError, match="argument 1 of forward, which is not a Tensor"):
        GradForNumber.apply(t(1.0), 2.0).sum().backward()


def test_usage_errors_name_the_op() -> None:
    with pytest.raises(TypeError, match="positional arguments only"):
        MySoftplus.apply(x=t(1.0))
    with pytest.raises(TypeError, match="call the class's apply"):
        MySoftplus()(t(1.0))
    with pytest.raises(TypeError, match="cannot mix Tensors and Values"):
        ScaledSoftplus.apply(Value(1.0), t(1.0))

    class SaveNumber(Function):
        @staticmethod
        def forward(ctx: Any, x: Any) -> Any:
            ctx.save_for_backward(3.0)
            return x

    with pytest.raises(TypeError, match="SaveNumber: save_for_backward"):
        SaveNumber.apply(t(1.0))


def test_a_saved_tensor_changed_in_place_is_refused_at_backward() -> None:
    x = t(1.0, 2.0)
    h = x * 1.0
    y = MySoftplus.apply(h)
    h += 1.0  # after the op saved it
    with pytest.raises(RuntimeError, match="input 0 of op 'MySoftplus'"):
        y.sum().backward()
    s = Sigmoid.apply(x * 1.0)
    s += 1.0  # the output the op saved
    with pytest.raises(RuntimeError, match="saved tensor 0 of op 'Sigmoid'"):
        s.sum().backward()


def test_the_graph_holds_no_reference_cycle() -> None:
    import gc
    import weakref

    gc.collect()
    gc.disable()
    try:
        x = t(0.3, -0.2)
        s, c = TanhExp.apply(Sigmoid.apply(x))
        probe = weakref.ref(s)
        del s, c
        assert probe() is None  # freed by reference counting alone
    finally:
        gc.enable()
