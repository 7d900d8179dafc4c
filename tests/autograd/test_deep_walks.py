"""Every walk over a graph handles a 1,000,000-node chain: grad(), drawing, detaching, copying,
pickling and releasing (backward itself: tests/autograd/test_deep_chains.py, plus one more Tensor
chain here); and backward passes in two threads at once each get their own, correct gradients.

The chain x_{k+1} = a * x_k + b (two ops a step) has the closed form x_N = a**N * (x_0 + D) - D
with D = b / (a - 1), so dx_N/dx_0 = a**N. One chain is built for the module and shared by the
tests that only read it; the test that releases a graph builds its own.
"""

from __future__ import annotations

import copy
import gc
import pickle
import re
import threading
import time
import weakref
from collections.abc import Iterator

import numpy as np
import pytest

from autograd import Tensor, Value, grad

STEPS = 500_000  # two ops a step: 1,000,001 nodes with the input
START, SLOPE, SHIFT = 0.5, 1.0 + 1e-6, 1e-4


def chain(start: Value, steps: int = STEPS) -> Value:
    x = start
    for _ in range(steps):
        x = x * SLOPE + SHIFT
    return x


def closed_form(x0: float, a: float, b: float, n: int) -> tuple[float, float]:
    """x_N and dx_N/dx_0."""
    d = b / (a - 1.0)
    return a**n * (x0 + d) - d, a**n


@pytest.fixture(scope="module")
def deep() -> Iterator[tuple[Value, Value]]:
    """(input, output) of a 1,000,001-node Value chain, shared: tests must not change it."""
    start = Value(START)
    yield start, chain(start)


def test_grad_through_a_million_nodes(deep: tuple[Value, Value]) -> None:
    start, out = deep
    (g,) = grad(out, [start])
    value, slope = closed_form(START, SLOPE, SHIFT, STEPS)
    assert out.data == pytest.approx(value, rel=1e-9)
    assert g.data == pytest.approx(slope, rel=1e-9)
    assert start.grad == 0.0  # grad() leaves .grad alone


def test_drawing_a_million_nodes_folds_them_quickly(deep: tuple[Value, Value]) -> None:
    draw = pytest.importorskip("autograd.draw", reason="autograd.draw is not there yet")
    began = time.perf_counter()
    drawing = draw.draw_graph(deep[1], max_nodes=50)
    seconds = time.perf_counter() - began
    source = drawing.source
    text = re.sub(r"(<br/>|\s)+", " ", source)  # the caption is wrapped over lines
    assert "this graph has 1,000,001 nodes, more than max_nodes=50" in text
    caption = re.search(r"Drawn: the ([\d,]+) nodes nearest the output; the other ([\d,]+)", text)
    assert caption is not None
    drawn, folded = (int(n.replace(",", "")) for n in caption.groups())
    assert 0 < drawn <= 50 and drawn + folded == 1_000_001
    boxes = re.findall(r"([\d,]+) nodes folded", text)
    assert sum(int(n.replace(",", "")) for n in boxes) == folded  # every node is accounted for
    assert len(source) < 100_000  # a summary, not a million nodes of DOT
    assert seconds < 15, f"drawing took {seconds:.1f} s"


def test_detach_copy_deepcopy_and_pickle_give_a_leaf_at_once(deep: tuple[Value, Value]) -> None:
    _, out = deep
    began = time.perf_counter()
    copies = {
        "detach": out.detach(),
        "copy": copy.copy(out),
        "deepcopy": copy.deepcopy(out),
        "pickle": pickle.loads(pickle.dumps(out)),
    }
    assert time.perf_counter() - began < 0.5  # constant work: the graph is never walked
    for how, leaf in copies.items():
        assert leaf.data == out.data, how
        assert leaf.is_leaf and leaf._parents == (), how
    assert not copies["detach"].requires_grad
    assert copies["deepcopy"].requires_grad and copies["pickle"].requires_grad


def test_backward_releasing_a_million_nodes_frees_them_without_the_collector() -> None:
    start = Value(START)
    x = start
    for _ in range(STEPS // 2):
        x = x * SLOPE + SHIFT
    middle = weakref.ref(x)
    out = chain(x, STEPS - STEPS // 2)
    del x
    gc.disable()
    try:
        assert middle() is not None
        out.backward(retain_graph=False)
        assert middle() is None, "releasing the graph did not free it"
    finally:
        gc.enable()
    assert start.grad == pytest.approx(closed_form(START, SLOPE, SHIFT, STEPS)[1], rel=1e-9)
    with pytest.raises(RuntimeError, match="freed by an earlier backward"):
        out.backward()


def test_backward_through_a_hundred_thousand_tensor_ops() -> None:
    start = Tensor(np.array([[0.5, -1.0], [2.0, 0.25]]), requires_grad=True)
    x = start
    for _ in range(25_000):
        x = (x * SLOPE + SHIFT).reshape(4).reshape(2, 2)  # four ops a step, two of them views
    x.sum().backward()
    value, slope = closed_form(start.data, SLOPE, SHIFT, 25_000)
    np.testing.assert_allclose(x.data, value, rtol=1e-9)
    np.testing.assert_allclose(start.grad.data, np.full((2, 2), slope), rtol=1e-9)


def test_two_threads_backpropagate_at_once_and_each_gets_its_own_gradients() -> None:
    """Separate graphs, walked at the same time (the passes are long enough to interleave):
    each thread's gradients match its own closed form, and the other thread's never leak in."""
    steps = 40_000
    slopes = {"a": 1.0 + 2e-6, "b": 1.0 - 3e-6}
    results: dict[str, tuple[float, float, float]] = {}
    walking: dict[str, tuple[float, float]] = {}  # when each thread's passes began and ended
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(slopes))

    def train(name: str) -> None:
        try:
            start, weight = Value(START), Value(slopes[name])
            x = start
            for _ in range(steps):
                x = x * weight + SHIFT
            barrier.wait(timeout=60)  # both graphs are built: walk them together
            began = time.perf_counter()
            for _ in range(3):
                x.backward()  # leaves accumulate: three passes, three times the gradient
            walking[name] = (began, time.perf_counter())
            results[name] = (x.data, start.grad / 3, weight.grad / 3)
        except BaseException as error:  # reported by the main thread
            errors.append(error)
            barrier.abort()  # do not leave the other thread waiting

    threads = [threading.Thread(target=train, args=(name,)) for name in slopes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert max(b for b, _ in walking.values()) < min(e for _, e in walking.values())  # overlap
    for name, a in slopes.items():
        value, d_start = closed_form(START, a, SHIFT, steps)
        d = SHIFT / (a - 1.0)
        d_weight = steps * a ** (steps - 1) * (START + d) - d * (a**steps - 1.0) / (a - 1.0)
        assert results[name] == pytest.approx((value, d_start, d_weight), rel=1e-9), name
