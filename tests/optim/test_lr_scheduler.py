"""Learning-rate schedules: PyTorch's numbers over 50 steps, the closed forms written out,
chaining, the effect on the parameters, state dicts, errors."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import optim
from autograd import Tensor, Value
from optim import lr_scheduler

STEPS = 50
BASE_LRS = [0.5, 0.03]  # two parameter groups, so per-group handling is exercised


def _halve_every_ten(epoch: int) -> float:
    return 0.5 ** (epoch // 10)


# (scheduler class name, its arguments); the same names and arguments as torch's
CASES: list[tuple[str, dict[str, Any]]] = [
    ("StepLR", {"step_size": 7}),
    ("StepLR", {"step_size": 3, "gamma": 0.5}),
    ("ExponentialLR", {"gamma": 0.9}),
    ("CosineAnnealingLR", {"T_max": 50}),
    ("CosineAnnealingLR", {"T_max": 10, "eta_min": 0.01}),  # past T_max it rises again
    ("LinearLR", {}),
    ("LinearLR", {"start_factor": 0.1, "end_factor": 1.0, "total_iters": 20}),
    ("LinearLR", {"start_factor": 1.0, "end_factor": 0.25, "total_iters": 30}),
    ("LambdaLR", {"lr_lambda": _halve_every_ten}),
    ("LambdaLR", {"lr_lambda": [_halve_every_ten, lambda epoch: 1 / (1 + epoch)]}),
]
CASE_IDS = [f"{name}-{i}" for i, (name, _) in enumerate(CASES)]


def _optimizer() -> optim.SGD:
    groups = [{"params": [Tensor(np.zeros(2), requires_grad=True)], "lr": lr} for lr in BASE_LRS]
    return optim.SGD(groups)


def _schedule(scheduler: Any, optimizer: Any, steps: int = STEPS) -> list[list[float]]:
    """The learning rates at construction and after each step (optimizer first, as in PyTorch)."""
    seen = [scheduler.get_last_lr()]
    for _ in range(steps):
        optimizer.step()
        scheduler.step()
        seen.append(scheduler.get_last_lr())
        assert seen[-1] == [group["lr"] for group in optimizer.param_groups]
    return seen


@pytest.mark.parametrize(("name", "kwargs"), CASES, ids=CASE_IDS)
def test_learning_rates_match_torch(name: str, kwargs: dict[str, Any]) -> None:
    torch = pytest.importorskip("torch", reason="torch is the oracle for these schedules")
    opt = _optimizer()
    mine = _schedule(getattr(lr_scheduler, name)(opt, **kwargs), opt)
    groups = [{"params": [torch.zeros(2, requires_grad=True)], "lr": lr} for lr in BASE_LRS]
    topt = torch.optim.SGD(groups)
    theirs = _schedule(getattr(torch.optim.lr_scheduler, name)(topt, **kwargs), topt)
    assert len(set(map(tuple, mine))) > 1  # the schedule does change the rate
    np.testing.assert_allclose(mine, theirs, rtol=1e-12, atol=0)


def test_chained_schedules_match_torch() -> None:
    """Warm-up and exponential decay on one optimizer compose (both change the current lr)."""
    torch = pytest.importorskip("torch", reason="torch is the oracle for these schedules")

    def run(module: Any, opt: Any) -> list[list[float]]:
        warmup = module.LinearLR(opt, start_factor=0.2, total_iters=5)
        decay = module.ExponentialLR(opt, gamma=0.95)
        seen = []
        for _ in range(STEPS):
            opt.step()
            warmup.step()
            decay.step()
            seen.append([group["lr"] for group in opt.param_groups])
        return seen

    groups = [{"params": [torch.zeros(2, requires_grad=True)], "lr": lr} for lr in BASE_LRS]
    expected = run(torch.optim.lr_scheduler, torch.optim.SGD(groups))
    np.testing.assert_allclose(run(lr_scheduler, _optimizer()), expected, rtol=1e-12, atol=0)


# --- the closed forms, written out (these run with or without torch) -------------------------
def _closed_form_cases() -> list[tuple[str, dict[str, Any], Callable[[float, int], float]]]:
    return [
        ("StepLR", {"step_size": 3, "gamma": 0.5}, lambda base, t: base * 0.5 ** (t // 3)),
        ("ExponentialLR", {"gamma": 0.9}, lambda base, t: base * 0.9**t),
        (
            "CosineAnnealingLR",
            {"T_max": 10, "eta_min": 0.01},
            lambda base, t: 0.01 + (base - 0.01) * (1 + math.cos(math.pi * t / 10)) / 2,
        ),
        (
            "LinearLR",
            {"start_factor": 0.1, "end_factor": 0.9, "total_iters": 20},
            lambda base, t: base * (0.1 + 0.8 * min(t, 20) / 20),
        ),
        ("LambdaLR", {"lr_lambda": _halve_every_ten}, lambda base, t: base * 0.5 ** (t // 10)),
    ]


@pytest.mark.parametrize(
    ("name", "kwargs", "formula"),
    _closed_form_cases(),
    ids=[case[0] for case in _closed_form_cases()],
)
def test_learning_rates_follow_the_closed_form(
    name: str, kwargs: dict[str, Any], formula: Callable[[float, int], float]
) -> None:
    opt = _optimizer()
    seen = _schedule(getattr(lr_scheduler, name)(opt, **kwargs), opt)
    expected = [[formula(base, t) for base in BASE_LRS] for t in range(STEPS + 1)]
    np.testing.assert_allclose(seen, expected, rtol=1e-12, atol=1e-15)


def test_linear_warm_up_applies_from_construction() -> None:
    opt = _optimizer()
    lr_scheduler.LinearLR(opt, start_factor=0.25, total_iters=4)
    assert [group["lr"] for group in opt.param_groups] == [0.125, 0.0075]
    assert [group["initial_lr"] for group in opt.param_groups] == BASE_LRS


@pytest.mark.parametrize("kind", ["tensor", "value"])
def test_the_optimizer_steps_with_the_scheduled_rate(kind: str) -> None:
    p: Any = Value(0.0) if kind == "value" else Tensor(np.zeros(1), requires_grad=True)
    opt = optim.SGD([p], lr=1.0)
    sched = lr_scheduler.StepLR(opt, step_size=2, gamma=0.1)
    for _ in range(5):  # rates 1, 1, 0.1, 0.1, 0.01 with gradient 1 each time
        p.grad = 1.0 if kind == "value" else np.ones(1)
        opt.step()
        sched.step()
    moved = p.data if kind == "value" else float(p.data[0])
    assert moved == pytest.approx(-(1 + 1 + 0.1 + 0.1 + 0.01))


# --- state dicts -----------------------------------------------------------------------------
class Warmup:
    """A callable object: its attributes travel in LambdaLR's state dict (a function cannot)."""

    def __init__(self, length: int) -> None:
        self.length = length

    def __call__(self, epoch: int) -> float:
        return min(1.0, (epoch + 1) / self.length)


