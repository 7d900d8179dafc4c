"""nn.data (PyTorch's torch.utils.data): Dataset, TensorDataset, Subset, random_split,
ConcatDataset, default_collate, the DataLoader (batches, epochs, shuffling on autograd's
generator, samplers, collate_fn, the array fast path) compared with PyTorch, and lagged_pairs
(the lecture's features)."""

from __future__ import annotations

import time
from collections import namedtuple
from typing import Any

import numpy as np
import pytest

import autograd
import nn
from autograd import Tensor
from nn.data import (
    ConcatDataset,
    DataLoader,
    Dataset,
    Subset,
    TensorDataset,
    default_collate,
    lagged_pairs,
    random_split,
)

torch = pytest.importorskip("torch")
tdata = torch.utils.data


def _arrays(n: int = 10) -> tuple[np.ndarray, np.ndarray]:
    return np.arange(n * 2, dtype=np.float64).reshape(n, 2), np.arange(n, dtype=np.int64)


def _numbers(batch: Any) -> Any:
    """A batch as nested lists of plain numbers, for either library."""
    if isinstance(batch, (Tensor, torch.Tensor)):
        return batch.tolist()
    if isinstance(batch, dict):
        return {k: _numbers(v) for k, v in batch.items()}
    if isinstance(batch, (list, tuple)):
        return (
            type(batch)(_numbers(b) for b in batch)
            if not hasattr(batch, "_fields")
            else tuple(_numbers(b) for b in batch)
        )
    return batch


class Squares(Dataset):
    """A map-style dataset of the kind a PyTorch script defines."""

    def __init__(self, n: int) -> None:
        self.n = n

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i: int) -> tuple[Any, Any]:
        return np.array([i, i * i], dtype=np.float32), float(i) / 2


class TorchSquares(tdata.Dataset):
    def __init__(self, n: int) -> None:
        self.n = n

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i: int) -> tuple[Any, Any]:
        return np.array([i, i * i], dtype=np.float32), float(i) / 2


Pair = namedtuple("Pair", "x y")
SAMPLES: list[Any] = [
    [1.5, 2.0, 3.25],
    [1, 2, 3],
    [True, False],
    [np.float32(1), np.float32(2)],
    [np.array([1.0, 2.0]), np.array([3.0, 4.0])],
    [np.array([1, 2], dtype=np.int32), np.array([3, 4], dtype=np.int32)],
    [{"a": 1, "b": (2.0, "x")}, {"a": 3, "b": (4.0, "y")}],
    [Pair(1.0, [1, 2]), Pair(2.0, [3, 4])],
    ["a", "b"],
]


@pytest.mark.parametrize("batch", SAMPLES, ids=[str(i) for i in range(len(SAMPLES))])
def test_default_collate_matches_pytorch(batch: list[Any]) -> None:
    ours, theirs = default_collate(batch), tdata.default_collate(batch)
    assert _numbers(ours) == _numbers(theirs)
    if isinstance(theirs, torch.Tensor):
        assert str(ours.dtype) == str(theirs.dtype).replace("torch.", "")
    assert type(ours).__name__ == type(theirs).__name__


def test_collating_tensors_stacks_them() -> None:
    batch = default_collate(
        [autograd.ones(2, dtype=autograd.float64), autograd.zeros(2, dtype=autograd.float64)]
    )
    assert batch.shape == (2, 2) and batch.dtype == np.float64
    with pytest.raises(RuntimeError, match="each element in list of batch should be of equal size"):
        default_collate([[1, 2], [1]])
    with pytest.raises(
        TypeError,
        match="default_collate: batch must contain tensors, numpy arrays, numbers, dicts or "
        "lists; found <class 'object'>",
    ):
        default_collate([object(), object()])


