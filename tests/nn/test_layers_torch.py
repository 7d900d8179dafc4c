"""Layers against PyTorch 2.13: Dropout, Embedding, LayerNorm, BatchNorm1d (with its running
statistics), Unflatten/Identity, and the containers (ModuleList, ModuleDict, ParameterList,
Sequential) with PyTorch's names, state-dict keys and reprs."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import autograd
import nn
import nn.functional as F
from tests.nn.oracle import close, torch


def copy_from_torch(ours: nn.Module, theirs: Any) -> None:
    """Our module gets the PyTorch module's parameters and buffers."""
    ours.load_state_dict({k: v.detach().numpy().copy() for k, v in theirs.state_dict().items()})


def both(x: np.ndarray, grad: bool = True) -> tuple[Any, Any]:
    return autograd.tensor(x, requires_grad=grad), torch.tensor(x, requires_grad=grad)


def same_gradients(
    ours: list[Any], theirs: list[Any], rtol: float = 1e-9, atol: float = 1e-11
) -> None:
    for i, (a, b) in enumerate(zip(ours, theirs)):
        close(a.grad, b.grad, rtol, atol, f"gradient {i}")


# --- Dropout ----------------------------------------------------------------------------------


def test_dropout_zeroes_a_fraction_p_and_scales_the_rest() -> None:
    autograd.manual_seed(0)
    x = autograd.ones(200, 100, dtype=autograd.float64, requires_grad=True)
    y = nn.Dropout(0.3)(x)
    kept = y.data != 0
    assert abs(kept.mean() - 0.7) < 0.01
    np.testing.assert_array_equal(y.data[kept], 1 / 0.7)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.data, np.where(kept, 1 / 0.7, 0.0))


def test_dropout_passes_the_input_through_in_eval_mode() -> None:
    layer = nn.Dropout(0.5)
    x = autograd.randn(4, 3)
    assert layer.eval()(x) is x
    assert F.dropout(x, 0.5, training=False) is x and F.dropout(x, 0.0) is x
    assert not F.dropout(x, 1.0).data.any()


def test_dropout_masks_follow_autograds_seed() -> None:
    x = autograd.ones(5, 5)
    autograd.manual_seed(3)
    first = F.dropout(x).data
    autograd.manual_seed(3)
    np.testing.assert_array_equal(F.dropout(x).data, first)
    assert not np.array_equal(F.dropout(x).data, first)


def test_dropout_keeps_float32_and_refuses_a_bad_p() -> None:
    assert nn.Dropout()(autograd.ones(3)).dtype == np.float32
    assert repr(nn.Dropout(0.2)) == repr(torch.nn.Dropout(0.2))
    with pytest.raises(
        ValueError, match="dropout probability has to be between 0 and 1, but got 1.5"
    ):
        nn.Dropout(1.5)
    with pytest.raises(
        ValueError, match="dropout probability has to be between 0 and 1, but got -0.1"
    ):
        F.dropout(autograd.ones(2), -0.1)


# --- Embedding --------------------------------------------------------------------------------


@pytest.mark.parametrize("padding_idx", [None, 2, -1])
def test_embedding_matches_pytorch(padding_idx: int | None) -> None:
    torch.manual_seed(0)
    theirs = torch.nn.Embedding(6, 3, padding_idx=padding_idx).double()
    ours = nn.Embedding(6, 3, padding_idx=padding_idx, dtype=np.float64)
    assert ours.padding_idx == theirs.padding_idx
    copy_from_torch(ours, theirs)
    idx = np.array([[0, 2, 2, 5], [5, 1, 2, 0]])
    out, ref = ours(autograd.tensor(idx)), theirs(torch.tensor(idx))
    close(out, ref, 0, 0, "rows")
    g = np.random.default_rng(0).normal(size=ref.shape)
    (out * autograd.tensor(g)).sum().backward()
    (ref * torch.tensor(g)).sum().backward()
    close(
        ours.weight.grad,
        theirs.weight.grad,
        1e-12,
        1e-12,
        "weight gradient (the padding row gets none)",
    )
    assert repr(ours) == repr(theirs)


def test_embedding_max_norm_renormalises_the_rows_it_looks_up_as_pytorch() -> None:
    torch.manual_seed(1)
    theirs = torch.nn.Embedding(5, 4, max_norm=1.0).double()
    ours = nn.Embedding(5, 4, max_norm=1.0, dtype=np.float64)
    copy_from_torch(ours, theirs)
    idx = np.array([1, 3, 3])
    close(ours(autograd.tensor(idx)), theirs(torch.tensor(idx)), 1e-12, 0, "rows")
    close(ours.weight, theirs.weight, 1e-12, 0, "the weight, renormalised in place")


