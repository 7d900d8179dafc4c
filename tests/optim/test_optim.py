"""Optimizers: PyTorch's trajectories (float64, 20 steps, 1e-10), the update formulas written out
by hand, Value parameters, parameter groups, gradients left untouched, state dicts, errors."""

from __future__ import annotations

import math
import tracemalloc
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import optim
from autograd import Tensor, Value

STEPS = 20

# Each optimizer with option combinations that exercise every branch of its update.
CASES: list[tuple[str, dict[str, Any]]] = [
    ("SGD", {"lr": 0.1}),
    ("SGD", {"lr": 0.1, "momentum": 0.9}),
    ("SGD", {"lr": 0.1, "momentum": 0.9, "nesterov": True}),
    ("SGD", {"lr": 0.05, "momentum": 0.8, "dampening": 0.3, "weight_decay": 0.01}),
    ("SGD", {"lr": 0.1, "weight_decay": 0.1, "momentum": 0.5, "nesterov": True}),
    ("Adam", {"lr": 0.05}),
    ("Adam", {"lr": 0.05, "amsgrad": True}),
    ("Adam", {"lr": 0.05, "weight_decay": 0.1}),
    ("Adam", {"lr": 0.05, "betas": (0.8, 0.9), "eps": 1e-6, "amsgrad": True, "weight_decay": 0.05}),
    ("AdamW", {"lr": 0.05}),
    ("AdamW", {"lr": 0.05, "weight_decay": 0.3, "amsgrad": True}),
    ("RMSprop", {"lr": 0.01}),
    ("RMSprop", {"lr": 0.01, "centered": True}),
    ("RMSprop", {"lr": 0.01, "momentum": 0.9}),
    ("RMSprop", {"lr": 0.01, "alpha": 0.9, "centered": True, "momentum": 0.5, "weight_decay": 0.1}),
    ("Adagrad", {"lr": 0.1}),
    ("Adagrad", {"lr": 0.1, "lr_decay": 0.05}),
    (
        "Adagrad",
        {
            "lr": 0.1,
            "lr_decay": 0.01,
            "weight_decay": 0.1,
            "initial_accumulator_value": 0.5,
            "eps": 1e-6,
        },
    ),
]
CASE_IDS = [f"{name}-{'-'.join(map(str, options.items()))}" for name, options in CASES]
# one rich combination per optimizer, for the tests that need only one
RICH = {name: options for name, options in CASES}


def _torch() -> Any:
    return pytest.importorskip("torch", reason="torch is the oracle for these trajectories")


# --- a small MLP regression problem, the same in dagrad and in torch ------------------------
_rng = np.random.default_rng(7)
X = _rng.normal(size=(6, 3))
Y = _rng.normal(size=(6, 1))
INITIAL = [
    _rng.normal(size=(4, 3)) * 0.7,  # W1
    _rng.normal(size=4) * 0.1,  # b1
    _rng.normal(size=(1, 4)) * 0.7,  # W2
    _rng.normal(size=1) * 0.1,  # b2
]


def mlp_loss(w1: Any, b1: Any, w2: Any, b2: Any, x: Any, y: Any) -> Any:
    """Mean squared error of a 3-4-1 tanh network; written once for dagrad and torch."""
    hidden = (x @ w1.T + b1).tanh()
    return ((hidden @ w2.T + b2 - y) ** 2).mean()


def dagrad_params(dtype: Any = np.float64) -> list[Tensor]:
    return [Tensor(w.astype(dtype), requires_grad=True) for w in INITIAL]


def train_dagrad(opt: optim.Optimizer, params: list[Tensor], steps: int = STEPS) -> None:
    dtype = params[0].dtype  # the data in the parameters' dtype: products do not promote
    x, y = Tensor(X).to(dtype), Tensor(Y).to(dtype)
    for _ in range(steps):
        opt.zero_grad()
        mlp_loss(*params, x, y).backward()
        opt.step()


def train_torch(torch: Any, name: str, groups: Any, options: dict[str, Any]) -> None:
    opt = getattr(torch.optim, name)(groups, foreach=False, **options)
    params = [p for group in opt.param_groups for p in group["params"]]
    x, y = torch.tensor(X), torch.tensor(Y)
    for _ in range(STEPS):
        opt.zero_grad()
        mlp_loss(*params, x, y).backward()
        opt.step()


def torch_params(torch: Any) -> list[Any]:
    return [torch.tensor(w, requires_grad=True) for w in INITIAL]


def assert_close_to_torch(params: list[Tensor], expected: list[Any]) -> None:
    for mine, theirs in zip(params, expected):
        np.testing.assert_allclose(mine.data, theirs.detach().numpy(), rtol=0, atol=1e-10)


