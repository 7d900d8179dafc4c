"""Where dagrad's time goes on one workload, run as its judged row runs it: cProfile's top
functions, and the share of the garbage collector (which cProfile cannot see).

``python -m benchmarks.profiling T1 [--steps N] [--top 25]``: S1, S2, S3 (dagrad Value); T1, T2,
T2b1024, T2-Adam, T3 (dagrad Tensor, user code).
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import pstats
import time
from collections.abc import Callable
from typing import Any

from . import workloads as w
from .adapters import load

STEPS = {"T2": (w.LARGE, 128), "T2b1024": (w.LARGE, 1024), "T2-Adam": (w.LARGE_ADAM, 128)}


def workload(name: str) -> Callable[[], object]:
    """One unit (a step, an epoch, a chain) of ``name`` on dagrad's judged row."""
    value, tensor = load("dagrad_value")[0], load("dagrad_tensor")[0]
    if name in ("S1", "S2", "S3"):
        model, (a, b) = value.s1(w.Moons().weights(), *w.Moons().data()), w.wide_sum_inputs(100_000)
        units: dict[str, Callable[[], Any]] = {
            "S1": lambda: model.step(0.1),
            "S2": lambda: value.chain(100_000),
            "S3": lambda: value.wide(a, b).backward(),
        }
        return units[name]
    if name == "T3":
        return lambda: tensor.tiny_chain(w.tiny_input(), w.tiny_ops(1000))
    if name == "T1":
        data = w.digits().astype("float32")
        trainer = tensor.trainer(w.DIGITS, w.he_init(w.DIGITS.sizes, "float32"), "float32")
        loader = trainer.loader(data.x_train, data.y_train)
        return lambda: [trainer.step(batch) for batch in loader]
    net, size = STEPS[name]
    trainer = tensor.trainer(net, w.he_init(net.sizes, "float32"), "float32")
    batch = trainer.prepare(*w.random_batch(net.sizes[:1], 10, size, "float32"))
    return lambda: trainer.step(batch)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m benchmarks.profiling", description=__doc__)
    p.add_argument("workload", choices=("S1", "S2", "S3", "T1", "T2", "T2b1024", "T2-Adam", "T3"))
    p.add_argument("--steps", type=int, default=5, help="units to profile (default 5)")
    p.add_argument("--top", type=int, default=25, help="functions to list (default 25)")
    args = p.parse_args(argv)
    run = workload(args.workload)
    run()  # warm-up
    seconds = []
    for collector in (gc.enable, gc.disable):
        collector()
        gc.collect()
        start = time.perf_counter()
        for _ in range(args.steps):
            run()
        seconds.append((time.perf_counter() - start) / args.steps)
    gc.enable()
    print(
        f"{args.workload}: {seconds[0] * 1e3:.2f} ms per unit, {seconds[1] * 1e3:.2f} ms with the "
        f"garbage collector off ({1 - seconds[1] / seconds[0]:.0%} of the time is collections)"
    )
    profiler = cProfile.Profile()
    profiler.runcall(lambda: [run() for _ in range(args.steps)])
    pstats.Stats(profiler).sort_stats("tottime").print_stats(args.top)


if __name__ == "__main__":
    main()