def test_embedding_from_pretrained_is_frozen_by_default() -> None:
    table = np.arange(6.0).reshape(3, 2)
    layer = nn.Embedding.from_pretrained(autograd.tensor(table))
    assert not layer.weight.requires_grad and layer.weight.dtype == np.float64
    np.testing.assert_array_equal(layer(autograd.tensor([2, 0])).data, table[[2, 0]])
    assert nn.Embedding.from_pretrained(table, freeze=False).weight.requires_grad


def test_embedding_refuses_bad_indices() -> None:
    layer = nn.Embedding(4, 2)
    with pytest.raises(
        TypeError, match=r"embedding\(\): indices must be an integer tensor.*float32"
    ):
        layer(autograd.tensor([1.0]))
    with pytest.raises(
        IndexError, match=r"embedding\(\): index 4 is out of range for a weight of 4 rows"
    ):
        layer(autograd.tensor([0, 4]))
    with pytest.raises(ValueError, match=r"padding_idx must be within num_embeddings"):
        nn.Embedding(4, 2, padding_idx=4)


# --- LayerNorm --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("shape", "normalized", "options"),
    [
        ((5, 4), 4, {}),
        ((2, 3, 4), (3, 4), {}),
        ((3, 6), [6], {"elementwise_affine": False}),
        ((3, 6), 6, {"bias": False, "eps": 1e-3}),
    ],
)
def test_layer_norm_matches_pytorch_to_second_order(
    shape: tuple[int, ...], normalized: Any, options: dict[str, Any]
) -> None:
    rng = np.random.default_rng(len(shape))
    theirs = torch.nn.LayerNorm(normalized, **options).double()
    with torch.no_grad():
        for p in theirs.parameters():
            p.copy_(torch.tensor(rng.normal(size=tuple(p.shape))))
    ours = nn.LayerNorm(normalized, dtype=np.float64, **options)
    copy_from_torch(ours, theirs)
    assert repr(ours) == repr(theirs)
    x = rng.normal(size=shape) * 3 + 1
    xo, xt = both(x)
    out, ref = ours(xo), theirs(xt)
    close(out, ref, 1e-10, 1e-12, "output")
    w = rng.normal(size=shape)
    params_o = [xo, *ours.parameters()]
    params_t = [xt, *theirs.parameters()]
    go = autograd.grad((out * autograd.tensor(w)).sum(), params_o, create_graph=True)
    gt = torch.autograd.grad((ref * torch.tensor(w)).sum(), params_t, create_graph=True)
    for a, b in zip(go, gt):
        close(a, b, 1e-9, 1e-11, "gradient")
    v = [rng.normal(size=tuple(p.shape)) for p in params_t]
    so = autograd.grad(
        sum((g * autograd.tensor(vv)).sum() for g, vv in zip(go, v)), params_o, allow_unused=True
    )
    st = torch.autograd.grad(
        sum((g * torch.tensor(vv)).sum() for g, vv in zip(gt, v)), params_t, allow_unused=True
    )
    for a, b in zip(so, st):
        if b is None:
            assert a is None or not a.data.any()
        else:
            close(a, b, 1e-8, 1e-10, "second derivative")


def test_layer_norm_refuses_a_shape_that_does_not_end_the_input() -> None:
    with pytest.raises(
        ValueError,
        match=r"layer_norm\(\): given normalized_shape=\[4\], expected input with shape "
        r"\[\*, 4\], but got input of size \[2, 3\]",
    ):
        nn.LayerNorm(4)(autograd.ones(2, 3))


# --- BatchNorm1d ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("shape", "options"),
    [
        ((8, 3), {}),
        ((4, 3, 5), {}),
        ((6, 3), {"momentum": None}),
        ((6, 3), {"affine": False, "momentum": 0.3}),
        ((6, 3), {"track_running_stats": False}),
    ],
)
def test_batch_norm_trains_and_evaluates_as_pytorch(
    shape: tuple[int, ...], options: dict[str, Any]
) -> None:
    rng = np.random.default_rng(shape[0])
    theirs = torch.nn.BatchNorm1d(3, **options).double()
    with torch.no_grad():
        for p in theirs.parameters():
            p.copy_(torch.tensor(rng.normal(size=tuple(p.shape))))
    ours = nn.BatchNorm1d(3, dtype=np.float64, **options)
    copy_from_torch(ours, theirs)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    for step in range(3):  # training steps: outputs, gradients and the running statistics
        x = rng.normal(size=shape) * (step + 1) + step
        xo, xt = both(x)
        out, ref = ours(xo), theirs(xt)
        close(out, ref, 1e-9, 1e-11, f"training output, step {step}")
        w = rng.normal(size=shape)
        (out * autograd.tensor(w)).sum().backward()
        (ref * torch.tensor(w)).sum().backward()
        same_gradients([xo, *ours.parameters()], [xt, *theirs.parameters()], 1e-8, 1e-10)
        for (name, a), b in zip(ours.state_dict().items(), theirs.state_dict().values()):
            close(a, b, 1e-12, 1e-14, f"{name} after step {step}")
    ours.eval()
    theirs.eval()
    x = rng.normal(size=shape)
    close(ours(autograd.tensor(x)), theirs(torch.tensor(x)), 1e-10, 1e-12, "evaluation output")


