"""The thread count every engine gets: NumPy's BLAS and PyTorch alike (default 2, both cores,
as BENCHMARKS.md prescribes). Set once by the harness and inherited by its subprocesses through
the environment, so the HIPS venv and the memory probes use the same count."""

from __future__ import annotations

import os

ENV = "DAGRAD_BENCH_THREADS"
DEFAULT = 2
# read by OpenBLAS (NumPy's BLAS here) and OpenMP when a subprocess starts
_BLAS_ENV = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")


def count() -> int:
    return int(os.environ.get(ENV, DEFAULT))


def apply(n: int) -> None:
    """Use ``n`` threads from now on, in this process and in the ones it starts."""
    if n < 1:
        raise ValueError(f"threads must be at least 1, got {n}")
    os.environ[ENV] = str(n)
    for var in _BLAS_ENV:
        os.environ[var] = str(n)
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # then NumPy keeps the count it started with (see machine.numpy_blas)
        return
    threadpool_limits(limits=n, user_api="blas")
