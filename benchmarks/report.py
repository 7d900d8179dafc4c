"""The results as one markdown table (with the targets and the memory checks) and as JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .adapters import DAGRAD, FLOORS
from .records import Record
from .targets import Target

NOTES = {  # the figures worth a glance in the notes column
    "graph_nodes": "{:,} nodes/step",
    "nodes_per_s": "{:,.0f} nodes/s",
    "first_step_s": "first call (recording) {:.3g} s",
    "final_loss": "loss {:.4f}",
    "accuracy": "acc {:.2f}",
    "test_accuracy": "test acc {:.3f}",
    "gflops": "{:.1f} GFLOP/s",
    "torch_threads": "{} threads",
}
BUSY_LOAD = 0.7  # a 1-minute load average above this before the run: something else ran


def _fmt(x: float | None) -> str:
    return "" if x is None else f"{x:.3g}" if abs(x) < 1000 else f"{x:,.0f}"


def _notes(r: Record) -> str:
    if r.error:
        return r.error
    parts = [fmt.format(r.extra[k]) for k, fmt in NOTES.items() if r.extra.get(k) is not None]
    if r.extra.get("grads_match_floor") is False:
        parts.append(
            f"GRADIENTS DIFFER from the floor (rel. error {r.extra['grad_rel_error']:.1e})"
        )
    if r.workload == "S1" and not r.extra.get("trained_fully", True):
        parts.append(f"{r.extra['steps']} steps only")
    return ", ".join(parts)


def table(records: list[Record]) -> str:
    """One row per record, with its median over the floor's and over dagrad's (same case)."""
    seconds = {(r.workload, r.case, r.engine): r.seconds for r in records}
    rows = [
        "| workload | case | engine | median | x floor | x dagrad | notes |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in records:
        family = "scalar" if r.workload.startswith("S") else "tensor"
        # an engine timed in its own process (HIPS) brings the floor it took turns with
        f = r.extra.get("paired_floor_s") or seconds.get((r.workload, r.case, FLOORS[family]))
        d = seconds.get((r.workload, r.case, DAGRAD[family]))
        s = r.seconds
        median = f"{_fmt(r.value)} {r.unit}" if r.value is not None else "-"
        ratios = [_fmt(s / x) if s and x else "" for x in (f, d)]
        cells = [r.workload, r.case, r.label, median, *ratios, _notes(r)]
        rows.append(f"| {' | '.join(cells)} |")
    return "\n".join(rows)


def memory_section(memory: dict[str, Any]) -> str:
    lines = []
    for key, label in (
        ("steady_tensor", "dagrad Tensor (T1, user code)"),
        ("steady_value", "dagrad Value (S1, 8 examples)"),
    ):
        m = memory[key]
        growth = f"{m['growth']:+,} {m['unit']}; RSS {m['rss_growth_kb']:+,} KiB"
        lines.append(f"- {label}, {m['steps']} steps: growth after warm-up {growth}")
    if memory["peak_step"]:
        lines += [
            "",
            "| T2 memory (fresh process, RSS high-water mark) | batch | model + 3 steps "
            "| one more step | tracemalloc, one step |",
            "|---|---|---|---|---|",
        ]
        for p in memory["peak_step"]:
            keys = ("training_peak_kb", "step_rise_kb", "tracemalloc_step_peak_kb")
            cells = (
                [p["error"], "", ""]
                if "error" in p
                else ["-" if p[k] is None else f"{p[k] / 1024:.1f} MiB" for k in keys]
            )
            lines.append(f"| {p['engine']} | {p['batch']} | {' | '.join(cells)} |")
    return "\n".join(lines)


def machine_line(m: dict[str, Any]) -> str:
    blas, threads = m["numpy_blas"], m["numpy_blas"]["threads"]
    torch = f", PyTorch {m['torch']} ({m['torch_threads']} threads)" if m.get("torch") else ""
    load = f"load {m['load_average_at_start']:.2f} at start, {m['load_average_at_end']:.2f} at end"
    numpy = f"NumPy {m['numpy']} ({blas['blas']}, {threads} threads)"
    line = f"{m['cpu']}, {m['cores']} cores ({load}); Python {m['python']}; {numpy}{torch}"
    if m["load_average_at_start"] > BUSY_LOAD:  # during the run the harness itself loads a core
        line += ". **Another process was running**: absolute times are inflated"
        line += (
            ", and a BLAS call whose second thread finds no free core can take many times "
            "longer; rerun when idle or with --threads 1"
            if (threads or 1) > 1
            else "; the ratios, taken side by side, still hold"
        )
    return line


def markdown(results: dict[str, Any]) -> str:
    records = [Record(**d) for d in results["records"]]
    mark = {True: "met", False: "NOT met", None: "not measured"}
    targets = [Target(**t) for t in results["targets"]]
    parts = [
        f"## dagrad benchmarks ({results['plan']} run, {results['date']})",
        "",
        machine_line(results["machine"]),
        "",
        table(records),
        "",
        "### Targets",
        "",
        "| target | goal | measured | |",
        "|---|---|---|---|",
        *[f"| {t.name} | {t.goal} | {t.measured} | {mark[t.met]} |" for t in targets],
    ]
    if results.get("memory"):
        parts += ["", "### Memory", "", memory_section(results["memory"])]
    if results["notes"]:
        parts += ["", "### Notes", ""] + [f"- {n}" for n in results["notes"]]
    return "\n".join(parts) + "\n"


def write_json(results: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=1, default=str))
