"""T1-T4 on the tensor engines: gradients checked against the NumPy floor, then all engines
timed taking turns (timing.measure_interleaved).

Also imported by the HIPS autograd adapter inside its own venv, so: NumPy only.
"""

from __future__ import annotations

from functools import partial
from types import ModuleType
from typing import Any

import numpy as np

from .plans import Plan
from .records import Record, from_timings, relative_error, timed
from .timing import Timing, measure, measure_interleaved
from .workloads import (
    DIGITS,
    LARGE,
    Dataset,
    batches,
    he_init,
    matmul_flops,
    random_batch,
    tiny_input,
    tiny_ops,
)

# float64 models: engines and floor differ only in the order of additions
TENSOR_RTOL = 1e-9

Engines = dict[str, ModuleType]


def labels(engines: Engines) -> dict[str, str]:
    return {name: f"{e.LABEL} {e.version()}" for name, e in engines.items()}


def check_gradients(engine: ModuleType, floor: ModuleType, data: Dataset) -> dict[str, float]:
    """Relative gradient error against the floor: the T1 model on one float64 batch (T2 runs
    the same code), and a float64 T3 chain."""
    weights = he_init(DIGITS.sizes, "float64")
    x, y = data.x_train[:32], data.y_train[:32]
    got_model = engine.MLP(weights, DIGITS.lr, DIGITS.momentum)
    want_model = floor.MLP(weights, DIGITS.lr, DIGITS.momentum)
    got_loss, got = got_model.loss_and_grads(got_model.prepare(x, y))
    want_loss, want = want_model.loss_and_grads(want_model.prepare(x, y))
    errors = {"T1": relative_error([[got_loss], *got], [[want_loss], *want])}
    errors["T2"] = errors["T1"]
    x0, ops = tiny_input(dtype="float64"), tiny_ops(60)
    errors["T3"] = relative_error([engine.tiny_chain(x0, ops)], [floor.tiny_chain(x0, ops)])
    return errors


class _EpochRunner:
    """One engine's T1 training: each call trains one epoch."""

    def __init__(self, engine: ModuleType, dtype: str, train: list[tuple[Any, Any]]) -> None:
        self.model = engine.MLP(he_init(DIGITS.sizes, dtype), DIGITS.lr, DIGITS.momentum)
        self.batches = [self.model.prepare(x, y) for x, y in train]
        self.losses: list[float] = []

    def __call__(self, _: Any) -> None:
        for batch in self.batches:
            loss = self.model.step(batch)
        self.losses.append(loss)


def t1_case(engines: Engines, plan: Plan, data: Dataset, dtype: str) -> list[Record]:
    """Train the digits MLP for plan.t1_epochs epochs (every other one timed) in ``dtype``."""
    d = data.astype(dtype)
    limit = plan.t1_train_limit or len(d.x_train)
    train = batches(d.x_train[:limit], d.y_train[:limit], DIGITS.batch)
    runners = {name: _EpochRunner(e, dtype, train) for name, e in engines.items()}
    # each turn trains an untimed epoch, then a timed one: plan.t1_epochs epochs in all
    timings = measure_interleaved(runners, warmup=0, repeats=max(plan.t1_epochs // 2, 1), settle=1)

    def extra(name: str, _: Timing) -> dict[str, Any]:
        r = runners[name]
        accuracy = float(np.mean(r.model.predict(d.x_test) == d.y_test))
        return {
            "test_accuracy": accuracy,
            "final_loss": r.losses[-1],
            "epochs": len(r.losses),
            "steps_per_epoch": len(train),
        }

    return from_timings("T1", dtype, labels(engines), timings, "ms/epoch", 1e3, extra=extra)


def t2_case(engines: Engines, plan: Plan, size: int) -> list[Record]:
    """One training step of 784-512-512-10 in float32, repeated on one random batch."""
    weights = he_init(LARGE.sizes, "float32")
    data = random_batch(LARGE.sizes, size, "float32")
    runs = {}
    for name, e in engines.items():
        model = e.MLP(weights, LARGE.lr, LARGE.momentum)
        batch = model.prepare(*data)
        runs[name] = lambda _, model=model, batch=batch: model.step(batch)
    repeats = plan.t2_repeats if size <= 128 else max(plan.t2_repeats // 2, 2)
    timings = measure_interleaved(runs, warmup=1, repeats=repeats, settle=1)

    def extra(_: str, timing: Timing) -> dict[str, Any]:
        return {"gflops": LARGE.step_flops(size) / timing.median / 1e9}

    return from_timings("T2", f"b{size}", labels(engines), timings, "ms/step", 1e3, extra=extra)


def t3_case(engines: Engines, plan: Plan) -> list[Record]:
    """A chain of tiny elementwise ops on 10 float32 numbers, forward and backward."""
    x0, ops = tiny_input(), tiny_ops(plan.t3_ops)
    runs = {name: (lambda _, e=e: e.tiny_chain(x0, ops)) for name, e in engines.items()}
    timings = measure_interleaved(runs, warmup=1, repeats=plan.t3_repeats, settle=1)
    return from_timings(
        "T3", f"{plan.t3_ops} ops", labels(engines), timings, "us/op", 1e6, per=plan.t3_ops
    )


def _matmul(a: np.ndarray, b: np.ndarray, _: Any) -> None:
    a @ b


def run_t4(plan: Plan) -> list[Record]:
    """The ceiling: NumPy's own matmul, the most a tensor engine could reach."""
    records = []
    rng = np.random.default_rng(3)
    for dtype in ("float32", "float64"):
        for n in plan.t4_sizes:
            a = rng.standard_normal((n, n)).astype(dtype)
            b = rng.standard_normal((n, n)).astype(dtype)
            timing = measure(partial(_matmul, a, b), warmup=1, repeats=plan.t4_repeats)
            records.append(
                timed(
                    "T4",
                    f"{dtype} n={n}",
                    "numpy_matmul",
                    f"NumPy {np.__version__} matmul",
                    "ms",
                    1e3,
                    timing,
                    gflops=matmul_flops(n) / timing.median / 1e9,
                )
            )
    return records


def run(
    engines: Engines, floor_name: str, plan: Plan, data: Dataset, workloads: set[str]
) -> list[Record]:
    """Every selected tensor workload (T1-T3) on every engine (the floor among them), each
    record tagged with its engine's gradient check against the floor."""
    floor = engines[floor_name]
    errors = {name: check_gradients(e, floor, data) for name, e in engines.items()}
    records: list[Record] = []
    if "T1" in workloads:
        records += t1_case(engines, plan, data, "float32")
        records += t1_case(engines, plan, data, "float64")
    if "T2" in workloads:
        for size in plan.t2_batches:
            records += t2_case(engines, plan, size)
    if "T3" in workloads:
        records += t3_case(engines, plan)
    for r in records:
        err = errors[r.engine][r.workload]
        r.extra["grad_rel_error"] = err
        r.extra["grads_match_floor"] = err <= TENSOR_RTOL
        thread_counts = getattr(engines[r.engine], "thread_counts", None)
        if thread_counts is not None:
            r.extra.update(thread_counts())
    return records
