"""The Module API a PyTorch script uses, compared with PyTorch where it has an answer: buffers,
the tree walks (children, modules, apply), get_submodule, to/float/double, requires_grad_,
state dicts with buffers, names that would collide (issue 13 point 5), nn.utils, nn.init's
generator, and MLP's activation argument."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import autograd
import nn
from tests.nn.oracle import DAGRAD, TORCH, close, torch


def model(L: Any) -> Any:
    m = L.nn.Sequential(L.nn.Linear(2, 3), L.nn.Sequential(L.nn.ReLU(), L.nn.Linear(3, 1)))
    m.register_buffer("b", L.t.ones(2))
    m.register_buffer("scratch", L.t.zeros(1), persistent=False)
    return m


def test_buffers_are_listed_and_saved_as_pytorch_does() -> None:
    ours, theirs = model(DAGRAD), model(TORCH)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert [n for n, _ in ours.named_buffers()] == [n for n, _ in theirs.named_buffers()]
    assert len(ours.buffers()) == 2 and ours.get_buffer("b") is ours.b
    ours.b = autograd.zeros(2)  # assigning to a buffer keeps it a buffer
    assert "b" in ours.state_dict() and not ours.state_dict()["b"].data.any()
    with pytest.raises(TypeError, match="cannot assign a int to buffer 'b' of Sequential"):
        ours.b = 3
    del ours.b
    assert "b" not in ours.state_dict()


def test_register_buffer_refuses_what_pytorch_refuses() -> None:
    m = nn.Module()
    with pytest.raises(
        ValueError,
        match=r"register_buffer\(\): name must be a non-empty string without dots: 'b.c'",
    ):
        m.register_buffer("b.c", autograd.ones(1))
    with pytest.raises(
        TypeError, match=r"register_buffer\(\): 'x' must be a Tensor or None, got a int"
    ):
        m.register_buffer("x", 3)
    m.y = 1
    with pytest.raises(KeyError, match="already has an attribute 'y'"):
        m.register_buffer("y", autograd.ones(1))
    with pytest.raises(TypeError, match="is an nn.Parameter"):
        m.register_buffer("p", nn.Parameter(autograd.ones(1)))


def test_walks_and_apply_visit_modules_in_pytorchs_order() -> None:
    ours, theirs = model(DAGRAD), model(TORCH)
    assert [n for n, _ in ours.named_modules()] == [n for n, _ in theirs.named_modules()]
    assert [n for n, _ in ours.named_children()] == [n for n, _ in theirs.named_children()]
    assert [type(m).__name__ for m in ours.children()] == [
        type(m).__name__ for m in theirs.children()
    ]
    seen: dict[str, list[str]] = {"ours": [], "theirs": []}
    ours.apply(lambda m: seen["ours"].append(type(m).__name__))
    theirs.apply(lambda m: seen["theirs"].append(type(m).__name__))
    assert seen["ours"] == seen["theirs"]
    assert ours.apply(lambda m: None) is ours
    assert [n for n, _ in ours.named_parameters(prefix="net")] == [
        "net." + n for n, _ in theirs.named_parameters()
    ]
    assert [n for n, _ in ours.named_parameters(recurse=False)] == []


def test_get_submodule_and_get_parameter() -> None:
    m = model(DAGRAD)
    assert m.get_submodule("1.1") is m[1][1] and m.get_submodule("") is m
    assert m.get_parameter("1.1.bias") is m[1][1].bias
    with pytest.raises(
        AttributeError, match=r"get_submodule\(\): Sequential has no submodule '1.5'"
    ):
        m.get_submodule("1.5")


def test_to_float_and_double_convert_parameters_buffers_and_gradients_in_place() -> None:
    m = nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2))
    weight = m[0].weight
    m(autograd.randn(4, 2)).sum().backward()
    assert m.double() is m and m[0].weight is weight
    assert {p.dtype for p in m.parameters()} == {np.dtype(np.float64)}
    assert m[0].weight.grad.dtype == np.float64
    assert m[1].running_mean.dtype == np.float64 and m[1].num_batches_tracked.dtype == np.int64
    m.to(autograd.float32)
    assert {p.dtype for p in m.parameters()} == {np.dtype(np.float32)}
    m.to("cpu").to(autograd.zeros(1, dtype=autograd.float64)).to(
        device="cpu", dtype=autograd.float32
    )
    assert m.float()[0].weight.dtype == np.float32
    with pytest.raises(RuntimeError, match=r"Sequential.to\(\): device 'cuda' is not available"):
        m.to("cuda")
    with pytest.raises(RuntimeError, match=r"Sequential.cuda\(\): dagrad runs on the CPU only"):
        m.cuda()
    with pytest.raises(TypeError, match=r"nn.Module.to only accepts floating dtypes, got int64"):
        m.to(autograd.int64)


def test_requires_grad_freezes_every_parameter() -> None:
    m = nn.MLP(2, [3], 1)
    assert m.requires_grad_(False) is m
    assert not any(p.requires_grad for p in m.parameters())
    assert len(m.parameters()) == 4  # frozen parameters are still parameters, as in PyTorch
    m[2].requires_grad_()
    assert [p.requires_grad for p in m.parameters()] == [False, False, True, True]


def test_state_dict_round_trip_with_buffers_and_pytorch() -> None:
    theirs = torch.nn.Sequential(
        torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4), torch.nn.Linear(4, 2)
    )
    theirs(torch.randn(8, 3))  # running statistics move
    ours = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.Linear(4, 2))
    result = ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    assert result.missing_keys == [] and result.unexpected_keys == []
    ours.eval()
    theirs.eval()
    x = np.random.default_rng(0).normal(size=(5, 3)).astype(np.float32)
    close(ours(autograd.tensor(x)), theirs(torch.tensor(x)), 1e-5, 1e-6, "outputs")
    state = ours.state_dict()
    assert all(isinstance(v, autograd.Tensor) for v in state.values())
    state["1.running_mean"].data += 1  # a copy: the model is unchanged
    assert not np.allclose(ours[1].running_mean.data, state["1.running_mean"].data)
    keep = ours.state_dict(keep_vars=True)
    assert keep["0.weight"] is ours[0].weight
    with pytest.raises(
        nn.StateDictError,
        match=r"'1.running_var': the state_dict has shape \(3,\).*buffer has shape \(4,\)",
    ):
        ours.load_state_dict({**ours.state_dict(), "1.running_var": np.ones(3, np.float32)})


# --- names that would collide (issue 13 point 5) ------------------------------------------------


class Keyed(nn.Module):
    def __init__(self, heads: dict[Any, Any]) -> None:
        super().__init__()
        self.d = heads


def test_dict_keys_1_and_text_1_are_refused_not_merged() -> None:
    m = Keyed({1: nn.Linear(1, 1), "1": nn.Linear(1, 1)})
    with pytest.raises(
        ValueError, match=r"Keyed: self.d\[1\] and self.d\['1'\] would both be named 'd.1'"
    ):
        m.state_dict()
    with pytest.raises(ValueError, match="would both be named"):
        m.parameters()


def test_dict_keys_with_dots_are_refused() -> None:
    m = Keyed({"a.b": nn.Linear(1, 1)})
    with pytest.raises(
        ValueError, match=r"Keyed: self.d\['a.b'\] cannot be named.*the key 'a.b' holds a dot"
    ):
        m.named_parameters()
    deep = Keyed({"x": [{"y.z": nn.Parameter(autograd.ones(1))}]})
    with pytest.raises(ValueError, match=r"self.d\['x'\]\[0\]\['y.z'\]"):
        deep.state_dict()


def test_plain_data_with_odd_keys_is_left_alone() -> None:
    m = Keyed({"lr.decay": 0.5, 1: "one", "1": "uno"})  # no parameters there: nothing to name
    m.w = nn.Parameter(autograd.ones(1))
    assert list(m.state_dict()) == ["w"]
    ok = Keyed({1: nn.Linear(1, 1), 2: nn.Linear(1, 1)})
    assert list(ok.state_dict()) == ["d.1.weight", "d.1.bias", "d.2.weight", "d.2.bias"]


# --- MLP, init, missing features -------------------------------------------------------------


def test_mlp_takes_an_activation_module_and_copies_it_per_layer() -> None:
    m = nn.MLP(2, [3, 3], 1, activation=nn.LeakyReLU(0.3))
    acts = [m[1], m[3]]
    assert [type(a).__name__ for a in acts] == ["LeakyReLU", "LeakyReLU"]
    assert acts[0] is not acts[1] and acts[0].negative_slope == 0.3
    assert type(nn.MLP(2, [3], 1, activation=nn.Tanh())[1]).__name__ == "Tanh"
    assert type(nn.MLP(2, [3], 1, activation="gelu")[1]).__name__ == "GELU"


def test_init_draws_from_autograds_one_generator() -> None:
    autograd.manual_seed(5)
    a = nn.Linear(3, 2).weight.data.copy()
    nn.init.manual_seed(5)  # the alias
    b = nn.Linear(3, 2).weight.data.copy()
    np.testing.assert_array_equal(a, b)
    autograd.manual_seed(5)
    autograd.rand(1)  # the same stream: a draw in between changes the weights
    assert not np.array_equal(nn.Linear(3, 2).weight.data, a)
    g = autograd.Generator().manual_seed(1)
    w = nn.init.normal_(nn.Parameter(np.zeros(3)), generator=g).data.copy()
    np.testing.assert_array_equal(w, np.random.default_rng(1).normal(size=3))


def test_missing_pytorch_features_are_named() -> None:
    m = nn.Linear(1, 1)
    with pytest.raises(
        AttributeError,
        match=r"Linear.register_forward_hook\(\): PyTorch's forward hooks are not supported",
    ):
        m.register_forward_hook(print)
    with pytest.raises(AttributeError, match="'Linear' object has no attribute 'nonsense'"):
        m.nonsense  # noqa: B018


# --- nn.utils ---------------------------------------------------------------------------------


def _params_with_grads(L: Any, grads: list[np.ndarray]) -> list[Any]:
    params = []
    for g in grads:
        p = L.nn.Parameter(L.t.zeros(*g.shape, dtype=L.t.float64))
        p.grad = L.t.tensor(g)
        params.append(p)
    return params


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, float("inf")])
@pytest.mark.parametrize("max_norm", [0.5, 100.0])
def test_clip_grad_norm_matches_pytorch(norm_type: float, max_norm: float) -> None:
    rng = np.random.default_rng(int(max_norm))
    grads = [rng.normal(size=(3, 2)), rng.normal(size=4)]
    ours, theirs = _params_with_grads(DAGRAD, grads), _params_with_grads(TORCH, grads)
    total = nn.utils.clip_grad_norm_(ours, max_norm, norm_type)
    ref = torch.nn.utils.clip_grad_norm_(theirs, max_norm, norm_type)
    close(total, ref, 1e-12, 0, "total norm")
    for a, b in zip(ours, theirs):
        close(a.grad, b.grad, 1e-12, 1e-15, "clipped gradient")


def test_clip_grad_value_and_vectors_match_pytorch() -> None:
    rng = np.random.default_rng(0)
    grads = [rng.normal(size=(2, 2)) * 3, rng.normal(size=3)]
    ours, theirs = _params_with_grads(DAGRAD, grads), _params_with_grads(TORCH, grads)
    nn.utils.clip_grad_value_(ours, 1.0)
    torch.nn.utils.clip_grad_value_(theirs, 1.0)
    for a, b in zip(ours, theirs):
        close(a.grad, b.grad, 0, 0, "clipped gradient")
    vec = nn.utils.parameters_to_vector(ours)
    close(vec, torch.nn.utils.parameters_to_vector(theirs), 0, 0, "vector")
    (vec * autograd.arange(7.0)).sum().backward()  # differentiable, as PyTorch's
    nn.utils.vector_to_parameters(autograd.arange(7.0, dtype=autograd.float64), ours)
    np.testing.assert_array_equal(ours[1].data, [4.0, 5.0, 6.0])
    with pytest.raises(
        ValueError, match=r"the parameters hold 7 numbers, but vec has shape \(6,\)"
    ):
        nn.utils.vector_to_parameters(autograd.zeros(6), ours)


def test_clip_grad_norm_skips_missing_gradients_and_can_refuse_nan() -> None:
    a, b = nn.Parameter(autograd.ones(2)), nn.Parameter(autograd.ones(2))
    a.grad = autograd.tensor([3.0, 4.0])
    assert float(nn.utils.clip_grad_norm_([a, b], 10.0)) == pytest.approx(5.0)
    assert b.grad is None
    a.grad = autograd.tensor([float("nan"), 1.0])
    with pytest.raises(
        RuntimeError,
        match=r"clip_grad_norm_\(\): the total norm of order 2.0 of the gradients is nan",
    ):
        nn.utils.clip_grad_norm_(a, 1.0, error_if_nonfinite=True)
    with pytest.raises(
        TypeError, match=r"clip_grad_norm_\(\): expected parameters, got a Linear, which is a model"
    ):
        nn.utils.clip_grad_norm_(nn.Linear(1, 1), 1.0)


def test_clipping_reaches_value_parameters() -> None:
    v = autograd.Value(1.0, requires_grad=True)
    v.grad = 10.0
    nn.utils.clip_grad_norm_([v], 1.0)
    assert v.grad == pytest.approx(1.0 * 10 / (10 + 1e-6))
    nn.utils.clip_grad_value_([v], 0.5)
    assert v.grad == 0.5
