"""The peak memory of T2 training, measured in a fresh process (started by memory.py).

``python -m benchmarks.peak_probe ENGINE BATCH`` prints JSON. Method: read the resident set size
(VmRSS), reset the kernel's high-water mark (``/proc/self/clear_refs``), run, read the high-water
mark (VmHWM): the rise is what the run needed on top of what the process held before. RSS sees
every allocator, PyTorch's included, which tracemalloc cannot.

- ``training_peak_kb`` (the figure the target judges): building the model and taking three steps
  on a batch made beforehand, so parameters, gradients, momentum buffers and the step's
  temporaries all count, and the libraries' own memory does not (a step of a tiny model before
  the measurement gets their one-off start-up out of the way).
- ``step_rise_kb``: one step after those three, over the memory already held; it shows how much
  more than its steady state an engine keeps alive at the peak of a step.
- ``tracemalloc_step_peak_kb``: tracemalloc's peak over one more step (NumPy engines only).

memory.py starts the probe with MALLOC_MMAP_THRESHOLD_=65536, so glibc serves every array from
its own mapping and returns it on free; otherwise memory freed by earlier steps would be reused
unseen, and a step would show no rise at all.
"""

from __future__ import annotations

import gc
import json
import sys
import tracemalloc
from collections.abc import Callable
from typing import Any

from .adapters import load
from .workloads import LARGE, he_init, random_batch


def _status_kb(field: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/self/status")


def _reset_high_water_mark() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def _step_peak_kb(step: Callable[[], object]) -> int:
    """How far the resident set rose above its level before ``step()`` while it ran."""
    gc.collect()
    before = _status_kb("VmRSS")
    if not _reset_high_water_mark():
        raise RuntimeError("cannot reset the RSS high-water mark (/proc/self/clear_refs)")
    step()
    return _status_kb("VmHWM") - before


def probe(name: str, batch_size: int) -> dict[str, Any]:
    engine, why = load(name)
    if engine is None:
        return {"engine": name, "batch": batch_size, "error": why}
    # one step of a tiny model first: the library's one-off start-up (kernels, thread pools,
    # PyTorch's lazy initialisation) is not memory a training step needs
    tiny = (8, 8, 2)
    warm = engine.MLP(he_init(tiny, "float32"), LARGE.lr, LARGE.momentum)
    warm.step(warm.prepare(*random_batch(tiny, 4, "float32")))
    del warm
    data = random_batch(LARGE.sizes, batch_size, "float32")
    model: Any = None

    def build_and_train() -> None:
        nonlocal model
        model = engine.MLP(he_init(LARGE.sizes, "float32"), LARGE.lr, LARGE.momentum)
        batch = model.prepare(*data)
        for _ in range(3):
            model.step(batch)

    footprint = _step_peak_kb(build_and_train)
    batch = model.prepare(*data)
    steady = _step_peak_kb(lambda: model.step(batch))
    tracemalloc.start()
    model.step(batch)
    traced_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return {
        "engine": name,
        "batch": batch_size,
        "training_peak_kb": footprint,
        "step_rise_kb": steady,
        # PyTorch's allocator is invisible to tracemalloc
        "tracemalloc_step_peak_kb": None if name == "torch_cpu" else traced_peak // 1024,
    }


if __name__ == "__main__":
    print(json.dumps(probe(sys.argv[1], int(sys.argv[2]))))
