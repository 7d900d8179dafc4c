"""Feeding data to a model, as PyTorch's ``torch.utils.data`` (``from nn.data import Dataset,
DataLoader``), and the lecture's lagged features.

- ``Dataset``: the base class of map-style datasets (any object with ``__getitem__`` and
  ``__len__`` works as one); ``TensorDataset(x, y)`` holds same-length tensors or arrays;
  ``Subset`` and ``random_split`` cut a dataset; ``ConcatDataset`` (and ``a + b``) join them.
- ``DataLoader(dataset, batch_size=1, shuffle=False, ...)`` yields batches collated as PyTorch's
  ``default_collate`` does: tensors, arrays and numbers stacked into Tensors, tuples kept as
  lists, dicts by key. ``for x, y in DataLoader(TensorDataset(x, y), batch_size=32)``.
- ``lagged_pairs(series, k)`` turns a daily series into (the past k days, the next day) examples.

Shuffling draws from autograd's one generator (``autograd.manual_seed(n)``) unless a
``generator=`` is given. Batches of a TensorDataset (or of a Subset of one, or of an array) are
cut from the arrays with one indexing per array, not row by row, so batching costs little.
"""

from __future__ import annotations

import bisect
import math
import numbers
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np

from autograd import Tensor, from_numpy
from autograd import random as _random

from .functional_checks import is_int

__all__ = [
    "ConcatDataset",
    "DataLoader",
    "Dataset",
    "Subset",
    "TensorDataset",
    "default_collate",
    "default_convert",
    "lagged_pairs",
    "random_split",
]


# --- datasets -------------------------------------------------------------------------------


class Dataset:
    """Base class of map-style datasets: subclasses define ``__getitem__(i)`` (one example) and
    ``__len__``. Nothing else needs to derive from it: the DataLoader takes any object with
    those two methods (a list, an array, a Tensor)."""

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError(
            f"{type(self).__name__} has no __getitem__; define __getitem__(self, index) "
            "returning one example"
        )

    def __add__(self, other: Any) -> ConcatDataset:
        return ConcatDataset([self, other])


def _rows_of(tensor: Any) -> Tensor:
    """A Tensor as it is, a numeric array shared (not copied), anything else through Tensor()
    (lists follow torch.tensor's dtypes; non-numeric data is refused there)."""
    if isinstance(tensor, Tensor):
        return tensor
    if isinstance(tensor, np.ndarray) and tensor.dtype.kind in "biuf":
        return from_numpy(tensor)
    return Tensor(tensor)


class TensorDataset(Dataset):
    """Examples made of the rows at the same position of each tensor (or array):
    ``TensorDataset(x, y)[i] == (x[i], y[i])``. Arrays are shared, not copied."""

    def __init__(self, *tensors: Any) -> None:
        if not tensors:
            raise ValueError("TensorDataset(): give at least one tensor, e.g. TensorDataset(x, y)")
        held = [_rows_of(t) for t in tensors]
        for i, t in enumerate(held):
            if t.ndim == 0:
                raise ValueError(
                    f"TensorDataset(): tensor {i} is a single number; each tensor needs one row "
                    "per example"
                )
        lengths = [t.shape[0] for t in held]
        if len(set(lengths)) > 1:
            listed = ", ".join(f"tensor {i} has {n}" for i, n in enumerate(lengths))
            raise ValueError(f"TensorDataset(): size mismatch between tensors: {listed} rows")
        self.tensors = tuple(held)

    def __getitem__(self, index: int) -> tuple[Tensor, ...]:
        return tuple(t[index] for t in self.tensors)

    def __len__(self) -> int:
        return int(self.tensors[0].shape[0])


class Subset(Dataset):
    """The examples of ``dataset`` at ``indices``, in that order."""

    def __init__(self, dataset: Any, indices: Sequence[int]) -> None:
        self.dataset = dataset
        self.indices = indices

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, list):
            return [self.dataset[self.indices[i]] for i in index]
        return self.dataset[self.indices[index]]

    def __len__(self) -> int:
        return len(self.indices)


