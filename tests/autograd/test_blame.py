"""The gradient doctor: plant a wrong rule (monkeypatch, undone after each test) or a broken
composition, and check that gradcheck's report names the right op, inputs, elements and the
line of this file that made it; and that correct graphs, drawn at random, blame nothing."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings

import autograd
import nn
from autograd import Function, Tensor, Value, gradcheck, gradgradcheck
from autograd.gradcheck import Culprit, GradcheckError, blame
from autograd.ops import linalg, reductions, unary
from autograd.ops.arithmetic import ADD, BROADCASTING, MUL, RSUB_CONST, SUB
from autograd.ops.common import raw
from autograd.testing import expressions, programs
from tests.support.custom_ops import Mul, Softplus

SOURCE = Path(__file__).read_text().splitlines()


def line_of(marker: str) -> int:
    """The line of this file that ends with ``# <marker>``."""
    hits = [n for n, line in enumerate(SOURCE, 1) if line.rstrip().endswith(f"# {marker}")]
    assert len(hits) == 1, f"{marker}: {hits}"
    return hits[0]


def failing(check: Callable[..., Any], fn: Callable[..., Any], inputs: Any) -> GradcheckError:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(GradcheckError) as caught:
            check(fn, inputs)
    return caught.value


def only_culprit(error: GradcheckError, kind: str = "wrong rule") -> Culprit:
    assert len(error.culprits) == 1, str(error)
    [culprit] = error.culprits
    assert culprit.kind == kind, str(error)
    return culprit


def made_here(culprit: Culprit, marker: str) -> None:
    assert culprit.site is not None
    assert culprit.site.file == __file__
    assert culprit.site.line == line_of(marker), str(culprit)


def t(*values: Any) -> Tensor:
    return Tensor(np.array(values, dtype=np.float64), requires_grad=True)


X = [0.5, -1.0, 2.0, 0.25]
Y = [1.5, 0.3, -0.75, 1.1]


# --- planted wrong rules, first order -------------------------------------------------------------


