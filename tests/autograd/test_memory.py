"""Bounded memory: a graph lives exactly as long as its output, freed by reference counting alone.

- 1,000 training steps of a small Tensor MLP leave memory flat after warm-up (tracemalloc); the
  same loop keeping each step's graph alive (retain_graph=True) breaks the bound at once, so it
  can tell a leak; keeping each step's loss (history.append(loss)) does not keep its graph.
- With the garbage collector disabled, a weak reference to an interior node dies the moment the
  output is dropped: after forward only, after backward, after grad(create_graph=True).
- A training step leaves no reference cycles behind: gc.collect() finds nothing to collect.
"""

from __future__ import annotations

import gc
import tracemalloc
import weakref
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest

from autograd import Tensor, Value, detect_anomaly, grad


@pytest.fixture
def gc_disabled() -> Iterator[None]:
    """Reference counting only: whatever a cycle would keep alive stays alive."""
    gc.collect()
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


# --- a small Tensor MLP, trained by hand (the engine alone, no nn/optim) -----------------------


class TinyMLP:
    """4 -> 16 -> 1 with tanh, on a fixed batch; plain SGD on Tensors that require grad."""

    def __init__(self) -> None:
        rng = np.random.default_rng(0)
        self.params = [
            Tensor(rng.normal(0, 0.5, (4, 16)), requires_grad=True),
            Tensor(np.zeros(16), requires_grad=True),
            Tensor(rng.normal(0, 0.5, (16, 1)), requires_grad=True),
        ]
        self.x = Tensor(rng.normal(size=(32, 4)))
        self.y = Tensor(np.sin(self.x.data.sum(axis=1, keepdims=True)))

    def loss(self) -> Tensor:
        w1, b1, w2 = self.params
        prediction = (self.x @ w1 + b1).tanh() @ w2
        return ((prediction - self.y) ** 2).mean()

    def step(self, lr: float = 0.05, retain_graph: bool = False) -> Tensor:
        loss = self.loss()
        loss.backward(retain_graph=retain_graph)
        for p in self.params:
            assert p.grad is not None
            p.data -= lr * p.grad
            p.grad = None
        return loss


BOUND = 256 * 1024  # bytes over 1,000 steps


def traced_growth(
    steps: int, warmup: int, keep_losses: bool, retain_graph: bool = False
) -> tuple[int, float, float]:
    """Bytes still allocated after ``steps`` training steps that follow ``warmup`` ones, and the
    first and last losses. With ``keep_losses`` every loss is kept; with ``retain_graph`` too,
    so is its graph (a backward that frees the graph leaves a kept loss a lone 0-d tensor).

    The warm-up runs under tracing too. Python's free lists (of small tuples, mostly) keep
    their blocks, so while they fill with blocks allocated under tracing the trace grows a
    little (about 25-100 KB in all, over the first several hundred steps), then stays flat."""
    model = TinyMLP()
    kept: list[Tensor] = []
    tracemalloc.start()
    try:
        first = model.step().item()
        for _ in range(warmup - 1):
            model.step()
        before = tracemalloc.get_traced_memory()[0]
        for _ in range(steps):
            loss = model.step(retain_graph=retain_graph)
            if keep_losses:
                kept.append(loss)
        after = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    return after - before, first, loss.item()


def test_a_thousand_training_steps_leave_memory_flat() -> None:
    growth, first, last = traced_growth(steps=1000, warmup=200, keep_losses=False)
    assert last < 0.1 * first  # it really trained: each step built and walked a graph
    # generous: free lists settling stay well under this; a kept graph is ~24 KB per step
    assert growth < BOUND, f"memory grew by {growth:,} bytes over 1,000 steps"


def test_the_memory_bound_catches_a_leak() -> None:
    """The control: keeping each step's graph (about 24 KB) breaks the bound within 50 steps."""
    growth, _, _ = traced_growth(steps=50, warmup=20, keep_losses=True, retain_graph=True)
    assert growth > 3 * BOUND


def test_keeping_each_steps_loss_does_not_keep_its_graph() -> None:
    """history.append(loss), as a PyTorch user writes it: backward() freed each graph, so the
    kept losses are small (issue 14: the graphs used to stay, hundreds of MB for an MLP)."""
    growth, _, _ = traced_growth(steps=50, warmup=20, keep_losses=True)
    assert growth < BOUND / 4, f"50 kept losses hold {growth:,} bytes"


# --- graphs die with their outputs, without the garbage collector -----------------------------


def value_graph() -> tuple[Value, Value, weakref.ref[Value]]:
    """(input, output, a weak reference to an interior node) of a small Value graph."""
    x = Value(0.7)
    hidden = (x * x + 1.0).tanh()
    y = hidden * x + hidden.exp()
    return x, y, weakref.ref(hidden)


def tensor_graph() -> tuple[Tensor, Tensor, weakref.ref[Tensor]]:
    x = Tensor(np.linspace(-1.0, 1.0, 6).reshape(2, 3), requires_grad=True)
    hidden = (x @ Tensor(np.ones((3, 4))) + 1.0).tanh()
    y = (hidden * hidden.sigmoid()).softmax(axis=1).log().sum()
    return x, y, weakref.ref(hidden)


def backward(x: Any, y: Any) -> None:
    y.backward()


def backward_releasing(x: Any, y: Any) -> None:
    y.backward(retain_graph=False)


def first_order(x: Any, y: Any) -> None:
    grad(y, [x])


def second_order(x: Any, y: Any) -> None:
    (g,) = grad(y, [x], create_graph=True)
    (g.sum() if isinstance(g, Tensor) else g).backward()  # a graph of the gradient, walked


