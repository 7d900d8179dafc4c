"""Progress of a long training run: a tqdm bar on a terminal (when tqdm is installed), else a
plain line per tenth, which reads well in a log file, CI output or a notebook."""

from __future__ import annotations

import sys
from typing import Protocol


class Progress(Protocol):
    def update(self, n: int = 1) -> object: ...
    def set_description(self, desc: str) -> object: ...
    def close(self) -> object: ...


class PlainProgress:
    """Prints "training  40% (4 x 100 ReLU)" to stderr each time another tenth is done."""

    def __init__(self, total: int, what: str = "training") -> None:
        self.total = max(total, 1)
        self.what = what
        self.done = 0
        self.desc = ""
        self.printed_tenths = 0

    def update(self, n: int = 1) -> None:
        self.done += n
        tenths = self.done * 10 // self.total
        if tenths > self.printed_tenths:
            self.printed_tenths = tenths
            detail = f" ({self.desc})" if self.desc else ""
            print(f"{self.what} {tenths * 10:3d}%{detail}", file=sys.stderr, flush=True)

    def set_description(self, desc: str) -> None:
        self.desc = desc

    def close(self) -> None:
        pass


class SilentProgress(PlainProgress):
    def update(self, n: int = 1) -> None:
        self.done += n


def progress_bar(
    total: int, enabled: bool = True, unit: str = "epoch", what: str = "training"
) -> Progress:
    """A bar of ``total`` steps of ``unit``; ``what`` names the work in the plain lines."""
    if not enabled:
        return SilentProgress(total)
    if not _is_terminal(sys.stderr):  # a redrawn bar is noise in a file or a pipe
        return PlainProgress(total, what)
    try:
        from tqdm import tqdm
    except ImportError:
        return PlainProgress(total, what)
    return tqdm(total=total, unit=unit, file=sys.stderr, dynamic_ncols=True)


def _is_terminal(stream: object) -> bool:
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:  # a closed stream
        return False
