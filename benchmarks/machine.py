"""What the numbers were measured on (CPU, load, versions, BLAS), and the thread count every
engine gets: NumPy's BLAS and PyTorch alike, 2 by default (both cores, as BENCHMARKS.md says),
passed to subprocesses (HIPS venv, memory probes) through the environment."""

from __future__ import annotations

import os
import platform
import sys
from typing import Any

import numpy as np

THREADS_ENV = "DAGRAD_BENCH_THREADS"


def threads() -> int:
    return int(os.environ.get(THREADS_ENV, 2))


def use_threads(n: int) -> None:
    """``n`` threads from now on, in this process and the ones it starts."""
    if n < 1:
        raise ValueError(f"threads must be at least 1, got {n}")
    for var in (THREADS_ENV, "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"):
        os.environ[var] = str(n)
    # PyTorch's OpenMP workers otherwise spin after each op, holding a core that the next
    # engine's second BLAS thread then waits for: that engine's times split into a fast and a
    # slow group and the medians jump. Read when PyTorch loads (engines load after this).
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # NumPy keeps the count it started with (numpy_blas says which)
        return
    threadpool_limits(limits=n, user_api="blas")


def numpy_blas() -> dict[str, Any]:
    """NumPy's BLAS and its threads, from threadpoolctl (it comes with scikit-learn)."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return {"blas": "unknown", "threads": None}
    for pool in threadpool_info():
        if pool.get("user_api") == "blas" and "numpy" in pool.get("filepath", ""):
            return {
                "blas": f"{pool['internal_api']} {pool['version']}",
                "threads": pool["num_threads"],
            }
    return {"blas": "unknown", "threads": None}


def load_average() -> float:
    """The 1-minute load average: above ~0.7 something else is using this machine."""
    return os.getloadavg()[0]


def describe() -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    info = {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "load_average_at_end": load_average(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "numpy_blas": numpy_blas(),
    }
    torch = sys.modules.get("torch")  # only if an adapter imported it
    if torch is not None:
        info.update(torch=torch.__version__, torch_threads=torch.get_num_threads())
    return info
