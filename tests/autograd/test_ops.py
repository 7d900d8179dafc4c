"""Every op, tested from its one declaration (the ``checks`` in autograd/ops/): values,
gradients and second derivatives against PyTorch and against finite differences, float32 runs,
the Value version of scalar ops, inputs in column-major memory, and bad input. Adding an op with
checks adds its tests here.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import autograd
from autograd import Value, gradcheck, gradgradcheck
from autograd.op import REGISTRY
from tests.autograd.opcases import (
    DAGRAD,
    Case,
    all_cases,
    as_dagrad,
    as_torch,
    differentiable,
    draw,
    outputs,
    weights,
)

torch = pytest.importorskip("torch")

CASES = all_cases()
TENSOR = [c for c in CASES if c.check.tensor]
DIFFERENTIABLE = [
    c for c in TENSOR if c.check.order >= 1 and any(differentiable(a) for a in c.check.args)
]
FINITE = [c for c in DIFFERENTIABLE if c.check.fd]
SECOND = [c for c in FINITE if c.check.order >= 2]
VALUE = [c for c in CASES if c.check.value]


def ids(cases: list[Case]) -> list[str]:
    return [c.id for c in cases]


def _arrays(case: Case) -> list[np.ndarray]:
    rng = case.rng()
    return [draw(arg, rng) for arg in case.check.args]


def _reference(case: Case) -> Any:
    return case.check.reference or case.check.call


def _run(case: Case, dtype: Any = np.float64) -> tuple[list[Any], list[Any], list[Any], list[Any]]:
    """The op on dagrad and on PyTorch, from the same inputs: (dagrad inputs, outputs, torch
    inputs, outputs)."""
    arrays = _arrays(case)
    ours = as_dagrad(arrays, case.check.args, dtype)
    theirs = as_torch(torch, arrays, case.check.args, dtype)
    return (
        ours,
        outputs(case.check.call(DAGRAD, *ours)),
        theirs,
        outputs(_reference(case)(torch, *theirs)),
    )


def _numpy(x: Any) -> np.ndarray:
    """A dagrad or PyTorch tensor's numbers (PyTorch may give a "ZeroTensor": no numpy())."""
    if isinstance(x, autograd.Tensor):
        return x.data
    if hasattr(x, "detach"):
        return np.zeros(tuple(x.shape)) if x._is_zerotensor() else x.detach().numpy()
    return np.asarray(x)


def _close(ours: Any, theirs: Any, rtol: float, atol: float, what: str) -> None:
    a, b = _numpy(ours), _numpy(theirs)
    assert a.shape == b.shape, f"{what}: shape {a.shape}, PyTorch {b.shape}"
    np.testing.assert_allclose(a, b, rtol=rtol, atol=atol, err_msg=what, equal_nan=True)


def _floating(outs: list[Any]) -> list[int]:
    return [i for i, o in enumerate(outs) if o.dtype.kind == "f" and o.requires_grad]


def _weighted_sum(lib: Any, outs: list[Any], ws: list[np.ndarray], dtype: Any) -> Any:
    total = None
    for o, w in zip(outs, ws):
        term = (o * lib.tensor(w.astype(dtype))).sum()
        total = term if total is None else total + term
    return total


@pytest.mark.parametrize("case", TENSOR, ids=ids(TENSOR))
def test_values_match_pytorch(case: Case) -> None:
    _, ours, _, theirs = _run(case)
    assert len(ours) == len(theirs)
    for k, (a, b) in enumerate(zip(ours, theirs)):
        assert str(a.dtype) == str(b.dtype).replace("torch.", ""), f"output {k} dtype"
        _close(a, b, case.check.rtol, case.check.atol, f"{case.id} output {k}")


def _gradients(case: Case, dtype: Any) -> tuple[list[Any], list[Any]]:
    ins, outs, t_ins, t_outs = _run(case, dtype)
    keep = _floating(outs)
    ws = weights(case, [outs[i].shape for i in keep])
    ours = _weighted_sum(autograd, [outs[i] for i in keep], ws, dtype)
    theirs = _weighted_sum(torch, [t_outs[i] for i in keep], ws, dtype)
    pos = [i for i, a in enumerate(case.check.args) if differentiable(a)]
    g_ours = autograd.grad(ours, [ins[i] for i in pos], allow_unused=True)
    g_theirs = torch.autograd.grad(theirs, [t_ins[i] for i in pos], allow_unused=True)
    return list(g_ours), list(g_theirs)


def _zero_if_none(g: Any, like: Any) -> Any:
    return np.zeros(like.shape) if g is None else g


