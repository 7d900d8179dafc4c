"""MultiStepLR, ConstantLR, OneCycleLR, CosineAnnealingWarmRestarts, ReduceLROnPlateau and
SequentialLR against PyTorch 2.13, step by step (the learning rate, and the momentum OneCycleLR
cycles), through checkpoints (state_dict -> nn.save -> nn.load -> load_state_dict), and with
bad arguments."""

from __future__ import annotations

import io
import warnings
from typing import Any

import numpy as np
import pytest

import nn
import optim
from autograd import Tensor
from optim import lr_scheduler

torch = pytest.importorskip("torch")

BASE_LRS = [0.5, 0.03]  # two parameter groups


def _ours(kind: str = "SGD", **options: Any) -> Any:
    groups = [{"params": [Tensor(np.zeros(2), requires_grad=True)], "lr": lr} for lr in BASE_LRS]
    return getattr(optim, kind)(groups, **options)


def _theirs(kind: str = "SGD", **options: Any) -> Any:
    groups = [{"params": [torch.zeros(2, requires_grad=True)], "lr": lr} for lr in BASE_LRS]
    return getattr(torch.optim, kind)(groups, **options)


def _state(opt: Any) -> list[float]:
    """What a schedule sets in each group: lr, and momentum or beta1 (which OneCycleLR cycles)."""
    found = []
    for g in opt.param_groups:
        extra = g["betas"][0] if "betas" in g else g.get("momentum", 0.0)
        found += [float(g["lr"]), float(extra)]
    return found


def _make(lib: Any, opt: Any, name: str, kwargs: dict[str, Any]) -> Any:
    if name == "SequentialLR":
        inner = [getattr(lib, n)(opt, **k) for n, k in kwargs["schedulers"]]
        return lib.SequentialLR(opt, inner, milestones=kwargs["milestones"])
    return getattr(lib, name)(opt, **kwargs)


CASES: list[tuple[str, str, dict[str, Any], dict[str, Any]]] = [
    ("MultiStepLR", "SGD", {}, {"milestones": [3, 7, 7, 12], "gamma": 0.5}),
    ("ConstantLR", "SGD", {}, {"factor": 0.25, "total_iters": 4}),
    ("OneCycleLR", "SGD", {"momentum": 0.9}, {"max_lr": [1.0, 0.1], "total_steps": 30}),
    (
        "OneCycleLR",
        "Adam",
        {},
        {"max_lr": 0.01, "epochs": 3, "steps_per_epoch": 10, "anneal_strategy": "linear"},
    ),
    (
        "OneCycleLR",
        "SGD",
        {"momentum": 0.9},
        {"max_lr": 0.5, "total_steps": 30, "three_phase": True, "pct_start": 0.25},
    ),
    (
        "OneCycleLR",
        "SGD",
        {},
        {
            "max_lr": 0.5,
            "total_steps": 30,
            "cycle_momentum": False,
            "div_factor": 10.0,
            "final_div_factor": 100.0,
        },
    ),
    ("CosineAnnealingWarmRestarts", "SGD", {}, {"T_0": 5}),
    ("CosineAnnealingWarmRestarts", "SGD", {}, {"T_0": 3, "T_mult": 2, "eta_min": 0.001}),
    (
        "SequentialLR",
        "SGD",
        {},
        {
            "schedulers": [
                ("LinearLR", {"start_factor": 0.1, "total_iters": 5}),
                ("CosineAnnealingLR", {"T_max": 20}),
            ],
            "milestones": [5],
        },
    ),
    (
        "SequentialLR",
        "SGD",
        {},
        {
            "schedulers": [
                ("ConstantLR", {"factor": 0.1, "total_iters": 4}),
                ("ExponentialLR", {"gamma": 0.9}),
            ],
            "milestones": [6],
        },
    ),
    (
        "SequentialLR",
        "SGD",
        {},
        {
            "schedulers": [
                ("StepLR", {"step_size": 2}),
                ("MultiStepLR", {"milestones": [3, 4]}),
                ("LinearLR", {}),
            ],
            "milestones": [4, 9],
        },
    ),
]
IDS = [f"{c[0]}-{i}" for i, c in enumerate(CASES)]


def _steps(name: str, kwargs: dict[str, Any]) -> int:
    if name == "OneCycleLR":
        return kwargs.get("total_steps") or kwargs["epochs"] * kwargs["steps_per_epoch"]
    return 30