@pytest.mark.parametrize(
    "make",
    [
        lambda opt: lr_scheduler.StepLR(opt, step_size=4, gamma=0.5),
        lambda opt: lr_scheduler.CosineAnnealingLR(opt, T_max=12, eta_min=0.001),
        lambda opt: lr_scheduler.LinearLR(opt, start_factor=0.1, total_iters=15),
        lambda opt: lr_scheduler.LambdaLR(opt, Warmup(20)),
    ],
    ids=["StepLR", "CosineAnnealingLR", "LinearLR", "LambdaLR"],
)
def test_a_resumed_schedule_continues_exactly(make: Callable[[Any], Any]) -> None:
    opt = _optimizer()
    sched = make(opt)
    _schedule(sched, opt, steps=9)
    saved_opt, saved_sched = opt.state_dict(), sched.state_dict()
    assert "optimizer" not in saved_sched and saved_sched["last_epoch"] == 9
    rest = _schedule(sched, opt, steps=10)
    new_opt = _optimizer()
    new_sched = make(new_opt)
    if isinstance(new_sched, lr_scheduler.LambdaLR):
        new_sched.lr_lambdas[0].length = 3  # overwritten by the saved attributes
    new_opt.load_state_dict(saved_opt)
    new_sched.load_state_dict(saved_sched)
    assert _schedule(new_sched, new_opt, steps=10) == rest


