"""Graph semantics shared by Value and Tensor: accumulation, second backward, release, grad(),
grad mode (thread-local), detach, and gradients that never share memory."""

from __future__ import annotations

import gc
import threading
import weakref
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from autograd import (
    Tensor,
    Value,
    detect_anomaly,
    enable_grad,
    grad,
    is_grad_enabled,
    no_grad,
    set_grad_enabled,
)
from autograd.graph import iter_graph, toposort
from tests.support.nodes import op_name

# --- accumulation and the second backward -----------------------------------------------------


def test_second_backward_adds_exactly_one_more_gradient_value() -> None:
    a = Value(2.0)
    b = a * a
    c = b * 3
    c.backward()
    assert (a.grad, b.grad, c.grad) == (12.0, 3.0, 1.0)
    c.backward()
    assert a.grad == 24.0  # leaves accumulate; micrograd's double counting would give 36
    assert (b.grad, c.grad) == (3.0, 1.0)  # interior nodes hold this pass's gradient


def test_second_backward_adds_exactly_one_more_gradient_tensor() -> None:
    a = Tensor(np.array([2.0, -1.0]), requires_grad=True)
    b = a * a
    c = (b * 3).sum()
    c.backward(retain_graph=True)  # a Tensor graph is freed by backward() unless retained
    assert a.grad is not None and b.grad is not None
    np.testing.assert_array_equal(a.grad.data, [12.0, -6.0])
    c.backward()
    np.testing.assert_array_equal(a.grad.data, [24.0, -12.0])
    np.testing.assert_array_equal(b.grad.data, [3.0, 3.0])
    assert c.grad is not None and c.grad.item() == 1.0


def test_leaves_accumulate_across_different_outputs() -> None:
    a = Value(3.0)
    (a * 2).backward()
    (a * a).backward()
    assert a.grad == 2.0 + 6.0
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    x.sum().backward()
    (x * x).sum().backward()
    assert x.grad is not None
    np.testing.assert_array_equal(x.grad.data, [1.0 + 2.0, 1.0 + 4.0])


def test_backward_from_an_interior_node_then_from_the_output() -> None:
    a = Value(1.5)
    b = a * 2
    c = b * 3
    b.backward()
    assert a.grad == 2.0
    c.backward()
    assert a.grad == 2.0 + 6.0 and b.grad == 3.0


@pytest.mark.parametrize("make", [Value, lambda x: Tensor(np.float64(x), requires_grad=True)])
def test_shared_subexpressions_accumulate(make: Callable[[float], Any]) -> None:
    a = make(0.7)
    b = a * a  # used three times below
    c = b + b * b + (b * a).tanh()
    c.backward()
    t = np.tanh(0.7**3)
    expected = 2 * 0.7 + 4 * 0.7**3 + (1 - t * t) * 3 * 0.7**2
    assert float(a.grad) == pytest.approx(expected, rel=1e-12)


def test_a_node_used_twice_as_both_operands() -> None:
    a = Value(3.0)
    (a * a + a).backward()
    assert a.grad == 7.0
    x = Tensor(np.array([3.0]), requires_grad=True)
    (x * x + x - x / x).sum().backward()
    assert x.grad is not None and x.grad.data[0] == 7.0


# --- retain_graph ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "build",
    [
        lambda: (lambda a: ((a * 2).exp() + 1, a))(Value(0.5)),
        lambda: (lambda x: ((x * 2).exp().sum(), x))(Tensor(np.ones(3), requires_grad=True)),
    ],
    ids=["Value", "Tensor"],
)
def test_backward_after_the_graph_was_released_raises_clearly(build: Any) -> None:
    out, leaf = build()
    out.backward(retain_graph=False)
    first = np.array(leaf.grad.data if isinstance(leaf, Tensor) else leaf.grad)
    with pytest.raises(RuntimeError, match="freed by an earlier backward.*retain_graph=True"):
        out.backward()
    now = leaf.grad.data if isinstance(leaf, Tensor) else leaf.grad
    np.testing.assert_array_equal(now, first)  # the failed pass changed nothing


def test_grad_after_the_graph_was_released_raises_clearly() -> None:
    x = Tensor(np.ones(2), requires_grad=True)
    out = (x * 2).sum()
    out.backward()  # a Tensor graph is freed by default (as in PyTorch)
    with pytest.raises(RuntimeError, match="freed by an earlier backward.*retain_graph=True"):
        grad(out, [x])


def test_releasing_the_graph_frees_its_interior_nodes() -> None:
    x = Tensor(np.ones(3), requires_grad=True)
    hidden = x * 2
    probe = weakref.ref(hidden)
    out = hidden.exp().sum()
    del hidden
    out.backward(retain_graph=True)  # a retained graph lives as long as its output
    gc.collect()
    assert probe() is not None
    out.backward()  # by default backward() frees a Tensor graph (as in PyTorch)
    gc.collect()
    assert probe() is None


