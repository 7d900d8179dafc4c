"""nn.Module and nn.Parameter: finding parameters, names, modes, gradients, state dicts, repr."""

from __future__ import annotations

import numpy as np
import pytest

import nn
from autograd import Tensor, Value


class Block(nn.Module):
    """Parameters and modules in every place a Module looks: attributes, lists, dicts."""

    def __init__(self) -> None:
        super().__init__()
        self.scale = nn.Parameter(np.ones(3, dtype=np.float32))
        self.encoder = nn.Linear(3, 4)
        self.heads = [nn.Linear(4, 2), nn.Linear(4, 1)]
        self.extras = {"gate": nn.Linear(2, 2), "offsets": [nn.Parameter([0.5])]}
        self.not_a_parameter = Tensor(np.zeros(2), requires_grad=True)  # plain data
        self.widths = [3, 4]  # numbers in a list are ignored

    def forward(self, x: Tensor) -> Tensor:
        h = self.encoder(x * self.scale)
        return self.heads[0](h).sum() + self.heads[1](h).sum()


# a module's own parameters come first, then those of its children (PyTorch's order)
BLOCK_NAMES = [
    "scale",
    "extras.offsets.0",
    "encoder.weight",
    "encoder.bias",
    "heads.0.weight",
    "heads.0.bias",
    "heads.1.weight",
    "heads.1.bias",
    "extras.gate.weight",
    "extras.gate.bias",
]


# --- Parameter ------------------------------------------------------------------------------


def test_parameter_requires_grad_and_follows_tensor_dtype_rules():
    p = nn.Parameter([1.0, 2.0])
    assert p.requires_grad and p.is_leaf and isinstance(p, Tensor)
    assert p.dtype == np.float32
    assert nn.Parameter(np.zeros(2)).dtype == np.float64
    assert not nn.Parameter(np.zeros(2), requires_grad=False).requires_grad
    assert repr(p) == "Parameter containing:\ntensor([1.0000, 2.0000], requires_grad=True)"
    with pytest.raises(TypeError, match="only floating tensors can require grad"):
        nn.Parameter(np.array([1, 2]))


def test_ops_on_a_parameter_give_plain_tensors():
    p = nn.Parameter([1.0, 2.0])
    assert type(p * 2) is Tensor


# --- finding members ------------------------------------------------------------------------


def test_named_parameters_are_dotted_paths_own_parameters_first():
    block = Block()
    assert [name for name, _ in block.named_parameters()] == BLOCK_NAMES
    assert [id(p) for p in block.parameters()] == [id(p) for _, p in block.named_parameters()]
    assert all(isinstance(p, nn.Parameter) for p in block.parameters())


def test_children_and_modules():
    block = Block()
    assert [name for name, _ in block.named_children()] == [
        "encoder",
        "heads.0",
        "heads.1",
        "extras.gate",
    ]
    assert block.children()[0] is block.encoder
    names = [name for name, _ in block.named_modules()]
    assert names == ["", "encoder", "heads.0", "heads.1", "extras.gate"]
    assert block.modules()[0] is block


def test_sequential_names_match_pytorch():
    model = nn.Sequential(
        nn.Linear(2, 3), nn.ReLU(), nn.Sequential(nn.Linear(3, 1), nn.Sigmoid()), nn.Tanh()
    )
    assert [n for n, _ in model.named_parameters()] == [
        "0.weight",
        "0.bias",
        "2.0.weight",
        "2.0.bias",
    ]
    assert [n for n, _ in model.named_modules()] == ["", "0", "1", "2", "2.0", "2.1", "3"]


def test_a_shared_parameter_is_listed_once_but_saved_under_each_name():
    model = nn.Sequential(nn.Linear(3, 3), nn.Linear(3, 3))
    model[1].weight = model[0].weight  # tied weights
    assert [n for n, _ in model.named_parameters()] == ["0.weight", "0.bias", "1.bias"]
    assert list(model.state_dict()) == ["0.weight", "0.bias", "1.weight", "1.bias"]