@pytest.mark.parametrize(("name", "options"), CASES, ids=CASE_IDS)
def test_trajectory_matches_torch(name: str, options: dict[str, Any]) -> None:
    torch = _torch()
    params = dagrad_params()
    train_dagrad(getattr(optim, name)(params, **options), params)
    expected = torch_params(torch)
    train_torch(torch, name, expected, options)
    moved = max(np.abs(p.data - w).max() for p, w in zip(params, INITIAL))
    assert moved > 1e-3  # the comparison is about real updates
    assert_close_to_torch(params, expected)


@pytest.mark.parametrize("name", sorted(RICH))
def test_parameter_groups_match_torch(name: str) -> None:
    torch = _torch()
    # the first group uses the defaults given to the constructor, the second overrides two
    override = {"lr": RICH[name]["lr"] / 2, "weight_decay": 0.2}
    params = dagrad_params()
    groups = [{"params": params[:2]}, {"params": params[2:], **override}]
    train_dagrad(getattr(optim, name)(groups, **RICH[name]), params)
    expected = torch_params(torch)
    torch_groups = [{"params": expected[:2]}, {"params": expected[2:], **override}]
    train_torch(torch, name, torch_groups, RICH[name])
    assert_close_to_torch(params, expected)


def test_value_parameters_match_torch() -> None:
    """A scalar model on Values, trained by backward through the Value graph."""
    torch = _torch()
    xs, ys = [0.5, -1.0, 2.0, 0.3], [0.2, -0.4, 0.9, 0.0]

    def loss_of(a: Any, b: Any, c: Any) -> Any:
        total = 0.0
        for x, y in zip(xs, ys):
            total = total + ((a * x + b).tanh() * c - y) ** 2
        return total

    values = [Value(0.3), Value(-0.2), Value(1.1)]
    opt = optim.Adam(values, **RICH["Adam"])
    tensors = [torch.tensor(v.data, dtype=torch.float64, requires_grad=True) for v in values]
    topt = torch.optim.Adam(tensors, foreach=False, **RICH["Adam"])
    for _ in range(STEPS):
        opt.zero_grad()
        topt.zero_grad()
        loss_of(*values).backward()
        loss_of(*tensors).backward()
        opt.step()
        topt.step()
    for v, t in zip(values, tensors):
        assert type(v.data) is float
        assert v.data == pytest.approx(t.item(), abs=1e-10)


# --- Value parameters follow Tensor parameters of the same numbers exactly --------------------
def _bumpy_gradient(p: np.ndarray) -> np.ndarray:
    """The gradient of sum(p**4 / 4 - cos(3 p) - p) (a fixed function of the parameters)."""
    return p**3 + 3 * np.sin(3 * p) - 1


@pytest.mark.parametrize(("name", "options"), CASES, ids=CASE_IDS)
def test_value_parameters_follow_tensor_parameters(name: str, options: dict[str, Any]) -> None:
    start = np.array([0.7, -1.3, 0.05])
    tensor = Tensor(start.copy(), requires_grad=True)
    values = [Value(float(x)) for x in start]
    tensor_opt = getattr(optim, name)([tensor], **options)
    value_opt = getattr(optim, name)(values, **options)
    for _ in range(STEPS):
        tensor.grad = _bumpy_gradient(tensor.data)
        for v, g in zip(values, _bumpy_gradient(np.array([v.data for v in values]))):
            v.grad = float(g)
        tensor_opt.step()
        value_opt.step()
    assert [v.data for v in values] == tensor.data.tolist()  # bit for bit
    assert all(type(v.data) is float for v in values)
    for v in values:
        for key, entry in value_opt.state[v].items():
            assert type(entry) is (int if key == "step" else float), key


# --- the formulas written out (these run with or without torch) -------------------------------
def _param(kind: str, x: float) -> Any:
    return Value(x) if kind == "value" else Tensor(np.array([x]), requires_grad=True)


def _set_grad(p: Any, g: float) -> None:
    p.grad = g if isinstance(p, Value) else np.array([g])


def _number(p: Any) -> float:
    return p.data if isinstance(p, Value) else float(p.data[0])


def _two_steps(kind: str, make: Callable[[list[Any]], optim.Optimizer]) -> list[float]:
    """Start at 1.0, take a step with gradient 2.0 and then one with gradient -1.0."""
    p = _param(kind, 1.0)
    opt = make([p])
    seen = []
    for g in (2.0, -1.0):
        _set_grad(p, g)
        opt.step()
        seen.append(_number(p))
    return seen


KINDS = ["tensor", "value"]


@pytest.mark.parametrize("kind", KINDS)
def test_sgd_plain_and_weight_decay_by_hand(kind: str) -> None:
    assert _two_steps(kind, lambda p: optim.SGD(p, lr=0.1)) == pytest.approx([0.8, 0.9])
    # the gradient gets weight_decay * p added: 2 + 0.5 * 1, then -1 + 0.5 * 0.75
    seen = _two_steps(kind, lambda p: optim.SGD(p, lr=0.1, weight_decay=0.5))
    assert seen == pytest.approx([0.75, 0.75 - 0.1 * (-1 + 0.5 * 0.75)])


