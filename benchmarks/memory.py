"""Memory: a long training loop must hold steady, and a T2 step's peak must stay near PyTorch's.

Steady state: after a 10% warm-up, ten samples at even intervals, each right after
``gc.collect()`` (which also empties CPython's free lists, 2,000 spare tuples and the like, that
otherwise read as up to 200 KB of false growth); the growth from first to last must stay under
64 KiB / 256 blocks. The Tensor loop (T1 as a user writes it) is read with tracemalloc, which sees
NumPy's buffers; the Value loop (S1) with sys.getallocatedblocks(), free per object where
tracemalloc would slow the scalar engine several times.

Peak (``python -m benchmarks.memory ENGINE BATCH``, a fresh process per engine): tracemalloc cannot
see PyTorch's allocator, so the probe reads the resident set size (VmRSS), resets the kernel's
high-water mark (/proc/self/clear_refs), runs, and reads the mark (VmHWM). ``training_peak_kb``
(judged) covers building the model and three steps; ``step_rise_kb`` one more step. glibc serves
every array from its own mapping (MALLOC_MMAP_THRESHOLD_), so freed memory is not reused unseen.
"""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from .adapters import load
from .plans import Plan
from .workloads import DIGITS, LARGE, Moons, Net, digits, he_init, random_batch


def _status_kb(field: str) -> int:
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith(field + ":"))


def _sampled(step: Callable[[], object], steps: int, read: Callable[[], int], limit: int) -> dict:
    warmup = max(steps // 10, 5)
    for _ in range(warmup):
        step()
    every, samples, rss = max((steps - warmup) // 10, 1), [], []
    for i in range(steps - warmup):
        step()
        if (i + 1) % every == 0:
            gc.collect()
            samples.append(read())
            rss.append(_status_kb("VmRSS"))
    growth = samples[-1] - samples[0]
    return {
        "steps": steps,
        "growth": growth,
        "rss_growth_kb": rss[-1] - rss[0],
        "holds_steady": growth < limit,
    }


def _dagrad(name: str) -> Any:
    engine, why = load(name)
    if engine is None:  # dagrad itself must import: its memory is what is measured
        raise RuntimeError(f"memory: {why}")
    return engine


def steady_tensor(steps: int) -> dict[str, Any]:
    engine = _dagrad("dagrad_tensor")
    data = digits().astype("float32")
    trainer = engine.trainer(DIGITS, he_init(DIGITS.sizes, "float32"), "float32")

    def batches() -> Iterator[Any]:
        while True:  # epoch after epoch through the user's DataLoader
            yield from trainer.loader(data.x_train, data.y_train)

    feed = batches()
    tracemalloc.start()
    try:
        out = _sampled(
            lambda: trainer.step(next(feed)),
            steps,
            lambda: tracemalloc.get_traced_memory()[0],
            64 * 1024,
        )
    finally:
        tracemalloc.stop()
    return {**out, "unit": "bytes (tracemalloc)"}


def steady_value(steps: int) -> dict[str, Any]:
    engine = _dagrad("dagrad_value")
    cfg = Moons(samples=8)
    model = engine.s1(cfg.weights(), *cfg.data())
    gc.collect()
    out = _sampled(lambda: model.step(0.1), steps, sys.getallocatedblocks, 256)
    return {**out, "unit": "allocated blocks (sys.getallocatedblocks)"}


def _rise_kb(run: Callable[[], object]) -> int:
    """How far the resident set rose above its level before ``run()`` while it ran."""
    gc.collect()
    before = _status_kb("VmRSS")
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")
    run()
    return _status_kb("VmHWM") - before


def probe(name: str, batch: int) -> dict[str, Any]:
    engine, why = load(name)
    if engine is None:
        return {"engine": name, "batch": batch, "error": why}
    # a tiny model's step first: the library's one-off start-up is not what a step needs
    tiny = Net((8, 8, 2), 4)
    warm = engine.trainer(tiny, he_init(tiny.sizes, "float32"), "float32")
    warm.step(warm.prepare(*random_batch((8,), 2, 4, "float32")))
    del warm
    data, made = random_batch(LARGE.sizes[:1], 10, batch, "float32"), []

    def build_and_train() -> None:
        trainer = engine.trainer(LARGE, he_init(LARGE.sizes, "float32"), "float32")
        made.extend([trainer, trainer.prepare(*data)])
        for _ in range(3):
            trainer.step(made[1])

    footprint = _rise_kb(build_and_train)
    trainer, prepared = made
    rise = _rise_kb(lambda: trainer.step(prepared))
    tracemalloc.start()
    trainer.step(prepared)
    traced = tracemalloc.get_traced_memory()[1] // 1024
    tracemalloc.stop()
    return {
        "engine": name,
        "batch": batch,
        "training_peak_kb": footprint,
        "step_rise_kb": rise,
        "tracemalloc_step_peak_kb": None if name == "torch_cpu" else traced,
    }


def peak(engine: str, batch: int) -> dict[str, Any]:
    env = {**os.environ, "MALLOC_MMAP_THRESHOLD_": str(64 * 1024)}
    root = Path(__file__).resolve().parents[1]
    cmd = [sys.executable, "-m", "benchmarks.memory", engine, str(batch)]
    done = subprocess.run(cmd, cwd=root, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        return {
            "engine": engine,
            "batch": batch,
            "error": (done.stderr.strip().splitlines() or ["no output"])[-1],
        }
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def run(plan: Plan, engines: tuple[str, ...]) -> dict[str, Any]:
    return {
        "steady_tensor": steady_tensor(plan.memory_tensor_steps),
        "steady_value": steady_value(plan.memory_value_steps),
        "peak_step": [peak(e, b) for b in plan.memory_peak_batches for e in engines],
    }


if __name__ == "__main__":
    print(json.dumps(probe(sys.argv[1], int(sys.argv[2]))))