def test_a_module_listed_twice_is_visited_once_but_runs_twice():
    shared, act = nn.Linear(2, 2), nn.Tanh()
    model = nn.Sequential(shared, act, shared)
    assert len(model.parameters()) == 2
    assert [n for n, _ in model.named_modules()] == ["", "0", "1"]
    assert len(model) == 3 and model[2] is shared
    x = Tensor(np.array([[0.5, -1.0]], dtype=np.float32))
    np.testing.assert_array_equal(model(x).data, shared(act(shared(x))).data)


def test_a_module_holding_its_parent_does_not_loop():
    outer = nn.Sequential(nn.Linear(2, 2))
    outer[0].owner = outer  # a cycle in the module tree
    assert [n for n, _ in outer.named_parameters()] == ["0.weight", "0.bias"]
    assert "<Sequential: cycle>" in repr(outer)


def test_deeply_nested_modules_need_no_recursion():
    model: nn.Module = nn.Linear(1, 1)
    for _ in range(5000):
        model = nn.Sequential(model)
    names = [n for n, _ in model.named_parameters()]
    assert names == ["0." * 5000 + "weight", "0." * 5000 + "bias"]
    assert repr(model).count("Sequential(") == 5000


def test_plain_tensors_are_not_parameters_but_leaf_values_are():
    class Mixed(nn.Module):
        def __init__(self) -> None:
            self.t = Tensor([1.0], requires_grad=True)
            self.v = Value(2.0)
            self.const = Value(3.0, requires_grad=False)
            self.made = self.v * 2  # an op's result is not a parameter

    assert [n for n, _ in Mixed().named_parameters()] == ["v"]


def test_replacing_a_parameter_with_a_plain_tensor_is_refused():
    layer = nn.Linear(2, 2)
    with pytest.raises(TypeError, match="cannot assign a plain Tensor to parameter 'weight'"):
        layer.weight = Tensor(np.zeros((2, 2), dtype=np.float32))
    layer.weight = nn.Parameter(np.zeros((2, 2), dtype=np.float32))  # a Parameter is fine
    assert np.all(layer.weight.data == 0)


def test_add_module_and_register_parameter_check_their_arguments():
    m = nn.Module()
    m.add_module("0", nn.ReLU())
    m.register_parameter("w", nn.Parameter([1.0]))
    assert [n for n, _ in m.named_children()] == ["0"]
    assert [n for n, _ in m.named_parameters()] == ["w"]
    with pytest.raises(ValueError, match="without dots"):
        m.add_module("a.b", nn.ReLU())
    with pytest.raises(ValueError, match="would hide"):
        m.add_module("forward", nn.ReLU())
    with pytest.raises(TypeError, match="must be a Module"):
        m.add_module("x", 3)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="must be an nn.Parameter"):
        m.register_parameter("t", Tensor([1.0], requires_grad=True))  # type: ignore[arg-type]


def test_forward_must_be_defined():
    with pytest.raises(NotImplementedError, match="Module has no forward"):
        nn.Module()(1)


# --- modes and gradients --------------------------------------------------------------------


def test_train_and_eval_reach_every_module():
    block = Block()
    assert block.eval() is block
    assert not any(m.training for m in block.modules())
    block.train()
    assert all(m.training for m in block.modules())


def test_zero_grad_sets_tensor_grads_to_none_or_zeros():
    block = Block()
    block(Tensor(np.ones((5, 3), dtype=np.float32))).backward()
    gate = block.extras["gate"]
    unused = {id(gate.weight), id(gate.bias), id(block.extras["offsets"][0])}
    for p in block.parameters():
        assert (p.grad is None) == (id(p) in unused)  # forward() does not use the extras
    arrays = {id(p): p.grad.data for p in block.parameters() if p.grad is not None}
    block.zero_grad(set_to_none=False)
    for p in block.parameters():
        if id(p) in unused:  # None stays None, as in PyTorch (and as Optimizer.zero_grad does)
            assert p.grad is None
        else:  # zeroed in place
            assert p.grad is not None and p.grad.data is arrays[id(p)] and not p.grad.data.any()
    block.zero_grad()
    assert all(p.grad is None for p in block.parameters())