@pytest.mark.parametrize("kind", KINDS)
def test_sgd_momentum_by_hand(kind: str) -> None:
    # buffer = 2 (the first gradient as it is), then 0.9 * 2 + (1 - 0.25) * (-1) = 1.05
    seen = _two_steps(kind, lambda p: optim.SGD(p, lr=0.1, momentum=0.9, dampening=0.25))
    assert seen == pytest.approx([1 - 0.1 * 2, 0.8 - 0.1 * 1.05])


@pytest.mark.parametrize("kind", KINDS)
def test_sgd_nesterov_by_hand(kind: str) -> None:
    # buffer 2 then 0.9 * 2 - 1 = 0.8; the step uses g + momentum * buffer
    seen = _two_steps(kind, lambda p: optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True))
    first = 1 - 0.1 * (2 + 0.9 * 2)
    assert seen == pytest.approx([first, first - 0.1 * (-1 + 0.9 * 0.8)])


def _adam_by_hand(
    grads: list[float], lr: float, b1: float, b2: float, eps: float, wd: float, decoupled: bool
) -> list[float]:
    p, m, v, seen = 1.0, 0.0, 0.0, []
    for t, g in enumerate(grads, start=1):
        if decoupled:
            p = p - lr * wd * p
        else:
            g = g + wd * p
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        m_hat, v_hat = m / (1 - b1**t), v / (1 - b2**t)
        p = p - lr * m_hat / (math.sqrt(v_hat) + eps)
        seen.append(p)
    return seen


@pytest.mark.parametrize("kind", KINDS)
def test_adam_first_two_steps_by_hand(kind: str) -> None:
    seen = _two_steps(kind, lambda p: optim.Adam(p, lr=0.1))
    # the first step moves by lr * sign(g) (bias correction makes m_hat = g, v_hat = g*g)
    assert seen[0] == pytest.approx(1 - 0.1 * 2 / (2 + 1e-8), rel=1e-12)
    # m = 0.9*0.2 - 0.1 = 0.08, v = 0.999*0.004 + 0.001 = 0.004996
    m_hat, v_hat = 0.08 / (1 - 0.9**2), 0.004996 / (1 - 0.999**2)
    assert seen[1] == pytest.approx(seen[0] - 0.1 * m_hat / (math.sqrt(v_hat) + 1e-8), rel=1e-12)
    wd = _two_steps(kind, lambda p: optim.Adam(p, lr=0.1, betas=(0.8, 0.9), weight_decay=0.3))
    assert wd == pytest.approx(_adam_by_hand([2.0, -1.0], 0.1, 0.8, 0.9, 1e-8, 0.3, False))


@pytest.mark.parametrize("kind", KINDS)
def test_adamw_decays_the_weights_directly_by_hand(kind: str) -> None:
    seen = _two_steps(kind, lambda p: optim.AdamW(p, lr=0.1, weight_decay=0.3))
    assert seen == pytest.approx(_adam_by_hand([2.0, -1.0], 0.1, 0.9, 0.999, 1e-8, 0.3, True))
    # the default decay is PyTorch's 1e-2
    assert optim.AdamW([_param(kind, 1.0)]).defaults["weight_decay"] == 0.01


@pytest.mark.parametrize("kind", KINDS)
def test_amsgrad_uses_the_largest_second_moment_by_hand(kind: str) -> None:
    p = _param(kind, 1.0)
    opt = optim.Adam([p], lr=0.1, betas=(0.5, 0.5), amsgrad=True)
    before = []
    for g in (4.0, 0.1, 0.1):
        before.append(_number(p))
        _set_grad(p, g)
        opt.step()
    # v: 8, 4.005, 2.0075; the running maximum stays at 8, and v_hat uses it
    m = 0.5 * (0.5 * 2.0 + 0.05) + 0.05
    v_hat = 8.0 / (1 - 0.5**3)
    expected = before[2] - 0.1 * (m / (1 - 0.5**3)) / (math.sqrt(v_hat) + 1e-8)
    assert _number(p) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("kind", KINDS)
def test_rmsprop_by_hand(kind: str) -> None:
    seen = _two_steps(kind, lambda p: optim.RMSprop(p, lr=0.01, alpha=0.9))
    s1, s2 = 0.1 * 4, 0.9 * 0.4 + 0.1 * 1
    first = 1 - 0.01 * 2 / (math.sqrt(s1) + 1e-8)
    assert seen == pytest.approx([first, first + 0.01 / (math.sqrt(s2) + 1e-8)], rel=1e-12)
    # centered, with momentum: the root of s - a*a, and a buffer of g / rms
    seen = _two_steps(
        kind, lambda p: optim.RMSprop(p, lr=0.01, alpha=0.9, centered=True, momentum=0.5)
    )
    a1, a2 = 0.1 * 2, 0.9 * 0.2 - 0.1
    b1 = 2 / (math.sqrt(s1 - a1 * a1) + 1e-8)
    b2 = 0.5 * b1 - 1 / (math.sqrt(s2 - a2 * a2) + 1e-8)
    assert seen == pytest.approx([1 - 0.01 * b1, 1 - 0.01 * b1 - 0.01 * b2], rel=1e-12)


