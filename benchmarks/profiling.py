"""Where dagrad's time goes on one workload, as its judged row runs it: cProfile's top functions
and the garbage collector's share, which cProfile cannot see.

``python -m benchmarks.profiling T1 [--steps N] [--top 25]``: S1, S2, S3 (dagrad Value), T1, T2,
T2b1024, T2-Adam, T3 (dagrad Tensor, user code). Run it before and after an engine change.
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

from .adapters import load
from .workloads import (
    DIGITS,
    LARGE,
    LARGE_ADAM,
    Moons,
    digits,
    he_init,
    random_batch,
    tiny_input,
    tiny_ops,
    wide_sum_inputs,
)


def workload(name: str) -> Callable[[], object]:
    """One unit (a step, an epoch, a chain) of ``name`` on dagrad's judged row, warmed up."""
    value, tensor = load("dagrad_value")[0], load("dagrad_tensor")[0]
    run: Callable[[], Any]
    if name == "S1":
        model = value.s1(Moons().weights(), *Moons().data())
        run = lambda: model.step(0.1)  # noqa: E731
    elif name == "S2":
        run = lambda: value.chain(100_000)  # noqa: E731
    elif name == "S3":
        a, b = wide_sum_inputs(100_000)
        run = lambda: value.wide(a, b).backward()  # noqa: E731
    elif name == "T1":
        data = digits().astype("float32")
        trainer = tensor.trainer(DIGITS, he_init(DIGITS.sizes, "float32"), "float32")
        loader = trainer.loader(data.x_train, data.y_train)
        run = lambda: [trainer.step(batch) for batch in loader]  # noqa: E731
    elif name in ("T2", "T2b1024", "T2-Adam"):
        net, size = (
            (LARGE_ADAM, 128) if name == "T2-Adam" else (LARGE, 1024 if "1024" in name else 128)
        )
        trainer = tensor.trainer(net, he_init(net.sizes, "float32"), "float32")
        batch = trainer.prepare(*random_batch(net.sizes[:1], 10, size, "float32"))
        run = lambda: trainer.step(batch)  # noqa: E731
    elif name == "T3":
        run = lambda: tensor.tiny_chain(tiny_input(), tiny_ops(1000))  # noqa: E731
    else:
        raise SystemExit(f"unknown workload {name!r}: S1 S2 S3 T1 T2 T2b1024 T2-Adam T3")
    run()
    return run


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m benchmarks.profiling", description=__doc__)
    p.add_argument("workload")
    p.add_argument("--steps", type=int, default=5, help="units to profile (default 5)")
    p.add_argument("--top", type=int, default=25, help="functions to list (default 25)")
    args = p.parse_args(argv)
    run, gc_seconds, started = workload(args.workload), [0.0], [0.0]

    def clock(phase: str, _: dict[str, Any]) -> None:
        if phase == "start":
            started[0] = time.perf_counter()
        else:
            gc_seconds[0] += time.perf_counter() - started[0]

    times = []
    for paused in (False, True):
        gc.collect()
        gc.callbacks.append(clock) if not paused else gc.disable()
        start = time.perf_counter()
        for _ in range(args.steps):
            run()
        times.append((time.perf_counter() - start) / args.steps)
        gc.callbacks.remove(clock) if not paused else gc.enable()
    profiler = cProfile.Profile()
    profiler.runcall(lambda: [run() for _ in range(args.steps)])
    share = gc_seconds[0] / args.steps / times[0]
    print(
        f"{args.workload}: {times[0] * 1e3:.2f} ms per unit; garbage collector {share:.0%} of "
        f"it; {times[1] * 1e3:.2f} ms with gc disabled"
    )
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(args.top)
    print(out.getvalue())


if __name__ == "__main__":
    main()