def test_zero_grad_sets_value_grads_to_zero_float():
    model = nn.scalar.MLP(2, [3, 1])
    model([1.0, -2.0]).backward()
    assert any(p.grad != 0.0 for p in model.parameters())
    model.zero_grad()
    assert all(p.grad == 0.0 and isinstance(p.grad, float) for p in model.parameters())


# --- state dicts ----------------------------------------------------------------------------


def test_state_dict_round_trip_reproduces_the_model():
    nn.init.manual_seed(1)
    source = nn.MLP(4, [8], 3)
    target = nn.MLP(4, [8], 3)  # different initial weights
    x = Tensor(np.random.default_rng(0).normal(size=(6, 4)).astype(np.float32))
    assert not np.array_equal(source(x).data, target(x).data)
    result = target.load_state_dict(source.state_dict())
    assert result == nn.IncompatibleKeys([], [])
    np.testing.assert_array_equal(source(x).data, target(x).data)
    for (name_s, p_s), (name_t, p_t) in zip(source.named_parameters(), target.named_parameters()):
        assert name_s == name_t and p_s.dtype == p_t.dtype
        np.testing.assert_array_equal(p_s.data, p_t.data)


def test_state_dict_holds_copies_and_loading_copies_in_place():
    layer = nn.Linear(2, 2)
    state = layer.state_dict()
    before = state["weight"].data.copy()  # state_dict() gives Tensors (copies), as in PyTorch
    layer.weight.data += 1.0  # training on must not change the snapshot
    np.testing.assert_array_equal(state["weight"].data, before)
    weight_array = layer.weight.data
    layer.load_state_dict(state)
    assert layer.weight.data is weight_array  # same array, new contents (as PyTorch's copy_)
    np.testing.assert_array_equal(layer.weight.data, before)


def test_load_state_dict_accepts_tensors():
    layer = nn.Linear(2, 1, dtype=np.float64)
    layer.load_state_dict({"weight": Tensor(np.array([[1.0, 2.0]])), "bias": np.array([3.0])})
    assert layer(Tensor(np.array([[1.0, 1.0]]))).item() == 6.0


def test_missing_key_error_names_the_key_and_its_shape():
    layer = nn.Linear(3, 2)
    state = layer.state_dict()
    del state["bias"]
    with pytest.raises(
        nn.StateDictError, match=r"missing key 'bias' \(the model's parameter has shape \(2,\)"
    ):
        layer.load_state_dict(state)


def test_unexpected_key_error_names_the_key_and_its_shape():
    layer = nn.Linear(3, 2)
    state = layer.state_dict()
    state["extra.weight"] = np.zeros((5, 5))
    with pytest.raises(
        nn.StateDictError,
        match=r"unexpected key 'extra.weight' \(the state_dict holds shape \(5, 5\)",
    ):
        layer.load_state_dict(state)


def test_shape_mismatch_error_names_the_key_and_both_shapes():
    small, big = nn.MLP(3, [4], 1), nn.MLP(3, [5], 1)
    with pytest.raises(nn.StateDictError) as info:
        big.load_state_dict(small.state_dict())
    message = str(info.value)
    assert "3 problems" in message
    assert (
        "'0.weight': the state_dict has shape (4, 3) and dtype float32, "
        "but the model's parameter has shape (5, 3)" in message
    )
    assert "'0.bias'" in message and "'2.weight'" in message and "'2.bias'" not in message


def test_dtype_mismatch_is_an_error_too():
    layer = nn.Linear(2, 2)
    state = {k: v.astype(np.float64) for k, v in layer.state_dict().items()}
    with pytest.raises(
        nn.StateDictError,
        match=r"'weight': the state_dict has shape \(2, 2\) and dtype float64.*float32.*astype",
    ):
        layer.load_state_dict(state)


