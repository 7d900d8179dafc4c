"""Global switches every part of the engine reads: grad mode, anomaly mode, the in-place clock.

A leaf module: it imports nothing from dagrad, so the graph core, the node types and the
anomaly checker can all import it without import cycles.
"""

from __future__ import annotations

import functools
import inspect
import threading
from collections.abc import Callable, Generator
from typing import Any


class _Mode(threading.local):
    grad_enabled = True  # the default every new thread starts with, as in PyTorch
    # ops call anomaly.on_forward for every node they record, and the backward pass calls
    # anomaly.on_backward, while this is on: under detect_anomaly(), record_sites() and while
    # gradcheck's doctor records a graph (see anomaly.py); the ops' hot path pays this one check
    anomaly = False
    detecting = False  # inside detect_anomaly()
    sites = False  # ops remember the line that created them (detect_anomaly, record_sites)
    check_nan = False  # detect_anomaly(check_nan=True): NaNs raise
    recorder: Any = None  # a callable given each recorded node (gradcheck/blame.py), or None
    # gradcheck works on float64 copies of the inputs, which may meet a model's float32 weights
    # in a product: while it runs, products promote instead of refusing two dtypes
    promote_products = False

    def __setattr__(self, name: str, value: Any) -> None:
        if name != "grad_enabled" and name != "anomaly":
            super().__setattr__(name, value)
            return
        was_usual = self.grad_enabled and not self.anomaly
        super().__setattr__(name, value)
        now_usual = self.grad_enabled and not self.anomaly
        if was_usual != now_usual:
            unusual.threads += 1 if was_usual else -1


class _Unusual:
    """How many threads are outside the usual mode (grad on, anomaly off). While none is, an op
    records without reading the thread-local switches: a plain attribute like this costs a
    fifth of a thread-local one, and every op would read two. (A thread that ends outside the
    usual mode keeps the count up: ops then read the switches, as they did before.)"""

    def __init__(self) -> None:
        self.threads = 0  # (an instance attribute: Python reads those fastest)


unusual = _Unusual()
mode = _Mode()


class _Clock:
    """Counts in-place modifications of Tensor data, process-wide.

    Every Tensor node remembers the tick at which it was recorded, and an in-place op stamps the
    data it modifies with a new tick. A backward rule whose saved data carries a later stamp
    than its node would read values that are not the ones its op saw, and raises instead (this
    is PyTorch's version counter, with one shared clock instead of one counter per tensor).
    """

    def __init__(self) -> None:
        self.now = 0  # (an instance attribute: every op reads it, and Python reads those fastest)

    def tick(self) -> int:
        self.now += 1
        return self.now


clock = _Clock()


def is_grad_enabled() -> bool:
    """True unless the current thread is inside ``no_grad()``."""
    return mode.grad_enabled


class FreshInstanceDecorator:
    """Lets a context manager decorate a function: each call enters a fresh instance made with
    the same arguments, so concurrent and recursive calls never share one instance's saved
    state. A generator function gets the context around each of its resumptions, so
    ``@no_grad()`` on a generator disables grad inside its body (as in PyTorch)."""

    _args: tuple[Any, ...] = ()

    def __call__(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        make, args = type(self), self._args
        if inspect.isgeneratorfunction(fn):

            @functools.wraps(fn)
            def generator(*a: Any, **kw: Any) -> Generator[Any, Any, Any]:
                gen = fn(*a, **kw)
                sent: Any = None
                while True:
                    with make(*args):
                        try:
                            item = gen.send(sent)
                        except StopIteration as stop:
                            return stop.value
                    sent = yield item

            return generator

        @functools.wraps(fn)
        def wrapper(*a: Any, **kw: Any) -> Any:
            with make(*args):
                return fn(*a, **kw)

        return wrapper

    def __enter__(self) -> Any:
        raise NotImplementedError

    def __exit__(self, *exc: object) -> None:
        raise NotImplementedError


class set_grad_enabled(FreshInstanceDecorator):  # noqa: N801 - named as in PyTorch
    """Turn grad mode on or off: at once when called (``set_grad_enabled(False)``), and back to
    the previous mode at the end of a ``with`` block or decorated function."""

    def __init__(self, mode_: bool) -> None:
        if not isinstance(mode_, bool):
            raise TypeError(f"set_grad_enabled(): mode must be True or False, got {mode_!r}")
        self._args = (mode_,)
        self._previous = mode.grad_enabled
        mode.grad_enabled = mode_

    def __enter__(self) -> None:
        pass

    def __exit__(self, *exc: object) -> None:
        mode.grad_enabled = self._previous


class _GradMode(FreshInstanceDecorator):
    """Context manager and decorator that sets grad mode for the current thread only."""

    enabled: bool = True

    def __init__(self) -> None:
        self._previous: list[bool] = []

    def __enter__(self) -> None:
        self._previous.append(mode.grad_enabled)
        mode.grad_enabled = self.enabled

    def __exit__(self, *exc: object) -> None:
        mode.grad_enabled = self._previous.pop()


class no_grad(_GradMode):  # noqa: N801 - named as in PyTorch
    """Record no graph inside this block (or decorated function): ops return constants."""

    enabled = False


class enable_grad(_GradMode):  # noqa: N801 - named as in PyTorch
    """Re-enable graph recording inside a ``no_grad`` block."""

    enabled = True


class inference_mode(no_grad):  # noqa: N801 - named as in PyTorch
    """PyTorch's faster no_grad; here the same as ``no_grad``
    (``inference_mode(False)`` records)."""

    def __init__(self, mode_: bool = True) -> None:
        super().__init__()
        self._args = (mode_,)
        self.enabled = not mode_
