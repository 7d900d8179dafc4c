"""HIPS autograd's own venv (it is imported as ``autograd``, like dagrad, so it cannot share
dagrad's), with the same NumPy version, and its adapter run there as a subprocess.
``python -m benchmarks.hips`` (run once by ``make bench``) makes the venv."""

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
PYTHON = HERE / ".venv-hips" / "bin" / "python"


def setup_venv() -> None:
    if not PYTHON.exists():
        subprocess.run([sys.executable, "-m", "venv", str(PYTHON.parents[1])], check=True)
    pins = ["autograd==1.9.1", f"numpy=={np.__version__}"]
    subprocess.run([str(PYTHON), "-m", "pip", "install", "-q", *pins], check=True)


def run(plan: Plan, data: Dataset, workloads: set[str]) -> tuple[list[Record], str | None]:
    """The adapter's records from its venv (each with the floor it took turns with), or why not."""
    if not PYTHON.exists():
        return [], "hips_autograd skipped: no benchmarks/.venv-hips (make bench, or --setup-hips)"
    with tempfile.TemporaryDirectory() as tmp:
        data_path, job, out = (Path(tmp) / n for n in ("data.npz", "job.json", "out.json"))
        np.savez(data_path, **asdict(data))
        job.write_text(
            json.dumps({"plan": plan.name, "workloads": sorted(workloads), "data": str(data_path)})
        )
        # from the temp dir, without PYTHONPATH: the repo root would put dagrad's autograd first
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        cmd = [str(PYTHON), str(HERE / "adapters" / "hips_autograd.py"), str(job), str(out)]
        done = subprocess.run(cmd, cwd=tmp, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            return (
                [],
                f"hips_autograd failed: {(done.stderr.strip().splitlines() or ['no output'])[-1]}",
            )
        records = [Record(**d) for d in json.loads(out.read_text())]
    floor = {(r.workload, r.case): r.seconds for r in records if r.engine == "floor_numpy"}
    ours = [r for r in records if r.engine == "hips_autograd"]
    for r in ours:
        r.extra["paired_floor_s"] = floor.get((r.workload, r.case))
    return ours, None


if __name__ == "__main__":
    setup_venv()
