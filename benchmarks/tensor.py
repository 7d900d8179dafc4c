"""T1-T5 on the tensor engines, written once against the engines' ``trainer`` and
``tiny_chain``: gradients checked against the NumPy floor, then the engines timed taking turns.
T4 is NumPy's own matmul, the ceiling. NumPy only: the HIPS autograd subprocess runs this too.

A trainer has ``loader(x, y)`` (one epoch's batches), ``prepare(x, y)`` (one batch),
``step(batch) -> loss``, ``grads(batch) -> (loss, gradients)`` and ``predict(x)``.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import numpy as np

from .plans import Plan
from .records import Record, record, relative_error
from .timing import measure, measure_interleaved
from .workloads import (
    CNN,
    DIGITS,
    LARGE,
    LARGE_ADAM,
    Dataset,
    Net,
    cnn_init,
    he_init,
    random_batch,
    tiny_input,
    tiny_ops,
)

RTOL = 1e-9  # float64 models: engines and the floor differ only in the order of additions
WORKLOADS = ("T1", "T2", "T2-Adam", "T3", "T5")


def _compare(engine: Any, floor: Any, net: Net, weights: list, x: Any, y: Any) -> float:
    got, want = engine.trainer(net, weights, "float64"), floor.trainer(net, weights, "float64")
    (gl, gg), (wl, wg) = got.grads(got.prepare(x, y)), want.grads(want.prepare(x, y))
    return relative_error([[gl], *gg], [[wl], *wg])


def check(engine: Any, floor: Any, data: Dataset) -> dict[str, float]:
    """Relative error of loss and gradients against the floor in float64: the T1 model on 32
    digits (T2 and T2-Adam run the same model code), a T3 chain, T5's CNN on 4 images."""
    ran = [w for w in engine.workloads if not _missing(engine, w)]
    out = {}
    if {"T1", "T2", "T2-Adam"} & set(ran):
        err = _compare(engine, floor, DIGITS, he_init(DIGITS.sizes, "float64"), *_rows(data, 32))
        out.update({"T1": err, "T2": err, "T2-Adam": err})
    if "T3" in ran:
        x0, ops = tiny_input("float64"), tiny_ops(60)
        out["T3"] = relative_error([engine.tiny_chain(x0, ops)], [floor.tiny_chain(x0, ops)])
    if "T5" in ran:
        x, y = random_batch(CNN.sizes, 10, 4, "float64")
        out["T5"] = _compare(engine, floor, CNN, cnn_init("float64"), x, y)
    return out


def _rows(data: Dataset, n: int) -> tuple[np.ndarray, np.ndarray]:
    return data.x_train[:n], data.y_train[:n]


def _missing(engine: Any, workload: str) -> str | None:
    return getattr(engine, "missing", lambda _: None)(workload)


class _Epochs:
    """One engine's T1 trainings: each call trains one epoch over the engine's own loader; after
    ``epochs`` of them the next call starts a fresh training from the same initial weights."""

    def __init__(self, engine: Any, dtype: str, x: np.ndarray, y: np.ndarray, epochs: int) -> None:
        self.engine, self.dtype, self.x, self.y, self.epochs = engine, dtype, x, y, epochs
        self.losses = list[float]()
        self._start()

    def _start(self) -> None:
        self.trainer = self.engine.trainer(DIGITS, he_init(DIGITS.sizes, self.dtype), self.dtype)
        self.batches, self.done = self.trainer.loader(self.x, self.y), 0

    def __call__(self, _: Any) -> None:
        if self.done == self.epochs:  # (an untimed call: each turn's first epoch settles)
            self._start()
        for batch in self.batches:
            loss = self.trainer.step(batch)
        self.done += 1
        if self.done == self.epochs:
            self.losses.append(loss)  # the training's final loss


