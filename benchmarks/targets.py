"""Issue 7's targets, judged on the ratios of one run (absolute times drift on a shared
machine; ratios measured side by side hold)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from .records import Record


@dataclass
class Target:
    name: str
    goal: str
    measured: str
    met: bool | None  # None: not measured in this run

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class _Lookup:
    def __init__(self, records: list[Record]) -> None:
        self._by_key = {(r.workload, r.case, r.engine): r for r in records}

    def seconds(self, workload: str, case: str, engine: str) -> float | None:
        r = self._by_key.get((workload, case, engine))
        return None if r is None else r.seconds

    def record(self, workload: str, case: str, engine: str) -> Record | None:
        return self._by_key.get((workload, case, engine))

    def cases(self, workload: str) -> list[str]:
        return sorted({c for w, c, _ in self._by_key if w == workload})


def _ratio(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None or b == 0 else a / b


def _ratio_target(name: str, goal: str, ratio: float | None, ok: Any, what: str) -> Target:
    if ratio is None:
        return Target(name, goal, "not measured", None)
    return Target(name, goal, f"{ratio:.2f}x {what}", bool(ok(ratio)))


def evaluate(records: list[Record], memory: dict[str, Any] | None) -> list[Target]:
    look = _Lookup(records)
    out: list[Target] = []
    for case in look.cases("S1"):
        # judged on dagrad's own way of writing the network (a neuron is one value_dot node),
        # and shown for micrograd's way (one node per op), with the collector on and paused
        for engine, setting in (
            ("dagrad_value", ""),
            ("dagrad_value_per_op", ", per op"),
            ("dagrad_value_gc_paused", ", per op, gc_paused"),
        ):
            dagrad = look.seconds("S1", case, engine)
            if dagrad is None and setting:
                continue
            speedup = _ratio(look.seconds("S1", case, "micrograd"), dagrad)
            out.append(
                _ratio_target(
                    f"S1 vs micrograd{setting}",
                    ">= 20x faster",
                    speedup,
                    lambda r: r >= 20,
                    "faster",
                )
            )
            out.append(
                _ratio_target(
                    f"S1 vs floor{setting}",
                    "<= 7x the floor",
                    _ratio(dagrad, look.seconds("S1", case, "floor_python")),
                    lambda r: r <= 7,
                    "the floor",
                )
            )
    s2 = {c: look.record("S2", c, "dagrad_value") for c in look.cases("S2")}
    big, mid = s2.get("n=1e6"), s2.get("n=1e5")
    if big is not None and big.error is not None:
        out.append(
            Target(
                "S2 linear",
                "1e6 links run; 1e6 vs 1e5 <= 12x",
                f"failed at 1e6: {big.error}",
                False,
            )
        )
    elif big is not None and mid is not None:
        ratio = _ratio(big.seconds, mid.seconds)
        out.append(
            _ratio_target(
                "S2 linear",
                "1e6 links run; 1e6 vs 1e5 <= 12x",
                ratio,
                lambda r: r <= 12,
                "(1e6 / 1e5 time)",
            )
        )
    else:
        out.append(Target("S2 linear", "1e6 links run; 1e6 vs 1e5 <= 12x", "not measured", None))
    for case in look.cases("T1"):
        dagrad = look.seconds("T1", case, "dagrad_tensor")
        out.append(
            _ratio_target(
                f"T1 {case} vs floor",
                "<= 1.5x the floor",
                _ratio(dagrad, look.seconds("T1", case, "floor_numpy")),
                lambda r: r <= 1.5,
                "the floor",
            )
        )
        out.append(
            _ratio_target(
                f"T1 {case} vs PyTorch",
                "faster than PyTorch (< 1x)",
                _ratio(dagrad, look.seconds("T1", case, "torch_cpu")),
                lambda r: r < 1.0,
                "PyTorch's time",
            )
        )
    for case, limit in (("b128", 1.10), ("b1024", 1.05)):
        out.append(
            _ratio_target(
                f"T2 {case} vs floor",
                f"<= {limit:.2f}x the floor",
                _ratio(
                    look.seconds("T2", case, "dagrad_tensor"),
                    look.seconds("T2", case, "floor_numpy"),
                ),
                lambda r, lim=limit: r <= lim,
                "the floor",
            )
        )
    for case in look.cases("T3"):
        dagrad = look.seconds("T3", case, "dagrad_tensor")
        out.append(
            _ratio_target(
                "T3 vs floor",
                "<= 2.5x the floor per op",
                _ratio(dagrad, look.seconds("T3", case, "floor_numpy")),
                lambda r: r <= 2.5,
                "the floor",
            )
        )
        out.append(
            _ratio_target(
                "T3 vs PyTorch",
                "< 0.5x PyTorch's time per op",
                _ratio(dagrad, look.seconds("T3", case, "torch_cpu")),
                lambda r: r < 0.5,
                "PyTorch's time",
            )
        )
    out += _memory_targets(memory)
    return out


def _memory_targets(memory: dict[str, Any] | None) -> list[Target]:
    if memory is None:
        return [Target("memory", "steady loop; T2 peak <= 1.5x PyTorch's", "not measured", None)]
    out = []
    for key, label in (("steady_tensor", "Tensor"), ("steady_value", "Value")):
        m = memory[key]
        out.append(
            Target(
                f"memory flat ({label}, {m['steps']} steps)",
                "no growth after warm-up",
                f"{m['growth']:+d} {m['unit']}, RSS {m['rss_growth_kb']:+d} KiB",
                m["holds_steady"],
            )
        )
    peaks = {(p["engine"], p.get("batch")): p for p in memory["peak_step"]}
    for (engine, batch), p in sorted(peaks.items(), key=lambda kv: kv[0][1] or 0):
        if engine != "dagrad_tensor":
            continue
        torch = peaks.get(("torch_cpu", batch))
        ok = "error" not in p and torch is not None and "error" not in torch
        ratio = _ratio(p["training_peak_kb"], torch["training_peak_kb"]) if ok and torch else None
        out.append(
            _ratio_target(
                f"T2 b{batch} peak memory (model + steps)",
                "<= 1.5x PyTorch's",
                ratio,
                lambda r: r <= 1.5,
                "PyTorch's",
            )
        )
    return out