def test_batch_norm_second_derivatives_match_pytorch() -> None:
    rng = np.random.default_rng(5)
    theirs = torch.nn.BatchNorm1d(2).double()
    ours = nn.BatchNorm1d(2, dtype=np.float64)
    x = rng.normal(size=(5, 2))
    xo, xt = both(x)
    w = rng.normal(size=(5, 2))
    go = autograd.grad((ours(xo) * autograd.tensor(w)).sum(), [xo], create_graph=True)[0]
    gt = torch.autograd.grad((theirs(xt) * torch.tensor(w)).sum(), [xt], create_graph=True)[0]
    close(go, gt, 1e-9, 1e-11, "gradient")
    v = rng.normal(size=(5, 2))
    close(
        autograd.grad((go * autograd.tensor(v)).sum(), [xo])[0],
        torch.autograd.grad((gt * torch.tensor(v)).sum(), [xt])[0],
        1e-8,
        1e-10,
        "second derivative",
    )


def test_batch_norm_refuses_what_pytorch_refuses() -> None:
    with pytest.raises(ValueError, match=r"expected more than 1 value per channel when training"):
        nn.BatchNorm1d(3)(autograd.ones(1, 3))
    with pytest.raises(
        ValueError, match=r"BatchNorm1d\(\): expected 2D or 3D input \(got 4D input\)"
    ):
        nn.BatchNorm1d(3)(autograd.ones(2, 3, 4, 5))
    with pytest.raises(
        ValueError, match=r"BatchNorm1d\(3\): input of shape \(2, 4\) has 4 channels"
    ):
        nn.BatchNorm1d(3)(autograd.ones(2, 4))


def test_batch_norm_state_loads_into_pytorch_and_back() -> None:
    ours = nn.BatchNorm1d(4)
    ours(autograd.randn(10, 4) * 3)
    theirs = torch.nn.BatchNorm1d(4)
    theirs.load_state_dict({k: torch.tensor(v.data) for k, v in ours.state_dict().items()})
    assert int(theirs.num_batches_tracked) == 1
    assert ours.num_batches_tracked.dtype == np.int64


# --- small layers -----------------------------------------------------------------------------


def test_unflatten_identity_and_flatten_match_pytorch() -> None:
    x = np.arange(24.0).reshape(4, 6)
    for text in [
        "Unflatten(1, (2, 3))",
        "Unflatten(-1, (3, -1))",
        "Identity(54, unused='x')",
        "Flatten(0)",
    ]:
        ours, theirs = eval("nn." + text), eval("torch.nn." + text)
        close(ours(autograd.tensor(x)), theirs(torch.tensor(x)), 0, 0, text)
        assert repr(ours) == repr(theirs)
    with pytest.raises(
        ValueError,
        match=r"Unflatten\(dim=1, unflattened_size=\(4, 2\)\): dim 1 of the input of shape "
        r"\(4, 6\) has 6 elements",
    ):
        nn.Unflatten(1, (4, 2))(autograd.tensor(x))


# --- containers -------------------------------------------------------------------------------


