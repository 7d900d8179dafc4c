"""gc_paused(): the collector is off inside and restored after; dagrad graphs need no collector."""

import gc
import weakref

import pytest

from autograd import Tensor, Value, gc_paused


def test_collector_is_paused_inside_and_restored_after() -> None:
    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_restored_after_an_error_and_respects_a_disabled_collector() -> None:
    with pytest.raises(ZeroDivisionError), gc_paused():
        1 / 0  # noqa: B018
    assert gc.isenabled()
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()  # it was off before, so it stays off
    finally:
        gc.enable()


def test_as_a_decorator() -> None:
    @gc_paused()
    def step() -> bool:
        return gc.isenabled()

    assert step() is False
    assert gc.isenabled()


def test_graphs_built_while_paused_are_freed_by_reference_counting() -> None:
    with gc_paused():
        x = Value(1.5)
        y = (x * x).tanh() + x
        probe = weakref.ref(y)
        y.backward()
        del y
        assert probe() is None  # freed at once: no cycle held it


def test_tensor_refuses_values_instead_of_dropping_their_graph() -> None:
    with pytest.raises(TypeError, match="holds a Value"):
        Tensor(Value(1.5))
    with pytest.raises(TypeError, match="holds a Value"):
        Tensor([[1.0, Value(2.0)]])