def test_the_graph_lives_as_long_as_its_output() -> None:
    x = Value(2.0)
    out = ((x * 3).tanh() * x).exp()
    for _ in range(3):
        out.backward()
    single = Value(2.0)
    ((single * 3).tanh() * single).exp().backward()
    assert x.grad == pytest.approx(3 * single.grad)
    assert {op_name(n) for n in iter_graph(out)} == {"exp", "*", "*c", "tanh", ""}


# --- seeds for non-scalar outputs ---------------------------------------------------------------


def test_backward_on_a_non_scalar_tensor_needs_a_gradient() -> None:
    x = Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    y = x * x
    with pytest.raises(RuntimeError, match=r"shape \(2, 3\).*pass gradient="):
        y.backward()
    seed = np.arange(6.0).reshape(2, 3) / 10
    y.backward(gradient=seed, retain_graph=True)
    assert x.grad is not None
    np.testing.assert_allclose(x.grad.data, 2 * x.data * seed)
    with pytest.raises(
        ValueError, match=r"gradient has shape \(3,\) but the output has shape \(2, 3\)"
    ):
        y.backward(gradient=np.ones(3))


def test_a_one_element_tensor_of_any_rank_seeds_itself() -> None:
    x = Tensor(np.array([[2.0]]), requires_grad=True)
    (x * x).backward()
    assert x.grad is not None and x.grad.shape == (1, 1) and x.grad.data[0, 0] == 4.0


def test_backward_accepts_a_tensor_as_the_seed() -> None:
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    y = x * 3
    (y * y + y).backward(gradient=Tensor(np.array([1.0, 0.5])))
    assert isinstance(x.grad, Tensor) and isinstance(y.grad, Tensor)  # as in PyTorch
    assert type(x.grad.data) is np.ndarray and not x.grad.requires_grad
    np.testing.assert_array_equal(x.grad.data, [21.0, 19.5])  # 3 * (2y + 1) * seed


def test_backward_accepts_a_value_as_the_seed() -> None:
    a = Value(2.0)
    (a * 3).backward(gradient=Value(2.0))
    assert type(a.grad) is float and a.grad == 6.0


def test_backward_on_a_node_that_does_not_require_grad_raises() -> None:
    with pytest.raises(RuntimeError, match="does not require grad"):
        (Tensor([1.0]) * 2).sum().backward()


# --- grad() ---------------------------------------------------------------------------------


def test_grad_returns_nodes_and_leaves_dot_grad_untouched() -> None:
    a, b = Value(2.0), Value(-3.0)
    c = a * b + a
    ga, gb = grad(c, [a, b])
    assert isinstance(ga, Value) and isinstance(gb, Value)
    assert (ga.data, gb.data) == (-2.0, 2.0)
    assert (a.grad, b.grad, c.grad) == (0.0, 0.0, 0.0)
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    y = x * 3
    (gx,) = grad(y.sum(), x)
    assert isinstance(gx, Tensor) and not gx.requires_grad
    np.testing.assert_array_equal(gx.data, [3.0, 3.0])
    assert x.grad is None and y.grad is None


def test_grad_with_respect_to_an_interior_node() -> None:
    a = Value(2.0)
    b = a * a
    c = b.exp()
    gb, ga = grad(c, [b, a])
    assert gb.data == pytest.approx(np.exp(4.0)) and ga.data == pytest.approx(4 * np.exp(4.0))


def test_grad_allow_unused_gives_none() -> None:
    x = Tensor(np.ones(2), requires_grad=True)
    unused = Tensor(np.ones(2), requires_grad=True)
    gx, gu = grad((x * 2).sum(), [x, unused], allow_unused=True)
    assert gu is None
    np.testing.assert_array_equal(gx.data, [2.0, 2.0])


def test_grad_names_the_input_that_does_not_reach_the_output() -> None:
    a, b, c = Value(1.0), Value(2.0), Value(3.0)
    with pytest.raises(RuntimeError, match=r"input 1 \(Value\) is not used"):
        grad(a * c, [a, b, c])


def test_grad_outputs_weight_each_output() -> None:
    x = Tensor(np.array([1.0, 2.0, 3.0]), requires_grad=True)
    y = x * x
    (g,) = grad(y, x, grad_outputs=np.array([1.0, 0.0, -1.0]))
    np.testing.assert_array_equal(g.data, [2.0, 0.0, -6.0])
    a = Value(2.0)
    (ga,) = grad([a * a, a * 10], [a], grad_outputs=[1.0, 0.5])
    assert ga.data == 4.0 + 5.0
    with pytest.raises(ValueError, match="2 outputs but 1 grad_outputs"):
        grad([a * a, a * 10], [a], grad_outputs=[1.0])


