"""The command line: run the selected workloads on the selected engines, print the markdown
report, write the JSON. ``python -m benchmarks --help``."""

from __future__ import annotations

import argparse
import datetime
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Any

from . import hips, machine, memory, report, scalar_suite, targets, tensor_suite, threads
from .adapters import (
    ALL_ENGINES,
    SCALAR_ENGINES,
    SCALAR_FLOOR,
    SUBPROCESS_ENGINES,
    TENSOR_ENGINES,
    TENSOR_FLOOR,
    load,
)
from .plans import FULL, QUICK, QUICKEST, Plan
from .records import Record
from .workloads import digits

WORKLOADS = ("S1", "S2", "S3", "T1", "T2", "T3", "T4")
DEFAULT_OUT = Path(__file__).resolve().parent / "results" / "latest.json"
PEAK_ENGINES = ("floor_numpy", "dagrad_tensor", "torch_cpu")


def _names(text: str, allowed: tuple[str, ...], what: str) -> tuple[str, ...]:
    names = tuple(n.strip() for n in text.split(",") if n.strip())
    unknown = [n for n in names if n not in allowed]
    if unknown:
        raise argparse.ArgumentTypeError(
            f"unknown {what} {', '.join(unknown)}; choose from {', '.join(allowed)}"
        )
    return names


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    size = p.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="a run of about a minute")
    size.add_argument(
        "--quick-est",
        action="store_true",
        help="tiny sizes, seconds (the smoke test's mode; ratios mean little)",
    )
    p.add_argument(
        "--engines",
        type=lambda s: _names(s, ALL_ENGINES, "engine"),
        default=ALL_ENGINES,
        help="comma-separated adapters (the floors always run); default: all",
    )
    p.add_argument(
        "--workloads",
        type=lambda s: _names(s, WORKLOADS, "workload"),
        default=WORKLOADS,
        help="comma-separated, e.g. S1,T2; default: all",
    )
    p.add_argument("--no-memory", action="store_true", help="skip the memory checks")
    p.add_argument(
        "--threads",
        type=int,
        default=threads.DEFAULT,
        help="threads for NumPy's BLAS and PyTorch alike (default: %(default)s, both "
        "cores; 1 gives steadier numbers when the machine is busy)",
    )
    p.add_argument(
        "--setup-hips",
        action="store_true",
        help="create benchmarks/.venv-hips (HIPS autograd) first",
    )
    p.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where to write the JSON")
    return p.parse_args(argv)


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _engines(
    family: tuple[str, ...], floor: str, wanted: tuple[str, ...], notes: list[str]
) -> dict[str, ModuleType]:
    """The adapters of one family that were asked for and are installed (always the floor)."""
    engines = {}
    for name in family:
        if name in SUBPROCESS_ENGINES or (name != floor and name not in wanted):
            continue
        engine, why = load(name)
        if engine is None:
            notes.append(str(why))
        else:
            engines[name] = engine
    return engines


def run_scalar(
    plan: Plan, wanted: tuple[str, ...], workloads: set[str], notes: list[str]
) -> list[Record]:
    engines = _engines(SCALAR_ENGINES, SCALAR_FLOOR, wanted, notes)
    _log(f"scalar workloads on {', '.join(engines)} ...")
    steps = {n: plan.s1_peer_steps if n == "micrograd" else plan.s1_steps for n in engines}
    return scalar_suite.run(engines, SCALAR_FLOOR, plan, workloads, steps)


def run_tensor(
    plan: Plan, wanted: tuple[str, ...], workloads: set[str], notes: list[str]
) -> list[Record]:
    data = digits()
    engines = _engines(TENSOR_ENGINES, TENSOR_FLOOR, wanted, notes)
    _log(f"tensor workloads on {', '.join(engines)} ...")
    records = tensor_suite.run(engines, TENSOR_FLOOR, plan, data, workloads)
    if "hips_autograd" in wanted:
        _log("tensor workloads on hips_autograd (its own venv) ...")
        got, why = hips.run(plan, data, workloads)
        records += got
        if why:
            notes.append(why)
    return records


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    plan = QUICKEST if args.quick_est else QUICK if args.quick else FULL
    workloads = set(args.workloads)
    threads.apply(args.threads)
    load_before = machine.load_average()
    if args.setup_hips:
        hips.setup_venv()
    start = time.perf_counter()
    notes: list[str] = []
    records: list[Record] = []
    if workloads & {"S1", "S2", "S3"}:
        records += run_scalar(plan, args.engines, workloads, notes)
    if workloads & {"T1", "T2", "T3"}:
        records += run_tensor(plan, args.engines, workloads & {"T1", "T2", "T3"}, notes)
    if "T4" in workloads:
        _log("T4 (NumPy matmul) ...")
        records += tensor_suite.run_t4(plan)
    mem: dict[str, Any] | None = None
    if not args.no_memory:
        _log("memory ...")
        peak_engines = tuple(e for e in PEAK_ENGINES if e in args.engines or "floor" in e)
        mem = memory.run(plan, peak_engines)
    results: dict[str, Any] = {
        "plan": plan.name,
        "date": datetime.datetime.now().isoformat(timespec="seconds"),
        "seconds_total": round(time.perf_counter() - start, 1),
        "machine": {**machine.describe(), "load_average_at_start": load_before},
        "records": [r.as_dict() for r in records],
        "targets": [t.as_dict() for t in targets.evaluate(records, mem)],
        "memory": mem,
        "notes": notes,
    }
    report.write_json(results, args.out)
    print(report.markdown(results))
    _log(f"done in {results['seconds_total']} s; JSON in {args.out}")
    return 0