@pytest.mark.parametrize(("name", "kind", "options", "kwargs"), CASES, ids=IDS)
def test_each_step_matches_pytorch(
    name: str, kind: str, options: dict[str, Any], kwargs: dict[str, Any]
) -> None:
    ours_opt, theirs_opt = _ours(kind, **options), _theirs(kind, **options)
    ours, theirs = (
        _make(lr_scheduler, ours_opt, name, kwargs),
        _make(torch.optim.lr_scheduler, theirs_opt, name, kwargs),
    )
    assert _state(ours_opt) == pytest.approx(_state(theirs_opt), rel=1e-13), "at construction"
    for step in range(_steps(name, kwargs)):
        ours_opt.step()
        theirs_opt.step()
        ours.step()
        theirs.step()
        assert _state(ours_opt) == pytest.approx(_state(theirs_opt), rel=1e-12, abs=1e-15), (
            f"step {step}"
        )
        assert ours.get_last_lr() == pytest.approx(theirs.get_last_lr(), rel=1e-12, abs=1e-15)


@pytest.mark.parametrize(("name", "kind", "options", "kwargs"), CASES, ids=IDS)
def test_a_checkpointed_schedule_resumes_exactly(
    name: str, kind: str, options: dict[str, Any], kwargs: dict[str, Any]
) -> None:
    opt = _ours(kind, **options)
    sched = _make(lr_scheduler, opt, name, kwargs)
    steps = _steps(name, kwargs)
    expected = []
    for _ in range(steps):
        opt.step()
        sched.step()
        expected.append(_state(opt))
    opt = _ours(kind, **options)
    sched = _make(lr_scheduler, opt, name, kwargs)
    half = steps // 2
    for _ in range(half):
        opt.step()
        sched.step()
    buffer = io.BytesIO()
    nn.save({"optimizer": opt.state_dict(), "scheduler": sched.state_dict()}, buffer)
    buffer.seek(0)
    saved = nn.load(buffer)
    opt = _ours(kind, **options)
    sched = _make(lr_scheduler, opt, name, kwargs)  # a fresh schedule, as after a restart
    opt.load_state_dict(saved["optimizer"])
    sched.load_state_dict(saved["scheduler"])
    for step in range(half, steps):
        opt.step()
        sched.step()
        assert _state(opt) == expected[step], f"step {step}"


METRICS = [
    1.0,
    0.9,
    0.95,
    0.95,
    0.95,
    0.94,
    0.96,
    0.97,
    0.5,
    0.5,
    0.5,
    0.5,
    0.5,
    0.5,
    0.49999,
    0.6,
    0.7,
    0.8,
    0.9,
    1.0,
]


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"patience": 2},
        {"patience": 1, "factor": 0.5, "cooldown": 2, "min_lr": [0.1, 0.001]},
        {"mode": "max", "patience": 0, "threshold": 0.1, "threshold_mode": "abs"},
        {"patience": 1, "threshold_mode": "abs", "eps": 0.1},
    ],
    ids=str,
)
def test_reduce_on_plateau_matches_pytorch(kwargs: dict[str, Any]) -> None:
    ours_opt, theirs_opt = _ours(), _theirs()
    ours = lr_scheduler.ReduceLROnPlateau(ours_opt, **kwargs)
    theirs = torch.optim.lr_scheduler.ReduceLROnPlateau(theirs_opt, **kwargs)
    for epoch, metric in enumerate(METRICS * 2):
        ours.step(metric if epoch % 2 else Tensor(metric))  # a number or a one-element Tensor
        theirs.step(metric)
        assert _state(ours_opt) == _state(theirs_opt), f"epoch {epoch}"
        assert (ours.best, ours.num_bad_epochs, ours.cooldown_counter) == (
            theirs.best,
            theirs.num_bad_epochs,
            theirs.cooldown_counter,
        )
    state = ours.state_dict()
    fresh = lr_scheduler.ReduceLROnPlateau(_ours(), **kwargs)
    fresh.load_state_dict(state)
    assert fresh.best == ours.best and fresh.mode_worse == ours.mode_worse


def test_cosine_warm_restarts_take_fractional_epochs_as_pytorch() -> None:
    ours_opt, theirs_opt = _ours(), _theirs()
    ours = lr_scheduler.CosineAnnealingWarmRestarts(ours_opt, T_0=2, T_mult=3)
    theirs = torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(theirs_opt, T_0=2, T_mult=3)
    for epoch in range(10):
        for i in range(4):
            ours.step(epoch + i / 4)
            theirs.step(epoch + i / 4)
            assert _state(ours_opt) == pytest.approx(_state(theirs_opt), rel=1e-12)


def test_jumping_to_an_epoch_uses_the_closed_form_as_pytorch() -> None:
    for name, kwargs in [
        ("StepLR", {"step_size": 3}),
        ("MultiStepLR", {"milestones": [2, 5]}),
        ("ExponentialLR", {"gamma": 0.8}),
        ("CosineAnnealingLR", {"T_max": 10}),
        ("LinearLR", {}),
        ("ConstantLR", {}),
    ]:
        ours_opt, theirs_opt = _ours(), _theirs()
        ours = getattr(lr_scheduler, name)(ours_opt, **kwargs)
        theirs = getattr(torch.optim.lr_scheduler, name)(theirs_opt, **kwargs)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for epoch in (4, 7, 2):
                ours.step(epoch)
                theirs.step(epoch)
                assert _state(ours_opt) == pytest.approx(_state(theirs_opt), rel=1e-12), (
                    name,
                    epoch,
                )