class Net:
    """The same model built with either library's containers."""

    @staticmethod
    def build(L: Any) -> Any:
        class Model(L.nn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.blocks = L.nn.ModuleList([L.nn.Linear(3, 3) for _ in range(2)])
                self.heads = L.nn.ModuleDict({"a": L.nn.Linear(3, 1), "b": L.nn.Linear(3, 2)})
                self.scales = L.nn.ParameterList(
                    [L.nn.Parameter(L.t.ones(3)), L.nn.Parameter(L.t.zeros(1))]
                )
                self.norm = L.nn.BatchNorm1d(3)

            def forward(self, x: Any) -> Any:
                for block in self.blocks:
                    x = block(x) * self.scales[0]
                return self.heads["a"](self.norm(x)).sum() + self.heads["b"](x).sum()

        return Model()


def test_containers_name_parameters_and_state_like_pytorch() -> None:
    ours, theirs = Net.build(nn_lib()), Net.build(torch_lib())
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert [n for n, _ in ours.named_modules()] == [n for n, _ in theirs.named_modules()]
    assert [n for n, _ in ours.named_buffers()] == [n for n, _ in theirs.named_buffers()]
    copy_from_torch(ours, theirs)
    x = np.random.default_rng(0).normal(size=(4, 3)).astype(np.float32)
    close(ours(autograd.tensor(x)), theirs(torch.tensor(x)), 1e-5, 1e-6, "output")


def nn_lib() -> Any:
    from tests.nn.oracle import DAGRAD

    return DAGRAD


def torch_lib() -> Any:
    from tests.nn.oracle import TORCH

    return TORCH


def test_module_list_behaves_as_pytorchs() -> None:
    for L in (nn_lib(), torch_lib()):
        layers = L.nn.ModuleList([L.nn.ReLU(), L.nn.Tanh()])
        layers.insert(0, L.nn.Sigmoid())
        layers.append(L.nn.Identity())
        layers.extend([L.nn.ReLU6()])
        del layers[1]
        layers[0] = L.nn.SiLU()
        names = [type(m).__name__ for m in layers]
        assert names == ["SiLU", "Tanh", "Identity", "ReLU6"], L.name
        assert [n for n, _ in layers.named_children()] == ["0", "1", "2", "3"]
        assert type(layers[1:3]).__name__ == "ModuleList" and len(layers[1:3]) == 2
        assert type(layers[-1]).__name__ == "ReLU6" and len(layers) == 4
    assert repr(nn.ModuleList([nn.ReLU(), nn.Tanh()])) == repr(
        torch.nn.ModuleList([torch.nn.ReLU(), torch.nn.Tanh()])
    )
    with pytest.raises(IndexError, match="index 5 is out of range"):
        nn.ModuleList([nn.ReLU()])[5]
    with pytest.raises(
        TypeError, match=r"ModuleList.append\(\): argument 1 is a int, not a Module"
    ):
        nn.ModuleList([nn.ReLU()]).append(3)
    with pytest.raises(NotImplementedError, match="ModuleList has no forward"):
        nn.ModuleList()(1)


def test_module_dict_behaves_as_pytorchs() -> None:
    heads = nn.ModuleDict({"a": nn.ReLU()})
    heads["b"] = nn.Tanh()
    heads.update([("c", nn.Sigmoid())])
    assert list(heads) == heads.keys() == ["a", "b", "c"] and "b" in heads and len(heads) == 3
    assert type(heads.pop("b")).__name__ == "Tanh" and heads.keys() == ["a", "c"]
    assert repr(nn.ModuleDict({"a": nn.ReLU()})) == repr(
        torch.nn.ModuleDict({"a": torch.nn.ReLU()})
    )
    with pytest.raises(KeyError):
        heads["x"]
    with pytest.raises(ValueError, match="name must be a non-empty string without dots: 'b.c'"):
        heads["b.c"] = nn.ReLU()
    with pytest.raises(ValueError, match="'keys' would hide the attribute"):
        heads["keys"] = nn.ReLU()


def test_parameter_list_makes_parameters() -> None:
    params = nn.ParameterList([autograd.ones(2), np.zeros(3)])
    assert all(isinstance(p, nn.Parameter) and p.requires_grad for p in params)
    assert [n for n, _ in params.named_parameters()] == ["0", "1"]
    params.append(nn.Parameter(autograd.ones(1)))
    assert len(params) == 3 and params[-1].shape == (1,)


def test_sequential_edits_keep_pytorchs_names() -> None:
    for L in (nn_lib(), torch_lib()):
        seq = L.nn.Sequential(L.nn.ReLU(), L.nn.Tanh(), L.nn.Sigmoid())
        seq[1] = L.nn.Identity()
        del seq[0]
        seq.append(L.nn.ReLU())
        seq.insert(1, L.nn.SiLU())
        assert [n for n, _ in seq.named_children()] == ["0", "1", "2", "3"]
        assert [type(m).__name__ for m in seq] == ["Identity", "SiLU", "Sigmoid", "ReLU"], L.name
        assert type(seq[1:]).__name__ == "Sequential" and len(seq[1:]) == 3
    x = autograd.randn(2, 2)
    seq = nn.Sequential(nn.Linear(2, 2), nn.ReLU())
    out = seq(x)
    seq.append(nn.Linear(2, 1))  # the cached layer list follows the change
    assert seq(x).shape == (2, 1) and out.shape == (2, 2)
