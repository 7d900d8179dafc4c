"""``compile(fn)``: the callable that records ``fn`` once and replays it afterwards."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any

from .. import value as _value
from ..collector import gc_paused
from ..modes import mode
from ..ops.common import is_int
from ..value import Value
from .arguments import call_arguments, flatten, rebuild, split_outputs
from .program import build
from .recorder import Recorder, kept_after_call
from .replay import Recording

_RECORDING = threading.Lock()  # one recording at a time: value.py has one observer slot
ON_CHANGE = ("rerecord", "raise")


class GuardError(RuntimeError):
    """A compiled step was called with inputs that would take ``fn`` down another path than the
    recorded one, and ``on_change="raise"`` asked to be told instead of recording again."""


class CompiledStep:
    """``fn``, recorded on its first call and replayed afterwards (see ``autograd.compile``)."""

    def __init__(
        self, fn: Callable[..., Any], on_change: str = "rerecord", max_recordings: int = 8
    ) -> None:
        if not callable(fn):
            raise TypeError(f"compile: fn must be callable, got a {type(fn).__name__}")
        if on_change not in ON_CHANGE:
            raise ValueError(f"compile: on_change must be 'rerecord' or 'raise', got {on_change!r}")
        if not is_int(max_recordings) or max_recordings < 1:
            raise ValueError(
                f"compile: max_recordings must be a positive integer, got {max_recordings!r}"
            )
        self.fn = fn
        self.on_change = on_change
        self.max_recordings = max_recordings
        self._recordings: list[Recording] = []  # the latest used first
        self.recorded = 0  # how many calls were recorded (the first, and each new path)
        functools.update_wrapper(self, fn)  # type: ignore[arg-type]

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        observer = _value._observer
        if (observer is not None and observer.thread == threading.get_ident()) or mode.anomaly:
            # inside another step's recording (which records this too), or under
            # detect_anomaly (which checks every op eagerly): run fn as it is
            return self.fn(*args, **kwargs)
        leaves, key = flatten(args, kwargs)
        key = (mode.grad_enabled, key)
        failed: tuple[Recording, int] | None = None
        for i, recording in enumerate(self._recordings):
            if recording.key != key:
                continue
            got = recording.replay(leaves)
            if type(got) is not int:
                if i:
                    self._recordings.insert(0, self._recordings.pop(i))
                return got
            failed = (recording, got)
        if self.on_change == "raise" and self._recordings:
            raise GuardError(self._explain(failed))
        return self._record(args, kwargs, leaves, key)

    def _record(
        self, args: tuple[Any, ...], kwargs: dict[str, Any], leaves: list[Any], key: Any
    ) -> Any:
        call_args, call_kwargs, given = call_arguments(args, kwargs, _number)
        recorder = Recorder()
        recorder.numbers = {id(v): v for v, x in zip(given, leaves) if v is not x}
        # the recording holds the whole graph and makes as many objects again, none in a cycle:
        # the cycle collector would only scan them, over and over (see collector.py)
        with _RECORDING, gc_paused():
            _value.start_recording(recorder)
            try:
                result = self.fn(*call_args, **call_kwargs)
            finally:
                _value.stop_recording()
            outputs, template = split_outputs(result)
            del result  # (counted out: Values fn made and still holds are inputs, not constants)
            kept = kept_after_call(recorder, outputs)
            program = build(recorder, outputs, given, kept)
            graph = rebuild(template, outputs)
            kinds = ["grad" if isinstance(x, Value) and x.requires_grad else "" for x in leaves]
            recording = Recording(key, program, template, kinds, graph)
        self._recordings.insert(0, recording)
        del self._recordings[self.max_recordings :]
        self.recorded += 1
        return graph

    def _explain(self, failed: tuple[Recording, int] | None) -> str:
        if failed is None:
            return (
                "compile: this call's arguments differ in structure from the recorded call's "
                "(their nesting, lengths, settings, or which Values require grad or are the same "
                "object); pass on_change='rerecord' to record it as well"
            )
        recording, n = failed
        guard = recording.guard(n)
        return (
            f"compile: at {guard.where} the recorded call took a branch on a Value "
            f"({guard.text()}); this call would take the other one, so the recorded graph does "
            "not hold for it. Pass on_change='rerecord' to record the new path as well"
        )

    # --- looking inside ------------------------------------------------------------------
    @property
    def code(self) -> str:
        """The generated forward and backward code of the latest recording, as Python."""
        return self._latest().code

    @property
    def graph(self) -> Any:
        """What the latest recorded call returned: its Values and their graph (draw_graph)."""
        return self._latest().graph

    @property
    def guards(self) -> list[str]:
        """The branches the latest recording depends on, one line each."""
        return [f"{g.where}: {g.text()}" for g, _, _ in self._latest().program.guards]

    def reset(self) -> None:
        """Forget every recording: the next call records again (after changing what fn reads
        from outside, a list's length say, which no guard sees)."""
        self._recordings.clear()

    def _latest(self) -> Recording:
        if not self._recordings:
            raise RuntimeError("compile: nothing recorded yet; call the step once first")
        return self._recordings[0]

    def __repr__(self) -> str:
        name = getattr(self.fn, "__qualname__", repr(self.fn))
        return f"<compiled {name}: {len(self._recordings)} recording(s)>"


def _number(x: Any) -> Value:
    """A number argument as fn gets it while recorded: a constant Value, so that what fn
    computes from it is recorded (and replayed with the next call's number)."""
    return Value(x, requires_grad=False)