@pytest.mark.parametrize(
    "settings",
    [
        {"batch_size": 4},
        {"batch_size": 4, "drop_last": True},
        {"batch_size": 3},
        {"batch_size": None},
        {"batch_size": 20},
    ],
    ids=str,
)
def test_loaders_give_pytorchs_batches_in_order(settings: dict[str, Any]) -> None:
    x, y = _arrays(10)
    pairs = [
        (TensorDataset(x, y), tdata.TensorDataset(torch.tensor(x), torch.tensor(y))),
        (Squares(7), TorchSquares(7)),
        (x, x),  # an array is a dataset of its rows
        ([3, 1, 4, 1, 5], [3, 1, 4, 1, 5]),
    ]
    for ours, theirs in pairs:
        a, b = DataLoader(ours, **settings), tdata.DataLoader(theirs, **settings)
        assert len(a) == len(b)
        assert [_numbers(batch) for batch in a] == [_numbers(batch) for batch in b]


def test_batches_keep_dtypes_and_are_copies() -> None:
    x, y = _arrays(4)
    (xb, yb), *_ = DataLoader(TensorDataset(x, y), batch_size=2)
    assert isinstance(xb, Tensor) and xb.dtype == np.float64 and yb.dtype == np.int64
    assert not xb.requires_grad
    xb.data[:] = -1
    assert x.min() >= 0
    (xb, _), *_ = DataLoader(TensorDataset(x, y), batch_size=2, shuffle=True)
    xb.data[:] = -1
    assert x.min() >= 0


def test_each_epoch_sees_every_example_once_in_a_fresh_order() -> None:
    x, y = _arrays(50)
    loader = DataLoader(TensorDataset(x, y), batch_size=8, shuffle=True)
    epochs = []
    for _ in range(3):
        seen = np.concatenate([yb.data for _, yb in loader])
        assert sorted(seen.tolist()) == list(range(50))
        epochs.append(seen)
    assert not np.array_equal(epochs[0], epochs[1])
    for xb, yb in loader:  # rows stay paired across tensors
        np.testing.assert_array_equal(xb.data[:, 0], 2 * yb.data)


def _orders(loader: DataLoader, epochs: int = 3) -> list[list[int]]:
    return [np.concatenate([b[1].data for b in loader]).tolist() for _ in range(epochs)]


def test_shuffling_follows_autograds_seed_or_the_loaders_generator() -> None:
    x, y = _arrays(30)
    ds = TensorDataset(x, y)
    autograd.manual_seed(4)
    first = _orders(DataLoader(ds, batch_size=7, shuffle=True))
    autograd.manual_seed(4)
    assert _orders(DataLoader(ds, batch_size=7, shuffle=True)) == first
    a = _orders(
        DataLoader(ds, batch_size=7, shuffle=True, generator=autograd.Generator().manual_seed(9))
    )
    b = _orders(
        DataLoader(ds, batch_size=30, shuffle=True, generator=autograd.Generator().manual_seed(9))
    )
    assert a == b  # the order does not depend on the batch size
    assert a != _orders(
        DataLoader(ds, batch_size=7, shuffle=True, generator=autograd.Generator().manual_seed(8))
    )
    c = _orders(DataLoader(ds, batch_size=7, shuffle=True, seed=9))  # the earlier spelling
    assert c == a


def test_samplers_and_collate_fn() -> None:
    x, y = _arrays(6)
    ds = TensorDataset(x, y)
    assert [b[1].tolist() for b in DataLoader(ds, batch_size=2, sampler=[5, 4, 3, 2, 1])] == [
        [5, 4],
        [3, 2],
        [1],
    ]
    assert [b[1].tolist() for b in DataLoader(ds, batch_sampler=[[0, 5], [2]])] == [[0, 5], [2]]
    loader = DataLoader(ds, batch_size=4, collate_fn=lambda rows: len(rows))
    assert list(loader) == [4, 2]
    sub = Subset(ds, [4, 0, 2])
    assert [b[1].tolist() for b in DataLoader(sub, batch_size=2)] == [[4, 0], [2]]


