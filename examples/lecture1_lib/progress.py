"""A progress bar over all training epochs: tqdm when installed, else a plain line per 10%."""

from __future__ import annotations

import sys
from typing import Protocol


class Progress(Protocol):
    def update(self, n: int = 1) -> object: ...
    def set_description(self, desc: str) -> object: ...
    def close(self) -> object: ...


class PlainProgress:
    """Prints "training  40% (4 x 100 ReLU)" to stderr each time another tenth is done."""

    def __init__(self, total: int) -> None:
        self.total = max(total, 1)
        self.done = 0
        self.desc = ""
        self.printed_tenths = 0

    def update(self, n: int = 1) -> None:
        self.done += n
        tenths = self.done * 10 // self.total
        if tenths > self.printed_tenths:
            self.printed_tenths = tenths
            print(f"training {tenths * 10:3d}% ({self.desc})", file=sys.stderr, flush=True)

    def set_description(self, desc: str) -> None:
        self.desc = desc

    def close(self) -> None:
        pass


class SilentProgress(PlainProgress):
    def update(self, n: int = 1) -> None:
        self.done += n


def progress_bar(total: int, enabled: bool = True) -> Progress:
    if not enabled:
        return SilentProgress(total)
    try:
        from tqdm import tqdm
    except ImportError:
        return PlainProgress(total)
    return tqdm(total=total, unit="epoch", file=sys.stderr, dynamic_ncols=True)