def test_lambda_state_dict_keeps_no_functions() -> None:
    opt = _optimizer()
    sched = lr_scheduler.LambdaLR(opt, [_halve_every_ten, Warmup(7)])
    assert sched.state_dict()["lr_lambdas"] == [None, {"length": 7}]


def test_resuming_with_last_epoch() -> None:
    """As PyTorch: the constructor's step advances last_epoch and keeps the current rates; the
    schedule then continues from them."""
    opt = _optimizer()
    sched = lr_scheduler.ExponentialLR(opt, gamma=0.5)
    _schedule(sched, opt, steps=3)
    resumed = lr_scheduler.ExponentialLR(opt, gamma=0.5, last_epoch=3)
    assert resumed.last_epoch == 4
    assert resumed.get_last_lr() == pytest.approx([lr * 0.5**3 for lr in BASE_LRS])
    resumed.step()
    assert resumed.get_last_lr() == pytest.approx([lr * 0.5**4 for lr in BASE_LRS])


# --- bad arguments ---------------------------------------------------------------------------
ERRORS: list[tuple[Callable[[Any], Any], type[Exception], str]] = [
    (lambda o: lr_scheduler.StepLR(o, 0), ValueError, "StepLR(): step_size must be >= 1, got 0"),
    (lambda o: lr_scheduler.StepLR(o, 2.5), TypeError, "step_size must be an integer, got float"),
    (lambda o: lr_scheduler.StepLR(o, 2, gamma=0), ValueError, "gamma must be > 0, got 0"),
    (lambda o: lr_scheduler.StepLR("sgd", 2), TypeError, "expected an optimizer, got a str"),
    (lambda o: lr_scheduler.ExponentialLR(o, -0.5), ValueError, "ExponentialLR(): gamma"),
    (lambda o: lr_scheduler.CosineAnnealingLR(o, 0), ValueError, "T_max must be >= 1, got 0"),
    (lambda o: lr_scheduler.CosineAnnealingLR(o, 5, eta_min=-1), ValueError, "eta_min"),
    (lambda o: lr_scheduler.LinearLR(o, start_factor=0), ValueError, "start_factor must be in"),
    (lambda o: lr_scheduler.LinearLR(o, start_factor=1.5), ValueError, "(0, 1], got 1.5"),
    (lambda o: lr_scheduler.LinearLR(o, end_factor=-0.1), ValueError, "end_factor must be in"),
    (lambda o: lr_scheduler.LinearLR(o, total_iters=0), ValueError, "total_iters must be >= 1"),
    (
        lambda o: lr_scheduler.LambdaLR(o, [_halve_every_ten]),
        ValueError,
        "got 1 lr_lambda functions for 2 parameter groups",
    ),
    (lambda o: lr_scheduler.LambdaLR(o, 0.5), TypeError, "lr_lambda 0 is a float, not a function"),
    (
        lambda o: _schedule(
            lr_scheduler.LambdaLR(o, lambda epoch: math.nan if epoch == 3 else 1.0), o
        ),
        ValueError,
        "LambdaLR(): the factor lr_lambda 0 returned for epoch 3 must be a number, got nan",
    ),
    (
        lambda o: lr_scheduler.LambdaLR(o, lambda epoch: "x"),
        TypeError,
        "the factor lr_lambda 0 returned for epoch 0 must be a real number, got str ('x')",
    ),
    (lambda o: lr_scheduler.LambdaLR(o, lambda epoch: -1), ValueError, "must be >= 0, got -1"),
    (
        lambda o: lr_scheduler.StepLR(o, 2, last_epoch=5),
        ValueError,
        "parameter group 0 has no 'initial_lr'",
    ),
    (lambda o: lr_scheduler.StepLR(o, 2, last_epoch=-2), ValueError, "last_epoch must be >= -1"),
    (
        lambda o: lr_scheduler.StepLR(o, 2).load_state_dict({"T_max": 3}),
        ValueError,
        "StepLR().load_state_dict(): unknown keys ['T_max']",
    ),
]


@pytest.mark.parametrize(
    ("make", "error", "message"),
    ERRORS,
    ids=[f"{i}-{message[:30]}" for i, (_, _, message) in enumerate(ERRORS)],
)
def test_bad_arguments(make: Callable[[Any], Any], error: type[Exception], message: str) -> None:
    with pytest.raises(error) as info:
        make(_optimizer())
    assert message in str(info.value)