def test_workers_are_accepted_and_not_needed() -> None:
    x, y = _arrays(6)
    loader = DataLoader(
        TensorDataset(x, y),
        batch_size=3,
        num_workers=4,
        pin_memory=True,
        persistent_workers=True,
        prefetch_factor=2,
    )
    assert loader.dataset.tensors[0].shape == (6, 2)
    assert len(list(loader)) == 2


def test_datasets_split_and_join_as_pytorchs() -> None:
    x, y = _arrays(10)
    ds = TensorDataset(x, y)
    assert len(ds) == 10 and [t.tolist() for t in ds[3]] == [[6.0, 7.0], 3]
    parts = random_split(ds, [0.55, 0.45], generator=autograd.Generator().manual_seed(0))
    theirs = tdata.random_split(range(10), [0.55, 0.45])
    assert [len(p) for p in parts] == [len(p) for p in theirs] == [6, 4]
    seen = sorted(int(parts[i][j][1]) for i in range(2) for j in range(len(parts[i])))
    assert seen == list(range(10))
    assert [len(p) for p in random_split(ds, [3, 7])] == [3, 7]
    assert [len(p) for p in random_split(range(7), [0.5, 0.5])] == [4, 3]
    both = ds + Squares(3)
    assert isinstance(both, ConcatDataset) and len(both) == 13 and both[11][1] == 0.5
    with pytest.raises(
        ValueError,
        match=r"sum of input lengths does not equal the length of the input dataset \(9 != 10\)",
    ):
        random_split(ds, [4, 5])


def test_arrays_given_to_the_loader_are_a_tensor_dataset() -> None:
    x, y = _arrays(5)
    (xb, yb), *_ = DataLoader(x, y, batch_size=5)  # dagrad's convenience
    np.testing.assert_array_equal(xb.data, x)
    np.testing.assert_array_equal(yb.data, y)
    assert DataLoader(x, y, batch_size=2).dataset.tensors[1].shape == (5,)


BAD = [
    (
        "different lengths",
        lambda: DataLoader(np.ones((3, 2)), np.ones(4)),
        ValueError,
        r"DataLoader\(\): the arrays must have the same number of rows: "
        r"array 0 has 3, array 1 has 4",
    ),
    (
        "TensorDataset of different lengths",
        lambda: TensorDataset(np.ones(3), np.ones(2)),
        ValueError,
        r"TensorDataset\(\): size mismatch between tensors: tensor 0 has 3, tensor 1 has 2 rows",
    ),
    (
        "batch_size 0",
        lambda: DataLoader(np.ones(3), batch_size=0),
        ValueError,
        r"DataLoader\(\): batch_size must be at least 1, got 0",
    ),
    (
        "fractional batch_size",
        lambda: DataLoader(np.ones(3), batch_size=2.5),
        TypeError,
        r"DataLoader\(\): batch_size must be an integer, got 2.5",
    ),
    (
        "a single number",
        lambda: DataLoader(np.float64(3.0)),
        ValueError,
        r"DataLoader\(\): array 0 is a single number",
    ),
    (
        "no __len__",
        lambda: DataLoader(iter([1, 2])),
        TypeError,
        r"DataLoader\(\): dataset must have __getitem__ and __len__.*list_iterator",
    ),
    (
        "an object array",
        lambda: DataLoader(np.ones(2), np.array([object(), object()])),
        TypeError,
        r"data of dtype object is not numeric",
    ),
    (
        "a text seed",
        lambda: DataLoader(np.ones(3), shuffle=True, seed="a"),
        TypeError,
        r"DataLoader\(\).*seed.*'a'",
    ),
    (
        "a bad generator",
        lambda: DataLoader(np.ones(3), shuffle=True, generator=3),
        TypeError,
        r"generator must be an autograd.Generator or a numpy.random.Generator, got a int",
    ),
    (
        "sampler and shuffle",
        lambda: DataLoader(np.ones(3), shuffle=True, sampler=[0]),
        ValueError,
        r"sampler option is mutually exclusive with shuffle",
    ),
    (
        "batch_sampler and batch_size",
        lambda: DataLoader(np.ones(3), batch_size=2, batch_sampler=[[0]]),
        ValueError,
        r"batch_sampler option is mutually exclusive with batch_size",
    ),
    (
        "prefetch without workers",
        lambda: DataLoader(np.ones(3), prefetch_factor=2),
        ValueError,
        r"prefetch_factor option could only be specified in multiprocessing",
    ),
    (
        "negative workers",
        lambda: DataLoader(np.ones(3), num_workers=-1),
        ValueError,
        r"num_workers option should be non-negative",
    ),
    (
        "a Dataset without __getitem__",
        lambda: Dataset()[0],
        NotImplementedError,
        r"Dataset has no __getitem__",
    ),
]