@pytest.mark.parametrize("case", DIFFERENTIABLE, ids=ids(DIFFERENTIABLE))
def test_gradients_match_pytorch(case: Case) -> None:
    ours, theirs = _gradients(case, np.float64)
    for k, (a, b) in enumerate(zip(ours, theirs)):
        if a is None and b is None:
            continue
        ref = b if b is not None else a
        _close(_zero_if_none(a, ref), _zero_if_none(b, ref), 1e-7, 1e-9, f"{case.id} gradient {k}")


def _closed_over(case: Case) -> tuple[Any, list[Any]]:
    """The op as a function of its differentiable inputs only (indices and masks fixed)."""
    arrays = _arrays(case)
    ins = as_dagrad(arrays, case.check.args)
    pos = [i for i, a in enumerate(case.check.args) if differentiable(a)]

    def fn(*xs: Any) -> Any:
        args = list(ins)
        for i, x in zip(pos, xs):
            args[i] = x
        outs = outputs(case.check.call(DAGRAD, *args))
        return outs[0] if len(outs) == 1 else [o for o in outs if o.dtype.kind == "f"][0]

    return fn, [ins[i] for i in pos]


@pytest.mark.parametrize("case", FINITE, ids=ids(FINITE))
def test_gradients_match_finite_differences(case: Case) -> None:
    fn, xs = _closed_over(case)
    assert gradcheck(fn, xs)


@pytest.mark.parametrize("case", SECOND, ids=ids(SECOND))
def test_second_derivatives_match_finite_differences_and_pytorch(case: Case) -> None:
    fn, xs = _closed_over(case)
    assert gradgradcheck(fn, xs)
    # the same second derivatives as PyTorch: d/dx of sum(v * d(sum(w * out))/dx)
    ins, outs, t_ins, t_outs = _run(case)
    keep = _floating(outs)
    ws = weights(case, [outs[i].shape for i in keep])
    pos = [i for i, a in enumerate(case.check.args) if differentiable(a)]
    vs = [case.rng("v").normal(size=ins[i].shape) for i in pos]
    results = []
    for lib, i_, o_, grad in (
        (autograd, ins, outs, autograd.grad),
        (torch, t_ins, t_outs, torch.autograd.grad),
    ):
        loss = _weighted_sum(lib, [o_[i] for i in keep], ws, np.float64)
        first = grad(loss, [i_[i] for i in pos], create_graph=True, allow_unused=True)
        terms = [
            (g * lib.tensor(v)).sum()
            for g, v in zip(first, vs)
            if g is not None and g.requires_grad
        ]
        if not terms:
            results.append(None)
            continue
        second = grad(sum(terms[1:], terms[0]), [i_[i] for i in pos], allow_unused=True)
        results.append(second)
    ours, theirs = results
    if ours is None or theirs is None:
        for g in ours or theirs or ():
            assert g is None or not _numpy(g).any()
        return
    for k, (a, b) in enumerate(zip(ours, theirs)):
        ref = b if b is not None else a
        if ref is None:
            continue
        _close(
            _zero_if_none(a, ref),
            _zero_if_none(b, ref),
            1e-6,
            1e-8,
            f"{case.id} second derivative {k}",
        )


F32 = [c for c in TENSOR if c.check.float32]


@pytest.mark.parametrize("case", F32, ids=ids(F32))
def test_float32_matches_pytorch(case: Case) -> None:
    _, ours, _, theirs = _run(case, np.float32)
    for k, (a, b) in enumerate(zip(ours, theirs)):
        assert str(a.dtype) == str(b.dtype).replace("torch.", ""), f"output {k} dtype"
        _close(a, b, 1e-4, 1e-5, f"{case.id} float32 output {k}")
    if case.check.order >= 1 and any(differentiable(a) for a in case.check.args):
        g_ours, g_theirs = _gradients(case, np.float32)
        for k, (a, b) in enumerate(zip(g_ours, g_theirs)):
            if a is None or b is None:
                continue
            assert str(a.dtype) == str(b.dtype).replace("torch.", ""), f"gradient {k} dtype"
            _close(a, b, 1e-3, 1e-4, f"{case.id} float32 gradient {k}")


