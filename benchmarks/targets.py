"""The targets, judged on ratios measured in one run (absolute times drift on a shared machine;
ratios measured side by side hold), and on the rows written as users write dagrad code."""

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


# (name, workload, case ("" for each case), engine, versus, limit, kind): "at most" judges
# engine / versus <= limit, "below" engine / versus < limit, "faster" versus / engine >= limit
PER_OP, PAUSED = "dagrad_value_per_op", "dagrad_value_gc_paused"
RATIOS: list[tuple[str, str, str, str, str, float, str]] = [
    ("S1 vs micrograd", "S1", "", "dagrad_value", "micrograd", 20, "faster"),
    ("S1 vs floor", "S1", "", "dagrad_value", "floor_python", 7, "at most"),
    ("S1 vs micrograd, per op (reference)", "S1", "", PER_OP, "micrograd", 20, "faster"),
    ("S1 vs floor, per op (reference)", "S1", "", PER_OP, "floor_python", 7, "at most"),
    ("S1 vs micrograd, per op, gc_paused (reference)", "S1", "", PAUSED, "micrograd", 20, "faster"),
    ("S1 vs floor, per op, gc_paused (reference)", "S1", "", PAUSED, "floor_python", 7, "at most"),
    ("S1-compiled vs floor", "S1", "", "dagrad_value_compiled", "floor_python", 3, "at most"),
    (
        "S1-compiled vs floor, value_dot (reference)",
        "S1",
        "",
        "dagrad_value_dot_compiled",
        "floor_python",
        3,
        "at most",
    ),
    ("T1 vs floor", "T1", "", "dagrad_tensor", "floor_numpy", 1.30, "at most"),
    ("T2 vs floor", "T2", "b128", "dagrad_tensor", "floor_numpy", 1.10, "at most"),
    ("T2 vs floor", "T2", "b1024", "dagrad_tensor", "floor_numpy", 1.05, "at most"),
    ("T2-Adam vs floor", "T2-Adam", "b128", "dagrad_tensor", "floor_numpy", 1.15, "at most"),
    ("T3 vs floor", "T3", "", "dagrad_tensor", "floor_numpy", 2.5, "at most"),
    ("T3 vs PyTorch", "T3", "", "dagrad_tensor", "torch_cpu", 0.5, "below"),
    ("T5 vs floor", "T5", "", "dagrad_tensor", "floor_numpy", 1.30, "at most"),
]
BESIDE = {"T5 vs floor": "torch_cpu"}  # whose ratio to the same row is shown too


def _ratio_target(spec: tuple, case: str, rows: dict[tuple[str, str, str], Record]) -> Target:
    name, workload, _, engine, versus, limit, kind = spec
    name = f"{name} ({case})" if case else name
    what = "the floor" if versus.startswith("floor") else "PyTorch's time"
    goal = {"at most": f"<= {limit:.2f}x {what}", "below": f"< {limit}x {what}"}.get(
        kind, f">= {limit:g}x faster than {versus}"
    )
    mine, theirs = rows.get((workload, case, engine)), rows.get((workload, case, versus))
    other = rows.get((workload, case, BESIDE.get(spec[0], "")))
    beside = ""
    if other is not None and other.seconds and theirs is not None and theirs.seconds:
        beside = f" ({other.label.split()[0]}: {other.seconds / theirs.seconds:.2f}x)"
    if mine is not None and mine.error:
        return Target(name, goal, mine.error + beside, None)
    if mine is None or theirs is None or not mine.seconds or not theirs.seconds:
        return Target(name, goal, "not measured", None)
    ratio = mine.seconds / theirs.seconds
    if kind == "faster":
        return Target(name, goal, f"{1 / ratio:.2f}x faster", 1 / ratio >= limit)
    measured = f"{ratio:.2f}x {what}{beside}"
    if "first_step_s" in mine.extra:  # the recording call of autograd.compile
        measured += f"; first call {mine.extra['first_step_s'] * 1e3:.0f} ms"
    return Target(name, goal, measured, ratio <= limit if kind == "at most" else ratio < limit)


def evaluate(records: list[Record], memory: dict[str, Any] | None) -> list[Target]:
    rows = {(r.workload, r.case, r.engine): r for r in records}
    out = []
    for spec in RATIOS:
        cases = [spec[2]] if spec[2] else sorted({c for w, c, _ in rows if w == spec[1]})
        out += [
            _ratio_target(spec, case, rows) for case in cases if (spec[1], case, spec[3]) in rows
        ]
    out += _same_as_eager(rows)
    s2 = {c: r for (w, c, e), r in rows.items() if w == "S2" and e == "dagrad_value"}
    big, mid, goal = s2.get("n=1e6"), s2.get("n=1e5"), "1e6 links run; 1e6 vs 1e5 <= 12x"
    if big is not None and big.error:
        out.append(Target("S2 linear", goal, f"failed at 1e6: {big.error}", False))
    elif big is not None and mid is not None and big.seconds and mid.seconds:
        ratio = big.seconds / mid.seconds
        out.append(Target("S2 linear", goal, f"{ratio:.2f}x (1e6 / 1e5 time)", ratio <= 12))
    return out + _memory(memory)


COMPILED = {"dagrad_value_compiled": "per op", "dagrad_value_dot_compiled": "value_dot"}


def _same_as_eager(rows: dict[tuple[str, str, str], Record]) -> list[Target]:
    """A compiled S1 gives eager mode's loss and accuracy at every step (S1's per-op row)."""
    out = []
    for (workload, _, engine), r in rows.items():
        if workload != "S1" or engine not in COMPILED:
            continue
        name = f"S1-compiled = eager, {COMPILED[engine]}"
        goal = "loss and accuracy identical to eager dagrad at every step"
        same = r.extra.get("same_as_eager")
        if same is None:
            out.append(Target(name, goal, r.error or "not measured (no eager row)", None))
        else:
            steps = r.extra.get("compared_steps", 0)
            measured = f"identical at all {steps} steps" if same else "DIFFERENT"
            out.append(Target(name, goal, measured, bool(same)))
    return out


def _memory(memory: dict[str, Any] | None) -> list[Target]:
    if memory is None:
        return [Target("memory", "steady loops; T2 peak <= 1.5x PyTorch's", "not measured", None)]
    out = []
    for key, label in (("steady_tensor", "Tensor"), ("steady_value", "Value")):
        m = memory[key]
        measured = f"{m['growth']:+d} {m['unit']}, RSS {m['rss_growth_kb']:+d} KiB"
        out.append(
            Target(
                f"memory flat ({label}, {m['steps']} steps)",
                "no growth after warm-up",
                measured,
                m["holds_steady"],
            )
        )
    peaks = {(p["engine"], p["batch"]): p for p in memory["peak_step"]}
    for (engine, batch), p in sorted(peaks.items(), key=lambda kv: kv[0][1]):
        torch = peaks.get(("torch_cpu", batch))
        if engine != "dagrad_tensor":
            continue
        name, goal = f"T2 b{batch} peak memory (model + steps)", "<= 1.5x PyTorch's"
        if "error" in p or torch is None or "error" in torch:
            out.append(Target(name, goal, "not measured", None))
            continue
        ratio = p["training_peak_kb"] / torch["training_peak_kb"]
        out.append(Target(name, goal, f"{ratio:.2f}x PyTorch's", ratio <= 1.5))
    return out
