"""Where dagrad's time goes on one workload: cProfile plus the garbage collector's share.

``python -m benchmarks.profiling S1 [--top 25] [--steps N]`` (S1, S2, S3 on dagrad Value; T1, T2,
T3 on dagrad Tensor). Prints wall time with and without the profiler, the time spent in
garbage collections (measured with gc.callbacks, which cProfile cannot see), and the functions
with the most own time. Run it before and after an engine change.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import pstats
import time
from collections.abc import Callable
from typing import Any

from .workloads import (
    DIGITS,
    LARGE,
    MoonsConfig,
    batches,
    digits,
    he_init,
    moons,
    random_batch,
    scalar_init,
    tiny_input,
    tiny_ops,
    wide_sum_inputs,
)


class GcClock:
    """Total seconds spent inside garbage collections while active."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.collections = 0
        self._start = 0.0

    def _callback(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._start = time.perf_counter()
        else:
            self.seconds += time.perf_counter() - self._start
            self.collections += 1

    def __enter__(self) -> GcClock:
        gc.callbacks.append(self._callback)
        return self

    def __exit__(self, *exc: object) -> None:
        gc.callbacks.remove(self._callback)


def workload(name: str, steps: int) -> Callable[[], None]:
    """A callable doing ``steps`` units of the workload on dagrad, warmed up once."""
    from .adapters import dagrad_tensor, dagrad_value

    if name == "S1":
        cfg = MoonsConfig()
        x, y = moons(cfg)
        model = dagrad_value.MoonsMLP(scalar_init(cfg.sizes), x, y, cfg.alpha)
        run: Callable[[], object] = lambda: model.step(0.1)  # noqa: E731
    elif name == "S2":
        run = lambda: dagrad_value.chain(100_000)  # noqa: E731
    elif name == "S3":
        a, b = wide_sum_inputs(100_000)
        run = lambda: dagrad_value.WideSum(a, b).backward()  # noqa: E731
    elif name == "T1":
        data = digits().astype("float32")
        mlp = dagrad_tensor.MLP(he_init(DIGITS.sizes, "float32"), DIGITS.lr, DIGITS.momentum)
        train = [mlp.prepare(x, y) for x, y in batches(data.x_train, data.y_train, 64)]
        run = lambda: [mlp.step(batch) for batch in train]  # noqa: E731
    elif name in ("T2", "T2b1024"):
        size = 1024 if name == "T2b1024" else 128
        big = dagrad_tensor.MLP(he_init(LARGE.sizes, "float32"), LARGE.lr, LARGE.momentum)
        batch = big.prepare(*random_batch(LARGE.sizes, size, "float32"))
        run = lambda: big.step(batch)  # noqa: E731
    elif name == "T3":
        x0, ops = tiny_input(), tiny_ops(1000)
        run = lambda: dagrad_tensor.tiny_chain(x0, ops)  # noqa: E731
    else:
        raise ValueError(f"unknown workload {name!r}: S1 S2 S3 T1 T2 T2b1024 T3")
    run()

    def repeat() -> None:
        for _ in range(steps):
            run()

    return repeat


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m benchmarks.profiling", description=__doc__)
    p.add_argument("workload", help="S1 S2 S3 T1 T2 T2b1024 T3")
    p.add_argument("--steps", type=int, default=5, help="units to profile (default 5)")
    p.add_argument("--top", type=int, default=25, help="functions to list (default 25)")
    args = p.parse_args(argv)
    run = workload(args.workload, args.steps)
    gc.collect()
    with GcClock() as gc_clock:
        start = time.perf_counter()
        run()
        plain = time.perf_counter() - start
    gc.collect()
    gc.disable()
    start = time.perf_counter()
    run()
    no_gc = time.perf_counter() - start
    gc.enable()
    gc.collect()
    profiler = cProfile.Profile()
    profiler.enable()
    run()
    profiler.disable()
    print(
        f"{args.workload}: {plain / args.steps * 1e3:.2f} ms per unit; garbage collector "
        f"{gc_clock.seconds / plain:.0%} of it ({gc_clock.collections} collections); "
        f"{no_gc / args.steps * 1e3:.2f} ms per unit with gc disabled"
    )
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(args.top)
    print(out.getvalue())


if __name__ == "__main__":
    main()
