"""S1-S3, written once for every scalar graph engine (dagrad Value, micrograd), checked against
the pure-Python floor, then timed with the engines taking turns.

A graph engine is described by a ``Graph``: how it makes a parameter and an input, a weighted
sum and a sum of many terms, and how to walk its graph. The floor (adapters/floor_python.py)
has the same three entry points, ``s1``, ``chain`` and ``wide``, written out by hand.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from typing import Any

from .plans import Plan
from .records import Record, record, relative_error
from .timing import measure_interleaved
from .workloads import CHAIN_ADD, CHAIN_MUL, Moons, ScalarLayer, wide_sum_inputs

RTOL = 1e-9  # Python floats in engine and floor: only the order of additions differs
WORKLOADS = ("S1", "S2", "S3")


def per_op_dot(ws: list[Any], xs: list[Any], start: Any = 0.0) -> Any:
    """micrograd's neuron: ``sum((w * x for ...), start)``, one node per product and addition."""
    return sum((w * x for w, x in zip(ws, xs)), start)


@dataclass(frozen=True)
class Graph:
    """A scalar graph engine, as the workloads below use it."""

    label: str
    version: str
    Value: Any  # Value(x): a parameter, micrograd's way
    constant: Callable[[float], Any]  # an input that needs no gradient
    parents: Callable[[Any], Iterable[Any]]  # a node's inputs, to count a graph's nodes
    dot: Callable[..., Any] = per_op_dot  # dot(ws, xs, start): start + sum of w * x
    total: Callable[[list[Any]], Any] = sum  # the sum of many nodes
    wrap: Callable[[Any], Any] = lambda run: run  # around each timed call (gc_paused)
    compile: Callable[[Any], Any] | None = None  # S1's loss function under autograd.compile
    missing: str | None = None  # why it cannot run at all ("not available: ...")
    workloads: tuple[str, ...] = WORKLOADS
    eager: str | None = None  # the engine whose S1 losses and accuracies it must reproduce

    def s1(self, weights: list[ScalarLayer], x: list[list[float]], y: list[float]) -> S1:
        return S1(self, weights, x, y)

    def chain(self, links: int) -> float:
        """S2: x = x * CHAIN_MUL + CHAIN_ADD ``links`` times, then d(x_n)/d(x_0)."""
        x0 = x = self.Value(1.0)
        for _ in range(links):
            x = x * CHAIN_MUL + CHAIN_ADD
        x.backward()
        return float(x0.grad)

    def wide(self, a: list[float], b: list[float]) -> Wide:
        return Wide(self, a, b)


class S1:
    """micrograd's demo step on one engine: MLP(2, [16, 16, 1]), SVM loss + L2, SGD."""

    def __init__(self, e: Graph, weights: list[ScalarLayer], x: list[list[float]], y: list[float]):
        self.e, self.y, self.alpha = e, y, Moons().alpha
        self.layers = [
            ([[e.Value(w) for w in row] for row in rows], [e.Value(b) for b in bias])
            for rows, bias in weights
        ]
        # micrograd's order: each neuron's weights, then its bias
        self.params = [p for rows, bias in self.layers for r, b in zip(rows, bias) for p in (*r, b)]
        self.x = [[e.constant(v) for v in row] for row in x]
        self.loss = e.compile(self._loss) if e.compile else self._loss

    def _score(self, xi: list[Any]) -> Any:
        a = xi
        for li, (rows, bias) in enumerate(self.layers):
            zs = [self.e.dot(row, a, b) for row, b in zip(rows, bias)]
            a = zs if li == len(self.layers) - 1 else [z.relu() for z in zs]
        return a[0]

    def _loss(self) -> tuple[Any, list[Any]]:
        """The loss and the scores (micrograd's demo computes its accuracy from them)."""
        scores = [self._score(xi) for xi in self.x]
        losses = [(1 + -yi * score).relu() for score, yi in zip(scores, self.y)]
        data_loss = self.e.total(losses) * (1.0 / len(losses))
        return data_loss + self.alpha * self.e.dot(self.params, self.params), scores

    def loss_and_grads(self) -> tuple[float, list[float]]:
        for p in self.params:
            p.grad = 0.0
        loss, scores = self.loss()
        self.last_accuracy = _accuracy([s.data for s in scores], self.y)
        loss.backward()
        return loss.data, [p.grad for p in self.params]

    def step(self, lr: float) -> tuple[float, float]:
        """One SGD step: the loss and the accuracy before it."""
        loss, _ = self.loss_and_grads()
        for p in self.params:
            p.data -= lr * p.grad
        return loss, self.last_accuracy

    def accuracy(self) -> float:
        return _accuracy([self._score(xi).data for xi in self.x], self.y)

    def graph_nodes(self) -> int:
        root = self._loss()[0]
        seen, stack = {root}, [root]
        while stack:
            for parent in self.e.parents(stack.pop()):
                if parent not in seen:
                    seen.add(parent)
                    stack.append(parent)
        return len(seen)