def test_grad_of_several_outputs_sums_their_gradients() -> None:
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    (g,) = grad([(x * x).sum(), (x * 3).sum()], [x])
    np.testing.assert_array_equal(g.data, [2.0 + 3.0, 4.0 + 3.0])


def test_grad_with_create_graph_gives_differentiable_nodes() -> None:
    x = Value(3.0)
    (g,) = grad(x**3, [x], create_graph=True)
    assert g.requires_grad and g.data == 27.0
    (h,) = grad(g, [x])
    assert h.data == 18.0
    assert x.grad == 0.0


# --- grad mode --------------------------------------------------------------------------------


def test_no_grad_and_enable_grad_nest_and_restore() -> None:
    x = Tensor(np.ones(2), requires_grad=True)
    assert is_grad_enabled()
    with no_grad():
        assert not is_grad_enabled() and not (x * 2).requires_grad
        with enable_grad():
            assert is_grad_enabled() and (x * 2).requires_grad
            with no_grad():
                assert not is_grad_enabled()
            assert is_grad_enabled()
        assert not is_grad_enabled()
    assert is_grad_enabled() and (x * 2).requires_grad


def test_grad_mode_is_restored_after_an_exception() -> None:
    with pytest.raises(KeyError), no_grad():
        raise KeyError("boom")
    assert is_grad_enabled()


def test_no_grad_and_enable_grad_as_decorators() -> None:
    @no_grad()
    def frozen(v: Value) -> Value:
        return v * 2

    @enable_grad()
    def tracked(v: Value) -> Value:
        return v * 2

    a = Value(1.0)
    assert not frozen(a).requires_grad
    assert is_grad_enabled()
    with no_grad():
        assert tracked(a).requires_grad
        assert not is_grad_enabled()
    assert frozen.__name__ == "frozen"


def test_grad_mode_is_thread_local() -> None:
    inside = threading.Event()
    checked = threading.Event()
    seen: dict[str, Any] = {}

    def worker_without_grad() -> None:
        with no_grad():
            inside.set()
            checked.wait(timeout=10)
            seen["worker"] = (is_grad_enabled(), (Value(1.0) * 2).requires_grad)

    def other_thread() -> None:
        inside.wait(timeout=10)
        seen["other"] = (is_grad_enabled(), (Value(1.0) * 2).requires_grad)
        checked.set()

    threads = [threading.Thread(target=worker_without_grad), threading.Thread(target=other_thread)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=10)
    assert seen == {"worker": (False, False), "other": (True, True)}
    assert is_grad_enabled()


def test_ops_skip_the_thread_local_switches_only_while_every_thread_is_in_the_usual_mode() -> None:
    # ops read modes.unusual (a plain count) before the thread-local switches: it must count
    # each thread that turns grad off or anomaly on, and only once however deeply nested
    from autograd.modes import unusual

    x = Tensor(np.ones(2), requires_grad=True)
    assert unusual.threads == 0 and (x * 2).requires_grad and (Value(1.0) * 2).requires_grad
    with no_grad():
        with no_grad(), detect_anomaly():
            assert unusual.threads == 1 and not (x * 2).requires_grad
            assert not (Value(1.0) * 2).requires_grad
            with enable_grad():  # grad on, anomaly still on: still outside the usual mode
                assert unusual.threads == 1 and (x * 2).requires_grad
        assert unusual.threads == 1 and not (x * 2).requires_grad
    assert unusual.threads == 0 and (x * 2).requires_grad
    with enable_grad():
        assert unusual.threads == 0
    # the one thread outside the usual mode makes no other thread's op skip recording
    seen: dict[str, Any] = {}

    def without_grad() -> None:
        with no_grad():
            seen["count"] = unusual.threads
            seen["here"] = (x * 2).requires_grad

    worker = threading.Thread(target=without_grad)
    worker.start()
    worker.join(timeout=10)
    assert seen == {"count": 1, "here": False} and unusual.threads == 0
    set_grad_enabled(False)
    try:
        assert unusual.threads == 1 and not (x * 2).requires_grad
    finally:
        set_grad_enabled(True)
    assert unusual.threads == 0


def test_an_op_records_a_graph_only_with_grad_mode_on_and_an_input_requiring_grad() -> None:
    tracked = Tensor(np.ones(2), requires_grad=True)
    plain = Tensor(np.ones(2))
    out = plain * 2 + plain.exp()
    assert not out.requires_grad and out.is_leaf and out._parents == ()
    mixed = plain * tracked
    assert mixed.requires_grad and not mixed.is_leaf and op_name(mixed) == "*"
    with no_grad():
        frozen = tracked * 2
    assert not frozen.requires_grad and frozen.is_leaf
    c = Value(1.0, requires_grad=False)
    assert not (c * c + 1).requires_grad
    assert (c * Value(1.0)).requires_grad