AFTER = {
    "forward only": lambda x, y: None,
    "backward": backward,
    "backward(retain_graph=False)": backward_releasing,
    "grad()": first_order,
    "grad(create_graph=True) and backward through it": second_order,
}


@pytest.mark.parametrize("build", [value_graph, tensor_graph], ids=["Value", "Tensor"])
@pytest.mark.parametrize("use", AFTER.values(), ids=AFTER.keys())
def test_a_graph_is_freed_as_soon_as_its_output_is_dropped(
    gc_disabled: None, build: Callable[[], Any], use: Callable[[Any, Any], None]
) -> None:
    x, y, hidden = build()
    use(x, y)
    # backward() and grad() free a Tensor graph as they go (as in PyTorch; the backward through
    # a gradient's graph walks, and frees, the first graph's nodes it uses); a Value graph
    # stays alive as long as its output
    frees = use is backward_releasing or (
        build is tensor_graph and use is not AFTER["forward only"]
    )
    assert (hidden() is None) == frees
    del y
    assert hidden() is None, "the graph outlived its output: something holds it in a cycle"


@pytest.mark.parametrize("build", [value_graph, tensor_graph], ids=["Value", "Tensor"])
def test_a_graph_built_under_detect_anomaly_is_freed_too(
    gc_disabled: None, build: Callable[[], Any]
) -> None:
    """Anomaly mode records where each node was made: that record must not keep it alive."""
    with detect_anomaly():
        x, y, hidden = build()
        y.backward()
    del y
    assert hidden() is None


def test_the_gradient_graph_keeps_what_it_needs_and_no_more(gc_disabled: None) -> None:
    """After grad(create_graph=True) the gradient is a graph of its own: it may use the first
    graph's nodes while it lives, and frees them once both are dropped."""
    x, y, hidden = value_graph()
    (g,) = grad(y, [x], create_graph=True)
    del y
    assert g.requires_grad
    (gg,) = grad(g, [x])
    assert np.isfinite(gg.data)
    del g
    assert hidden() is None


# --- no reference cycles --------------------------------------------------------------------


def value_step() -> None:
    weights = [Value(0.1 * i) for i in range(1, 7)]
    x = [Value(1.0, requires_grad=False), Value(-2.0, requires_grad=False)]
    h = [(weights[i] * x[0] + weights[i + 1] * x[1] + weights[i + 2]).tanh() for i in (0, 3)]
    loss = (h[0] * h[1] - 0.5) ** 2
    loss.backward()
    for w in weights:
        w.data -= 0.1 * w.grad
        w.grad = 0.0


def tensor_step() -> None:
    TinyMLP().step()


def second_order_step() -> None:
    x = Tensor(np.linspace(0.1, 1.0, 5), requires_grad=True)
    (g,) = grad((x.exp() * x).sum(), [x], create_graph=True)
    (g * g).sum().backward()


def nn_step() -> None:
    nn = pytest.importorskip("nn", reason="nn is not there yet")
    model = nn.MLP(4, [8], 3)
    x = Tensor(np.random.default_rng(0).normal(size=(5, 4)).astype(np.float32))
    loss = nn.CrossEntropyLoss()(model(x), np.array([0, 1, 2, 0, 1]))
    loss.backward()
    model.zero_grad()


def optimizer_step() -> None:
    nn = pytest.importorskip("nn", reason="nn is not there yet")
    optim = pytest.importorskip("optim", reason="optim is not there yet")
    model = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 1))
    optimizer = optim.Adam(model.parameters(), lr=0.01)
    x = Tensor(np.linspace(-1.0, 1.0, 20, dtype=np.float32).reshape(5, 4))
    for _ in range(2):  # the second step updates existing optimizer state
        optimizer.zero_grad()
        nn.MSELoss()(model(x), np.ones((5, 1), np.float32)).backward()
        optimizer.step()


@pytest.mark.parametrize(
    "step",
    [value_step, tensor_step, second_order_step, nn_step, optimizer_step],
    ids=["Value step", "Tensor step", "second-order step", "nn step", "nn + Adam steps"],
)
def test_a_training_step_leaves_no_reference_cycles(
    gc_disabled: None, step: Callable[[], None]
) -> None:
    step()  # the first run may create lasting objects (imports, caches): not garbage
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)  # keep what a collection finds, to name it on failure
    try:
        for _ in range(3):
            step()
        found = gc.collect()
        garbage = [type(o).__name__ for o in gc.garbage[:10]]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
    assert found == 0, f"{found} objects were only reachable through cycles, e.g. {garbage}"


def _backward_peak(retain_graph: bool) -> int:
    """tracemalloc's peak during backward alone, over a chain of 40 ops on 1 MB arrays."""
    x = Tensor(np.ones(125_000), requires_grad=True)  # 1 MB of float64
    h = x
    for _ in range(40):
        h = h * 1.0001
    loss = h.sum()
    tracemalloc.start()
    tracemalloc.reset_peak()
    before = tracemalloc.get_traced_memory()[0]
    loss.backward(retain_graph=retain_graph)
    peak = tracemalloc.get_traced_memory()[1] - before
    tracemalloc.stop()
    return peak


def test_backward_without_retain_graph_frees_the_graph_during_the_pass() -> None:
    # kept: every interior node holds its gradient, 40 MB; released as the pass goes: a node
    # and its gradient die once its rule has run, so only a couple of arrays live at a time
    kept = _backward_peak(retain_graph=True)
    released = _backward_peak(retain_graph=False)
    assert kept > 30_000_000
    assert released < 5_000_000