@pytest.mark.parametrize(("what", "call", "error", "message"), BAD, ids=[b[0] for b in BAD])
def test_errors_name_the_problem(what: str, call: Any, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        call()


def test_an_epoch_of_a_tensor_dataset_is_cheap() -> None:
    """T1's loop: batching 60,000 rows in 64s must not loop over rows in Python."""
    x = np.random.default_rng(0).normal(size=(60_000, 64)).astype(np.float32)
    y = np.zeros(60_000, dtype=np.int64)
    loader = DataLoader(TensorDataset(x, y), batch_size=64, shuffle=True)
    start = time.perf_counter()
    count = sum(1 for _ in loader)
    elapsed = time.perf_counter() - start
    assert count == 938
    assert elapsed < 0.5, f"an epoch of batches took {elapsed:.2f} s"


# --- lagged_pairs -----------------------------------------------------------------------------


def test_lagged_pairs_columns_count_days_back() -> None:
    series = np.array([10.0, 11.0, 12.0, 13.0, 14.0, 15.0])
    X, y = lagged_pairs(series, 3)
    np.testing.assert_array_equal(X, [[12, 11, 10], [13, 12, 11], [14, 13, 12]])
    np.testing.assert_array_equal(y, [13, 14, 15])
    assert X.dtype == np.float64 and X.flags.writeable


def test_lagged_pairs_definition_on_a_random_series() -> None:
    series = np.random.default_rng(0).normal(size=200).astype(np.float32)
    k = 56
    X, y = lagged_pairs(series, k)
    assert X.shape == (200 - k, k) and y.shape == (200 - k,) and X.dtype == np.float32
    for i in (0, 17, 143):
        assert y[i] == series[i + k]
        for j in range(k):
            assert X[i, j] == series[i + k - (j + 1)]  # j + 1 days before the target
    X7, _ = lagged_pairs(series, 7)  # the d-day model's features are the first d columns
    np.testing.assert_array_equal(X7[k - 7 :], X[:, :7])


def test_lagged_pairs_integer_counts_become_float32() -> None:
    X, y = lagged_pairs([3, 1, 4, 1, 5], 2)
    assert X.dtype == np.float32 and y.dtype == np.float32
    np.testing.assert_array_equal(y, [4, 1, 5])


def test_lagged_pairs_feed_a_dataloader() -> None:
    X, y = lagged_pairs(np.arange(20.0), 4)
    (xb, yb), *_ = DataLoader(TensorDataset(X, y.reshape(-1, 1)), batch_size=5)
    np.testing.assert_array_equal(xb.data[:, 0] + 1, yb.data[:, 0])  # yesterday + 1 = today


def test_lagged_pairs_errors() -> None:
    with pytest.raises(
        ValueError, match="has no day with 5 days before it; it needs at least 6 days"
    ):
        lagged_pairs(np.arange(5.0), 5)
    with pytest.raises(ValueError, match="k must be a positive integer, got 0"):
        lagged_pairs(np.arange(5.0), 0)
    with pytest.raises(ValueError, match=r"series must be 1-D \(one value per day\), got \(5, 1\)"):
        lagged_pairs(np.zeros((5, 1)), 2)
    with pytest.raises(TypeError, match="series must be numeric"):
        lagged_pairs(np.array(["a", "b", "c"]), 1)


def test_nn_exports_the_loader() -> None:
    assert nn.DataLoader is DataLoader
