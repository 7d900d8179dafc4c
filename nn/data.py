"""Feeding data to a model: mini-batches (DataLoader) and the lecture's lagged features.

``DataLoader(x, y, batch_size=32, shuffle=True, seed=0)`` cuts same-length arrays into batches of
rows and yields them as tuples of Tensors; one pass over it is one epoch.
``lagged_pairs(series, k)`` turns a daily series into (the past k days, the next day) examples.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from autograd import Tensor

from . import init


def _rows(position: int, array: Any) -> np.ndarray:
    # through Tensor, so lists follow dagrad's dtype rule (floats -> float32); arrays keep theirs
    data = array.data if isinstance(array, Tensor) else Tensor(array).data
    if data.ndim == 0:
        raise ValueError(
            f"DataLoader(): array {position} is a single number; each array needs one row per "
            "example"
        )
    return data  # type: ignore[no-any-return]


class DataLoader:
    """Mini-batches of rows taken at the same positions from each of ``arrays``.

    Each batch is a tuple of Tensors, one per array, holding copies of ``batch_size`` rows (the
    last batch may be smaller unless ``drop_last``). With ``shuffle`` the rows come in a fresh
    random order every epoch, drawn from a generator seeded with ``seed`` (an int or a
    np.random.Generator): the same seed gives the same sequence of epochs. Without a seed the
    generator is seeded from nn.init's shared one, so ``nn.init.manual_seed(n)`` fixes the
    order as well as the initial weights (as torch.manual_seed does).
    """

    def __init__(
        self,
        *arrays: Any,
        batch_size: int = 1,
        shuffle: bool = False,
        seed: int | np.random.Generator | None = None,
        drop_last: bool = False,
    ) -> None:
        if not arrays:
            raise ValueError("DataLoader(): give at least one array, e.g. DataLoader(x, y, ...)")
        if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)):
            raise TypeError(f"DataLoader(): batch_size must be an integer, got {batch_size!r}")
        if batch_size < 1:
            raise ValueError(f"DataLoader(): batch_size must be at least 1, got {batch_size}")
        self.arrays = [_rows(i, a) for i, a in enumerate(arrays)]
        lengths = [len(a) for a in self.arrays]
        if len(set(lengths)) > 1:
            listed = ", ".join(f"array {i} has {n}" for i, n in enumerate(lengths))
            raise ValueError(
                f"DataLoader(): the arrays must have the same number of rows: {listed}"
            )
        self.num_examples = lengths[0]
        self.batch_size = int(batch_size)
        self.shuffle = bool(shuffle)
        self.drop_last = bool(drop_last)
        if seed is None:
            seed = int(init.get_generator().integers(2**63))
        elif not isinstance(seed, np.random.Generator) and (
            isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0
        ):
            raise TypeError(
                "DataLoader(): seed must be a non-negative integer, a np.random.Generator or "
                f"None, got {seed!r:.40}"
            )
        self._rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)

    def __len__(self) -> int:
        """Batches per epoch."""
        full, rest = divmod(self.num_examples, self.batch_size)
        return full + (1 if rest and not self.drop_last else 0)

    def __iter__(self) -> Iterator[tuple[Tensor, ...]]:
        n, size = self.num_examples, self.batch_size
        order = self._rng.permutation(n) if self.shuffle else None
        stop_at = n - n % size if self.drop_last else n
        for start in range(0, stop_at, size):
            rows: Any = slice(start, start + size) if order is None else order[start : start + size]
            yield tuple(Tensor(a[rows].copy()) for a in self.arrays)

    def __repr__(self) -> str:
        return (
            f"DataLoader({len(self.arrays)} arrays of {self.num_examples} rows, "
            f"batch_size={self.batch_size}, shuffle={self.shuffle}, drop_last={self.drop_last})"
        )


def lagged_pairs(series: Any, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Examples for next-day prediction from a daily series: x = the past ``k`` days, y = the day.

    Returns X of shape (n, k) and y of shape (n,) with n = len(series) - k: row i predicts
    ``series[i + k]`` and column j holds the value j + 1 days before it (column 0 is
    yesterday), so the model on the last d days uses ``X[:, :d]``. A floating series keeps
    its dtype; integers (counts) become float32, dagrad's default.
    """
    values = np.asarray(series.data if isinstance(series, Tensor) else series)
    if values.ndim != 1:
        raise ValueError(
            f"lagged_pairs(): series must be 1-D (one value per day), got {values.shape}"
        )
    if values.dtype.kind != "f":
        if values.dtype.kind not in "iub":
            raise TypeError(f"lagged_pairs(): series must be numeric, got dtype {values.dtype}")
        values = values.astype(np.float32)
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"lagged_pairs(): k must be a positive integer, got {k!r}")
    if len(values) <= k:
        raise ValueError(
            f"lagged_pairs(): a series of {len(values)} days has no day with {k} days before it; "
            f"it needs at least {k + 1} days"
        )
    # windows[i] = values[i : i + k], oldest first; reversed, column 0 is the day before i + k
    windows = np.lib.stride_tricks.sliding_window_view(values, k)[:-1]
    return windows[:, ::-1].copy(), values[k:].copy()
