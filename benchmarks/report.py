"""The results as one markdown table (plus targets and memory) and as JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .adapters import DAGRAD, SCALAR_FLOOR, TENSOR_FLOOR
from .records import Record
from .targets import Target

# the figures worth a glance in the notes column, with their formats
_NOTES = {
    "graph_nodes": "{:,} nodes/step",
    "nodes_per_s": "{:,.0f} nodes/s",
    "final_loss": "loss {:.4f}",
    "accuracy": "acc {:.2f}",
    "test_accuracy": "test acc {:.3f}",
    "gflops": "{:.1f} GFLOP/s",
}


def _family(workload: str) -> str:
    return "scalar" if workload.startswith("S") else "tensor"


def _fmt(x: float | None, digits: int = 3) -> str:
    if x is None:
        return ""
    return f"{x:.{digits}g}" if abs(x) < 1000 else f"{x:,.0f}"


def ratios(records: list[Record]) -> dict[int, tuple[float | None, float | None]]:
    """Each record's median over the floor's and over dagrad's, for the same workload case."""
    seconds = {(r.workload, r.case, r.engine): r.seconds for r in records}
    out = {}
    for r in records:
        floor = SCALAR_FLOOR if _family(r.workload) == "scalar" else TENSOR_FLOOR
        # an engine timed in its own process (HIPS) brings the floor it took turns with
        f = r.extra.get("paired_floor_s") or seconds.get((r.workload, r.case, floor))
        d = seconds.get((r.workload, r.case, DAGRAD[_family(r.workload)]))
        s = r.seconds
        out[id(r)] = (s / f if s and f else None, s / d if s and d else None)
    return out


def _notes(r: Record) -> str:
    if r.error:
        return f"did not run: {r.error}"
    parts = [fmt.format(r.extra[k]) for k, fmt in _NOTES.items() if k in r.extra]
    if r.extra.get("grads_match_floor") is False:
        parts.append(
            f"GRADIENTS DIFFER from the floor (rel. error {r.extra['grad_rel_error']:.1e})"
        )
    if r.workload == "S1" and not r.extra.get("trained_fully", True):
        parts.append(f"{r.extra['steps']} steps only")
    if "torch_threads" in r.extra:
        parts.append(_threads(r.extra["torch_threads"]))
    return ", ".join(parts)


def table(records: list[Record]) -> str:
    rows = [
        "| workload | case | engine | median | x floor | x dagrad | notes |",
        "|---|---|---|---|---|---|---|",
    ]
    ratio = ratios(records)
    for r in records:
        to_floor, to_dagrad = ratio[id(r)]
        median = f"{_fmt(r.value)} {r.unit}" if r.value is not None else "-"
        rows.append(
            f"| {r.workload} | {r.case} | {r.label} | {median} | {_fmt(to_floor)} | "
            f"{_fmt(to_dagrad)} | {_notes(r)} |"
        )
    return "\n".join(rows)


def targets_table(targets: list[Target]) -> str:
    mark = {True: "met", False: "NOT met", None: "not measured"}
    rows = ["| target | goal | measured | |", "|---|---|---|---|"]
    rows += [f"| {t.name} | {t.goal} | {t.measured} | {mark[t.met]} |" for t in targets]
    return "\n".join(rows)


def memory_section(memory: dict[str, Any]) -> str:
    lines = []
    for key, label in (
        ("steady_tensor", "dagrad Tensor (T1 model)"),
        ("steady_value", "dagrad Value (S1 model, 8 examples)"),
    ):
        m = memory[key]
        lines.append(
            f"- {label}, {m['steps']} steps: growth after warm-up {m['growth']:+,} "
            f"{m['unit']}; RSS {m['rss_growth_kb']:+,} KiB"
        )
    if memory["peak_step"]:
        lines += [
            "",
            "| T2 memory (fresh process, RSS high-water mark) | batch | model + 3 steps | "
            "one more step | tracemalloc, one step |",
            "|---|---|---|---|---|",
        ]
        keys = ("training_peak_kb", "step_rise_kb", "tracemalloc_step_peak_kb")
        for p in memory["peak_step"]:
            if "error" in p:
                lines.append(f"| {p['engine']} | {p.get('batch', '')} | {p['error']} | | |")
                continue
            mib = ["-" if p[k] is None else f"{p[k] / 1024:.1f} MiB" for k in keys]
            lines.append(f"| {p['engine']} | {p['batch']} | {' | '.join(mib)} |")
    return "\n".join(lines)


BUSY_LOAD = 0.7  # a 1-minute load average above this before the run: something else is running


def _threads(n: Any) -> str:
    return f"{n} thread{'' if n == 1 else 's'}"


def machine_line(m: dict[str, Any]) -> str:
    blas = m["numpy_blas"]
    torch = f", PyTorch {m['torch']} ({_threads(m['torch_threads'])})" if m.get("torch") else ""
    load = f"load {m['load_average_at_start']:.2f} at start, {m['load_average_at_end']:.2f} at end"
    line = (
        f"{m['cpu']}, {m['cores']} cores ({load}); Python {m['python']}; NumPy {m['numpy']} "
        f"({blas['blas']}, {_threads(blas['threads'])}){torch}"
    )
    # only the load before the run counts: during it, the harness itself keeps a core busy
    if (m["load_average_at_start"] or 0.0) > BUSY_LOAD:
        line += ". **Another process was running**: absolute times are inflated"
        if (blas["threads"] or 1) > 1:
            line += (
                ", and a BLAS call whose second thread finds no free core can take many times "
                "longer; rerun when idle or with --threads 1"
            )
        else:
            line += "; the ratios, taken side by side, still hold"
    return line


def markdown(results: dict[str, Any]) -> str:
    records = [Record.from_dict(d) for d in results["records"]]
    targets = [Target(**t) for t in results["targets"]]
    parts = [
        f"## dagrad benchmarks ({results['plan']} run, {results['date']})",
        "",
        machine_line(results["machine"]),
        "",
        table(records),
        "",
        "### Targets (issue 7)",
        "",
        targets_table(targets),
    ]
    if results.get("memory"):
        parts += ["", "### Memory", "", memory_section(results["memory"])]
    if results["notes"]:
        parts += ["", "### Notes", ""] + [f"- {n}" for n in results["notes"]]
    return "\n".join(parts) + "\n"


def write_json(results: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=1, default=str))
