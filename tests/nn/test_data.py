"""nn.data: DataLoader batches and epochs, and lagged_pairs (the lecture's features)."""

from __future__ import annotations

import numpy as np
import pytest

import nn
from autograd import Tensor
from nn.data import DataLoader, lagged_pairs


def _dataset(n=10):
    x = np.arange(n * 2, dtype=np.float64).reshape(n, 2)
    y = np.arange(n, dtype=np.int64)
    return x, y


def test_batches_in_order_without_shuffle():
    x, y = _dataset(10)
    loader = DataLoader(x, y, batch_size=4)
    batches = list(loader)
    assert len(loader) == len(batches) == 3
    assert [b[1].data.tolist() for b in batches] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    xb, yb = batches[0]
    assert isinstance(xb, Tensor) and isinstance(yb, Tensor)
    assert xb.dtype == np.float64 and yb.dtype == np.int64  # arrays keep their dtypes
    assert not xb.requires_grad
    np.testing.assert_array_equal(xb.data, x[:4])


def test_batches_are_copies():
    x, y = _dataset(4)
    (xb, _), *_ = DataLoader(x, y, batch_size=2)
    xb.data[:] = -1
    assert x.min() >= 0


def test_drop_last():
    x, y = _dataset(10)
    loader = DataLoader(x, y, batch_size=4, drop_last=True)
    assert len(loader) == 2
    assert [len(b[0]) for b in loader] == [4, 4]
    assert len(DataLoader(x, batch_size=5, drop_last=True)) == 2


def test_each_epoch_sees_every_row_once_in_a_fresh_order():
    x, y = _dataset(50)
    loader = DataLoader(x, y, batch_size=8, shuffle=True, seed=3)
    epochs = []
    for _ in range(3):
        seen = np.concatenate([yb.data for _, yb in loader])
        assert sorted(seen.tolist()) == list(range(50))
        epochs.append(seen)
    assert not np.array_equal(epochs[0], epochs[1])
    assert not np.array_equal(epochs[0], np.arange(50))
    for xb, yb in loader:  # rows stay paired across arrays
        np.testing.assert_array_equal(xb.data[:, 0], 2 * yb.data)


def test_the_same_seed_gives_the_same_epochs():
    x, y = _dataset(30)

    def orders(seed):
        loader = DataLoader(x, y, batch_size=7, shuffle=True, seed=seed)
        return [np.concatenate([yb.data for _, yb in loader]).tolist() for _ in range(3)]

    assert orders(5) == orders(5)
    assert orders(5) != orders(6)
    gen_a, gen_b = np.random.default_rng(9), np.random.default_rng(9)
    a = [yb.data.tolist() for _, yb in DataLoader(x, y, batch_size=30, shuffle=True, seed=gen_a)]
    b = [yb.data.tolist() for _, yb in DataLoader(x, y, batch_size=30, shuffle=True, seed=gen_b)]
    assert a == b


def test_without_a_seed_the_order_follows_nn_init_manual_seed():
    x, y = _dataset(40)

    def first_epoch():
        return np.concatenate([yb.data for _, yb in DataLoader(x, y, batch_size=40, shuffle=True)])

    nn.init.manual_seed(3)
    a = first_epoch()
    nn.init.manual_seed(3)
    b = first_epoch()
    c = first_epoch()  # the shared generator moved on
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(b, c)


def test_single_array_lists_and_tensors():
    (batch,) = list(DataLoader([1, 2, 3], batch_size=3))
    assert isinstance(batch, tuple) and len(batch) == 1
    assert batch[0].dtype == np.int64  # a list follows Tensor's rule (ints: int64, as torch)
    t = Tensor(np.ones((4, 2)))
    assert [b[0].shape for b in DataLoader(t, batch_size=3)] == [(3, 2), (1, 2)]


def test_errors_name_the_problem():
    x, y = _dataset(10)
    with pytest.raises(ValueError, match="same number of rows: array 0 has 10, array 1 has 9"):
        DataLoader(x, y[:9], batch_size=2)
    with pytest.raises(ValueError, match="batch_size must be at least 1, got 0"):
        DataLoader(x, batch_size=0)
    with pytest.raises(TypeError, match="batch_size must be an integer"):
        DataLoader(x, batch_size=2.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="give at least one array"):
        DataLoader(batch_size=2)
    with pytest.raises(ValueError, match="array 1 is a single number"):
        DataLoader(x, 3.0)


def test_lagged_pairs_columns_count_days_back():
    series = np.array([10.0, 11.0, 12.0, 13.0, 14.0, 15.0])
    X, y = lagged_pairs(series, 3)
    np.testing.assert_array_equal(X, [[12, 11, 10], [13, 12, 11], [14, 13, 12]])
    np.testing.assert_array_equal(y, [13, 14, 15])
    assert X.dtype == np.float64 and X.flags.writeable


def test_lagged_pairs_definition_on_a_random_series():
    series = np.random.default_rng(0).normal(size=200).astype(np.float32)
    k = 56
    X, y = lagged_pairs(series, k)
    assert X.shape == (200 - k, k) and y.shape == (200 - k,) and X.dtype == np.float32
    for i in (0, 17, 143):
        assert y[i] == series[i + k]
        for j in range(k):
            assert X[i, j] == series[i + k - (j + 1)]  # j + 1 days before the target
    # the d-day model's features are the first d columns
    X7, _ = lagged_pairs(series, 7)
    np.testing.assert_array_equal(X7[k - 7 :], X[:, :7])


def test_lagged_pairs_integer_counts_become_float32():
    X, y = lagged_pairs([3, 1, 4, 1, 5], 2)
    assert X.dtype == np.float32 and y.dtype == np.float32
    np.testing.assert_array_equal(y, [4, 1, 5])


def test_lagged_pairs_feed_a_dataloader():
    X, y = lagged_pairs(np.arange(20.0), 4)
    (xb, yb), *_ = DataLoader(X, y.reshape(-1, 1), batch_size=5)
    np.testing.assert_array_equal(xb.data[:, 0] + 1, yb.data[:, 0])  # yesterday + 1 = today


def test_lagged_pairs_errors():
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
