"""Memory: a long training loop must hold steady, and a T2 step's peak must stay near
PyTorch's.

Steady state: after a warm-up, memory is sampled at ten evenly spaced steps, each right after a
full collection; the growth from the first sample to the last must be (nearly) zero. The Tensor
loop (T1's model on digits) is sampled with tracemalloc, which sees NumPy's buffers; the Value
loop (S1's model) with sys.getallocatedblocks(), which costs nothing per object where
tracemalloc would slow the scalar engine several times over. The resident set size is recorded
alongside.
"""

from __future__ import annotations

import gc
import itertools
import json
import os
import subprocess
import sys
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .plans import Plan
from .workloads import DIGITS, MoonsConfig, batches, digits, he_init, moons, scalar_init

# a loop "holds steady" if it grows less than this between the first and last sample
TENSOR_GROWTH_LIMIT_BYTES = 64 * 1024
VALUE_GROWTH_LIMIT_BLOCKS = 256
SAMPLES = 10


def _rss_kb() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def _sampled_loop(step: Callable[[], object], steps: int, read: Callable[[], int]) -> dict:
    warmup = max(steps // 10, 5)
    for _ in range(warmup):
        step()
    every = max((steps - warmup) // SAMPLES, 1)
    samples, rss = [], []
    for i in range(steps - warmup):
        step()
        if (i + 1) % every == 0:
            # a full collection also empties CPython's free lists (2,000 spare 2-tuples, 100
            # floats...), which fill up unevenly between collections and would otherwise
            # read as up to 200 KB of growth that is no leak
            gc.collect()
            samples.append(read())
            rss.append(_rss_kb())
    return {
        "steps": steps,
        "warmup": warmup,
        "samples": samples,
        "rss_kb": rss,
        "growth": samples[-1] - samples[0],
        "rss_growth_kb": rss[-1] - rss[0],
    }


def steady_tensor(steps: int) -> dict[str, Any]:
    """dagrad Tensor on T1's model and data, cycling through the batches."""
    from .adapters import dagrad_tensor

    data = digits().astype("float32")
    model = dagrad_tensor.MLP(he_init(DIGITS.sizes, "float32"), DIGITS.lr, DIGITS.momentum)
    train = itertools.cycle(
        [model.prepare(x, y) for x, y in batches(data.x_train, data.y_train, DIGITS.batch)]
    )
    tracemalloc.start()
    try:
        result = _sampled_loop(
            lambda: model.step(next(train)), steps, lambda: tracemalloc.get_traced_memory()[0]
        )
    finally:
        tracemalloc.stop()
    result["unit"] = "bytes (tracemalloc)"
    result["holds_steady"] = result["growth"] < TENSOR_GROWTH_LIMIT_BYTES
    return result


def steady_value(steps: int) -> dict[str, Any]:
    """dagrad Value on S1's model with 8 examples (a full-batch step is 100x slower)."""
    from .adapters import dagrad_value

    cfg = MoonsConfig(samples=8)
    x, y = moons(cfg)
    model = dagrad_value.MoonsMLP(scalar_init(cfg.sizes), x, y, cfg.alpha)
    gc.collect()
    result = _sampled_loop(lambda: model.step(0.1), steps, sys.getallocatedblocks)
    result["unit"] = "allocated blocks (sys.getallocatedblocks)"
    result["holds_steady"] = result["growth"] < VALUE_GROWTH_LIMIT_BLOCKS
    return result


def peak_step(engine: str, batch: int) -> dict[str, Any]:
    """peak_probe.py in a fresh process of this venv (so nothing earlier inflates the peak)."""
    env = {**os.environ, "MALLOC_MMAP_THRESHOLD_": str(64 * 1024)}  # see peak_probe.py
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.peak_probe", engine, str(batch)],
        cwd=Path(__file__).resolve().parents[1],
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        tail = done.stderr.strip().splitlines()[-1:] or ["no output"]
        return {"engine": engine, "batch": batch, "error": tail[0]}
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def run(plan: Plan, engines: tuple[str, ...]) -> dict[str, Any]:
    result: dict[str, Any] = {
        "steady_tensor": steady_tensor(plan.memory_tensor_steps),
        "steady_value": steady_value(plan.memory_value_steps),
        "peak_step": [peak_step(e, b) for b in plan.memory_peak_batches for e in engines],
    }
    return result