class ConcatDataset(Dataset):
    """The examples of several datasets one after another."""

    def __init__(self, datasets: Iterable[Any]) -> None:
        self.datasets = list(datasets)
        if not self.datasets:
            raise ValueError("ConcatDataset(): datasets should not be an empty iterable")
        self.cumulative_sizes = list(np.cumsum([len(d) for d in self.datasets]).tolist())

    def __len__(self) -> int:
        return int(self.cumulative_sizes[-1])

    def __getitem__(self, index: int) -> Any:
        if index < 0:
            if -index > len(self):
                raise ValueError("absolute value of index should not exceed dataset length")
            index += len(self)
        which = bisect.bisect_right(self.cumulative_sizes, index)
        start = self.cumulative_sizes[which - 1] if which else 0
        return self.datasets[which][index - start]


def random_split(dataset: Any, lengths: Sequence[float], generator: Any = None) -> list[Subset]:
    """Split ``dataset`` into non-overlapping random Subsets of the given ``lengths`` (counts
    that add up to len(dataset), or fractions that add up to 1, as PyTorch: the rounding
    remainder goes one by one to the first subsets)."""
    n = len(dataset)
    sizes: list[Any] = list(lengths)
    if sizes and math.isclose(sum(sizes), 1) and sum(sizes) <= 1:  # fractions, as PyTorch reads
        for i, frac in enumerate(sizes):
            if not 0 <= frac <= 1:
                raise ValueError(f"random_split(): fraction at index {i} is not between 0 and 1")
        counts = [int(math.floor(n * frac)) for frac in sizes]
        for i in range(n - sum(counts)):
            counts[i % len(counts)] += 1
        sizes = counts
    if any(isinstance(x, bool) or not isinstance(x, numbers.Integral) or x < 0 for x in sizes):
        raise ValueError(
            f"random_split(): lengths must be non-negative integers or fractions adding up to "
            f"1, got {list(lengths)}"
        )
    if sum(sizes) != n:
        raise ValueError(
            "random_split(): sum of input lengths does not equal the length of the input "
            f"dataset ({sum(sizes)} != {n})"
        )
    order = _random.rng(generator).permutation(n).tolist()
    subsets, start = [], 0
    for size in sizes:
        subsets.append(Subset(dataset, order[start : start + int(size)]))
        start += int(size)
    return subsets


# --- collation --------------------------------------------------------------------------------


def default_convert(data: Any) -> Any:
    """What the DataLoader does to each example when it does not batch (``batch_size=None``):
    NumPy arrays and numbers become Tensors; tuples, lists and dicts are converted inside."""
    if isinstance(data, Tensor):
        return data
    if isinstance(data, np.ndarray) and data.dtype.kind in "biuf":
        return from_numpy(data)
    if isinstance(data, np.generic) and data.dtype.kind in "biuf":
        return Tensor(np.asarray(data))
    if isinstance(data, Mapping):
        return type(data)({k: default_convert(v) for k, v in data.items()})  # type: ignore[call-arg]
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, (tuple, list)):  # a tuple becomes a list, as PyTorch's
        return [default_convert(d) for d in data]
    return data


