"""The command line: run the selected workloads on the selected engines, print the markdown
report, write the JSON. ``python -m benchmarks --help``."""

from __future__ import annotations

import argparse
import datetime
import sys
import time
from pathlib import Path
from typing import Any

from . import hips, machine, memory, report, scalar, targets, tensor
from .adapters import SCALAR, SUBPROCESS, TENSOR, load
from .plans import FULL, QUICK, QUICKEST
from .workloads import digits

WORKLOADS = (*scalar.WORKLOADS, *tensor.WORKLOADS, "T4")
ENGINES = (*SCALAR, *TENSOR)
DEFAULT_OUT = Path(__file__).resolve().parent / "results" / "latest.json"
PEAK_ENGINES = ("floor_numpy", "dagrad_tensor", "torch_cpu")


def _names(text: str, allowed: tuple[str, ...]) -> tuple[str, ...]:
    names = tuple(n.strip() for n in text.split(",") if n.strip())
    unknown = [n for n in names if n not in allowed]
    if unknown:
        raise argparse.ArgumentTypeError(
            f"unknown {', '.join(unknown)}; choose from {', '.join(allowed)}"
        )
    return names


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    size = p.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="a run of a few minutes")
    size.add_argument(
        "--quick-est", action="store_true", help="tiny sizes, seconds (the smoke test)"
    )
    p.add_argument(
        "--engines",
        type=lambda s: _names(s, ENGINES),
        default=ENGINES,
        help="comma-separated (the floors always run)",
    )
    p.add_argument(
        "--workloads",
        type=lambda s: _names(s, WORKLOADS),
        default=WORKLOADS,
        help="comma-separated, e.g. S1,T2",
    )
    p.add_argument("--no-memory", action="store_true", help="skip the memory checks")
    p.add_argument(
        "--threads",
        type=int,
        default=machine.threads(),
        help="BLAS and PyTorch threads (default %(default)s; 1 is steadier on a busy machine)",
    )
    p.add_argument("--setup-hips", action="store_true", help="create benchmarks/.venv-hips first")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where to write the JSON")
    return p.parse_args(argv)


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _engines(family: dict[str, str], wanted: tuple[str, ...], notes: list[str]) -> dict[str, Any]:
    """The engines of a family that were asked for and are installed; always its floor."""
    engines = {}
    for i, name in enumerate(family):
        if name != SUBPROCESS and (i == 0 or name in wanted):
            engine, why = load(name)
            if engine is None:
                notes.append(str(why))
            else:
                engines[name] = engine
    return engines


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    plan = QUICKEST if args.quick_est else QUICK if args.quick else FULL
    workloads = set(args.workloads)
    machine.use_threads(args.threads)
    load_before = machine.load_average()
    if args.setup_hips:
        hips.setup_venv()
    start, notes, records = time.perf_counter(), list[str](), list[Any]()
    if workloads & set(scalar.WORKLOADS):
        engines = _engines(SCALAR, args.engines, notes)
        _log(f"scalar workloads on {', '.join(engines)} ...")
        records += scalar.run(engines, plan, workloads)
    if workloads & set(tensor.WORKLOADS):
        data, engines = digits(), _engines(TENSOR, args.engines, notes)
        _log(f"tensor workloads on {', '.join(engines)} ...")
        records += tensor.run(engines, plan, data, workloads)
        if SUBPROCESS in args.engines:
            _log("tensor workloads on hips_autograd (its own venv) ...")
            got, why = hips.run(plan, data, workloads & set(tensor.WORKLOADS))
            records += got
            notes += [why] if why else []
    if "T4" in workloads:
        _log("T4 (NumPy matmul) ...")
        records += tensor.t4(plan)
    mem = None
    if not args.no_memory:
        _log("memory ...")
        mem = memory.run(plan, tuple(e for e in PEAK_ENGINES if e in args.engines or "floor" in e))
    results = {
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