def test_a_wrong_sign_is_blamed_on_the_op_and_its_input(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(SUB, "backward", lambda ctx, g, out, x, y: (g, g))  # should be -g for y

    def fn(x: Tensor, y: Tensor) -> Tensor:
        d = x - y  # wrong sign
        return (d * d).tanh().sum()

    error = failing(gradcheck, fn, [t(*X), t(*Y)])
    culprit = only_culprit(error)
    assert culprit.op == "-" and culprit.inputs == (1,)
    assert {e.index for e in culprit.elements} == {(0,), (1,), (2,), (3,)}
    made_here(culprit, "wrong sign")
    report = str(error)
    assert "op '-' has a wrong backward rule" in report
    assert f"test_blame.py:{line_of('wrong sign')}: d = x - y  # wrong sign" in report
    assert "right: " in report and "'tanh'" in report and "'sum'" in report


def test_a_missing_upstream_factor_is_blamed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(unary.exp, "backward", lambda ctx, g, out, x: (out,))  # forgets g

    def fn(x: Tensor, y: Tensor) -> Tensor:
        e = x.exp()  # missing upstream factor
        return (e * y).sum()

    culprit = only_culprit(failing(gradcheck, fn, [t(*X), t(*Y)]))
    assert culprit.op == "exp" and culprit.inputs == (0,)
    made_here(culprit, "missing upstream factor")


def test_a_wrong_broadcasting_reduction_is_blamed(monkeypatch: pytest.MonkeyPatch) -> None:
    def mean_instead_of_sum(ctx: Any, g: Any, out: Any, x: Any, y: Any) -> tuple[Any, Any]:
        return g * y, (g * x).mean(axis=0)  # y was broadcast over axis 0: sum it

    monkeypatch.setattr(BROADCASTING[MUL], "backward", mean_instead_of_sum)
    x = Tensor(np.arange(12.0).reshape(3, 4) / 10.0, requires_grad=True)
    row = t(*Y)

    def fn(x: Tensor, row: Tensor) -> Tensor:
        scaled = x * row  # wrong broadcasting reduction
        return scaled.tanh().sum()

    culprit = only_culprit(failing(gradcheck, fn, [x, row]))
    assert culprit.op == "*" and culprit.inputs == (1,)
    made_here(culprit, "wrong broadcasting reduction")


def test_a_gradient_of_the_wrong_shape_is_blamed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(BROADCASTING[ADD], "backward", lambda ctx, g, out, x, y: (g, g))
    x = Tensor(np.ones((3, 4)), requires_grad=True)

    def fn(x: Tensor, b: Tensor) -> Tensor:
        return (x + b).sum()  # no reduction at all

    error = failing(gradcheck, fn, [x, t(*Y)])
    culprit = only_culprit(error)
    assert culprit.op == "+" and "shape (3, 4) for input 1 of shape (4,)" in culprit.note
    made_here(culprit, "no reduction at all")


def test_a_wrong_matmul_rule_is_blamed(monkeypatch: pytest.MonkeyPatch) -> None:
    def untransposed(ctx: Any, g: Any, out: Any, x: Any, y: Any) -> tuple[Any, Any]:
        return g @ y, x.T @ g  # g @ y.T is right

    monkeypatch.setattr(linalg.MATMUL, "backward", untransposed)
    rng = np.random.default_rng(0)
    a = Tensor(rng.standard_normal((3, 3)), requires_grad=True)
    b = Tensor(rng.standard_normal((3, 3)), requires_grad=True)

    def fn(a: Tensor, b: Tensor) -> Tensor:
        return (a @ b).tanh().sum()  # untransposed matmul

    culprit = only_culprit(failing(gradcheck, fn, [a, b]))
    assert culprit.op == "@" and culprit.inputs == (0,)
    made_here(culprit, "untransposed matmul")


def test_a_reduction_scaled_like_a_mean_is_blamed(monkeypatch: pytest.MonkeyPatch) -> None:
    rule = reductions.SUM.backward
    monkeypatch.setattr(
        reductions.SUM,
        "backward",
        lambda ctx, g, out, x: tuple(gi / np.size(x) for gi in rule(ctx, g, out, x)),
    )

    def fn(x: Tensor) -> Tensor:
        return x.exp().sum() * 2.0  # sum scaled like a mean

    culprit = only_culprit(failing(gradcheck, fn, t(*X)))
    assert culprit.op == "sum"
    made_here(culprit, "sum scaled like a mean")


def test_a_rule_wrong_at_some_elements_names_exactly_those(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(unary.abs, "backward", lambda ctx, g, out, x: (g,))  # forgets sign(x)

    def fn(x: Tensor) -> Tensor:
        return (x.abs() * x).sum()  # abs without its sign

    culprit = only_culprit(failing(gradcheck, fn, t(*X)))
    assert culprit.op == "abs"
    assert {e.index for e in culprit.elements} == {(1,)}  # the one negative element
    [element] = culprit.elements
    assert element.rule == pytest.approx(-element.numeric)
    made_here(culprit, "abs without its sign")


def test_a_wrong_value_rule_is_blamed_in_a_scalar_graph(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(unary.relu, "backward", lambda ctx, g, out, x: (g,))  # passes g everywhere

    def fn(a: Value, b: Value) -> Value:
        h = (a * b).relu()  # relu passing everything
        return h * a + a

    culprit = only_culprit(failing(gradcheck, fn, [Value(0.5), Value(-1.5)]))
    assert culprit.op == "relu"
    made_here(culprit, "relu passing everything")


# --- second order ---------------------------------------------------------------------------------


def test_a_rule_right_only_to_first_order_is_traced_to_its_raw_data(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(
        unary.tanh,
        "backward",
        lambda ctx, g, out, x: (g * (1.0 - raw(out) * raw(out)),),  # raw out: a constant
    )

    def fn(x: Tensor, y: Tensor) -> Tensor:
        return (x.tanh() * y).sum()  # tanh, differentiated twice

    x, y = t(*X), t(*Y)
    assert gradcheck(fn, [x, y])
    culprit = only_culprit(failing(gradgradcheck, fn, [x, y]), "lost gradient")
    assert culprit.op == "tanh" and culprit.to_op == "*" and culprit.to_rule_of == "tanh"
    made_here(culprit, "tanh, differentiated twice")
    assert culprit.to_site is not None and culprit.to_site.line == line_of("raw out: a constant")
    assert "every op's rule is right; the gradient is lost between op 'tanh' and op '*'" in str(
        culprit_error := failing(gradgradcheck, fn, [x, y])
    )
    assert "made by the backward rule of 'tanh'" in str(culprit_error)


def test_a_wrong_rule_inside_another_rule_is_blamed_for_second_derivatives(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # sigmoid's rule computes g * (1 - out) * out: '1 - out' is op 'c-', used only there
    monkeypatch.setattr(RSUB_CONST, "backward", lambda ctx, g, out, x: (g,))

    def fn(x: Tensor) -> Tensor:
        return x.sigmoid().sum()  # sigmoid's rule uses c-

    x = t(*X)
    assert gradcheck(fn, x)
    error = failing(gradgradcheck, fn, x)
    culprit = only_culprit(error)
    assert culprit.op == "c-" and culprit.rule_of == "sigmoid"
    made_here(culprit, "sigmoid's rule uses c-")  # the line of the op whose rule made it
    assert "made by the backward rule of 'sigmoid'" in str(error)


# --- composition: every rule right, the gradient lost between ops ---------------------------------


def test_a_data_escape_is_reported_between_the_two_ops() -> None:
    def fn(x: Tensor) -> Tensor:
        y = x.exp()  # y escapes
        z = Tensor(y.data) * x  # through .data
        return z.sum()

    error = failing(gradcheck, fn, t(*X))
    culprit = only_culprit(error, "lost gradient")
    assert (culprit.op, culprit.to_op) == ("exp", "*")
    made_here(culprit, "y escapes")
    assert culprit.to_site is not None and culprit.to_site.line == line_of("through .data")
    report = str(error)
    assert "every op's rule is right; the gradient is lost between op 'exp' and op '*'" in report
    assert "receives a value computed from the output of 'exp' outside the graph" in report


def test_a_detached_constant_is_reported_between_the_two_ops() -> None:
    def fn(x: Tensor, w: Tensor) -> Tensor:
        h = (x * w).tanh()  # h is detached below
        scale = h.detach().sum()
        return (h * scale).sum()  # meets its detached copy

    culprit = only_culprit(failing(gradcheck, fn, [t(*X), t(*Y)]), "lost gradient")
    assert (culprit.op, culprit.to_op) == ("tanh", "*")
    made_here(culprit, "h is detached below")
    assert culprit.to_site is not None
    assert culprit.to_site.line == line_of("meets its detached copy")


def test_a_value_escaping_through_a_number_is_reported() -> None:
    def fn(a: Value) -> Value:
        b = a.exp()  # b leaves as a float
        return a * float(b.data)  # and comes back

    culprit = only_culprit(failing(gradcheck, fn, Value(0.3)), "lost gradient")
    assert (culprit.op, culprit.to_op) == ("exp", "*c")
    made_here(culprit, "b leaves as a float")


# --- custom ops -----------------------------------------------------------------------------------


class Swish(Function):
    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        ctx.save_for_backward(x)
        return x * x.sigmoid()

    @staticmethod
    def backward(ctx: Any, grad_out: Any) -> Any:
        (x,) = ctx.saved_tensors
        s = x.sigmoid()
        return grad_out * s  # forgets the x * s * (1 - s) term


class Hypot(Function):
    @staticmethod
    def forward(ctx: Any, x: Any, y: Any) -> Any:
        out = (x * x + y * y).sqrt()
        ctx.save_for_backward(x, y, out)
        return out

    @staticmethod
    def backward(ctx: Any, grad_out: Any) -> Any:
        x, y, out = ctx.saved_tensors
        return grad_out * y / out, grad_out * x / out  # swapped


class TanhExp(Function):
    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        th, e = x.tanh(), x.exp()
        ctx.save_for_backward(th, e)
        return th, e

    @staticmethod
    def backward(ctx: Any, grad_tanh: Any, grad_exp: Any) -> Any:
        th, e = ctx.saved_tensors
        return grad_tanh * (1.0 - th * th) + grad_exp * th  # exp's gradient is e


def test_a_wrong_custom_op_inside_a_model_is_blamed_and_the_layers_are_right() -> None:
    autograd.manual_seed(0)
    first = nn.Linear(3, 4, dtype=autograd.float64)
    second = nn.Linear(4, 2, dtype=autograd.float64)
    target = Tensor(np.array([[0.5, -0.5], [1.0, 0.0]]))
    x = Tensor(np.array([[0.2, -0.4, 1.0], [1.5, 0.3, -0.7]]), requires_grad=True)

    def loss(x: Tensor) -> Tensor:
        h = Swish.apply(first(x))  # swish in a model
        return nn.functional.mse_loss(second(h), target)

    error = failing(gradcheck, loss, x)
    culprit = only_culprit(error)
    assert culprit.op == "Swish" and culprit.inputs == (0,)
    made_here(culprit, "swish in a model")
    right = {r.op for r in error.diagnosis.right}
    assert "linear" in right and "Swish" not in right


def test_swapped_partials_of_a_two_input_custom_op_are_blamed_on_both_inputs() -> None:
    def fn(x: Tensor, y: Tensor) -> Tensor:
        return Hypot.apply(x, y).log().sum()  # hypot with swapped partials

    culprit = only_culprit(failing(gradcheck, fn, [t(*X), t(*Y)]))
    assert culprit.op == "Hypot" and culprit.inputs == (0, 1)
    made_here(culprit, "hypot with swapped partials")


def test_the_wrong_output_of_a_two_output_custom_op_is_blamed() -> None:
    def fn(x: Tensor) -> Tensor:
        th, e = TanhExp.apply(x)  # two outputs, one wrong
        return (th * e).sum()

    culprit = only_culprit(failing(gradcheck, fn, t(*X)))
    assert culprit.op == "TanhExp"
    made_here(culprit, "two outputs, one wrong")


def test_a_custom_op_used_on_values_is_blamed() -> None:
    def fn(a: Value, b: Value) -> Value:
        return Hypot.apply(a, b) * a  # hypot on values

    culprit = only_culprit(failing(gradcheck, fn, [Value(0.5), Value(2.0)]))
    assert culprit.op == "Hypot"
    made_here(culprit, "hypot on values")


def test_in_place_ops_in_fn_are_followed(monkeypatch: pytest.MonkeyPatch) -> None:
    def fn(x: Tensor) -> Tensor:
        h = x * 2.0
        h += x.exp()  # exp, added in place
        return (h * h).sum()

    x = t(*X)
    assert gradcheck(fn, x) and blame(fn, x).culprits == []
    monkeypatch.setattr(unary.exp, "backward", lambda ctx, g, out, x: (out,))
    culprit = only_culprit(failing(gradcheck, fn, x))
    assert culprit.op == "exp"
    made_here(culprit, "exp, added in place")


def test_layers_of_a_model_made_at_one_line_are_reported_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    autograd.manual_seed(0)
    model = nn.Sequential(
        nn.Linear(4, 5, dtype=autograd.float64),
        nn.Tanh(),
        nn.Linear(5, 5, dtype=autograd.float64),
        nn.Tanh(),
        nn.Linear(5, 3, dtype=autograd.float64),
    )
    x = Tensor(np.linspace(-1.0, 1.0, 8).reshape(2, 4), requires_grad=True)
    labels = np.array([0, 2])

    def loss(x: Tensor) -> Tensor:
        return nn.functional.cross_entropy(model(x), labels)  # the model's line

    assert gradcheck(loss, x)
    monkeypatch.setattr(unary.tanh, "backward", lambda ctx, g, out, x: (g * (1.0 - out),))
    error = failing(gradcheck, loss, x)
    assert [c.op for c in error.culprits] == ["tanh", "tanh"]
    for culprit in error.culprits:
        made_here(culprit, "the model's line")
    assert "op 'tanh' has a wrong backward rule (2 ops made at this line" in str(error)
    right = {r.op for r in error.diagnosis.right}
    assert "tanh" not in right and "linear" in right


# --- the report as data ---------------------------------------------------------------------------


def test_culprits_are_data_and_blame_can_be_switched_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(unary.exp, "backward", lambda ctx, g, out, x: (out,))
    fn = lambda x: x.exp().sum() * 3.0  # noqa: E731 - a one-line fn
    error = failing(gradcheck, fn, t(*X))
    assert error.culprits == error.diagnosis.culprits and error.culprits[0].op == "exp"
    assert "doctor:" in str(error)
    with pytest.raises(GradcheckError) as caught:
        gradcheck(fn, t(*X), blame=False)
    assert caught.value.culprits == [] and "doctor:" not in str(caught.value)


def test_the_doctor_finds_nothing_to_blame_in_a_correct_graph() -> None:
    def fn(x: Tensor, y: Tensor) -> Tensor:
        return autograd.where(x > 0, x * y, (x - y).exp()).sum() + (x @ y).tanh()

    diagnosis = blame(fn, [t(*X), t(*Y)])
    assert diagnosis.culprits == [] and diagnosis.checked >= 6
    assert len(diagnosis.right) == diagnosis.checked
    assert blame(fn, [t(*X), t(*Y)], order=2).culprits == []


# --- no false blame on random correct graphs ------------------------------------------------------


@settings(deadline=None)
@given(expressions(max_steps=6))
def test_no_false_blame_on_random_scalar_graphs(expr: Any) -> None:
    assert gradcheck(expr, expr.values())
    assert blame(expr, expr.values()).culprits == []


@settings(deadline=None)
@given(expressions(max_steps=5, points=3))
def test_no_false_blame_on_random_tensor_graphs_to_second_order(expr: Any) -> None:
    assert blame(expr, expr.tensors()).culprits == []
    try:
        gradgradcheck(expr, expr.tensors(), blame=False)
    except GradcheckError:
        # x ** y at y == 0 exactly: the rule selects 0 there (as PyTorch's does), so the
        # second derivative through that choice is lost; the doctor rightly says so
        assert blame(expr, expr.tensors(), order=2).culprits
        return
    assert blame(expr, expr.tensors(), order=2).culprits == []


@settings(deadline=None)
@given(programs([Softplus, Mul], max_steps=5))
def test_no_false_blame_on_random_programs_with_correct_custom_ops(program: Any) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a custom op may meet a kink: not blamed
        diagnosis = blame(program, program.tensors())
    assert diagnosis.culprits == [], program.code
