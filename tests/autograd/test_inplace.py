"""In-place ops follow PyTorch: they change the tensor's own memory, refuse a leaf that requires
grad outside no_grad(), are recorded in the graph when they touch it, and make a backward that
would read changed data raise instead of using the new numbers (PyTorch's version counter)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import autograd as ag
from autograd import no_grad

torch = pytest.importorskip("torch")


def both(fn: Any) -> tuple[Any, Any]:
    """Run ``fn(lib)`` with dagrad and with PyTorch; each result as numbers, or the exception."""
    results = []
    for lib in (ag, torch):
        try:
            out = fn(lib)
            results.append([np.asarray(o.tolist() if hasattr(o, "tolist") else o) for o in out])
        except (RuntimeError, TypeError, ValueError) as err:
            results.append(err)
    return results[0], results[1]


def same(fn: Any) -> None:
    ours, theirs = both(fn)
    if isinstance(theirs, Exception):
        assert isinstance(ours, Exception), f"PyTorch raised {theirs!r}, dagrad gave {ours}"
        return
    assert not isinstance(ours, Exception), f"dagrad raised {ours!r}, PyTorch gave {theirs}"
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, rtol=1e-6)


PROGRAMS = {
    "iadd on a constant": lambda t: (_iadd(t.tensor([1.0, 2.0])),),
    "augmented ops keep the object": lambda t: _augmented(t),
    "leaf that requires grad refuses": lambda t: _leaf_inplace(t),
    "leaf under no_grad is fine": lambda t: _leaf_no_grad(t),
    "x[i] = v records the write": lambda t: _setitem_graph(t),
    "x[0] += 5 on an interior tensor": lambda t: _view_iadd(t),
    "add into an interior tensor after use by mul": lambda t: _stale(t, "mul"),
    "add into an interior tensor used by add": lambda t: _exp_then_add(t),
    "mul_ after exp saves its output": lambda t: _exp_mul(t),
    "data changed after a product saved it": lambda t: _saved_input_changed(t),
    "fill_ zero_ copy_ clamp_": lambda t: _fills(t),
    "masked_fill_ with a bool mask": lambda t: _masked(t),
    "int tensor += float refuses": lambda t: _int_plus_float(t),
    "shape cannot grow in place": lambda t: _shape_grow(t),
    "copy_ grad flows to the source": lambda t: _copy_grad(t),
}


def _iadd(x: Any) -> Any:
    x += 1.5
    return x


def _augmented(t: Any) -> Any:
    x = t.tensor([1.0, 2.0, 3.0])
    y = x
    x += 1
    x -= 0.5
    x *= 2
    x /= 4
    assert x is y
    return (x,)


def _leaf_inplace(t: Any) -> Any:
    w = t.tensor([1.0, 2.0], requires_grad=True)
    w.add_(1.0)
    return (w,)


def _leaf_no_grad(t: Any) -> Any:
    w = t.tensor([1.0, 2.0], requires_grad=True)
    with no_grad() if t is ag else torch.no_grad():
        w -= 0.5 * t.tensor([2.0, 2.0])
    return (w, w.requires_grad)


def _setitem_graph(t: Any) -> Any:
    a = t.tensor([1.0, 2.0, 3.0], requires_grad=True)
    out = t.zeros(4)
    out[1:] = a * 2
    out[0] = a[0] * a[1]
    out.sum().backward()
    return (out.detach(), a.grad)


def _view_iadd(t: Any) -> Any:
    w = t.tensor([1.0, 1.0, 1.0], requires_grad=True)
    x = w * 1
    x[0] += 5
    (x * x).sum().backward()
    return (x.detach(), w.grad)


def _stale(t: Any, how: str) -> Any:
    w = t.tensor([1.0, 2.0], requires_grad=True)
    x = w * 2
    y = x * x  # saves x
    x.add_(1)
    y.sum().backward()
    return (w.grad,)


def _exp_then_add(t: Any) -> Any:
    w = t.tensor([1.0, 2.0], requires_grad=True)
    x = w * 2
    y = x + 1  # saves nothing
    z = x * 3
    z.add_(1)
    (y.sum() + z.sum()).backward()
    return (w.grad,)


def _exp_mul(t: Any) -> Any:
    w = t.tensor([1.0, 2.0], requires_grad=True)
    x = w.exp()
    x.mul_(2)
    x.sum().backward()
    return (w.grad,)


def _saved_input_changed(t: Any) -> Any:
    x = t.tensor([1.0, 2.0], requires_grad=True)
    c = t.tensor([3.0, 4.0])
    y = (x * c).sum()
    c.mul_(10)
    y.backward()
    return (x.grad,)


def _fills(t: Any) -> Any:
    a = t.tensor([[1.0, -2.0], [3.0, 4.0]])
    b = a.clone().fill_(7)
    c = a.clone().zero_()
    d = a.clone().copy_(t.tensor([5.0, 6.0]))
    e = a.clone().clamp_(-1, 2)
    return (b, c, d, e)


def _masked(t: Any) -> Any:
    w = t.tensor([1.0, 2.0, 3.0], requires_grad=True)
    x = w * 2
    x.masked_fill_(t.tensor([True, False, True]), 0.0)
    x.sum().backward()
    return (x.detach(), w.grad)


def _int_plus_float(t: Any) -> Any:
    x = t.tensor([1, 2])
    x += 2.5
    return (x,)


def _shape_grow(t: Any) -> Any:
    x = t.zeros(3)
    x += t.ones(2, 3)
    return (x,)


def _copy_grad(t: Any) -> Any:
    src = t.tensor([1.0, 2.0], requires_grad=True)
    dst = t.zeros(2, 2)
    dst.copy_(src * 3)
    (dst * t.tensor([[1.0, 2.0], [3.0, 4.0]])).sum().backward()
    return (dst.detach(), src.grad)


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_inplace_behaves_as_in_pytorch(name: str) -> None:
    same(PROGRAMS[name])


def test_the_version_error_names_the_op_and_says_what_to_do() -> None:
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    y = (x * 2).exp()
    y.add_(1)
    with pytest.raises(RuntimeError, match=r"modified by an inplace operation.*'exp'.*clone\(\)"):
        y.sum().backward()


def test_writing_into_data_directly_is_unchecked_as_in_pytorch() -> None:
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    x.data[:] = 10  # .data is the array itself: no version change, as PyTorch's .data
    y.backward()
    np.testing.assert_array_equal(x.grad.data, [20.0, 20.0])


def test_the_issue_repro_raises_instead_of_using_new_values() -> None:
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    with no_grad():
        x.mul_(10)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.backward()


def test_inplace_on_a_view_changes_its_base() -> None:
    a = ag.zeros(2, 3)
    row = a[1]
    row += 1
    np.testing.assert_array_equal(a.data, [[0, 0, 0], [1, 1, 1]])


def test_an_optimizer_style_update_keeps_the_array() -> None:
    w = ag.tensor([1.0, 2.0], requires_grad=True)
    before = w.data
    (w * w).sum().backward()
    with no_grad():
        w -= 0.1 * w.grad
    assert w.data is before
    np.testing.assert_allclose(w.data, [0.8, 1.6])
