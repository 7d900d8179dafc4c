"""What the numbers were measured on: CPU, cores, load, versions, thread counts, BLAS."""

from __future__ import annotations

import os
import platform
import sys
from typing import Any

import numpy as np


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def numpy_blas() -> dict[str, Any]:
    """NumPy's BLAS and its thread count: threadpoolctl when it is installed (it comes with
    scikit-learn), else NumPy's build configuration (no thread count then)."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]  # type: ignore[index]
        return {"blas": f"{blas['name']} {blas.get('version', '')}".strip(), "threads": None}
    for pool in threadpool_info():
        if pool.get("user_api") == "blas" and "numpy" in pool.get("filepath", ""):
            return {
                "blas": f"{pool['internal_api']} {pool['version']}",
                "threads": pool["num_threads"],
                "architecture": pool.get("architecture"),
            }
    return {"blas": "unknown", "threads": None}


def load_average() -> float | None:
    """The 1-minute load average: above ~0.5 something else is using this machine."""
    return os.getloadavg()[0] if hasattr(os, "getloadavg") else None


def describe() -> dict[str, Any]:
    info: dict[str, Any] = {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "load_average_at_end": load_average(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "numpy": np.__version__,
        "numpy_blas": numpy_blas(),
    }
    torch = sys.modules.get("torch")  # reported only if an adapter imported it
    if torch is not None:
        info["torch"] = torch.__version__
        info["torch_threads"] = torch.get_num_threads()
    return info