def _accuracy(scores: list[float], y: list[float]) -> float:
    hits = [(score > 0) == (yi > 0) for score, yi in zip(scores, y)]
    return sum(hits) / len(hits)


class Wide:
    """S3: sum(a_i * b_i) built with the engine's sum; ``backward`` is what is timed."""

    def __init__(self, e: Graph, a: list[float], b: list[float]) -> None:
        self.a, self.b = [e.Value(v) for v in a], [e.Value(v) for v in b]
        self.out = e.total([x * y for x, y in zip(self.a, self.b)])

    def backward(self) -> None:
        self.out.backward()

    def grads(self) -> list[list[float]]:
        return [[v.grad for v in self.a], [v.grad for v in self.b]]


def check(engine: Any, floor: Any) -> dict[str, float]:
    """Relative error of loss and gradients against the floor on small S1, S2 and S3."""
    cfg = Moons(samples=12)
    got = engine.s1(cfg.weights(), *cfg.data()).loss_and_grads()
    want = floor.s1(cfg.weights(), *cfg.data()).loss_and_grads()
    a, b = wide_sum_inputs(100)
    mine, ref = engine.wide(a, b), floor.wide(a, b)
    mine.backward()
    ref.backward()
    return {
        "S1": relative_error([[got[0]], got[1]], [[want[0]], want[1]]),
        "S2": relative_error([[engine.chain(200)]], [[floor.chain(200)]]),  # micrograd: < 1000
        "S3": relative_error(mine.grads(), ref.grads()),
    }


class _Trainer:
    """One engine's S1 training: each call takes the next step (the first one is timed too)."""

    def __init__(self, engine: Any, cfg: Moons) -> None:
        self.model, self.cfg = engine.s1(cfg.weights(), *cfg.data()), cfg
        self.losses: list[float] = []
        self.accuracies: list[float] = []
        self.first_s = 0.0

    def __call__(self, _: Any) -> None:
        start = time.perf_counter()
        loss, accuracy = self.model.step(self.cfg.lr(len(self.losses)))
        if not self.losses:
            self.first_s = time.perf_counter() - start
        self.losses.append(loss)
        self.accuracies.append(accuracy)


