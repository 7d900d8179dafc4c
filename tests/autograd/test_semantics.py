"""Tensor behaves as PyTorch's does: construction dtypes, ``==``, copies and sharing, graph
lifetime, ``dim=`` spellings, max/min with a dim, 0-d and empty tensors, advanced indexing, grad
mode on generators, anomaly mode and NaN edge cases. Each row runs the same code on dagrad and
on PyTorch 2.13 and compares."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import autograd as ag

torch = pytest.importorskip("torch")


def _plain(x: Any) -> Any:
    """A result as comparable Python data: tensors as (dtype name, nested list)."""
    if isinstance(x, (ag.Tensor, torch.Tensor)):
        data = x.detach().numpy() if isinstance(x, torch.Tensor) else x.data
        return (str(x.dtype).replace("torch.", ""), np.asarray(data).tolist())
    if isinstance(x, (tuple, list)):  # also torch.Size and named tuples (values, indices)
        return tuple(_plain(v) for v in x)
    return x


ROWS: dict[str, Any] = {
    # construction
    "float list": lambda t: t.tensor([1.0, 2.0]),
    "int list": lambda t: t.tensor([1, 2]),
    "bool list": lambda t: t.tensor([True, False]),
    "mixed list": lambda t: t.tensor([1, 2.5]),
    "python float": lambda t: t.tensor(2.5),
    "python int": lambda t: t.tensor(3),
    "numpy float64 keeps its dtype": lambda t: t.tensor(np.array([1.0, 2.0])),
    "numpy int32 keeps its dtype": lambda t: t.tensor(np.array([1, 2], dtype=np.int32)),
    "numpy scalar keeps its dtype": lambda t: t.tensor(np.float64(2.0)),
    "empty list": lambda t: t.tensor([]),
    "explicit dtype": lambda t: t.tensor([1, 2], dtype=t.float64),
    # comparisons
    "== elementwise": lambda t: t.tensor([1, 2, 3]) == t.tensor([1, 0, 3]),
    "!= with a number": lambda t: t.tensor([1.0, 2.0]) != 2.0,
    "where with == mask": lambda t: t.where(t.tensor([0.0, 1.0]) == 0, t.tensor([5.0, 6.0]), 0.0),
    "mask select with ==": lambda t: t.tensor([3.0, 4.0, 5.0])[t.tensor([1, 0, 1]) == 0],
    "indexing with a list-built tensor": lambda t: t.tensor([3.0, 4.0, 5.0])[t.tensor([2, 0])],
    # dim spellings, size
    "sum dim keepdim": lambda t: t.ones(2, 3).sum(dim=1, keepdim=True),
    "mean negative dim": lambda t: t.ones(2, 3).mean(-1),
    "size()": lambda t: tuple(t.ones(2, 3).size()),
    "size(d)": lambda t: t.ones(2, 3).size(-1),
    "numel dim": lambda t: (t.ones(2, 3).numel(), t.ones(2, 3).dim()),
    "max with dim": lambda t: t.tensor([[1.0, 5.0, 5.0], [7.0, 2.0, 7.0]]).max(dim=1),
    "min with dim keepdim": lambda t: t.tensor([[1.0, 5.0], [0.0, 2.0]]).min(0, keepdim=True),
    "amax all": lambda t: t.tensor([[1.0, 5.0], [7.0, 2.0]]).amax(),
    "max all": lambda t: t.tensor([[1.0, 5.0], [7.0, 2.0]]).max(),
    "argmax flat": lambda t: t.tensor([[1.0, 5.0], [7.0, 2.0]]).argmax(),
    "transpose swaps two dims": lambda t: t.ones(2, 3, 4).transpose(0, 2).shape,
    "permute": lambda t: t.ones(2, 3, 4).permute(2, 0, 1).shape,
    # 0-d and empty
    "0-d sum over dim 0": lambda t: t.tensor(3.0).sum(0),
    "0-d softmax over dim -1": lambda t: t.tensor(3.0).softmax(-1),
    "0-d max over dim 0": lambda t: t.tensor(3.0).max(0),
    "mean of empty is nan": lambda t: t.tensor([]).mean(),
    "sum of empty is 0": lambda t: t.zeros(0, 3).sum(0),
    # advanced indexing where PyTorch differs from NumPy
    "int apart from an array index": lambda t: (
        t.arange(2 * 5 * 11 * 4 * 3)
        .reshape(2, 5, 11, 4, 3)[1, :, 3:11:2, t.tensor([0, 2]), 0:2]
        .shape
    ),
    "int then array then slice": lambda t: t.arange(24).reshape(2, 3, 4)[0, t.tensor([1, 2]), :],
    # NaN edge cases
    "maximum with nan": lambda t: t.maximum(
        t.tensor([float("nan"), 1.0]), t.tensor([0.0, float("nan")])
    ),
    "minimum with nan": lambda t: t.minimum(t.tensor([float("nan"), 1.0]), t.tensor([0.0, 2.0])),
}


@pytest.mark.parametrize("name", sorted(ROWS))
def test_row_matches_pytorch(name: str) -> None:
    fn = ROWS[name]
    ours, theirs = _plain(fn(ag)), _plain(fn(torch))
    if isinstance(theirs, tuple) and len(theirs) == 2 and isinstance(theirs[0], str):
        assert ours[0] == theirs[0], f"dtype {ours[0]} vs PyTorch {theirs[0]}"
        np.testing.assert_allclose(
            np.asarray(ours[1], float), np.asarray(theirs[1], float), equal_nan=True
        )
    else:
        assert ours == theirs


GRADIENT_ROWS: dict[str, Any] = {
    "abs at nan": lambda t, x: x.abs(),
    "nan ** 0": lambda t, x: x**0.0,
    "maximum with nan": lambda t, x: t.maximum(x, t.tensor([0.0, 0.0, 0.0, 0.0], dtype=t.float64)),
    "minimum with nan": lambda t, x: t.minimum(x, t.tensor([0.0, 0.0, 0.0, 0.0], dtype=t.float64)),
    "relu then sqrt": lambda t, x: x.relu().sqrt(),
    "relu then log": lambda t, x: x.relu().log(),
    "where then sqrt": lambda t, x: t.where(x > 0, x, t.zeros(4, dtype=t.float64)).sqrt(),
    "0 ** x": lambda t, x: 0.0**x,
    "x ** 0.5 after relu": lambda t, x: x.relu() ** 0.5,
}


@pytest.mark.parametrize("name", sorted(GRADIENT_ROWS))
def test_gradient_at_edge_values_matches_pytorch(name: str) -> None:
    point = [float("nan"), -1.0, 0.0, 4.0]
    grads = []
    for lib in (ag, torch):
        x = lib.tensor(point, dtype=lib.float64, requires_grad=True)
        GRADIENT_ROWS[name](lib, x).sum().backward()
        grads.append(np.asarray(x.grad.tolist()))
    np.testing.assert_array_equal(grads[0], grads[1])


def test_construction_copies_and_from_numpy_shares() -> None:
    a = np.array([1.0, 2.0])
    t = ag.tensor(a)
    a[0] = 9.0
    assert t.data[0] == 1.0
    s = ag.from_numpy(a)
    a[1] = 7.0
    assert s.data[1] == 7.0
    assert s.numpy() is a


def test_an_optimizer_never_writes_into_the_users_array() -> None:
    import optim

    a = np.array([1.0, 2.0])
    w = ag.tensor(a, requires_grad=True)
    opt = optim.SGD([w], lr=0.1)
    (w * w).sum().backward()
    opt.step()
    np.testing.assert_array_equal(a, [1.0, 2.0])


def test_backward_with_a_given_gradient_does_not_share_it() -> None:
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    g = ag.tensor([1.0, 1.0])
    (x * 1.0).backward(g)
    assert x.grad.data is not g.data
    x.grad.data[0] = 5.0
    assert g.data[0] == 1.0


def test_tensors_hash_by_identity() -> None:
    a, b = ag.tensor([1.0]), ag.tensor([1.0])
    assert len({a, b}) == 2
    assert {a: 1}[a] == 1


def test_backward_frees_a_tensor_graph_and_says_how_to_keep_it() -> None:
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        y.backward()
    z = (x * x).sum()
    z.backward(retain_graph=True)
    z.backward()
    np.testing.assert_array_equal(x.grad.data, [2 + 2 * 2, 4 + 2 * 4])


def test_a_drawing_through_a_freed_graph_says_how_to_keep_it() -> None:
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        ag.draw_graph(y)


def test_a_value_graph_stays_after_backward_as_in_micrograd() -> None:
    a = ag.Value(2.0)
    b = a * a
    b.backward()
    b.backward()
    assert a.grad == 8.0
    ag.draw_graph(b)  # draws: the graph is still there


def test_history_of_losses_keeps_no_graphs() -> None:
    import gc
    import weakref

    w = ag.tensor(np.ones(100), requires_grad=True)
    history = []
    refs = []
    for _ in range(3):
        h = (w * 2.0).tanh()
        refs.append(weakref.ref(h))
        loss = h.sum()
        loss.backward()
        history.append(loss)
        del h
    gc.collect()
    assert all(r() is None for r in refs)  # the interior nodes died with backward


def test_no_grad_on_a_generator_function_disables_grad_inside_it() -> None:
    x = ag.tensor([1.0], requires_grad=True)

    @ag.no_grad()
    def gen() -> Any:
        for _ in range(2):
            yield (x * 2).requires_grad

    assert list(gen()) == [False, False]
    assert ag.is_grad_enabled()


def test_detect_anomaly_lets_minus_inf_through_and_stops_at_nan() -> None:
    x = ag.tensor([0.0, 1.0], requires_grad=True)
    with ag.detect_anomaly():
        y = x.log()  # -inf: an attention mask or log(0) is not an anomaly
        assert np.isneginf(y.data[0])
        with pytest.raises(ag.AnomalyError, match="nan"):
            (x - 2.0).log()


def test_comparing_with_text_is_not_equal_rather_than_an_error() -> None:
    assert (ag.tensor([1.0]) == "a") is False


def test_the_default_device_is_the_cpu_and_only_the_cpu() -> None:
    ag.set_default_device("cpu")
    assert ag.get_default_device() == "cpu"
    with pytest.raises(RuntimeError, match="'cuda' is not available"):
        ag.set_default_device("cuda")