def _column_major(arrays: list[np.ndarray], case: Case) -> tuple[list[Any], list[Any]]:
    """The same inputs, each floating one of 2 or more dims as a view in column-major memory (a
    transpose's layout, which NumPy's elementwise results keep): (leaves, the op's inputs)."""
    leaves, ins = [], []
    for a, arg in zip(arrays, case.check.args):
        if arg.kind != "float" or a.ndim < 2:
            leaf = autograd.tensor(a, requires_grad=differentiable(arg))
            leaves.append(leaf)
            ins.append(leaf)
            continue
        axes = tuple(reversed(range(a.ndim)))
        leaf = autograd.tensor(np.ascontiguousarray(a.transpose(axes)), requires_grad=True)
        leaves.append(leaf)
        ins.append(leaf.permute(*axes))
    return leaves, ins


def _has_matrix_input(case: Case) -> bool:
    return any(
        arg.kind == "float" and a.ndim >= 2 for a, arg in zip(_arrays(case), case.check.args)
    )


LAYOUT = [c for c in DIFFERENTIABLE if _has_matrix_input(c)]


@pytest.mark.parametrize("case", LAYOUT, ids=ids(LAYOUT))
def test_column_major_inputs_give_the_same_values_and_gradients(case: Case) -> None:
    # (regression: the fused cross-entropy lost the -1 at each target in the gradient of a
    # transposed input; an op's own arithmetic must not depend on its inputs' memory layout)
    arrays = _arrays(case)
    ins = as_dagrad(arrays, case.check.args)
    leaves, f_ins = _column_major(arrays, case)
    outs, f_outs = outputs(case.check.call(DAGRAD, *ins)), outputs(case.check.call(DAGRAD, *f_ins))
    for k, (a, b) in enumerate(zip(outs, f_outs)):
        np.testing.assert_allclose(b.data, a.data, 1e-12, 1e-14, True, f"{case.id} output {k}")
    keep = _floating(outs)
    ws = weights(case, [outs[i].shape for i in keep])
    pos = [i for i, a in enumerate(case.check.args) if differentiable(a)]
    total = _weighted_sum(autograd, [outs[i] for i in keep], ws, np.float64)
    f_total = _weighted_sum(autograd, [f_outs[i] for i in keep], ws, np.float64)
    grads = autograd.grad(total, [ins[i] for i in pos], allow_unused=True)
    f_grads = autograd.grad(f_total, [leaves[i] for i in pos], allow_unused=True)
    for k, (g, f) in zip(pos, zip(grads, f_grads)):
        if g is None or f is None:
            assert g is None and f is None, f"{case.id} gradient {k}: reached one layout only"
            continue
        back = f.data if leaves[k] is f_ins[k] else f.data.transpose()  # (leaf transposed)
        np.testing.assert_allclose(back, g.data, 1e-10, 1e-12, True, f"{case.id} gradient {k}")


@pytest.mark.parametrize("case", VALUE, ids=ids(VALUE))
def test_value_matches_pytorch_on_scalars(case: Case) -> None:
    rng = case.rng("value")
    points = [float(draw(arg, rng, scalar=True)) for arg in case.check.args]
    values = [Value(p) for p in points]
    out = case.check.call(DAGRAD, *values)
    out.backward()
    t_ins = [torch.tensor(p, dtype=torch.float64, requires_grad=True) for p in points]
    t_out = _reference(case)(torch, *t_ins)
    t_out.backward()
    assert isinstance(out, Value)
    np.testing.assert_allclose(out.data, t_out.item(), rtol=1e-12, atol=1e-12)
    for v, t in zip(values, t_ins):
        expected = 0.0 if t.grad is None else t.grad.item()
        np.testing.assert_allclose(v.grad, expected, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("case", TENSOR, ids=ids(TENSOR))
def test_bad_input_is_refused_with_a_clear_error(case: Case) -> None:
    """Text in place of an input is refused with an error that names it, not a bare NumPy one."""
    arrays = _arrays(case)
    args = as_dagrad(arrays, case.check.args)
    for k in range(len(args)):
        bad = list(args)
        bad[k] = "seven"
        try:
            result = case.check.call(DAGRAD, *bad)
        except Exception as error:  # noqa: BLE001 - which exception it is is the test
            err = error
        else:  # only Python's own str operations ("seven"[0], "seven" % x) may go through
            assert not isinstance(result, autograd.Tensor), f"{case.id} input {k}: accepted text"
            continue
        message = str(err)
        if isinstance(err, AttributeError) and "'str' object" in message:
            continue  # text as the receiver of a method call (x.sum()): Python's own error
        assert isinstance(err, (TypeError, ValueError, IndexError)), f"{case.id} input {k}: {err!r}"
        assert message and "ufunc" not in message, f"{case.id} input {k}: {message}"


def test_every_op_is_tested() -> None:
    untested = [op.name for op in REGISTRY if not op.checks and not op.tested_by]
    assert not untested, f"ops without checks or a named test: {untested}"