def test_a_failed_load_changes_nothing():
    model = nn.MLP(2, [3], 1)
    before = model.state_dict()
    state = {k: v + 1.0 for k, v in before.items()}
    state["2.bias"] = np.zeros(7, dtype=np.float32)  # one bad entry, found after good ones
    with pytest.raises(nn.StateDictError):
        model.load_state_dict(state)
    for key, value in model.state_dict().items():
        np.testing.assert_array_equal(value, before[key])


def test_non_strict_load_skips_and_reports_keys_but_still_checks_shapes():
    layer = nn.Linear(2, 2)
    result = layer.load_state_dict(
        {"weight": np.ones((2, 2), np.float32), "other": np.zeros(1)}, strict=False
    )
    assert result.missing_keys == ["bias"] and result.unexpected_keys == ["other"]
    np.testing.assert_array_equal(layer.weight.data, 1.0)
    with pytest.raises(nn.StateDictError, match="shape"):
        layer.load_state_dict({"weight": np.ones((3, 2), np.float32)}, strict=False)


def test_load_state_dict_wants_a_mapping():
    with pytest.raises(TypeError, match="expected a mapping"):
        nn.Linear(1, 1).load_state_dict([("weight", np.zeros((1, 1)))])  # type: ignore[arg-type]


def test_value_parameters_round_trip_as_float64_scalars():
    nn.init.manual_seed(2)
    source = nn.scalar.MLP(2, [3, 1])
    state = source.state_dict()
    assert list(state)[:4] == [
        "layers.0.neurons.0.w.0",
        "layers.0.neurons.0.w.1",
        "layers.0.neurons.0.b",
        "layers.0.neurons.1.w.0",
    ]
    assert all(v.shape == () and v.dtype == np.float64 for v in state.values())
    target = nn.scalar.MLP(2, [3, 1])
    target.load_state_dict(state)
    assert source([0.3, -0.7]).data == target([0.3, -0.7]).data
    assert all(isinstance(p.data, float) for p in target.parameters())


# --- repr -----------------------------------------------------------------------------------


def test_repr_lists_children_like_pytorch():
    model = nn.Sequential(
        nn.Linear(2, 3),
        nn.ReLU(),
        nn.Sequential(nn.Linear(3, 1, bias=False), nn.Sigmoid()),
        nn.LeakyReLU(),
        nn.Flatten(),
        nn.Identity(),
        nn.Tanh(),
    )
    expected = """Sequential(
  (0): Linear(in_features=2, out_features=3, bias=True)
  (1): ReLU()
  (2): Sequential(
    (0): Linear(in_features=3, out_features=1, bias=False)
    (1): Sigmoid()
  )
  (3): LeakyReLU(negative_slope=0.01)
  (4): Flatten(start_dim=1, end_dim=-1)
  (5): Identity()
  (6): Tanh()
)"""
    assert repr(model) == expected


def test_repr_matches_pytorch_for_the_same_model():
    torch = pytest.importorskip("torch", reason="torch is only the oracle for this comparison")
    ours = nn.Sequential(
        nn.Linear(5, 4), nn.ReLU(), nn.Sequential(nn.Linear(4, 2), nn.Tanh()), nn.Flatten()
    )
    theirs = torch.nn.Sequential(
        torch.nn.Linear(5, 4),
        torch.nn.ReLU(),
        torch.nn.Sequential(torch.nn.Linear(4, 2), torch.nn.Tanh()),
        torch.nn.Flatten(),
    )
    assert repr(ours) == repr(theirs)
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert [p.shape for p in ours.parameters()] == [tuple(p.shape) for p in theirs.parameters()]


def test_repr_of_a_custom_module_names_its_members():
    text = repr(Block())
    assert text.startswith(
        "Block(\n  (encoder): Linear(in_features=3, out_features=4, bias=True)\n"
        "  (heads.0): Linear("
    )
    assert "(extras.gate): Linear(in_features=2, out_features=2, bias=True)\n)" in text
