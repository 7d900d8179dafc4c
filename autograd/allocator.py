"""Freed array memory kept for reuse (glibc), instead of returned to the kernel and faulted back.

dagrad's arrays are NumPy's, and NumPy takes their memory from the C library's ``malloc``. glibc
gives a large array (over 128 KB at first) a fresh mapping from the kernel, and gives freed
memory back as soon as the free space at the top of its heap passes a threshold. A training
step allocates and frees tens of megabytes of activations, gradients and im2col buffers, so
every step the kernel maps and zeroes the same memory again, one page fault per 4 KB: on the
small CNN of benchmarks T5 that was a quarter of the step (2,700 faults, 9 ms of system time
per 27 ms step; the hand-written NumPy floor, which reuses its buffers, had 800).

``keep_freed_memory()`` (called when dagrad is imported) asks glibc to serve allocations up to
32 MiB from its heap and to keep up to 256 MiB of freed heap memory for reuse, the way PyTorch's
caching allocator keeps GPU memory. It is a setting of the whole process (NumPy arrays made by
other code reuse memory too); memory stays reserved by the process after a peak, up to that
limit. It does nothing on other C libraries, and leaves glibc's own settings alone when the
process was started with them (``MALLOC_MMAP_THRESHOLD_``, ``MALLOC_TRIM_THRESHOLD_``,
``GLIBC_TUNABLES``); ``DAGRAD_KEEP_FREED_MEMORY=0`` in the environment turns it off.
"""

from __future__ import annotations

import ctypes
import os

MMAP_THRESHOLD = 32 * 1024 * 1024  # glibc's largest: bigger arrays still get their own mapping
TRIM_THRESHOLD = 256 * 1024 * 1024
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # mallopt's parameter numbers (malloc.h)
_GLIBC_SETTINGS = ("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "GLIBC_TUNABLES")


def keep_freed_memory(
    mmap_threshold: int = MMAP_THRESHOLD, trim_threshold: int = TRIM_THRESHOLD
) -> bool:
    """Ask glibc to reuse freed memory (see the module's text). True if it was set."""
    if os.environ.get("DAGRAD_KEEP_FREED_MEMORY", "1") == "0":
        return False
    if any(name in os.environ for name in _GLIBC_SETTINGS):
        return False  # the user's own settings win
    try:
        libc = ctypes.CDLL(None)
        libc.gnu_get_libc_version  # noqa: B018 - only glibc has it (musl, macOS: no)
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    return bool(mallopt(_M_MMAP_THRESHOLD, mmap_threshold)) and bool(
        mallopt(_M_TRIM_THRESHOLD, trim_threshold)
    )