def default_collate(batch: Sequence[Any]) -> Any:
    """A list of examples as one batch, as PyTorch's ``default_collate``: Tensors and arrays are
    stacked along a new first dim, Python floats become a float64 Tensor and ints an int64 one,
    strings stay a sequence, tuples and lists are collated position by position (a list comes
    back), dicts key by key."""
    if not len(batch):
        raise ValueError("default_collate(): the batch is empty")
    elem = batch[0]
    if isinstance(elem, Tensor):
        return Tensor(np.stack([_data(b, elem) for b in batch]))
    if isinstance(elem, np.ndarray):
        if elem.dtype.kind not in "biuf":
            raise TypeError(_collate_error(elem.dtype))
        return from_numpy(np.stack([np.asarray(b) for b in batch]))
    if isinstance(elem, np.generic):
        return from_numpy(np.asarray(batch))
    if isinstance(elem, float):
        return Tensor(np.asarray(batch, dtype=np.float64))
    if isinstance(elem, (bool, int)):
        return Tensor(list(batch))
    if isinstance(elem, (str, bytes)):
        return batch
    if isinstance(elem, Mapping):
        return {key: default_collate([d[key] for d in batch]) for key in elem}
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # a namedtuple keeps its type
        return type(elem)(*(default_collate(s) for s in zip(*batch)))
    if isinstance(elem, Sequence):
        if any(len(e) != len(elem) for e in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        return [default_collate(samples) for samples in zip(*batch)]
    raise TypeError(_collate_error(type(elem)))


def _data(b: Any, first: Tensor) -> np.ndarray:
    if not isinstance(b, Tensor):
        raise TypeError(f"default_collate(): a batch mixes a Tensor with a {type(b).__name__}")
    if b.shape != first.shape:
        raise RuntimeError(
            f"default_collate(): stack expects each tensor to be equal size, but got "
            f"{first.shape} at entry 0 and {b.shape} at another entry"
        )
    return b.data  # type: ignore[no-any-return]


def _collate_error(found: Any) -> str:
    return (
        "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; "
        f"found {found}"
    )


# --- the loader -----------------------------------------------------------------------------


def _fast_source(dataset: Any) -> tuple[list[np.ndarray], np.ndarray | None, bool] | None:
    """(arrays, index map, whether examples are tuples) when batches of ``dataset`` can be cut
    from arrays by indexing: a TensorDataset, an array, a Tensor, or Subsets of those."""
    mapping: np.ndarray | None = None
    while type(dataset) is Subset:
        idx = np.asarray(dataset.indices, dtype=np.intp)
        mapping = idx if mapping is None else idx[mapping]
        dataset = dataset.dataset
    if type(dataset) is TensorDataset:
        return [t.data for t in dataset.tensors], mapping, True
    if isinstance(dataset, Tensor) and dataset.ndim >= 1:
        return [dataset.data], mapping, False
    if type(dataset) is np.ndarray and dataset.ndim >= 1 and dataset.dtype.kind in "biuf":
        return [dataset], mapping, False
    return None


def _seeded(seed: Any) -> Any:
    """``seed=`` (an int or a NumPy Generator) as a generator: the same sequence of epochs
    as ``generator=autograd.Generator().manual_seed(seed)``."""
    if seed is None or isinstance(seed, np.random.Generator):
        return seed
    if not is_int(seed) or seed < 0:
        raise TypeError(
            "DataLoader(): seed must be a non-negative integer, a np.random.Generator or None, "
            f"got {seed!r:.40}"
        )
    return np.random.default_rng(int(seed))


class DataLoader:
    """Batches of a dataset, as PyTorch's ``DataLoader``.

    ``DataLoader(dataset, batch_size=1, shuffle=False, sampler=None, batch_sampler=None,
    num_workers=0, collate_fn=None, pin_memory=False, drop_last=False, timeout=0,
    worker_init_fn=None, multiprocessing_context=None, generator=None, *, prefetch_factor=None,
    persistent_workers=False, pin_memory_device='', in_order=True)``

    One pass over it is one epoch; with ``shuffle`` each epoch has a fresh order, drawn from
    ``generator`` (``autograd.Generator().manual_seed(0)``) or else from autograd's shared
    generator. ``batch_size=None`` yields single examples. ``sampler`` (indices) and
    ``batch_sampler`` (lists of indices) replace the built-in orders. Workers are not needed
    here (batches are cut from arrays in the main process, in microseconds): ``num_workers``,
    ``pin_memory``, ``prefetch_factor`` and the like are accepted and have no effect;
    ``worker_init_fn`` is never called.

    An array or Tensor passed as the dataset gives batches of its rows. As a convenience,
    ``DataLoader(x, y, batch_size=32)`` (arrays or Tensors before the settings) stands for
    ``DataLoader(TensorDataset(x, y), batch_size=32)``: each batch is ``[x_rows, y_rows]``;
    ``seed=n`` (dagrad's earlier spelling) stands for ``generator=Generator().manual_seed(n)``.
    """

    def __init__(self, dataset: Any = None, *args: Any, **kwargs: Any) -> None:
        if dataset is None:
            raise ValueError(
                "DataLoader(): give at least one array, or a dataset: DataLoader(dataset, "
                "batch_size=...)"
            )
        # dagrad's convenience: DataLoader(x, y, batch_size=...) batches same-length arrays
        # together, as DataLoader(TensorDataset(x, y), ...). It cannot clash with PyTorch's
        # signature: there, the second argument is batch_size, never an array.
        rest = list(args)
        arrays = []
        while rest and isinstance(rest[0], (np.ndarray, Tensor, list)):
            arrays.append(rest.pop(0))
        if arrays:
            lengths = [len(a) for a in (dataset, *arrays)]
            if len(set(lengths)) > 1:
                listed = ", ".join(f"array {i} has {n}" for i, n in enumerate(lengths))
                raise ValueError(
                    f"DataLoader(): the arrays must have the same number of rows: {listed}"
                )
            dataset = TensorDataset(dataset, *arrays)
        if "seed" in kwargs:  # dagrad's earlier spelling of generator=
            kwargs["generator"] = _seeded(kwargs.pop("seed"))
        self._configure(dataset, *rest, **kwargs)

    def _configure(
        self,
        dataset: Any,
        batch_size: int | None = 1,
        shuffle: bool | None = None,
        sampler: Iterable[int] | None = None,
        batch_sampler: Iterable[Sequence[int]] | None = None,
        num_workers: int = 0,
        collate_fn: Callable[[list[Any]], Any] | None = None,
        pin_memory: bool = False,
        drop_last: bool = False,
        timeout: float = 0,
        worker_init_fn: Callable[[int], Any] | None = None,
        multiprocessing_context: Any = None,
        generator: Any = None,
        *,
        prefetch_factor: int | None = None,
        persistent_workers: bool = False,
        pin_memory_device: str = "",
        in_order: bool = True,
    ) -> None:
        if isinstance(dataset, (np.generic, numbers.Number)) or (
            isinstance(dataset, (np.ndarray, Tensor)) and np.ndim(dataset) == 0
        ):
            raise ValueError(
                "DataLoader(): array 0 is a single number; it needs one row per example"
            )
        if not (hasattr(dataset, "__getitem__") and hasattr(dataset, "__len__")):
            raise TypeError(
                f"DataLoader(): dataset must have __getitem__ and __len__ (a Dataset, a "
                f"TensorDataset, a list, an array), got a {type(dataset).__name__}"
            )
        if batch_size is not None:
            if not is_int(batch_size):
                raise TypeError(f"DataLoader(): batch_size must be an integer, got {batch_size!r}")
            if batch_size < 1:
                raise ValueError(f"DataLoader(): batch_size must be at least 1, got {batch_size}")
        if not is_int(num_workers) or num_workers < 0:
            raise ValueError(
                "DataLoader(): num_workers option should be non-negative; use num_workers=0 to "
                "disable multiprocessing"
            )
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError(
                "DataLoader(): prefetch_factor option could only be specified in "
                "multiprocessing. let num_workers > 0 to enable multiprocessing, otherwise set "
                "prefetch_factor to None."
            )
        if sampler is not None and shuffle:
            raise ValueError("DataLoader(): sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError(
                    "DataLoader(): batch_sampler option is mutually exclusive with batch_size, "
                    "shuffle, sampler, and drop_last"
                )
            batch_size, drop_last = None, False
        elif batch_size is None and drop_last:
            raise ValueError(
                "DataLoader(): batch_size=None option disables auto-batching and is mutually "
                "exclusive with drop_last"
            )
        if collate_fn is not None and not callable(collate_fn):
            raise TypeError(f"DataLoader(): collate_fn must be callable, got {collate_fn!r:.40}")
        _random.rng(generator)  # a bad generator fails here, not at the first epoch
        self.dataset = dataset
        self.batch_size = None if batch_size is None else int(batch_size)
        self.shuffle = bool(shuffle)
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.num_workers = num_workers
        self.collate_fn = collate_fn
        self.pin_memory = bool(pin_memory)
        self.drop_last = bool(drop_last)
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.generator = generator
        self.prefetch_factor = prefetch_factor
        self.persistent_workers = persistent_workers
        self.pin_memory_device = pin_memory_device
        self.in_order = in_order
        self._fast = _fast_source(dataset) if collate_fn is None else None

    # the order of examples -----------------------------------------------------------------
    def _order(self) -> Any:
        """The example indices of one epoch (an array, or the sampler's iterable)."""
        if self.sampler is not None:
            return self.sampler
        n = len(self.dataset)
        if not self.shuffle:
            return None
        if self.generator is None:  # a fresh seed per epoch from the shared generator
            seed = int(_random.rng().integers(2**63))
            return np.random.default_rng(seed).permutation(n)
        return _random.rng(self.generator).permutation(n)

    def _batches(self) -> Iterator[Any]:
        """The index groups of one epoch: slices or arrays (or lists from a batch_sampler)."""
        if self.batch_sampler is not None:
            yield from self.batch_sampler
            return
        order = self._order()
        size = self.batch_size
        assert size is not None
        if order is None:
            n = len(self.dataset)
            stop = n - n % size if self.drop_last else n
            for start in range(0, stop, size):
                yield slice(start, min(start + size, n))
            return
        if isinstance(order, np.ndarray):
            stop = len(order) - len(order) % size if self.drop_last else len(order)
            for start in range(0, stop, size):
                yield order[start : start + size]
            return
        batch: list[int] = []
        for index in order:
            batch.append(int(index))
            if len(batch) == size:
                yield batch
                batch = []
        if batch and not self.drop_last:
            yield batch

    # batches -------------------------------------------------------------------------------
    def __iter__(self) -> Iterator[Any]:
        if self.batch_size is None and self.batch_sampler is None:
            order = self._order()
            indices = range(len(self.dataset)) if order is None else order
            collate = self.collate_fn or default_convert
            for index in indices:
                yield collate(self.dataset[int(index)])
            return
        for rows in self._batches():
            if self._fast is not None:
                yield self._cut(rows)
            else:
                if isinstance(rows, slice):
                    rows = range(rows.start, rows.stop)
                examples = [self.dataset[int(i)] for i in rows]
                yield (self.collate_fn or default_collate)(examples)

    def _cut(self, rows: Any) -> Any:
        """One batch of an array-backed dataset: one indexing per array. A slice of an array
        is copied, so that changing a batch never changes the data."""
        arrays, mapping, as_tuple = self._fast  # type: ignore[misc]
        if mapping is not None:
            rows = mapping[rows]
        elif isinstance(rows, list):
            rows = np.asarray(rows, dtype=np.intp)
        if isinstance(rows, slice):
            parts = [from_numpy(a[rows].copy()) for a in arrays]
        else:
            parts = [from_numpy(a[rows]) for a in arrays]
        return parts if as_tuple else parts[0]

    def __len__(self) -> int:
        """Batches per epoch."""
        if self.batch_sampler is not None:
            return len(self.batch_sampler)  # type: ignore[arg-type]
        n = len(self.sampler) if self.sampler is not None else len(self.dataset)  # type: ignore[arg-type]
        if self.batch_size is None:
            return n
        full, rest = divmod(n, self.batch_size)
        return full + (1 if rest and not self.drop_last else 0)

    def __repr__(self) -> str:
        return (
            f"DataLoader({type(self.dataset).__name__} of {len(self.dataset)} examples, "
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
    if not is_int(k) or k < 1:
        raise ValueError(f"lagged_pairs(): k must be a positive integer, got {k!r}")
    if len(values) <= k:
        raise ValueError(
            f"lagged_pairs(): a series of {len(values)} days has no day with {k} days before it; "
            f"it needs at least {k + 1} days"
        )
    # windows[i] = values[i : i + k], oldest first; reversed, column 0 is the day before i + k
    windows = np.lib.stride_tricks.sliding_window_view(values, k)[:-1]
    return windows[:, ::-1].copy(), values[k:].copy()