@pytest.mark.parametrize("kind", KINDS)
def test_adagrad_by_hand(kind: str) -> None:
    make = lambda p: optim.Adagrad(p, lr=0.1, lr_decay=0.5, initial_accumulator_value=1.0)  # noqa: E731
    seen = _two_steps(kind, make)
    first = 1 - 0.1 * 2 / (math.sqrt(1 + 4) + 1e-10)
    # the second step's rate is lr / (1 + 1 * lr_decay)
    second = first - 0.1 / 1.5 * (-1) / (math.sqrt(1 + 4 + 1) + 1e-10)
    assert seen == pytest.approx([first, second], rel=1e-12)


# --- how parameters and gradients are treated -------------------------------------------------
@pytest.mark.parametrize("name", sorted(RICH))
def test_float32_parameters_keep_their_dtype_array_and_state(name: str) -> None:
    params = dagrad_params(np.float32)
    arrays = [p.data for p in params]
    opt = getattr(optim, name)(params, **RICH[name])
    train_dagrad(opt, params, steps=3)
    for p, array in zip(params, arrays):
        assert p.data is array  # updated in place, as PyTorch
        assert p.data.dtype == np.float32
        for key, entry in opt.state[p].items():
            if key == "step":
                assert entry == 3
            else:
                assert entry.dtype == np.float32 and entry.shape == p.shape, key
    reference = dagrad_params()
    train_dagrad(getattr(optim, name)(reference, **RICH[name]), reference, steps=3)
    for p, q in zip(params, reference):
        np.testing.assert_allclose(p.data, q.data, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("name", sorted(RICH))
def test_gradients_are_read_never_written(name: str) -> None:
    params = dagrad_params()
    grads = [np.full(p.shape, 0.25) for p in params]
    for p, g in zip(params, grads):
        p.grad = g
    opt = getattr(optim, name)(params, **RICH[name])
    opt.step()
    opt.step()
    for p, g in zip(params, grads):
        assert p.grad is not None and p.grad.data is g  # the same array, unchanged
        np.testing.assert_array_equal(g, 0.25)
        assert p.is_leaf and p._parents == ()


def test_parameters_without_a_gradient_are_skipped() -> None:
    used, unused = Tensor(np.ones(2), requires_grad=True), Tensor(np.ones(3), requires_grad=True)
    opt = optim.Adam([used, unused], lr=0.1)
    (used * used).sum().backward()
    opt.step()
    assert unused.grad is None
    np.testing.assert_array_equal(unused.data, 1.0)
    assert unused not in opt.state
    assert np.all(used.data < 1.0)


def test_a_value_with_zero_gradient_still_feels_momentum_and_decay() -> None:
    v = Value(1.0)
    opt = optim.SGD([v], lr=0.1, momentum=0.9, weight_decay=0.5)
    opt.step()  # gradient 0.0: only the decay term 0.5 * 1.0 acts
    assert v.data == pytest.approx(0.95)
    opt.step()  # buffer 0.9 * 0.5 + 0.5 * 0.95
    assert v.data == pytest.approx(0.95 - 0.1 * (0.45 + 0.475))


def test_zero_grad() -> None:
    t = Tensor(np.ones(3), requires_grad=True)
    untouched = Tensor(np.ones(2), requires_grad=True)
    v = Value(2.0)
    opt = optim.SGD([t, untouched, v], lr=0.1)
    ((t * t).sum() + Tensor(np.array(0.0)) * 0).backward()
    (v * v).backward()
    old = t.grad
    opt.zero_grad(set_to_none=False)
    np.testing.assert_array_equal(t.grad.data, 0.0)
    assert t.grad.data is old.data  # zeroed in place, as in PyTorch (and as Module.zero_grad)
    assert untouched.grad is None  # a missing gradient stays missing, as in PyTorch
    assert v.grad == 0.0 and type(v.grad) is float
    v.grad = 3.0
    opt.zero_grad()
    assert t.grad is None and v.grad == 0.0


def test_step_runs_the_closure_and_returns_its_loss() -> None:
    p = Tensor(np.array([3.0]), requires_grad=True)
    opt = optim.SGD([p], lr=0.25)
    calls = []

    def closure() -> Tensor:
        opt.zero_grad()
        loss = (p * p).sum()
        loss.backward()
        calls.append(loss.item())
        return loss

    loss = opt.step(closure)
    assert calls == [9.0] and loss.item() == 9.0
    np.testing.assert_allclose(p.data, [3.0 - 0.25 * 6.0])


def test_works_with_nn_parameters() -> None:
    nn = pytest.importorskip("nn")
    w = nn.Parameter(np.array([1.0, -2.0]))
    opt = optim.SGD([w], lr=0.5)
    (w * w).sum().backward()
    opt.step()
    np.testing.assert_allclose(w.data, [0.0, 0.0])


def test_add_param_group_and_repr() -> None:
    a, b = Tensor(np.ones(2), requires_grad=True), Value(1.0)
    opt = optim.SGD([a], lr=0.1, momentum=0.9)
    opt.add_param_group({"params": b, "lr": 0.01})
    assert [g["lr"] for g in opt.param_groups] == [0.1, 0.01]
    assert opt.param_groups[1]["momentum"] == 0.9  # filled in from the defaults
    assert opt.param_groups[1]["params"] == [b]
    text = repr(opt)
    assert text.startswith("SGD (") and "Parameter Group 1" in text and "lr: 0.01" in text


# --- in place: the same arrays, nothing allocated per step, the same numbers as before -------
# The update formulas as they were written before the updates went in place (functional: new
# arrays each step, copied back), kept here as the reference the in-place code must match bit
# for bit: it does the same operations in the same order.
def _reference_update(name: str, data: Any, grad: Any, state: dict[str, Any], group: Any) -> Any:
    if name == "SGD":
        momentum = group["momentum"]
        if group["weight_decay"] != 0:
            grad = grad + group["weight_decay"] * data
        if momentum != 0:
            buffer = state.get("momentum_buffer")
            if buffer is None:
                buffer = np.array(grad, copy=True)
            else:
                buffer = momentum * buffer + (1 - group["dampening"]) * grad
            state["momentum_buffer"] = buffer
            grad = grad + momentum * buffer if group["nesterov"] else buffer
        return data - group["lr"] * grad
    if name in ("Adam", "AdamW"):
        lr, eps, weight_decay = group["lr"], group["eps"], group["weight_decay"]
        beta1, beta2 = group["betas"]
        step = state["step"] = state.get("step", 0) + 1
        if weight_decay != 0:
            if name == "AdamW":
                data = data * (1 - lr * weight_decay)
            else:
                grad = grad + weight_decay * data
        exp_avg = state["exp_avg"] = beta1 * state.get("exp_avg", 0.0) + (1 - beta1) * grad
        exp_avg_sq = state["exp_avg_sq"] = beta2 * state.get("exp_avg_sq", 0.0) + (1 - beta2) * (
            grad * grad
        )
        if group["amsgrad"]:
            exp_avg_sq = state["max_exp_avg_sq"] = np.maximum(
                state.get("max_exp_avg_sq", 0.0), exp_avg_sq
            )
        denominator = np.sqrt(exp_avg_sq) / (1 - beta2**step) ** 0.5 + eps
        return data - lr / (1 - beta1**step) * (exp_avg / denominator)
    if name == "RMSprop":
        alpha, lr, momentum = group["alpha"], group["lr"], group["momentum"]
        if group["weight_decay"] != 0:
            grad = grad + group["weight_decay"] * data
        square_avg = state["square_avg"] = alpha * state.get("square_avg", 0.0) + (1 - alpha) * (
            grad * grad
        )
        if group["centered"]:
            grad_avg = state.get("grad_avg", 0.0)
            grad_avg = state["grad_avg"] = grad_avg + (1 - alpha) * (grad - grad_avg)
            rms = np.sqrt(square_avg - grad_avg * grad_avg) + group["eps"]
        else:
            rms = np.sqrt(square_avg) + group["eps"]
        if momentum > 0:
            buffer = momentum * state.get("momentum_buffer", 0.0) + grad / rms
            state["momentum_buffer"] = buffer
            return data - lr * buffer
        return data - lr * (grad / rms)
    assert name == "Adagrad"
    step = state["step"] = state.get("step", 0) + 1
    if group["weight_decay"] != 0:
        grad = grad + group["weight_decay"] * data
    step_size = group["lr"] / (1 + (step - 1) * group["lr_decay"])
    start = np.full_like(data, group["initial_accumulator_value"])
    total = state["sum"] = state.get("sum", start) + grad * grad
    return data - step_size * (grad / (np.sqrt(total) + group["eps"]))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(("name", "options"), CASES, ids=CASE_IDS)
def test_in_place_updates_equal_the_functional_formulas_bit_for_bit(
    name: str, options: dict[str, Any], dtype: Any
) -> None:
    params = dagrad_params(dtype)
    arrays = [p.data for p in params]
    opt = getattr(optim, name)(params, **options)
    group = opt.param_groups[0]
    expected = [p.data.copy() for p in params]
    states: list[dict[str, Any]] = [{} for _ in params]
    buffers: dict[tuple[int, str], Any] = {}
    for step in range(STEPS):
        for p in params:
            p.grad = _bumpy_gradient(p.data)
        grads = [_bumpy_gradient(e) for e in expected]
        opt.step()
        for i, g in enumerate(grads):
            new = _reference_update(name, expected[i], g, states[i], group)
            expected[i] = np.asarray(new, dtype=dtype)
        for i, p in enumerate(params):
            assert p.data is arrays[i]  # views and references the user holds stay valid
            np.testing.assert_array_equal(p.data, expected[i], err_msg=f"step {step}")
            for key, buffer in opt.state[p].items():
                if key != "step":  # each state buffer too stays one array, updated in place
                    assert buffers.setdefault((i, key), buffer) is buffer, key
    assert max(np.abs(p.data - w).max() for p, w in zip(params, INITIAL)) > 1e-3


@pytest.mark.parametrize(("name", "options"), CASES, ids=CASE_IDS)
def test_a_step_allocates_nothing_after_the_first(name: str, options: dict[str, Any]) -> None:
    big = Tensor(np.random.default_rng(0).normal(size=(300, 200)), requires_grad=True)
    small = Tensor(np.ones(7), requires_grad=True)
    opt = getattr(optim, name)([big, small], **options)
    big.grad, small.grad = _bumpy_gradient(big.data), _bumpy_gradient(small.data)
    opt.step()  # makes the state and the work arrays
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        opt.step()
        opt.step()
        extra = tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()
    assert extra < big.data.nbytes // 20  # Python objects only: not one parameter-sized array


def test_a_read_only_parameter_array_gets_an_array_of_its_own() -> None:
    shared = np.ones(3)
    p = Tensor(np.broadcast_to(shared, (2, 3)), requires_grad=True)
    opt = optim.SGD([p], lr=0.5)
    p.grad = np.ones((2, 3))
    opt.step()
    np.testing.assert_array_equal(p.data, 0.5)
    np.testing.assert_array_equal(shared, 1.0)


# --- state dicts -----------------------------------------------------------------------------
def _snapshot(params: list[Tensor]) -> list[Tensor]:
    return [Tensor(p.data.copy(), requires_grad=True) for p in params]


@pytest.mark.parametrize("name", sorted(RICH))
def test_resumed_optimizer_continues_exactly(name: str) -> None:
    params = dagrad_params()
    opt = getattr(optim, name)(params, **RICH[name])
    train_dagrad(opt, params, steps=5)
    saved, copies = opt.state_dict(), _snapshot(params)
    train_dagrad(opt, params, steps=5)
    resumed = getattr(optim, name)(copies, lr=123.0)  # options come back from the state dict
    resumed.load_state_dict(saved)
    for entry in saved["state"].values():  # the optimizer holds copies, not the dict's arrays
        for value in entry.values():
            if isinstance(value, np.ndarray):
                value[...] = 1e9
    assert resumed.param_groups[0]["lr"] == RICH[name]["lr"]
    train_dagrad(resumed, copies, steps=5)
    for p, q in zip(params, copies):
        np.testing.assert_array_equal(p.data, q.data)


def test_state_dict_layout_is_pytorchs() -> None:
    params = dagrad_params()
    opt = optim.Adam([{"params": params[:1]}, {"params": params[1:], "lr": 0.5}], lr=0.1)
    train_dagrad(opt, params, steps=2)
    saved = opt.state_dict()
    assert saved["param_groups"][0]["params"] == [0]
    assert saved["param_groups"][1]["params"] == [1, 2, 3]
    assert saved["param_groups"][1]["lr"] == 0.5
    assert saved["param_groups"][0]["betas"] == (0.9, 0.999)
    assert sorted(saved["state"]) == [0, 1, 2, 3]
    assert set(saved["state"][2]) == {"step", "exp_avg", "exp_avg_sq"}
    assert saved["state"][2]["step"] == 2
    exp_avg = saved["state"][2]["exp_avg"]
    assert exp_avg is not opt.state[params[2]]["exp_avg"]
    np.testing.assert_array_equal(exp_avg, opt.state[params[2]]["exp_avg"])


def test_resumed_value_optimizer_continues_exactly() -> None:
    def run(values: list[Value], opt: optim.Optimizer, steps: int) -> None:
        for _ in range(steps):
            opt.zero_grad()
            ((values[0] * values[1] - 1.0) ** 2 + values[1].tanh()).backward()
            opt.step()

    values = [Value(0.5), Value(-0.3)]
    opt = optim.RMSprop(values, **RICH["RMSprop"])
    run(values, opt, 4)
    saved, copies = opt.state_dict(), [Value(v.data) for v in values]
    run(values, opt, 4)
    resumed = optim.RMSprop(copies)
    resumed.load_state_dict(saved)
    assert all(type(x) is float for x in resumed.state[copies[0]].values() if x != 4)
    run(copies, resumed, 4)
    assert [v.data for v in copies] == [v.data for v in values]


def test_load_state_dict_casts_to_the_parameters_dtype() -> None:
    params = dagrad_params()
    opt = optim.Adam(params, lr=0.1)
    train_dagrad(opt, params, steps=2)
    narrow = dagrad_params(np.float32)
    resumed = optim.Adam(narrow, lr=0.1)
    resumed.load_state_dict(opt.state_dict())
    assert all(s["exp_avg"].dtype == np.float32 for s in resumed.state.values())


def _adam_with_state() -> tuple[optim.Adam, dict[str, Any]]:
    params = dagrad_params()
    opt = optim.Adam(params, lr=0.1)
    train_dagrad(opt, params, steps=1)
    return opt, opt.state_dict()


def _with_state(saved: dict[str, Any], index: int, key: str, value: Any) -> dict[str, Any]:
    state = {i: dict(entry) for i, entry in saved["state"].items()}
    state[index][key] = value
    return {"state": state, "param_groups": saved["param_groups"]}


LOAD_ERRORS: list[tuple[str, Callable[[dict[str, Any]], Any], str]] = [
    ("not a state dict", lambda s: {"state": {}}, "exactly the keys 'state' and 'param_groups'"),
    (
        "group count",
        lambda s: {"state": {}, "param_groups": s["param_groups"] * 2},
        "has 2 parameter groups, this optimizer has 1",
    ),
    (
        "group size",
        lambda s: {"state": {}, "param_groups": [{**s["param_groups"][0], "params": [0, 1]}]},
        "parameter group 0 has 2 parameters in the state dict but 4 in this optimizer",
    ),
    (
        "shape",
        lambda s: _with_state(s, 1, "exp_avg", np.zeros(5)),
        "parameter 1, state 'exp_avg': the state dict holds shape (5,) but the parameter has "
        "shape (4,)",
    ),
    ("step", lambda s: _with_state(s, 0, "step", 1.5), "expected a whole number of steps"),
    ("not numbers", lambda s: _with_state(s, 0, "exp_avg", "x"), "state 'exp_avg'"),
    (
        "orphan state",
        lambda s: {"state": {**s["state"], 9: {}}, "param_groups": s["param_groups"]},
        "state for parameter 9, which none of its parameter groups lists",
    ),
    (
        "another optimizer's state",
        lambda s: optim.SGD(dagrad_params()).state_dict(),
        "parameter group 0 has no options ['amsgrad', 'betas', 'eps']; is this the state of "
        "another kind of optimizer?",
    ),
    (
        "bad option",
        lambda s: {"state": {}, "param_groups": [{**s["param_groups"][0], "lr": -1.0}]},
        "lr must be >= 0, got -1.0 (loaded parameter group 0)",
    ),
]


@pytest.mark.parametrize(
    ("case", "corrupt", "message"), LOAD_ERRORS, ids=[case for case, _, _ in LOAD_ERRORS]
)
def test_load_state_dict_errors_leave_the_optimizer_unchanged(
    case: str, corrupt: Callable[[dict[str, Any]], Any], message: str
) -> None:
    opt, saved = _adam_with_state()
    before = opt.state_dict()
    with pytest.raises((ValueError, TypeError)) as info:
        opt.load_state_dict(corrupt(saved))
    assert message in str(info.value)
    assert str(info.value).startswith("Adam().load_state_dict(): ")
    after = opt.state_dict()
    assert after["param_groups"] == before["param_groups"]
    for i, entry in before["state"].items():
        for key, value in entry.items():
            np.testing.assert_array_equal(after["state"][i][key], value)


# --- bad arguments ---------------------------------------------------------------------------
def _p() -> Tensor:
    return Tensor(np.ones(2), requires_grad=True)


_shared = _p()
_other = _p()

CONSTRUCTION_ERRORS: list[tuple[Callable[[], Any], type[Exception], str]] = [
    (lambda: optim.SGD([_p()], lr=-0.1), ValueError, "SGD(): lr must be >= 0, got -0.1"),
    (lambda: optim.SGD([_p()], lr="0.1"), TypeError, "lr must be a real number, got str"),
    (lambda: optim.SGD([_p()], lr=float("nan")), ValueError, "lr must be a number, got nan"),
    (lambda: optim.SGD([_p()], lr=math.inf), ValueError, "SGD(): lr must be finite, got inf"),
    (lambda: optim.SGD([_p()], momentum=-0.5), ValueError, "momentum must be >= 0"),
    (lambda: optim.SGD([_p()], weight_decay=-1), ValueError, "weight_decay must be >= 0"),
    (lambda: optim.SGD([_p()], nesterov=1), TypeError, "nesterov must be True or False"),
    (
        lambda: optim.SGD([_p()], nesterov=True),
        ValueError,
        "nesterov=True needs momentum > 0 and dampening == 0, got momentum=0",
    ),
    (
        lambda: optim.SGD([_p()], momentum=0.9, dampening=0.1, nesterov=True),
        ValueError,
        "dampening=0.1",
    ),
    (lambda: optim.Adam([_p()], betas=(1.0, 0.999)), ValueError, "betas[0] must be in [0, 1)"),
    (lambda: optim.Adam([_p()], betas=(0.9, -0.1)), ValueError, "betas[1] must be in [0, 1)"),
    (lambda: optim.Adam([_p()], betas=0.9), TypeError, "betas must be a pair"),
    (lambda: optim.Adam([_p()], eps=-1e-8), ValueError, "Adam(): eps must be >= 0"),
    (lambda: optim.Adam([_p()], amsgrad="yes"), TypeError, "amsgrad must be True or False"),
    (lambda: optim.AdamW([_p()], weight_decay=-0.1), ValueError, "AdamW(): weight_decay"),
    (lambda: optim.RMSprop([_p()], alpha=-0.5), ValueError, "RMSprop(): alpha must be >= 0"),
    (lambda: optim.RMSprop([_p()], momentum=-1), ValueError, "momentum must be >= 0"),
    (lambda: optim.RMSprop([_p()], centered=None), TypeError, "centered must be True or False"),
    (lambda: optim.Adagrad([_p()], lr_decay=-1), ValueError, "Adagrad(): lr_decay must be >= 0"),
    (
        lambda: optim.Adagrad([_p()], initial_accumulator_value=-1),
        ValueError,
        "initial_accumulator_value must be >= 0",
    ),
    (lambda: optim.Adagrad([_p()], eps=-1.0), ValueError, "eps must be >= 0"),
    (lambda: optim.SGD([]), ValueError, "SGD(): got an empty parameter list"),
    (lambda: optim.SGD(_p()), TypeError, "got a Tensor; wrap it in a list"),
    (lambda: optim.SGD(5), TypeError, "params must be an iterable"),
    (lambda: optim.SGD({_p()}), TypeError, "params is a set"),
    (lambda: optim.SGD([_p(), 3.0]), TypeError, "parameter 1 is a float (3.0), not a Value"),
    (
        lambda: optim.SGD([_p(), Tensor(np.zeros(3))]),
        ValueError,
        "parameter 1 (Tensor of shape (3,) and dtype float64) does not require grad",
    ),
    (
        lambda: optim.SGD([Value(1.0, requires_grad=False)]),
        ValueError,
        "parameter 0 (Value(1.0)) does not require grad",
    ),
    (
        lambda: optim.SGD([_p(), _p() * _p()]),
        ValueError,
        "parameter 1 (Tensor of shape (2,) and dtype float64) is the result of the op '*'",
    ),
    (lambda: optim.Adam([Value(1.0).tanh()]), ValueError, "the result of the op 'tanh'"),
    (
        lambda: optim.SGD([_shared, _other, _shared]),
        ValueError,
        "parameter 2 (Tensor of shape (2,) and dtype float64) is the same object as parameter 0",
    ),
    (
        lambda: optim.SGD([{"params": [_shared]}, {"params": [_other, _shared]}]),
        ValueError,
        "parameter 2 (Tensor of shape (2,) and dtype float64) is the same object as parameter 0",
    ),
    (
        lambda: optim.SGD([{"params": [_p()]}, {"params": [_p()], "lr": -1}]),
        ValueError,
        "lr must be >= 0, got -1 (parameter group 1)",
    ),
    (lambda: optim.SGD([{"lr": 0.1}]), ValueError, "parameter group 0 has no 'params' entry"),
    (lambda: optim.SGD([{"params": []}]), ValueError, "parameter group 0 has no parameters"),
    (lambda: optim.SGD([{"params": {_p()}}]), TypeError, "params is a set"),
]


@pytest.mark.parametrize(
    ("make", "error", "message"),
    CONSTRUCTION_ERRORS,
    ids=[f"{i}-{message[:30]}" for i, (_, _, message) in enumerate(CONSTRUCTION_ERRORS)],
)
def test_bad_arguments(make: Callable[[], Any], error: type[Exception], message: str) -> None:
    with pytest.raises(error) as info:
        make()
    assert message in str(info.value)


@pytest.mark.parametrize("name", sorted(RICH))
def test_a_model_instead_of_its_parameters_says_pass_model_parameters(name: str) -> None:
    nn = pytest.importorskip("nn")
    for model in (nn.Sequential(nn.Linear(2, 3), nn.ReLU()), nn.Linear(2, 3)):
        for given in (model, [model], [{"params": model}]):
            with pytest.raises(TypeError) as info:
                getattr(optim, name)(given)
            message = str(info.value)
            assert "pass its parameters: model.parameters()" in message, given
            assert "wrap it in a list" not in message
        opt = getattr(optim, name)(model.parameters())  # what the message says works
        assert len(opt.param_groups[0]["params"]) == 2


def test_bad_gradients_at_step() -> None:
    # a .grad of the wrong shape, or not a number, is refused when assigned (as in PyTorch), so
    # step() never meets one
    p = _p()
    with pytest.raises(
        ValueError, match=r"assigned grad has shape \(3,\), but the tensor has shape \(2,\)"
    ):
        p.grad = np.zeros(3)
    with pytest.raises(TypeError, match=r"assigned grad must be .* got a str \('abc'\)"):
        p.grad = "abc"  # type: ignore[assignment]
    v = Value(1.0)
    with pytest.raises(TypeError, match=r"Value.grad must be a number .* got a NoneType"):
        v.grad = None  # type: ignore[assignment]