def _step_times(scheduler: Any, count: int) -> None:
    for _ in range(count):
        scheduler.step()


BAD = [
    (
        "OneCycleLR without a length",
        lambda o: lr_scheduler.OneCycleLR(o, max_lr=0.1),
        ValueError,
        r"OneCycleLR\(\): you must define either total_steps OR \(epochs AND steps_per_epoch\)",
    ),
    (
        "OneCycleLR max_lr per group",
        lambda o: lr_scheduler.OneCycleLR(o, max_lr=[0.1], total_steps=5),
        ValueError,
        r"max_lr must have the same length as optimizer.param_groups",
    ),
    (
        "OneCycleLR anneal",
        lambda o: lr_scheduler.OneCycleLR(o, max_lr=0.1, total_steps=5, anneal_strategy="exp"),
        ValueError,
        r"anneal_strategy must be one of 'cos' or 'linear'",
    ),
    (
        "OneCycleLR past its end",
        lambda o: _step_times(lr_scheduler.OneCycleLR(o, 0.1, total_steps=1), 2),
        ValueError,
        r"tried to step 2 times; the specified number of total steps is 1",
    ),
    (
        "warm restarts T_0",
        lambda o: lr_scheduler.CosineAnnealingWarmRestarts(o, T_0=0),
        ValueError,
        r"CosineAnnealingWarmRestarts\(\): T_0 must be >= 1, got 0",
    ),
    (
        "warm restarts T_mult",
        lambda o: lr_scheduler.CosineAnnealingWarmRestarts(o, T_0=2, T_mult=1.5),
        TypeError,
        r"T_mult must be an integer",
    ),
    (
        "plateau factor",
        lambda o: lr_scheduler.ReduceLROnPlateau(o, factor=1.0),
        ValueError,
        r"ReduceLROnPlateau\(\): factor should be < 1.0",
    ),
    (
        "plateau mode",
        lambda o: lr_scheduler.ReduceLROnPlateau(o, mode="lowest"),
        ValueError,
        r"mode must be 'min' or 'max', got 'lowest'",
    ),
    (
        "plateau without a metric",
        lambda o: lr_scheduler.ReduceLROnPlateau(o).step(),
        TypeError,
        r"ReduceLROnPlateau\(\).step\(\) needs the metric it watches",
    ),
    (
        "plateau min_lr per group",
        lambda o: lr_scheduler.ReduceLROnPlateau(o, min_lr=[0.1]),
        ValueError,
        r"expected 2 min_lrs, got 1",
    ),
    (
        "sequential milestones",
        lambda o: lr_scheduler.SequentialLR(
            o, [lr_scheduler.ConstantLR(o), lr_scheduler.ExponentialLR(o, 0.9)], milestones=[]
        ),
        ValueError,
        r"expects one more scheduler than milestones, but got 2 schedulers and 0 milestones",
    ),
    (
        "sequential with a plateau",
        lambda o: lr_scheduler.SequentialLR(o, [lr_scheduler.ReduceLROnPlateau(o)], milestones=[]),
        ValueError,
        r"does not support ReduceLROnPlateau",
    ),
    (
        "sequential of another optimizer",
        lambda o: lr_scheduler.SequentialLR(o, [lr_scheduler.ConstantLR(_ours())], milestones=[]),
        ValueError,
        r"expects all schedulers to belong to the same optimizer",
    ),
    (
        "multistep milestones",
        lambda o: lr_scheduler.MultiStepLR(o, milestones=5),
        TypeError,
        r"MultiStepLR\(\): milestones must be a list of epochs, got 5",
    ),
    (
        "constant factor",
        lambda o: lr_scheduler.ConstantLR(o, factor=2.0),
        ValueError,
        r"ConstantLR\(\): factor must be in \[0, 1\], got 2.0",
    ),
    (
        "one cycle without momentum",
        lambda o: lr_scheduler.OneCycleLR(
            optim.Adagrad([Tensor(np.zeros(1), requires_grad=True)]), 0.1, total_steps=3
        ),
        ValueError,
        r"optimizer must support momentum or beta1",
    ),
]


@pytest.mark.parametrize(("what", "make", "error", "message"), BAD, ids=[b[0] for b in BAD])
def test_bad_arguments_are_named(what: str, make: Any, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        make(_ours())


def test_missing_pytorch_schedules_say_so() -> None:
    with pytest.raises(
        AttributeError, match=r"torch\.optim\.lr_scheduler\.CyclicLR is not available"
    ):
        lr_scheduler.CyclicLR  # noqa: B018