def t1(engines: dict[str, Any], plan: Plan, data: Dataset, dtype: str) -> list[Record]:
    """The digits MLP trained plan.t1_epochs epochs, plan.t1_trainings times over: each turn an
    untimed epoch, then a timed one. Accuracy and loss are the last training's."""
    d, limit, epochs = data.astype(dtype), plan.t1_train_limit, plan.t1_epochs
    runs = {
        n: _Epochs(e, dtype, d.x_train[:limit], d.y_train[:limit], epochs)
        for n, e in engines.items()
    }
    turns = max(epochs // 2, 1) * plan.t1_trainings
    times = measure_interleaved(runs, warmup=0, repeats=turns, settle=1)
    out = []
    for name, r in runs.items():
        accuracy = float(np.mean(r.trainer.predict(d.x_test) == d.y_test))
        extra = {"test_accuracy": accuracy, "final_loss": r.losses[-1] if r.losses else None}
        out.append(
            record(("T1", dtype, "ms/epoch", 1e3, 1), name, engines[name], times[name], **extra)
        )
    return out


def steps(engines: dict[str, Any], plan: Plan, workload: str, net: Net, size: int) -> list[Record]:
    """T2, T2-Adam, T5: one training step, repeated on one random float32 batch."""
    if net is CNN:
        weights, data = cnn_init("float32"), random_batch(CNN.sizes, 10, size, "float32")
    else:
        weights, data = (
            he_init(net.sizes, "float32"),
            random_batch(net.sizes[:1], 10, size, "float32"),
        )
    runs = {}
    for name, e in engines.items():
        trainer = e.trainer(net, weights, "float32")
        batch = trainer.prepare(*data)
        runs[name] = lambda _, t=trainer, b=batch: t.step(b)
    repeats = plan.t2_repeats if size <= 128 else max(plan.t2_repeats // 2, 2)
    times = measure_interleaved(runs, warmup=1, repeats=repeats, settle=1)
    out = []
    for name in engines:
        extra, timed = {}, times[name]
        if isinstance(timed, list) and net is not CNN:
            extra["gflops"] = net.step_flops(size) / float(np.median(timed)) / 1e9
        out.append(
            record(
                (workload, f"b{size}", "ms/step", 1e3, 1), name, engines[name], times[name], **extra
            )
        )
    return out


def t3(engines: dict[str, Any], plan: Plan) -> list[Record]:
    """A chain of tiny elementwise ops on 10 float32 numbers, forward and backward, per op."""
    x0, ops = tiny_input(), tiny_ops(plan.t3_ops)
    runs = {name: (lambda _, e=e: e.tiny_chain(x0, ops)) for name, e in engines.items()}
    times = measure_interleaved(runs, warmup=1, repeats=plan.t3_repeats, settle=1)
    case = ("T3", f"{plan.t3_ops} ops", "us/op", 1e6, plan.t3_ops)
    return [record(case, name, e, times[name]) for name, e in engines.items()]


def _matmul(a: np.ndarray, b: np.ndarray, _: Any) -> None:
    a @ b


def t4(plan: Plan) -> list[Record]:
    """The ceiling: NumPy's own matmul, the most a tensor engine could reach."""
    out, rng = [], np.random.default_rng(3)
    for dtype in ("float32", "float64"):
        for n in plan.t4_sizes:
            a, b = (rng.standard_normal((n, n)).astype(dtype) for _ in range(2))
            times = measure(partial(_matmul, a, b), warmup=1, repeats=plan.t4_repeats)
            gflops = 2 * n**3 / float(np.median(times)) / 1e9
            label = f"NumPy {np.__version__} matmul"
            out.append(
                record(
                    ("T4", f"{dtype} n={n}", "ms", 1e3, 1),
                    "numpy_matmul",
                    label,
                    times,
                    gflops=gflops,
                )
            )
    return out


def run(engines: dict[str, Any], plan: Plan, data: Dataset, workloads: set[str]) -> list[Record]:
    """Every selected workload (T1-T5) on every engine that runs it, the floor among them;
    an engine that cannot run one (dagrad before nn.Conv2d) gets a 'not available' row."""
    errors = {name: check(e, engines["floor_numpy"], data) for name, e in engines.items()}
    records: list[Record] = []
    cases: list[tuple[str, Any]] = [("T1", dtype) for dtype in ("float32", "float64")]
    cases += [("T2", size) for size in plan.t2_batches] + [("T2-Adam", plan.t2_batches[0])]
    cases += [("T3", None), ("T5", plan.t5_batch)]
    for workload, arg in cases:
        if workload not in workloads:
            continue
        runnable = {n: e for n, e in engines.items() if workload in e.workloads}
        for name, e in list(runnable.items()):
            why = _missing(e, workload)
            if why:
                del runnable[name]
                name_of_case = (
                    arg if workload == "T1" else f"b{arg}" if arg else f"{plan.t3_ops} ops"
                )
                records.append(record((workload, name_of_case, "", 1.0, 1), name, e, why))
        if workload == "T1":
            records += t1(runnable, plan, data, arg)
        elif workload == "T3":
            records += t3(runnable, plan)
        else:
            net = {"T2": LARGE, "T2-Adam": LARGE_ADAM, "T5": CNN}[workload]
            records += steps(runnable, plan, workload, net, arg)
    for r in records:
        if r.workload in errors[r.engine]:
            r.extra["grad_rel_error"] = err = errors[r.engine][r.workload]
            r.extra["grads_match_floor"] = err <= RTOL
        r.extra.update(getattr(engines[r.engine], "threads", dict)())
    return records