def test_detach_cuts_the_graph() -> None:
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    d = (x * 2).detach()
    assert not d.requires_grad and d.is_leaf
    (x * d).sum().backward()  # d is a constant: only the direct path counts
    assert x.grad is not None
    np.testing.assert_array_equal(x.grad.data, [2.0, 4.0])
    y = x * 3
    assert np.shares_memory(y.detach().data, y.data)
    a = Value(2.0)
    b = a * a
    (b.detach() * a).backward()
    assert a.grad == 4.0 and b.detach().grad == 0.0


# --- gradients never share memory ------------------------------------------------------------


def test_leaf_gradients_never_share_memory() -> None:
    a = Tensor(np.ones(3), requires_grad=True)
    b = Tensor(np.ones(3), requires_grad=True)
    (a + b).sum().backward()
    assert a.grad is not None and b.grad is not None
    a.grad *= 100.0  # an in-place edit (gradient clipping, say) of one leaf's gradient
    np.testing.assert_array_equal(a.grad.data, [100.0, 100.0, 100.0])
    np.testing.assert_array_equal(b.grad.data, [1.0, 1.0, 1.0])


@pytest.mark.parametrize(
    "build",
    [
        lambda a, b: (a + b).sum(),
        lambda a, b: (a - b).sum(),
        lambda a, b: (a.reshape(3, 1) + b.reshape(1, 3)).sum(),
        lambda a, b: (a.T + b[::1]).sum(),
        lambda a, b: ((a + 0.0) * 1.0 + b).sum(),
        lambda a, b: (a.reshape(3) + b).mean(),
    ],
)
def test_no_gradient_is_a_view_of_another(build: Callable[[Tensor, Tensor], Tensor]) -> None:
    a = Tensor(np.ones(3), requires_grad=True)
    b = Tensor(np.ones(3), requires_grad=True)
    out = build(a, b)
    out.backward(retain_graph=True)  # kept, to read every interior node's gradient
    nodes = [n for n in iter_graph(out) if n.grad is not None]
    assert len(nodes) > 3
    for i, n in enumerate(nodes):
        for m in nodes[i + 1 :]:
            if n.is_leaf or m.is_leaf:
                assert not np.shares_memory(n.grad.data, m.grad.data), (op_name(n), op_name(m))
    for leaf in (a, b):
        assert leaf.grad is not None and leaf.grad.data.flags.writeable


def test_grad_results_are_independent_writable_arrays() -> None:
    a = Tensor(np.ones(3), requires_grad=True)
    b = Tensor(np.ones(3), requires_grad=True)
    ga, gb = grad((a + b).sum(), [a, b])  # the sum's gradient is a broadcast, passed to both
    ga.data *= 2.0
    np.testing.assert_array_equal(gb.data, [1.0, 1.0, 1.0])
    np.testing.assert_array_equal(ga.data, [2.0, 2.0, 2.0])


def test_a_user_seed_is_not_kept_as_a_leaf_gradient() -> None:
    a = Tensor(np.ones(3), requires_grad=True)
    seed = np.ones(3)
    (a * 1.0).backward(gradient=seed)
    assert a.grad is not None and not np.shares_memory(a.grad.data, seed)
    leaf = Tensor(np.ones(3), requires_grad=True)
    leaf.backward(gradient=seed)  # a leaf as the output: the seed itself would become its .grad
    assert leaf.grad is not None
    leaf.grad *= 0.0
    np.testing.assert_array_equal(seed, [1.0, 1.0, 1.0])


# --- traversal helpers -------------------------------------------------------------------------


def test_toposort_lists_consumers_before_producers_and_skips_constants() -> None:
    a, b = Value(1.0), Value(2.0)
    constant = Value(5.0, requires_grad=False)
    c = a * b
    d = c + a * constant
    e = d * c
    order = toposort([e])
    position = {id(n): i for i, n in enumerate(order)}
    assert constant not in order and len(order) == len(set(map(id, order)))
    for node in order:
        for parent in node._parents:
            if parent.requires_grad:
                assert position[id(node)] < position[id(parent)]
    assert {id(n) for n in iter_graph(e)} == {id(n) for n in order} | {id(constant)}


def test_a_leaf_types_own_gradient_hook_runs_whatever_the_roots_type() -> None:
    # regression: the hook was once looked up on the root's type, skipping a leaf subclass's
    class Clipped(Value):
        __slots__ = ()

        def _own_grad(self, g: float, passed_through: bool) -> float:
            return max(-1.0, min(1.0, g))

    w, v = Clipped(5.0), Value(3.0)
    (w * v).backward()
    assert w.grad == 1.0 and v.grad == 5.0
    (w * v).backward()  # accumulating: 1 + 3, clipped again
    assert w.grad == 1.0