def s1(engines: dict[str, Any], plan: Plan) -> list[Record]:
    cfg = Moons(samples=plan.s1_samples)
    runners = {name: _Trainer(e, cfg) for name, e in engines.items()}
    runs = {name: getattr(e, "wrap", lambda r: r)(runners[name]) for name, e in engines.items()}
    # each turn: collect the garbage so far, an untimed step (whose garbage, micrograd's cycles
    # included, the timed step's collections pay for, as in a training loop), a timed step
    steps = {n: plan.s1_peer_steps if n == "micrograd" else plan.s1_steps for n in engines}
    reps = {name: max(steps[name] // 2, 1) for name in engines}
    times = measure_interleaved(runs, warmup=0, repeats=reps, settle=1, collect=True)
    out = []
    for name, e in engines.items():
        r = runners[name]
        full = len(r.losses) >= Moons().steps
        extra: dict[str, Any] = {"steps": len(r.losses), "trained_fully": full}
        if r.losses:
            extra.update(final_loss=r.losses[-1], accuracy=r.model.accuracy())
        if getattr(e, "compile", None):
            extra["first_step_s"] = r.first_s  # the recording call
        twin = runners.get(getattr(e, "eager", None) or "")
        if twin is not None:  # the same numbers as eager mode at every step, bit for bit
            n = min(len(r.losses), len(twin.losses))
            extra["same_as_eager"] = n > 0 and (r.losses[:n], r.accuracies[:n]) == (
                twin.losses[:n],
                twin.accuracies[:n],
            )
            extra["compared_steps"] = n
        timed = times[name]
        if isinstance(timed, list) and hasattr(r.model, "graph_nodes"):
            extra["graph_nodes"] = nodes = r.model.graph_nodes()
            extra["nodes_per_s"] = nodes / statistics.median(timed)
        out.append(record(_s1_case(plan), name, e, timed, **extra))
    return out


def _s1_case(plan: Plan) -> tuple[str, str, str, float, int]:
    return ("S1", f"{plan.s1_samples} samples", "ms/step", 1e3, 1)


def _backward(wide: Any) -> None:
    wide.backward()


def _chain(engine: Any, links: int, _: Any) -> None:
    engine.chain(links)


def sized(engines: dict[str, Any], workload: str, n: int, repeats: int) -> list[Record]:
    """S2 (the chain built and differentiated, per node) or S3 (backward only, per term)."""
    runs: dict[str, Callable[[Any], object]] = {}
    if workload == "S2":
        runs = {name: partial(_chain, e, n) for name, e in engines.items()}
        setups, per, unit = None, 2 * n, "ns/node"
    else:
        a, b = wide_sum_inputs(n)
        runs = dict.fromkeys(engines, _backward)
        setups = {name: partial(e.wide, a, b) for name, e in engines.items()}
        per, unit = n, "ns/term"
    runs = {name: getattr(engines[name], "wrap", lambda r: r)(run) for name, run in runs.items()}
    warm = int(n <= 100_000)
    times = measure_interleaved(runs, warmup=warm, repeats=repeats, setups=setups, collect=True)
    size = f"1e{len(str(n)) - 1}" if n >= 1000 and str(n).strip("0") == "1" else str(n)
    case = (workload, f"n={size}", unit, 1e9, per)
    return [record(case, name, e, times[name]) for name, e in engines.items()]


def run(engines: dict[str, Any], plan: Plan, workloads: set[str]) -> list[Record]:
    """Every selected workload on every engine that runs it (the floor among them); engines
    that cannot run get a 'not available' row, and a failure ends an engine's larger sizes."""
    floor = engines["floor_python"]
    errors = {n: check(e, floor) for n, e in engines.items() if not getattr(e, "missing", None)}
    records: list[Record] = []
    for workload in WORKLOADS:
        if workload not in workloads:
            continue
        names = [n for n, e in engines.items() if workload in e.workloads]
        alive = {n: engines[n] for n in names if n in errors}
        for name in names:
            if name not in errors:  # S1-compiled before autograd.compile exists
                case = _s1_case(plan) if workload == "S1" else (workload, "", "", 1.0, 1)
                records.append(record(case, name, engines[name], engines[name].missing))
        if workload == "S1":
            records += s1(alive, plan)
            continue
        for n in plan.s2_links if workload == "S2" else plan.s3_widths:
            got = sized(alive, workload, n, plan.scalar_repeats)
            records += got
            alive = {r.engine: alive[r.engine] for r in got if r.error is None}
    for r in records:
        if r.engine in errors:
            r.extra["grad_rel_error"] = err = errors[r.engine][r.workload]
            r.extra["grads_match_floor"] = err <= RTOL
    return records
