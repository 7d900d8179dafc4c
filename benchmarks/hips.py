"""HIPS autograd's separate venv: making it, and running its adapter there as a subprocess.

Both it and dagrad are imported as ``autograd``, so HIPS autograd can never share dagrad's venv.
The venv gets the same NumPy version as dagrad's, so the comparison is of the engines alone.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from dataclasses import asdict
from pathlib import Path

import numpy as np

from .plans import Plan
from .records import Record
from .workloads import Dataset

HERE = Path(__file__).resolve().parent
VENV = HERE / ".venv-hips"
PYTHON = VENV / "bin" / "python"
ADAPTER = HERE / "adapters" / "hips_autograd.py"
HIPS_VERSION = "1.9.1"


def setup_venv() -> None:
    """Create benchmarks/.venv-hips with HIPS autograd and this venv's NumPy version."""
    if not PYTHON.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    subprocess.run(
        [
            str(PYTHON),
            "-m",
            "pip",
            "install",
            "-q",
            f"autograd=={HIPS_VERSION}",
            f"numpy=={np.__version__}",
        ],
        check=True,
    )


def missing_reason() -> str | None:
    if not PYTHON.exists():
        return (
            "hips_autograd skipped: no venv at benchmarks/.venv-hips (run make bench, or "
            "python -m benchmarks --setup-hips)"
        )
    return None


def run(plan: Plan, data: Dataset, workloads: set[str]) -> tuple[list[Record], str | None]:
    """The adapter's records from its own venv, or none and why."""
    reason = missing_reason()
    if reason:
        return [], reason
    with tempfile.TemporaryDirectory() as tmp:
        data_path, job_path, out_path = (
            Path(tmp) / n for n in ("data.npz", "job.json", "out.json")
        )
        np.savez(data_path, **asdict(data))
        job = {"plan": plan.name, "workloads": sorted(workloads), "data": str(data_path)}
        job_path.write_text(json.dumps(job))
        # run from the temp dir: the repo root on sys.path would put dagrad's autograd first
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        done = subprocess.run(
            [str(PYTHON), str(ADAPTER), str(job_path), str(out_path)],
            cwd=tmp,
            env=env,
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            tail = done.stderr.strip().splitlines()[-1:] or ["no output"]
            return [], f"hips_autograd failed: {tail[0]}"
        records = [Record.from_dict(d) for d in json.loads(out_path.read_text())]
    floor = {(r.workload, r.case): r.seconds for r in records if r.engine != "hips_autograd"}
    ours = [r for r in records if r.engine == "hips_autograd"]
    for r in ours:  # the ratio to the floor comes from the floor timed in the same process
        r.extra["paired_floor_s"] = floor.get((r.workload, r.case))
    return ours, None


if __name__ == "__main__":  # `python -m benchmarks.hips`: what `make bench` runs once
    setup_venv()
