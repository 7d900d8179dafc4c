"""S1-S3 on the scalar engines: gradients checked against the floor, then all engines timed
taking turns (timing.measure_interleaved)."""

from __future__ import annotations

from functools import partial
from types import ModuleType
from typing import Any

from .plans import Plan
from .records import Record, from_timings, relative_error, size_label
from .timing import Timing, measure_interleaved
from .workloads import (
    MoonsConfig,
    chain_nodes,
    moons,
    scalar_init,
    wide_sum_inputs,
)

# Python floats in both engine and floor: only the order of additions differs
SCALAR_RTOL = 1e-9

Engines = dict[str, ModuleType]


def labels(engines: Engines) -> dict[str, str]:
    return {name: f"{e.LABEL} {e.version()}" for name, e in engines.items()}


def check_gradients(engine: ModuleType, floor: ModuleType) -> dict[str, float]:
    """Relative gradient error against the floor on small versions of S1, S2 and S3."""
    cfg = MoonsConfig(samples=12)
    x, y = moons(cfg)
    weights = scalar_init(cfg.sizes)
    got = engine.MoonsMLP(weights, x, y, cfg.alpha).loss_and_grads()
    want = floor.MoonsMLP(weights, x, y, cfg.alpha).loss_and_grads()
    errors = {"S1": relative_error([[got[0]], got[1]], [[want[0]], want[1]])}
    links = 200  # short enough for micrograd's recursive walk
    errors["S2"] = relative_error([[engine.chain(links)]], [[floor.chain(links)]])
    a, b = wide_sum_inputs(100)
    ws, ref = engine.WideSum(a, b), floor.WideSum(a, b)
    ws.backward()
    ref.backward()
    errors["S3"] = relative_error(ws.grads(), ref.grads())
    return errors


class _StepRunner:
    """One engine's S1 training: each call takes the next SGD step."""

    def __init__(self, engine: ModuleType, cfg: MoonsConfig) -> None:
        x, y = moons(cfg)
        self.model = engine.MoonsMLP(scalar_init(cfg.sizes), x, y, cfg.alpha)
        self.cfg = cfg
        self.losses: list[float] = []

    def __call__(self, _: Any) -> None:
        self.losses.append(self.model.step(self.cfg.lr(len(self.losses))))


def s1_case(engines: Engines, plan: Plan, steps: dict[str, int]) -> list[Record]:
    """Train S1 on every engine, taking turns."""
    cfg = MoonsConfig(samples=plan.s1_samples)
    runners = {name: _StepRunner(e, cfg) for name, e in engines.items()}
    # each turn: collect the garbage left so far, one untimed step (its garbage, micrograd's
    # cycles included, is what the timed step's collections pay for, as in a training loop),
    # then the timed step; so `steps` training steps give steps // 2 timings
    repeats = {name: max(steps[name] // 2, 1) for name in engines}
    timings = measure_interleaved(runners, warmup=0, repeats=repeats, settle=1, collect=True)

    def extra(name: str, timing: Timing) -> dict[str, Any]:
        r = runners[name]
        out: dict[str, Any] = {
            "steps": len(r.losses),
            "final_loss": r.losses[-1],
            "accuracy": r.model.accuracy(),
            "trained_fully": len(r.losses) >= cfg.steps,
        }
        nodes = r.model.graph_nodes()
        if nodes is not None:
            out["graph_nodes"] = nodes
            out["nodes_per_s"] = nodes / timing.median
        return out

    return from_timings(
        "S1", f"{plan.s1_samples} samples", labels(engines), timings, "ms/step", 1e3, extra=extra
    )


def s2_case(engines: Engines, links: int, repeats: int) -> list[Record]:
    """The deep chain of ``links`` links (two nodes each), built and differentiated."""
    runs = {name: (lambda _, e=e: e.chain(links)) for name, e in engines.items()}
    timings = measure_interleaved(runs, warmup=int(links <= 10_000), repeats=repeats, collect=True)
    return from_timings(
        "S2",
        f"n={size_label(links)}",
        labels(engines),
        timings,
        "ns/node",
        1e9,
        per=chain_nodes(links),
    )


def _backward(wide_sum: Any) -> None:
    wide_sum.backward()


def s3_case(engines: Engines, width: int, repeats: int) -> list[Record]:
    """Backward through sum(a_i * b_i), per term; the graph is built untimed (with Python's
    sum() or the engine's own, as each adapter says)."""
    a, b = wide_sum_inputs(width)
    timings = measure_interleaved(
        dict.fromkeys(engines, _backward),
        setups={name: partial(e.WideSum, a, b) for name, e in engines.items()},
        warmup=int(width <= 100_000),
        repeats=repeats,
        collect=True,
    )
    return from_timings(
        "S3",
        f"n={size_label(width)}",
        labels(engines),
        timings,
        "ns/term",
        1e9,
        per=width,
    )


def _survivors(engines: Engines, records: list[Record]) -> Engines:
    """The engines that did not fail: a failure (micrograd's RecursionError) would only repeat
    on a bigger size."""
    failed_names = {r.engine for r in records if r.error}
    return {name: e for name, e in engines.items() if name not in failed_names}


def run(
    engines: Engines, floor_name: str, plan: Plan, workloads: set[str], s1_steps: dict[str, int]
) -> list[Record]:
    """Every selected scalar workload on every engine (the floor among them), each record
    tagged with its engine's gradient check against the floor."""
    floor = engines[floor_name]
    errors = {name: check_gradients(e, floor) for name, e in engines.items()}
    records: list[Record] = []
    if "S1" in workloads:
        records += s1_case(engines, plan, s1_steps)
    for workload, sizes, case in (("S2", plan.s2_links, s2_case), ("S3", plan.s3_widths, s3_case)):
        if workload not in workloads:
            continue
        alive = dict(engines)
        for size in sizes:
            got = case(alive, size, plan.scalar_repeats)
            records += got
            alive = _survivors(alive, got)
    for r in records:
        err = errors[r.engine][r.workload]
        r.extra["grad_rel_error"] = err
        r.extra["grads_match_floor"] = err <= SCALAR_RTOL
    return records
